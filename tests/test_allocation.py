"""Allocation: eligibility rules, the integer program against brute force, infeasibility
diagnosis, deterministic ties, jury overrides. The invariant checker ``verifier`` runs on
every solution."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import luhn

from allocation.modele.probleme import construire_probleme
from allocation.modele.regles_dossier import candidat
from allocation.modele.verification import verifier
from allocation.resolution.solveur import resoudre
from lecture.eligibilite import hors_ville_centre_ou_en_qpv, siret_valide
from lecture.historique import historique_vide
from lecture.programme import Objectifs
from tests.factories import REGLES, regles, table


def solve_checked(probleme):
    """Solve and run the invariant checker on the answer."""
    allocation = resoudre(probleme)
    if allocation.optimale:
        assert verifier(probleme, allocation.laureats) == []
        assert verifier(probleme, allocation.laureats, allocation.montants) == []
    return allocation


# --------------------------------------------------------------------------- eligibility


def test_siret_luhn_and_la_poste_rule():
    assert siret_valide("73282932000074")
    assert not siret_valide("73282932000075")
    assert not siret_valide("7328293200007") and not siret_valide(None)
    la_poste = "35600000000015"  # digit sum 20: valid under La Poste's own rule
    assert not luhn.is_valid(la_poste) and siret_valide(la_poste)
    assert not siret_valide("35600000000016")


def test_siret_edge_cases_of_issue_13():
    # La Poste's head office passes Luhn but not the digit-sum rule: INSEE's exception.
    assert siret_valide("35600000000048")
    assert not siret_valide("00000000000000")  # a SIREN of zeros is never issued
    # 14 digits passing Luhn but a SIREN whose own check digit is wrong.
    siren_faux = "732829321"
    assert not luhn.is_valid(siren_faux)
    siret = siren_faux + "0000" + luhn.calc_check_digit(siren_faux + "0000")
    assert luhn.is_valid(siret) and not siret_valide(siret)


@pytest.mark.parametrize(("code", "qpv", "eligible"), [
    ("69383", False, False),  # Lyon 3e arrondissement, hors QPV
    ("69383", True, True),
    ("13001", False, False),  # Aix-en-Provence counts with Marseille
    ("75056", False, False),
    ("75112", False, False),
    ("35047", False, True),  # Bruz, in Rennes Métropole but not the ville-centre
])
def test_ville_centre_rule_covers_arrondissements(code, qpv, eligible):
    motif = hors_ville_centre_ou_en_qpv({"code_commune": code, "qpv": qpv}, REGLES)
    assert (motif is None) == eligible


# --------------------------------------------------------------------------- solver


def test_best_total_score_wins_and_caps_hold():
    dossiers = table([("A", "35", False, False, 100_000), ("B", "35", False, False, 100_000),
                      ("C", "35", False, False, 100_000), ("D", "29", True, False, 100_000)])
    scores = pd.Series({"A": 9.0, "B": 8.0, "C": 7.0, "D": 1.0})
    probleme = construire_probleme(dossiers, scores,
                                   regles(max_laureats=3, tolerance_rythme=200),
                                   historique_vide())
    allocation = solve_checked(probleme)
    assert allocation.laureats == ("A", "B", "D")  # C blocked by the 2-per-department cap


def test_ties_are_broken_by_id_deterministically():
    dossiers = table([("B", "35", False, False, 100_000), ("A", "29", False, False, 100_000)])
    scores = pd.Series({"A": 5.0, "B": 5.0})
    probleme = construire_probleme(dossiers, scores, regles(max_laureats=1, tolerance_rythme=200),
                                   historique_vide())
    assert [solve_checked(probleme).laureats for _ in range(3)] == [("A",)] * 3


def test_shared_place_admits_one_dossier_only():
    dossiers = table([("A", "35", False, False, 100_000, ["L1"]),
                      ("B", "29", False, False, 100_000, ["L1", "L2"])])
    scores = pd.Series({"A": 5.0, "B": 6.0})
    probleme = construire_probleme(dossiers, scores, regles(tolerance_rythme=200),
                                   historique_vide())
    assert probleme.lieux_partages == {"L1": ["A", "B"]}
    assert solve_checked(probleme).laureats == ("B",)


def test_jury_overrides_are_honoured():
    dossiers = table([(x, d, False, False, 100_000) for x, d in
                      (("A", "35"), ("B", "29"), ("C", "22"))])
    scores = pd.Series({"A": 9.0, "B": 8.0, "C": 1.0})
    probleme = construire_probleme(dossiers, scores, regles(max_laureats=2, tolerance_rythme=200),
                                   historique_vide(), forces={"C": "projet pilote"},
                                   exclus={"A": "doublon avec un autre financement"})
    assert solve_checked(probleme).laureats == ("B", "C")


def test_infeasible_rules_are_diagnosed_with_the_smallest_relaxation():
    # Wave 10 of 10 with 28 numériques found: the last wave must bring 2 of them at least
    # (pace 2, tolerance 0) but only one numérique dossier exists.
    dossiers = table([("N1", "93", True, True, 100_000), ("Q1", "92", True, False, 100_000),
                      ("H1", "35", False, False, 100_000)])
    history = pd.DataFrame({
        "dossier": [f"H{i}" for i in range(28)], "nom": "", "lieux": [(f"X{i}",) for i in
                                                                     range(28)],
        "departement": [f"{i % 90 + 1:02d}" for i in range(28)], "qpv": True,
        "numerique": True, "montant": 100_000, "vague": 9,
    })
    rules = regles(numero=10, tolerance_rythme=0, cible_qpv=30, cible_hors_qpv=1)
    probleme = construire_probleme(dossiers, pd.Series({"N1": 5.0, "Q1": 5.0, "H1": 5.0}),
                                   rules, history)
    allocation = solve_checked(probleme)
    assert allocation.statut == "infaisable"
    messages = [r.message for r in allocation.relaxations]
    assert "abaisser le rythme minimum de Fabriques numériques de 2 à 1" in messages


@st.composite
def petites_vagues(draw):
    n = draw(st.integers(1, 8))
    rows, scores = [], {}
    for i in range(n):
        qpv = draw(st.booleans())
        lieux = [f"L{draw(st.integers(0, 9))}"]
        rows.append((f"D{i}", draw(st.sampled_from(["35", "29", "22"])), qpv,
                     qpv and draw(st.booleans()), draw(st.sampled_from([75_000, 100_000,
                                                                         150_000])), lieux))
        scores[f"D{i}"] = draw(st.integers(0, 20)) / 2
    rules = regles(
        max_laureats=draw(st.integers(1, 5)), tolerance_rythme=draw(st.integers(0, 3)),
        cible_qpv=draw(st.integers(0, 6)), cible_hors_qpv=draw(st.integers(0, 6)),
        cible_numeriques=draw(st.integers(0, 3)), nombre_vagues=2, numero=1,
        max_par_departement_vague=draw(st.integers(1, 3)),
        enveloppe_vague=draw(st.sampled_from([None, 200_000, 300_000])),
        note_minimale=draw(st.sampled_from([0, 3])),
    )
    return table(rows), pd.Series(scores), rules


@settings(max_examples=150, deadline=None)
@given(petites_vagues())
def test_solver_matches_brute_force_on_small_waves(instance):
    dossiers, scores, rules = instance
    probleme = construire_probleme(dossiers, scores, rules, historique_vide())
    ids = [d.dossier for d in probleme.dossiers]
    best = None
    for size in range(len(ids) + 1):
        for subset in itertools.combinations(ids, size):
            if not verifier(probleme, list(subset)):
                total = sum(scores[i] for i in subset)
                best = total if best is None else max(best, total)
    allocation = solve_checked(probleme)
    if best is None:
        assert allocation.statut == "infaisable" and allocation.relaxations
    else:
        assert allocation.optimale
        assert allocation.score_total == pytest.approx(best)
        optimaux = [s for size in range(len(ids) + 1)
                    for s in itertools.combinations(ids, size)
                    if not verifier(probleme, list(s))
                    and abs(sum(scores[i] for i in s) - best) < 1e-9]
        assert allocation.laureats == tuple(sorted(meilleur_par_rang(probleme, optimaux)))


def meilleur_par_rang(probleme, selections):
    """The documented total order: the selection whose best dossier ranks highest, then the
    next… (rank: score descending, then id) — compared as 0/1 vectors in rank order."""
    ordre = [d.dossier for d in sorted(probleme.dossiers,
                                        key=lambda d: (-round(d.score, 6), d.dossier))]
    return max(selections, key=lambda s: tuple(i in s for i in ordre))


def test_the_tie_break_is_a_total_order_whatever_the_row_order():
    """A 6.0, B 5.5, C 3.0, D 2.5 (and a weaker E); A and B share a place, A and C a
    department capped at 1; 2 laureates. {A, D} and {B, C} both total 8.5: the best-ranked
    dossier, A, decides — in every order of the rows."""
    lignes = [("A", "35", False, False, 100_000, ["LIEU"]), ("B", "29", False, False, 100_000,
                                                              ["LIEU"]),
              ("C", "35", False, False, 100_000), ("D", "22", False, False, 100_000),
              ("E", "56", False, False, 100_000)]
    notes = {"A": 6.0, "B": 5.5, "C": 3.0, "D": 2.5, "E": 1.0}
    rules = regles(max_laureats=2, tolerance_rythme=200, max_par_departement_vague=1)
    vus = set()
    for ordre in itertools.permutations(lignes):
        probleme = construire_probleme(table(list(ordre)), pd.Series(notes), rules,
                                       historique_vide())
        vus.add(solve_checked(probleme).laureats)
    assert vus == {("A", "D")}


@st.composite
def vagues_moyennes(draw):
    """Up to 30 dossiers in 3 departments: enough for the dominance reduction to bite —
    with places shared by two dossiers or more, the optional goals, a history that fills a
    department, and the lottery's drawn order among some of them."""
    n = draw(st.integers(5, 30))
    rows, scores = [], {}
    for i in range(n):
        qpv = draw(st.booleans())
        lieu = draw(st.integers(0, 12))
        rows.append((f"D{i:02d}", draw(st.sampled_from(["35", "29", "22"])), qpv,
                     qpv and draw(st.booleans()),
                     draw(st.sampled_from([75_000, 100_000, 150_000])),
                     [f"COMMUN{lieu}"] if lieu < 2 else [f"L{i}"]))
        scores[f"D{i:02d}"] = draw(st.integers(0, 12)) / 2  # many ties
    objectifs = Objectifs(couverture=draw(st.sampled_from([0.0, 0.0, 1.5])),
                          parts_population=draw(st.sampled_from([0.0, 0.0, 0.7])),
                          montants_variables=draw(st.booleans()))
    rules = regles(max_laureats=draw(st.integers(1, 8)), tolerance_rythme=draw(st.integers(0, 3)),
                   cible_qpv=draw(st.integers(0, 12)), cible_hors_qpv=draw(st.integers(0, 12)),
                   cible_numeriques=draw(st.integers(0, 4)), nombre_vagues=2, numero=2,
                   max_par_departement_vague=draw(st.integers(1, 4)),
                   max_par_departement_programme=draw(st.integers(2, 5)),
                   enveloppe_vague=draw(st.sampled_from([None, 300_000, 500_000])),
                   objectifs=objectifs)
    forces = {f"D{draw(st.integers(0, n - 1)):02d}": "jury"} if draw(st.booleans()) else {}
    deja = draw(st.integers(0, 3))  # laureates of the first wave, all in department 35
    historique = pd.DataFrame({"dossier": [f"H{k}" for k in range(deja)], "vague": 1,
                               "departement": "35", "qpv": False, "numerique": False,
                               "montant": 100_000, "lieux": [(f"HL{k}",) for k in range(deja)]})
    tires = draw(st.permutations(sorted(scores))).__getitem__(slice(draw(st.integers(0, 6))))
    return table(rows), pd.Series(scores), rules, forces, historique, tuple(tires)


