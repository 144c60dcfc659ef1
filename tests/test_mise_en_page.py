"""The fast writing of tables (commun.classeur._ecrire_bloc, commun.mise_en_page) against
the formulation it replaced, kept here as the reference: every cell styled through
openpyxl's setters, the layout reading each cell again for every question it asks. Both
must give the same workbook, byte for byte: values, number formats, fills, alignments,
column widths, row heights and page set-up alike; and the jury's matrices built in one
pass (notation.diagnostics.matrices) must equal Vague.matrice, one pivot per criterion."""

from __future__ import annotations

import io
import math
import re
import string
from collections.abc import Mapping
from dataclasses import replace
from unittest import mock

import numpy as np
import openpyxl
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from commun import classeur, mise_en_page
from commun.classeur import ajouter_table, ecrire_table, texte_sur, workbook_bytes
from commun.mise_en_page import (
    _EN_HAUT,
    _ETAPES,
    _NOMBRE,
    _RETOUR_A_LA_LIGNE,
    BUDGET_PAYSAGE,
    GRAS,
    HAUTEUR_LIGNE,
    REMPLISSAGE,
    RETRAIT,
    Bloc,
    _est_nombre,
    _largeurs,
    _Mesure,
    a_mettre_en_page,
    lignes_enroulees,
    regler_impression,
)
from commun.vocabulaire import COLONNES_CODEES, libelle, pour_lecteur
from notation.diagnostics import matrices
from tests.factories import vague_en_memoire

# --- The reference: the formulation before the fast one --------------------------------


def _ecrire_bloc_reference(feuille: Worksheet, premiere: int, table: pd.DataFrame,
                           formats: Mapping[str, str],
                           couleurs: tuple[str, Mapping[str, str]] | None) -> None:
    table = pour_lecteur(table)
    if couleurs and couleurs[0] in COLONNES_CODEES:
        famille = COLONNES_CODEES[couleurs[0]]
        couleurs = (couleurs[0], {libelle(famille, v): c for v, c in couleurs[1].items()})
    for colonne, nom in enumerate(table.columns, start=1):
        entete = feuille.cell(premiere, colonne)
        texte_sur(entete, str(nom))
        entete.font = Font(bold=True)
        entete.fill = classeur._ENTETE
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
                cellule.value = classeur._valeur_excel(valeur)
            if remplissage is not None:
                cellule.fill = remplissage
    for index, nom in enumerate(table.columns, start=1):
        if nom in formats:
            for numero in range(premiere + 1, premiere + 1 + len(table)):
                feuille.cell(numero, index).number_format = formats[nom]
    a_mettre_en_page(feuille, Bloc(premiere, premiere + len(table), len(table.columns)))


def _mettre_en_page_reference(feuille: Worksheet, blocs: list[Bloc],
                              minimums: Mapping[int, float] | None = None,
                              paysage: bool = False) -> None:
    mesures = _mesurer_reference(feuille, blocs)
    colonnes = sorted(mesures)
    etapes = [[max(mesures[c].largeur(*etape), (minimums or {}).get(c, 0)) for c in colonnes]
              for etape in _ETAPES]
    largeurs = _largeurs(etapes, BUDGET_PAYSAGE)
    if largeurs is None:
        budget = BUDGET_PAYSAGE * REMPLISSAGE
        largeurs = _largeurs(etapes, math.ceil(sum(etapes[2]) / budget) * budget) or etapes[2]
    for colonne, largeur in zip(colonnes, largeurs, strict=True):
        feuille.column_dimensions[get_column_letter(colonne)].width = largeur
    _aligner_reference(feuille, blocs, dict(zip(colonnes, largeurs, strict=True)))
    regler_impression(feuille, paysage, "1:1" if blocs and blocs[0].entete == 1 else None)


def _plus_longue_ligne(texte: str) -> int:
    return max((len(ligne) for ligne in texte.split("\n")), default=0)


def _mesurer_reference(feuille: Worksheet, blocs: list[Bloc]) -> dict[int, _Mesure]:
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
                    mesure.nombre = max(mesure.nombre, len(_affiche_reference(
                        cellule.value, cellule.number_format)))
                elif cellule.value is not None:
                    mesure.texte = max(mesure.texte, _plus_longue_ligne(str(cellule.value)))
    return mesures


def _aligner_reference(feuille: Worksheet, blocs: list[Bloc],
                       largeurs: Mapping[int, float]) -> None:
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


