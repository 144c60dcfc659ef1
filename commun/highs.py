"""HiGHS as every solver of the project uses it: silent, named, and its diagnosis's unit.

The assignment of dossiers to jurors and the allocation both solve with HiGHS; what they
share is here, below both.

Silence: HiGHS writes its banner (« Running HiGHS 1.x … Copyright … ») to file descriptor 1, from C,
on the first call of a model's methods unless ``output_flag`` is already false; and
``highspy.Highs()`` itself makes such a call — it installs its Python callbacks
(``enableCallbacks`` → ``setCallback``) in its constructor, before the caller can set any
option. :class:`HighsMuet` sets ``output_flag`` to false just before that call (setting an
option writes nothing), so that the banner and the solver's log never reach the terminal,
a pipe or a redirected output. PuLP builds its own ``highspy.Highs()``:
:class:`HiGHSMuet` gives it a :class:`HighsMuet` instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import highspy
import pulp

from commun.provenance import version_de


class HighsMuet(highspy.Highs):
    """A ``highspy.Highs`` that is silent from its construction (``output_flag`` false
    before highspy's first HiGHS call). Never turn ``output_flag`` back on: the command
    line's standard output is the user's."""

    def enableCallbacks(self) -> None:
        super().setOptionValue("output_flag", False)
        super().enableCallbacks()


class HiGHSMuet(pulp.HiGHS):
    """PuLP's HiGHS interface on a :class:`HighsMuet` (PuLP's own model speaks before its
    ``msg=False`` is applied). Only the options this project passes are forwarded: the
    gaps, threads, time limit and ``solverParams``; PuLP callbacks are not used here."""

    def __init__(self, **options: Any):
        super().__init__(msg=False, **options)

    def createAndConfigureSolver(self, lp: pulp.LpProblem) -> None:
        modele = HighsMuet()
        reglages = {"mip_rel_gap": self.gapRel, "mip_abs_gap": self.gapAbs,
                    "threads": self.threads,
                    "time_limit": None if self.timeLimit is None else float(self.timeLimit),
                    **self.optionsDict}
        for option, valeur in reglages.items():
            if valeur is not None:
                modele.setOptionValue(option, valeur)
        lp.solverModel = modele


def version_solveur() -> str:
    """The solver and its version, for the ``parametres`` sheet."""
    return f"HiGHS (highspy {version_de('highspy')})"


def nom_sur(texte: str) -> str:
    """``texte`` reduced to letters, digits and ``_``: safe as a name in an LP file."""
    return "".join(c if c.isascii() and c.isalnum() else "_" for c in texte)[:40]


@dataclass(frozen=True)
class Relaxation:
    """One rule to relax by ``ecart`` for an allocation (or an assignment) to exist."""

    regle: str
    ecart: float
    message: str
