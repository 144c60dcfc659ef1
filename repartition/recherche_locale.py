"""Making the design even: swaps of readers that raise the smallest number of dossiers any
two jurors share, and never break a hard rule.

A swap exchanges two readings: juror ``j`` gives dossier ``d`` to juror ``k`` and takes
dossier ``e`` from them. Loads are unchanged; a swap is made only when neither juror is
déported from the dossier they take, no kept reading (a second phase's earlier ones) moves,
and both dossiers keep their colleges. It is kept when it improves, in this order:

1. the smallest shared count of any two jurors (the design's connectedness: jurors compared
   through many common dossiers make the calibration identifiable);
2. the number of pairs at that smallest count;
3. the readings outside each juror's fair band of each stratum (department, Fabrique
   numérique, QPV);
4. the spread of all shared counts (their sum of squares).

Swaps keep every juror's load as the integer program chose it, and the best design may need
other loads within the same band: while the smallest shared count stays below its counting
bound, a second search mixes swaps with moves of one reading to another juror (loads kept
within the band), on criteria 1 and 2 only; its result is kept only when it gains on them.
A design at its bound is left as it is.

The integer program gives the start (every hard rule, strata in proportion); the quadratic
criteria 1, 2 and 4 are what an integer program handles badly, and what a swap search does
well (the designs of Stelmakh, Shah & Singh 2021 and of Leyton-Brown et al. 2024 are
improved the same way). The search is seeded and bounded by a number of trials, never by
time: the same inputs and seed give the same assignment on any machine.
"""

from __future__ import annotations

import numpy as np

from repartition.probleme import BandeStrate, ProblemeRepartition

#: Trials without improvement after which the search stops, and the most trials in all.
ESSAIS_SANS_PROGRES = 4_000
ESSAIS_MAX = 60_000


