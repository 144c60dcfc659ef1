"""What the secretariat gets from a solved wave: explanations, the reserve list and each
laureate's replacement, the department table, and the optional goals (off by default).
The invariant checker runs on every allocation (``solve_checked``)."""

from __future__ import annotations

import itertools
from collections import Counter

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allocation.analyses.decision import (
    decider,
    expliquer,
    liste_complementaire,
    table_departements,
)
from allocation.modele.probleme import construire_probleme
from allocation.modele.regles_dossier import candidat
from allocation.modele.verification import verifier, violations
from allocation.resolution.solveur import montants_accordes
from lecture.historique import historique_vide
from lecture.programme import Objectifs
from tests.factories import regles, table
from tests.test_allocation import petites_vagues, solve_checked


def _probleme(rows, scores, **changes):
    return construire_probleme(table(rows), pd.Series(scores), regles(**changes),
                               historique_vide())


# --------------------------------------------------------------------------- explanations


def test_a_department_cap_is_named_with_the_cost_of_forcing_the_dossier_in():
    probleme = _probleme(
        [("A", "35", False, False, 100_000), ("B", "35", False, False, 100_000),
         ("C", "35", False, False, 100_000), ("D", "29", False, False, 100_000)],
        {"A": 9.0, "B": 8.5, "C": 8.0, "D": 5.0}, max_laureats=3, tolerance_rythme=200)
    allocation = solve_checked(probleme)
    assert allocation.laureats == ("A", "B", "D")
    (explication,) = expliquer(probleme, allocation)
    assert explication.dossier == "C"
    assert explication.regles == ("departement_vague",)
    assert "département 35 : 3 lauréats dans la vague pour un plafond de 2" in explication.raison
    # Forcing C in drops B (8.5) for C (8.0): the total loses 0.5.
    assert explication.cout == pytest.approx(0.5)
    assert explication.sortants == ("B",) and explication.entrants == ()


def test_a_full_wave_names_the_pace_that_protects_the_lowest_laureate():
    # Wave 9 of 10, 2 places; the paces (3 to find in 2 waves) ask for 1 to 2 QPV and 1 to
    # 2 hors QPV.
    probleme = _probleme(
        [("H1", "35", False, False, 100_000), ("H2", "29", False, False, 100_000),
         ("Q1", "93", True, False, 100_000)],
        {"H1": 9.0, "H2": 8.0, "Q1": 3.0}, max_laureats=2, cible_qpv=3, cible_hors_qpv=3,
        cible_numeriques=0, numero=9, tolerance_rythme=0)
    allocation = solve_checked(probleme)
    assert allocation.laureats == ("H1", "Q1")
    (explication,) = expliquer(probleme, allocation)
    assert explication.dossier == "H2"
    assert explication.regles == ("max_laureats", "rythme_qpv")
    assert "remplacer le lauréat le moins bien noté, Q1 (3,00)" in explication.raison
    assert "Fabriques en QPV : 0, sous le minimum du rythme (1)" in explication.raison
    # Forcing H2 in takes H1's place (the QPV place must stay): 9 − 8 = 1 point.
    assert explication.cout == pytest.approx(1.0) and explication.sortants == ("H1",)


def test_a_dossier_no_allocation_can_hold_says_what_it_would_take():
    # The department has used its 8 places over the programme: A can never be laureate.
    history = pd.DataFrame({"dossier": [f"H{i}" for i in range(8)], "nom": "",
                            "lieux": [(f"X{i}",) for i in range(8)], "departement": "35",
                            "qpv": False, "numerique": False, "montant": 100_000, "vague": 1})
    probleme = construire_probleme(
        table([("A", "35", False, False, 100_000), ("B", "29", False, False, 100_000)]),
        pd.Series({"A": 9.0, "B": 4.0}), regles(tolerance_rythme=200, numero=2), history)
    allocation = solve_checked(probleme)
    (explication,) = expliquer(probleme, allocation)
    assert explication.regles == ("departement_programme",)
    assert explication.cout is None
    assert "Aucune sélection ne peut le retenir sans : autoriser 1 lauréat(s) de plus dans " \
           "le département 35" in explication.raison


