"""Findings about the input files: errors (blocking) and warnings, each located exactly.

Readers never stop at the first problem: they collect every finding, so the secretariat
fixes a file once. A finding names the file, the sheet, the Excel row number (1-based, as
Excel shows it), the column as written in the file, the value, a stable code and a French
message. Readers raise nothing: an unexpected exception becomes an
``erreur_inattendue`` finding.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Gravite(StrEnum):
    """How a finding affects the wave."""

    ERREUR = "erreur"  # the wave cannot be scored or allocated until it is fixed
    AVERTISSEMENT = "avertissement"  # the wave goes on; the secretariat should look


@dataclass(frozen=True)
class Constat:
    """One located finding."""

    gravite: Gravite
    code: str
    message: str
    fichier: str | None = None
    feuille: str | None = None
    ligne: int | None = None
    colonne: str | None = None
    valeur: Any = None

    @property
    def est_erreur(self) -> bool:
        """True for a blocking finding."""
        return self.gravite is Gravite.ERREUR

    def lieu(self) -> str:
        """Where the finding is, in the secretariat's words: fichier › feuille › ligne › colonne."""
        parts = []
        if self.fichier:
            parts.append(self.fichier)
        if self.feuille:
            parts.append(f"feuille « {self.feuille} »")
        if self.ligne is not None:
            parts.append(f"ligne {self.ligne}")
        if self.colonne:
            parts.append(f"colonne « {self.colonne} »")
        return " › ".join(parts)

    def __str__(self) -> str:
        label = "ERREUR" if self.est_erreur else "AVERTISSEMENT"
        lieu = self.lieu()
        valeur = "" if self.valeur is None else f" (valeur : « {self.valeur} »)"
        prefix = f"{lieu} : " if lieu else ""
        return f"[{label}] {prefix}{self.message}{valeur} [{self.code}]"


@dataclass
class Constats:
    """An ordered collection of findings, with the location of the file being read."""

    elements: list[Constat] = field(default_factory=list)

    def ajouter(self, constat: Constat) -> None:
        """Record one finding."""
        self.elements.append(constat)

    def erreur(self, code: str, message: str, **lieu: Any) -> None:
        """Record a blocking finding."""
        self.ajouter(Constat(Gravite.ERREUR, code, message, **lieu))

    def avertissement(self, code: str, message: str, **lieu: Any) -> None:
        """Record a warning."""
        self.ajouter(Constat(Gravite.AVERTISSEMENT, code, message, **lieu))

    def etendre(self, autres: Iterable[Constat]) -> None:
        """Record several findings."""
        self.elements.extend(autres)

    @property
    def erreurs(self) -> list[Constat]:
        """The blocking findings."""
        return [c for c in self.elements if c.est_erreur]

    @property
    def avertissements(self) -> list[Constat]:
        """The warnings."""
        return [c for c in self.elements if not c.est_erreur]

    @property
    def a_des_erreurs(self) -> bool:
        """True when at least one finding blocks the wave."""
        return any(c.est_erreur for c in self.elements)

    def codes(self) -> list[str]:
        """The codes of every finding, in order (handy in tests and logs)."""
        return [c.code for c in self.elements]

    def __iter__(self) -> Iterator[Constat]:
        return iter(self.elements)

    def __len__(self) -> int:
        return len(self.elements)