@settings(max_examples=150, deadline=None)
@given(vagues_moyennes())
def test_leaving_dominated_dossiers_out_changes_nothing(instance):
    import allocation.resolution.solveur as solveur

    dossiers, scores, rules, forces, historique, tires = instance
    probleme = construire_probleme(dossiers, scores, rules,
                                   pd.concat([historique_vide(), historique]), forces)
    probleme = replace(probleme, ordre_tire={i: k for k, i in enumerate(tires, start=1)})
    reduced = solve_checked(probleme)
    original = solveur.candidats_utiles
    solveur.candidats_utiles = lambda p: [d for d in p.dossiers if candidat(p, d)]
    try:
        full = resoudre(probleme)
    finally:
        solveur.candidats_utiles = original
    assert reduced.statut == full.statut
    assert reduced.laureats == full.laureats  # same optimum, same tie-break


def test_a_cheaper_dossier_is_kept_when_the_envelope_needs_it():
    # A, B, C: one department, one category, two places at most. B and A rank above C but
    # cost twice as much: only A + C fits the envelope, so C is not dominated.
    dossiers = table([("A", "35", False, False, 150_000), ("B", "35", False, False, 150_000),
                      ("C", "35", False, False, 75_000)])
    rules = regles(max_laureats=2, tolerance_rythme=200, max_par_departement_vague=2,
                   enveloppe_vague=225_000)
    probleme = construire_probleme(dossiers, pd.Series({"A": 9.0, "B": 8.0, "C": 7.0}), rules,
                                   historique_vide())
    from allocation.resolution.solveur import candidats_utiles

    assert {d.dossier for d in candidats_utiles(probleme)} == {"A", "B", "C"}
    assert solve_checked(probleme).laureats == ("A", "C")


