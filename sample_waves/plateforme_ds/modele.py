"""A dossier as démarches-simplifiées holds it: the démarche's form (its types de champ), the
typed champ values (a commune, a département, a SIRET's établissement) and the dossier
itself."""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from lecture import referentiel


@dataclass(frozen=True)
class Commune:
    """A commune champ (app/models/champs/commune_champ.rb): the INSEE code (``external_id``),
    the postcode the applicant chose it by, and its department."""

    code: str
    code_postal: str | None

    @property
    def nom(self) -> str:
        """The name the platform gives: ``APIGeoService.commune_name`` over its own bundled
        list (lib/data/api_geo/communes-*.json), which predates 19 renamings of the code
        officiel géographique (``communes_plateforme.csv``, extracted from it); else the
        INSEE name, ``'`` written ``’`` as that list writes it."""
        return _noms_plateforme().get(self.code) or referentiel.nom_commune(
            self.code).replace("'", "’")

    @property
    def code_departement(self) -> str:
        """The department of the commune (the INSEE reference data)."""
        return str(referentiel.communes().at[self.code, "departement"])


@cache
def _noms_plateforme() -> dict[str, str]:
    """INSEE code → the name the platform's bundled list gives, where it differs."""
    # The list is sample data beside the package: sample_waves/communes_plateforme.csv.
    chemin = Path(__file__).parent.with_name("communes_plateforme.csv")
    with chemin.open(encoding="utf-8") as fichier:
        return {ligne["code_insee"]: ligne["nom_plateforme"] for ligne in csv.DictReader(fichier)}


@dataclass(frozen=True)
class Departement:
    """A département champ (app/models/champs/departement_champ.rb)."""

    code: str

    @property
    def nom(self) -> str:
        """The department's name (the INSEE reference data)."""
        return str(referentiel.departements().at[self.code, "nom"])


@dataclass(frozen=True)
class Etablissement:
    """What API Entreprise gave for a SIRET (app/models/etablissement.rb). ``degrade``: the
    platform's degraded mode, when API Entreprise was down — only the SIRET is known
    (``PersonneMoraleIncomplete`` in the API)."""

    siret: str
    raison_sociale: str = ""
    forme_juridique: str = ""
    forme_juridique_code: str = ""
    localite: str = ""
    code_insee_localite: str = ""
    code_postal: str = ""
    degrade: bool = False


@dataclass(frozen=True)
class TypeDeChamp:
    """One field of the démarche's form: its label, its type (the platform's
    ``type_champ``), its stable id, and for a repetition block its children."""

    libelle: str
    type_champ: str
    stable_id: int
    enfants: tuple[TypeDeChamp, ...] = ()
    prive: bool = False


#: Champs that hold nothing: a form's section headers and explanations. Not exported
#: (``TypeDeChamp.fillable``), but given by the API among the dossier's champs.
NON_REMPLISSABLES = ("header_section", "explication")


@dataclass(frozen=True)
class Demarche:
    """A démarche: its number and its form (public champs, then private annotations)."""

    numero: int
    champs: tuple[TypeDeChamp, ...]
    annotations: tuple[TypeDeChamp, ...] = ()


@dataclass(frozen=True)
class DossierDS:
    """A dossier as the platform holds it. ``valeurs``: stable id → the champ's value
    (``str``, ``bool``, ``int``, ``float``, ``date``, :class:`Commune`, :class:`Departement`,
    a tuple of file names, a SIRET's :class:`Etablissement`, or for a repetition a tuple of
    rows, each a mapping stable id → value); a missing key or None is a blank champ."""

    numero: int
    etat: str
    demandeur: Etablissement
    valeurs: Mapping[int, Any]
    depose_le: datetime
    modifie_le: datetime
    email: str = ""
    instructeurs: tuple[str, ...] = ()
    annotations: Mapping[int, Any] = field(default_factory=dict)


def champ_vide(valeur: Any) -> bool:
    """``champ_blank?`` (app/models/types_de_champ/*): no champ, or nothing in it."""
    return valeur is None or valeur == "" or valeur == ()
