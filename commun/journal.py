"""The wave's journal: an append-only, tamper-evident record of what was done to a wave —
loadings, the method chosen, the jury's decisions and revised notes with their reasons, the
allocations written and the files they came from.

One JSON object per line (``journal.jsonl``). Each entry carries the SHA-256 of the previous
entry (``precedent``) and its own (``empreinte``, over the canonical JSON of every other
field), as a hash chain does: an edited entry no longer matches its own hash, a deleted or
moved one breaks the link of the entry after it. A chain alone cannot tell that the last
entries were cut off: the hash of the last entry is therefore printed in every allocation
workbook and in the procès-verbal, which anchor it.

Writers take a file lock (``filelock``: the same lock on Linux, macOS and Windows) and
replace the file atomically (write beside it, flush to disk, rename), so two app sessions
writing at once lose nothing and a crash never leaves half a line.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from filelock import FileLock

#: The ``precedent`` of the first entry.
ORIGINE = "0" * 64
#: The row of an allocation workbook's ``parametres`` that anchors the journal: its last
#: entry's hash when the decision was written.
LIGNE_JOURNAL = "journal : dernière empreinte"
#: How long a writer waits for another one before giving up (seconds).
ATTENTE_VERROU = 30.0


def _canonique(valeur: Mapping[str, Any]) -> bytes:
    return json.dumps(valeur, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode()


def _empreinte(champs: Mapping[str, Any]) -> str:
    return hashlib.sha256(_canonique({k: v for k, v in champs.items()
                                      if k != "empreinte"})).hexdigest()


@dataclass(frozen=True)
class Entree:
    """One event of the journal."""

    numero: int
    horodatage: str  # ISO 8601, UTC
    evenement: str
    donnees: Mapping[str, Any]
    precedent: str
    empreinte: str

    def champs(self) -> dict[str, Any]:
        """The JSON object written for this entry."""
        return {"numero": self.numero, "horodatage": self.horodatage,
                "evenement": self.evenement, "donnees": dict(self.donnees),
                "precedent": self.precedent, "empreinte": self.empreinte}


@dataclass(frozen=True)
class VerificationJournal:
    """Whether a journal's chain holds; if not, the first entry (1-based line) found
    altered and why, in French."""

    entrees: int
    intact: bool
    premiere_alteree: int | None = None
    motif: str = ""
    derniere_empreinte: str = ORIGINE

    @property
    def message(self) -> str:
        """One line for the secretariat."""
        if self.intact:
            return (f"Journal intact : {self.entrees} entrée(s), dernière empreinte "
                    f"{self.derniere_empreinte}.")
        return (f"Journal altéré à partir de l'entrée {self.premiere_alteree} : "
                f"{self.motif}.")


class JournalAltere(Exception):
    """Raised when appending to a journal whose chain is broken."""

    def __init__(self, verification: VerificationJournal):
        super().__init__(verification.message)
        self.verification = verification


def _lire_lignes(chemin: Path) -> list[str]:
    if not chemin.exists():
        return []
    return [ligne for ligne in chemin.read_text(encoding="utf-8").splitlines() if ligne.strip()]


def _entree(champs: Mapping[str, Any]) -> Entree:
    return Entree(int(champs["numero"]), str(champs["horodatage"]), str(champs["evenement"]),
                  dict(champs["donnees"]), str(champs["precedent"]), str(champs["empreinte"]))


def verifier_lignes(lignes: list[str]) -> tuple[VerificationJournal, list[Entree]]:
    """Check a journal's lines; the entries read up to the first altered one."""
    entrees: list[Entree] = []
    precedent = ORIGINE
    for position, ligne in enumerate(lignes, start=1):
        motif = None
        try:
            champs = json.loads(ligne)
            entree = _entree(champs)
        except (ValueError, KeyError, TypeError):
            motif = "ligne illisible"
        else:
            if _empreinte(champs) != entree.empreinte or set(champs) != set(entree.champs()):
                motif = "son contenu ne correspond plus à son empreinte (entrée modifiée)"
            elif entree.precedent != precedent:
                motif = ("elle ne suit pas l'entrée précédente (entrée supprimée, insérée ou "
                         "déplacée)")
            elif entree.numero != position:
                motif = f"elle porte le numéro {entree.numero} à la place {position}"
        if motif is not None:
            return (VerificationJournal(len(lignes), False, position, motif, precedent),
                    entrees)
        entrees.append(entree)
        precedent = entree.empreinte
    return VerificationJournal(len(lignes), True, derniere_empreinte=precedent), entrees


