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
tie-break decides between them (:mod:`allocation.resolution.departage_lexicographique`);
an impossible wave is diagnosed on the same model (:mod:`allocation.resolution.diagnostic`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import highspy
import numpy as np

from allocation.modele.departage import ECHELLE
from allocation.modele.objectifs import termes
from allocation.modele.probleme import ProblemeVague
from allocation.modele.regles import Contrainte, contraintes, par_departement
from allocation.modele.regles_dossier import Admissions
from allocation.modele.verification import Totaux
from allocation.resolution.colonnes import Colonnes
from allocation.resolution.departage_lexicographique import DepartageLexicographique
from allocation.resolution.diagnostic import Diagnostic
from allocation.resolution.highs_modele import (
    INFAISABLE,
    INFINI,
    OPTIMAL,
    Solution,
    Statut,
    ajouter_ligne,
)
from commun.highs import HighsMuet


class MoteurVague(DepartageLexicographique, Diagnostic):
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
        self.colonnes = colonnes = Colonnes(probleme)
        # the columns' ids, positions, dossiers and scores, as the analyses read them
        self.ids, self.position = colonnes.ids, colonnes.position
        self.dossiers, self.scores, self._cles = colonnes.dossiers, colonnes.scores, colonnes.cles
        self._admissions = Admissions(probleme, self.dossiers)
        self._forces_du_jury = colonnes.masque(probleme.forces)
        self.lignes: list[Contrainte] = [colonnes.restreinte(c) for c in contraintes(probleme)]
        self._familles = np.array([ligne.famille for ligne in self.lignes], dtype=object)
        self._vides = np.array([not ligne.membres for ligne in self.lignes], dtype=bool)
        self._totaux = Totaux(self.lignes)  # the rows' values, for proofs without a solve
        self._sweep: dict[str, int] = {}
        self._couts_objectifs: dict[int, float] = {}
        self._h = self._construire()
        self._depart: highspy.HighsSolution | None = None
        if depart:  # worth it for many solves; a single solve starts from nothing
            self._nouveau_depart()

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
        choix[self.colonnes.indices(base.laureats)] = 1.0
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
        totaux = self._totaux
        valeurs = np.zeros(len(self.lignes))
        for k in np.flatnonzero(choix).tolist():
            totaux.ajouter(valeurs, self.ids[k])
        imposes = set(self.colonnes.indices((*self.probleme.forces, *forces)))
        for colonne in imposes - set(np.flatnonzero(choix).tolist()):
            choix[colonne] = True
            totaux.ajouter(valeurs, self.ids[colonne])
        haut = totaux.haut.copy()
        for r, ecart in elargies.items():
            haut[r] += ecart
        # the lowest-ranked laureate first (:class:`~allocation.modele.departage.Departage`)
        rang = self.probleme.departage.cle
        retraits = sorted((int(k) for k in np.flatnonzero(choix) if int(k) not in imposes),
                          key=lambda k: rang(self.ids[k]), reverse=True)
        for retrait in (None, *retraits):
            essai = valeurs.copy()
            if retrait is not None:
                totaux.ajouter(essai, self.ids[retrait], -1.0)
            if totaux.tiennent(essai, haut):
                if retrait is not None:
                    choix[retrait] = False
                return choix
        return None

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
            ajouter_ligne(h, self.colonnes.indices(ligne.membres), ligne.coefficients,
                           ligne.bas, ligne.haut)
            if ligne.relachable and self.diagnostic:
                self._ecarts[r] = (self._colonne(h, 0.0, haut=0.0),
                                   self._colonne(h, 0.0, haut=0.0))
                h.changeCoeff(r, self._ecarts[r][0], 1.0)
                h.changeCoeff(r, self._ecarts[r][1], -1.0)
        for terme in termes(self.probleme):
            colonne = self._colonne(h, terme.cout * ECHELLE, entiere=terme.entiere,
                                    haut=terme.haut)
            garde = self.colonnes.paires(terme.membres, terme.coefficients)
            ajouter_ligne(h, [*(c for c, _ in garde), colonne],
                           [*(k for _, k in garde), terme.coefficient_terme],
                           terme.bas, terme.haut_ligne)
        # Tie-break row: Σ points·x + goals ≥ optimum − ½, bounded only while departing.
        self._ligne_optimum = h.getNumRow()
        ajouter_ligne(h, [], [], -INFINI, INFINI)
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
        ajouter_ligne(self._h, range(len(self.dossiers)), coefficients, -INFINI, INFINI)
        self._nouveau_depart()

    def ajouter_couverture(self) -> None:
        """Add the sweep row ``departements``: the number of departments with a laureate
        (one binary per department, at most the sum of its dossiers' selections)."""
        h = self._h
        colonnes = []
        for membres in par_departement(self.probleme).values():
            presents = self.colonnes.indices(membres)
            colonne = self._colonne(h, 0.0, entiere=True)
            ajouter_ligne(h, [*presents, colonne], [*(1.0 for _ in presents), -1.0], 0.0,
                           INFINI)
            colonnes.append(colonne)
        self._sweep["departements"] = h.getNumRow()
        ajouter_ligne(h, colonnes, [1.0] * len(colonnes), -INFINI, INFINI)
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
        bas_lignes = np.where(levees, -INFINI, self._totaux.bas)
        haut_lignes = np.where(levees, INFINI, self._totaux.haut)
        if len(rangs):
            h.changeRowsBounds(len(rangs), rangs, bas_lignes, haut_lignes)  # type: ignore[attr-defined]
        # HiGHS does not judge an empty row: one whose bounds exclude 0 fails here.
        vide_impossible = bool(np.any(self._vides & ((bas_lignes > 0) | (haut_lignes < 0))))
        return points, bas, haut, vide_impossible

    def _bornes(self, scores: np.ndarray, leves: frozenset[str],
                forces: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
        """Column bounds: forced ones at 1; 0 for the dossiers a rule on single dossiers
        keeps out (:data:`~allocation.modele.regles_dossier.REGLES_DOSSIER`) unless its
        family is lifted."""
        force = self._forces_du_jury | self.colonnes.masque(forces)
        haut = np.where(force | ~self._admissions.interdites(scores, leves), 1.0, 0.0)
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
        return Solution(Statut.OPTIMAL, self.colonnes.selection(valeurs),
                        float(points[valeurs > 0.5].sum()) / ECHELLE)

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
        imposes = [i for i in (*self.probleme.forces, *forces) if i in self.position]
        return {r: ecart for r, ecart in self._totaux.depassements(imposes).items()
                if self.lignes[r].famille not in leves}

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
        if modele == OPTIMAL:
            return Statut.OPTIMAL
        return Statut.INFAISABLE if modele in INFAISABLE else Statut.ERREUR