class _Plan:
    """The assignment over sorted ids, with what a swap must keep. Small Python structures
    updated in place: a swap touches a handful of counts, which numpy would only slow."""

    def __init__(self, probleme: ProblemeRepartition, paires: tuple[tuple[str, str], ...]):
        self.dossiers = list(probleme.dossiers)
        self.jures = list(probleme.jures)
        pos_d = {d: i for i, d in enumerate(self.dossiers)}
        pos_j = {j: i for i, j in enumerate(self.jures)}
        nd, nj = len(self.dossiers), len(self.jures)
        self.lu = np.zeros((nd, nj), dtype=bool)
        for jure, dossier in paires:
            self.lu[pos_d[dossier], pos_j[jure]] = True
        self.permis = np.ones((nd, nj), dtype=bool)
        for jure, dossier in probleme.interdits:
            if dossier in pos_d and jure in pos_j:
                self.permis[pos_d[dossier], pos_j[jure]] = False
        garde = np.zeros((nd, nj), dtype=bool)
        for jure, dossier in probleme.deja:
            if dossier in pos_d:
                garde[pos_d[dossier], pos_j[jure]] = True
        #: Readings a swap may move (not kept from an earlier phase).
        self.mobile = self.lu & ~garde
        self.lecteurs = [set(np.flatnonzero(ligne).tolist()) for ligne in self.lu]
        colleges = sorted({probleme.colleges[j] for j in self.jures})
        self.college = [colleges.index(probleme.colleges[j]) for j in self.jures]
        self.requis = [min(probleme.colleges_par_dossier, probleme.lecteurs[d])
                       for d in self.dossiers]
        noms_strates = sorted({s for d in self.dossiers for s in probleme.strates.get(d, ())})
        pos_s = {s: i for i, s in enumerate(noms_strates)}
        self.strates = [[pos_s[s] for s in probleme.strates.get(d, ())] for d in self.dossiers]
        # The fair bands of :meth:`ProblemeRepartition.bandes_des_strates`, as lists.
        self.bandes: list[list[BandeStrate | None]] = [[None] * nj for _ in noms_strates]
        for (strate, jure), bande in probleme.bandes_des_strates().items():
            self.bandes[pos_s[strate]][pos_j[jure]] = bande
        self.comptes = [[0] * nj for _ in noms_strates]
        for d, lecteurs in enumerate(self.lecteurs):
            for position in self.strates[d]:
                for j in lecteurs:
                    self.comptes[position][j] += 1
        self.partages = (self.lu.T.astype(int) @ self.lu.astype(int)).tolist()
        self.paires_jures = [(a, b) for a in range(nj) for b in range(a + 1, nj)]

    def ecart(self, strate: int, jure: int) -> int:
        """Readings of ``jure`` outside their fair band of ``strate``."""
        bande = self.bandes[strate][jure]
        return 0 if bande is None else bande.ecart(self.comptes[strate][jure])

    def ecart_total(self) -> int:
        return sum(self.ecart(s, j) for s in range(len(self.comptes))
                   for j in range(len(self.jures)))

    def mesure(self) -> tuple[int, int, int]:
        valeurs = [self.partages[a][b] for a, b in self.paires_jures]
        plus_petit = min(valeurs)
        return plus_petit, -valeurs.count(plus_petit), -sum(v * v for v in valeurs)

    def colleges_tenus(self, dossier: int) -> bool:
        colleges = {self.college[m] for m in self.lecteurs[dossier]}
        return len(colleges) >= self.requis[dossier]

    def echanger(self, d: int, e: int, j: int, k: int) -> None:
        """``j`` gives ``d`` to ``k`` and takes ``e`` from them (undone by exchanging ``j``
        and ``k``)."""
        self.transferer(d, j, k)
        self.transferer(e, k, j)

    def transferer(self, dossier: int, sortant: int, entrant: int) -> None:
        """``sortant`` gives its reading of ``dossier`` to ``entrant`` (undone by the
        reverse transfer)."""
        partages = self.partages
        lecteurs = self.lecteurs[dossier]
        lecteurs.discard(sortant)
        for m in lecteurs:
            partages[sortant][m] -= 1
            partages[m][sortant] -= 1
            partages[entrant][m] += 1
            partages[m][entrant] += 1
        partages[sortant][sortant] -= 1
        partages[entrant][entrant] += 1
        lecteurs.add(entrant)
        self.lu[dossier, sortant], self.lu[dossier, entrant] = False, True
        for s in self.strates[dossier]:
            self.comptes[s][sortant] -= 1
            self.comptes[s][entrant] += 1

    def paires(self) -> tuple[tuple[str, str], ...]:
        return tuple(sorted((self.jures[j], self.dossiers[d])
                            for d, lecteurs in enumerate(self.lecteurs) for j in lecteurs))


def ameliorer_recouvrements(probleme: ProblemeRepartition,
                            paires: tuple[tuple[str, str], ...],
                            bande: tuple[int, int] | None = None, borne: int | None = None
                            ) -> tuple[tuple[str, str], ...]:
    """The assignment ``paires`` after the seeded swap search, then, given ``bande`` (the
    load band of the hard rules) and ``borne`` (the counting bound of the smallest shared
    count), the search with moves (module docstring)."""
    if len(probleme.jures) < 2 or not probleme.dossiers:
        return paires
    plan = _Plan(probleme, paires)
    rng = np.random.default_rng(probleme.graine)
    mobile = plan.mobile
    actuel = plan.mesure()
    strates = plan.ecart_total()
    sans_progres = 0
    for _ in range(ESSAIS_MAX):
        if sans_progres >= ESSAIS_SANS_PROGRES:
            break
        sans_progres += 1
        tirage = _tirer_echange(plan, rng)
        if tirage is None:
            continue
        d, e, j, k = tirage
        touchees = [(s, m) for s in {*plan.strates[d], *plan.strates[e]} for m in (j, k)]
        avant = sum(plan.ecart(s, m) for s, m in touchees)
        plan.echanger(d, e, j, k)
        total = strates - avant + sum(plan.ecart(s, m) for s, m in touchees)
        nouvelle = plan.mesure()
        if ((nouvelle[0], nouvelle[1], -total, nouvelle[2])
                > (actuel[0], actuel[1], -strates, actuel[2])
                and plan.colleges_tenus(d) and plan.colleges_tenus(e)):
            actuel, strates = nouvelle, total
            mobile[d, j], mobile[d, k], mobile[e, k], mobile[e, j] = False, True, False, True
            sans_progres = 0
        else:
            plan.echanger(d, e, k, j)
    if bande is None or borne is None or actuel[0] >= borne:
        return plan.paires()
    echanges = plan.paires()
    fin = _deplacer(plan, rng, bande, actuel, borne)
    # Plateau moves that gained nothing would only have worsened criteria 3 and 4.
    return plan.paires() if fin[:2] > actuel[:2] else echanges


