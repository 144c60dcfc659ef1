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
from dataclasses import dataclass
from typing import Any, TypeGuard
from weakref import WeakKeyDictionary

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, MergedCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

# Every file is written by the one discipline of commun.ecriture (re-exported for callers).
from commun.ecriture import ecrire_atomiquement as ecrire_atomiquement
from commun.vocabulaire import COLONNES_CODEES, libelle, pour_lecteur

_FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)
_FIXED_W3C_TIME = "2020-01-01T00:00:00Z"
_CORE_TIMESTAMP = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def workbook_bytes(workbook: Workbook) -> bytes:
    """Serialise ``workbook`` to xlsx bytes that depend only on its content, its tables laid
    out for print first (:func:`a_mettre_en_page`)."""
    for feuille in workbook.worksheets:
        if feuille in _A_METTRE_EN_PAGE:
            blocs, minimums, paysage = _A_METTRE_EN_PAGE.pop(feuille)
            mettre_en_page(feuille, blocs, minimums, paysage)
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
    """Write ``table`` as a sheet for people: bold frozen header, filters, and, once the
    workbook is serialised by :func:`workbook_bytes`, column widths and a page set-up that
    prints (:func:`mettre_en_page`).

    ``formats`` maps a column to an Excel number format (``'0.00'``, ``'#,##0 "€"'``…).
    ``couleurs`` = (column, value → RGB fill) colours whole rows by a column's value. Text
    cells go through :func:`texte_sur`.
    """
    feuille = workbook.create_sheet(titre)
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
    for index, nom in enumerate(table.columns, start=1):
        if nom in formats:
            for numero in range(premiere + 1, premiere + 1 + len(table)):
                feuille.cell(numero, index).number_format = formats[nom]
    a_mettre_en_page(feuille, Bloc(premiere, premiere + len(table), len(table.columns)))


# --- Printing --------------------------------------------------------------------------
#
# Widths are in Excel's unit: the width of a digit of the workbook's default font (Calibri
# 11 pt: 5.25 pt). Where neither Calibri nor its metric twin Carlito is installed,
# LibreOffice draws the same text in DejaVu Sans, whose digit is 7 pt wide: the page budget
# is drawn for that widest case, so that the sheet prints at least at ECHELLE_MIN anywhere.


@dataclass(frozen=True)
class Bloc:
    """A table of a sheet: its header row, its last row and its number of columns."""

    entete: int
    fin: int
    colonnes: int


#: Tables waiting for their layout, laid out by workbook_bytes once their content is final.
_A_METTRE_EN_PAGE: WeakKeyDictionary[Worksheet, tuple[list[Bloc], dict[int, float], bool]] = (
    WeakKeyDictionary())


def a_mettre_en_page(feuille: Worksheet, bloc: Bloc, minimums: Mapping[int, float] | None = None,
                     paysage: bool = False) -> None:
    """Have :func:`workbook_bytes` lay out ``bloc`` of ``feuille`` (:func:`mettre_en_page`)
    once the workbook is complete: a table added under another shares its columns' widths.

    ``minimums``: column (1-based) → width it keeps whatever the page (room to write a
    comment); ``paysage``: landscape even when the table would fit a portrait page."""
    blocs, planchers, large = _A_METTRE_EN_PAGE.setdefault(feuille, ([], {}, False))
    blocs.append(bloc)
    planchers.update(minimums or {})
    _A_METTRE_EN_PAGE[feuille] = (blocs, planchers, large or paysage)


