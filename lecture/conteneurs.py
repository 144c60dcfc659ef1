"""Reading the containers a wave arrives in — xlsx workbooks (inspected as zips first:
bounded, no XML entities), csv files — into raw sheets. Validating what the sheets say is
:mod:`lecture.vague`'s job; nothing here knows a column.

Every container is bounded, and the bounds are written once here: what a zip may unpack to
(workbooks and uploaded archives alike), the size of a CSV or text file, the rows of a
sheet.
"""

from __future__ import annotations

import csv
import gc
import io
import os
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from commun.constats import Constat, Constats
from commun.francais import entier
from lecture import valeurs

# --------------------------------------------------------------------------- raw sheets


@dataclass
class Feuille:
    """A sheet as read: its rows with their Excel row numbers, empty rows left out."""

    fichier: str
    nom: str
    lignes: list[tuple[int, tuple[Any, ...]]]
    #: For a sheet translated to SPEC columns (a démarches-simplifiées export): SPEC column →
    #: the header as the file writes it, « Commune du lieu », so that findings name it.
    intitules: dict[str, str] = field(default_factory=dict)


#: Bounds on what one workbook may unpack to (a zip bomb is refused before reading).
TAILLE_MAX_DECOMPRESSEE = 100 * 1024 * 1024
ENTREES_MAX = 5_000
#: Columns read per sheet, and empty rows after which the rest of a sheet is not read.
COLONNES_MAX = 200
LIGNES_VIDES_MAX = 5_000
#: Rows of data a sheet or a CSV file may hold (a long ``notes`` sheet of 500 dossiers read
#: by 10 jurors on 6 criteria holds 30 000), and bytes a CSV or text file may weigh.
LIGNES_MAX = 50_000
#: Cells of a sheet's box (last row × last column), and cells written, checked in its XML
#: before calamine builds the sheet's dense range: one cell at XFD1048576 would ask for
#: hundreds of gigabytes and abort the process. Measured with calamine's ``to_python``:
#: 6 million cells (F1000000, a stray value far down a grid) peak at 340 MB and are read
#: (the empty rows are then cut, ``feuille_tronquee``); 16 million (P1048576) at 750 MB.
ETENDUE_CELLULES_MAX = 2**23
TAILLE_MAX_TEXTE = 20 * 1024 * 1024


def _trop_de_lignes(constats: Constats, affichage: str, feuille: str | None = None) -> None:
    constats.signaler("fichier_trop_volumineux", f"plus de {LIGNES_MAX} lignes de données : "
                      "le fichier n'a pas été lu (une vague en a quelques centaines)",
                      fichier=affichage, feuille=feuille)


def lire_texte(chemin: Path, affichage: str, constats: Constats) -> bytes | None:
    """The bytes of a CSV or text file, or None after recording why not (absent, or beyond
    :data:`TAILLE_MAX_TEXTE`)."""
    try:
        with chemin.open("rb") as flux:
            brut = flux.read(TAILLE_MAX_TEXTE + 1)
    except OSError:
        constats.signaler("fichier_illisible", "fichier illisible", fichier=affichage)
        return None
    if len(brut) > TAILLE_MAX_TEXTE:
        constats.signaler("fichier_trop_volumineux", f"fichier de plus de "
                          f"{TAILLE_MAX_TEXTE // 1_000_000} Mo : il n'a pas été lu",
                          fichier=affichage)
        return None
    return brut


@dataclass(frozen=True)
class ClasseurLu:
    """What reading one workbook gave: its sheets (None when it could not be read), the
    findings reading it recorded, and what a reader of its cells cannot see — whether it
    holds formulas (the cells give their last computed values, not the formula's text) and
    which sheets are wider than :data:`COLONNES_MAX` (their rows are cut there)."""

    feuilles: dict[str, Feuille] | None
    constats: tuple[Constat, ...] = ()
    formules: bool = False
    larges: frozenset[str] = frozenset()


#: The workbooks read in the current :func:`lecture_unique` block: (the file's path and
#: identity on disk, its name in findings) → what reading it gave.
_LUS: ContextVar[dict[tuple[Any, ...], ClasseurLu] | None] = ContextVar("classeurs_lus",
                                                                        default=None)


