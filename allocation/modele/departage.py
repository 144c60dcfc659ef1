"""How dossiers rank, written once: the tie-break of SPEC §4 and of the partial lottery.

Scores are compared in whole micro-points (:func:`micro_points`), so that floating noise
never decides. Between equal scores, a dossier whose place the partial lottery drew (inside
the zone of uncertainty, ``[tirage] actif``) ranks by the order drawn, after every dossier
the lottery did not draw; then by its id — so that no decision depends on the order of rows
in a file. The selection, the solver's lexicographic tie-break, the reserve list, the
replacements, the explanations and the uncertainty sheet all rank by :class:`Departage`
(the pabutools model: one explicit tie-breaking object).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

#: Scores are compared to 1e-6 (micro-points): floating noise never decides.
PRECISION = 6
ECHELLE = 10 ** PRECISION


def micro_points(score: float) -> float:
    """``score`` in whole micro-points: what the models compare and rank by."""
    return float(np.round(score * ECHELLE))


def au_micro_point(score: float) -> float:
    """``score`` rounded to the micro-point, in points: what is shown and recorded of a
    score the models compared."""
    return micro_points(score) / ECHELLE


@dataclass(frozen=True)
class Departage:
    """The ranking of one wave problem's dossiers: best score first (no score last), then
    the lottery's drawn order (``ordre_tire``: dossier → rank drawn, 1 first), then id."""

    scores: Mapping[str, float]
    ordre_tire: Mapping[str, int] = field(default_factory=dict)

    def egalite(self, identifiant: str) -> tuple[int, str]:
        """Between equal scores: the lottery's order (0 for a dossier it did not draw), then
        the id — the key of the solver's lexicographic tie-break."""
        return self.ordre_tire.get(identifiant, 0), identifiant

    def cle(self, identifiant: str) -> tuple[bool, float, int, str]:
        """The sort key, best ranked first."""
        score = self.scores.get(identifiant, math.nan)
        sans_note = score is None or math.isnan(score)
        return (sans_note, 0.0 if sans_note else -micro_points(score),
                *self.egalite(identifiant))

    def classer(self, identifiants: Iterable[str]) -> list[str]:
        """``identifiants`` best ranked first."""
        return sorted(identifiants, key=self.cle)

    def ordonner(self, table: pd.DataFrame, colonne: str = "dossier") -> pd.DataFrame:
        """The rows of ``table`` in rank order of their ``colonne`` (the dossiers' ids)."""
        identifiants = [str(i) for i in table[colonne]]
        return table.iloc[sorted(range(len(identifiants)),
                                 key=lambda k: self.cle(identifiants[k]))]

    def dernier(self, identifiants: Iterable[str]) -> str:
        """The worst ranked of ``identifiants`` (the first a better dossier would replace)."""
        return max(identifiants, key=self.cle)
