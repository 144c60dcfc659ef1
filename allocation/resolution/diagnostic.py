"""The engine's diagnosis of an impossible wave: the smallest weighted relaxation of the
rules that lets a selection exist, on the engine's own model (each relaxable row has two
slack columns, fixed at 0 outside the diagnosis). A part of
:class:`~allocation.resolution.moteur.MoteurVague`, kept apart as one idea."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from allocation.modele.regles import FAMILLES
from allocation.resolution.highs_modele import INFINI, MoteurHighs, Statut
from commun.highs import Relaxation


class Diagnostic:
    """The diagnosis (a part of :class:`~allocation.resolution.moteur.MoteurVague`: it
    works on the engine's model, rows and slack columns)."""

    def _relaxation(self: MoteurHighs, r: int, sens: str, ecart: float) -> Relaxation:
        c = self.lignes[r]
        nom = c.nom if sens == "max" and c.bas == -INFINI else f"{c.nom}_{sens}"
        return Relaxation(nom, ecart, c.relaxation(sens, ecart))

    def _colonnes_ecarts(self: MoteurHighs) -> tuple[np.ndarray, np.ndarray]:
        """The slack columns of the relaxable rows and the weight of each (its family's)."""
        colonnes: list[int] = []
        poids: list[float] = []
        for r, paire in self._ecarts.items():
            famille = FAMILLES[self.lignes[r].famille].poids
            assert famille is not None
            colonnes += paire
            poids += [famille, famille]
        return np.array(colonnes, dtype=np.int32), np.array(poids, dtype=float)

    def diagnostiquer(self: MoteurHighs, forces: Iterable[str] = ()
                      ) -> tuple[Relaxation, ...] | None:
        """The smallest weighted relaxation of the rules that lets a selection exist (the
        weights are each family's :attr:`~allocation.modele.regles.Famille.poids`), or None when
        even that is impossible (the forced dossiers share a place). The diagnosis runs on
        every candidate, never on a reduced set: a relaxation may need any of them."""
        if not self.diagnostic:
            raise RuntimeError("this engine was built without the diagnosis' slack columns")
        h, n = self._h, len(self.ids)
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

    def _relaxation_minimale(self: MoteurHighs, forces: tuple[str, ...]
                             ) -> tuple[Relaxation, ...] | None:
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
