"""The tables of a decision the front ends show — the ranking, the reserve list, the
explanations, the meeting's agenda and a decision's effect — and the types they name. Each
is computed in :mod:`allocation`; the decision itself by :mod:`application.service`."""

from allocation.analyses.decision import (
    classement,
    table_explications,
    table_liste_complementaire,
)
from allocation.analyses.incertitude import Incertitude
from allocation.analyses.seance import RUBRIQUES, effet_decision
from allocation.resolution.solveur import Allocation

__all__ = [
    "RUBRIQUES",
    "Allocation",
    "Incertitude",
    "classement",
    "effet_decision",
    "table_explications",
    "table_liste_complementaire",
]
