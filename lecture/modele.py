"""Validated wave: the domain objects every later step works from."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from commun.constats import Constats
from lecture.valeurs import cle

COLLEGES_FAQ_3_2: dict[str, int] = {"administration": 2, "cntl": 3, "chercheur": 2, "laureat": 3}
#: FAQ 3.2's named seats: (college, words the ``qualite`` must hold, label).
SIEGES_FAQ_3_2: tuple[tuple[str, str, str], ...] = (
    ("cntl", "france tiers lieux", "France Tiers-Lieux (collège CNTL)"),
    ("laureat", "collectivite", "une collectivité (collège des lauréats)"),
)

#: FAQ 3.3: the six criteria, equally weighted by default.
CRITERES_FAQ_3_3: tuple[tuple[str, str], ...] = (
    ("offre", "Offre de services adaptée aux besoins du diagnostic territorial"),
    ("competences", "Compétences en adéquation avec l'offre de services"),
    ("modele_economique", "Modèle économique permettant la pérennité"),
    ("gouvernance", "Gouvernance ouverte aux partenaires et aux usagers"),
    ("ancrage", "Ancrage territorial et rayonnement le plus large possible"),
    ("robustesse", "Robustesse : expérience, partenariats, comptes prévisionnels"),
)


@dataclass(frozen=True)
class Critere:
    """One scoring criterion (FAQ 3.3), its weight and the scale of its notes."""

    critere: str
    libelle: str
    poids: float
    note_min: float
    note_max: float


@dataclass(frozen=True)
class Jure:
    """One jury member; a department makes them déported from every dossier of it."""

    jure: str
    nom: str
    college: str
    departement: str | None = None
    qualite: str | None = None  # e.g. « France Tiers-Lieux », « collectivité »


@dataclass(frozen=True)
class Source:
    """An input file and its SHA-256, recorded so a decision can be redone and defended."""

    chemin: str
    sha256: str


@dataclass(frozen=True, eq=False)
class Vague:
    """A wave whose files were read without error.

    ``dossiers`` is indexed by dossier id with the SPEC §3 columns typed (``qpv``,
    ``numerique``, ``video`` booleans; ``montant`` and ``montant_annuel`` integer euros;
    ``lieux`` a tuple of place ids). ``notes`` holds the notes that count (long form:
    ``dossier``, ``jure``, ``critere``, ``note``, ``commentaire``); ``notes_ecartees`` the
    notes given despite a déport, which never count. ``deports`` has every (juror, dossier)
    pair in conflict, explicit or geographic.
    """

    nom: str
    numero: int | None
    chemin: Path
    dossiers: pd.DataFrame
    jury: tuple[Jure, ...]
    criteres: tuple[Critere, ...]
    deports: frozenset[tuple[str, str]]
    notes: pd.DataFrame
    notes_ecartees: pd.DataFrame
    sources: tuple[Source, ...]
    #: Why each (juror, dossier) pair of ``deports`` is one: declared (with its motif),
    #: declared in the juror's grid, or the juror's own department.
    motifs_deports: Mapping[tuple[str, str], str] = field(default_factory=dict)

    @property
    def ids_criteres(self) -> list[str]:
        """Criterion ids in sheet order."""
        return [c.critere for c in self.criteres]

    @property
    def libelles_criteres(self) -> dict[str, str]:
        """Each criterion's French label, as a candidate reads it: the jury workbook's
        (sheet ``criteres``, column ``libelle``); where that column is empty (its reader then
        keeps the id), FAQ 3.3's label for one of its six criteria, else the id in words."""
        faq = {cle(c): libelle for c, libelle in CRITERES_FAQ_3_3}
        libelles = {}
        for c in self.criteres:
            libelle = c.libelle.strip() if c.libelle else ""
            if not libelle or libelle == c.critere:
                libelle = faq.get(cle(c.critere)) or c.critere.replace("_", " ")
            libelles[c.critere] = libelle[:1].upper() + libelle[1:]
        return libelles

    @property
    def poids(self) -> dict[str, float]:
        """Criterion weights from sheet ``criteres``."""
        return {c.critere: c.poids for c in self.criteres}

    def matrice(self, critere: str | None = None) -> pd.DataFrame:
        """Dossier × juror notes (NaN where none) for one criterion, or their mean over all."""
        notes = self.notes if critere is None else self.notes[self.notes["critere"] == critere]
        table = notes.pivot_table(index="dossier", columns="jure", values="note", aggfunc="mean")
        return table.reindex(index=self.dossiers.index, columns=[j.jure for j in self.jury])


@dataclass(frozen=True)
class LectureVague:
    """What reading a wave gives: the wave when there is no error, and every finding."""

    vague: Vague | None
    constats: Constats

    def fichiers_lus(self) -> list[Path]:
        """The wave's files (never to be replaced by an output of the run)."""
        return [Path(s.chemin) for s in self.vague.sources] if self.vague else []