def test_a_jury_exclusion_is_the_reason_and_its_cost_is_measured():
    dossiers = [("A", "35", False, False, 100_000), ("B", "29", False, False, 100_000)]
    probleme = construire_probleme(table(dossiers), pd.Series({"A": 9.0, "B": 4.0}),
                                   regles(max_laureats=1, tolerance_rythme=200),
                                   historique_vide(), exclus={"A": "double financement"})
    allocation = solve_checked(probleme)
    (explication,) = expliquer(probleme, allocation)
    assert explication.regles == ("decision_du_jury",)
    assert explication.raison == "écarté par le jury : double financement"
    # Lifting the exclusion would gain 5 points: the exclusion's cost, shown as negative.
    assert explication.cout == pytest.approx(-5.0)


@settings(max_examples=60, deadline=None)
@given(petites_vagues())
def test_the_cost_of_forcing_in_is_the_difference_of_two_independent_solves(instance):
    dossiers, scores, rules = instance
    probleme = construire_probleme(dossiers, scores, rules, historique_vide())
    allocation = solve_checked(probleme)
    if not allocation.optimale:
        return
    for explication in expliquer(probleme, allocation):
        forced = construire_probleme(dossiers, scores, rules, historique_vide(),
                                     forces={explication.dossier: "test"})
        other = solve_checked(forced)
        if explication.cout is None:
            assert not other.optimale
        else:
            assert explication.cout == pytest.approx(
                allocation.score_total - other.score_total, abs=1e-6)
            assert explication.cout >= -1e-6  # nothing beats the optimum
        assert explication.regles  # a rule is always named


# --------------------------------------------------------------------------- reserve list


@settings(max_examples=100, deadline=None)
@given(petites_vagues())
def test_reserve_list_agrees_with_the_invariant_checker(instance):
    dossiers, scores, rules = instance
    probleme = construire_probleme(dossiers, scores, rules, historique_vide())
    allocation = solve_checked(probleme)
    if not allocation.optimale:
        return
    taille = len(probleme.dossiers)  # every candidate examined
    reserve, remplacants = liste_complementaire(probleme, allocation, taille)
    par_reserve = {r.dossier: set(r.remplace) for r in reserve}
    laureats = set(allocation.laureats)
    for dossier in probleme.dossiers:
        if dossier.dossier in laureats or not candidat(probleme, dossier):
            assert dossier.dossier not in par_reserve
            continue
        for sortant in laureats:
            swap = sorted((laureats - {sortant}) | {dossier.dossier})
            assert (sortant in par_reserve.get(dossier.dossier, set())) == (
                not verifier(probleme, swap)), (dossier.dossier, sortant)
    ordre = [r.dossier for r in reserve]
    assert ordre == sorted(ordre, key=lambda i: (-scores[i], i))
    for sortant, remplacant in remplacants.items():
        possibles = [r for r in ordre if sortant in par_reserve[r]]
        assert remplacant == (possibles[0] if possibles else None)


def test_sample_reserve_has_ten_dossiers_and_covers_every_replaceable_laureate():
    from tests.test_cli_allocate import sample_problem

    probleme = sample_problem("vague-05.xlsx", "raw")
    decision = decider(probleme, solve_checked(probleme))
    assert len(decision.reserve) >= 10
    for laureat, remplacant in decision.remplacants.items():
        assert remplacant is not None
        swap = [i for i in decision.allocation.laureats if i != laureat] + [remplacant]
        assert verifier(probleme, swap) == []


# --------------------------------------------------------------------------- departments


def test_department_table_counts_this_wave_the_history_and_the_caps():
    history = pd.DataFrame({"dossier": ["H1", "H2"], "nom": "", "lieux": [("X1",), ("X2",)],
                            "departement": ["35", "29"], "qpv": False, "numerique": False,
                            "montant": 100_000, "vague": 1})
    probleme = construire_probleme(
        table([("A", "35", False, False, 100_000), ("B", "22", False, False, 100_000)]),
        pd.Series({"A": 5.0, "B": 4.0}), regles(tolerance_rythme=200, numero=2), history)
    decision = decider(probleme, solve_checked(probleme))
    departements = table_departements(decision).set_index("departement")
    assert len(departements) == 101 + 6  # the collectivités d'outre-mer included
    assert departements.loc["35", ["laureats_vague", "laureats_avant", "cumul"]].tolist() == [
        1, 1, 2]
    assert departements.loc["29", "cumul"] == 1 and departements.loc["22", "cumul"] == 1
    assert departements["laureats_vague"].sum() == 2
    assert departements["part_equitable"].sum() == pytest.approx(300 * 2 / 10, abs=0.1)
    assert departements.loc["75", "nom"] == "Paris"


