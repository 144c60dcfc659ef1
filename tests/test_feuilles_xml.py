"""The sheets' cells written as text (commun.feuilles_xml) against openpyxl's own
``Workbook.save``, the reference: the same workbook, drawn by hypothesis with every kind of
value a cell can hold, must give the same bytes either way; and a sheet holding what the
text writer does not handle goes through openpyxl's writer."""

from __future__ import annotations

import datetime as dt
import gc
import io
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from commun import classeur, feuilles_xml
from commun.classeur import texte_sur, workbook_bytes
from tests.test_mise_en_page import _classeurs, _ecrire


def _openpyxl(livre: Workbook, fichier: Any) -> None:
    livre.save(fichier)


def _reference(construire: Any) -> bytes:
    """The bytes of today's writing: workbook_bytes with openpyxl's Workbook.save."""
    with mock.patch.object(classeur, "enregistrer", _openpyxl):
        return workbook_bytes(construire())


@contextmanager
def _feuilles_ecrites() -> Iterator[dict[str, bool]]:
    """Sheet title → whether its cells were written as text (False: by openpyxl)."""
    vues: dict[str, bool] = {}
    ecrire = feuilles_xml.donnees_feuille

    def espion(ws: Any, styles: dict[bytes, str | None]) -> str | None:
        donnees = ecrire(ws, styles)
        vues[ws.title] = donnees is not None
        return donnees

    with mock.patch.object(feuilles_xml, "donnees_feuille", espion):
        yield vues


# --- Workbooks drawn by hypothesis ------------------------------------------------------

_TEXTES_DIFFICILES = [
    "", " ", "  ", "a", " a", "a ", " a ", "\ta", "a\n", "\na\n", "\xa0a", "a\u2009",
    "a & b", "<b>x</b>", "a > b < c", "]]>", "\"guillemets\" et 'apostrophes'", "&amp;",
    "=SOMME(A1:A3)", "+33 1 23", "-3", "@a", "\r\nx", "#N/A", "#DIV/0!", "ligne\r\nligne",
    "a\x0bb", "\x00", "é€😀", "\ud800", "x" * 40_000, "mot " * 3000,
]
_TEXTES = st.one_of(st.text(max_size=40), st.sampled_from(_TEXTES_DIFFICILES))
_NOMBRES = st.one_of(
    st.floats(), st.integers(-(2**80), 2**80),
    st.sampled_from([0.0, -0.0, 5e-324, 1e-300, 1.7976931348623157e308, 0.1 + 0.2,
                     float("nan"), float("inf"), -float("inf"), 2**53 + 1, -(2**63), 10**300,
                     1e16, 123456789012345.67]),
    st.floats(width=32).map(np.float32), st.integers(-(2**63), 2**63 - 1).map(np.int64),
    st.floats().map(np.float64), st.booleans().map(np.bool_),
    st.sampled_from([Decimal("1.10"), Decimal("-0"), Decimal("NaN"), Decimal("1e-30")]),
)
_DATES = st.one_of(st.datetimes(min_value=dt.datetime(1899, 12, 1)), st.dates(), st.times(),
                   st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=999)))
#: (how the value is put in the cell, the value)
_VALEURS = st.one_of(
    st.tuples(st.just("texte_sur"), _TEXTES),
    st.tuples(st.just("brut"), _TEXTES.map(lambda t: ILLEGAL_CHARACTERS_RE.sub("", t))
              .filter(lambda t: not (len(t) > 1 and t.startswith("=")))),
    st.tuples(st.just("brut"), _NOMBRES | _DATES | st.booleans() | st.none()),
    st.tuples(st.just("type"), st.sampled_from([("n", "12"), ("e", "#REF!"), ("s", None),
                                                ("n", ""), ("b", False), ("str", "a<b")])),
)
_STYLES = st.sampled_from(["aucun", "gras", "fond", "format", "aligne", "guillemet", "tout"])


def _styler(cellule: Any, style: str) -> None:
    if style in ("gras", "tout"):
        cellule.font = Font(bold=True, size=12)
    if style in ("fond", "tout"):
        cellule.fill = PatternFill("solid", start_color="C6EFCE")
    if style in ("format", "tout"):
        cellule.number_format = '#,##0.00 "€"'
    if style in ("aligne", "tout"):
        cellule.alignment = Alignment(horizontal="right", indent=1, wrap_text=True)
    if style == "guillemet":
        cellule.quotePrefix = True


_CELLULES = st.lists(st.tuples(st.integers(1, 30), st.integers(1, 30), _VALEURS, _STYLES),
                     max_size=40)
