"""Writing, for every verb (SPEC §5): one discipline, in one place.

- **Names.** An identifier that becomes a file name (a juror's grid, a wave's journal
  folder) is checked by :func:`probleme_de_nom` when it is read: a closed set of characters,
  no separator, no ``..``, no device name. A name joined to a folder is resolved and must
  stay in that folder (:func:`sous`).
- **Inputs are never replaced.** An output that is an input of the run — same resolved
  path, or another name (hard link) of the same file — or the journal, is refused before
  anything is computed (:func:`verifier_sorties`).
- **One set.** A verb's outputs are written together (:class:`Ecriture`): every file to a
  temporary file beside it, flushed to disk; then an intention listing the renames is put in
  the wave's state folder; then every file is renamed, the journal last; then the intention
  is removed. A process killed before the intention leaves only temporary files that the
  intention (in state « préparation ») names, deleted by the next writer; killed during the
  renames, the next writer in that folder (:func:`reprendre`) finishes them. Either way the
  old set or the new one, never a mix; no temporary file is left behind.
- **Modes.** A new file gets the mode the user's umask gives (as any program's would); a
  replaced file keeps its own.
- **One lock per folder** (:func:`verrou`, ``filelock``): the verbs that change a shared file
  (journal, history) hold it from reading to writing.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import secrets
import stat
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock, Timeout

from commun.fichiers import FICHIER_INTENTION, FICHIER_VERROU, role_reserve

#: How long a writer waits for another one before giving up (seconds).
ATTENTE_VERROU = 60.0
_INTENTIONS_COUPEES = f".{FICHIER_INTENTION}.*.tmp"

# --------------------------------------------------------------------------- names

#: Longest identifier used as a file name.
LONGUEUR_MAX_NOM = 100
#: Besides letters and digits, the only characters a file name built from an identifier
#: may hold.
PONCTUATION_PERMISE = " -_.'()"
#: Names Windows gives to devices, with or without an extension (``NUL.xlsx`` too).
NOMS_RESERVES = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{p}{c}" for p in ("COM", "LPT") for c in "0123456789¹²³"})


def probleme_de_nom(nom: str) -> str | None:
    """Why ``nom`` cannot be the name of a file inside a folder, in French; None when it can.

    Allowed: letters (accents included), digits and `` -_.'()``; not starting or ending
    with a space or a dot, no ``..``, not a device name, at most :data:`LONGUEUR_MAX_NOM`
    characters. So no separator (``/``, ``\\``), nothing absolute (``C:``), nothing
    hidden."""
    if not nom:
        return "identifiant vide"
    if len(nom) > LONGUEUR_MAX_NOM:
        return f"identifiant de plus de {LONGUEUR_MAX_NOM} caractères"
    for position, caractere in enumerate(nom):
        categorie = unicodedata.category(caractere)
        if not (caractere in PONCTUATION_PERMISE or categorie[0] == "L" or categorie == "Nd"
                or (categorie[0] == "M" and position > 0)):
            visible = caractere if caractere.isprintable() else f"U+{ord(caractere):04X}"
            return (f"caractère « {visible} » interdit dans un identifiant qui sert de nom de "
                    "fichier (lettres, chiffres, espace et - _ . ' ( ) seulement)")
    if ".." in nom:
        return "« .. » interdit dans un identifiant qui sert de nom de fichier"
    if nom[0] in " ." or nom[-1] in " .":
        return "un identifiant qui sert de nom de fichier ne commence ni ne finit par un point " \
               "ou une espace"
    if nom.split(".")[0].rstrip().upper() in NOMS_RESERVES:
        return f"« {nom} » est un nom réservé par Windows (CON, NUL, COM1…)"
    return None


class ErreurEcriture(Exception):
    """An output that cannot or may not be written: a French message, and whether the cause
    is the environment (permissions, full disk, a busy lock: exit 4) rather than what the
    user asked for (exit 2). Nothing has been written when it is raised."""

    def __init__(self, message: str, environnement: bool = False):
        super().__init__(message)
        self.environnement = environnement


def sous(dossier: Path, nom: str) -> Path:
    """``dossier / nom``, refused (:class:`ErreurEcriture`) unless ``nom`` is a plain file
    name and the path, resolved (symbolic links followed), stays inside ``dossier``."""
    probleme = probleme_de_nom(nom.removesuffix(".xlsx"))
    chemin = Path(dossier) / nom
    if probleme is None and not chemin.resolve().is_relative_to(Path(dossier).resolve()):
        probleme = "le chemin sort du dossier (lien symbolique)"
    if probleme is not None:
        raise ErreurEcriture(f"Refus d'écrire « {nom} » dans {dossier} : {probleme}. Rien n'a "
                             "été écrit.")
    return chemin


# --------------------------------------------------------------------------- system messages

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


# --------------------------------------------------------------------------- locks


def verrou(dossier: Path) -> FileLock:
    """The lock of a folder: one instance per path in a process (re-entrant in a thread),
    one holder at a time across threads and processes."""
    return FileLock(Path(dossier).resolve() / FICHIER_VERROU, timeout=ATTENTE_VERROU,
                    is_singleton=True)


@contextmanager
def verrous(dossiers: Iterable[Path]) -> Iterator[None]:
    """Hold the locks of several folders, taken in one order (no deadlock), and finish any
    set of files a killed writer left in them (:func:`reprendre`)."""
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


# --------------------------------------------------------------------------- outputs


def _meme_fichier(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False


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


def _nom_provisoire(cible: Path) -> Path:
    """A temporary name beside ``cible`` (created later, by :func:`_creer_provisoire`)."""
    return cible.with_name(f".{cible.name}.{secrets.token_hex(8)}.tmp")


def _creer_provisoire(provisoire: Path, cible: Path, modele: Path | None = None) -> None:
    """Create the empty file ``provisoire`` (never an existing one) with the mode the umask
    gives (``O_CREAT`` with 0666), or the mode of ``modele`` (by default ``cible``) when it
    exists."""
    os.close(os.open(provisoire, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    with suppress(FileNotFoundError):
        os.chmod(provisoire, stat.S_IMODE((modele or cible).stat().st_mode))


def _ecrire_fichier(chemin: Path, contenu: bytes) -> None:
    with chemin.open("r+b") as flux:
        flux.write(contenu)
        flux.truncate()
        flux.flush()
        os.fsync(flux.fileno())


def _synchroniser_dossiers(chemins: Iterable[Path]) -> None:
    """Flush the folders' entries (the renames) to disk, where the system allows it."""
    for dossier in {p.parent for p in chemins}:
        try:
            descripteur = os.open(dossier, os.O_RDONLY)
        except OSError:
            continue
        try:
            os.fsync(descripteur)
        except OSError:
            pass
        finally:
            os.close(descripteur)


