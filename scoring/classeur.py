"""Writing workbooks: reproducible bytes and atomic replacement.

openpyxl stamps the current time into ``docProps/core.xml`` and into every zip entry, so
two saves of the same content differ. The secretariat must be able to show that the same
inputs give the same file, hence :func:`workbook_bytes` pins both.
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import re
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

_FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)
_FIXED_W3C_TIME = "2020-01-01T00:00:00Z"
_CORE_TIMESTAMP = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def workbook_bytes(workbook: Workbook) -> bytes:
    """Serialise ``workbook`` to xlsx bytes that depend only on its content."""
    raw = io.BytesIO()
    workbook.save(raw)
    raw.seek(0)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(raw) as source,
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == "docProps/core.xml":
                data = _CORE_TIMESTAMP.sub(
                    rb"\g<1>" + _FIXED_W3C_TIME.encode() + rb"\g<2>", data
                )
            info = zipfile.ZipInfo(entry.filename, date_time=_FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, data)
    return out.getvalue()


def sha256_fichier(chemin: Path) -> str:
    """SHA-256 of a file, read in blocks (recorded so a decision can be redone)."""
    digest = hashlib.sha256()
    with Path(chemin).open("rb") as handle:
        for bloc in iter(lambda: handle.read(1 << 20), b""):
            digest.update(bloc)
    return digest.hexdigest()


def ecrire_atomiquement(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename.

    An interrupted write leaves the previous file untouched: the rename is atomic on POSIX
    and on Windows (``os.replace``).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


#: Characters that make a spreadsheet treat a cell's text as a formula (CWE-1236).
_DEBUTS_FORMULE = ("=", "+", "-", "@", "\t", "\r")


def texte_sur(cellule: Cell, valeur: str) -> None:
    """Put text in a cell so that it can never run as a formula.

    openpyxl writes any string starting with ``=`` as a formula; forcing the string type and
    Excel's quote prefix keeps it inert even if someone edits the cell later.
    """
    cellule.value = valeur
    cellule.data_type = "s"
    if valeur.startswith(_DEBUTS_FORMULE):
        cellule.quotePrefix = True


def ecrire_table(
    workbook: Workbook,
    titre: str,
    table: pd.DataFrame,
    formats: Mapping[str, str] | None = None,
) -> Worksheet:
    """Write ``table`` as a sheet for people: bold frozen header, filters, column widths.

    ``formats`` maps a column to an Excel number format (``'0.00'``, ``'# ##0 €'``…). Text
    cells go through :func:`texte_sur`.
    """
    feuille = workbook.create_sheet(titre)
    formats = formats or {}
    feuille.append([str(c) for c in table.columns])
    for cellule in feuille[1]:
        cellule.font = Font(bold=True)
    for numero, ligne in enumerate(table.itertuples(index=False), start=2):
        for colonne, valeur in enumerate(ligne, start=1):
            cellule = feuille.cell(numero, colonne)
            if isinstance(valeur, str):
                texte_sur(cellule, valeur)
            else:
                cellule.value = _valeur_excel(valeur)
    for index, nom in enumerate(table.columns, start=1):
        lettre = get_column_letter(index)
        if nom in formats:
            for cellule in feuille[lettre][1:]:
                cellule.number_format = formats[nom]
        largeur = max([len(str(nom))] + [len(str(v)) for v in table[nom].head(300)])
        feuille.column_dimensions[lettre].width = min(max(largeur, 6) + 2, 60)
    feuille.freeze_panes = "A2"
    if len(table.columns):
        feuille.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{len(table) + 1}"
    return feuille


def _valeur_excel(valeur: Any) -> Any:
    if valeur is None or valeur is pd.NA:
        return None
    if isinstance(valeur, float | np.floating):
        return None if math.isnan(valeur) else float(valeur)
    if isinstance(valeur, bool | np.bool_):
        return "oui" if valeur else "non"
    if isinstance(valeur, int | np.integer):
        return int(valeur)
    if isinstance(valeur, tuple | list):
        return "; ".join(str(v) for v in valeur)
    return str(valeur)