_FEUILLES = st.fixed_dictionaries({
    "cellules": _CELLULES,
    "hauteurs": st.dictionaries(st.integers(1, 35), st.sampled_from([None, 15.0, 30.5, 120])),
    "cachees": st.lists(st.integers(1, 35), max_size=3),
    "largeurs": st.dictionaries(st.integers(1, 30), st.floats(1, 80), max_size=4),
    # styles of whole rows and columns: numbered before, or among, the cells' own
    "lignes_stylees": st.lists(st.integers(1, 35), max_size=2),
    "colonnes_stylees": st.lists(st.integers(1, 30), max_size=2),
    "fusions": st.lists(st.tuples(st.integers(1, 30), st.integers(1, 30), st.integers(0, 2),
                                  st.integers(0, 2), st.booleans()), max_size=2),
})
_CLASSEURS = st.fixed_dictionaries({
    "feuilles": st.lists(_FEUILLES, min_size=1, max_size=3),
    "iso": st.booleans(), "epoque_1904": st.booleans(),
})


def _construire(modele: dict[str, Any]) -> Workbook:
    livre = Workbook(iso_dates=modele["iso"])
    livre.remove(livre.active)  # type: ignore[arg-type]
    if modele["epoque_1904"]:
        livre.epoch = dt.datetime(1904, 1, 1)
    for numero, donnees in enumerate(modele["feuilles"]):
        feuille = livre.create_sheet(f"f{numero}")
        for ligne, colonne, (maniere, valeur), style in donnees["cellules"]:
            cellule: Any = feuille.cell(ligne, colonne)
            if maniere == "texte_sur":
                texte_sur(cellule, valeur)
            elif maniere == "brut":
                cellule.value = valeur
            else:
                cellule.data_type, cellule._value = valeur
            _styler(cellule, style)
        for ligne, hauteur in donnees["hauteurs"].items():
            feuille.row_dimensions[ligne].height = hauteur
        for ligne in donnees["cachees"]:
            feuille.row_dimensions[ligne].hidden = True
        for colonne, largeur in donnees["largeurs"].items():
            feuille.column_dimensions[get_column_letter(colonne)].width = largeur
        for ligne in donnees["lignes_stylees"]:
            feuille.row_dimensions[ligne].fill = PatternFill("solid", start_color="F8CBAD")
        for colonne in donnees["colonnes_stylees"]:
            feuille.column_dimensions[get_column_letter(colonne)].font = Font(italic=True)
        for ligne, colonne, bas, droite, bordee in donnees["fusions"]:
            if bordee:  # the merged cells take the border: styled cells without a value
                feuille.cell(ligne, colonne).border = Border(*[Side("thin")] * 4)
            if bas or droite:
                feuille.merge_cells(start_row=ligne, start_column=colonne,
                                    end_row=ligne + bas, end_column=colonne + droite)
    return livre


@settings(max_examples=100)
@given(_CLASSEURS)
def test_cells_are_written_as_openpyxl_writes_them(modele: dict[str, Any]) -> None:
    """Text (XML's special characters, surrounding spaces, control characters, a lone
    surrogate, 40,000 characters), numbers (NaN, infinities, -0, the largest and the
    smallest floats, integers beyond 2^53, numpy's and Decimal's), booleans, dates in both
    epochs or as ISO text, empty cells with a style, rows with a height and no cell,
    styled rows and columns, merged cells: the same bytes as openpyxl's, each sheet
    written as text."""
    with _feuilles_ecrites() as vues:
        rapide = workbook_bytes(_construire(modele))
    assert rapide == _reference(lambda: _construire(modele))
    assert vues == {f"f{n}": True for n in range(len(modele["feuilles"]))}


@pytest.mark.parametrize("iso", [False, True])
@pytest.mark.parametrize("epoque_1904", [False, True])
def test_dates_are_written_as_openpyxl_writes_them(iso: bool, epoque_1904: bool) -> None:
    """Serial numbers in both epochs (before 1 March 1900 too, where Excel counts a 29
    February that never was) or ISO text; durations stay numbers either way."""
    valeurs = [dt.datetime(2024, 2, 29, 13, 45, 7, 250), dt.date(1900, 2, 28),
               dt.date(1900, 3, 1), dt.time(23, 59, 59, 999999), dt.timedelta(days=3, hours=2),
               dt.datetime(1899, 12, 31)]
    modele = {"iso": iso, "epoque_1904": epoque_1904, "feuilles": [{
        "cellules": [(n, 1, ("brut", v), "aucun") for n, v in enumerate(valeurs, start=1)],
        "hauteurs": {}, "cachees": [], "largeurs": {}, "lignes_stylees": [],
        "colonnes_stylees": [], "fusions": []}]}
    with _feuilles_ecrites() as vues:
        rapide = workbook_bytes(_construire(modele))
    assert rapide == _reference(lambda: _construire(modele))
    assert vues == {"f0": True}


