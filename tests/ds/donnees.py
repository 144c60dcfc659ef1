"""Dossiers for the local démarches-simplifiées, shaped as the platform returns them, made
from the bundled sample wave: each SPEC column becomes the champ the démarche would have
(labelled with the first label of ``correspondance_ds.toml``), the applicant's SIRET and
legal form go in ``demandeur``. And the rest of a wave folder (jury, grids, rules, history)
with the sample's dossier ids replaced by the platform's numbers."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd

from scoring.demarches import charger_correspondance
from tests.ds.serveur import PlateformeDS

RACINE = Path(__file__).resolve().parents[2]
VAGUE_06 = RACINE / "sample_waves" / "vague-06"
PREMIER_NUMERO = 40001
#: SPEC column → the champ's GraphQL type.
TYPES = {"nom": "TextChamp", "qpv": "YesNoChamp", "numerique": "YesNoChamp",
         "montant": "IntegerNumberChamp", "montant_annuel": "IntegerNumberChamp",
         "etp": "DecimalNumberChamp", "embauche_prevue": "YesNoChamp", "video": "TextChamp",
         "lieux": "TextChamp"}


def _texte(valeur: Any) -> str | None:
    return None if pd.isna(valeur) else str(valeur)


def _oui_non(valeur: Any) -> str | None:
    texte = _texte(valeur)
    return None if texte is None else ("Oui" if texte.lower() in {"oui", "o", "1", "x"}
                                       else "Non")


def _champ(numero: int, rang: int, libelle: str, typename: str,
           valeur: str | None) -> dict[str, Any]:
    return {"id": f"Champ-{rang}-{numero}", "champDescriptorId": f"Descripteur-{rang}",
            "__typename": typename, "label": libelle, "stringValue": valeur,
            "prefilled": False, "updatedAt": "2026-11-02T10:00:00Z", "columns": []}


def noeud_dossier(numero: int, ligne: pd.Series) -> dict[str, Any]:
    """One dossier as the API returns it (the fields the client asks for)."""
    libelles = {c: v[0] for c, v in charger_correspondance().colonnes.items()}
    champs = []
    for rang, colonne in enumerate(TYPES, start=1):
        valeur = ligne.get(colonne)
        if TYPES[colonne] == "YesNoChamp" and colonne != "video":
            texte = _oui_non(valeur)
        elif colonne == "video":
            texte = (f"https://video.example/{numero}" if _oui_non(valeur) == "Oui" else None)
        else:
            texte = _texte(valeur)
        champs.append(_champ(numero, rang, libelles[colonne], TYPES[colonne], texte))
    commune = _champ(numero, 99, "Commune du lieu", "CommuneChamp", _texte(ligne["commune"]))
    code = _texte(ligne.get("code_commune"))
    commune["commune"] = ({"name": _texte(ligne["commune"]), "code": code, "postalCode": None}
                          if code else None)
    departement = _texte(ligne.get("departement"))
    commune["departement"] = {"code": departement, "name": ""} if departement else None
    champs.append(commune)
    return {
        "id": f"Dossier-{numero}", "number": numero, "state": "en_construction",
        "dateDepot": "2026-10-15T09:00:00Z",
        "dateDerniereModification": "2026-11-02T10:00:00Z",
        "dateDerniereModificationChamps": "2026-11-02T10:00:00Z",
        "motivation": None, "usager": {"email": f"porteur{numero}@exemple.fr"},
        "demandeur": {"__typename": "PersonneMorale", "siret": _texte(ligne["siret"]) or "",
                      "entreprise": {"raisonSociale": _texte(ligne["porteur"]) or "",
                                     "formeJuridique": _texte(ligne["forme_juridique"]),
                                     "formeJuridiqueCode": _texte(
                                         ligne.get("categorie_juridique"))},
                      "address": {"cityName": "Paris", "cityCode": "75056"}},
        "champs": champs, "annotations": [],
    }


def plateforme_de_vague(demarche: int, jeton: str, vague: Path = VAGUE_06
                        ) -> tuple[PlateformeDS, dict[str, int]]:
    """The platform holding the sample wave's dossiers, and sample id → dossier number."""
    dossiers = pd.read_excel(vague / "dossiers.xlsx", sheet_name="dossiers",
                             engine="calamine", dtype=str)
    numeros = {str(i): PREMIER_NUMERO + k for k, i in enumerate(dossiers["dossier"])}
    plateforme = PlateformeDS(demarche, jeton)
    for _, ligne in dossiers.iterrows():
        numero = numeros[str(ligne["dossier"])]
        plateforme.dossiers[numero] = noeud_dossier(numero, ligne)
    plateforme.annotations = [
        {"id": "Annotation-1", "label": "Note du jury", "__typename": "TextChampDescriptor"},
        {"id": "Annotation-2", "label": "Rang", "__typename": "IntegerNumberChampDescriptor"},
        {"id": "Annotation-3", "label": "Statut jury", "__typename": "TextChampDescriptor"},
    ]
    plateforme.instructeurs = [{"id": "Instructeur-7", "email": "secretariat@anct.gouv.fr"}]
    return plateforme, numeros


def _remplacer_ids(source: Path, cible: Path, numeros: dict[str, int]) -> None:
    classeur = openpyxl.load_workbook(source)
    for feuille in classeur.worksheets:
        for ligne in feuille.iter_rows():
            for cellule in ligne:
                if isinstance(cellule.value, str) and cellule.value in numeros:
                    cellule.value = str(numeros[cellule.value])
    cible.parent.mkdir(parents=True, exist_ok=True)
    classeur.save(cible)


def completer_vague(dossier: Path, numeros: dict[str, int], vague: Path = VAGUE_06) -> None:
    """Put beside an imported ``dossiers.xlsx`` the sample wave's jury, grids, rules and
    history, with its dossier ids replaced by the platform's numbers."""
    _remplacer_ids(vague / "jury.xlsx", dossier / "jury.xlsx", numeros)
    for grille in sorted((vague / "notes").glob("*.xlsx")):
        _remplacer_ids(grille, dossier / "notes" / grille.name, numeros)
    shutil.copy(vague / "laureats.xlsx", dossier / "laureats.xlsx")
    shutil.copy(vague.parent / "programme.toml", dossier / "programme.toml")
