"""Saving a workbook with each sheet's cells written as plain text.

openpyxl builds one XML element per cell and serialises it through et_xmlfile, which costs
several times what writing the same ``<c>`` as a string does: the hard wave's allocation
workbook (8,000 cells) took 68 ms of CPU to save, 19 ms with its cells written here.
:func:`enregistrer` has openpyxl write everything but the cells, and writes each sheet's
``<sheetData>`` itself, byte for byte as openpyxl writes it (tests/test_feuilles_xml.py
compares the two on drawn workbooks, openpyxl's ``Workbook.save`` as the reference).

What is mirrored, from openpyxl 3.1.5 with et_xmlfile 2.0 (no lxml):

- ``openpyxl.worksheet._writer.WorksheetWriter.rows`` and ``.write_row``: cells in (row,
  column) order, rows that only have a dimension (height…) written empty, a cell without
  value nor style left out;
- ``openpyxl.cell._writer._set_attributes`` and ``etree_write_cell``: attributes r, s, t
  in that order; text as an inline string, ``xml:space="preserve"`` when it has
  surrounding spaces around something else; numbers through ``openpyxl.compat.safe_string``
  (``%.16g``, nothing for NaN and infinities); dates as Excel serials;
- et_xmlfile's serialisation: ``&``, ``<`` and ``>`` escaped in text, an element without
  content closed as ``<x />``, UTF-8 with a character reference for what UTF-8 cannot
  encode (a lone surrogate).

A sheet holding anything else (a formula, rich text, a hyperlink, a comment, a date with a
time zone, a cell of another class) is written by openpyxl's own writer, as is the whole
workbook when openpyxl serialises with lxml (other bytes) or when text files end lines
with something else than ``\\n`` (openpyxl writes sheets through a text file there).

openpyxl internals relied on (not its public API; as they are in 3.1.5): ``ExcelWriter``
and its ``write_worksheet``, ``WorksheetWriter`` and its ``rows``, a cell's ``_value``,
``_style``, ``_hyperlink`` and ``_comment``, a sheet's ``_cells``, the workbook's
``_cell_styles``. A version of openpyxl that writes otherwise fails tests/test_feuilles_xml.py;
none is pinned.
"""

from __future__ import annotations

import io
import os
import zipfile
from datetime import UTC, datetime, timedelta
from math import isfinite
from typing import IO, Any

import openpyxl
from openpyxl import Workbook
from openpyxl.cell import _writer as cell_writer
from openpyxl.cell.cell import Cell, MergedCell
from openpyxl.compat import safe_string
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel, to_ISO8601
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.writer.excel import ExcelWriter

#: The conditions under which the text written here is openpyxl's, byte for byte.
POSSIBLE = (not openpyxl.LXML and cell_writer.write_cell is cell_writer.etree_write_cell
            and os.linesep == "\n")

_VIDE = b"<sheetData></sheetData>"


