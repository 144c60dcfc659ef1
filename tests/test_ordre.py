"""Decisions never depend on the order of rows: permuting the rows of every input file —
dossiers, jurors, each juror's notes, the history — leaves every output sheet identical."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import openpyxl
import pytest

from fabriques.cli import main

SAMPLES = Path(__file__).resolve().parents[1] / "sample_waves"
#: Rows of ``parametres`` that name the input files' bytes, which a permutation changes, and
#: the journal's last hash (each run adds entries, with their times).
PROVENANCE = ("sha256 ", "empreinte", "date", "journal")


def melanger(classeur: Path, graine: int) -> None:
    """Shuffle the data rows (below the header row) of every sheet of ``classeur``."""
    rng = random.Random(graine)
    livre = openpyxl.load_workbook(classeur)
    for feuille in livre.worksheets:
        lignes = [list(r) for r in feuille.iter_rows(values_only=True)]
        entete = next((k for k, r in enumerate(lignes)
                       if any(str(v).strip().lower() in ("dossier", "jure") for v in r
                              if v is not None)), None)
        if entete is None or len(lignes) - entete < 3:
            continue
        donnees = lignes[entete + 1:]
        rng.shuffle(donnees)
        for k, ligne in enumerate(donnees, start=entete + 2):
            for j, valeur in enumerate(ligne, start=1):
                feuille.cell(k, j).value = valeur
    livre.save(classeur)


def feuilles(chemin: Path) -> dict[str, list[tuple]]:
    livre = openpyxl.load_workbook(chemin, read_only=True)
    contenu = {}
    for feuille in livre.worksheets:
        lignes = list(feuille.iter_rows(values_only=True))
        if feuille.title == "parametres":
            lignes = [r for r in lignes if not str(r[0]).lower().startswith(PROVENANCE)]
        contenu[feuille.title] = lignes
    livre.close()
    return contenu


@pytest.mark.parametrize("graine", [1, 2])
def test_permuting_every_input_file_changes_no_output(tmp_path, graine):
    originale, permutee = tmp_path / "a" / "vague-06", tmp_path / "b" / "vague-06"
    shutil.copytree(SAMPLES / "vague-06", originale)
    shutil.copytree(SAMPLES / "vague-06", permutee)
    for classeur in sorted(permutee.rglob("*.xlsx")):
        melanger(classeur, graine)
    sorties = []
    for vague in (originale, permutee):
        sortie = vague.parent / "allocation.xlsx"
        assert main(["allocate", str(vague), "--method", "bias", "--out", str(sortie),
                     "--retours", str(vague.parent / "retours.xlsx")]) == 0
        sorties.append((feuilles(sortie), feuilles(vague.parent / "retours.xlsx")))
    assert sorties[0] == sorties[1]
