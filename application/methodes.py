"""The scoring methods a front end offers, by code (the registry's order), and the default —
apart from :mod:`application.notation` so that the command's parser loads only what scoring
needs (``fabriques --help`` 0,28 s, against 0,35 s with the score workbook's modules)."""

from notation.normalisation import METHODE_PAR_DEFAUT, METHODES

__all__ = ["METHODES", "METHODE_PAR_DEFAUT"]
