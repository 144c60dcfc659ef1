"""The wave's journal: an append-only, tamper-evident record of what was done to a wave —
loadings, the method chosen, the jury's decisions and revised notes with their reasons, the
allocations written and the files they came from.

One JSON object per line (``journal.jsonl``, JSON Lines: every line separator inside a
value is escaped — U+2028, U+2029 and U+0085 too — and lines are split on ``\\n`` only).

The entries form a hash chain, checked against the journal's anchors and, when it is set,
its key (:mod:`commun.chaine`).

Writers hold the wave folder's lock (:func:`commun.verrous.verrou`) from reading to
writing; entries appended inside :meth:`Journal.transaction` are written at its end, with
the verb's other outputs when the verb gives them (:meth:`Journal.ecrire_avec`), as one set.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from commun.chaine import (
    ORIGINE,
    Ancre,
    Entree,
    VerificationJournal,
    cle_du_journal,
    empreinte_de,
    entree_de,
    entrees_lisibles,
    signature_de,
    verifier_lignes,
)
from commun.ecriture import Ecriture
from commun.verrous import verrous

#: Largest journal read (bytes): well beyond years of meetings.
TAILLE_MAX_JOURNAL = 64 * 1024 * 1024
#: Line separators JSON leaves raw inside strings, escaped when written.
_SEPARATEURS = {"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"}


def _ligne_json(champs: Mapping[str, Any]) -> str:
    """One JSON Lines line: no raw line separator of any kind inside it."""
    ligne = json.dumps(champs, ensure_ascii=False, sort_keys=True)
    for separateur, echappe in _SEPARATEURS.items():
        ligne = ligne.replace(separateur, echappe)
    return ligne


class JournalAltere(Exception):
    """Raised when appending to a journal whose chain is broken."""

    def __init__(self, verification: VerificationJournal):
        super().__init__(verification.message)
        self.verification = verification


def lire_lignes(chemin: Path) -> list[str]:
    """The journal's non-empty lines (split on ``\\n`` only); none when it is absent.
    :class:`ValueError` beyond :data:`TAILLE_MAX_JOURNAL`."""
    try:
        with chemin.open("rb") as flux:
            brut = flux.read(TAILLE_MAX_JOURNAL + 1)
    except FileNotFoundError:
        return []
    if len(brut) > TAILLE_MAX_JOURNAL:
        raise ValueError(f"journal de plus de {TAILLE_MAX_JOURNAL // (1024 * 1024)} Mo : il "
                         "n'est pas lu")
    texte = brut.decode("utf-8", errors="replace")
    return [ligne for ligne in texte.split("\n") if ligne.strip()]


@dataclass(frozen=True)
class LectureJournal:
    """One reading of a journal (:meth:`Journal.lire`). ``entrees``: those before the first
    altered one, to decide on; ``lisibles``: every line that parses, to report only."""

    verification: VerificationJournal
    entrees: list[Entree]
    lisibles: list[Entree]


@dataclass
class _Lot:
    """The lines of a journal inside a transaction: those on disk when it began, then the
    entries appended since (not yet written)."""

    lignes: list[str]
    nouvelles: int = 0
    inscrit: bool = False


class _Lots(threading.local):
    def __init__(self) -> None:
        self.par_chemin: dict[Path, _Lot] = {}


_LOTS = _Lots()


@dataclass(frozen=True)
class Journal:
    """The journal file of one wave. ``passer_outre``: the secretariat chose to go on with
    a broken chain (the reason is journalled); entries are then read up to the break and
    appended after the last line. ``ancres``: what files outside the journal say of it."""

    chemin: Path
    passer_outre: bool = False
    ancres: tuple[Ancre, ...] = field(default=())

    @property
    def dossier(self) -> Path:
        """The wave's state folder: the journal, its lock, the intention of a set of files
        being written."""
        return self.chemin.parent

    @property
    def existe(self) -> bool:
        """True once an entry has been written."""
        return self.chemin.exists()

    def _lot(self) -> _Lot | None:
        return _LOTS.par_chemin.get(self.chemin.resolve())

    def _lignes(self) -> list[str]:
        lot = self._lot()
        return list(lot.lignes) if lot is not None else lire_lignes(self.chemin)

    def lire(self) -> LectureJournal:
        """The journal read once: whether its chain holds, the entries before any break,
        and every readable line — for a caller that needs more than one of them."""
        try:
            lignes = self._lignes()
        except ValueError as erreur:
            return LectureJournal(VerificationJournal(0, False, 1, str(erreur)), [], [])
        verification, entrees = verifier_lignes(lignes, self.ancres)
        return LectureJournal(verification, entrees, entrees_lisibles(lignes))

    def verifier(self) -> VerificationJournal:
        """Whether the chain (and its anchors) holds; an absent journal with no anchor is an
        intact, empty one."""
        return self.lire().verification

    def entrees(self) -> list[Entree]:
        """Every entry; :class:`JournalAltere` when the chain is broken (unless
        ``passer_outre``: the entries before the break)."""
        lu = self.lire()
        if not lu.verification.intact and not self.passer_outre:
            raise JournalAltere(lu.verification)
        return lu.entrees

    def ancre(self) -> Ancre | None:
        """What a file written now records of the journal: its last entry and number of
        entries (None for an empty journal)."""
        verification = self.verifier()
        if not verification.entrees:
            return None
        return Ancre(verification.derniere_empreinte, verification.entrees, self.chemin.name)

    def lisibles(self) -> list[Entree]:
        """Every entry that can be read, whether the chain holds or not: to report what
        was written after a break (an override and its reason), never to decide."""
        return self.lire().lisibles

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Hold the wave folder's lock; entries appended inside are written at the end, all
        or none (none when an exception leaves the block). Nested: the outer one writes."""
        if self._lot() is not None:
            yield
            return
        with verrous([self.dossier]):
            cle = self.chemin.resolve()
            try:
                lot = _Lot(lire_lignes(self.chemin))
            except ValueError as erreur:  # beyond the size a journal is read to
                raise JournalAltere(VerificationJournal(0, False, 1, str(erreur))) from None
            _LOTS.par_chemin[cle] = lot
            try:
                yield
                if lot.nouvelles and not lot.inscrit:
                    self._inscrire(Ecriture([self.chemin], self.dossier), lot).ecrire()
            finally:
                del _LOTS.par_chemin[cle]

    def _inscrire(self, ecriture: Ecriture, lot: _Lot) -> Ecriture:
        ecriture.ajouter(self.chemin, "".join(ligne + "\n" for ligne in lot.lignes).encode(),
                         remplace_entree=True, derniere=True)
        return ecriture

    def ecrire_avec(self, ecriture: Ecriture) -> list[Path]:
        """Write ``ecriture``'s files and the entries appended in this transaction as one
        set, the journal renamed last."""
        lot = self._lot()
        if lot is None:
            raise RuntimeError("ecrire_avec hors d'une transaction du journal")
        if lot.nouvelles:
            self._inscrire(ecriture, lot)
        ecrits = ecriture.ecrire()
        lot.inscrit = True
        return ecrits

    def ajouter(self, evenement: str, donnees: Mapping[str, Any],
                accepter_altere: bool = False) -> Entree:
        """Append one event (inside a transaction: written at its end; outside: at once).
        Refuses a broken chain (:class:`JournalAltere`) unless ``accepter_altere``, in which
        case the new entry links to the last entry as it is written."""
        lot = self._lot()
        if lot is None:
            with self.transaction():
                return self.ajouter(evenement, donnees, accepter_altere)
        verification, _ = verifier_lignes(lot.lignes, self.ancres)
        if not verification.intact and not (accepter_altere or self.passer_outre):
            raise JournalAltere(verification)
        precedent = ORIGINE
        if lot.lignes:
            try:
                precedent = str(json.loads(lot.lignes[-1])["empreinte"])
            except (ValueError, KeyError, TypeError, RecursionError):
                precedent = hashlib.sha256(lot.lignes[-1].encode()).hexdigest()
        champs: dict[str, Any] = {
            "numero": len(lot.lignes) + 1,
            "horodatage": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "evenement": evenement, "donnees": dict(donnees), "precedent": precedent}
        champs["empreinte"] = empreinte_de(champs)
        cle = cle_du_journal()
        if cle is not None:
            champs["signature"] = signature_de(cle, champs["empreinte"])
        lot.lignes.append(_ligne_json(champs))
        lot.nouvelles += 1
        return entree_de(champs)
