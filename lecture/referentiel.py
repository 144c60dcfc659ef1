"""Reference data bundled with the package: departments, communes, QPV, métropoles, map.

Every table is read once from ``lecture/data`` (see ``data/PROVENANCE.md``) and cached.
INSEE and department codes are always text (``01``, ``2A``, ``971``): pandas is told so
explicitly, because a code read as a number silently loses its leading zero.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache
from importlib.resources import files
from typing import Any

import pandas as pd

_DATA = files("lecture") / "data"

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


#: What pandas' reader takes for a missing value (its default list), given to Arrow's.
VALEURS_MANQUANTES = ["", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan",
                      "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a",
                      "nan", "null"]


def _read_csv(name: str, text_columns: list[str],
              usecols: list[str] | None = None) -> pd.DataFrame:
    """A bundled table as ``pd.read_csv`` reads it — ``text_columns`` as ``string``, the
    others as pandas infers them — but parsed by Arrow's reader, in C++ and off Python's
    lock: communes.csv in 19 ms instead of 28 on a wave's first read.
    ``tests/test_referentiel.py`` compares both readers on every bundled table."""
    from pyarrow import csv, string

    with (_DATA / name).open("rb") as handle:
        table = csv.read_csv(handle, convert_options=csv.ConvertOptions(
            column_types=dict.fromkeys(text_columns, string()), include_columns=usecols,
            null_values=VALEURS_MANQUANTES, strings_can_be_null=True))
    return table.to_pandas().astype(dict.fromkeys(text_columns, "string"))


#: The collectivités d'outre-mer where the AMI is open too (FAQ 2.7: « partout en France y
#: compris dans les départements et collectivités d'outre-mer »), each counted as a
#: department: Saint-Pierre-et-Miquelon, Saint-Barthélemy, Saint-Martin, Wallis-et-Futuna,
#: Polynésie française, Nouvelle-Calédonie. (The TAAF and Clipperton have no inhabitants.)
COLLECTIVITES_OUTRE_MER = ("975", "977", "978", "986", "987", "988")


@cache
def departements() -> pd.DataFrame:
    """The 101 departments (metropolitan and DROM) and the 6 inhabited collectivités
    d'outre-mer, indexed by code, with population.

    Columns: ``nom``, ``code_region``, ``region``, ``zone`` (``metro`` | ``drom`` | ``com``),
    ``population`` (population municipale), ``chef_lieu`` (INSEE code of the prefecture).
    """
    table = _read_csv(
        "departements.csv", ["code_departement", "code_region", "chef_lieu"]
    )
    table = table[table["zone"].isin(["metro", "drom"])
                  | table["code_departement"].isin(COLLECTIVITES_OUTRE_MER)]
    table = table.rename(
        columns={
            "code_departement": "code",
            "nom_departement": "nom",
            "nom_region": "region",
            "population_municipale": "population",
        }
    )
    return table.set_index("code")[["nom", "code_region", "region", "zone", "population",
                                    "chef_lieu"]]


@cache
def _codes_des_departements() -> dict[str, str]:
    return {cle_commune(str(nom)): str(code) for code, nom in departements()["nom"].items()}


def code_du_departement(nom: str) -> str | None:
    """The code of the department called ``nom`` (case, accents and punctuation folded:
    « Corse-du-Sud », « corse du sud »), None when no department has that name."""
    return _codes_des_departements().get(cle_commune(nom))


@cache
def communes() -> pd.DataFrame:
    """Every commune and municipal arrondissement, indexed by INSEE code.

    Columns: ``nom``, ``type`` (``commune-actuelle`` | ``arrondissement-municipal``),
    ``departement``, ``population``, ``epci_siren``, ``epci_nom``, ``codes_postaux``
    (space-separated).
    """
    table = _read_csv(
        "communes.csv", ["code_insee", "code_departement", "codes_postaux", "epci_siren"],
        usecols=["code_insee", "nom", "type", "code_departement", "population",
                 "codes_postaux", "epci_siren", "epci_nom"],
    )
    table = table.rename(columns={"code_insee": "code", "code_departement": "departement"})
    return table.set_index("code")[["nom", "type", "departement", "population", "epci_siren",
                                    "epci_nom", "codes_postaux"]]


_ORDINAL = re.compile(r"^(\d+)(?:e|eme|er|ere|re|ieme)$")
_ABREVIATIONS = {"st": "saint", "ste": "sainte"}
_MOTS_VIDES = {"arrondissement", "arr", "arrdt", "municipal"}


def cle_commune(nom: str) -> str:
    """A commune name folded for comparison: case, accents, spaces and punctuation, « St » for
    « Saint », and the arrondissement's ordinal (« Lyon 3e », « Lyon 3ème », « Lyon 3e
    Arrondissement » and « LYON 3 » all give ``lyon3``)."""
    decompose = unicodedata.normalize("NFKD", str(nom))
    sans_accents = "".join(c for c in decompose if not unicodedata.combining(c)).lower()
    mots = []
    for mot in re.findall(r"[a-z0-9]+", sans_accents):
        if mot in _MOTS_VIDES:
            continue
        ordinal = _ORDINAL.match(mot)
        mots.append(ordinal.group(1) if ordinal else _ABREVIATIONS.get(mot, mot))
    return "".join(mots)


@cache
def _colonne_des_communes(colonne: str) -> Any:
    """Column ``colonne`` of :func:`communes` as its array, in the index's order (what a
    Series' ``get`` reads its value from)."""
    return communes()[colonne].array


