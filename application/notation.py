"""What the front ends show of the scores: the methods offered, the scoring workbook of
``fabriques score``, the tables of the « Notation » page and the findings. Scoring itself is
:func:`application.service.noter_vague`."""

from notation.diagnostics import diagnostic_jures, fiabilite_par_libelle
from notation.normalisation import METHODE_PAR_DEFAUT, METHODES, ScoresVague
from notation.rapport import rapport_scores, table_constats, table_scores

__all__ = [
    "METHODES",
    "METHODE_PAR_DEFAUT",
    "ScoresVague",
    "diagnostic_jures",
    "fiabilite_par_libelle",
    "rapport_scores",
    "table_constats",
    "table_scores",
]
