"""The methods on coded notes (notation.methodes), the cross-validation of ``auto`` built on
them (notation.choix) and the calibration fit with per-juror factors (calibration.calibrer)
give what the pandas formulation of before gave (tests/methodes_pandas.py): on
hypothesis-drawn waves — incomplete designs, jurors of one note, ties, a criterion nobody
scored, notes off the half-point grid, rows in any order — and on a sample wave."""

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lecture.modele import Critere, Vague
from lecture.vague import lire_vague
from notation.calibration import ajuster_codees, calibrer, coder
from notation.choix import Pli, choisir_methode
from notation.methodes import CALCULS, TRANSFORMATIONS, echelles
from notation.normalisation import METHODES_DE_CALCUL, notes_transformees, scores_par_critere
from tests import methodes_pandas as reference

SAMPLES = Path(__file__).resolve().parents[1] / "sample_waves"
#: Three criteria on different scales; ``c`` is often left unscored. Criteria, dossiers and
#: jurors out of their labels' order: the folds follow the labels, not the codes.
CRITERES = {"b": Critere("b", "b", 2.0, 1, 5), "a": Critere("a", "a", 1.0, 0, 10),
            "c": Critere("c", "c", 1.0, 0, 4)}
DOSSIERS = pd.Index(["D3", "D1", "D7", "D2", "D6", "D4", "D5"], name="dossier")
JURES = ["J4", "J1", "J5", "J2", "J3"]


@st.composite
def notes_tirees(draw, taille_min=1, taille_max=60):
    """Long-form notes: (dossier, juror, criterion) unique, values on a coarse grid (many
    ties) or anywhere on the scale, rows in a drawn order."""
    cles = draw(st.lists(
        st.tuples(st.sampled_from(list(DOSSIERS)), st.sampled_from(JURES),
                  st.sampled_from(["a", "a", "b", "b", "c"])),
        min_size=taille_min, max_size=taille_max, unique=True))
    grille = draw(st.booleans())
    lignes = []
    for dossier, jure, critere in cles:
        bas, haut = CRITERES[critere].note_min, CRITERES[critere].note_max
        part = (draw(st.integers(0, 4)) / 4 if grille
                else draw(st.floats(0, 1, allow_nan=False)))
        lignes.append((dossier, jure, critere, bas + part * (haut - bas)))
    notes = pd.DataFrame(lignes, columns=["dossier", "jure", "critere", "note"])
    return notes.iloc[draw(st.permutations(range(len(notes))))].reset_index(drop=True)


def _vague_06() -> Vague:
    vague = lire_vague(SAMPLES / "vague-06").vague
    assert vague is not None
    return vague


@settings(max_examples=150, deadline=None)
@given(notes_tirees())
def test_each_method_scores_as_the_pandas_formulation(notes):
    for methode in METHODES_DE_CALCUL:
        rapides, biais, avertissements = scores_par_critere(notes, methode, CRITERES, DOSSIERS,
                                                            JURES)
        attendus, biais_ref, avertissements_ref = reference.scores_par_critere(
            notes, methode, CRITERES, DOSSIERS, JURES)
        # 1e-9, not 1e-12: a juror whose notes spread by 4e-5 (1 and 1.00004) has z-scores
        # of ±1 that carry the rounding of the two formulations multiplied by 1 / 4e-5
        # (hypothesis found it: 2.7e-12 apart).
        pd.testing.assert_frame_equal(rapides, attendus, check_exact=False, rtol=0,
                                      atol=1e-9, check_names=False, obj=methode)
        pd.testing.assert_frame_equal(biais, biais_ref, check_exact=False, rtol=0,
                                      atol=1e-12, obj=methode)
        assert avertissements == avertissements_ref, methode