def mettre_en_page(feuille: Worksheet, blocs: list[Bloc],
                   minimums: Mapping[int, float] | None = None, paysage: bool = False) -> None:
    """Lay out the tables ``blocs`` of ``feuille`` for print, then set up its pages.

    Each column is as wide as its header and its widest value as displayed (numbers in their
    number format); every value sits one indent from its column's edge, text on the left and
    numbers on the right, so that two cells never run together on paper; headers are aligned
    like their column. When the table is too wide for
    a landscape page at ECHELLE_MIN, the widest columns give way first: long text wraps
    (paragraphs less than short text), then headers wrap over several lines, then text wraps
    narrower (_ETAPES); only a table still too wide prints on several pages side by side, its
    first column repeated. Row heights follow the wrapped lines (neither Excel nor
    LibreOffice grows a row for wrapped text on opening a file that gives no height).
    """
    mesures = _mesurer(feuille, blocs)
    colonnes = sorted(mesures)
    etapes = [[max(mesures[c].largeur(*etape), (minimums or {}).get(c, 0)) for c in colonnes]
              for etape in _ETAPES]
    largeurs = _largeurs(etapes, BUDGET_PAYSAGE)
    if largeurs is None:  # several pages wide: as few as hold it with its headers wrapped,
        # with room for the columns that do not fill a page to its edge
        budget = BUDGET_PAYSAGE * REMPLISSAGE
        largeurs = _largeurs(etapes, math.ceil(sum(etapes[2]) / budget) * budget) or etapes[2]
    for colonne, largeur in zip(colonnes, largeurs, strict=True):
        feuille.column_dimensions[get_column_letter(colonne)].width = largeur
    _aligner(feuille, blocs, dict(zip(colonnes, largeurs, strict=True)))
    # the header row repeats on every page when it heads the sheet
    regler_impression(feuille, paysage, "1:1" if blocs and blocs[0].entete == 1 else None)


def _largeurs(etapes: list[list[float]], budget: float) -> list[float] | None:
    """The widths that fit ``budget``: the natural ones (``etapes[0]``), else the widest
    columns lowered towards the floors of each next step in turn; None if nothing fits."""
    naturelles = etapes[0]
    for planchers in etapes:
        largeurs = _plafonner(naturelles, [min(p, n) for p, n in zip(planchers, naturelles,
                                                                     strict=True)], budget)
        if sum(largeurs) <= budget:
            return largeurs
    return None


def regler_impression(feuille: Worksheet, paysage: bool = False,
                      lignes_titre: str | None = "1:1") -> None:
    """The page set-up of every sheet the tool writes: A4, portrait when the used columns
    fit a portrait page nearly full size, else landscape (always with ``paysage``); fit to
    the width (as many pages wide as keep the text at ECHELLE_MIN, the first column then
    repeated), free height; the header row(s) ``lignes_titre`` repeated on every page;
    margins of one centimetre; « Page n / N » at the foot of each page."""
    total = sum(feuille.column_dimensions[get_column_letter(c)].width or 8.43
                for c in range(1, feuille.max_column + 1))
    portrait = not paysage and total <= BUDGET_PORTRAIT
    pages = (1 if portrait or total <= BUDGET_PAYSAGE
             else math.ceil(total / (BUDGET_PAYSAGE * REMPLISSAGE) - 1e-9))
    reglage = feuille.page_setup
    reglage.orientation = "portrait" if portrait else "landscape"
    reglage.paperSize = feuille.PAPERSIZE_A4
    reglage.fitToWidth = pages
    reglage.fitToHeight = 0
    proprietes = feuille.sheet_properties
    if proprietes.pageSetUpPr is None:
        proprietes.pageSetUpPr = PageSetupProperties()
    proprietes.pageSetUpPr.fitToPage = True
    feuille.page_margins = PageMargins(left=MARGE, right=MARGE, top=0.6, bottom=0.6,
                                       header=0.25, footer=0.25)
    if lignes_titre:
        feuille.print_title_rows = lignes_titre
    if pages > 1:
        feuille.print_title_cols = "A:A"
    pied = feuille.oddFooter
    if pied is not None and not pied.right.text:
        pied.right.text = "Page &P / &N"


class _Mesure:
    """What a column must hold, in characters: its headers (whole, longest word), its
    longest text and its widest number as displayed."""

    def __init__(self) -> None:
        self.entete = 0.0
        self.mot = 0.0
        self.texte = 0
        self.nombre = 0

    def largeur(self, court: float, long: float, mot: bool) -> float:
        """The column's width with text wrapped at ``court`` characters (``long`` for text
        of PARAGRAPHE characters or more: paragraphs keep more room) and, with ``mot``, headers
        wrapped (between words, or within a word down to the numbers' width)."""
        texte = min(self.texte, long if self.texte >= PARAGRAPHE else court)
        entete = (min(self.mot, max(self.nombre - MARGE_CELLULE + MARGE_NOMBRE,
                                    LARGEUR_ENTETE_MIN)) if mot else self.entete)
        nombre = self.nombre + MARGE_NOMBRE if self.nombre else 0
        return float(math.ceil(max(nombre, max(texte, entete, 4) + MARGE_CELLULE) + RETRAIT))


