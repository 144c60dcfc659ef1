"""The trade-offs of one decision, built once for ``fabriques tradeoffs`` and the app's
« Arbitrages » page alike: the price of each rule, the Pareto frontiers, the robustness of
the selection under resampled juries, and two decisions compared."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import replace

import pandas as pd

from allocation.analyses.arbitrages import (
    Progression,
    Scenario,
    comparer_scenarios,
    pareto_budget,
    pareto_departements,
    pareto_qpv,
    prix_des_regles,
    robustesse,
    table_pareto,
    table_prix,
    table_robustesse,
)
from allocation.sorties.export import classeur_tables, parametres_de
from application.service import Resultat, decider_vague
from commun.chaine import Ancre
from lecture.chargement import Chargement

#: The Pareto frontiers, by axis: the score total against each (sheets ``pareto_<axe>``).
AXES_PARETO = {"departements": pareto_departements, "budget": pareto_budget,
               "qpv": pareto_qpv}

#: A step shown to the user while it runs, and the function it is told its progress by.
Etape = Callable[[str], AbstractContextManager[Progression]]


@contextmanager
def _en_silence(_titre: str) -> Iterator[Progression]:
    yield lambda _fait, _total: None


def prix(resultat: Resultat) -> pd.DataFrame:
    """Sheet ``prix_des_regles``: what lifting each rule alone would gain, who enters and
    who leaves."""
    return table_prix(prix_des_regles(resultat.probleme))


def pareto(resultat: Resultat, axe: str) -> pd.DataFrame:
    """Sheet ``pareto_<axe>``: the selections that trade score total for ``axe`` (a key of
    :data:`AXES_PARETO`)."""
    return table_pareto(AXES_PARETO[axe](resultat.probleme))


def robustesse_de(resultat: Resultat, tirages: int,
                  progression: Progression | None = None) -> pd.DataFrame:
    """Sheet ``robustesse``: each dossier's selection probability under ``tirages`` juries
    drawn with replacement, without each juror, and under every method — with the
    decision's method and weights."""
    parametres = resultat.parametres
    return table_robustesse(
        robustesse(resultat.vague, resultat.probleme, parametres.methode,
                   dict(parametres.poids) or None, tirages=tirages, progression=progression),
        resultat.probleme)


def comparaison(a: tuple[str, Resultat], b: tuple[str, Resultat]) -> pd.DataFrame:
    """The dossiers two named decisions select differently (empty: the same laureates)."""
    return comparer_scenarios(*(Scenario(nom, r.probleme, r.allocation) for nom, r in (a, b)))


def tables_arbitrages(chargement: Chargement, resultat: Resultat, tirages: int,
                      comparer: str | None = None, ancre: Ancre | None = None,
                      etape: Etape = _en_silence) -> dict[str, pd.DataFrame]:
    """Every sheet of the trade-offs workbook, in order, for an optimal decision; with
    ``comparer`` (a method), the sheet ``comparaison`` against the decision that method
    gives. ``etape`` shows each step while it runs."""
    with etape("Prix des règles et frontières de Pareto") as avancer:
        tables = {"prix_des_regles": prix(resultat)}
        for fait, axe in enumerate(AXES_PARETO, start=1):
            avancer(fait, len(AXES_PARETO) + 1)
            tables[f"pareto_{axe}"] = pareto(resultat, axe)
    with etape("Robustesse (tirages du jury)") as avancer:
        tables["robustesse"] = robustesse_de(resultat, tirages, avancer)
    if comparer:
        with etape(f"Sélection avec la méthode {comparer}"):
            autre = decider_vague(chargement, replace(resultat.parametres, methode=comparer),
                                  avec_decision=False)
        if isinstance(autre, Resultat) and autre.allocation.optimale:
            tables["comparaison"] = comparaison((resultat.parametres.methode, resultat),
                                                (comparer, autre))
    tables["parametres"] = parametres_de(
        chargement, resultat.scores, resultat.probleme, resultat.allocation,
        resultat.parametres.revisions, ancre)
    return tables


def classeur_arbitrages(tables: dict[str, pd.DataFrame]) -> bytes:
    """The trade-offs workbook: one sheet per table of :func:`tables_arbitrages`."""
    return classeur_tables(tables)
