"""What the front ends show of the scores: the scoring workbook of ``fabriques score``, the
tables of the « Notation » page and the findings. The methods offered are
:mod:`application.methodes`; scoring itself is :func:`application.service.noter_vague`."""

from notation.diagnostics import diagnostic_jures, fiabilite_par_libelle
from notation.normalisation import ScoresVague
from notation.rapport import rapport_scores, table_constats, table_scores

__all__ = [
    "ScoresVague",
    "diagnostic_jures",
    "fiabilite_par_libelle",
    "rapport_scores",
    "table_constats",
    "table_scores",
]