def _tirer_echange(plan: _Plan, rng: np.random.Generator
                   ) -> tuple[int, int, int, int] | None:
    """A random swap ``(d, e, j, k)`` that keeps the déports and the kept readings (``j``
    gives ``d`` to ``k`` and takes ``e``), or None when the draw finds none."""
    mobile = plan.mobile
    d = int(rng.integers(len(plan.dossiers)))
    sortants = np.flatnonzero(mobile[d])
    entrants = np.flatnonzero(~plan.lu[d] & plan.permis[d])
    if not sortants.size or not entrants.size:
        return None
    j = int(sortants[rng.integers(sortants.size)])
    k = int(entrants[rng.integers(entrants.size)])
    candidats = np.flatnonzero(mobile[:, k] & ~plan.lu[:, j] & plan.permis[:, j])
    if not candidats.size:
        return None
    return d, int(candidats[rng.integers(candidats.size)]), j, k


def _deplacer(plan: _Plan, rng: np.random.Generator, bande: tuple[int, int],
              actuel: tuple[int, int, int], borne: int) -> tuple[int, int, int]:
    """Swaps keep every juror's load, so the loads the integer program chose bound what they
    can reach. While the smallest shared count is below its counting bound, this search
    mixes moves (one reading given to another juror, loads kept within the band of the hard
    rules) with swaps, and keeps a change unless it lowers the smallest shared count or adds
    pairs at it (changes that keep both let the search cross plateaus: two moves may be
    needed where one alone gains nothing). Returns the last measure. Seeded and bounded
    like the swaps."""
    bas, haut = bande
    mobile = plan.mobile
    charges = mobile.sum(axis=0).tolist()
    sans_progres = 0
    for _ in range(ESSAIS_MAX):
        if sans_progres >= ESSAIS_SANS_PROGRES or actuel[0] >= borne:
            break
        sans_progres += 1
        if rng.random() < 0.5:
            tirage = _tirer_echange(plan, rng)
            if tirage is None:
                continue
            d, e, j, k = tirage
            plan.echanger(d, e, j, k)
            nouvelle = plan.mesure()
            if nouvelle[:2] >= actuel[:2] and plan.colleges_tenus(d) and plan.colleges_tenus(e):
                sans_progres = 0 if nouvelle[:2] > actuel[:2] else sans_progres
                actuel = nouvelle
                mobile[d, j], mobile[d, k], mobile[e, k], mobile[e, j] = False, True, False, True
            else:
                plan.echanger(d, e, k, j)
            continue
        d = int(rng.integers(len(plan.dossiers)))
        sortants = [j for j in np.flatnonzero(mobile[d]).tolist() if charges[j] > bas]
        entrants = [k for k in np.flatnonzero(~plan.lu[d] & plan.permis[d]).tolist()
                    if charges[k] < haut]
        if not sortants or not entrants:
            continue
        j = sortants[int(rng.integers(len(sortants)))]
        k = entrants[int(rng.integers(len(entrants)))]
        plan.transferer(d, j, k)
        nouvelle = plan.mesure()
        if nouvelle[:2] >= actuel[:2] and plan.colleges_tenus(d):
            sans_progres = 0 if nouvelle[:2] > actuel[:2] else sans_progres
            actuel = nouvelle
            mobile[d, j], mobile[d, k] = False, True
            charges[j] -= 1
            charges[k] += 1
        else:
            plan.transferer(d, k, j)
    return actuel
