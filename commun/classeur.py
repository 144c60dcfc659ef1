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
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

# Every file is written by the one discipline of commun.ecriture (re-exported for callers).
from commun.ecriture import ecrire_atomiquement as ecrire_atomiquement
from commun.vocabulaire import COLONNES_CODEES, libelle, pour_lecteur

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
) -> Worksheet:
    """Write ``table`` as a sheet for people: bold frozen header, filters, column widths,
    and a page set-up that prints (landscape, one page wide, header repeated, page numbers).

    ``formats`` maps a column to an Excel number format (``'0.00'``, ``'#,##0 "€"'``…).
    ``couleurs`` = (column, value → RGB fill) colours whole rows by a column's value. Text
    cells go through :func:`texte_sur`.
    """
    feuille = workbook.create_sheet(titre)
    _ecrire_bloc(feuille, 1, table, formats or {}, couleurs)
    feuille.freeze_panes = "A2"
    if len(table.columns):
        feuille.auto_filter.ref = f"A1:{get_column_letter(len(table.columns))}{len(table) + 1}"
    feuille.page_setup.orientation = "landscape"
    feuille.page_setup.paperSize = feuille.PAPERSIZE_A4
    feuille.page_setup.fitToWidth = 1
    feuille.page_setup.fitToHeight = 0
    feuille.sheet_properties.pageSetUpPr.fitToPage = True
    feuille.print_title_rows = "1:1"
    feuille.oddHeader.center.text = titre
    feuille.oddFooter.right.text = "Page &P / &N"
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
    for numero, ligne in enumerate(table.itertuples(index=False), start=premiere + 1):
        remplissage = remplissages.get(ligne[cle_couleur]) if couleurs else None
        for colonne, valeur in enumerate(ligne, start=1):
            cellule = feuille.cell(numero, colonne)
            if isinstance(valeur, str):
                texte_sur(cellule, valeur)
            else:
                cellule.value = _valeur_excel(valeur)
            if remplissage is not None:
                cellule.fill = remplissage
    enroulees: list[tuple[int, float]] = []
    for index, nom in enumerate(table.columns, start=1):
        lettre = get_column_letter(index)
        if nom in formats:
            for numero in range(premiere + 1, premiere + 1 + len(table)):
                feuille.cell(numero, index).number_format = formats[nom]
        largeur = max([len(str(nom))] + [len(str(v)) for v in table[nom].head(300)])
        ajustee = float(min(max(largeur, 6) + 2, LARGEUR_MAX))
        if premiere > 1:  # a table under another: never narrow the columns above
            ajustee = max(ajustee, feuille.column_dimensions[lettre].width)
        feuille.column_dimensions[lettre].width = ajustee
        if largeur > LARGEUR_MAX:  # long sentences wrap instead of running off the page
            enroulees.append((index, ajustee))
            for numero in range(premiere + 1, premiere + 1 + len(table)):
                feuille.cell(numero, index).alignment = _RETOUR_A_LA_LIGNE
    # Neither Excel nor LibreOffice grows a row for wrapped text on opening a file that
    # gives no height: without one, a long motif prints over the rows below it.
    for numero in range(premiere + 1, premiere + 1 + len(table)) if enroulees else ():
        lignes = max(lignes_enroulees(str(feuille.cell(numero, index).value or ""), largeur)
                     for index, largeur in enroulees)
        if lignes > 1:
            feuille.row_dimensions[numero].height = HAUTEUR_LIGNE * lignes
            for colonne in range(1, len(table.columns) + 1):
                cellule = feuille.cell(numero, colonne)
                if not cellule.alignment.wrap_text:
                    cellule.alignment = _EN_HAUT


def lignes_enroulees(texte: str, largeur: float) -> int:
    """How many lines ``texte`` takes once wrapped at word boundaries in a column
    ``largeur`` characters wide. Every character is counted as wide as a digit (the unit of
    Excel's column width), the widest common case: the estimate errs on the tall side."""
    capacite = max(int(largeur) - 1, 1)
    total = 0
    for paragraphe in texte.split("\n"):
        lignes, courante = 1, 0
        for mot in paragraphe.split():
            longueur = len(mot)
            if courante and courante + 1 + longueur > capacite:
                lignes, courante = lignes + 1, 0
            if longueur > capacite:  # a word longer than the column is cut
                lignes += (courante + longueur - 1) // capacite
                courante = (courante + longueur) % capacite
            else:
                courante += (1 if courante else 0) + longueur
        total += lignes
    return total


_ENTETE = PatternFill("solid", start_color="DDE4EE")
#: Height of one line of the default 11-point font, in points.
HAUTEUR_LIGNE = 15.0
_RETOUR_A_LA_LIGNE = Alignment(wrap_text=True, vertical="top")
_EN_HAUT = Alignment(vertical="top")
#: Widest column, in characters; longer text wraps.
LARGEUR_MAX = 60


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
