"""Independent re-solves side by side (issue 30): the split never depends on the machine, an
engine built without the diagnosis' slack columns solves exactly like one with them, and
the uncertainty sheet and the explanations are the same on one engine as on several."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import allocation.analyses.decision as decision
import allocation.analyses.incertitude as incertitude_
from allocation.modele.regles_dossier import interdits
from allocation.resolution.moteur import MoteurVague
from allocation.resolution.parallele import PAQUET, en_parallele
from allocation.resolution.solveur import resoudre
from application.service import (
    Parametres,
    Resultat,
    classeur_decision,
    completer_decision,
    decider_vague,
    incertitude_a_cote,
    incertitude_de,
)
from lecture.chargement import charger
from notation.normalisation import modele_jures
from tests.test_calibration import _probleme
from tests.test_regles import vague_aleatoire

RACINE = Path(__file__).resolve().parents[1]


class _Atelier:
    """A stand-in engine that records which tasks it was given, in which thread."""

    def __init__(self, numero: int):
        self.numero = numero
        self.taches: list[int] = []
        self.fils: set[int] = set()


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 90), st.integers(1, 4))
def test_task_k_goes_to_engine_k_mod_n_in_order_and_progress_is_told_per_batch(taches, nombre):
    ateliers = [_Atelier(k) for k in range(nombre)]

    def travail(atelier: _Atelier, tache: int) -> tuple[int, int]:
        atelier.taches.append(tache)
        atelier.fils.add(threading.get_ident())
        return atelier.numero, tache * tache

    progres: list[tuple[int, int]] = []
    resultats = en_parallele(ateliers, travail, list(range(taches)),
                             lambda fait, total: progres.append((fait, total)))
    assert resultats == [(k % nombre, k * k) for k in range(taches)]
    for atelier in ateliers:
        assert atelier.taches == list(range(atelier.numero, taches, nombre))
        assert threading.get_ident() not in atelier.fils  # the work ran beside the caller
    # told every PAQUET tasks and at the end, from the calling thread
    assert progres == [(fait, taches) for fait in
                       sorted({*range(PAQUET, taches + 1, PAQUET), taches} - {0})]


def test_a_task_that_fails_fails_the_whole_with_its_error():
    def travail(atelier: _Atelier, tache: int) -> int:
        if tache == 5:
            raise ValueError("tâche 5")
        return tache

    with pytest.raises(ValueError, match="tâche 5"):
        en_parallele([_Atelier(0), _Atelier(1)], travail, list(range(200)))


def test_an_engine_without_slack_columns_solves_exactly_like_the_diagnosing_one():
    """Base, forced, drawn and tie-broken solves of 150 random waves: the same selections
    on both engines; only the diagnosing engine may diagnose."""
    rng = np.random.default_rng(30)
    compares = 0
    for _ in range(150):
        p = vague_aleatoire(rng)
        avec, sans = MoteurVague(p), MoteurVague(p, diagnostic=False)
        assert avec.resoudre() == sans.resoudre()
        for d in p.dossiers:
            if not interdits(p, d):
                forces = (d.dossier,)
                assert avec.resoudre(forces=forces) == sans.resoudre(forces=forces)
                compares += 1
        for _ in range(3):
            tirage = avec.scores + rng.normal(0, 1, len(avec.scores))
            assert (avec.resoudre(tirage, departage=False)
                    == sans.resoudre(tirage, departage=False))
        with pytest.raises(RuntimeError):
            sans.diagnostiquer()
    assert compares > 300


def test_every_solve_starts_from_the_base_selection_itself():
    """The start HiGHS is given is the base selection exactly: integers, and the base
    laureates. (It was the last solve's values — the tie-break's continuous question's —
    off integers by 1e-4 on the hard wave, and HiGHS repaired such a start with a sub-MIP
    at every draw.) 150 random waves."""
    rng = np.random.default_rng(31)
    verifies = 0
    for _ in range(150):
        p = vague_aleatoire(rng)
        moteur = MoteurVague(p)
        base = moteur.resoudre()
        if not base.optimale:
            assert moteur._depart is None
            continue
        assert moteur._depart is not None
        valeurs = np.asarray(moteur._depart.col_value)
        entieres = np.array(moteur._entieres)
        assert np.array_equal(valeurs[entieres], np.round(valeurs[entieres]))
        choisis = np.flatnonzero(valeurs[:len(moteur.ids)] > 0.5)
        assert tuple(sorted(moteur.ids[k] for k in choisis)) == base.laureats
        verifies += 1
    assert verifies > 60


@pytest.mark.parametrize("moteurs", [1, 3])
def test_the_uncertainty_sheet_is_the_same_on_one_engine_as_on_several(moteurs, monkeypatch):
    vague, scores, probleme = _probleme()
    allocation = resoudre(probleme)

    def table() -> pd.DataFrame:
        return incertitude_.incertitude(probleme, allocation, modele_jures(vague),
                                        scores.poids, tirages=80).table

    attendue = table()
    monkeypatch.setattr(incertitude_, "MOTEURS", moteurs)
    pd.testing.assert_frame_equal(table(), attendue)


@pytest.mark.parametrize("moteurs", [1, 3])
def test_the_explanations_are_the_same_on_one_engine_as_on_several(moteurs, monkeypatch):
    """On sample wave 08: a dossier no forced solve can hold (diagnosed) and dossiers one
    can (cost, who leaves)."""
    resultat = decider_vague(charger(RACINE / "sample_waves" / "vague-08"), Parametres(),
                             avec_decision=False)
    assert isinstance(resultat, Resultat)
    probleme, allocation = resultat.probleme, resultat.allocation
    attendues = decision.expliquer(probleme, allocation)
    assert any(e.cout is None for e in attendues) and any(e.cout for e in attendues)
    monkeypatch.setattr(decision, "MOTEURS", moteurs)
    assert decision.expliquer(probleme, allocation) == attendues


def test_the_workbook_is_the_same_with_the_uncertainty_computed_or_still_running():
    """``allocate`` hands the workbook the function that waits for the draws (they run
    beside the decision and the other sheets): the same bytes as with them computed."""
    chargement = charger(RACINE / "sample_waves" / "vague-08")
    resultat = decider_vague(chargement, Parametres(), avec_decision=False)
    assert isinstance(resultat, Resultat) and resultat.decision is None
    with incertitude_a_cote(resultat) as attendre:
        complet = completer_decision(resultat)
        en_cours = classeur_decision(chargement, complet, None, attendre)
    assert complet.decision is not None
    ensemble = decider_vague(chargement, Parametres())
    assert isinstance(ensemble, Resultat) and ensemble.decision is not None
    for champ in ("reserve", "remplacants", "explications"):
        assert getattr(complet.decision, champ) == getattr(ensemble.decision, champ)
    assert en_cours == classeur_decision(chargement, complet, None, incertitude_de(complet))