@settings(max_examples=40)
@given(_classeurs())
def test_the_projects_tables_are_written_as_openpyxl_writes_them(
        feuilles: list[tuple]) -> None:
    """The tables of every workbook the project writes (ecrire_table, ajouter_table, their
    layout), as drawn by test_mise_en_page."""
    with _feuilles_ecrites() as vues:
        rapide = _ecrire(feuilles)
    with mock.patch.object(classeur, "enregistrer", _openpyxl):
        assert rapide == _ecrire(feuilles)
    assert set(vues.values()) == {True}


# --- What goes through openpyxl's writer ------------------------------------------------


def _formule(cellule: Any) -> None:
    cellule.value = "=SUM(A1:A3)"


def _lien(cellule: Any) -> None:
    cellule.value = "site"
    cellule.hyperlink = "https://example.org/?a=1&b=2"


def _commentaire(cellule: Any) -> None:
    cellule.value = 3
    cellule.comment = Comment("une note", "fabriques")


def _texte_riche(cellule: Any) -> None:
    cellule.value = CellRichText("a ", TextBlock(InlineFont(b=True), "gras"))


@pytest.mark.parametrize("garnir", [_formule, _lien, _commentaire, _texte_riche])
def test_a_sheet_with_what_text_does_not_handle_is_written_by_openpyxl(garnir: Any) -> None:
    def construire() -> Workbook:
        livre = Workbook()
        simple = livre.active
        assert simple is not None
        simple.title = "simple"
        texte_sur(simple.cell(1, 1), " libellé ")
        simple.cell(2, 1).value = 2.5
        simple.cell(2, 1).font = Font(bold=True)
        autre = livre.create_sheet("autre")
        autre.cell(1, 1).value = 1.5
        autre.cell(1, 2).fill = PatternFill("solid", start_color="DDE4EE")
        garnir(autre.cell(3, 2))
        texte_sur(autre.cell(4, 1), "après")
        autre.cell(4, 1).font = Font(italic=True)
        return livre

    with _feuilles_ecrites() as vues:
        rapide = workbook_bytes(construire())
    assert vues == {"simple": True, "autre": False}
    assert rapide == _reference(construire)


# openpyxl leaves its zip open when it refuses the value: it is closed (by the collector,
# here) on a file already gone
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_date_with_a_time_zone_is_refused_as_openpyxl_refuses_it() -> None:
    def construire() -> Workbook:
        livre = Workbook()
        feuille = livre.active
        assert feuille is not None
        feuille.cell(1, 1).value = dt.datetime(2024, 5, 1, 12, tzinfo=dt.UTC)
        return livre

    with pytest.raises(TypeError) as attendue:
        _reference(construire)
    with _feuilles_ecrites() as vues, pytest.raises(TypeError) as obtenue:
        workbook_bytes(construire())
    assert str(obtenue.value) == str(attendue.value)
    assert vues == {"Sheet": False}
    del attendue
    gc.collect()


def test_without_the_conditions_the_whole_workbook_is_openpyxls() -> None:
    """With lxml, or where text files end lines otherwise, openpyxl's bytes differ from
    the text's: Workbook.save writes everything."""
    def construire() -> Workbook:
        livre = Workbook()
        feuille = livre.active
        assert feuille is not None
        texte_sur(feuille.cell(1, 1), "a\nb")
        return livre

    with (mock.patch.object(feuilles_xml, "POSSIBLE", False),
          mock.patch.object(Workbook, "save", autospec=True, side_effect=Workbook.save) as save,
          _feuilles_ecrites() as vues):
        rapide = workbook_bytes(construire())
    assert save.call_count == 1 and vues == {}
    assert rapide == _reference(construire)


def test_the_stored_zip_is_read_back_whole() -> None:
    """The uncompressed zip workbook_bytes reads holds every part openpyxl writes."""
    livre = Workbook()
    brut = io.BytesIO()
    feuilles_xml.enregistrer(livre, brut)
    attendu = io.BytesIO()
    Workbook().save(attendu)
    with zipfile.ZipFile(brut) as a, zipfile.ZipFile(attendu) as b:
        assert a.namelist() == b.namelist()
        assert {i.compress_type for i in a.infolist()} == {zipfile.ZIP_STORED}
