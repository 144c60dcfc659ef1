"""The journal's hash chain: its entries, their hashes and signatures, and the check of a
journal's lines against the chain and against what files outside the journal say of it.

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
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

#: The ``precedent`` of the first entry.
ORIGINE = "0" * 64
#: With this variable set, entries are signed (HMAC-SHA256) and checked under its value.
VARIABLE_CLE = "FABRIQUES_CLE_JOURNAL"
_CHAMPS = {"numero", "horodatage", "evenement", "donnees", "precedent", "empreinte"}


def _canonique(valeur: Mapping[str, Any]) -> bytes:
    return json.dumps(valeur, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode()


def empreinte_de(champs: Mapping[str, Any]) -> str:
    """An entry's hash: the SHA-256 of the canonical JSON of its fields but its hash and
    signature."""
    return hashlib.sha256(_canonique({k: v for k, v in champs.items()
                                      if k not in ("empreinte", "signature")})).hexdigest()


def cle_du_journal() -> bytes | None:
    """The journal's key (:data:`VARIABLE_CLE`), None when it is not set."""
    cle = os.environ.get(VARIABLE_CLE)
    return cle.encode() if cle else None


def signature_de(cle: bytes, empreinte: str) -> str:
    """An entry's signature: the HMAC-SHA256 of its hash under the key."""
    return hmac.new(cle, empreinte.encode(), hashlib.sha256).hexdigest()


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
            signees = " (entrées signées, clé vérifiée)" if cle_du_journal() else ""
            return (f"Journal intact : {self.entrees} entrée(s), dernière empreinte "
                    f"{self.derniere_empreinte}{signees}.")
        return (f"Journal altéré à partir de l'entrée {self.premiere_alteree} : "
                f"{self.motif}.")


def entree_de(champs: Mapping[str, Any]) -> Entree:
    """The entry a journal line's JSON object describes (:class:`KeyError`,
    :class:`TypeError` or :class:`ValueError` when it is not one)."""
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
    cle = cle_du_journal()
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
            entree = entree_de(champs)
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
            motif = "ligne illisible"
        else:
            if empreinte_de(champs) != entree.empreinte or not (
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
                    entree.signature or "", signature_de(cle, entree.empreinte)):
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


def entrees_lisibles(lignes: list[str]) -> list[Entree]:
    """Every line that reads as an entry, whether the chain holds or not: to report, never
    to decide."""
    entrees = []
    for ligne in lignes:
        try:
            entrees.append(entree_de(json.loads(ligne)))
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
            continue
    return entrees