_FORMAT_LITTERAL = re.compile(r'"([^"]*)"')


def _affiche_reference(valeur: float, format_nombre: str) -> str:
    section = format_nombre.split(";")[0]
    if section in ("General", ""):
        if isinstance(valeur, int):
            return str(valeur)
        return f"{valeur:.10g}"[:11]
    litteraux = "".join(_FORMAT_LITTERAL.findall(section))
    code = _FORMAT_LITTERAL.sub("", section)
    decimales = len(code.split(".")[1].rstrip("%_ )").replace("#", "0")) if "." in code else 0
    if "%" in code:
        valeur *= 100
    milliers = "," if "," in code else ""
    signe = "+" if "+" in code else ""
    texte = f"{valeur:{signe}{milliers}.{decimales}f}"
    return texte + " " * code.count(" ") + litteraux + ("%" if "%" in code else "")


# --- Tables drawn by hypothesis ---------------------------------------------------------

_MOTS = st.text(alphabet=string.ascii_letters + "éàç", min_size=1, max_size=14)
_TEXTES = st.one_of(
    _MOTS,
    st.lists(_MOTS, min_size=2, max_size=40).map(" ".join),  # wraps, or a paragraph
    st.lists(_MOTS, min_size=2, max_size=4).map("\n".join),  # lines of its own
    st.sampled_from(["=SOMME(A1)", "-3", "+x", "@a", "#N/A", "a\x0bb", "", " ", "laureat",
                     "non_retenu", "x" * 130]),
)
_NOMBRES = st.one_of(st.integers(-10**7, 10**9), st.floats(-1e9, 1e9),
                     st.just(float("nan")), st.sampled_from([0, 0.0, -0.0, 1e-9, 0.005]))
_VALEURS = {
    "texte": _TEXTES,
    "nombre": _NOMBRES,
    "mixte": st.one_of(_TEXTES, _NOMBRES, st.none(), st.booleans()),
    "vide": st.none(),
}
_FORMATS = ["0.00", "0%", '#,##0 "€"', "+0.00;-0.00;0.00", "#,##0", "0.0 \"pts\""]
_COULEURS = {"laureat": "C6EFCE", "non_retenu": "FFFFFF", "a": "DDEBF7", "b": "F8CBAD"}


@st.composite
def _tables(draw: st.DrawFn, min_colonnes: int = 1) -> tuple[pd.DataFrame, dict[str, str]]:
    nombre = draw(st.integers(min_colonnes, 9))
    noms = draw(st.lists(st.one_of(_MOTS, st.lists(_MOTS, min_size=2, max_size=6).map(" ".join),
                                   st.sampled_from(["statut", "=tete", "score"])),
                         min_size=nombre, max_size=nombre, unique=True))
    lignes = draw(st.integers(0, 9))
    colonnes = {}
    for nom in noms:
        genre = draw(st.sampled_from(sorted(_VALEURS)))
        colonnes[nom] = draw(st.lists(_VALEURS[genre], min_size=lignes, max_size=lignes))
    table = pd.DataFrame(colonnes, columns=noms)
    formats = {nom: draw(st.sampled_from(_FORMATS)) for nom in noms if draw(st.booleans())}
    return table, formats


@st.composite
def _classeurs(draw: st.DrawFn) -> list[tuple]:
    """Sheets to write: (table, formats, colours, a table added under it, widths kept,
    landscape)."""
    feuilles = []
    for _ in range(draw(st.integers(1, 3))):
        table, formats = draw(_tables())
        couleurs = None
        if draw(st.booleans()):
            colonne = draw(st.sampled_from(list(table.columns)))
            table[colonne] = draw(st.lists(st.sampled_from([*_COULEURS, "autre"]),
                                           min_size=len(table), max_size=len(table)))
            couleurs = (colonne, _COULEURS)
        dessous = draw(st.none() | _tables())
        minimums = draw(st.dictionaries(st.integers(1, 4), st.integers(5, 40), max_size=2))
        feuilles.append((table, formats, couleurs, dessous, minimums, draw(st.booleans())))
    return feuilles