@contextmanager
def lecture_unique() -> Iterator[None]:
    """Within the block, each workbook is read once however many readers ask for it (the
    registry's kind, an assignment's sheet names, the history and its anchors): every
    later :func:`lire_classeur` of it gives the same sheets and records the same findings
    as the first. A file replaced meanwhile (another inode, size or date) is read again.
    Blocks nest: an inner one shares the outer one's workbooks.

    The cyclic garbage collector is paused for the block: reading a wave builds tens of
    thousands of small objects (cells, rows, notes) that all live until the wave is built,
    and the collector would walk them over and over (a fifth of the reading's time on a
    260-dossier wave). Reference counting still frees what is dropped; the collector is
    switched back on after (unless something else had switched it off)."""
    if _LUS.get() is not None:
        yield
        return
    jeton = _LUS.set({})
    collecte = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecte:
            gc.enable()
        _LUS.reset(jeton)


def classeur_lu(chemin: Path, affichage: str) -> ClasseurLu:
    """What :func:`lire_classeur` gives for this workbook, findings kept aside (they are
    recorded by the call that reads it for good); read once in a :func:`lecture_unique`
    block."""
    lus = _LUS.get()
    if lus is None:
        return _lire_classeur(chemin, affichage)
    try:
        etat = chemin.stat()
    except OSError:  # absent: nothing to share, and said by the reader
        return _lire_classeur(chemin, affichage)
    cle = (os.path.abspath(chemin), etat.st_dev, etat.st_ino, etat.st_size,
           etat.st_mtime_ns, affichage)
    lu = lus.get(cle)
    if lu is None:
        lu = lus[cle] = _lire_classeur(chemin, affichage)
    return lu


def lire_classeur(chemin: Path, affichage: str, constats: Constats) -> dict[str, Feuille] | None:
    """Every sheet of an xlsx workbook, or None after recording why it cannot be read.

    The cells are read with calamine (Rust; about 20 times faster than openpyxl here), the
    last computed value of a formula included. Hostile files give findings, not crashes:
    before anything is parsed, the archive is inspected — refused when it would unpack beyond
    :data:`TAILLE_MAX_DECOMPRESSEE`, or when its XML declares entities (billion laughs);
    a sheet stops being read after :data:`LIGNES_VIDES_MAX` empty rows in a row and beyond
    :data:`COLONNES_MAX` columns (with a warning); hidden sheets and formulas are reported.
    In a :func:`lecture_unique` block, a workbook already read is not read again.
    """
    lu = classeur_lu(chemin, affichage)
    constats.etendre(lu.constats)
    return None if lu.feuilles is None else dict(lu.feuilles)


def _lire_classeur(chemin: Path, affichage: str) -> ClasseurLu:
    """One reading of a workbook, its findings kept with it."""
    constats = Constats()
    feuilles = _feuilles(chemin, affichage, constats)
    return ClasseurLu(feuilles[0] if feuilles else None, tuple(constats),
                      *(feuilles[1:] if feuilles else ()))


