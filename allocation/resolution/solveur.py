"""The solver entry point of SPEC §4, :func:`resoudre`: it leaves out the dossiers that can
never be chosen, solves the model the rule catalogue generates (:mod:`allocation.modele.regles`,
:mod:`allocation.resolution.moteur`), and answers an impossible wave with the smallest relaxation.

Objective: maximise the sum of the selected dossiers' scores, compared to 1e-6 so that
floating noise cannot decide. Ties are broken by a documented total order: among optimal
allocations, the one whose best dossier ranks highest wins, then the next, and so on —
rank by score (descending) then id (ascending) — so the decision never depends on the order
of rows in a file.

Optional goals (:class:`~lecture.programme.Objectifs`, off by default) add terms to the
objective (:func:`allocation.modele.regles.termes`); they never change a default run.
"""

from __future__ import annotations

import bisect
import time
from collections import defaultdict
from dataclasses import dataclass, field, replace

from allocation.modele.probleme import Dossier, ProblemeVague
from allocation.modele.regles import engagement_minimal
from allocation.resolution.moteur import MoteurVague, Statut
from commun.highs import Relaxation, version_solveur


@dataclass(frozen=True)
class Allocation:
    """The solver's answer: a status, and the laureates when the status is optimal."""

    statut: Statut
    laureats: tuple[str, ...]
    score_total: float
    relaxations: tuple[Relaxation, ...] = ()
    duree: float = 0.0
    solveur: str = ""
    #: laureate → granted amount in euros (the requested amount unless the optional goal
    #: ``montants_variables`` is on).
    montants: dict[str, int] = field(default_factory=dict)

    @property
    def optimale(self) -> bool:
        """True when a best allocation was found."""
        return self.statut is Statut.OPTIMAL


def candidats_utiles(probleme: ProblemeVague) -> list[Dossier]:
    """The candidates that can be in the chosen allocation: the others are dominated.

    A candidate d is dominated when, in its department and with its categories, at least K
    better-ranked candidates (score, then id) cost no more, hold places no other dossier
    shares, and are not forced — K being the most d's department can take with d
    (``max_laureats``, the wave's department cap, what the programme cap leaves). In any
    allocation holding d, one of them is free: exchanging it for d keeps every rule and
    never lowers the total, and the tie-break prefers it. So d is never chosen, and leaving
    it out of the model changes nothing but the size (100,000 dossiers → a few hundred).
    """
    regles = probleme.regles
    # Dossiers holding a place another dossier holds too (places compared by folded key).
    partageants = {i for ids in probleme.lieux_partages.values() for i in ids}
    groupes: dict[tuple[str, tuple[str, ...]], list[Dossier]] = defaultdict(list)
    for dossier in probleme.dossiers:
        if probleme.candidat(dossier):
            groupes[(dossier.departement, dossier.categories())].append(dossier)
    utiles = []
    for (departement, _), membres in groupes.items():
        k = min(regles.max_laureats, regles.max_par_departement_vague,
                max(0, regles.max_par_departement_programme
                    - probleme.deja_par_departement.get(departement, 0)))
        dominants: list[int] = []  # sorted costs of the better-ranked "free" candidates
        for dossier in sorted(membres, key=lambda d: probleme.departage.cle(d.dossier)):
            cout = engagement_minimal(probleme, dossier)
            forcee = dossier.dossier in probleme.forces
            if forcee or bisect.bisect_right(dominants, cout) < max(k, 1):
                utiles.append(dossier)
            if not forcee and dossier.dossier not in partageants:
                bisect.insort(dominants, cout)
    ordre = {d.dossier: i for i, d in enumerate(probleme.dossiers)}
    return sorted(utiles, key=lambda d: ordre[d.dossier])


def resoudre(probleme: ProblemeVague, departage: bool = True) -> Allocation:
    """Solve the wave problem; the one solver entry point.

    The dominated dossiers are left out (:func:`candidats_utiles`), the rest is solved by
    HiGHS on the model the rule catalogue generates
    (:class:`~allocation.resolution.moteur.MoteurVague`).
    When no allocation exists, the diagnosis runs on every candidate and gives the smallest
    weighted relaxation.

    ``departage=False`` skips the tie-break: the total is the same, only the choice among
    equally good allocations may differ (used when only the total matters).
    """
    debut = time.perf_counter()
    reduit = replace(probleme, dossiers=tuple(candidats_utiles(probleme)))
    solution = MoteurVague(reduit, depart=False).resoudre(departage=departage)
    if solution.statut is Statut.INFAISABLE:
        return Allocation(Statut.INFAISABLE, (), 0.0, diagnostiquer(probleme),
                          time.perf_counter() - debut, version_solveur())
    if solution.statut is Statut.ERREUR:
        return Allocation(Statut.ERREUR, (), 0.0, (), time.perf_counter() - debut,
                          version_solveur())
    return Allocation(Statut.OPTIMAL, solution.laureats, solution.score_total, (),
                      time.perf_counter() - debut, version_solveur(),
                      montants_accordes(probleme, solution.laureats))


def montants_accordes(probleme: ProblemeVague, laureats: tuple[str, ...]) -> dict[str, int]:
    """The amount granted to each laureate, in whole euros.

    By default, the amount requested. With the optional goal ``montants_variables``, when
    the requests exceed the envelope (the smaller of the wave's and the programme's
    remaining), every grant is cut to one common ceiling — the highest whole-euro ceiling
    that fits — and never below ``montant_min``: those who asked least keep their request.
    """
    par_id = {d.dossier: d for d in probleme.dossiers}
    demandes = {i: par_id[i].montant for i in laureats}
    budget = min(probleme.enveloppe_vague, probleme.enveloppe_restante)
    if not probleme.regles.objectifs.montants_variables or sum(demandes.values()) <= budget:
        return demandes
    plancher = probleme.regles.montant_min

    def accordes(plafond: int) -> dict[str, int]:
        return {i: min(d, max(plafond, min(d, plancher))) for i, d in demandes.items()}

    bas, haut = plancher, max(demandes.values())  # accordes(bas) fits: the model ensured it
    while bas < haut:
        milieu = (bas + haut + 1) // 2
        if sum(accordes(milieu).values()) <= budget:
            bas = milieu
        else:
            haut = milieu - 1
    return accordes(bas)


def diagnostiquer(probleme: ProblemeVague) -> tuple[Relaxation, ...]:
    """The smallest weighted relaxation of the rules that makes an allocation exist, found
    on every candidate (:meth:`~allocation.resolution.moteur.MoteurVague.diagnostiquer`)."""
    relaxations = MoteurVague(probleme, depart=False).diagnostiquer()
    if relaxations is None:
        return (Relaxation("forcages", 0, "les dossiers imposés par le jury sont incompatibles "
                                          "entre eux (même lieu) : revoyez les forçages"),)
    return relaxations

