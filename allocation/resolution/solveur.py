"""The solver entry point of SPEC §4, :func:`resoudre`: it leaves out the dossiers that can
never be chosen, solves the model the rule catalogue generates (:mod:`allocation.modele.regles`,
:mod:`allocation.resolution.moteur`), and answers an impossible wave with the smallest relaxation.

Objective: maximise the sum of the selected dossiers' scores, compared to 1e-6 so that
floating noise cannot decide. Ties are broken by a documented total order: among optimal
allocations, the one whose best dossier ranks highest wins, then the next, and so on — rank
by :class:`~allocation.modele.departage.Departage` (score descending, then the lottery's
drawn order, then id ascending) — so the decision never depends on the order of rows in a
file.

Optional goals (:class:`~lecture.programme.Objectifs`, off by default) add terms to the
objective (:func:`allocation.modele.objectifs.termes`); they never change a default run.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import math
import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from allocation.modele.objectifs import termes
from allocation.modele.probleme import Dossier, ProblemeVague
from allocation.modele.regles import INFINI, contraintes
from allocation.modele.regles_dossier import Admissions
from allocation.resolution.highs_modele import Statut
from allocation.resolution.moteur import MoteurVague
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

    Read from the rule catalogue alone — its rows and the optional goals' rows — so that a
    new rule prunes as soundly as the old ones. A candidate e *dominates* d when e ranks
    better (score, the lottery's order, id), is not forced, and exchanging d for e can break
    no row: e's coefficient equals d's on every row with a lower bound and every goal's row,
    and is no larger on every other row (a department's cap, an envelope, a place). A row of
    one positive coefficient c (every candidate on it weighs c) that d and all the
    candidates that may dominate it are on lets no selection hold more than K = ⌊haut / c⌋
    of them. With K dominators (at least
    one), a selection holding d leaves one of them out; exchanging it for d keeps every rule,
    never lowers the total, and the tie-break prefers it. So d is never chosen, and leaving
    it out of the model changes nothing but the size (100,000 dossiers → a few hundred).
    """
    scores = np.array([d.score for d in probleme.dossiers], dtype=float)
    interdits = Admissions(probleme, probleme.dossiers).interdites(scores)
    candidats = [d for d, exclu in zip(probleme.dossiers, interdits, strict=True) if not exclu]
    formes = _Formes(probleme, {d.dossier for d in candidats})
    groupes: dict[Cle, list[Dossier]] = defaultdict(list)
    for dossier in candidats:
        groupes[formes.cle(dossier.dossier)].append(dossier)
    # each candidate's place in the tie-break's order, computed once
    ordre_departage = {i: k for k, i in enumerate(
        probleme.departage.classer(d.dossier for d in candidats))}

    def rang(dossier: Dossier) -> int:
        return ordre_departage[dossier.dossier]

    for membres in groupes.values():
        membres.sort(key=rang)
    voisinage = _Voisinage(groupes)
    utiles = []
    for cle, membres in groupes.items():
        voisins = voisinage.de(cle)
        plafond = formes.plafond(cle, voisins)
        if plafond is None:
            utiles += membres
            continue
        dominants = _Dominants(formes.nombre_de_ponderees)  # better-ranked, free
        restants = len(membres)  # the rest of the pool ranks below them all: not needed
        for dossier in heapq.merge(*(groupes[c] for c in voisins), key=rang):
            forcee = dossier.dossier in probleme.forces
            poids = formes.poids(dossier.dossier)
            if formes.cle(dossier.dossier) == cle:
                if forcee or dominants.au_plus_lourds(poids) < max(plafond, 1):
                    utiles.append(dossier)
                restants -= 1
                if not restants:
                    break
            if not forcee:
                dominants.ajouter(poids)
    ordre = {d.dossier: i for i, d in enumerate(probleme.dossiers)}
    return sorted(utiles, key=lambda d: ordre[d.dossier])


#: A group of candidates: their coefficients on the exact rows, and their rows of one
#: coefficient.
Cle = tuple[tuple[tuple[int, float], ...], frozenset[int]]


class _Voisinage:
    """For each group, the groups whose dossiers may dominate its own: the same exact
    coefficients, and rows of one coefficient a subset of its own (itself included). Found
    by looking up the subsets of what a group holds beyond its class's common rows when
    they are few (a place shared by some dossiers is one such row), else by a scan."""

    SOUS_ENSEMBLES_MAX = 10  # rows beyond the common ones: 2^10 look-ups at most

    def __init__(self, groupes: Mapping[Cle, object]):
        self._classes: dict[tuple, list[Cle]] = defaultdict(list)
        for cle in groupes:
            self._classes[cle[0]].append(cle)
        self._communes = {exactes: frozenset.intersection(*(c[1] for c in cles))
                          for exactes, cles in self._classes.items()}
        self._presents = set(groupes)

    def de(self, cle: Cle) -> list[Cle]:
        """The groups that may dominate ``cle``'s, in a fixed order."""
        classe = self._classes[cle[0]]
        propres = sorted(cle[1] - self._communes[cle[0]])
        if len(propres) > self.SOUS_ENSEMBLES_MAX or 2 ** len(propres) > len(classe):
            return [c for c in classe if c[1] <= cle[1]]
        communes = self._communes[cle[0]]
        trouves = ((cle[0], communes | frozenset(s)) for k in range(len(propres) + 1)
                   for s in itertools.combinations(propres, k))
        return [c for c in trouves if c in self._presents]


