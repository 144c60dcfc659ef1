"""The programme's history as the front ends meet it: the decision an allocation workbook
records (read back by ``fabriques record``), the rows it adds to ``laureats.xlsx``, the
history completed with them, and the programme's pace."""

from allocation.modele.rythme import prevision_a_ce_rythme
from allocation.sorties.historique import (
    historique_complete,
    lignes_historique,
    lire_decision,
    preparer_enregistrement,
)

__all__ = [
    "historique_complete",
    "lignes_historique",
    "lire_decision",
    "preparer_enregistrement",
    "prevision_a_ce_rythme",
]