def test_a_juror_of_one_repeated_value_carries_no_ranking_information():
    # 0.1 three times: their mean is 0.10000000000000002, so the spread computed from it is
    # not 0 — yet the juror gave one single value and stays at the panel's mean.
    notes = pd.DataFrame([("D1", "J1", "a", 0.1), ("D2", "J1", "a", 0.1), ("D3", "J1", "a", 0.1),
                          ("D1", "J2", "a", 2.0), ("D2", "J2", "a", 7.5)],
                         columns=["dossier", "jure", "critere", "note"])
    z = notes_transformees(notes, "zscore", CRITERES)
    assert z[:3].tolist() == [notes["note"].mean()] * 3
    pd.testing.assert_series_equal(z, reference.notes_transformees(notes, "zscore", CRITERES),
                                   check_names=False, rtol=0, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(notes_tirees())
def test_the_juror_transformations_are_the_pandas_ones(notes):
    for methode in TRANSFORMATIONS:
        pd.testing.assert_series_equal(
            notes_transformees(notes, methode, CRITERES),
            reference.notes_transformees(notes, methode, CRITERES).rename("note"),
            check_exact=False, rtol=0, atol=1e-12, obj=methode)


@settings(max_examples=25, deadline=None)
@given(notes_tirees(taille_min=15, taille_max=90))
def test_the_cross_validation_is_the_pandas_one(notes):
    choix = choisir_methode(notes, CRITERES, DOSSIERS, JURES)
    methode, erreurs, ecarts = reference.choisir_methode(notes, CRITERES, DOSSIERS, JURES,
                                                         METHODES_DE_CALCUL)
    assert choix.methode == methode
    assert list(choix.erreurs) == list(erreurs)
    np.testing.assert_allclose(list(choix.erreurs.values()), list(erreurs.values()),
                               rtol=0, atol=1e-12)
    np.testing.assert_allclose(list(choix.erreurs_types.values()), list(ecarts.values()),
                               rtol=0, atol=1e-12)


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_a_folds_prediction_error_is_the_reference_one(data):
    # Scores with holes (a method may leave a cell it saw unscored: the slow branch).
    n, nj = data.draw(st.integers(1, 40)), len(JURES)
    cellule = np.array(data.draw(st.lists(st.integers(0, 20), min_size=n, max_size=n)))
    jure = np.array(data.draw(st.lists(st.integers(0, nj - 1), min_size=n, max_size=n)))
    note = np.array(data.draw(st.lists(st.integers(0, 10), min_size=n, max_size=n)), float)
    apprend = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    valeurs = np.array(data.draw(st.lists(
        st.one_of(st.just(np.nan), st.floats(0, 10)), min_size=21, max_size=21))).reshape(7, 3)
    attendu = reference.erreur_de_prediction(valeurs, cellule // 3, cellule % 3, jure, note,
                                             apprend, nj)
    assert Pli.couper(cellule, jure, note, apprend, nj).erreur(valeurs) == attendu


def test_the_cross_validation_of_a_sample_wave_is_the_pandas_one():
    vague = _vague_06()
    criteres = {c.critere: c for c in vague.criteres}
    jures = [j.jure for j in vague.jury]
    # Rows reversed: the folds are drawn from the notes in their labels' order.
    notes = vague.notes.iloc[::-1]
    choix = choisir_methode(notes, criteres, vague.dossiers.index, jures)
    methode, erreurs, ecarts = reference.choisir_methode(vague.notes, criteres,
                                                         vague.dossiers.index, jures,
                                                         METHODES_DE_CALCUL)
    assert choix.methode == methode == "calibre"
    for m in METHODES_DE_CALCUL:
        assert choix.erreurs[m] == pytest.approx(erreurs[m], abs=1e-12), m
        assert choix.erreurs_types[m] == pytest.approx(ecarts[m], abs=1e-12), m


@settings(max_examples=60, deadline=None)
@given(notes_tirees(), st.lists(st.integers(0, 3), min_size=len(JURES), max_size=len(JURES)),
       st.booleans())
def test_the_calibration_fit_is_the_note_by_note_one_exactly(notes, poids, depuis_un_fit):
    codees = coder(notes, DOSSIERS, JURES, list(CRITERES))
    fois = np.array(poids, dtype=float)
    if not (fois[codees.jure] > 0).any():
        fois[codees.jure[0]] = 1.0
    for poids_jures in (None, fois):
        depart, depart_ref = None, None
        if depuis_un_fit:  # a resample starts from the whole jury's fit
            depart = ajuster_codees(codees)
            depart_ref = (depart.jures["biais"].to_numpy(), depart.jures["echelle"].to_numpy(),
                          depart.jures["bruit"].to_numpy())
        fit = calibrer(codees, poids_jures, depart, 1e-4 if depuis_un_fit else 1e-7)
        attendu = reference.ajuster_note_par_note(codees, poids_jures, depart_ref,
                                                  1e-4 if depuis_un_fit else 1e-7)
        obtenu: tuple[Any, ...] = (fit.biais, fit.echelle, fit.variance, fit.qualite,
                                   fit.precision, fit.iterations)
        for champ, x, y in zip(("biais", "echelle", "variance", "qualite", "precision",
                                "iterations"), obtenu, attendu, strict=True):
            assert np.array_equal(x, y, equal_nan=True), champ
    modele = ajuster_codees(codees)  # the model the rest of the engine reads
    _, _, variance, qualite, precision, _ = reference.ajuster_note_par_note(codees)
    assert np.array_equal(modele.qualite.to_numpy(), qualite, equal_nan=True)
    assert np.array_equal(modele.jures["bruit"].to_numpy(), np.sqrt(variance))
    lue = precision > 0
    assert np.array_equal(modele.erreur_type.to_numpy(), np.where(
        lue, 1.0 / np.sqrt(np.where(lue, precision, 1.0)), np.nan), equal_nan=True)


def test_every_method_is_a_function_of_the_coded_notes():
    vague = _vague_06()
    criteres = {c.critere: c for c in vague.criteres}
    jures = [j.jure for j in vague.jury]
    codees = coder(vague.notes, vague.dossiers.index, jures, list(criteres))
    bas, haut = echelles(criteres)
    for methode, calcul in CALCULS.items():
        valeurs = np.clip(calcul(codees, bas, haut), bas, haut)
        attendus = reference.scores_par_critere(vague.notes, methode, criteres,
                                                vague.dossiers.index, jures)[0]
        np.testing.assert_allclose(valeurs, attendus.to_numpy(), rtol=0, atol=1e-12,
                                   err_msg=methode)
