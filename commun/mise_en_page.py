"""Laying tables out for print (:func:`mettre_en_page`): column widths from the values as
displayed, alignments, wrapped text, row heights and one page set-up, for every sheet that
:mod:`commun.classeur` writes.

Widths are in Excel's unit: the width of a digit of the workbook's default font (Calibri
11 pt: 5.25 pt). Where neither Calibri nor its metric twin Carlito is installed,
LibreOffice draws the same text in DejaVu Sans, whose digit is 7 pt wide: the page budget
is drawn for that widest case, so that the sheet prints at least at ECHELLE_MIN anywhere.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeGuard
from weakref import WeakKeyDictionary

from openpyxl import Workbook
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.styles import Alignment
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet


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


def mettre_en_page_ce_qui_attend(classeur: Workbook) -> None:
    """Lay out every table of ``classeur`` given to :func:`a_mettre_en_page`, sheet by
    sheet (their content is final: the workbook is being serialised)."""
    for feuille in classeur.worksheets:
        if feuille in _A_METTRE_EN_PAGE:
            blocs, minimums, paysage = _A_METTRE_EN_PAGE.pop(feuille)
            mettre_en_page(feuille, blocs, minimums, paysage)


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
    lus = [_Lu(feuille, bloc) for bloc in blocs]
    mesures = _mesurer(lus)
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
    _aligner(feuille, lus, dict(zip(colonnes, largeurs, strict=True)))
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


class _Lu:
    """The cells of a table, fetched once: its header cells, its rows of cells and each
    column's values (the layout asks several questions of every cell)."""

    def __init__(self, feuille: Worksheet, bloc: Bloc) -> None:
        self.bloc = bloc
        numeros = range(1, bloc.colonnes + 1)
        self.entetes = [feuille.cell(bloc.entete, c) for c in numeros]
        self.lignes = [[feuille.cell(n, c) for c in numeros]
                       for n in range(bloc.entete + 1, bloc.fin + 1)]
        self.valeurs = [[ligne[c - 1].value for ligne in self.lignes] for c in numeros]


def _mesurer(lus: list[_Lu]) -> dict[int, _Mesure]:
    mesures: dict[int, _Mesure] = {}
    for lu in lus:
        for colonne, entete_cellule in enumerate(lu.entetes, start=1):
            mesure = mesures.setdefault(colonne, _Mesure())
            entete = str(entete_cellule.value or "")
            mesure.entete = max(mesure.entete, _plus_longue_ligne(entete) * GRAS)
            mesure.mot = max([mesure.mot, *(len(m) * GRAS for m in entete.split())])
            for ligne, valeur in zip(lu.lignes, lu.valeurs[colonne - 1], strict=True):
                if _est_nombre(valeur):
                    affiche = _affiche(valeur, ligne[colonne - 1].number_format)
                    mesure.nombre = max(mesure.nombre, len(affiche))
                elif valeur is not None:
                    mesure.texte = max(mesure.texte, _plus_longue_ligne(str(valeur)))
    return mesures


def _aligner(feuille: Worksheet, lus: list[_Lu], largeurs: Mapping[int, float]) -> None:
    """Numbers right-aligned, text left-aligned (both indented), text wrapped where it is
    wider than its column, headers aligned like their column, every row as tall as its
    wrapped lines."""
    poser = _Alignements()
    for lu in lus:
        bloc = lu.bloc
        numeriques = set()
        for colonne, valeurs in enumerate(lu.valeurs, start=1):
            presentes = [v for v in valeurs if v is not None]
            if presentes and all(_est_nombre(v) for v in presentes):
                numeriques.add(colonne)
        hauteur_entete = 1
        for colonne, cellule in enumerate(lu.entetes, start=1):
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
        enroulees = {c for c, valeurs in enumerate(lu.valeurs, start=1)
                     if c not in numeriques and any(
                         _plus_longue_ligne(str(v or "")) > largeurs[c] - RETRAIT - 1
                         for v in valeurs)}
        for numero, ligne in enumerate(lu.lignes, start=bloc.entete + 1):
            lignes = 1
            for colonne, cellule in enumerate(ligne, start=1):
                valeur = cellule.value
                if _est_nombre(valeur):
                    poser(cellule, _NOMBRE)
                elif colonne in enroulees:
                    poser(cellule, _RETOUR_A_LA_LIGNE)
                    lignes = max(lignes, lignes_enroulees(str(valeur or ""),
                                                          largeurs[colonne] - RETRAIT))
                else:
                    poser(cellule, _EN_HAUT)
            if lignes > 1:
                feuille.row_dimensions[numero].height = HAUTEUR_LIGNE * lignes


class _Alignements:
    """Sets one of a few alignments on thousands of cells. openpyxl's setter hashes the
    Alignment on every call (most of the layout's time); here the first cell that gets an
    alignment goes through it, which registers the alignment in the workbook as before, and
    the others get the index it was given: the same styles, in the same order. (A cell's
    style is openpyxl's ``_style``, an array of such indices, not in its type stubs.)"""

    def __init__(self) -> None:
        self.index: dict[int, int] = {}

    def __call__(self, cellule: Cell | MergedCell, alignement: Alignment) -> None:
        brute: Any = cellule
        index = self.index.get(id(alignement))
        if index is None:
            cellule.alignment = alignement
            self.index[id(alignement)] = brute._style.alignmentId
            return
        if brute._style is None:
            brute._style = StyleArray()
        brute._style.alignmentId = index


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
    if "\n" not in texte:
        return len(texte)
    return max(len(ligne) for ligne in texte.split("\n"))


def _affiche(valeur: float, format_nombre: str) -> str:
    """``valeur`` about as ``format_nombre`` displays it (its length is what matters)."""
    lecture = _lire_format(format_nombre)
    if lecture is None:
        if isinstance(valeur, int):
            return str(valeur)
        return f"{valeur:.10g}"[:11]  # General shows what the column holds, about this
    pourcent, specification, suffixe = lecture
    if pourcent:
        valeur *= 100
    return f"{valeur:{specification}}" + suffixe


_FORMAT_LITTERAL = re.compile(r'"([^"]*)"')


@lru_cache(maxsize=256)
def _lire_format(format_nombre: str) -> tuple[bool, str, str] | None:
    """What :func:`_affiche` needs of a number format, read once per format: whether it
    shows a percentage, the Python format of its digits and the text after them (None:
    General)."""
    section = format_nombre.split(";")[0]
    if section in ("General", ""):
        return None
    litteraux = "".join(_FORMAT_LITTERAL.findall(section))
    code = _FORMAT_LITTERAL.sub("", section)
    decimales = len(code.split(".")[1].rstrip("%_ )").replace("#", "0")) if "." in code else 0
    milliers = "," if "," in code else ""
    signe = "+" if "+" in code else ""
    pourcent = "%" in code
    return (pourcent, f"{signe}{milliers}.{decimales}f",
            " " * code.count(" ") + litteraux + ("%" if pourcent else ""))


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
