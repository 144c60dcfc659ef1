"""The wave reader's fast formulations (issue 30) give what the old ones gave, on generated
inputs: what counts as an empty cell, the rows of a sheet, how far a sheet's XML reaches,
the notes of the grids with every finding in its order, the communes and legal forms looked
up. The old formulations are kept in :mod:`tests.lecture_reference`."""

from __future__ import annotations

import datetime as dt
import sys

import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from commun.constats import Constats
from lecture import conteneurs, formes_juridiques, notes, referentiel, valeurs
from lecture.conteneurs import Feuille
from lecture.modele import Critere, Jure
from tests import lecture_reference as reference

ESPACES = ["", " ", "\u00a0", "\u202f", "\u2003", "\t", "\n", "\u200b", "\x1c", "\x85"]
textes = st.one_of(st.text(max_size=6), st.lists(st.sampled_from(ESPACES), max_size=3).map(
    "".join))
#: What calamine gives for a cell.
cellules_calamine = st.one_of(
    textes, st.just(""), st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 4.0, 2.0**53, -(2.0**60), 7.5]), st.integers(-5, 5),
    st.booleans(), st.dates(), st.datetimes(), st.times(), st.timedeltas())


def _types(lignes: list[tuple[int, tuple[object, ...]]]) -> list[tuple[int, list[str]]]:
    """Rows with each cell's type and repr: 1 and 1.0, 0.0 and -0.0 told apart."""
    return [(numero, [f"{type(v).__name__}:{v!r}" for v in ligne]) for numero, ligne in lignes]


def _constats(constats: Constats) -> list[tuple[object, ...]]:
    return [(c.gravite, c.code, c.message, c.fichier, c.feuille, c.ligne, c.colonne,
             f"{type(c.valeur).__name__}:{c.valeur!r}") for c in constats]


# ------------------------------------------------------------------------- empty cells


def test_an_empty_string_is_white_space_in_the_same_sense_for_every_character():
    for point in range(sys.maxunicode + 1):
        caractere = chr(point)
        assert valeurs.est_vide(caractere) == reference.est_vide(caractere), hex(point)


@given(st.one_of(cellules_calamine, st.none()))
def test_empty_cells_are_the_old_ones(valeur):
    assert valeurs.est_vide(valeur) == reference.est_vide(valeur)


# ------------------------------------------------------------------------- rows, extent


@settings(max_examples=300)
@given(st.lists(st.lists(cellules_calamine, min_size=0, max_size=6), max_size=14),
       st.integers(1, 7), st.integers(1, 4), st.integers(1, 12))
def test_the_rows_of_a_sheet_are_the_old_ones(cellules, colonnes_max, vides_max, lignes_max):
    with pytest.MonkeyPatch.context() as patch:  # small bounds, to reach them
        patch.setattr(conteneurs, "COLONNES_MAX", colonnes_max)
        patch.setattr(conteneurs, "LIGNES_VIDES_MAX", vides_max)
        patch.setattr(conteneurs, "LIGNES_MAX", lignes_max)
        rapides, anciens = Constats(), Constats()
        lues = conteneurs._lignes(cellules, "J01", "notes/J01.xlsx", rapides)
        attendues = reference.lignes(cellules, "J01", "notes/J01.xlsx", anciens)
    assert _types(lues) == _types(attendues)
    assert _constats(rapides) == _constats(anciens)


lettres = st.text("ABCXYZ", min_size=1, max_size=3)
elements = st.one_of(
    st.builds(lambda c, r, a: f'<c{a} r="{c}{r}" t="n"><v>1</v></c>'.encode(),
              lettres, st.integers(1, 10**7 - 1), st.sampled_from(["", ' s="3"', "\n"])),
    st.builds(lambda r, fin: f'<row r="{r}"{fin}'.encode(), st.integers(1, 10**7 - 1),
              st.sampled_from(["/>", "></row>", ">", ' spans="1:3">'])),
    st.sampled_from([b"<c>", b"<c/>", b"<c >", b"</row>", b'<col min="1" max="3"/>',
                     b"<cols>", b'<c\tr="Q9">', b'<dimension ref="A1:XFD1048576"/>']),
)


