"""HiGHS without a word on standard output, for the engine and for PuLP.

HiGHS writes its banner (« Running HiGHS 1.x … Copyright … ») to file descriptor 1, from C,
on the first call of a model's methods unless ``output_flag`` is already false; and
``highspy.Highs()`` itself makes such a call — it installs its Python callbacks
(``enableCallbacks`` → ``setCallback``) in its constructor, before the caller can set any
option. :class:`HighsMuet` sets ``output_flag`` to false just before that call (setting an
option writes nothing), so that the banner and the solver's log never reach the terminal,
a pipe or a redirected output. PuLP builds its own ``highspy.Highs()``:
:class:`HiGHSMuet` gives it a :class:`HighsMuet` instead.
"""

from __future__ import annotations

from typing import Any

import highspy
import pulp


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