def sha256_fichier(chemin: Path) -> str:
    """SHA-256 of a file, read in blocks (recorded so a decision can be redone)."""
    digest = hashlib.sha256()
    with Path(chemin).open("rb") as handle:
        for bloc in iter(lambda: handle.read(1 << 20), b""):
            digest.update(bloc)
    return digest.hexdigest()


def _etat_de(cible: Path) -> str | None:
    """What ``cible`` holds (its SHA-256), None when it does not exist."""
    try:
        return sha256_fichier(cible)
    except FileNotFoundError:
        return None


def _ecrire_intention(dossier: Path, etat: str, fichiers: list[tuple[Path, Path]],
                      avant: list[str | None]) -> None:
    """The intention: the renames to make, and what each target held before (so that a set
    finished late never replaces a file changed since)."""
    intention = dossier / FICHIER_INTENTION
    provisoire = _nom_provisoire(intention)
    _creer_provisoire(provisoire, intention)
    _ecrire_fichier(provisoire, json.dumps(
        {"etat": etat, "fichiers": [[str(p), str(c), a] for (p, c), a in zip(fichiers, avant,
                                                                            strict=True)]},
        ensure_ascii=False).encode())
    os.replace(provisoire, intention)
    _synchroniser_dossiers([intention])


#: A temporary file of a set: beside its target, named after it (:func:`_nom_provisoire`).
_PROVISOIRE = re.compile(r"^\.(?P<nom>.+)\.[0-9a-f]{16}\.tmp$")