def test_a_dossier_is_left_out_only_behind_as_many_better_ones_as_its_department_takes():
    # A department takes two: B, behind A alone, stays; C, behind A and B, is dominated.
    dossiers = table([("A", "35", False, False, 75_000), ("B", "35", False, False, 75_000),
                      ("C", "35", False, False, 75_000), ("D", "29", False, False, 75_000)])
    rules = regles(max_laureats=3, tolerance_rythme=200, max_par_departement_vague=2)
    probleme = construire_probleme(
        dossiers, pd.Series({"A": 9.0, "B": 8.0, "C": 7.0, "D": 1.0}), rules,
        historique_vide())
    from allocation.resolution.solveur import candidats_utiles

    assert {d.dossier for d in candidats_utiles(probleme)} == {"A", "B", "D"}
    assert solve_checked(probleme).laureats == ("A", "B", "D")


def test_a_place_spelt_differently_still_keeps_its_dossier_in_the_reduced_model():
    # A and B share « Le Hangar », spelt differently: at most one may be laureate. B and C
    # are in one department capped at 1. B would dominate C only if B's place were free;
    # it is not (A takes it), so C must stay in the reduced model: the optimum is {A, C}.
    dossiers = table([("A", "35", False, False, 75_000, ("Le Hangar",)),
                      ("B", "29", False, False, 75_000, ("le  hangar",)),
                      ("C", "29", False, False, 75_000, ("L-C",))])
    rules = regles(max_laureats=3, tolerance_rythme=200, max_par_departement_vague=1)
    probleme = construire_probleme(dossiers, pd.Series({"A": 9.0, "B": 8.0, "C": 7.0}), rules,
                                   historique_vide())
    from allocation.resolution.solveur import candidats_utiles

    assert {d.dossier for d in candidats_utiles(probleme)} == {"A", "B", "C"}
    assert solve_checked(probleme).laureats == ("A", "C")