def _mesurer(feuille: Worksheet, blocs: list[Bloc]) -> dict[int, _Mesure]:
    mesures: dict[int, _Mesure] = {}
    for bloc in blocs:
        for colonne in range(1, bloc.colonnes + 1):
            mesure = mesures.setdefault(colonne, _Mesure())
            entete = str(feuille.cell(bloc.entete, colonne).value or "")
            mesure.entete = max(mesure.entete, _plus_longue_ligne(entete) * GRAS)
            mesure.mot = max([mesure.mot, *(len(m) * GRAS for m in entete.split())])
            for numero in range(bloc.entete + 1, bloc.fin + 1):
                cellule = feuille.cell(numero, colonne)
                if _est_nombre(cellule.value):
                    mesure.nombre = max(mesure.nombre, len(_affiche(cellule.value,
                                                                    cellule.number_format)))
                elif cellule.value is not None:
                    mesure.texte = max(mesure.texte, _plus_longue_ligne(str(cellule.value)))
    return mesures


def _aligner(feuille: Worksheet, blocs: list[Bloc], largeurs: Mapping[int, float]) -> None:
    """Numbers right-aligned, text left-aligned (both indented), text wrapped where it is
    wider than its column, headers aligned like their column, every row as tall as its
    wrapped lines."""
    for bloc in blocs:
        numeriques = set()
        for colonne in range(1, bloc.colonnes + 1):
            valeurs = [feuille.cell(n, colonne).value for n in range(bloc.entete + 1, bloc.fin + 1)]
            presentes = [v for v in valeurs if v is not None]
            if presentes and all(_est_nombre(v) for v in presentes):
                numeriques.add(colonne)
        hauteur_entete = 1
        for colonne in range(1, bloc.colonnes + 1):
            cellule = feuille.cell(bloc.entete, colonne)
            texte = str(cellule.value or "")
            capacite = (largeurs[colonne] - RETRAIT) / GRAS
            enroule = _plus_longue_ligne(texte) > capacite - 1
            if enroule:
                hauteur_entete = max(hauteur_entete, lignes_enroulees(texte, capacite))
            cellule.alignment = Alignment(
                horizontal="right" if colonne in numeriques else "left", indent=1,
                vertical="bottom", wrap_text=enroule)
        if hauteur_entete > 1:
            feuille.row_dimensions[bloc.entete].height = HAUTEUR_LIGNE * hauteur_entete
        enroulees = {c for c in range(1, bloc.colonnes + 1) if c not in numeriques and any(
            _plus_longue_ligne(str(feuille.cell(n, c).value or "")) > largeurs[c] - RETRAIT - 1
            for n in range(bloc.entete + 1, bloc.fin + 1))}
        for numero in range(bloc.entete + 1, bloc.fin + 1):
            lignes = 1
            for colonne in range(1, bloc.colonnes + 1):
                cellule = feuille.cell(numero, colonne)
                if _est_nombre(cellule.value):
                    cellule.alignment = _NOMBRE
                elif colonne in enroulees:
                    cellule.alignment = _RETOUR_A_LA_LIGNE
                    lignes = max(lignes, lignes_enroulees(str(cellule.value or ""),
                                                          largeurs[colonne] - RETRAIT))
                else:
                    cellule.alignment = _EN_HAUT
            if lignes > 1:
                feuille.row_dimensions[numero].height = HAUTEUR_LIGNE * lignes


