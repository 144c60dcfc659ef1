"""Reference data bundled with the package: departments, communes, QPV, métropoles, map.

Every table is read once from ``scoring/data`` (see ``data/PROVENANCE.md``) and cached.
INSEE and department codes are always text (``01``, ``2A``, ``971``): pandas is told so
explicitly, because a code read as a number silently loses its leading zero.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

import pandas as pd

_DATA = files("scoring") / "data"

#: The ville-centres of the 22 métropoles where a dossier is eligible only inside a QPV
#: (FAQ 2.7). Aix-Marseille-Provence counts two: Marseille and Aix-en-Provence.
VILLES_CENTRES_METROPOLES: dict[str, str] = {
    "13001": "Aix-en-Provence",
    "13055": "Marseille",
    "33063": "Bordeaux",
    "29019": "Brest",
    "63113": "Clermont-Ferrand",
    "21231": "Dijon",
    "38185": "Grenoble",
    "59350": "Lille",
    "69123": "Lyon",
    "57463": "Metz",
    "34172": "Montpellier",
    "54395": "Nancy",
    "44109": "Nantes",
    "06088": "Nice",
    "45234": "Orléans",
    "75056": "Paris",
    "35238": "Rennes",
    "76540": "Rouen",
    "42218": "Saint-Étienne",
    "67482": "Strasbourg",
    "83137": "Toulon",
    "31555": "Toulouse",
    "37261": "Tours",
}

#: Municipal arrondissements belong to their ville-centre for the FAQ 2.7 rule.
ARRONDISSEMENTS_MUNICIPAUX: dict[str, range] = {
    "75056": range(75101, 75121),  # Paris 1er–20e
    "69123": range(69381, 69390),  # Lyon 1er–9e
    "13055": range(13201, 13217),  # Marseille 1er–16e
}


def _read_csv(name: str, text_columns: list[str], **kwargs: Any) -> pd.DataFrame:
    with (_DATA / name).open("r", encoding="utf-8") as handle:
        return pd.read_csv(
            handle, dtype={column: "string" for column in text_columns}, **kwargs
        )


@cache
def departements() -> pd.DataFrame:
    """The 101 departments (metropolitan and DROM), indexed by code, with population.

    Columns: ``nom``, ``code_region``, ``region``, ``zone`` (``metro`` | ``drom``),
    ``population`` (population municipale).
    """
    table = _read_csv(
        "departements.csv", ["code_departement", "code_region", "chef_lieu"]
    )
    table = table[table["zone"].isin(["metro", "drom"])]
    table = table.rename(
        columns={
            "code_departement": "code",
            "nom_departement": "nom",
            "nom_region": "region",
            "population_municipale": "population",
        }
    )
    return table.set_index("code")[["nom", "code_region", "region", "zone", "population"]]


@cache
def communes() -> pd.DataFrame:
    """Every commune and municipal arrondissement, indexed by INSEE code.

    Columns: ``nom``, ``type`` (``commune-actuelle`` | ``arrondissement-municipal``),
    ``departement``, ``population``, ``epci_nom``.
    """
    table = _read_csv(
        "communes.csv", ["code_insee", "code_departement"],
        usecols=["code_insee", "nom", "type", "code_departement", "population", "epci_nom"],
    )
    table = table.rename(columns={"code_insee": "code", "code_departement": "departement"})
    return table.set_index("code")[["nom", "type", "departement", "population", "epci_nom"]]


@cache
def qpv() -> pd.DataFrame:
    """The 2024 list of quartiers prioritaires (decree 2023-1314), one row per QPV.

    The AMI ran under the 2015 list, which is not available: use this one for realistic
    samples and for warnings only, never to reject a dossier.
    """
    return _read_csv("qpv2024.csv", ["code_qp", "insee_com", "code_departement"])


@cache
def communes_avec_qpv() -> frozenset[str]:
    """INSEE codes of the communes that contain at least one QPV (2024 list)."""
    return frozenset(qpv()["insee_com"].dropna())


@cache
def metropoles() -> pd.DataFrame:
    """The 22 métropoles with the INSEE code of their most populous commune."""
    return _read_csv(
        "metropoles.csv",
        ["epci_siren", "commune_la_plus_peuplee_code", "code_departement"],
    )


@cache
def communes_villes_centres_exclues() -> frozenset[str]:
    """INSEE codes excluded outside QPV by FAQ 2.7: 23 ville-centres + 45 arrondissements."""
    codes = set(VILLES_CENTRES_METROPOLES)
    for arrondissements in ARRONDISSEMENTS_MUNICIPAUX.values():
        codes.update(f"{code:05d}" for code in arrondissements)
    return frozenset(codes)


@cache
def departements_geojson() -> dict[str, Any]:
    """Department polygons (properties ``code`` and ``nom``) for choropleth maps."""
    with (_DATA / "departements.geojson").open("r", encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


@cache
def entetes_demarches_simplifiees() -> dict[str, Any]:
    """Header rows of the démarches-simplifiées dossier export (2020 and current)."""
    with (_DATA / "ds_export_headers.json").open("r", encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data
