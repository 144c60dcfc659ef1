"""The documented total order among a wave's optimal selections, as the engine applies it
after every solve: the one whose best dossier ranks highest wins, then the next… (rank:
score in micro-points descending, then the tie-break's order — the lottery's, then id).
A part of :class:`~allocation.resolution.moteur.MoteurVague`, kept apart as one idea."""

from __future__ import annotations

import numpy as np

from allocation.resolution.highs_modele import INFINI, MoteurHighs, Statut, ajouter_ligne

#: Columns decided per tie-break solve: weights 2^0 … 2^23 stay exact in double precision.
BLOC_DEPARTAGE = 24


class DepartageLexicographique:
    """The engine's tie-break (a part of :class:`~allocation.resolution.moteur.MoteurVague`:
    it works on the engine's model and columns)."""

    def _departager(self: MoteurHighs, points: np.ndarray, bas: np.ndarray, haut: np.ndarray,
                    premiere: np.ndarray) -> np.ndarray:
        """The documented total order among optimal selections: the one whose best dossier
        ranks highest wins, then the next… (rank: score in micro-points descending, then
        :meth:`~allocation.modele.departage.Departage.egalite`: the lottery's drawn order,
        then id ascending).

        Ties are rare, so the walk starts by asking whether any other optimal selection
        exists at all (one solve, usually infeasible). When one does, the free columns are
        taken in rank order by blocks of :data:`BLOC_DEPARTAGE`: within a block, maximising
        Σ 2^(taille − 1 − j)·x_j over the optimal selections agreeing with the earlier
        blocks is exactly the lexicographic choice (each weight exceeds the sum of those
        after it); the block is then fixed. One solve per block instead of one per dossier.
        """
        h, n = self._h, len(self.ids)
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

    def _autre_optimum(self: MoteurHighs, choix: np.ndarray) -> bool:
        """True when an optimal selection other than ``choix`` agrees with the current
        bounds (a "no-good" row excludes ``choix`` for one feasibility solve).

        First, its continuous relaxation: the largest Hamming distance from ``choix`` over
        the fractional selections scoring within half a micro-point of the optimum. Another
        selection would be at distance 1 or more; when even the fractional ones stay below
        ½, there is none, and the integer solve is not needed."""
        h, n = self._h, len(self.ids)
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
        ajouter_ligne(h, range(n), signes, -INFINI, float(choix.sum()) - 1.0)
        try:
            return self._lancer() is Statut.OPTIMAL
        finally:
            h.deleteRows(1, np.array([ligne], dtype=np.int32))