def _entree_valide(provisoire: Path, cible: Path) -> bool:
    """An intention's entry as this module writes it: absolute paths, the temporary file
    beside its target and named after it — never a rename of an arbitrary file."""
    trouve = _PROVISOIRE.match(provisoire.name)
    return (provisoire.is_absolute() and cible.is_absolute() and trouve is not None
            and trouve["nom"] == cible.name and provisoire.parent == cible.parent)


def reprendre(dossier: Path) -> list[Path]:
    """Finish or undo the set of files a killed writer left in ``dossier`` (to be called with
    its lock held): renames it had started are completed, temporary files of a set not yet
    complete are deleted. Returns the files completed.

    An intention is obeyed only as this module writes it (:func:`_entree_valide`): one
    planted by hand to rename or delete other files is deleted unread. A set whose targets
    changed since it was prepared (a later writer, a hand edit) is not finished over them:
    its remaining temporary files are deleted."""
    dossier = Path(dossier)
    for orphelin in dossier.glob(_INTENTIONS_COUPEES):
        orphelin.unlink(missing_ok=True)
    intention = dossier / FICHIER_INTENTION
    try:
        contenu = json.loads(intention.read_text(encoding="utf-8"))
        entrees = [(Path(e[0]), Path(e[1]), e[2] if len(e) > 2 else None)
                   for e in contenu["fichiers"]]
        etat = contenu["etat"]
    except FileNotFoundError:
        return []
    except (OSError, ValueError, KeyError, TypeError, IndexError, RecursionError):
        intention.unlink(missing_ok=True)  # cut while written: nothing was renamed yet
        return []
    if not all(_entree_valide(p, c) for p, c, _ in entrees):
        intention.unlink(missing_ok=True)
        return []
    restants = [(p, c, a) for p, c, a in entrees if p.exists()]
    perime = any(_etat_de(c) != a for _, c, a in restants)
    faits = []
    for provisoire, cible, _ in restants:
        if etat == "validee" and not perime:
            os.replace(provisoire, cible)
            faits.append(cible)
        else:
            provisoire.unlink(missing_ok=True)
    _synchroniser_dossiers([c for _, c, _ in entrees] + [intention])
    intention.unlink(missing_ok=True)
    return faits


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
        """Write the set; :class:`ErreurEcriture` (nothing written) when it is refused or the
        system refuses it. Returns the paths written."""
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
        fichiers = [(_nom_provisoire(s.cible.absolute()), s.cible.absolute())
                    for s in sorties]
        avant = [_etat_de(c) for _, c in fichiers] if self.etat is not None else []
        renommes = 0
        try:
            if self.etat is not None:
                _ecrire_intention(self.etat, "preparation", fichiers, avant)
            for (provisoire, _), sortie in zip(fichiers, sorties, strict=True):
                sortie.cible.parent.mkdir(parents=True, exist_ok=True)
                _creer_provisoire(provisoire, sortie.cible, sortie.mode_de)
                _ecrire_fichier(provisoire, sortie.contenu)
            if self.etat is not None:
                _ecrire_intention(self.etat, "validee", fichiers, avant)
            for provisoire, cible in fichiers:
                os.replace(provisoire, cible)
                renommes += 1
            _synchroniser_dossiers([c for _, c in fichiers])
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


def inacheve(dossier: Path) -> bool:
    """True when a killed writer left a set of files to finish in ``dossier``, or the
    beginning of its intention."""
    return (Path(dossier) / FICHIER_INTENTION).exists() or any(
        Path(dossier).glob(_INTENTIONS_COUPEES))


def ecrire_atomiquement(chemin: Path, contenu: bytes) -> None:
    """Write one file as a set of one (:class:`Ecriture`): an interrupted write leaves the
    previous file untouched and no temporary file; the mode follows the rules above."""
    ecriture = Ecriture()
    ecriture.ajouter(chemin, contenu)
    ecriture.ecrire()
