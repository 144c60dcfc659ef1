"""Trade-offs: the re-solve engine agrees with the decision solver; the price of a rule is the
difference of two independent solves; Pareto points are valid and non-dominated; resampled
scores equal a rescoring from scratch; leave-one-juror-out finds the dossiers an erratic
juror decided; scenarios are compared with reasons; ``fabriques tradeoffs`` writes its
workbook."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allocation.analyses.arbitrages import (
    Scenario,
    comparer_scenarios,
    pareto_budget,
    pareto_departements,
    pareto_qpv,
    prix_des_regles,
    robustesse,
)
from allocation.modele.probleme import construire_probleme
from allocation.modele.regles import familles_levables
from allocation.modele.rythme import BornesRythme
from allocation.modele.verification import verifier
from allocation.resolution.moteur import MoteurVague
from allocation.resolution.solveur import resoudre
from fabriques.cli import main
from lecture.historique import historique_vide
from lecture.programme import Objectifs
from lecture.vague import lire_vague
from notation.normalisation import METHODES, noter
from notation.reechantillonnage import Reechantillonneur
from tests.test_allocation import petites_vagues, solve_checked
from tests.test_cli_allocate import sample_problem

SAMPLES = Path(__file__).resolve().parents[1] / "sample_waves"
GRAND = 10**9


def lever(probleme, famille):
    """The same wave with one rule family lifted, built independently of the engine."""
    regles = probleme.regles
    if famille.startswith("rythme_"):
        categorie = famille.removeprefix("rythme_")
        bornes = {**probleme.bornes, categorie: BornesRythme(0, GRAND, GRAND, 0.0)}
        return replace(probleme, bornes=bornes)
    if famille == "departement_vague":
        return replace(probleme, regles=replace(regles, max_par_departement_vague=GRAND))
    if famille == "departement_programme":
        return replace(probleme, regles=replace(regles, max_par_departement_programme=GRAND))
    if famille == "enveloppe":
        return replace(probleme, enveloppe_vague=GRAND * 1000, enveloppe_restante=GRAND * 1000)
    if famille == "lieux":
        return replace(probleme, lieux_partages={})
    if famille == "max_par_an":
        return replace(probleme, regles=replace(regles, max_par_an=None))
    assert famille == "note_minimale"
    return replace(probleme, regles=replace(regles, note_minimale=-math.inf))


@settings(max_examples=80, deadline=None)
@given(petites_vagues(), st.sampled_from([0.0, 2.0]), st.sampled_from([0.0, 1.0]),
       st.booleans())
def test_engine_finds_the_same_optimum_as_the_decision_solver(instance, couverture, parts,
                                                              variables):
    dossiers, scores, rules = instance
    rules = replace(rules, objectifs=Objectifs(couverture, parts, variables))
    probleme = construire_probleme(dossiers, scores, rules, historique_vide())
    reference = solve_checked(probleme)
    solution = MoteurVague(probleme).resoudre()
    assert solution.optimale == reference.optimale
    if solution.optimale:
        assert verifier(probleme, solution.laureats) == []
        assert solution.laureats == reference.laureats  # same optimum, same tie-break
        assert solution.score_total == pytest.approx(reference.score_total, abs=1e-6)


@settings(max_examples=60, deadline=None)
@given(petites_vagues())
def test_price_of_a_rule_is_the_difference_of_two_independent_solves(instance):
    dossiers, scores, rules = instance
    probleme = construire_probleme(dossiers, scores, rules, historique_vide())
    base = resoudre(probleme)
    if not base.optimale:
        return
    for prix in prix_des_regles(probleme):
        leve = resoudre(lever(probleme, prix.regle))
        assert leve.optimale
        assert prix.gain == pytest.approx(leve.score_total - base.score_total, abs=1e-6)
        assert prix.gain >= -1e-9


@pytest.mark.parametrize("famille", ["rythme_numeriques", "rythme_hors_qpv",
                                     "departement_vague"])
def test_the_rules_that_bind_on_wave_6_have_a_price(famille):
    # The sample waves bind as real ones do: strong territories meet the department cap,
    # strong Fabriques numériques the pace's maximum.
    probleme = sample_problem("vague-06", "raw")
    prix = {p.regle: p for p in prix_des_regles(probleme)}
    assert set(prix) == set(familles_levables())
    base = resoudre(probleme)
    leve = resoudre(lever(probleme, famille))
    assert prix[famille].gain == pytest.approx(leve.score_total - base.score_total)
    assert prix[famille].gain > 0  # the rule holds a better-scored dossier out
    assert set(prix[famille].entrent) == set(leve.laureats) - set(base.laureats)


@pytest.mark.parametrize("balayage", [pareto_departements, pareto_budget, pareto_qpv])
def test_pareto_points_are_valid_allocations_and_non_dominated(balayage):
    probleme = sample_problem("vague-05.xlsx", "raw")
    points = balayage(probleme)
    assert len(points) >= 2
    par_id = {d.dossier: d for d in probleme.dossiers}
    plus_est_mieux = balayage is not pareto_budget
    for p in points:
        assert verifier(probleme, p.laureats) == []
        if balayage is pareto_departements:
            assert p.valeur == len({par_id[i].departement for i in p.laureats})
        elif balayage is pareto_budget:
            assert p.valeur == sum(par_id[i].montant for i in p.laureats)
        assert p.score_total == pytest.approx(sum(round(par_id[i].score, 6)
                                                  for i in p.laureats))
        for q in points:
            if q is p:
                continue
            better_axis = q.valeur >= p.valeur if plus_est_mieux else q.valeur <= p.valeur
            assert not (better_axis and q.score_total >= p.score_total
                        and (q.valeur != p.valeur or q.score_total > p.score_total))
    # The unconstrained optimum is one end of every frontier.
    assert max(p.score_total for p in points) == pytest.approx(resoudre(probleme).score_total)


@pytest.mark.parametrize("methode", METHODES)
def test_resampled_scores_equal_a_rescoring_from_scratch(methode):
    vague = lire_vague(SAMPLES / "vague-05.xlsx").vague
    resampler = Reechantillonneur(vague, methode)
    weights = np.ones(len(vague.jury))
    pd.testing.assert_series_equal(resampler.scores(weights), noter(vague, methode).score,
                                   check_names=False, atol=1e-9)
    if methode in ("raw", "zscore", "minmax", "rank"):
        weights[0], weights[3] = 0, 2  # J01 left out, J04 counted twice
        pd.testing.assert_series_equal(resampler.scores(weights), resampler._lent(weights),
                                       check_names=False, atol=1e-9)


def test_leave_one_juror_out_finds_the_dossiers_the_erratic_juror_decided():
    # Wave 6 with J05 made wildly erratic: each of their notes is the scale's bottom or top.
    vague = lire_vague(SAMPLES / "vague-06").vague
    notes = vague.notes.copy()
    erratic = notes["jure"] == "J05"
    extremes = np.random.default_rng(5).integers(0, 2, erratic.sum())
    notes.loc[erratic, "note"] = np.where(extremes == 1, vague.criteres[0].note_max,
                                          vague.criteres[0].note_min)
    vague = replace(vague, notes=notes)

    def rescored(probleme, wave):
        scores = noter(wave, "raw").score
        return replace(probleme, dossiers=tuple(replace(d, score=float(scores[d.dossier]))
                                                for d in probleme.dossiers))

    probleme = rescored(sample_problem("vague-06", "raw"), vague)
    results = robustesse(vague, probleme, "raw", tirages=0, processus=1)
    base = set(resoudre(probleme).laureats)
    without = replace(vague, notes=vague.notes[vague.notes["jure"] != "J05"],
                      jury=tuple(j for j in vague.jury if j.jure != "J05"))
    other = resoudre(rescored(probleme, without))
    decided = base ^ set(other.laureats)
    assert decided  # J05 did decide some
    found = {r.dossier for r in results if "J05" in r.jures_decisifs}
    assert found == decided
    counts = {j.jure: sum(j.jure in r.jures_decisifs for r in results) for j in vague.jury}
    assert counts["J05"] == max(counts.values())
    for r in results:
        if r.dossier in decided:
            assert r.label != "stable"


def test_bootstrap_is_reproducible_and_the_same_in_one_or_two_processes():
    vague = lire_vague(SAMPLES / "vague-05.xlsx").vague
    probleme = sample_problem("vague-05.xlsx", "raw")
    seen = []
    one = robustesse(vague, probleme, tirages=200, processus=1,
                     progression=lambda done, total: seen.append((done, total)))
    two = robustesse(vague, probleme, tirages=200, processus=2)
    assert one == two
    assert seen[-1][0] == seen[-1][1] and seen == sorted(seen)
    labels = {r.label for r in one}
    assert labels <= {"stable", "borderline", "depends_on_method"} and "stable" in labels
    for r in one:
        assert 0.0 <= r.probabilite <= 1.0
        if r.label == "stable":
            assert r.probabilite <= 0.1 or r.probabilite >= 0.9


def test_two_scenarios_are_compared_with_reasons():
    raw, bias = sample_problem("vague-05.xlsx", "raw"), sample_problem("vague-05.xlsx", "bias")
    a = Scenario("raw", raw, resoudre(raw))
    b = Scenario("bias", bias, resoudre(bias))
    table = comparer_scenarios(a, b)
    assert set(table["dossier"]) == set(a.allocation.laureats) ^ set(b.allocation.laureats)
    assert len(table) > 0
    assert all("note" in raison for raison in table["raison"])
    assert (table["laureat_raw"] != table["laureat_bias"]).all()


def test_tradeoffs_command_writes_its_workbook(tmp_path, capsys):
    out = tmp_path / "arbitrages.xlsx"
    assert main(["tradeoffs", str(SAMPLES / "vague-05.xlsx"), "--out", str(out),
                 "--tirages", "60", "--comparer", "bias"]) == 0
    err = capsys.readouterr().err
    assert "Robustesse" not in err  # progress is shown on a terminal only (test_francais_cli)
    workbook = openpyxl.load_workbook(out)
    assert workbook.sheetnames == ["prix_des_regles", "pareto_departements", "pareto_budget",
                                   "pareto_qpv", "robustesse", "comparaison", "parametres"]
    assert [c.value for c in workbook["comparaison"][1]][-1] == "raison"
    header = [c.value for c in workbook["prix_des_regles"][1]]
    assert header[:4] == ["regle", "gain", "entrent", "sortent"]
    header = [c.value for c in workbook["robustesse"][1]]
    assert header[:3] == ["dossier", "probabilite", "label"]
    assert workbook["robustesse"].max_row == 1 + sum(
        1 for d in sample_problem("vague-05.xlsx", "raw").dossiers if d.eligible)
