"""How sure each score, rank and selection is — and the zone of uncertainty at the funding
line (SNSF-style: Heyard et al. 2022, « Rethinking the funding line at the Swiss National
Science Foundation »).

Scores and ranks are drawn as :mod:`notation.incertitude` does (the calibration model's
standard errors); each draw is also decided under the wave's rules by the allocation
engine, which gives each dossier's probability of being selected (0 when inéligible).

The **zone of uncertainty** is the set of eligible candidates whose 50 % score interval
crosses the last laureate's score: the dossiers the jury should discuss first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from allocation.modele.probleme import ProblemeVague
from allocation.modele.regles_dossier import candidat
from allocation.resolution.moteur import MoteurVague
from allocation.resolution.parallele import MOTEURS, en_parallele
from allocation.resolution.solveur import Allocation
from notation.calibration import ModeleJures
from notation.incertitude import (
    TIRAGES,
    Z50,
    ecarts_types,
    table_incertitude,
    tirer_scores,
)


@dataclass(frozen=True)
class Incertitude:
    """The uncertainty of a decided wave: one row per dossier, and its zone."""

    table: pd.DataFrame
    zone: tuple[str, ...]
    seuil: float  # the last laureate's score (NaN without laureates)
    tirages: int


def zone_incertitude(probleme: ProblemeVague, allocation: Allocation,
                     ecarts: pd.Series) -> tuple[tuple[str, ...], float]:
    """(the candidates whose 50 % interval — score ± 0.674 sd — contains the last
    laureate's score, in rank order; that score, NaN without laureates)."""
    scores = {d.dossier: d.score for d in probleme.dossiers}
    notes = [scores[i] for i in allocation.laureats if not np.isnan(scores[i])]
    seuil = float(min(notes)) if notes else float("nan")
    if np.isnan(seuil):
        return (), seuil
    dans = [d.dossier for d in probleme.dossiers if candidat(probleme, d)
            and abs(d.score - seuil) <= Z50 * float(np.nan_to_num(ecarts.get(d.dossier, 0.0)))]
    return tuple(probleme.departage.classer(dans)), seuil


def incertitude(probleme: ProblemeVague, allocation: Allocation, modele: ModeleJures,
                poids: dict[str, float], tirages: int = TIRAGES,
                progression: Callable[[int, int], None] | None = None) -> Incertitude:
    """Intervals, ranks and selection probabilities of every dossier of a decided wave;
    ``progression`` is told ``(draws decided, tirages)`` as the draws are decided."""
    ids = [d.dossier for d in probleme.dossiers]
    scores = pd.Series({d.dossier: d.score for d in probleme.dossiers}, dtype=float)
    ecarts = ecarts_types(modele, poids, pd.Index(ids))
    tires = tirer_scores(scores, ecarts, tirages)
    table = table_incertitude(scores, ecarts, tires)
    moteurs = [MoteurVague(probleme, diagnostic=False, tirages=True) for _ in range(MOTEURS)]
    position = {i: k for k, i in enumerate(ids)}
    colonnes = np.array([position[i] for i in moteurs[0].ids], dtype=int)

    def selection(moteur: MoteurVague, tirage: np.ndarray) -> tuple[str, ...]:
        # Continuous draws never tie: the lexicographic tie-break is not needed.
        return moteur.resoudre(tirage[colonnes], departage=False).laureats

    retenus = np.zeros(len(ids))
    for laureats in en_parallele(moteurs, selection, list(tires), progression):
        for identifiant in laureats:
            retenus[position[identifiant]] += 1
    zone, seuil = zone_incertitude(probleme, allocation, ecarts)
    table["probabilite_selection"] = retenus / max(tirages, 1)
    table["zone_incertitude"] = [i in zone for i in ids]
    table = probleme.departage.ordonner(table)
    table = table.sort_values("zone_incertitude", ascending=False, kind="stable")
    return Incertitude(table.reset_index(drop=True), zone, seuil, tirages)


def tirage_partiel(probleme: ProblemeVague, modele: ModeleJures, poids: dict[str, float],
                   allocation: Allocation, graine: int) -> tuple[ProblemeVague, tuple[str, ...]]:
    """The partial lottery (off by default, ``[tirage] actif = true``): the dossiers of the
    zone of uncertainty count as tied — their scores are set to the zone's mean — and their
    order between them is drawn with ``graine``; every rule still holds, and the dossiers
    above the zone keep their scores, hence their places. Returns the problem to solve and
    the order drawn (first drawn first)."""
    ids = [d.dossier for d in probleme.dossiers]
    scores = {d.dossier: d.score for d in probleme.dossiers}
    ecarts = ecarts_types(modele, poids, pd.Index(ids))
    zone = sorted(zone_incertitude(probleme, allocation, ecarts)[0])
    if len(zone) < 2:
        return probleme, tuple(zone)
    ordre = [zone[k] for k in np.random.default_rng(graine).permutation(len(zone))]
    commun = float(np.mean([scores[i] for i in zone]))
    dossiers = tuple(replace(d, score=commun) if d.dossier in zone else d
                     for d in probleme.dossiers)
    return (replace(probleme, dossiers=dossiers,
                    ordre_tire={i: rang for rang, i in enumerate(ordre, start=1)}),
            tuple(ordre))
