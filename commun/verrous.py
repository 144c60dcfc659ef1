"""One lock per folder (:func:`verrou`, ``filelock``): the verbs that change a shared file
(journal, history) hold it from reading to writing; taking it finishes the set of files a
killed writer left in the folder (:func:`commun.intention.reprendre`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from commun.erreurs import ErreurEcriture, erreur_systeme
from commun.fichiers import FICHIER_VERROU
from commun.intention import reprendre

#: How long a writer waits for another one before giving up (seconds).
ATTENTE_VERROU = 60.0


def verrou(dossier: Path) -> FileLock:
    """The lock of a folder: one instance per path in a process (re-entrant in a thread),
    one holder at a time across threads and processes."""
    return FileLock(Path(dossier).resolve() / FICHIER_VERROU, timeout=ATTENTE_VERROU,
                    is_singleton=True)


@contextmanager
def verrous(dossiers: Iterable[Path]) -> Iterator[None]:
    """Hold the locks of several folders, taken in one order (no deadlock), and finish any
    set of files a killed writer left in them (:func:`~commun.intention.reprendre`)."""
    with ExitStack() as pile:
        for dossier in sorted({Path(d).resolve() for d in dossiers}):
            dossier.mkdir(parents=True, exist_ok=True)
            try:
                pile.enter_context(verrou(dossier))
            except Timeout:
                raise ErreurEcriture(
                    f"{dossier} est occupé par un autre traitement depuis plus de "
                    f"{ATTENTE_VERROU:.0f} s (verrou {FICHIER_VERROU}) : réessayez quand il "
                    "sera fini. Rien n'a été écrit.", environnement=True) from None
            except OSError as erreur:
                raise erreur_systeme(erreur, f"Verrou impossible dans {dossier}") from None
            reprendre(dossier)
        yield