class _Dominants:
    """The weighted coefficients of the dossiers met so far, counted by how many weigh no
    more than a given dossier on every weighted row (one row: a sorted list)."""

    def __init__(self, dimension: int):
        self._dimension = dimension
        self._tries: list[float] = []
        self._lignes = np.empty((16, dimension))
        self._nombre = 0

    def ajouter(self, poids: np.ndarray) -> None:
        if self._dimension == 1:
            bisect.insort(self._tries, float(poids[0]))
            return
        if self._nombre == len(self._lignes):
            self._lignes = np.concatenate([self._lignes, np.empty_like(self._lignes)])
        self._lignes[self._nombre] = poids
        self._nombre += 1

    def au_plus_lourds(self, poids: np.ndarray) -> int:
        """How many dossiers added weigh no more than ``poids`` on every weighted row."""
        if self._dimension == 1:
            return bisect.bisect_right(self._tries, float(poids[0]) + 1e-9)
        ajoutes = self._lignes[:self._nombre]
        return int(np.count_nonzero(np.all(ajoutes <= poids + 1e-9, axis=1)))


class _Formes:
    """The catalogue's rows over the candidates, sorted by how an exchange must respect
    them: *exact* rows (a lower bound, or a goal's row: the coefficients must be equal),
    rows of one positive coefficient (at most as many memberships), and *weighted* rows
    (no larger a coefficient, compared dossier by dossier)."""

    def __init__(self, probleme: ProblemeVague, candidats: set[str]):
        self._exactes: dict[str, list[tuple[int, float]]] = defaultdict(list)
        self._egales: dict[str, set[int]] = defaultdict(set)
        ponderees: list[dict[str, float]] = []
        self._bornes: dict[int, int] = {}  # row → ⌊haut / c⌋ of a row of one coefficient c
        lignes = [(c.membres, c.coefficients, c.bas, c.haut, False)
                  for c in contraintes(probleme)]
        # a goal's row ties its own column too: only equal coefficients keep its value
        lignes += [(t.membres, t.coefficients, -INFINI, INFINI, True) for t in termes(probleme)]
        for r, (membres, coefficients, bas, haut, but) in enumerate(lignes):
            valeurs: dict[str, float] = defaultdict(float)  # a member twice counts twice
            for i, k in zip(membres, coefficients, strict=True):
                if i in candidats:
                    valeurs[i] += k
            valeurs = {i: k for i, k in valeurs.items() if k != 0}
            if not valeurs:
                continue
            unique = set(valeurs.values())
            un_coefficient = len(unique) == 1 and min(unique) > 0
            if un_coefficient and haut < INFINI:
                self._bornes[r] = math.floor(haut / min(unique) + 1e-9)
            if but or bas > sum(min(k, 0.0) for k in valeurs.values()) + 1e-9:
                for i, k in valeurs.items():
                    self._exactes[i].append((r, k))
            elif un_coefficient:
                for i in valeurs:
                    self._egales[i].add(r)
            elif valeurs not in ponderees:  # the two envelopes weigh alike: compared once
                ponderees.append(valeurs)
        self.nombre_de_ponderees = len(ponderees)
        self._poids = {i: np.array([ligne.get(i, 0.0) for ligne in ponderees])
                       for i in candidats}
        self._cles = {i: (tuple(self._exactes[i]), frozenset(self._egales[i]))
                      for i in candidats}

    def cle(self, identifiant: str) -> Cle:
        """The dossier's exact coefficients and its rows of one coefficient."""
        return self._cles[identifiant]

    def poids(self, identifiant: str) -> np.ndarray:
        """The dossier's coefficient on each weighted row."""
        return self._poids[identifiant]

    def plafond(self, cle: Cle, voisins: list[Cle]) -> int | None:
        """The most dossiers of ``voisins``' groups a selection can hold together: the
        smallest bound of a row of one coefficient they all share (None: no such row)."""
        communes = set(cle[1]).intersection(*(v[1] for v in voisins))
        communes |= {r for r, _ in cle[0]}  # exact rows: every neighbour has them too
        bornes = [self._bornes[r] for r in communes if r in self._bornes]
        return min(bornes) if bornes else None


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

