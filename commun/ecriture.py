"""Writing, for every verb (SPEC §5): one discipline, in one place.

- **One set.** A verb's outputs are written together (:class:`Ecriture`): every file to a
  temporary file beside it, flushed to disk; then an intention listing the renames is put in
  the wave's state folder; then every file is renamed, the journal last; then the intention
  is removed. A process killed before the intention leaves only temporary files that the
  intention (in state « préparation ») names, deleted by the next writer; killed during the
  renames, the next writer in that folder (:func:`commun.intention.reprendre`) finishes them.
  Either way the old set or the new one, never a mix; no temporary file is left behind (the
  temporary files, the intention and their modes: :mod:`commun.intention`).
- **Names** (:mod:`commun.noms`): an identifier that becomes a file name is checked when it
  is read; a name joined to a folder must stay in that folder.
- **Inputs are never replaced** (:mod:`commun.sorties`): an output that is an input of the
  run, under its name or another, is refused before anything is computed.
- **One lock per folder** (:mod:`commun.verrous`): the verbs that change a shared file
  (journal, history) hold it from reading to writing.
- **Errors** (:mod:`commun.erreurs`): refused or failed, a write says why in French, and
  nothing has been written.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from commun.erreurs import erreur_systeme
from commun.fichiers import FICHIER_INTENTION
from commun.intention import (
    creer_provisoire,
    ecrire_fichier,
    ecrire_intention,
    etat_de,
    nom_provisoire,
    synchroniser_dossiers,
)
from commun.sorties import verifier_sorties
from commun.verrous import verrous


def _meme_fichier(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False


@dataclass(frozen=True)
class _Sortie:
    cible: Path
    contenu: bytes
    remplace_entree: bool
    mode_de: Path | None


class Ecriture:
    """One verb's outputs, written as one set (see the module's description).

    ``entrees``: every file the run read (the journal included), which no output may
    replace; ``etat``: the folder holding the intention (the wave's state folder, whose lock
    the caller holds). Without it, one file is still written atomically, but a set of
    several interrupted during its renames is not finished by anyone."""

    def __init__(self, entrees: Iterable[Path] = (), etat: Path | None = None):
        self.entrees = [Path(e) for e in entrees]
        self.etat = etat
        self._sorties: list[_Sortie] = []
        self._derniere: _Sortie | None = None

    def ajouter(self, chemin: Path, contenu: bytes, *, remplace_entree: bool = False,
                derniere: bool = False, mode_de: Path | None = None) -> Path:
        """Plan ``contenu`` for ``chemin``. ``remplace_entree``: this output is meant to
        replace a file the run read (the history ``record`` extends); ``derniere``: renamed
        after every other (the journal); ``mode_de``: a file whose mode the new one takes
        (the backup of a history keeps the history's)."""
        sortie = _Sortie(Path(chemin), contenu, remplace_entree, mode_de)
        if derniere:
            self._derniere = sortie
        else:
            self._sorties.append(sortie)
        return sortie.cible

    @property
    def sorties(self) -> list[_Sortie]:
        """The planned files, in the order they are renamed."""
        return self._sorties + ([self._derniere] if self._derniere else [])

    def ecrire(self) -> list[Path]:
        """Write the set; :class:`~commun.erreurs.ErreurEcriture` (nothing written) when it is
        refused or the system refuses it. Returns the paths written."""
        sorties = self.sorties
        if not sorties:
            return []
        libres = [s.cible for s in sorties if not s.remplace_entree]
        verifier_sorties(libres, [e for e in self.entrees
                                  if not any(_meme_fichier(e, s.cible) for s in sorties
                                             if s.remplace_entree)], nommees_par_l_outil=True)
        verifier_sorties([s.cible for s in sorties], [], nommees_par_l_outil=True)
        # The intention names the temporary files before they exist: a process killed at
        # any point leaves nothing the next writer cannot find.
        fichiers = [(nom_provisoire(s.cible.absolute()), s.cible.absolute())
                    for s in sorties]
        avant = [etat_de(c) for _, c in fichiers] if self.etat is not None else []
        renommes = 0
        try:
            if self.etat is not None:
                ecrire_intention(self.etat, "preparation", fichiers, avant)
            for (provisoire, _), sortie in zip(fichiers, sorties, strict=True):
                sortie.cible.parent.mkdir(parents=True, exist_ok=True)
                creer_provisoire(provisoire, sortie.cible, sortie.mode_de)
                ecrire_fichier(provisoire, sortie.contenu)
            if self.etat is not None:
                ecrire_intention(self.etat, "validee", fichiers, avant)
            for provisoire, cible in fichiers:
                os.replace(provisoire, cible)
                renommes += 1
            synchroniser_dossiers([c for _, c in fichiers])
            if self.etat is not None:
                (self.etat / FICHIER_INTENTION).unlink(missing_ok=True)
        except BaseException as erreur:
            if renommes == 0:  # the old set is whole: undo everything
                for provisoire, _ in fichiers:
                    provisoire.unlink(missing_ok=True)
                if self.etat is not None:
                    (self.etat / FICHIER_INTENTION).unlink(missing_ok=True)
            # else the intention stays: the next writer in the folder finishes the set
            if isinstance(erreur, OSError):
                raise erreur_systeme(erreur) from None
            raise
        return [s.cible for s in sorties]


def ecrire_ensemble(contenus: dict[Path, bytes], entrees: Iterable[Path] = ()) -> list[Path]:
    """Write files that touch no shared state as one set: the lock and the intention in the
    first one's folder (the place the user chose to write in)."""
    if not contenus:
        return []
    etat = Path(next(iter(contenus))).parent
    with verrous([etat]):
        ecriture = Ecriture(entrees, etat)
        for chemin, contenu in contenus.items():
            ecriture.ajouter(chemin, contenu)
        return ecriture.ecrire()


def ecrire_atomiquement(chemin: Path, contenu: bytes) -> None:
    """Write one file as a set of one (:class:`Ecriture`): an interrupted write leaves the
    previous file untouched and no temporary file; the mode follows the rules of
    :mod:`commun.intention`."""
    ecriture = Ecriture()
    ecriture.ajouter(chemin, contenu)
    ecriture.ecrire()
