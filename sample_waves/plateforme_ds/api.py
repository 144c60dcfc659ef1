"""The platform's GraphQL API answer for a dossier (app/graphql/types/dossier_type.rb and
champ types), and what the API's type resolution does with a query's fragments."""

from __future__ import annotations

import base64
import re
from datetime import date
from typing import Any

from sample_waves.plateforme_ds.export import colonnes_export
from sample_waves.plateforme_ds.modele import (
    NON_REMPLISSABLES,
    Demarche,
    Departement,
    DossierDS,
    Etablissement,
    TypeDeChamp,
    champ_vide,
)

#: Months as ``I18n.l(date, format: '%d %B %Y')`` writes them in French (rails-i18n fr.yml).
MOIS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
        "octobre", "novembre", "décembre")
#: ``type_champ`` → the GraphQL type of its champs (app/graphql/types/champ_type.rb).
TYPES_GRAPHQL = {
    "text": "TextChamp", "textarea": "TextChamp", "commune": "CommuneChamp",
    "departement": "DepartementChamp", "yes_no": "YesNoChamp", "checkbox": "CheckboxChamp",
    "integer_number": "IntegerNumberChamp", "decimal_number": "DecimalNumberChamp",
    "date": "DateChamp", "siret": "SiretChamp", "piece_justificative": "PieceJustificativeChamp",
    "repetition": "RepetitionChamp", "drop_down_list": "DropDownListChamp",
    "address": "AddressChamp", "header_section": "HeaderSectionChamp",
    "explication": "ExplicationChamp",
}


def _texte_decimal(nombre: float) -> str:
    """A decimal as the platform stores it: the text typed, a comma made a dot (« 2 »,
    « 1.5 »)."""
    return str(int(nombre)) if nombre.is_integer() else repr(nombre)


def _id_graphql(type_: str, identifiant: object) -> str:
    """A global id: ``GraphQL::Schema::UniqueWithinType.encode`` (graphql-ruby), the Base64
    of « Type-id »."""
    return base64.b64encode(f"{type_}-{identifiant}".encode()).decode()


def _date_fr(jour: date) -> str:
    """``I18n.l(date, format: '%d %B %Y')`` in French (date_type_de_champ.rb)."""
    return f"{jour.day:02d} {MOIS[jour.month - 1]} {jour.year}"


def champ_api(tdc: TypeDeChamp, valeur: Any, numero: int) -> dict[str, Any]:
    """One champ as the API gives it (app/graphql/types/champs/*_champ_type.rb):
    ``stringValue`` is ``champ_value_for_api`` (app/graphql/types/champ_type.rb), a blank champ
    giving ``champ_default_api_value`` (``''``; ``'false'`` for a checkbox); the structured
    fields are under their schema names."""
    t = tdc.type_champ
    noeud: dict[str, Any] = {
        "id": _id_graphql("Champ", f"{tdc.stable_id}-{numero}"),
        "champDescriptorId": _id_graphql("TypeDeChamp", tdc.stable_id),
        "__typename": TYPES_GRAPHQL[t], "label": tdc.libelle, "prefilled": False,
        "updatedAt": "2026-11-02T10:00:00+01:00", "columns": []}
    vide = champ_vide(valeur)
    if t == "commune":
        noeud["stringValue"] = "" if vide else colonnes_export(tdc, valeur)[0][1]
        noeud["commune"] = None if vide else {"name": valeur.nom, "code": valeur.code,
                                              "postalCode": valeur.code_postal}
        departement = None if vide else Departement(valeur.code_departement)
        noeud["departement"] = None if departement is None else {
            "code": departement.code, "name": departement.nom}
    elif t == "departement":  # champ_value_for_api v2: « 01 - Ain », en dash made a hyphen
        noeud["stringValue"] = "" if vide else f"{valeur.code} - {valeur.nom}"
        noeud["departement"] = None if vide else {"code": valeur.code, "name": valeur.nom}
    elif t in ("yes_no", "checkbox"):  # 'true' / 'false' (yes_no: '' when blank)
        noeud["stringValue"] = ("" if t == "yes_no" else "false") if vide \
            else str(bool(valeur)).lower()
        noeud["value"] = (None if t == "yes_no" else False) if vide else bool(valeur)
    elif t == "integer_number":  # GraphQL BigInt is serialised as a string
        noeud["stringValue"] = "" if vide else str(int(valeur))
        noeud["value"] = None if vide else str(int(valeur))
    elif t == "decimal_number":  # stored with a dot, spaces removed (decimal_number_champ.rb)
        noeud["stringValue"] = "" if vide else _texte_decimal(float(valeur))
        noeud["value"] = None if vide else float(valeur)
    elif t == "date":
        noeud["stringValue"] = "" if vide else _date_fr(valeur)
        noeud["date"] = None if vide else valeur.isoformat()
    elif t == "piece_justificative":  # API v2: '' when blank, no string value otherwise
        noeud["stringValue"] = "" if vide else None
        noeud["files"] = [] if vide else [{"filename": n, "contentType": "video/mp4",
                                           "byteSize": "1048576", "checksum": "",
                                           "url": f"https://exemple.invalid/{n}"}
                                          for n in valeur]
    elif t == "repetition":
        noeud["stringValue"] = ""
        noeud["rows"] = [{"id": _id_graphql("Row", f"{numero}-{rang}"),
                          "champs": [champ_api(e, ligne.get(e.stable_id), numero)
                                     for e in tdc.enfants]}
                         for rang, ligne in enumerate(valeur or (), start=1)]
        noeud["champs"] = [c for r in noeud["rows"] for c in r["champs"]]
    elif t in NON_REMPLISSABLES:  # a section header, an explanation: nothing to fill
        noeud["stringValue"] = ""
    elif t == "siret":
        noeud["stringValue"] = "" if vide else valeur.siret
        # SiretChampType#etablissement hides a degraded-mode établissement (l. 9-11)
        noeud["etablissement"] = None if vide or valeur.degrade else _personne_morale(valeur)
    else:  # text, textarea, drop-down list, address: the stored value
        noeud["stringValue"] = "" if vide else str(valeur)
        noeud["value"] = None if vide else str(valeur)
    return noeud