def _feuilles(chemin: Path, affichage: str, constats: Constats
              ) -> tuple[dict[str, Feuille], bool, frozenset[str]] | None:
    """:func:`lire_classeur`'s work: the sheets, whether the workbook holds formulas, the
    sheets cut at :data:`COLONNES_MAX`."""
    from python_calamine import CalamineError, CalamineWorkbook, SheetVisibleEnum

    if not chemin.is_file():
        constats.signaler("fichier_introuvable", "fichier introuvable", fichier=affichage)
        return None
    suffixe = chemin.suffix.lower()
    if suffixe in {".xls", ".ods", ".xlsb", ".numbers"}:
        constats.signaler(
            "format_non_pris_en_charge",
            f"format {suffixe} non pris en charge : enregistrez le classeur au format .xlsx",
            fichier=affichage,
        )
        return None
    illisible = ("ce fichier n'est pas un classeur .xlsx lisible (protégé par mot de passe, "
                 "abîmé, ou d'un autre format) : ouvrez-le dans Excel et enregistrez-le en .xlsx")
    try:
        with zipfile.ZipFile(chemin) as archive:
            entrees = archive.infolist()
            taille = sum(e.file_size for e in entrees)
            if len(entrees) > ENTREES_MAX or taille > TAILLE_MAX_DECOMPRESSEE:
                constats.signaler(
                    "classeur_trop_volumineux",
                    f"le classeur se décompresse en {taille // 1_000_000} Mo et "
                    f"{len(entrees)} fichiers (limite : {TAILLE_MAX_DECOMPRESSEE // 1_000_000} "
                    f"Mo, {ENTREES_MAX} fichiers) : il n'a pas été lu", fichier=affichage)
                return None
            dangereux, formules, etendue = _inspecter(archive)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        constats.signaler("fichier_illisible", illisible, fichier=affichage)
        return None
    if etendue.cases > ETENDUE_CELLULES_MAX:
        constats.signaler(
            "classeur_trop_volumineux",
            f"une feuille s'étend jusqu'à la ligne {entier(etendue.lignes)} et la colonne "
            f"{entier(etendue.colonnes)}, soit {entier(etendue.cases)} cases (au plus "
            f"{entier(ETENDUE_CELLULES_MAX)}) : le classeur n'a pas été lu ; effacez les "
            "cellules lointaines (Ctrl+Fin montre la dernière)", fichier=affichage)
        return None
    if dangereux:
        constats.signaler("classeur_dangereux", "le classeur contient des constructions XML "
                          "interdites (déclarations d'entités) : il n'a pas été lu",
                          fichier=affichage)
        return None
    try:
        classeur = CalamineWorkbook.from_path(str(chemin))
        feuilles = {}
        larges = set()
        for meta in classeur.sheets_metadata:
            if meta.visible != SheetVisibleEnum.Visible:
                constats.signaler("feuille_masquee", "feuille masquée : elle est lue "
                                  "comme les autres", fichier=affichage, feuille=meta.name)
            cellules = classeur.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
            if max(map(len, cellules), default=0) > COLONNES_MAX:
                larges.add(meta.name)
            lignes = _lignes(cellules, meta.name, affichage, constats)
            if len(lignes) > LIGNES_MAX:
                _trop_de_lignes(constats, affichage, meta.name)
                return None
            feuilles[meta.name] = Feuille(affichage, meta.name, lignes)
    except (CalamineError, OSError, ValueError):
        constats.signaler("fichier_illisible", illisible, fichier=affichage)
        return None
    if formules:
        constats.signaler(
            "formules", "le classeur contient des formules : seules leurs dernières valeurs "
            "calculées par le tableur sont lues (une formule jamais calculée est lue comme une "
            "case vide)", fichier=affichage)
    return feuilles, formules, frozenset(larges)


#: A cell's reference in a sheet's XML (``<c r="XFD1048576"``), and a row's that holds
#: something (not ``<row r="12"/>`` nor ``<row r="12"></row>``: calamine skips those).
_REFERENCE_CELLULE = re.compile(rb'<c\b[^>]*?\br="([A-Z]{1,3})(\d{1,7})"')
_REFERENCE_LIGNE = re.compile(rb'<row\b[^>]*?\br="(\d{1,7})"[^>]*(?<!/)>(?!</row>)')


def _colonne(lettres: bytes) -> int:
    numero = 0
    for lettre in lettres:
        numero = numero * 26 + lettre - 64
    return numero


@dataclass
class _Etendue:
    """How far one sheet's XML reaches."""

    lignes: int = 0
    colonnes: int = 0
    cellules: int = 0

    @property
    def cases(self) -> int:
        """Cells of the dense range a reader builds, or of the cells written if more."""
        return max(self.lignes * self.colonnes, self.cellules)

    def lire(self, fenetre: bytes, bloc: bytes) -> None:
        # a reference cut by the block's end is read whole in the next window; the maxima
        # are taken over the distinct column letters and in C (a sheet has thousands of
        # cells and a handful of columns)
        references = _REFERENCE_CELLULE.findall(fenetre)
        if references:
            lettres, numeros = zip(*references, strict=True)
            self.colonnes = max(self.colonnes, *map(_colonne, set(lettres)))
            self.lignes = max(self.lignes, *map(int, numeros))
        numeros_lignes = _REFERENCE_LIGNE.findall(fenetre)
        if numeros_lignes:
            self.lignes = max(self.lignes, *map(int, numeros_lignes))
        self.cellules += bloc.count(b"<c ") + bloc.count(b"<c>") + bloc.count(b"<c/>")


