"""The pace rule (« rythme ») of SPEC §4: how many laureates of a category this wave may take.

The programme spreads its targets (150 QPV, 150 hors QPV, 30 numériques) over its waves.
With R waves left (this one included) and r laureates of the category still to find, the
pace is p = r / R, and this wave's count n must satisfy

    max(0, floor(p) - tolerance) <= n <= min(r, ceil(p) + tolerance).
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class BornesRythme:
    """Bounds on one category's count in one wave, with the pace they come from."""

    minimum: int
    maximum: int
    restant: int
    rythme: float

    def contient(self, nombre: int) -> bool:
        """True when ``nombre`` laureates of the category keep to the pace."""
        return self.minimum <= nombre <= self.maximum


def bornes_rythme(
    cible: int, deja_laureats: int, nombre_vagues: int, numero: int, tolerance: int
) -> BornesRythme:
    """Pace bounds for one category (SPEC §4).

    ``numero`` must not exceed ``nombre_vagues`` (the caller validates it). When the history
    already meets or exceeds the target, the upper bound is 0 rather than negative: the
    category is closed, which does not by itself make the wave infeasible.
    """
    if not 1 <= numero <= nombre_vagues:
        raise ValueError(f"numero {numero} hors de 1..{nombre_vagues}")
    vagues_restantes = nombre_vagues - numero + 1
    restant = cible - deja_laureats
    rythme = restant / vagues_restantes
    minimum = max(0, math.floor(rythme) - tolerance)
    maximum = max(0, min(restant, math.ceil(rythme) + tolerance))
    return BornesRythme(minimum=minimum, maximum=maximum, restant=restant, rythme=rythme)