def _personne_morale(e: Etablissement) -> dict[str, Any]:
    """``demandeur`` (app/graphql/types/personne_morale_type.rb; degraded mode:
    ``PersonneMoraleIncomplete``, the SIRET alone)."""
    if e.degrade:
        return {"__typename": "PersonneMoraleIncomplete", "siret": e.siret}
    return {"__typename": "PersonneMorale", "siret": e.siret,
            "entreprise": {"raisonSociale": e.raison_sociale,
                           "formeJuridique": e.forme_juridique or None,
                           "formeJuridiqueCode": e.forme_juridique_code or None},
            "address": {"cityName": e.localite, "cityCode": e.code_insee_localite}}


def noeud_api(demarche: Demarche, dossier: DossierDS) -> dict[str, Any]:
    """The dossier as the API answers (app/graphql/types/dossier_type.rb): every public champ
    of its revision, blank ones included (``project_champs_public``), and its annotations."""
    d = dossier
    return {
        "id": _id_graphql("Dossier", d.numero), "number": d.numero, "state": d.etat,
        "dateDepot": d.depose_le.isoformat(),
        "dateDerniereModification": d.modifie_le.isoformat(),
        "dateDerniereModificationChamps": d.modifie_le.isoformat(),
        "motivation": None, "usager": {"email": d.email},
        "demandeur": _personne_morale(d.demandeur),
        "champs": [champ_api(t, d.valeurs.get(t.stable_id), d.numero) for t in demarche.champs],
        "annotations": [champ_api(t, d.annotations.get(t.stable_id), d.numero)
                        for t in demarche.annotations],
    }


def descripteurs_annotations(demarche: Demarche) -> list[dict[str, Any]]:
    """``activeRevision { annotationDescriptors { id label __typename } }``."""
    return [{"id": _id_graphql("TypeDeChamp", t.stable_id), "label": t.libelle,
             "__typename": TYPES_GRAPHQL[t.type_champ].replace("Champ", "ChampDescriptor")}
            for t in demarche.annotations]


def selon_le_document(noeud: Any, document: str) -> Any:
    """What the API's type resolution does with the query (app/graphql/types/champ_type.rb,
    ``resolve_type``): a yes/no champ is a ``CheckboxChamp`` unless the query has a fragment on
    ``YesNoChamp``; a commune, département or address champ is a ``TextChamp`` unless the query
    has a fragment on its own type."""
    if isinstance(noeud, list):
        return [selon_le_document(n, document) for n in noeud]
    if not isinstance(noeud, dict):
        return noeud
    resultat = {k: selon_le_document(v, document) for k, v in noeud.items()}
    type_ = resultat.get("__typename")
    replis = {"YesNoChamp": "CheckboxChamp", "CommuneChamp": "TextChamp",
              "DepartementChamp": "TextChamp", "AddressChamp": "TextChamp",
              "DropDownListChamp": "TextChamp", "HeaderSectionChamp": "TextChamp",
              "ExplicationChamp": "TextChamp"}
    if type_ in replis and not re.search(rf"\bon\s+{type_}\b", document):
        resultat["__typename"] = replis[type_]
        if type_ == "YesNoChamp":
            resultat["value"] = bool(resultat.get("value"))
        elif type_ == "CommuneChamp":  # TextChamp#value: the stored name, no postcode
            resultat["value"] = (resultat.get("commune") or {}).get("name")
        elif type_ == "DepartementChamp":  # the stored name
            resultat["value"] = (resultat.get("departement") or {}).get("name")
        elif type_ in ("HeaderSectionChamp", "ExplicationChamp"):
            resultat["value"] = None
        elif "value" not in resultat:
            resultat["value"] = resultat.get("stringValue") or None
    return resultat
