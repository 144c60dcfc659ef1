"""What a write that cannot or may not happen says, for every verb: :class:`ErreurEcriture`
(nothing has been written when it is raised; exit 2 for what the user asked, 4 for the
environment), and the operating system's errors in French."""

from __future__ import annotations

import errno


class ErreurEcriture(Exception):
    """An output that cannot or may not be written: a French message, and whether the cause
    is the environment (permissions, full disk, a busy lock: exit 4) rather than what the
    user asked for (exit 2). Nothing has been written when it is raised."""

    def __init__(self, message: str, environnement: bool = False):
        super().__init__(message)
        self.environnement = environnement


_MESSAGES_SYSTEME = {
    errno.EACCES: "permission refusée",
    errno.EPERM: "opération non permise",
    errno.EROFS: "support en lecture seule",
    errno.ENOSPC: "plus de place sur le disque",
    errno.EDQUOT: "quota de disque dépassé",
    errno.ENOENT: "fichier ou dossier introuvable",
    errno.EISDIR: "c'est un dossier, pas un fichier",
    errno.ENOTDIR: "un élément du chemin est un fichier, pas un dossier",
    errno.ENAMETOOLONG: "nom de fichier trop long",
    errno.EEXIST: "le fichier existe déjà",
    errno.EBUSY: "fichier occupé",
    errno.EIO: "erreur d'entrée-sortie du disque",
}
#: Errors that come from the path the user gave, not from the machine.
_ERREURS_DE_CHEMIN = {errno.EISDIR, errno.ENOTDIR, errno.ENAMETOOLONG}


def message_systeme(erreur: OSError) -> str:
    """An operating-system error in French: what failed, on which file."""
    cause = _MESSAGES_SYSTEME.get(erreur.errno or 0) or (
        f"erreur du système ({errno.errorcode.get(erreur.errno or 0, erreur.errno)})")
    fichier = f" : {erreur.filename}" if erreur.filename else ""
    return f"{cause}{fichier}"


def erreur_systeme(erreur: OSError, quoi: str = "Écriture impossible") -> ErreurEcriture:
    """:class:`ErreurEcriture` for an operating-system error."""
    return ErreurEcriture(f"{quoi} ({message_systeme(erreur)}). Rien n'a été écrit.",
                          environnement=erreur.errno not in _ERREURS_DE_CHEMIN)
