"""What lets a set of files (:class:`commun.ecriture.Ecriture`) survive a killed writer.

Every file is first written to a temporary file beside its target (:func:`nom_provisoire`),
flushed to disk; an intention in the wave's state folder lists the renames and what each
target held (:func:`ecrire_intention`). A process killed before the intention is « validée »
leaves only temporary files that the intention (in state « préparation ») names, deleted by
the next writer; killed during the renames, the next writer in that folder (:func:`reprendre`)
finishes them — unless a target changed since. Either way the old set or the new one, never
a mix; no temporary file is left behind.

**Modes.** A new file gets the mode the user's umask gives (as any program's would); a
replaced file keeps its own (:func:`creer_provisoire`).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import stat
from collections.abc import Iterable
from contextlib import suppress
from pathlib import Path

from commun.fichiers import FICHIER_INTENTION
from commun.provenance import sha256_fichier

_INTENTIONS_COUPEES = f".{FICHIER_INTENTION}.*.tmp"


def nom_provisoire(cible: Path) -> Path:
    """A temporary name beside ``cible`` (created later, by :func:`creer_provisoire`)."""
    return cible.with_name(f".{cible.name}.{secrets.token_hex(8)}.tmp")


def creer_provisoire(provisoire: Path, cible: Path, modele: Path | None = None) -> None:
    """Create the empty file ``provisoire`` (never an existing one) with the mode the umask
    gives (``O_CREAT`` with 0666), or the mode of ``modele`` (by default ``cible``) when it
    exists."""
    os.close(os.open(provisoire, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    with suppress(FileNotFoundError):
        os.chmod(provisoire, stat.S_IMODE((modele or cible).stat().st_mode))


def ecrire_fichier(chemin: Path, contenu: bytes) -> None:
    """Write ``contenu`` over the existing file ``chemin`` (a temporary file just created),
    flushed to disk."""
    with chemin.open("r+b") as flux:
        flux.write(contenu)
        flux.truncate()
        flux.flush()
        os.fsync(flux.fileno())


def synchroniser_dossiers(chemins: Iterable[Path]) -> None:
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


def etat_de(cible: Path) -> str | None:
    """What ``cible`` holds (its SHA-256), None when it does not exist."""
    try:
        return sha256_fichier(cible)
    except FileNotFoundError:
        return None


def ecrire_intention(dossier: Path, etat: str, fichiers: list[tuple[Path, Path]],
                     avant: list[str | None]) -> None:
    """The intention: the renames to make, and what each target held before (so that a set
    finished late never replaces a file changed since)."""
    intention = dossier / FICHIER_INTENTION
    provisoire = nom_provisoire(intention)
    creer_provisoire(provisoire, intention)
    ecrire_fichier(provisoire, json.dumps(
        {"etat": etat, "fichiers": [[str(p), str(c), a] for (p, c), a in zip(fichiers, avant,
                                                                            strict=True)]},
        ensure_ascii=False).encode())
    os.replace(provisoire, intention)
    synchroniser_dossiers([intention])


#: A temporary file of a set: beside its target, named after it (:func:`nom_provisoire`).
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
    perime = any(etat_de(c) != a for _, c, a in restants)
    faits = []
    for provisoire, cible, _ in restants:
        if etat == "validee" and not perime:
            os.replace(provisoire, cible)
            faits.append(cible)
        else:
            provisoire.unlink(missing_ok=True)
    synchroniser_dossiers([c for _, c, _ in entrees] + [intention])
    intention.unlink(missing_ok=True)
    return faits


def inacheve(dossier: Path) -> bool:
    """True when a killed writer left a set of files to finish in ``dossier``, or the
    beginning of its intention."""
    return (Path(dossier) / FICHIER_INTENTION).exists() or any(
        Path(dossier).glob(_INTENTIONS_COUPEES))