def _de_la_commune(colonne: str, code: str, defaut: Any) -> Any:
    """``communes()[colonne].get(code, defaut)``, looked up through the index's hash table:
    the wave's reader asks several times per dossier, and a Series' ``get`` is fifty times
    slower (the index is unique: the same answers)."""
    try:
        position = communes().index.get_loc(code)
    except KeyError:
        return defaut
    return _colonne_des_communes(colonne)[position]


def nom_commune(code: str) -> str:
    """The INSEE name of commune ``code`` (the code itself when unknown)."""
    return str(_de_la_commune("nom", code, code))


def departement_de_commune(code: str) -> str | None:
    """The department of commune ``code`` (None when unknown)."""
    departement: str | None = _de_la_commune("departement", code, None)
    return departement


def commune_parente(code: str) -> str:
    """The commune a municipal arrondissement belongs to (the code itself otherwise)."""
    for ville, arrondissements in ARRONDISSEMENTS_MUNICIPAUX.items():
        if code.isdigit() and int(code) in arrondissements:
            return ville
    return code


def nom_correspond(code: str, nom: str) -> bool:
    """True when ``nom`` names the commune ``code``: the same folded name, or the ville of
    an arrondissement (« Paris » for 75111), or an arrondissement of the ville."""
    if code not in communes().index:
        return False
    cle = cle_commune(nom)
    return cle in {cle_commune(nom_commune(code)),
                   cle_commune(nom_commune(commune_parente(code)))} or (
        commune_parente(code) == code and any(
            commune_parente(c) == code
            for c in codes_du_nom(nom, str(departement_de_commune(code)))))


@cache
def _index_noms(departement: str | None) -> dict[str, tuple[str, ...]]:
    """Folded name → codes, for one department (a few hundred names: built in a blink) or,
    with None, for all 35,000."""
    table = communes()
    if departement is not None:
        table = table[table["departement"] == departement]
    index: dict[str, list[str]] = {}
    for code, nom in table["nom"].items():
        index.setdefault(cle_commune(nom), []).append(str(code))
    return {cle: tuple(sorted(codes)) for cle, codes in index.items()}


def codes_du_nom(nom: str, departement: str | None = None) -> tuple[str, ...]:
    """The INSEE codes of the communes (and arrondissements) called ``nom``, within
    ``departement`` when given."""
    return _index_noms(departement or None).get(cle_commune(nom), ())


@cache
def _index_codes_postaux() -> dict[str, tuple[str, ...]]:
    index: dict[str, list[str]] = {}
    for code, postaux in communes()["codes_postaux"].dropna().items():
        for postal in str(postaux).split():
            index.setdefault(postal, []).append(str(code))
    return {postal: tuple(sorted(codes)) for postal, codes in index.items()}


def codes_postaux(code: str) -> tuple[str, ...]:
    """The postcodes serving commune ``code`` (none for an unknown code, or a commune with
    none, as the TAAF)."""
    if code not in communes().index:
        return ()
    postaux = communes()["codes_postaux"].get(code)
    return tuple(postaux.split()) if isinstance(postaux, str) else ()


def codes_du_code_postal(code_postal: str) -> tuple[str, ...]:
    """The INSEE codes of the communes (and arrondissements) a postcode serves."""
    return _index_codes_postaux().get(code_postal, ())


@cache
def qpv() -> pd.DataFrame:
    """The 2024 list of quartiers prioritaires (decree 2023-1314), one row per QPV.

    The AMI ran under the 2015 list, which is not available: use this one for realistic
    samples and for warnings only, never to reject a dossier.
    """
    return _read_csv("qpv2024.csv", ["code_qp", "insee_com", "code_departement"])


@cache
def communes_avec_qpv() -> frozenset[str]:
    """INSEE codes of the communes that contain at least one QPV (2024 list); a QPV of an
    arrondissement counts for its ville too."""
    codes = frozenset(qpv()["insee_com"].dropna())
    return codes | {commune_parente(c) for c in codes}


@cache
def _communes_actuelles_avec_qpv() -> pd.DataFrame:
    """The communes (not arrondissements) with a QPV: the same for every dossier asked about."""
    table = communes()
    return table[table.index.isin(communes_avec_qpv()) & (table["type"] == "commune-actuelle")]


def communes_voisines_avec_qpv(code: str, nombre: int = 3) -> tuple[str, ...]:
    """Up to ``nombre`` communes with a QPV near ``code``, the largest first: those of its
    intercommunality, else of its department. The reference has no coordinates, so the
    intercommunality stands for « near » (the 300 m rule can cross a commune boundary)."""
    table = communes()
    if code not in table.index:
        return ()
    avec = _communes_actuelles_avec_qpv()
    epci = table.at[code, "epci_siren"]
    voisines = avec[avec["epci_siren"] == epci] if isinstance(epci, str) else avec.iloc[:0]
    if voisines.empty:
        voisines = avec[avec["departement"] == table.at[code, "departement"]]
    voisines = voisines.sort_values(["population", "nom"], ascending=[False, True])
    return tuple(str(c) for c in voisines.index[:nombre])


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
