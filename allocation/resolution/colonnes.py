"""The boundary between dossier ids and the engine's column indices (the openreview-matcher
model): every eligible dossier is a column, sorted by id so that the model never depends on
the order of a file's rows. Rows, selections and forced dossiers cross it here; the analyses
that hand the engine one value per column (a draw's scores, a sweep's coefficients) take the
columns' order from it (``moteur.ids``, ``moteur.dossiers``)."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from allocation.modele.probleme import Dossier, ProblemeVague
from allocation.modele.regles import Contrainte


class Colonnes:
    """A wave problem's columns: ``dossiers`` (eligible, by id), their ``ids``, each id's
    ``position``, the ``scores`` and the tie-break keys (``cles``) in column order."""

    def __init__(self, probleme: ProblemeVague):
        self.dossiers: list[Dossier] = sorted(
            (d for d in probleme.dossiers if d.eligible), key=lambda d: d.dossier)
        self.ids = [d.dossier for d in self.dossiers]
        self.position = {i: k for k, i in enumerate(self.ids)}
        self.scores = np.array([d.score for d in self.dossiers], dtype=float)
        self.cles = [probleme.departage.egalite(i) for i in self.ids]

    def __len__(self) -> int:
        return len(self.ids)

    def indices(self, identifiants: Iterable[str]) -> list[int]:
        """The columns of those ``identifiants`` that are columns, in the order given."""
        return [self.position[i] for i in identifiants if i in self.position]

    def masque(self, identifiants: Iterable[str]) -> np.ndarray:
        """Per column, True for the dossiers among ``identifiants``."""
        masque = np.zeros(len(self.ids), dtype=bool)
        masque[self.indices(identifiants)] = True
        return masque

    def paires(self, membres: Iterable[str], coefficients: Iterable[float]
               ) -> list[tuple[int, float]]:
        """(column, coefficient) of the members that are columns."""
        return [(self.position[i], k) for i, k in zip(membres, coefficients, strict=True)
                if i in self.position]

    def selection(self, valeurs: np.ndarray) -> tuple[str, ...]:
        """The ids (sorted) of the columns selected in ``valeurs`` (values above ½)."""
        return tuple(sorted(self.ids[k] for k in np.flatnonzero(np.asarray(valeurs) > 0.5)))

    def restreinte(self, c: Contrainte) -> Contrainte:
        """Row ``c`` over the columns only (an ineligible dossier is none)."""
        garde = [(i, k) for i, k in zip(c.membres, c.coefficients, strict=True)
                 if i in self.position]
        return Contrainte(c.nom, c.famille, c.sujet, tuple(i for i, _ in garde),
                          tuple(k for _, k in garde), c.bas, c.haut, c.montant)
