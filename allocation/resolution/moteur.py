"""The wave problem as one HiGHS model generated from the rule catalogue
(:mod:`allocation.modele.regles`): solved, re-solved and relaxed by changing bounds and costs only.

Columns are every eligible dossier, sorted by id (the model never depends on the order of
a file's rows); one that cannot be chosen in a given solve — no score, below the quality
floor, excluded by the jury — gets an upper bound of 0 there. An engine built for the
diagnosis (``diagnostic=True``, the default) also gives each relaxable row two slack
columns, fixed at 0 except in :meth:`MoteurVague.diagnostiquer`, which minimises the
weighted relaxation on the same model; an engine that never diagnoses goes without them
(each integer solve then costs less: HiGHS sets up every column, fixed or not).

The objective is the sum of the selected scores in micro-points (scores rounded to 1e-6):
two selections whose totals differ by less than that are equally good, and the documented
tie-break decides between them (:meth:`MoteurVague._departager`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

import highspy
import numpy as np

from allocation.modele.departage import ECHELLE
from allocation.modele.probleme import Dossier, ProblemeVague
from allocation.modele.regles import (
    FAMILLES,
    Contrainte,
    contraintes,
    plancher_respecte,
    termes,
)
from commun.highs import HighsMuet, Relaxation

INFINI = highspy.kHighsInf
#: Columns decided per tie-break solve: weights 2^0 … 2^23 stay exact in double precision.
BLOC_DEPARTAGE = 24
_OPTIMAL = highspy.HighsModelStatus.kOptimal
_INFAISABLE = (highspy.HighsModelStatus.kInfeasible,
               highspy.HighsModelStatus.kUnboundedOrInfeasible)


class Statut(StrEnum):
    """What a solve found."""

    OPTIMAL = "optimal"
    INFAISABLE = "infaisable"
    ERREUR = "erreur"  # HiGHS stopped for another reason (limit, numerical trouble)


@dataclass(frozen=True)
class Solution:
    """One re-solve: the laureates (ids, sorted) and their total score."""

    statut: Statut
    laureats: tuple[str, ...]
    score_total: float

    @property
    def optimale(self) -> bool:
        """True when a best selection was found."""
        return self.statut is Statut.OPTIMAL


class MoteurVague:
    """One wave's rules as a HiGHS model, re-solved with other scores, lifted rules,
    forced dossiers or ε-constraints, and relaxed for the diagnosis.

    ``depart``: start every solve from the base selection (worth it for many solves);
    ``diagnostic``: with the slack columns :meth:`diagnostiquer` needs; ``tirages``: HiGHS
    set for many independent draws (see :meth:`_construire`)."""

    def __init__(self, probleme: ProblemeVague, depart: bool = True, diagnostic: bool = True,
                 tirages: bool = False):
        self.probleme = probleme
        self.diagnostic = diagnostic
        self._tirages = tirages
        self.dossiers: list[Dossier] = sorted(
            (d for d in probleme.dossiers if d.eligible), key=lambda d: d.dossier)
        self.ids = [d.dossier for d in self.dossiers]
        self._cles = [probleme.departage.egalite(i) for i in self.ids]
        self.position = {i: k for k, i in enumerate(self.ids)}
        self.scores = np.array([d.score for d in self.dossiers], dtype=float)
        self._exclus = np.array([i in probleme.exclus for i in self.ids], dtype=bool)
        self._forces_du_jury = np.array([i in probleme.forces for i in self.ids], dtype=bool)
        self.lignes: list[Contrainte] = [self._restreinte(c) for c in contraintes(probleme)]
        self._familles = np.array([ligne.famille for ligne in self.lignes], dtype=object)
        self._bas_lignes = np.array([ligne.bas for ligne in self.lignes], dtype=float)
        self._haut_lignes = np.array([ligne.haut for ligne in self.lignes], dtype=float)
        self._vides = np.array([not ligne.membres for ligne in self.lignes], dtype=bool)
        #: column → its (row, coefficient) pairs; per row, the sum of its negative ones.
        self._touche: dict[int, list[tuple[int, float]]] = {}
        self._negatif = np.zeros(len(self.lignes))
        for r, ligne in enumerate(self.lignes):
            for i, k in zip(ligne.membres, ligne.coefficients, strict=True):
                self._touche.setdefault(self.position[i], []).append((r, k))
                self._negatif[r] += min(k, 0.0)
        self._sweep: dict[str, int] = {}
        self._couts_objectifs: dict[int, float] = {}
        self._h = self._construire()
        self._depart: highspy.HighsSolution | None = None
        if depart:  # worth it for many solves; a single solve starts from nothing
            self._nouveau_depart()

    def _restreinte(self, c: Contrainte) -> Contrainte:
        """The row over this model's columns (ineligible dossiers are none)."""
        garde = [(i, k) for i, k in zip(c.membres, c.coefficients, strict=True)
                 if i in self.position]
        return Contrainte(c.nom, c.famille, c.sujet, tuple(i for i, _ in garde),
                          tuple(k for _, k in garde), c.bas, c.haut, c.montant)

    def _nouveau_depart(self) -> None:
        """Every solve starts from the base selection: a good incumbent, and the same
        starting point whatever was solved before (results never depend on the order)."""
        self._depart = None
        base = self.resoudre()
        if not base.optimale:
            return
        # The start is that selection exactly, solved again with every dossier fixed (which
        # gives the optional goals' columns their values): the last solve's values can be a
        # relaxation's — the tie-break's last question is a continuous one — off integers
        # by 1e-4 on the hard wave, and HiGHS then repairs the start with a sub-MIP at
        # every solve it is given to (a draw's integer solve: 1.69 → 1.15 ms).
        n = len(self.dossiers)
        choix = np.zeros(n)
        choix[[self.position[i] for i in base.laureats]] = 1.0
        self._h.changeColsBounds(n, np.arange(n, dtype=np.int32), choix, choix)
        if self._lancer() is Statut.OPTIMAL:
            self._depart = self._h.getSolution()

    def _echange(self, forces: tuple[str, ...], elargies: dict[int, float]
                 ) -> np.ndarray | None:
        """A selection holding ``forces`` made from the base one by adding them and dropping
        at most one base laureate (the lowest-ranked that works), with every row holding —
        rows in ``elargies`` widened above by those amounts; None when there is none.

        Plain arithmetic on the rows: a proof that such a selection exists without a solve,
        and a good incumbent for one."""
        if self._depart is None:
            return None
        n = len(self.dossiers)
        choix = np.asarray(self._depart.col_value[:n]) > 0.5
        valeurs = np.zeros(len(self.lignes))
        for k in np.flatnonzero(choix).tolist():
            self._ajouter(valeurs, k, 1.0)
        imposes = {self.position[i] for i in (*self.probleme.forces, *forces)
                   if i in self.position}
        for colonne in imposes - set(np.flatnonzero(choix).tolist()):
            choix[colonne] = True
            self._ajouter(valeurs, colonne, 1.0)
        bas, haut = self._bas_lignes, self._haut_lignes.copy()
        for r, ecart in elargies.items():
            haut[r] += ecart
        retraits = sorted((int(k) for k in np.flatnonzero(choix) if int(k) not in imposes),
                          key=lambda k: (self.scores[k], self._cles[k]))
        for retrait in (None, *retraits):
            essai = valeurs.copy()
            if retrait is not None:
                self._ajouter(essai, retrait, -1.0)
            if np.all(essai <= haut + 1e-9) and np.all(essai >= bas - 1e-9):
                if retrait is not None:
                    choix[retrait] = False
                return choix
        return None

    def _ajouter(self, valeurs: np.ndarray, colonne: int, signe: float) -> None:
        for r, k in self._touche.get(colonne, ()):
            valeurs[r] += signe * k

    # ----------------------------------------------------------------- model construction

    def _construire(self) -> highspy.Highs:
        h = HighsMuet()  # the banner and log would go to the user's standard output
        # Presolve off: on these small models it costs more than it saves (measured: 7 ms
        # per solve instead of 23 ms on vague-06, with a warm start). The feasibility-jump
        # heuristic off: the re-solves are given a start (the base selection, or the
        # tie-break's previous block), and the heuristic, run before the root, was most of
        # each solve (issue 30: the integer re-solves of the hard wave's draws take
        # 0.35 times as long without it, every one solved at its root node). Symmetry
        # detection off: 10 % of the draws' and the explanations' time, for models with no
        # symmetry worth finding (each dossier its own score). An engine for draws
        # (``tirages``) also presolves the root node only: 20 % less on the draws, twice as
        # long on a forced solve without a feasible start (measured on the hard wave). None
        # of these changes what is optimal: the gap stays 0.
        for option, valeur in (("mip_rel_gap", 0.0),
                               ("mip_abs_gap", 1e-9), ("threads", 1), ("random_seed", 0),
                               ("presolve", "off"),
                               ("mip_heuristic_run_feasibility_jump", False),
                               ("mip_detect_symmetry", False),
                               ("mip_root_presolve_only", self._tirages)):
            h.setOptionValue(option, valeur)
        n = len(self.dossiers)
        h.addVars(n, np.zeros(n), np.ones(n))
        self._entieres: list[int] = list(range(n))
        if n:
            h.changeColsIntegrality(n, np.arange(n, dtype=np.int32),
                                    np.array([highspy.HighsVarType.kInteger] * n))
        #: row → (its slack below, its slack above), columns fixed at 0 outside diagnosis.
        self._ecarts: dict[int, tuple[int, int]] = {}
        for r, ligne in enumerate(self.lignes):
            _ajouter_ligne(h, [self.position[i] for i in ligne.membres], ligne.coefficients,
                           ligne.bas, ligne.haut)
            if ligne.relachable and self.diagnostic:
                self._ecarts[r] = (self._colonne(h, 0.0, haut=0.0),
                                   self._colonne(h, 0.0, haut=0.0))
                h.changeCoeff(r, self._ecarts[r][0], 1.0)
                h.changeCoeff(r, self._ecarts[r][1], -1.0)
        for terme in termes(self.probleme):
            colonne = self._colonne(h, terme.cout * ECHELLE, entiere=terme.entiere,
                                    haut=terme.haut)
            garde = [(self.position[i], k) for i, k in
                     zip(terme.membres, terme.coefficients, strict=True) if i in self.position]
            _ajouter_ligne(h, [*(c for c, _ in garde), colonne],
                           [*(k for _, k in garde), terme.coefficient_terme],
                           terme.bas, terme.haut_ligne)
        # Tie-break row: Σ points·x + goals ≥ optimum − ½, bounded only while departing.
        self._ligne_optimum = h.getNumRow()
        _ajouter_ligne(h, [], [], -INFINI, INFINI)
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        return h

    def _colonne(self, h: highspy.Highs, cout: float, entiere: bool = False,
                 haut: float = 1.0) -> int:
        colonne = h.getNumCol()
        h.addVar(0.0, haut)
        h.changeColCost(colonne, cout)
        if entiere:
            h.changeColIntegrality(colonne, highspy.HighsVarType.kInteger)
            self._entieres.append(colonne)
        if cout:
            self._couts_objectifs[colonne] = cout
        return colonne

    def ajouter_balayage(self, nom: str, coefficients: Sequence[float]) -> None:
        """Add a free row Σ coefficients·x for ε-constraint sweeps; bound it in
        :meth:`resoudre` with ``balayages={nom: (bas, haut)}``."""
        self._sweep[nom] = self._h.getNumRow()
        _ajouter_ligne(self._h, range(len(self.dossiers)), coefficients, -INFINI, INFINI)
        self._nouveau_depart()

    def ajouter_couverture(self) -> None:
        """Add the sweep row ``departements``: the number of departments with a laureate
        (one binary per department, at most the sum of its dossiers' selections)."""
        h = self._h
        colonnes = []
        for ligne in self.lignes:
            if ligne.famille == "departement_vague":
                colonne = self._colonne(h, 0.0, entiere=True)
                _ajouter_ligne(h, [*(self.position[i] for i in ligne.membres), colonne],
                               [*(1.0 for _ in ligne.membres), -1.0], 0.0, INFINI)
                colonnes.append(colonne)
        self._sweep["departements"] = h.getNumRow()
        _ajouter_ligne(h, colonnes, [1.0] * len(colonnes), -INFINI, INFINI)
        self._nouveau_depart()

    # ----------------------------------------------------------------- solving

    def _preparer(self, scores: np.ndarray, leves: frozenset[str],
                  forces: Iterable[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
        """Set the column and row bounds of one solve; return (micro-points, lower and
        upper column bounds, whether some empty row already fails)."""
        h, n = self._h, len(self.dossiers)
        points = np.round(np.nan_to_num(scores, nan=0.0) * ECHELLE)
        bas, haut = self._bornes(scores, leves, forces)
        indices = np.arange(n, dtype=np.int32)
        h.changeColsBounds(n, indices, bas, haut)
        rangs = np.arange(len(self.lignes), dtype=np.int32)
        levees = np.isin(self._familles, list(leves))
        bas_lignes = np.where(levees, -INFINI, self._bas_lignes)
        haut_lignes = np.where(levees, INFINI, self._haut_lignes)
        if len(rangs):
            h.changeRowsBounds(len(rangs), rangs, bas_lignes, haut_lignes)  # type: ignore[attr-defined]
        # HiGHS does not judge an empty row: one whose bounds exclude 0 fails here.
        vide_impossible = bool(np.any(self._vides & ((bas_lignes > 0) | (haut_lignes < 0))))
        return points, bas, haut, vide_impossible

    def _bornes(self, scores: np.ndarray, leves: frozenset[str],
                forces: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
        """Column bounds: forced ones at 1; 0 for the jury's exclusions and, unless the
        floor is lifted, for scores missing or below ``note_minimale``."""
        plancher = None if "note_minimale" in leves else self.probleme.regles
        force = self._forces_du_jury.copy()
        for i in forces:
            if i in self.position:
                force[self.position[i]] = True
        haut = np.where(force | (plancher_respecte(scores, plancher) & ~self._exclus), 1.0, 0.0)
        return np.where(force, 1.0, 0.0), haut

    def bornes_colonnes(self) -> list[tuple[int, int]]:
        """(lower, upper) bound of each column in a plain solve, in column order."""
        bas, haut = self._bornes(self.scores, frozenset(), ())
        return [(int(b), int(t)) for b, t in zip(bas, haut, strict=True)]

    def resoudre(
        self,
        scores: np.ndarray | None = None,
        leves: Iterable[str] = (),
        balayages: dict[str, tuple[float, float]] | None = None,
        objectif: np.ndarray | None = None,
        forces: Iterable[str] = (),
        departage: bool = True,
    ) -> Solution:
        """Best selection under ``scores`` (per column, NaN: cannot be selected) with the
        rule families in ``leves`` lifted, the sweep rows bounded by ``balayages`` and
        ``forces`` selected on top of the jury's own (even if the jury excluded them).

        Ties are broken by the documented total order (:meth:`_departager`) unless
        ``departage`` is False. ``objectif`` replaces the scores as the coefficients to
        maximise (the scores still decide who may be selected; no tie-break); the total
        reported is always the scores'."""
        h, n = self._h, len(self.dossiers)
        scores = self.scores if scores is None else np.asarray(scores, dtype=float)
        if self.depassements(forces, frozenset(leves)):
            return Solution(Statut.INFAISABLE, (), 0.0)
        points, bas, haut, vide_impossible = self._preparer(scores, frozenset(leves), forces)
        if n == 0 or vide_impossible:
            possible = not vide_impossible and all(
                r.famille in leves or r.bas <= 0 <= r.haut for r in self.lignes)
            return Solution(Statut.OPTIMAL if possible else Statut.INFAISABLE, (), 0.0)
        indices = np.arange(n, dtype=np.int32)
        h.changeColsCost(n, indices, points if objectif is None
                         else np.round(np.asarray(objectif, dtype=float) * ECHELLE))
        for nom, ligne in self._sweep.items():
            borne_bas, borne_haut = (balayages or {}).get(nom, (-INFINI, INFINI))
            h.changeRowBounds(ligne, borne_bas, borne_haut)
        departager = objectif is None and departage
        statut, continues = self._relaxation_continue()
        if statut is Statut.INFAISABLE:  # no fractional selection, so no selection at all
            return Solution(statut, (), 0.0)
        if continues is not None:
            valeurs = continues
        else:
            depart = (self._depart_avec(tuple(forces)) if forces and scores is self.scores
                      and not leves and not balayages else self._depart)
            if depart is not None:
                h.setSolution(depart)
            statut = self._lancer()
            if statut is not Statut.OPTIMAL:
                return Solution(statut, (), 0.0)
            valeurs = np.asarray(h.getSolution().col_value[:n])
        if departager:
            valeurs = self._departager(points, bas, haut, valeurs)
        choisis = np.flatnonzero(valeurs > 0.5)
        return Solution(Statut.OPTIMAL, tuple(sorted(self.ids[k] for k in choisis)),
                        float(points[choisis].sum()) / ECHELLE)

    def _relaxation_continue(self) -> tuple[Statut, np.ndarray | None]:
        """Solve the continuous relaxation first (a fraction of a millisecond where the
        integer solve takes several): when it is infeasible, so is the wave; when its
        optimum is integral, that is an optimal selection (returned, per column); else None
        and the caller runs the integer solve."""
        h, n = self._h, len(self.dossiers)
        statut = self._lancer_continu()
        if statut is not Statut.OPTIMAL:
            return statut, None
        valeurs = np.asarray(h.getSolution().col_value)
        entieres = np.array(self._entieres, dtype=np.int32)
        if np.any(np.abs(valeurs[entieres] - np.round(valeurs[entieres])) > 1e-7):
            return statut, None
        return statut, np.round(valeurs[:n])

    def _lancer_continu(self) -> Statut:
        """One solve of the continuous relaxation: HiGHS' ``solve_relaxation`` rather than
        every integer column made continuous and back (two calls that hold Python's lock:
        a fifth of the draws' time outside HiGHS)."""
        h = self._h
        h.setOptionValue("solve_relaxation", True)
        try:
            return self._lancer()
        finally:
            h.setOptionValue("solve_relaxation", False)

    def depassements(self, forces: Iterable[str], leves: frozenset[str] = frozenset()
                     ) -> dict[int, float]:
        """Rows that ``forces`` (with the jury's own) break whatever else is selected: row →
        by how much its smallest possible value exceeds its upper bound. A proof of
        infeasibility without a solve, and a lower bound on any relaxation."""
        colonnes = {self.position[i] for i in (*self.probleme.forces, *forces)
                    if i in self.position}
        minimum: dict[int, float] = {}
        for colonne in colonnes:
            for r, k in self._touche.get(colonne, ()):
                minimum[r] = minimum.get(r, self._negatif[r]) + max(k, 0.0)
        return {r: valeur - self.lignes[r].haut for r, valeur in sorted(minimum.items())
                if valeur > self.lignes[r].haut + 1e-9
                and self.lignes[r].famille not in leves}

    def _depart_avec(self, forces: tuple[str, ...]) -> highspy.HighsSolution | None:
        """The warm start of a solve with ``forces``: the base selection changed by one
        exchange when one holds them, else none — HiGHS would spend a sub-MIP trying to
        repair a start that does not hold them (the hard wave's hardest forced solve:
        77 ms with the base selection as its start, 41 ms without)."""
        if self._depart is None:
            return None
        choix = self._echange(forces, {})
        if choix is None:
            return None
        depart = highspy.HighsSolution()
        valeurs = np.asarray(self._depart.col_value, dtype=float).copy()
        valeurs[:len(choix)] = choix
        depart.col_value = valeurs.tolist()
        return depart

    def _objectifs(self, actifs: bool) -> None:
        """Give the optional goals' columns their points, or none (tie-break, diagnosis)."""
        for colonne, cout in self._couts_objectifs.items():
            self._h.changeColCost(colonne, cout if actifs else 0.0)

    def _lancer(self) -> Statut:
        self._h.run()
        modele = self._h.getModelStatus()
        if modele == _OPTIMAL:
            return Statut.OPTIMAL
        return Statut.INFAISABLE if modele in _INFAISABLE else Statut.ERREUR

    def _departager(self, points: np.ndarray, bas: np.ndarray, haut: np.ndarray,
                    premiere: np.ndarray) -> np.ndarray:
        """The documented total order among optimal selections: the one whose best dossier
        ranks highest wins, then the next… (rank: score in micro-points descending, then id
        ascending).

        Ties are rare, so the walk starts by asking whether any other optimal selection
        exists at all (one solve, usually infeasible). When one does, the free columns are
        taken in rank order by blocks of :data:`BLOC_DEPARTAGE`: within a block, maximising
        Σ 2^(taille − 1 − j)·x_j over the optimal selections agreeing with the earlier
        blocks is exactly the lexicographic choice (each weight exceeds the sum of those
        after it); the block is then fixed. One solve per block instead of one per dossier.
        """
        h, n = self._h, len(self.dossiers)
        optimum = h.getInfo().objective_function_value
        ligne = self._ligne_optimum
        for k in range(n):
            h.changeCoeff(ligne, k, float(points[k]))
        for colonne, cout in self._couts_objectifs.items():
            h.changeCoeff(ligne, colonne, cout)
        h.changeRowBounds(ligne, optimum - 0.5, INFINI)
        indices = np.arange(n, dtype=np.int32)
        h.changeColsCost(n, indices, np.zeros(n))
        self._objectifs(False)
        ordre = np.array(sorted(np.flatnonzero(haut > bas),
                                key=lambda k: (-points[k], self._cles[k])), dtype=np.int32)
        choix = premiere > 0.5
        try:
            if not self._autre_optimum(choix):
                return choix.astype(float)
            solution = h.getSolution()
            for debut in range(0, len(ordre), BLOC_DEPARTAGE):
                bloc = ordre[debut:debut + BLOC_DEPARTAGE]
                poids = np.ldexp(1.0, np.arange(len(bloc) - 1, -1, -1))
                h.changeColsCost(len(bloc), bloc, poids)
                h.setSolution(solution)
                if self._lancer() is not Statut.OPTIMAL:  # pragma: no cover - choix holds
                    raise RuntimeError("départage : l'optimum n'est plus atteignable")
                solution = h.getSolution()
                valeurs = np.round(np.asarray(solution.col_value)[bloc])
                h.changeColsCost(len(bloc), bloc, np.zeros(len(bloc)))
                h.changeColsBounds(len(bloc), bloc, valeurs, valeurs)
            choix = np.asarray(solution.col_value[:n]) > 0.5
        finally:
            h.changeRowBounds(ligne, -INFINI, INFINI)
            self._objectifs(True)
        return choix.astype(float)

    def _autre_optimum(self, choix: np.ndarray) -> bool:
        """True when an optimal selection other than ``choix`` agrees with the current
        bounds (a "no-good" row excludes ``choix`` for one feasibility solve).

        First, its continuous relaxation: the largest Hamming distance from ``choix`` over
        the fractional selections scoring within half a micro-point of the optimum. Another
        selection would be at distance 1 or more; when even the fractional ones stay below
        ½, there is none, and the integer solve is not needed."""
        h, n = self._h, len(self.dossiers)
        indices = np.arange(n, dtype=np.int32)
        h.changeColsCost(n, indices, np.where(choix, -1.0, 1.0))
        try:
            continu = self._lancer_continu()
            distance = h.getInfo().objective_function_value + float(choix.sum())
        finally:
            h.changeColsCost(n, indices, np.zeros(n))
        if continu is Statut.INFAISABLE or (continu is Statut.OPTIMAL and distance < 0.5):
            return False
        signes = np.where(choix, 1.0, -1.0)
        ligne = h.getNumRow()
        _ajouter_ligne(h, range(n), signes, -INFINI, float(choix.sum()) - 1.0)
        try:
            return self._lancer() is Statut.OPTIMAL
        finally:
            h.deleteRows(1, np.array([ligne], dtype=np.int32))

    # ----------------------------------------------------------------- diagnosis

    def _relaxation(self, r: int, sens: str, ecart: float) -> Relaxation:
        c = self.lignes[r]
        nom = c.nom if sens == "max" and c.bas == -INFINI else f"{c.nom}_{sens}"
        return Relaxation(nom, ecart, c.relaxation(sens, ecart))

    def _colonnes_ecarts(self) -> tuple[np.ndarray, np.ndarray]:
        """The slack columns of the relaxable rows and the weight of each (its family's)."""
        colonnes: list[int] = []
        poids: list[float] = []
        for r, paire in self._ecarts.items():
            famille = FAMILLES[self.lignes[r].famille].poids
            assert famille is not None
            colonnes += paire
            poids += [famille, famille]
        return np.array(colonnes, dtype=np.int32), np.array(poids, dtype=float)

    def diagnostiquer(self, forces: Iterable[str] = ()) -> tuple[Relaxation, ...] | None:
        """The smallest weighted relaxation of the rules that lets a selection exist (the
        weights are each family's :attr:`~allocation.modele.regles.Famille.poids`), or None when
        even that is impossible (the forced dossiers share a place). The diagnosis runs on
        every candidate, never on a reduced set: a relaxation may need any of them."""
        if not self.diagnostic:
            raise RuntimeError("this engine was built without the diagnosis' slack columns")
        h, n = self._h, len(self.dossiers)
        forces = tuple(forces)
        self._preparer(self.scores, frozenset(), forces)  # relaxable rows are never empty
        h.changeColsCost(n, np.arange(n, dtype=np.int32), np.zeros(n))
        for ligne in self._sweep.values():
            h.changeRowBounds(ligne, -INFINI, INFINI)
        self._objectifs(False)
        try:
            return self._relaxation_minimale(forces)
        finally:
            self._objectifs(True)

    def _relaxation_minimale(self, forces: tuple[str, ...]) -> tuple[Relaxation, ...] | None:
        h = self._h
        necessaires = self.depassements(forces)
        if any(not self.lignes[r].relachable for r in necessaires):
            return None
        if necessaires:
            # Every relaxation must widen these rows by at least these amounts; when that
            # alone admits a selection (one exchange, else one feasibility solve), it is the
            # smallest one.
            suffit = self._echange(forces, necessaires) is not None
            if not suffit:
                for r, ecart in necessaires.items():
                    h.changeRowBounds(r, self.lignes[r].bas, self.lignes[r].haut + ecart)
                suffit = self._lancer() is Statut.OPTIMAL
                for r in necessaires:
                    h.changeRowBounds(r, self.lignes[r].bas, self.lignes[r].haut)
            if suffit:
                return tuple(sorted((self._relaxation(r, "max", ecart)
                                     for r, ecart in necessaires.items()),
                                    key=lambda x: x.regle))
        ecarts, poids = self._colonnes_ecarts()
        h.changeColsBounds(len(ecarts), ecarts, np.zeros(len(ecarts)),
                           np.full(len(ecarts), INFINI))
        h.changeColsCost(len(ecarts), ecarts, -poids)
        try:
            if self._lancer() is not Statut.OPTIMAL:
                return None
            valeurs = h.getSolution().col_value
            relaxations = []
            for r, (dessous, dessus) in self._ecarts.items():
                for sens, colonne in (("min", dessous), ("max", dessus)):
                    if valeurs[colonne] > 1e-6:
                        relaxations.append(self._relaxation(r, sens, valeurs[colonne]))
            return tuple(sorted(relaxations, key=lambda r: r.regle))
        finally:
            zeros = np.zeros(len(ecarts))
            h.changeColsBounds(len(ecarts), ecarts, zeros, zeros)
            h.changeColsCost(len(ecarts), ecarts, zeros)


def _ajouter_ligne(h: highspy.Highs, indices: Iterable[int], coefficients: Iterable[float],
                   bas: float, haut: float) -> None:
    colonnes = np.fromiter(indices, dtype=np.int32)
    h.addRow(bas, haut, len(colonnes), colonnes, np.fromiter(coefficients, dtype=float))
