"""Independent re-solves side by side, on a fixed number of engines.

HiGHS releases Python's global lock while it solves, so two engines in two threads keep both
cores busy (measured on the hard wave's 200 uncertainty draws: 0.27 s on one engine, 0.19 s
on two). Threads rather than processes: nothing to copy or pickle, and the engines are built
once, here (processes forked for the draws were measured too: no faster, the cores being
full).

What each engine computes never depends on the machine: task *k* always goes to engine
*k* mod :data:`MOTEURS`, and each engine takes its tasks in their order, whatever the number
of cores (on one core the threads simply take turns). Each task's result is also its own:
every solve starts from the base selection (:meth:`MoteurVague._nouveau_depart`), and what
it returns is the unique optimum — continuous draws do not tie, and a tie-broken solve is
the documented total order's choice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from allocation.resolution.moteur import MoteurVague

#: Engines (and threads) for a set of independent solves: the machines this tool runs on
#: have two cores or more; a fixed number, so that the split never depends on the machine.
MOTEURS = 2
#: Tasks done between two progress reports (the app's progress bar is told from the
#: calling thread only).
PAQUET = 32

Tache = TypeVar("Tache")
Resultat = TypeVar("Resultat")


def en_parallele(moteurs: Sequence[MoteurVague],
                 travail: Callable[[MoteurVague, Tache], Resultat],
                 taches: Sequence[Tache],
                 progression: Callable[[int, int], None] | None = None) -> list[Resultat]:
    """``[travail(moteurs[k % len(moteurs)], taches[k]) for k …]``, the engines working side
    by side, each on its own thread through its tasks without waiting for the others (a
    barrier every batch left one core idle while the other finished, a quarter of the
    draws' last stretch); ``progression`` is told ``(tasks done, tasks)`` from the calling
    thread every :data:`PAQUET` tasks and at the end."""
    fils = [ThreadPoolExecutor(1) for _ in moteurs]
    try:
        attentes = [fils[k % len(moteurs)].submit(travail, moteurs[k % len(moteurs)], tache)
                    for k, tache in enumerate(taches)]
        resultats = []
        for fait, attente in enumerate(attentes, start=1):
            resultats.append(attente.result())
            if progression is not None and (fait % PAQUET == 0 or fait == len(taches)):
                progression(fait, len(taches))
        return resultats
    finally:
        for un in fils:  # after a failure, the tasks not started are dropped
            un.shutdown(cancel_futures=True)
