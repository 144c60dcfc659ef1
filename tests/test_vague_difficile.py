"""The bench's hard wave of issue 30 has the characteristics the issue names."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sample_waves import difficile
from sample_waves.programme import CRITERES


def test_vague_difficile(tmp_path: Path) -> None:
    vague = difficile.generer_vague_difficile(tmp_path)
    dossiers = pd.read_excel(vague / "dossiers.xlsx", engine="calamine")
    assert len(dossiers) == 260
    historique = pd.read_excel(vague / "laureats.xlsx", engine="calamine")
    par_departement = historique["departement"].astype(str).value_counts()
    assert len(historique) == 170
    assert (par_departement == 5).sum() == 12 and par_departement.max() == 5
    grilles = [pd.read_excel(f, engine="calamine")
               for f in sorted((vague / "notes").glob("*.xlsx"))]
    assert len(grilles) == 10
    notes = pd.concat(grilles)[[c for c, _ in CRITERES]].stack()
    assert ((notes * 2) % 1 == 0).all() and ((notes % 1) == 0.5).any()  # half points
    deports = pd.read_excel(vague / "jury.xlsx", sheet_name="deports", engine="calamine")
    assert len(deports) >= difficile.DEPORTS
    programme = (tmp_path / "programme.toml").read_text("utf-8")
    assert "max_par_departement = 5" in programme and "max_par_departement = 2" in programme
    # the same seed writes the same files
    again = difficile.generer_vague_difficile(tmp_path / "bis")
    assert (again / "dossiers.xlsx").read_bytes() == (vague / "dossiers.xlsx").read_bytes()