def enregistrer(workbook: Workbook, fichier: IO[bytes]) -> None:
    """Write ``workbook`` as xlsx to ``fichier``, as ``Workbook.save`` does (mirrors
    ``openpyxl.writer.excel.save_workbook``), each sheet's cells written as text.

    The zip is stored uncompressed: :func:`commun.classeur.workbook_bytes` compresses
    every part again when it pins their dates."""
    if not POSSIBLE or workbook.read_only or workbook.write_only:
        workbook.save(fichier)
        return
    # closed here even when openpyxl refuses a value half-way (ExcelWriter.save closes it)
    with zipfile.ZipFile(fichier, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        workbook.properties.modified = datetime.now(tz=UTC).replace(tzinfo=None)
        _Classeur(workbook, archive).save()


class _Classeur(ExcelWriter):
    """openpyxl's writer of a whole workbook, sheets written by :class:`_Feuille`."""

    def __init__(self, workbook: Workbook, archive: zipfile.ZipFile) -> None:
        super().__init__(workbook, archive)
        self._archive: zipfile.ZipFile  # openpyxl's, not in its type stubs
        # a style's index, by its bytes, for every sheet of the workbook (the indices of
        # the workbook's list of styles never change once given)
        self.styles: dict[bytes, str | None] = {}

    def write_worksheet(self, ws: Any) -> None:
        # ExcelWriter.write_worksheet (3.1.5), written to memory rather than a temporary
        # file (same text: UTF-8, character references, "\n" kept)
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        writer = _Feuille(ws, self.styles)
        try:
            writer.write()
        finally:  # a value openpyxl refuses: its stream closed now, not by the collector
            writer.close()
        ws._rels = writer._rels
        self._archive.writestr(ws.path[1:], writer.contenu())
        self.manifest.append(ws)


class _Feuille(WorksheetWriter):
    """openpyxl's writer of a sheet, its cells left to :func:`donnees_feuille`: openpyxl
    writes an empty ``<sheetData>`` in their place, which the text replaces."""

    def __init__(self, ws: Any, styles: dict[bytes, str | None]) -> None:
        super().__init__(ws, io.BytesIO())
        self._rels: Any  # openpyxl's, not in its type stubs
        self.styles = styles
        self.donnees: str | None = None

    def rows(self) -> list[tuple[int, list[Any]]]:
        # called by write_rows, between the parts before the cells and those after: the
        # styles the cells bring are numbered in the same order as openpyxl numbers them
        self.donnees = donnees_feuille(self.ws, self.styles)
        if self.donnees is None:
            return super().rows()
        return []

    def contenu(self) -> bytes:
        xml: bytes = self.read()
        if self.donnees is None:
            return xml
        # the first <sheetData> is the cells' place: what precedes it is the sheet's
        # properties, views and columns, where no text can hold an unescaped "<"
        debut = xml.index(_VIDE)
        return b"".join((xml[:debut], b"<sheetData>",
                         self.donnees.encode("utf-8", "xmlcharrefreplace"), b"</sheetData>",
                         xml[debut + len(_VIDE):]))


def _pris_en_charge(ws: Any) -> bool:
    """Whether every cell of ``ws`` is of a kind :func:`donnees_feuille` writes as
    openpyxl does (checked before writing anything: writing numbers the styles)."""
    for cellule in ws._cells.values():
        genre = type(cellule)
        if genre is MergedCell:
            continue
        if genre is not Cell or cellule._hyperlink is not None or cellule._comment is not None:
            return False
        sorte = cellule.data_type
        valeur = cellule._value
        if sorte == "f" or (sorte == "s" and valeur is not None and type(valeur) is not str):
            return False
        if sorte == "d" and getattr(valeur, "tzinfo", None) is not None:
            return False  # openpyxl refuses it: let it say so
    return True


def _texte(valeur: str) -> str:
    # xml.etree.ElementTree._escape_cdata
    if "&" in valeur:
        valeur = valeur.replace("&", "&amp;")
    if "<" in valeur:
        valeur = valeur.replace("<", "&lt;")
    if ">" in valeur:
        valeur = valeur.replace(">", "&gt;")
    return valeur


def donnees_feuille(ws: Any, styles: dict[bytes, str | None]) -> str | None:
    """The content of ``ws``'s ``<sheetData>`` as openpyxl writes it, or None when a cell
    is of a kind written by openpyxl only (:func:`_pris_en_charge`).

    ``styles``: a style array's bytes → its ' s="…"' attribute ('' for no style), shared
    by the sheets of one save; a style met for the first time is added to the workbook's
    list of styles, in the order openpyxl's writer adds them."""
    if not _pris_en_charge(ws):
        return None
    cellules = ws._cells
    lignes: dict[int, list[Any]] = {}
    for cle in sorted(cellules):
        ligne = lignes.get(cle[0])
        if ligne is None:
            lignes[cle[0]] = [cellules[cle]]
        else:
            ligne.append(cellules[cle])
    dimensions = ws.row_dimensions
    for numero in dimensions.keys() - lignes.keys():
        lignes[numero] = []
    classeur = ws.parent
    liste_styles = classeur._cell_styles
    lettres: dict[int, str] = {}
    morceaux: list[str] = []
    ajouter = morceaux.append
    for numero, ligne in sorted(lignes.items()):
        attributs = {"r": f"{numero}"}
        # RowDimension's own iteration, which numbers the row's style as openpyxl does; its
        # values are numbers and booleans, nothing to escape
        attributs.update(dimensions.get(numero, {}))
        ajouter("<row" + "".join([f' {k}="{v}"' for k, v in attributs.items()]) + ">")
        for cellule in ligne:
            valeur = cellule._value
            style = cellule._style
            if style is None:
                s = ""
            else:
                octets = style.tobytes()
                s = styles.get(octets)  # type: ignore[assignment]
                if s is None:
                    s = f' s="{liste_styles.add(style)}"' if any(style) else ""
                    styles[octets] = s
            if valeur is None and not s:
                continue
            colonne = cellule.column
            lettre = lettres.get(colonne)
            if lettre is None:
                lettre = lettres[colonne] = get_column_letter(colonne)
            ref = f"{lettre}{cellule.row}"  # Cell.coordinate
            sorte = cellule.data_type
            if sorte == "s":
                if not valeur:  # None or ""
                    ajouter(f'<c r="{ref}"{s} t="inlineStr" />')
                    continue
                nu = valeur.strip()
                espace = ' xml:space="preserve"' if nu and valeur != nu else ""
                ajouter(f'<c r="{ref}"{s} t="inlineStr"><is><t{espace}>'
                        f"{_texte(valeur)}</t></is></c>")
                continue
            genre = type(valeur)
            if genre is float:
                v = "%.16g" % valeur if isfinite(valeur) else ""  # noqa: UP031 (safe_string)
            elif genre is int:
                v = "%.16g" % valeur  # noqa: UP031 (safe_string)
            else:
                if sorte == "d":
                    valeur, sorte = _date(valeur, classeur)
                if valeur is None or valeur == "":
                    ajouter(f'<c r="{ref}"{s} t="{sorte}" />')
                    continue
                v = _texte(safe_string(valeur))
            ajouter(f'<c r="{ref}"{s} t="{sorte}"><v>{v}</v></c>' if v
                    else f'<c r="{ref}"{s} t="{sorte}"><v /></c>')
        ajouter("</row>")
    return "".join(morceaux)


def _date(valeur: Any, classeur: Any) -> tuple[Any, str]:
    # openpyxl.cell._writer._set_attributes: ISO text when the workbook asks for it,
    # else an Excel serial number
    if classeur.iso_dates and not isinstance(valeur, timedelta):
        return to_ISO8601(valeur), "d"
    return to_excel(valeur, classeur.epoch), "n"

