"""The pace rule (« rythme ») of SPEC §4: how many laureates of a category this wave may take.

The programme spreads its targets (150 QPV, 150 hors QPV, 30 numériques) over its waves.
With R waves left (this one included) and r laureates of the category still to find, the
pace is p = r / R, and this wave's count n must satisfy

    max(0, floor(p) - tolerance) <= n <= min(r, ceil(p) + tolerance),

and, so that the programme cannot end short of its targets (issue 13, extending SPEC §4):

- at the last wave (R = 1) no tolerance is left below the remainder: n >= r;
- before it, the remainder stays reachable with the waves left, each of which can take at
  most ``capacite`` (``max_laureats``) laureates: n >= r - (R - 1) × capacite.

The upper bound is raised to the lower one when they cross, so that a target that can no
longer be reached shows as an infeasibility of this wave, diagnosed like any other.
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
    cible: int, deja_laureats: int, nombre_vagues: int, numero: int, tolerance: int,
    capacite: int | None = None,
) -> BornesRythme:
    """Pace bounds for one category (SPEC §4, with the reachability floor above).

    ``numero`` must not exceed ``nombre_vagues`` (the caller validates it). ``capacite``:
    the most one later wave may take (None: no reachability floor before the last wave).
    When the history already meets or exceeds the target, the upper bound is 0 rather than
    negative: the category is closed, which does not by itself make the wave infeasible.
    """
    if not 1 <= numero <= nombre_vagues:
        raise ValueError(f"numero {numero} hors de 1..{nombre_vagues}")
    vagues_restantes = nombre_vagues - numero + 1
    restant = cible - deja_laureats
    rythme = restant / vagues_restantes
    minimum = max(0, math.floor(rythme) - tolerance)
    if vagues_restantes == 1:
        minimum = max(0, restant)
    elif capacite is not None:
        minimum = max(minimum, restant - (vagues_restantes - 1) * capacite)
    maximum = max(0, min(restant, math.ceil(rythme) + tolerance), minimum)
    return BornesRythme(minimum=minimum, maximum=maximum, restant=restant, rythme=rythme)


def prevision_a_ce_rythme(cumul: int, numero: int, nombre_vagues: int) -> int:
    """Where a count will end if the programme goes on at today's pace: the laureates of
    the ``numero`` waves decided so far, spread over all ``nombre_vagues``."""
    return round(cumul * nombre_vagues / numero) if numero else 0