def _plafonner(largeurs: list[float], planchers: list[float], budget: float) -> list[float]:
    """The widths under the highest common cap (never below each column's floor) whose
    total fits ``budget``; the floors when even they do not fit."""
    def total(plafond: float) -> float:
        return sum(max(p, min(w, plafond)) for w, p in zip(largeurs, planchers, strict=True))

    bas, haut = 0, int(max(largeurs, default=0))
    while bas < haut:
        milieu = (bas + haut + 1) // 2
        bas, haut = (milieu, haut) if total(milieu) <= budget else (bas, milieu - 1)
    return [max(p, min(w, float(bas))) for w, p in zip(largeurs, planchers, strict=True)]


def _est_nombre(valeur: object) -> TypeGuard[int | float]:
    return isinstance(valeur, int | float) and not isinstance(valeur, bool)


def _plus_longue_ligne(texte: str) -> int:
    return max((len(ligne) for ligne in texte.split("\n")), default=0)


_FORMAT_LITTERAL = re.compile(r'"([^"]*)"')


def _affiche(valeur: float, format_nombre: str) -> str:
    """``valeur`` about as ``format_nombre`` displays it (its length is what matters)."""
    section = format_nombre.split(";")[0]
    if section in ("General", ""):
        if isinstance(valeur, int):
            return str(valeur)
        return f"{valeur:.10g}"[:11]  # General shows what the column holds, about this
    litteraux = "".join(_FORMAT_LITTERAL.findall(section))
    code = _FORMAT_LITTERAL.sub("", section)
    decimales = len(code.split(".")[1].rstrip("%_ )").replace("#", "0")) if "." in code else 0
    if "%" in code:
        valeur *= 100
    milliers = "," if "," in code else ""
    signe = "+" if "+" in code else ""
    texte = f"{valeur:{signe}{milliers}.{decimales}f}"
    return texte + " " * code.count(" ") + litteraux + ("%" if "%" in code else "")


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
#: Every value one indent from its column's edge, text on the left and numbers on the
#: right: what keeps two cells apart on paper (a wrapped line may fill its cell).
_RETOUR_A_LA_LIGNE = Alignment(horizontal="left", indent=1, wrap_text=True, vertical="top")
_EN_HAUT = Alignment(horizontal="left", indent=1, vertical="top")
_NOMBRE = Alignment(horizontal="right", indent=1, vertical="top")
#: Widest column, in characters; longer text wraps.
LARGEUR_MAX = 60
#: A column whose text runs this long holds paragraphs (a letter, a reason), not names.
PARAGRAPHE = 100
#: How a table too wide for its page narrows, step by step: (where text wraps, where
#: paragraphs wrap, whether headers wrap). The first step is the natural width.
_ETAPES = ((LARGEUR_MAX, LARGEUR_MAX, False), (24, 40, False), (24, 40, True), (14, 24, True))
#: Narrowest a wrapped header makes its column (its words then break within).
LARGEUR_ENTETE_MIN = 5
#: Room around a cell's text, around a number (digits are all as wide as the unit), and
#: the indent of every value (in LibreOffice about 1.5 digits, within the room), in
#: characters.
MARGE_CELLULE = 1.5
MARGE_NOMBRE = 1
RETRAIT = 1
#: How much wider than regular text a bold header is.
GRAS = 1.1
#: Smallest print scale wanted: 11-point text prints at 7.7 points at least.
ECHELLE_MIN = 0.7
#: Side margins, in inches (one centimetre).
MARGE = 0.4
#: Widest content, in characters, a landscape page holds at ECHELLE_MIN; a portrait page
#: at ECHELLE_PORTRAIT (a table that narrow prints portrait).
_POINTS_PAR_CARACTERE = 7.0
_POINTS_IMPRIMABLES = (595.3 - 2 * 72 * MARGE, 841.9 - 2 * 72 * MARGE)
ECHELLE_PORTRAIT = 0.9
BUDGET_PORTRAIT = _POINTS_IMPRIMABLES[0] / (_POINTS_PAR_CARACTERE * ECHELLE_PORTRAIT)
BUDGET_PAYSAGE = _POINTS_IMPRIMABLES[1] / (_POINTS_PAR_CARACTERE * ECHELLE_MIN)
#: How full a page of a table several pages wide gets (a page ends between two columns).
REMPLISSAGE = 0.85


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
