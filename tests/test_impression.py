"""The allocation workbook as it prints: converted to PDF by LibreOffice headless (Debian's
``libreoffice-calc-nogui``, installed by ``.ci/run``), every row of ``classement`` keeps its
whole motif inside its own band — a wrapped motif never runs over the rows below it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader

from commun.classeur import lignes_enroulees
from fabriques.cli import main

SAMPLES = Path(__file__).resolve().parents[1] / "sample_waves"
SOFFICE = shutil.which("soffice")
IDENTIFIANT = re.compile(r"V\d\d-\d{3}")
#: Below this height (points from the bottom of the page) is the footer, « Page n / N ».
PIED_DE_PAGE = 45


def test_wrapped_lines_are_counted_on_the_tall_side() -> None:
    assert lignes_enroulees("", 60) == 1
    assert lignes_enroulees("court", 60) == 1
    assert lignes_enroulees("mot " * 30, 21) == 6  # 20 characters a line: 5 words of 3
    assert lignes_enroulees("a\nb\nc", 60) == 3
    assert lignes_enroulees("x" * 100, 11) == 10  # a word longer than the column is cut


def _fragments(page) -> list[tuple[float, float, str]]:
    fragments: list[tuple[float, float, str]] = []

    def visiteur(texte, cm, tm, _police, _taille) -> None:
        if texte.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            fragments.append((x, y, texte.strip()))

    page.extract_text(visitor_text=visiteur)
    return fragments


@pytest.mark.skipif(SOFFICE is None and not os.environ.get("CI"),
                    reason="LibreOffice absent (installed by .ci/run in CI)")
def test_the_printed_ranking_keeps_each_motif_in_its_row(tmp_path: Path) -> None:
    assert SOFFICE is not None, "CI must install LibreOffice (libreoffice-calc-nogui)"
    classeur = tmp_path / "allocation.xlsx"
    assert main(["allocate", str(SAMPLES / "vague-06"), "--out", str(classeur)]) == 0
    subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(classeur)],
                   check=True, capture_output=True, timeout=300)
    motifs = dict(pd.read_excel(classeur, sheet_name="classement", engine="calamine")
                  [["dossier", "motif"]].itertuples(index=False))
    enroules = {d for d, m in motifs.items() if len(m) > 60}
    assert enroules, "the sample should hold motifs long enough to wrap"
    vus: dict[str, str] = {}
    for page in PdfReader(tmp_path / "allocation.pdf").pages:
        fragments = _fragments(page)
        entetes = {t: x for x, _, t in fragments if t in ("dossier", "motif")}
        if set(entetes) != {"dossier", "motif"}:
            continue
        lignes = sorted(((y, t) for x, y, t in fragments
                         if abs(x - entetes["dossier"]) < 1 and IDENTIFIANT.fullmatch(t)),
                        reverse=True)
        if not lignes or lignes[0][1] not in motifs:
            continue  # another sheet with a dossier column
        textes: dict[str, list[str]] = {d: [] for _, d in lignes}
        for x, y, texte in sorted(fragments, key=lambda f: (-f[1], f[0])):
            if x < entetes["motif"] - 1 or texte == "motif" or y < PIED_DE_PAGE:
                continue
            # the row a fragment is drawn in: the lowest row that starts at or above it
            au_dessus = [d for haut, d in lignes if haut >= y - 1]
            assert au_dessus, (texte, y)
            textes[au_dessus[-1]].append(texte)
        for dossier, morceaux in textes.items():
            # LibreOffice may break a line at a hyphen (« V06- » / « 005 »): spaces aside
            vus[dossier] = "".join("".join(morceaux).split())
    assert enroules <= set(vus)
    for dossier, texte in vus.items():
        assert texte == "".join(motifs[dossier].split()), dossier
