"""Inputs are never replaced: an output that is an input of the run — same resolved path, or
another name (hard link) of the same file — or the journal, is refused before anything is
computed (:func:`verifier_sorties`), as are outputs that collide with each other or bear
a name the tool reads by itself."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from commun.erreurs import ErreurEcriture
from commun.fichiers import FICHIER_INTENTION, FICHIER_VERROU, role_reserve


@dataclass(frozen=True)
class _Identite:
    """What makes two paths one file: the resolved path, and for an existing file its
    device and inode (another name of it, a hard link); computed once per path, so that
    comparing n outputs with m inputs and with each other stays linear."""

    resolu: Path | None
    inode: tuple[int, int] | None

    @classmethod
    def de(cls, chemin: Path) -> _Identite:
        try:
            resolu: Path | None = chemin.resolve()
        except OSError:
            resolu = None
        try:
            etat = chemin.stat()
            inode: tuple[int, int] | None = (etat.st_dev, etat.st_ino)
        except OSError:
            inode = None
        return cls(resolu, inode)


class _Fichiers:
    """Paths indexed by their identity (:class:`_Identite`)."""

    def __init__(self, chemins: Iterable[Path] = ()):
        self._resolus: dict[Path, Path] = {}
        self._inodes: dict[tuple[int, int], Path] = {}
        for chemin in chemins:
            self.ajouter(chemin, _Identite.de(chemin))

    def ajouter(self, chemin: Path, identite: _Identite) -> None:
        if identite.resolu is not None:
            self._resolus.setdefault(identite.resolu, chemin)
        if identite.inode is not None:
            self._inodes.setdefault(identite.inode, chemin)

    def trouver(self, identite: _Identite) -> Path | None:
        """The path held that is the same file, None when there is none."""
        if identite.resolu is not None and identite.resolu in self._resolus:
            return self._resolus[identite.resolu]
        return self._inodes.get(identite.inode) if identite.inode is not None else None


def verifier_sorties(sorties: Sequence[Path], entrees: Iterable[Path],
                     nommees_par_l_outil: bool = False) -> None:
    """Refuse (:class:`ErreurEcriture`, exit 2) outputs that would replace an input of the
    run — same resolved path or same file under another name — or the lock or intention
    beside one, or each other, or that are folders or lie under a file. Outputs a person
    named (``nommees_par_l_outil`` false) may not bear a name the tool reads by itself
    either (:func:`commun.fichiers.role_reserve`: the history, a journal, a grid…): the
    next run would read them as what they are not."""
    entrees = [Path(e) for e in entrees]
    protegees = _Fichiers(entrees + [e.parent / nom for e in entrees
                                     for nom in (FICHIER_VERROU, FICHIER_INTENTION)])
    vues = _Fichiers()
    for sortie in map(Path, sorties):
        identite = _Identite.de(sortie)
        entree = protegees.trouver(identite)
        if entree is not None:
            lien = "" if identite.resolu == entree.resolve() else (
                f", sous un autre nom que {entree}")
            raise ErreurEcriture(f"Refus d'écrire sur un fichier d'entrée : « {sortie} » est "
                                 f"lu par la commande{lien} et ne sera pas remplacé. "
                                 "Choisissez un autre nom. Rien n'a été écrit.")
        role = None if nommees_par_l_outil else role_reserve(sortie)
        if role is not None:
            raise ErreurEcriture(f"Refus d'écrire « {sortie} » : l'outil lirait ce fichier "
                                 f"comme {role}. Choisissez un autre nom. Rien n'a été écrit.")
        if vues.trouver(identite) is not None:
            raise ErreurEcriture(f"« {sortie} » serait écrit deux fois : les fichiers à écrire "
                                 "doivent être différents. Rien n'a été écrit.")
        if sortie.is_dir():
            raise ErreurEcriture(f"« {sortie} » est un dossier : donnez un nom de fichier. "
                                 "Rien n'a été écrit.")
        parent = next((p for p in sortie.parents if p.exists()), None)
        if parent is not None and not parent.is_dir():
            raise ErreurEcriture(f"Impossible d'écrire « {sortie} » : « {parent} » est un "
                                 "fichier, pas un dossier. Rien n'a été écrit.")
        vues.ajouter(sortie, identite)