@dataclass(frozen=True)
class Journal:
    """The journal file of one wave. ``passer_outre``: the secretariat chose to go on with
    a broken chain (the reason is journalled); entries are then read up to the break and
    appended after the last line."""

    chemin: Path
    passer_outre: bool = False

    @property
    def existe(self) -> bool:
        """True once an entry has been written."""
        return self.chemin.exists()

    def _verrou(self) -> FileLock:
        return FileLock(str(self.chemin) + ".lock", timeout=ATTENTE_VERROU)

    def verifier(self) -> VerificationJournal:
        """Whether the chain is intact (an absent journal is an intact, empty one)."""
        return verifier_lignes(_lire_lignes(self.chemin))[0]

    def entrees(self) -> list[Entree]:
        """Every entry; :class:`JournalAltere` when the chain is broken (unless
        ``passer_outre``: the entries before the break)."""
        verification, entrees = verifier_lignes(_lire_lignes(self.chemin))
        if not verification.intact and not self.passer_outre:
            raise JournalAltere(verification)
        return entrees

    def lisibles(self) -> list[Entree]:
        """Every entry that can be read, whether the chain holds or not: to report what
        was written after a break (an override and its reason), never to decide."""
        entrees = []
        for ligne in _lire_lignes(self.chemin):
            try:
                entrees.append(_entree(json.loads(ligne)))
            except (ValueError, KeyError, TypeError):
                continue
        return entrees

    def contient(self, empreinte: str) -> bool:
        """True when an entry of the intact chain has this hash."""
        return any(e.empreinte == empreinte for e in verifier_lignes(
            _lire_lignes(self.chemin))[1])

    def ajouter(self, evenement: str, donnees: Mapping[str, Any],
                accepter_altere: bool = False) -> Entree:
        """Append one event (under the lock; the file is replaced atomically). Refuses a
        broken chain (:class:`JournalAltere`) unless ``accepter_altere``, in which case the
        new entry links to the last entry as it is written."""
        self.chemin.parent.mkdir(parents=True, exist_ok=True)
        with self._verrou():
            lignes = _lire_lignes(self.chemin)
            verification, _ = verifier_lignes(lignes)
            if not verification.intact and not (accepter_altere or self.passer_outre):
                raise JournalAltere(verification)
            precedent = ORIGINE
            if lignes:
                try:
                    precedent = str(json.loads(lignes[-1])["empreinte"])
                except (ValueError, KeyError, TypeError):
                    precedent = hashlib.sha256(lignes[-1].encode()).hexdigest()
            champs: dict[str, Any] = {
                "numero": len(lignes) + 1,
                "horodatage": datetime.now(UTC).isoformat(timespec="milliseconds"),
                "evenement": evenement, "donnees": dict(donnees), "precedent": precedent}
            champs["empreinte"] = _empreinte(champs)
            contenu = "".join(ligne + "\n" for ligne in lignes)
            contenu += json.dumps(champs, ensure_ascii=False, sort_keys=True) + "\n"
            descripteur, provisoire = tempfile.mkstemp(prefix=".journal-",
                                                       dir=self.chemin.parent)
            try:
                with os.fdopen(descripteur, "w", encoding="utf-8") as flux:
                    flux.write(contenu)
                    flux.flush()
                    os.fsync(flux.fileno())
                os.replace(provisoire, self.chemin)
            except BaseException:
                Path(provisoire).unlink(missing_ok=True)
                raise
            return _entree(champs)
