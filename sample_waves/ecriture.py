"""Writing a sample wave to files, as a secretariat receives it: the one-workbook form
(``vague-05.xlsx``) or the folder form (``dossiers.xlsx``, ``jury.xlsx``, one grid per
juror), each workbook's bytes depending only on its content."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font

from commun.classeur import workbook_bytes
from commun.ecriture import ecrire_atomiquement
from sample_waves.programme import CRITERES, NOTE_MAX, NOTE_MIN
from sample_waves.vague import Vague


def _feuille(workbook: Workbook, titre: str, table: pd.DataFrame) -> None:
    """A sheet of ``table``: bold header, frozen first row, columns as wide as their text."""
    sheet = workbook.create_sheet(titre)
    sheet.append(list(table.columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.itertuples(index=False):
        sheet.append([_cellule(value) for value in row])
    sheet.freeze_panes = "A2"
    for index, column in enumerate(table.columns, start=1):
        width = max([len(str(column))] + [len(str(v)) for v in table[column].head(200)])
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = min(width + 2, 60)


def _cellule(value: Any) -> Any:
    """A table's value as openpyxl writes it: blank for a missing value, Python numbers."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        # Notes and ETP that are whole numbers are written as Excel integers, as typed.
        return int(value) if float(value).is_integer() else float(value)
    return value


def ecrire_classeur(path: Path, feuilles: Sequence[tuple[str, pd.DataFrame]]) -> None:
    """Write a workbook of one sheet per (title, table) at ``path``, atomically."""
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    for titre, table in feuilles:
        _feuille(workbook, titre, table)
    ecrire_atomiquement(path, workbook_bytes(workbook))


def table_jury(vague: Vague) -> pd.DataFrame:
    """Sheet ``jury``: who sits, their college, and their department when they have one."""
    return pd.DataFrame(
        [
            {"jure": j.jure, "nom": j.nom, "college": j.college, "qualite": j.qualite,
             "departement": j.departement}
            for j in vague.jury
        ]
    )


def table_criteres(poids: dict[str, int] | None = None) -> pd.DataFrame:
    """Sheet ``criteres``: the six criteria of FAQ 3.3, equal weights unless ``poids``."""
    return pd.DataFrame(
        [
            {"critere": c, "libelle": libelle, "poids": (poids or {}).get(c, 1),
             "note_min": NOTE_MIN, "note_max": NOTE_MAX}
            for c, libelle in CRITERES
        ]
    )


def grille(vague: Vague, jure: str, avec_nom: bool = False) -> pd.DataFrame:
    """One juror's grid: one row per dossier they scored, one column per criterion."""
    notes = vague.notes[vague.notes["jure"] == jure]
    large = notes.pivot(index="dossier", columns="critere", values="note")
    large = large[[c for c, _ in CRITERES]].astype(object)
    large = large.where(large.notna(), None)
    commentaires = notes.groupby("dossier", sort=False)["commentaire"].first()
    large["commentaire"] = commentaires.reindex(large.index)
    large = large.reset_index()
    if avec_nom:
        noms = vague.dossiers.set_index("dossier")["nom"]
        large.insert(1, "nom", large["dossier"].map(noms))
    return large


def ecrire_vague_classeur(vague: Vague, path: Path) -> None:
    """The one-workbook form: ``dossiers``, ``jury``, ``criteres``, ``deports``, J01…J10."""
    feuilles = [
        ("dossiers", vague.dossiers),
        ("jury", table_jury(vague)),
        ("criteres", table_criteres()),
        ("deports", vague.deports),
    ]
    feuilles += [(j.jure, grille(vague, j.jure)) for j in vague.jury]
    ecrire_classeur(path, feuilles)


def ecrire_vague_dossier(vague: Vague, folder: Path) -> None:
    """The folder form: ``dossiers.xlsx``, ``jury.xlsx`` and one workbook per juror."""
    ecrire_classeur(folder / "dossiers.xlsx", [("dossiers", vague.dossiers)])
    ecrire_classeur(
        folder / "jury.xlsx",
        [("jury", table_jury(vague)), ("criteres", table_criteres()), ("deports", vague.deports)],
    )
    for jure in vague.jury:
        grid = grille(vague, jure.jure, avec_nom=True)
        ecrire_classeur(folder / "notes" / f"{jure.jure}.xlsx", [("grille", grid)])