@settings(max_examples=300)
@given(st.lists(elements, max_size=40), st.lists(st.integers(1, 90), min_size=1,
                                                   max_size=8))
def test_the_extent_of_a_sheet_is_the_old_one(morceaux, coupures):
    xml = b"<sheetData>" + b"".join(morceaux) + b"</sheetData>"
    blocs, debut = [], 0
    for longueur in coupures * (len(xml) // sum(coupures) + 1):
        if debut >= len(xml):
            break
        blocs.append(xml[debut:debut + longueur])
        debut += longueur
    etendue, reste = conteneurs._Etendue(), b""
    for bloc in blocs:  # as _inspecter reads a sheet
        etendue.lire(reste + bloc, bloc)
        reste = bloc[-64:]
    assert (etendue.lignes, etendue.colonnes, etendue.cellules) == reference.etendue(blocs)


# ------------------------------------------------------------------------- notes

CRITERES = [Critere("offre", "Offre de services", 1, 0, 10), Critere("ancrage", "Ancrage", 2, 0, 5),
            Critere("robustesse", "robustesse", 1, 1, 4)]
DOSSIERS = ["V06-001", "V06-002", "V06-003"]
JURES = ["J01", "J02", "J03"]
ecrits_dossier = st.sampled_from([*DOSSIERS, "v06-001", "V06\u2011002", "V06-0\u200b03",
                                  "V99-404", "", None, 6, "  "])
notes_ecrites = st.one_of(
    st.sampled_from([None, "", "  ", 0, 0.0, -0.0, 3, 7.5, 11, -1, "7,5", " 8 ", "abc",
                     "1 234,5 €", True, float("nan"), float("inf"), 1e13]),
    st.floats(-2, 12), st.integers(-1, 12), st.just(dt.date(2024, 1, 1)))
rangees = st.tuples(ecrits_dossier, notes_ecrites, notes_ecrites, notes_ecrites,
                    st.sampled_from([None, "bien", "  "]),
                    st.sampled_from([None, None, "oui", "non", "peut-être", 1, 0, "x"]))


def _grille(jure: str, lignes: list[tuple[object, ...]], conflit: bool) -> Feuille:
    entete = ("dossier", "Offre", "ancrage", "ROBUSTESSE", "commentaire",
              *(("conflit",) if conflit else ()))
    lues = [(1, entete)] + [(i, ligne if conflit else ligne[:5])
                            for i, ligne in enumerate(lignes, start=2)]
    return Feuille(f"notes/{jure}.xlsx", "grille", lues)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@example(grilles=[("J01", [("V06-001", 0.0, 1, 1, None, None),  # a note's sign is kept
                           ("V06-002", -0.0, 1, 1, None, None)], False, None)],
         longues=[], deports=set())
@given(
    st.lists(st.tuples(st.sampled_from([*JURES, "J99", "j01"]), st.lists(rangees, max_size=6),
                       st.booleans(), st.one_of(st.none(), st.sets(st.sampled_from(DOSSIERS)))),
             min_size=1, max_size=4),
    st.lists(st.tuples(ecrits_dossier, st.sampled_from([*JURES, "J99", "j02", None]),
                       st.sampled_from(["offre", "Offre de services", "ancrage", "inconnu",
                                        None]), notes_ecrites), max_size=5),
    st.sets(st.tuples(st.sampled_from(JURES), st.sampled_from(DOSSIERS)), max_size=3),
)
def test_the_notes_of_the_grids_and_their_findings_are_the_old_ones(grilles, longues,
                                                                      deports):
    dossiers = pd.DataFrame({"nom": DOSSIERS}, index=pd.Index(DOSSIERS, name="dossier"))
    jury = [Jure(j, j, "cntl", None, None) for j in JURES]
    resultats = []
    for lire_grille, lire_longues, valider in (
            (notes.lire_grille, notes.lire_notes_longues, notes.valider_notes),
            (reference.lire_grille, reference.lire_notes_longues, reference._valider_notes)):
        constats: Constats = Constats()
        conflits: dict[tuple[str, str], str] = {}
        lues: list = []
        if longues:
            feuille = Feuille("vague-06.xlsx", "notes", [(1, ("dossier", "jure", "critere",
                                                             "note"))]
                              + [(i, ligne) for i, ligne in enumerate(longues, start=2)])
            lues += lire_longues(feuille, CRITERES, constats)
        for jure, lignes, conflit, assignes in grilles:
            lues += lire_grille(_grille(jure, lignes, conflit), jure, CRITERES, constats,
                                conflits, assignes)
        comptees, ecartees = valider(lues, dossiers, jury, CRITERES, dict.fromkeys(deports),
                                     constats)
        resultats.append((_constats(constats), conflits,
                          [repr(t) for t in comptees.itertuples(index=False, name=None)],
                          [repr(t) for t in ecartees.itertuples(index=False, name=None)],
                          comptees.dtypes.to_dict(), ecartees.dtypes.to_dict()))
    assert resultats[0] == resultats[1]


# ------------------------------------------------------------------------- references


def test_commune_lookups_are_the_series_ones():
    communes = referentiel.communes()
    codes = [*communes.index[::7], "00000", "2A004", "", "75056", "ZZZZZ", "1001"]
    for code in codes:
        assert referentiel.nom_commune(code) == str(communes["nom"].get(code, code)), code
        assert referentiel.departement_de_commune(code) == communes["departement"].get(code)


def test_the_reference_tables_read_as_bytes_are_those_read_as_text(monkeypatch):
    def en_texte(name, text_columns, **kwargs):
        with (referentiel._DATA / name).open("r", encoding="utf-8") as handle:
            return pd.read_csv(handle, dtype={c: "string" for c in text_columns}, **kwargs)

    lues = [f.__wrapped__() for f in (referentiel.departements, referentiel.communes,
                                        referentiel.qpv, referentiel.metropoles)]
    monkeypatch.setattr(referentiel, "_read_csv", en_texte)
    for lue, f in zip(lues, (referentiel.departements, referentiel.communes,
                             referentiel.qpv, referentiel.metropoles), strict=True):
        attendue = f.__wrapped__()
        assert lue.equals(attendue) and lue.dtypes.equals(attendue.dtypes)
        assert lue.index.equals(attendue.index) and lue.index.dtype == attendue.index.dtype


def test_the_communes_with_a_qpv_are_computed_once_as_before():
    table = referentiel.communes()
    avant = table[table.index.isin(referentiel.communes_avec_qpv())
                  & (table["type"] == "commune-actuelle")]
    assert referentiel._communes_actuelles_avec_qpv().equals(avant)


@given(st.one_of(st.sampled_from(sorted(formes_juridiques.categories())), st.text(max_size=5)),
       st.sampled_from(["code", "libellé", "abréviation"]))
def test_a_remembered_legal_form_is_the_one_computed(code, source):
    assert formes_juridiques.decider_code(code, source) == \
        formes_juridiques.decider_code.__wrapped__(code, source)


@given(st.one_of(st.text(max_size=30), st.sampled_from(
    ["S.A.R.L.", "S A S", "Société par actions simplifiées", "EPIC industriel et commercial",
     "Lycée J.-Moulin (privé)", "Association loi 1901"])))
def test_the_remembered_words_of_a_label_are_the_computed_ones(libelle):
    assert formes_juridiques._mots(libelle) == formes_juridiques._mots.__wrapped__(libelle)
