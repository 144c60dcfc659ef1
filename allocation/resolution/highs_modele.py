"""What every part of the wave engine shares: the statut of a solve, its solution, and
a row added to a HiGHS model."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

import highspy
import numpy as np

if TYPE_CHECKING:
    from allocation.modele.regles import Contrainte
    from commun.highs import Relaxation

INFINI = highspy.kHighsInf
OPTIMAL = highspy.HighsModelStatus.kOptimal
INFAISABLE = (highspy.HighsModelStatus.kInfeasible,
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


class MoteurHighs(Protocol):
    """What the engine's parts (its tie-break, its diagnosis) use of the engine
    (:class:`~allocation.resolution.moteur.MoteurVague`)."""

    ids: list[str]
    scores: np.ndarray
    lignes: list[Contrainte]
    diagnostic: bool
    _h: highspy.Highs
    _ligne_optimum: int
    _couts_objectifs: dict[int, float]
    _cles: list[tuple[int, str]]
    _ecarts: dict[int, tuple[int, int]]
    _sweep: dict[str, int]

    def _lancer(self) -> Statut: ...
    def _lancer_continu(self) -> Statut: ...
    def _objectifs(self, actifs: bool) -> None: ...
    def _autre_optimum(self, choix: np.ndarray) -> bool: ...
    def _preparer(self, scores: np.ndarray, leves: frozenset[str], forces: Iterable[str]
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]: ...
    def _echange(self, forces: tuple[str, ...], elargies: dict[int, float]
                 ) -> np.ndarray | None: ...
    def depassements(self, forces: Iterable[str], leves: frozenset[str] = frozenset()
                     ) -> dict[int, float]: ...
    def _relaxation(self, r: int, sens: str, ecart: float) -> Relaxation: ...
    def _colonnes_ecarts(self) -> tuple[np.ndarray, np.ndarray]: ...
    def _relaxation_minimale(self, forces: tuple[str, ...]) -> tuple[Relaxation, ...] | None:
        ...


def ajouter_ligne(h: highspy.Highs, indices: Iterable[int], coefficients: Iterable[float],
                  bas: float, haut: float) -> None:
    """Add the row ``bas ≤ Σ coefficients · x(indices) ≤ haut`` to ``h``."""
    colonnes = np.fromiter(indices, dtype=np.int32)
    h.addRow(bas, haut, len(colonnes), colonnes, np.fromiter(coefficients, dtype=float))
