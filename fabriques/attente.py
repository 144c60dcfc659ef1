"""A sign of waiting on the command line: « Calcul de l'incertitude… 120/275 (43 %) » on
one line of the error stream while a long step runs, erased when it ends.

Only on a terminal: when the error stream is a file or a pipe (a script, the tests), the
steps write nothing, so that what is captured holds only the findings and the errors.
Standard output is never touched: it carries the command's results.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

#: How often the count may be redrawn (seconds): a terminal is slower than a loop.
INTERVALLE = 0.1

#: ``avancer(fait, total)``: how far the step is (``total`` None when it is not known).
Avancer = Callable[[int, int | None], None]


def _terminal(flux: TextIO) -> bool:
    try:
        return flux.isatty()
    except (AttributeError, ValueError):  # no such method, or a closed stream
        return False


def _rien(fait: int, total: int | None = None) -> None:
    """The step's progress, when nobody is watching."""


@contextmanager
def etape(libelle: str, flux: TextIO | None = None) -> Iterator[Avancer]:
    """Show ``libelle…`` on the terminal while the block runs; the block may report its
    progress through the function it is given (« 120/275 (43 % ) »). Writes nothing when
    the error stream (or ``flux``) is not a terminal."""
    flux = flux or sys.stderr
    if not _terminal(flux):
        yield _rien
        return
    largeur = 0
    dernier = 0.0

    def ecrire(texte: str) -> None:
        nonlocal largeur
        flux.write("\r" + texte.ljust(largeur))
        flux.flush()
        largeur = len(texte)

    def avancer(fait: int, total: int | None = None) -> None:
        nonlocal dernier
        maintenant = time.monotonic()
        if maintenant - dernier < INTERVALLE and (total is None or fait < total):
            return
        dernier = maintenant
        compte = (f"{fait}/{total} ({100 * fait // max(total, 1)} %)" if total is not None
                  else str(fait))
        ecrire(f"{libelle}… {compte}")

    ecrire(f"{libelle}…")
    try:
        yield avancer
    finally:
        ecrire("")  # the line erased: what follows starts on a clean line
        flux.write("\r")
        flux.flush()