# --------------------------------------------------------------------------- optional goals


def test_goals_are_off_by_default():
    assert not regles().objectifs.actifs


def test_variable_grants_fit_more_laureates_under_one_common_ceiling():
    rows = [(f"D{i}", f"{i + 10}", False, False, montant)
            for i, montant in enumerate([150_000, 150_000, 150_000, 80_000])]
    scores = {"D0": 9.0, "D1": 8.0, "D2": 7.0, "D3": 6.0}
    fixed = _probleme(rows, scores, tolerance_rythme=200, enveloppe_vague=350_000)
    assert solve_checked(fixed).laureats == ("D0", "D1")  # 150 + 150 + 80 > 350 k€
    variable = _probleme(rows, scores, tolerance_rythme=200, enveloppe_vague=350_000,
                         objectifs=Objectifs(montants_variables=True))
    allocation = solve_checked(variable)
    assert allocation.laureats == ("D0", "D1", "D2", "D3")  # 4 × 75 k€ fit
    # One ceiling c with 3 × c + 80 000 ≤ 350 000: c = 90 000 €; D3 keeps its request.
    assert allocation.montants == {"D0": 90_000, "D1": 90_000, "D2": 90_000, "D3": 80_000}
    assert verifier(variable, allocation.laureats, allocation.montants) == []


def test_variable_grants_keep_the_requests_when_the_envelope_suffices():
    rows = [("A", "35", False, False, 150_000), ("B", "29", False, False, 90_000)]
    probleme = _probleme(rows, {"A": 5.0, "B": 4.0}, tolerance_rythme=200,
                         objectifs=Objectifs(montants_variables=True))
    assert montants_accordes(probleme, ("A", "B")) == {"A": 150_000, "B": 90_000}


def _objectif(probleme, subset):
    """The optional-goal objective, computed directly from its definition."""
    par_id = {d.dossier: d for d in probleme.dossiers}
    goals = probleme.regles.objectifs
    counts = Counter(par_id[i].departement for i in subset)
    value = sum(round(par_id[i].score, 6) for i in subset)
    value += goals.couverture * sum(
        1 for dep in counts if not probleme.deja_par_departement.get(dep, 0))
    value -= goals.parts_population * sum(
        max(0.0, probleme.deja_par_departement.get(dep, 0) + n
            - probleme.parts_equitables.get(dep, 0.0)) for dep, n in counts.items())
    return value


@settings(max_examples=80, deadline=None)
@given(petites_vagues(), st.sampled_from([0.0, 0.5, 3.0]), st.sampled_from([0.0, 1.0, 4.0]),
       st.booleans())
def test_optional_goals_match_brute_force(instance, couverture, parts, variables):
    dossiers, scores, rules = instance
    from dataclasses import replace

    rules = replace(rules, objectifs=Objectifs(couverture, parts, variables))
    probleme = construire_probleme(dossiers, scores, rules, historique_vide())
    ids = [d.dossier for d in probleme.dossiers]
    best = None
    for size in range(len(ids) + 1):
        for subset in itertools.combinations(ids, size):
            if not violations(probleme, list(subset)):
                value = _objectif(probleme, subset)
                best = value if best is None else max(best, value)
    allocation = solve_checked(probleme)
    if best is None:
        assert allocation.statut == "infaisable"
    else:
        assert allocation.optimale
        assert _objectif(probleme, allocation.laureats) == pytest.approx(best, abs=1e-6)


def test_coverage_prefers_a_department_without_a_fabrique():
    history = pd.DataFrame({"dossier": ["H1"], "nom": "", "lieux": [("X1",)],
                            "departement": ["35"], "qpv": False, "numerique": False,
                            "montant": 100_000, "vague": 1})
    rows = [("A", "35", False, False, 100_000), ("B", "48", False, False, 100_000)]
    scores = pd.Series({"A": 6.0, "B": 5.5})
    for couverture, expected in ((0.0, ("A",)), (1.0, ("B",))):
        probleme = construire_probleme(
            table(rows), scores, regles(max_laureats=1, tolerance_rythme=200, numero=2,
                                        objectifs=Objectifs(couverture=couverture)), history)
        assert solve_checked(probleme).laureats == expected