def _inspecter(archive: zipfile.ZipFile) -> tuple[bool, bool, _Etendue]:
    """(declares XML entities, holds formulas, the widest sheet's extent), streaming each
    XML part once."""
    dangereux = formules = False
    plus_large = _Etendue()
    for entree in archive.infolist():
        if not entree.filename.endswith((".xml", ".rels")):
            continue
        etendue = _Etendue() if entree.filename.startswith("xl/worksheets/") else None
        reste = b""
        with archive.open(entree) as flux:
            while bloc := flux.read(1 << 20):
                fenetre = reste + bloc
                dangereux = dangereux or b"<!ENTITY" in fenetre or b"<!DOCTYPE" in fenetre
                if etendue is not None:
                    formules = formules or b"<f>" in fenetre or b"<f " in fenetre
                    etendue.lire(fenetre, bloc)
                reste = bloc[-64:]
                if dangereux:
                    return True, formules, plus_large
        if etendue is not None and etendue.cases > plus_large.cases:
            plus_large = etendue
    return dangereux, formules, plus_large


def _cellule(valeur: Any) -> Any:
    """calamine's value as openpyxl gave it: empty → None, 4.0 → 4."""
    if valeur == "":
        return None
    if isinstance(valeur, float) and valeur.is_integer() and abs(valeur) < 2**53:
        return int(valeur)
    return valeur


def _remplie(ligne: list[Any]) -> bool:
    """True when a row of calamine's cells holds something (:func:`valeurs.est_vide` is
    false for one of them): a string that is not only white space, a number that is not
    NaN, any other value. Written out here because it runs over every cell of every sheet;
    ``str.isspace`` is the ``\\s`` of :data:`valeurs._ESPACES` (its no-break spaces
    included)."""
    for v in ligne:
        if v.__class__ is str:
            if v and not v.isspace():
                return True
        elif v is not None and not (v.__class__ is float and v != v):
            return True
    return False


def _lignes(cellules: list[list[Any]], titre: str, affichage: str,
            constats: Constats) -> list[tuple[int, tuple[Any, ...]]]:
    """The non-empty rows of a sheet (Excel numbering), bounded in columns and in empty
    rows in a row."""
    lignes = []
    vides = 0
    for numero, ligne in enumerate(cellules, start=1):
        coupee = ligne[:COLONNES_MAX]
        if _remplie(coupee):
            lignes.append((numero, tuple(map(_cellule, coupee))))
            vides = 0
            if len(lignes) > LIGNES_MAX:
                break  # the caller refuses the sheet
        else:
            vides += 1
            if vides >= LIGNES_VIDES_MAX:
                constats.signaler(
                    "feuille_tronquee", f"plus de {LIGNES_VIDES_MAX} lignes vides à la suite : "
                    "la suite de la feuille n'est pas lue", fichier=affichage,
                    feuille=titre, ligne=numero)
                break
    return lignes


def separateur_csv(premiere_ligne: str) -> str:
    """The separator of a CSV file, from its header line: the semicolon of French
    spreadsheets, the comma, or a tab, whichever the line holds most of."""
    return max((";", ",", "\t"), key=premiere_ligne.count)


def lire_csv(chemin: Path, affichage: str, constats: Constats) -> dict[str, Feuille] | None:
    """A CSV file as one sheet; UTF-8 (with or without BOM) or Windows-1252, ``,`` or ``;``;
    bounded in bytes and rows."""
    brut = lire_texte(chemin, affichage, constats)
    if brut is None:
        return None
    for encodage in ("utf-8-sig", "cp1252"):
        try:
            texte = brut.decode(encodage)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes nearly anything
        constats.signaler("fichier_illisible", "encodage de texte non reconnu", fichier=affichage)
        return None
    premiere = texte.splitlines()[0] if texte else ""
    lecteur = csv.reader(io.StringIO(texte), delimiter=separateur_csv(premiere))
    lignes = []
    try:
        for numero, ligne in enumerate(lecteur, start=1):
            if any(not valeurs.est_vide(v) for v in ligne):
                lignes.append((numero, tuple(ligne[:COLONNES_MAX])))
                if len(lignes) > LIGNES_MAX:
                    _trop_de_lignes(constats, affichage)
                    return None
    except csv.Error as erreur:
        constats.signaler("fichier_illisible", f"fichier CSV illisible ({erreur})",
                          fichier=affichage)
        return None
    return {chemin.stem: Feuille(affichage, chemin.stem, lignes)}


