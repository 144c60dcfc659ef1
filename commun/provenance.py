"""Where an output comes from: the files it was computed from (name and SHA-256:
:func:`sha256_fichier`), the history it was decided against, and the software that
computed it.

Every workbook the project writes carries it as rows of its sheet ``parametres``
(:meth:`Provenance.lignes`); ``fabriques record`` reads it back (:meth:`Provenance.lire`)
to refuse a decision taken on other files or against another history.
"""

from __future__ import annotations

import hashlib
import platform
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import import_module
from pathlib import Path

from commun.version import VERSION

#: The history fingerprint of a decision taken without history.
AUCUN = "aucun"
#: The libraries whose versions are recorded (with Python's and fabriques').
BIBLIOTHEQUES = ("pandas", "numpy", "pulp", "highspy", "openpyxl")
_PREFIXE = "sha256 "
_HISTORIQUE = f"{_PREFIXE}historique"


def version_de(bibliotheque: str) -> str:
    """The version of an installed library, read from the module itself (importing
    ``importlib.metadata`` costs more than the rest of a decision's provenance)."""
    module = import_module(bibliotheque)
    if bibliotheque == "highspy":
        return ".".join(str(getattr(module, f"HIGHS_VERSION_{partie}"))
                        for partie in ("MAJOR", "MINOR", "PATCH"))
    return str(module.__version__)


def _maintenant() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def logiciels_installes() -> tuple[tuple[str, str], ...]:
    """(name, version) of Python and of every library in :data:`BIBLIOTHEQUES`."""
    return (("python", platform.python_version()),
            *((nom, version_de(nom)) for nom in BIBLIOTHEQUES))


def sha256_fichier(chemin: Path) -> str:
    """SHA-256 of a file, read in blocks (recorded so a decision can be redone)."""
    digest = hashlib.sha256()
    with Path(chemin).open("rb") as handle:
        for bloc in iter(lambda: handle.read(1 << 20), b""):
            digest.update(bloc)
    return digest.hexdigest()


@dataclass(frozen=True)
class Provenance:
    """The files and software behind one output."""

    vague: str
    #: (file name, SHA-256) of every input: the wave's files, then programme and history.
    empreintes: tuple[tuple[str, str], ...]
    #: SHA-256 of the history the decision was taken against (:data:`AUCUN` without one;
    #: None for an output that decides nothing, such as the scores report).
    empreinte_historique: str | None = None
    version: str = VERSION
    date: str = field(default_factory=_maintenant)
    #: (name, version) of the software that computed it (:func:`logiciels_installes`).
    logiciels: tuple[tuple[str, str], ...] = field(default_factory=logiciels_installes)

    def lignes(self) -> list[tuple[str, str]]:
        """The rows of sheet ``parametres`` (parametre, valeur), in a fixed order."""
        lignes = [("vague", self.vague)]
        lignes += [(f"{_PREFIXE}{nom}", empreinte) for nom, empreinte in self.empreintes]
        if self.empreinte_historique is not None:
            lignes.append((_HISTORIQUE, self.empreinte_historique))
        lignes += [("fabriques", self.version), *self.logiciels]
        lignes.append(("date", self.date))
        return lignes

    @classmethod
    def lire(cls, parametres: Mapping[str, object]) -> Provenance:
        """The provenance written by :meth:`lignes` into a ``parametres`` sheet read as
        parametre → valeur (missing rows read as empty)."""
        empreintes = tuple((cle.removeprefix(_PREFIXE), str(valeur))
                           for cle, valeur in parametres.items()
                           if cle.startswith(_PREFIXE) and cle != _HISTORIQUE)
        historique = parametres.get(_HISTORIQUE)
        # the versions recorded, not this machine's: a provenance read back describes the run
        logiciels = tuple((nom, str(parametres[nom])) for nom in ("python", *BIBLIOTHEQUES)
                          if nom in parametres)
        return cls(str(parametres.get("vague") or ""), empreintes,
                   None if historique is None else str(historique),
                   str(parametres.get("fabriques") or ""), str(parametres.get("date") or ""),
                   logiciels)

    def fichiers_differents(self, attendues: Iterable[tuple[str, str]]) -> list[str]:
        """The names among ``attendues`` (name, SHA-256) recorded here with another
        fingerprint or not at all."""
        connues = dict(self.empreintes)
        return [nom for nom, empreinte in attendues if connues.get(nom) != empreinte]
