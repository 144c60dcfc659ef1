"""The wave's journal: an append-only, tamper-evident record of what was done to a wave —
loadings, the method chosen, the jury's decisions and revised notes with their reasons, the
allocations written and the files they came from.

One JSON object per line (``journal.jsonl``, JSON Lines: every line separator inside a
value is escaped — U+2028, U+2029 and U+0085 too — and lines are split on ``\\n`` only).
Each entry carries the SHA-256 of the previous entry (``precedent``) and its own
(``empreinte``, over the canonical JSON of every other field), as a hash chain does: an
edited entry no longer matches its own hash, a deleted or moved one breaks the link of the
entry after it.

What a plain chain does not prove: that nothing was cut from its end (the shorter chain is
still a chain), that the file was not deleted, or that someone who can write the folder did
not rewrite it whole with hashes recomputed. Hence:

- **anchors outside the journal** (:class:`Ancre`): the history records, for each recorded
  wave, its journal's last entry and number of entries; an allocation workbook records the
  last entry it was decided on. A journal shorter than an anchor, missing while an anchor
  exists, or whose anchored entry is no longer the same, is altered;
- **a key** (``FABRIQUES_CLE_JOURNAL``): when it is set, every entry carries an HMAC-SHA256
  of its hash under the key (``signature``), and an entry without a valid one is altered —
  rewriting the journal then takes the key.

Writers hold the wave folder's lock (:func:`commun.ecriture.verrou`) from reading to
writing; entries appended inside :meth:`Journal.transaction` are written at its end, with
the verb's other outputs when the verb gives them (:meth:`Journal.ecrire_avec`), as one set.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from commun.ecriture import Ecriture, verrous

#: The ``precedent`` of the first entry.
ORIGINE = "0" * 64
#: The rows of an allocation workbook's ``parametres`` that anchor the journal: its last
#: entry's hash and the number of entries when the decision was written.
LIGNE_JOURNAL = "journal : dernière empreinte"
LIGNE_JOURNAL_ENTREES = "journal : nombre d'entrées"
#: With this variable set, entries are signed (HMAC-SHA256) and checked under its value.
VARIABLE_CLE = "FABRIQUES_CLE_JOURNAL"
#: Largest journal read (bytes): well beyond years of meetings.
TAILLE_MAX_JOURNAL = 64 * 1024 * 1024
#: Line separators JSON leaves raw inside strings, escaped when written.
_SEPARATEURS = {"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"}
_CHAMPS = {"numero", "horodatage", "evenement", "donnees", "precedent", "empreinte"}


def _canonique(valeur: Mapping[str, Any]) -> bytes:
    return json.dumps(valeur, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode()


def _empreinte(champs: Mapping[str, Any]) -> str:
    return hashlib.sha256(_canonique({k: v for k, v in champs.items()
                                      if k not in ("empreinte", "signature")})).hexdigest()


def _cle() -> bytes | None:
    cle = os.environ.get(VARIABLE_CLE)
    return cle.encode() if cle else None


def _signature(cle: bytes, empreinte: str) -> str:
    return hmac.new(cle, empreinte.encode(), hashlib.sha256).hexdigest()


def _ligne_json(champs: Mapping[str, Any]) -> str:
    """One JSON Lines line: no raw line separator of any kind inside it."""
    ligne = json.dumps(champs, ensure_ascii=False, sort_keys=True)
    for separateur, echappe in _SEPARATEURS.items():
        ligne = ligne.replace(separateur, echappe)
    return ligne


@dataclass(frozen=True)
class Entree:
    """One event of the journal."""

    numero: int
    horodatage: str  # ISO 8601, UTC
    evenement: str
    donnees: Mapping[str, Any]
    precedent: str
    empreinte: str
    signature: str | None = None

    def champs(self) -> dict[str, Any]:
        """The JSON object written for this entry."""
        champs = {"numero": self.numero, "horodatage": self.horodatage,
                  "evenement": self.evenement, "donnees": dict(self.donnees),
                  "precedent": self.precedent, "empreinte": self.empreinte}
        if self.signature is not None:
            champs["signature"] = self.signature
        return champs


@dataclass(frozen=True)
class Ancre:
    """What a file outside the journal says of it: the hash of its ``entrees``-th entry
    (``entrees`` None: some entry), and which file says so, in French."""

    empreinte: str
    entrees: int | None
    origine: str


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
            signees = " (entrées signées, clé vérifiée)" if _cle() else ""
            return (f"Journal intact : {self.entrees} entrée(s), dernière empreinte "
                    f"{self.derniere_empreinte}{signees}.")
        return (f"Journal altéré à partir de l'entrée {self.premiere_alteree} : "
                f"{self.motif}.")


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


def _entree(champs: Mapping[str, Any]) -> Entree:
    signature = champs.get("signature")
    return Entree(int(champs["numero"]), str(champs["horodatage"]), str(champs["evenement"]),
                  dict(champs["donnees"]), str(champs["precedent"]), str(champs["empreinte"]),
                  None if signature is None else str(signature))


#: The last intact chains verified in this process, by (key, first line): their lines, their
#: entries and whether one was signed. A journal read again (each append of a publication
#: re-reads it) is checked from where its verified prefix ends — a prefix that is still
#: identical, line for line, verifies as it did — instead of from its first line: appending
#: n entries one by one costs O(n) hashes, not O(n²).
_VERIFIEES: dict[tuple[bytes | None, str], tuple[list[str], list[Entree], bool]] = {}
_VERIFIEES_MAX = 8


def verifier_lignes(lignes: list[str], ancres: Sequence[Ancre] = ()
                    ) -> tuple[VerificationJournal, list[Entree]]:
    """Check a journal's lines, and its ``ancres``; the entries read up to the first altered
    one."""
    entrees: list[Entree] = []
    precedent = ORIGINE
    cle = _cle()
    signe = False  # an entry read so far carried a signature
    memoire = (cle, lignes[0]) if lignes else None
    deja = _VERIFIEES.get(memoire) if memoire is not None else None
    debut = 0
    if deja is not None and len(deja[0]) <= len(lignes) and lignes[:len(deja[0])] == deja[0]:
        debut, entrees, signe = len(deja[0]), list(deja[1]), deja[2]
        precedent = entrees[-1].empreinte
    for position, ligne in enumerate(lignes[debut:], start=debut + 1):
        motif = None
        try:
            champs = json.loads(ligne)
            entree = _entree(champs)
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
            motif = "ligne illisible"
        else:
            if _empreinte(champs) != entree.empreinte or not (
                    _CHAMPS <= set(champs) <= _CHAMPS | {"signature"}):
                motif = "son contenu ne correspond plus à son empreinte (entrée modifiée)"
            elif entree.precedent != precedent:
                motif = ("elle ne suit pas l'entrée précédente (entrée supprimée, insérée ou "
                         "déplacée)")
            elif entree.numero != position:
                motif = f"elle porte le numéro {entree.numero} à la place {position}"
            elif signe and entree.signature is None:
                motif = ("elle n'est pas signée alors que les précédentes le sont : elle a été "
                         f"écrite sans la clé du journal ({VARIABLE_CLE})")
            elif cle is None and entree.signature is not None:
                motif = (f"le journal est signé mais la clé ({VARIABLE_CLE}) n'est pas "
                         "définie : ses signatures ne peuvent pas être vérifiées ; définissez "
                         "la clé du secrétariat")
            elif cle is not None and not hmac.compare_digest(
                    entree.signature or "", _signature(cle, entree.empreinte)):
                motif = (f"sa signature est absente ou fausse : elle a été écrite ou réécrite "
                         f"sans la clé du journal ({VARIABLE_CLE})"
                         + (" — un journal commencé sans la clé se tient sans elle jusqu'au "
                            "bout" if position == 1 and entree.signature is None else ""))
            signe = signe or entree.signature is not None
        if motif is not None:
            return (VerificationJournal(len(lignes), False, position, motif, precedent),
                    entrees)
        entrees.append(entree)
        precedent = entree.empreinte
    if memoire is not None and debut < len(lignes):
        if memoire not in _VERIFIEES and len(_VERIFIEES) >= _VERIFIEES_MAX:
            _VERIFIEES.pop(next(iter(_VERIFIEES)))
        _VERIFIEES[memoire] = (list(lignes), list(entrees), signe)
    for ancre in ancres:
        motif = _contre_ancre(entrees, ancre)
        if motif is not None:
            premiere = min(ancre.entrees or len(entrees) + 1, len(entrees) + 1)
            return (VerificationJournal(len(lignes), False, premiere, motif, precedent),
                    entrees)
    return VerificationJournal(len(lignes), True, derniere_empreinte=precedent), entrees


def _contre_ancre(entrees: list[Entree], ancre: Ancre) -> str | None:
    if not entrees:
        return (f"le journal est absent ou vide alors que {ancre.origine} atteste "
                f"{ancre.entrees or 'au moins une'} entrée(s) : il a été supprimé ou remplacé")
    if ancre.entrees is None:
        if any(e.empreinte == ancre.empreinte for e in entrees):
            return None
        return (f"l'entrée que cite {ancre.origine} n'y est plus (journal tronqué, réécrit ou "
                "d'une autre séance)")
    if len(entrees) < ancre.entrees:
        return (f"il a {len(entrees)} entrée(s) alors que {ancre.origine} en atteste "
                f"{ancre.entrees} : des entrées ont été retirées de sa fin")
    if entrees[ancre.entrees - 1].empreinte != ancre.empreinte:
        return (f"son entrée {ancre.entrees} n'est plus celle qu'atteste {ancre.origine} : "
                "le journal a été réécrit")
    return None


def _lisibles(lignes: list[str]) -> list[Entree]:
    entrees = []
    for ligne in lignes:
        try:
            entrees.append(_entree(json.loads(ligne)))
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
            continue
    return entrees


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
        return LectureJournal(verification, entrees, _lisibles(lignes))

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
        champs["empreinte"] = _empreinte(champs)
        cle = _cle()
        if cle is not None:
            champs["signature"] = _signature(cle, champs["empreinte"])
        lot.lignes.append(_ligne_json(champs))
        lot.nouvelles += 1
        return _entree(champs)