def _ecrire(feuilles: list[tuple]) -> bytes:
    livre = Workbook()
    livre.remove(livre.active)  # type: ignore[arg-type]
    for numero, (table, formats, couleurs, dessous, minimums, paysage) in enumerate(feuilles):
        feuille = ecrire_table(livre, f"f{numero}", table, formats, couleurs)
        if dessous is not None:
            ajouter_table(feuille, "Sous-table", *dessous)
        if minimums or paysage:
            a_mettre_en_page(feuille, Bloc(1, len(table) + 1, len(table.columns)), minimums,
                             paysage)
    return workbook_bytes(livre)


def _ecrire_reference(feuilles: list[tuple]) -> bytes:
    with (mock.patch.object(classeur, "_ecrire_bloc", wraps=_ecrire_bloc_reference) as bloc,
          mock.patch.object(mise_en_page, "mettre_en_page",
                            wraps=_mettre_en_page_reference) as page):
        contenu = _ecrire(feuilles)
    # the reference did write and lay out every table (else the comparison proves nothing)
    assert bloc.call_count == len(feuilles) + sum(f[3] is not None for f in feuilles)
    assert page.call_count == len(feuilles)
    return contenu


@settings(max_examples=80)
@given(_classeurs())
def test_tables_are_written_as_the_cell_by_cell_formulation_writes_them(
        feuilles: list[tuple]) -> None:
    assert _ecrire(feuilles) == _ecrire_reference(feuilles)


def test_styles_survive_a_round_trip_as_readers_see_them() -> None:
    """What a reader gets, cell by cell, from a table with every kind of value: the
    number format, fill, font and alignment the layout promises."""
    table = pd.DataFrame({"statut": ["laureat", "non_retenu"], "score": [12.5, 3.0],
                          "motif": ["court", "mot " * 40], "vide": [None, None]})
    livre = Workbook()
    livre.remove(livre.active)  # type: ignore[arg-type]
    ecrire_table(livre, "t", table, {"score": "0.00"}, ("statut", {"laureat": "C6EFCE"}))
    lu = openpyxl.load_workbook(io.BytesIO(workbook_bytes(livre)))["t"]
    assert [c.font.b for c in lu[1]] == [True] * 4
    assert lu["B2"].number_format == "0.00" and lu["B2"].alignment.horizontal == "right"
    assert lu["A2"].fill.start_color.rgb == lu["D2"].fill.start_color.rgb == "00C6EFCE"
    assert lu["A3"].fill.fill_type is None
    assert lu["C3"].alignment.wrap_text and lu["C2"].alignment.vertical == "top"
    assert lu["D2"].alignment.horizontal == "left" and lu["D2"].alignment.indent == 1
    assert lu.row_dimensions[3].height and lu.row_dimensions[3].height > HAUTEUR_LIGNE


# --- The jury's matrices ----------------------------------------------------------------

_NOTES = st.lists(st.tuples(st.sampled_from(["d1", "d2", "d3", "d4"]),
                            st.sampled_from(["j1", "j2", "j3"]),
                            st.sampled_from(["c1", "c2", "c3"]),
                            st.sampled_from([0.0, 0.5, 1.0, 2.5, 7.0, 10.0, float("nan")])),
                  min_size=1, max_size=40)


@settings(max_examples=50)
@given(_NOTES, st.booleans(), st.booleans())
def test_matrices_in_one_pass_are_the_pivots_of_each_criterion(
        notes: list[tuple[str, str, str, float]], chaines: bool, plus: bool) -> None:
    """Duplicate notes (averaged), missing notes, a criterion nobody scored, a dossier or a
    juror without notes, pandas' string dtype as the reader gives it."""
    vague = vague_en_memoire(notes)
    if plus:
        from lecture.modele import Critere, Jure
        dossiers = pd.concat([vague.dossiers, vague.dossiers.iloc[:1].rename(index={
            vague.dossiers.index[0]: "d9"})])
        vague = replace(vague, dossiers=dossiers,
                        jury=(*vague.jury, Jure("j9", "j9", "cntl")),
                        criteres=(Critere("c9", "c9", 1.0, 0.0, 10.0), *vague.criteres))
    if chaines:
        vague = replace(vague, notes=vague.notes.astype(
            {"dossier": "string", "jure": "string", "critere": "string"}))
    attendues = {c: vague.matrice(c) for c in [*vague.ids_criteres, None]}
    obtenues = matrices(vague)
    assert list(obtenues) == list(attendues)
    for critere, attendue in attendues.items():
        pd.testing.assert_frame_equal(obtenues[critere], attendue)
        assert np.array_equal(obtenues[critere].to_numpy(), attendue.to_numpy(), equal_nan=True)
