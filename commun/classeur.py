"""Writing workbooks: reproducible bytes, inert text cells, sheets for people.

openpyxl stamps the current time into ``docProps/core.xml`` and into every zip entry, so
two saves of the same content differ. The secretariat must be able to show that the same
inputs give the same file, hence :func:`workbook_bytes` pins both.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, MergedCell
from openpyxl.styles import Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from commun.feuilles_xml import enregistrer

# The layout of every table, once its content is final.
from commun.mise_en_page import Bloc, a_mettre_en_page, mettre_en_page_ce_qui_attend
from commun.vocabulaire import COLONNES_CODEES, libelle, pour_lecteur

_FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)
_FIXED_W3C_TIME = "2020-01-01T00:00:00Z"
_CORE_TIMESTAMP = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def workbook_bytes(workbook: Workbook) -> bytes:
    """Serialise ``workbook`` to xlsx bytes that depend only on its content, its tables laid
    out for print first (:func:`a_mettre_en_page`)."""
    mettre_en_page_ce_qui_attend(workbook)
    raw = io.BytesIO()
    enregistrer(workbook, raw)
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


#: Characters that make a spreadsheet treat a cell's text as a formula (CWE-1236).
_DEBUTS_FORMULE = ("=", "+", "-", "@", "\t", "\r")


def texte_sur(cellule: Cell | MergedCell, valeur: str) -> None:
    """Put text in a cell so that it can never run as a formula.

    openpyxl writes any string starting with ``=`` as a formula; forcing the string type and
    Excel's quote prefix keeps it inert even if someone edits the cell later.
    """
    # characters XML 1.0 forbids (a vertical tab typed in a reason, « _x000B_ » read from a
    # workbook) would stop the whole file from being written: shown as « ? » instead
    valeur = ILLEGAL_CHARACTERS_RE.sub("?", valeur)
    cellule.value = valeur
    cellule.data_type = "s"
    if valeur.startswith(_DEBUTS_FORMULE):
        cellule.quotePrefix = True


def ecrire_table(
    workbook: Workbook,
    titre: str,
    table: pd.DataFrame,
    formats: Mapping[str, str] | None = None,
    couleurs: tuple[str, Mapping[str, str]] | None = None,
    position: int | None = None,
) -> Worksheet:
    """Write ``table`` as a sheet for people: bold frozen header, filters, and, once the
    workbook is serialised by :func:`workbook_bytes`, column widths and a page set-up that
    prints (:func:`mettre_en_page`).

    ``formats`` maps a column to an Excel number format (``'0.00'``, ``'#,##0 "€"'``…).
    ``couleurs`` = (column, value → RGB fill) colours whole rows by a column's value. Text
    cells go through :func:`texte_sur`. ``position``: the sheet's place among the sheets
    (last by default), for a sheet written after those that follow it.
    """
    feuille = workbook.create_sheet(titre, position)
    _ecrire_bloc(feuille, 1, table, formats or {}, couleurs)
    feuille.freeze_panes = "A2"
    if len(table.columns):
        feuille.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{len(table) + 1}"
    feuille.oddHeader.center.text = titre
    return feuille


def ajouter_table(feuille: Worksheet, titre: str, table: pd.DataFrame,
                  formats: Mapping[str, str] | None = None) -> None:
    """Add a second table under the sheet's content, after a blank row and a bold title."""
    ligne = feuille.max_row + 2
    texte_sur(feuille.cell(ligne, 1), titre)
    feuille.cell(ligne, 1).font = Font(bold=True, size=12)
    _ecrire_bloc(feuille, ligne + 1, table, formats or {}, None)


def _ecrire_bloc(feuille: Worksheet, premiere: int, table: pd.DataFrame,
                 formats: Mapping[str, str],
                 couleurs: tuple[str, Mapping[str, str]] | None) -> None:
    # codes become the secretariat's words here, for every table any workbook holds
    table = pour_lecteur(table)
    if couleurs and couleurs[0] in COLONNES_CODEES:
        famille = COLONNES_CODEES[couleurs[0]]
        couleurs = (couleurs[0], {libelle(famille, v): c for v, c in couleurs[1].items()})
    for colonne, nom in enumerate(table.columns, start=1):
        entete = feuille.cell(premiere, colonne)
        texte_sur(entete, str(nom))
        entete.font = Font(bold=True)
        entete.fill = _ENTETE
    remplissages = ({v: PatternFill("solid", start_color=c) for v, c in couleurs[1].items()}
                    if couleurs else {})
    cle_couleur = list(table.columns).index(couleurs[0]) if couleurs else -1
    formats_colonnes = [formats.get(nom) for nom in table.columns]
    # openpyxl's style setters hash the fill or format on every cell (most of the writing's
    # time): the first cell of each style goes through them, registering that style in the
    # workbook as before, and the cells like it get a copy of its style (_Styles)
    styles = _Styles()
    for numero, ligne in enumerate(table.itertuples(index=False), start=premiere + 1):
        remplissage = remplissages.get(ligne[cle_couleur]) if couleurs else None
        for colonne, (valeur, format_nombre) in enumerate(zip(ligne, formats_colonnes,
                                                               strict=True), start=1):
            cellule = feuille.cell(numero, colonne)
            if isinstance(valeur, str):
                texte_sur(cellule, valeur)
            else:
                cellule.value = _valeur_excel(valeur)
            if remplissage is not None or format_nombre is not None:
                styles(cellule, remplissage, format_nombre)
    a_mettre_en_page(feuille, Bloc(premiere, premiere + len(table), len(table.columns)))


_ENTETE = PatternFill("solid", start_color="DDE4EE")


class _Styles:
    """Gives cells a fill and a number format: the first cell of each (style it had, fill,
    format) through openpyxl's setters, the next ones a copy of the style it ended with.

    A cell's style is openpyxl's ``_style``, one array of indices into the workbook's
    lists of fonts, fills, formats… (not in its type stubs, hence ``Any``)."""

    def __init__(self) -> None:
        self.faits: dict[tuple[tuple[int, ...], int, str | None], StyleArray] = {}

    def __call__(self, cellule: Cell | MergedCell, remplissage: PatternFill | None,
                 format_nombre: str | None) -> None:
        brute: Any = cellule
        avant = tuple(brute._style) if brute._style is not None else ()
        cle = (avant, id(remplissage), format_nombre)
        fait = self.faits.get(cle)
        if fait is not None:
            brute._style = StyleArray(fait)  # a copy: a cell's style array is its own
            return
        if remplissage is not None:
            cellule.fill = remplissage
        if format_nombre is not None:
            cellule.number_format = format_nombre
        self.faits[cle] = StyleArray(brute._style)


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
