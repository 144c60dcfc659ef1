"""What démarches-simplifiées writes for a dossier, as the platform's own code writes it:
the xlsx and csv exports and the GraphQL API's answer.

Read from the platform's public repository ``demarches-simplifiees/demarches-simplifiees.fr``
at commit :data:`COMMIT` (2026-01-15, the commit of the published schema the tests serve).
Each rule below names the file it follows; ``tests/ds/PROVENANCE.md`` gives the whole table.
The sample wave ``vague-07`` and the tests' local platform are made from this module, so that
the fixtures follow the platform and not an idea of it. The product never imports it.

A dossier is held here the way the platform holds it (typed champ values, the applicant's
établissement); :func:`classeur_export`, :func:`csv_export` and :func:`noeud_api` render it.
"""

from __future__ import annotations

import base64
import csv
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from lecture import formes_juridiques, referentiel, valeurs

COMMIT = "e1338d79114265bb1ee774235e1be64962e60d09"
#: The platform's ``Time.zone`` (config/application.rb): Europe/Paris.
PARIS = ZoneInfo("Europe/Paris")

#: « État du dossier » (config/locales/models/dossier/fr.yml).
ETATS = {"brouillon": "Brouillon", "en_construction": "En construction",
         "en_instruction": "En instruction", "accepte": "Accepté", "refuse": "Refusé",
         "sans_suite": "Classé sans suite"}
#: Months as ``I18n.l(date, format: '%d %B %Y')`` writes them in French (rails-i18n fr.yml).
MOIS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
        "octobre", "novembre", "décembre")


# ----------------------------------------------------------------------------- champ values
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
        return str(referentiel.communes().at[self.code, "departement"])


@cache
def _noms_plateforme() -> dict[str, str]:
    chemin = Path(__file__).with_name("communes_plateforme.csv")
    with chemin.open(encoding="utf-8") as fichier:
        return {ligne["code_insee"]: ligne["nom_plateforme"] for ligne in csv.DictReader(fichier)}


@dataclass(frozen=True)
class Departement:
    """A département champ (app/models/champs/departement_champ.rb)."""

    code: str

    @property
    def nom(self) -> str:
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


# ------------------------------------------------------------------------------- the export
def _vide(valeur: Any) -> bool:
    """``champ_blank?`` (app/models/types_de_champ/*): no champ, or nothing in it."""
    return valeur is None or valeur == "" or valeur == ()


def _sans_caracteres_xml_invalides(texte: str) -> str:
    """``Sanitizers::Xml.sanitize`` (app/lib/sanitizers/xml.rb): characters XML 1.0 forbids
    become spaces."""
    return re.sub("[^\t\n\r\x20-\ud7ff\ue000-\ufffd]", " ", texte)


def colonnes_export(tdc: TypeDeChamp, valeur: Any) -> list[tuple[str, Any]]:
    """The export's columns for one champ: ``libelles_for_export`` (one per ``path``) and
    ``TypeDeChamp#champ_value_for_export`` (app/models/type_de_champ.rb): a blank champ gives
    ``champ_default_export_value``, else the type's own ``champ_value_for_export``."""
    t, libelle = tdc.type_champ, tdc.libelle
    if t == "commune":  # commune_type_de_champ.rb: value, (Code INSEE), (Département)
        if _vide(valeur):
            return [(libelle, None), (f"{libelle} (Code INSEE)", None),
                    (f"{libelle} (Département)", None)]
        nom = f"{valeur.nom} ({valeur.code_postal})" if valeur.code_postal else valeur.nom
        departement = Departement(valeur.code_departement)
        # commune_champ.rb, departement_code_and_name: code, space, en dash, space, name
        return [(libelle, nom), (f"{libelle} (Code INSEE)", valeur.code),
                (f"{libelle} (Département)", f"{departement.code} – {departement.nom}")]
    if t == "departement":  # departement_type_de_champ.rb: the name, then (Code)
        if _vide(valeur):
            return [(libelle, None), (f"{libelle} (Code)", None)]
        return [(libelle, valeur.nom), (f"{libelle} (Code)", valeur.code)]
    if t == "yes_no":  # yes_no_type_de_champ.rb: default ''
        return [(libelle, "" if valeur is None else ("Oui" if valeur else "Non"))]
    if t == "checkbox":  # checkbox_type_de_champ.rb: default 'off'
        return [(libelle, "on" if valeur else "off")]
    if t in ("integer_number", "decimal_number"):
        # *_number_type_de_champ.rb: value&.to_i / to_f; champ_default_export_value is 0, so
        # a blank number is exported as 0 (the API gives null)
        if _vide(valeur):
            return [(libelle, 0)]
        return [(libelle, int(valeur) if t == "integer_number" else float(valeur))]
    if t == "piece_justificative":  # file names joined by ', '
        return [(libelle, None if _vide(valeur) else ", ".join(valeur))]
    if t == "date":  # type_de_champ_base.rb: the stored value, ISO 8601 (date_champ.rb)
        return [(libelle, None if _vide(valeur) else valeur.isoformat())]
    if t == "siret":
        return [(libelle, None if _vide(valeur) else valeur.siret)]
    if t in ("text", "textarea"):  # text_type_de_champ.rb: XML-sanitized
        return [(libelle, None if _vide(valeur) else _sans_caracteres_xml_invalides(valeur))]
    if t == "address":  # address_type_de_champ.rb: the label, not sanitized
        return [(libelle, None if _vide(valeur) else valeur)]
    return [(libelle, None if _vide(valeur) else valeur)]  # drop_down_list: the option


def _champs_exportes(demarche: Demarche) -> list[TypeDeChamp]:
    """``types_de_champ_for_procedure_export``: every fillable champ but repetition blocks,
    public then private (app/models/procedure.rb, ``order(:private, :position)``)."""
    return [t for t in (*demarche.champs, *demarche.annotations)
            if t.type_champ != "repetition" and t.type_champ not in NON_REMPLISSABLES]


def colonnes_dossier(demarche: Demarche, dossier: DossierDS, csv_: bool = False
                     ) -> list[tuple[str, Any]]:
    """One row of sheet « Dossiers » (app/models/concerns/dossier_export_concern.rb): the
    dossier's own columns (with the whole établissement block in csv), then every champ."""
    d, e = dossier, dossier.demandeur
    colonnes: list[tuple[str, Any]] = [("ID", str(d.numero)), ("Email", d.email),
                                       ("FranceConnect ?", False)]
    if csv_:
        colonnes += [(entete, valeur) for entete, valeur in _colonnes_etablissement(e)
                     if entete.startswith(("Établissement", "Entreprise", "Association"))
                     and entete != "Etablissement enseigne"]
    else:
        colonnes.append(("Entreprise raison sociale", e.raison_sociale or None))
    colonnes += [
        ("À archiver", False), ("État du dossier", ETATS[d.etat]),
        ("Dernière mise à jour le", d.modifie_le),
        ("Dernière mise à jour du dossier le", d.modifie_le), ("Déposé le", d.depose_le),
        ("Passé en instruction le", d.modifie_le if d.etat == "en_instruction" else None),
        ("Traité le", None), ("Motivation de la décision", None),
        ("Instructeurs", " ".join(d.instructeurs)),
    ]
    for tdc in _champs_exportes(demarche):
        source = d.annotations if tdc.prive else d.valeurs
        colonnes += colonnes_export(tdc, source.get(tdc.stable_id))
    return colonnes


def _colonnes_etablissement(e: Etablissement) -> list[tuple[str, Any]]:
    """Etablissement#spreadsheet_columns (app/models/etablissement.rb), from « Établissement
    SIRET » on (the « Dossier ID » and « Champ » columns are added by the caller)."""
    def ou_rien(valeur: str) -> str | None:
        return valeur or None

    siren = e.siret[:9]
    return [
        ("Établissement SIRET", e.siret), ("Etablissement enseigne", None),
        ("Établissement siège social", None if e.degrade else True),
        ("Établissement NAF", None if e.degrade else "94.99Z"),
        ("Établissement libellé NAF", None if e.degrade
         else "Autres organisations fonctionnant par adhésion volontaire"),
        ("Établissement Adresse", None if e.degrade
         else f"{e.raison_sociale}\n{e.code_postal} {e.localite}".strip()),
        ("Établissement numero voie", None), ("Établissement type voie", None),
        ("Établissement nom voie", None), ("Établissement complément adresse", None),
        ("Établissement code postal", ou_rien(e.code_postal)),
        ("Établissement localité", ou_rien(e.localite)),
        ("Établissement code INSEE localité", ou_rien(e.code_insee_localite)),
        ("Entreprise SIREN", None if e.degrade else siren),
        ("Entreprise capital social", None),
        ("Entreprise numero TVA intracommunautaire", None),
        ("Entreprise forme juridique", ou_rien(e.forme_juridique)),
        ("Entreprise forme juridique code", ou_rien(e.forme_juridique_code)),
        ("Entreprise nom commercial", None),
        ("Entreprise raison sociale", ou_rien(e.raison_sociale)),
        ("Entreprise SIRET siège social", None if e.degrade else e.siret),
        ("Entreprise code effectif entreprise", None),
        ("Entreprise date de création", None if e.degrade else date(2015, 3, 2)),
        ("Entreprise état administratif", None if e.degrade else "A"),
        ("Entreprise nom", None), ("Entreprise prénom", None),
        ("Association RNA", None), ("Association titre", None), ("Association objet", None),
        ("Association date de création", None), ("Association date de déclaration", None),
        ("Association date de publication", None),
    ]


def lignes_etablissements(demarche: Demarche, dossiers: Sequence[DossierDS]
                          ) -> list[list[tuple[str, Any]]]:
    """Sheet « Etablissements » (app/services/procedure_export_service.rb): the SIRET champs'
    établissements first, then each dossier's own; « Champ » is the champ's label, or
    « Dossier » for the applicant (``Etablissement#libelle_for_export``)."""
    sirets = [t for t in demarche.champs if t.type_champ == "siret"]
    lignes = []
    for d in dossiers:
        for tdc in sirets:
            valeur = d.valeurs.get(tdc.stable_id)
            if isinstance(valeur, Etablissement):
                lignes.append([("Dossier ID", str(d.numero)), ("Champ", tdc.libelle),
                               *_colonnes_etablissement(valeur)])
    for d in dossiers:
        lignes.append([("Dossier ID", str(d.numero)), ("Champ", "Dossier"),
                       *_colonnes_etablissement(d.demandeur)])
    return lignes


#: Letters ``I18n.transliterate`` spells out rather than strip (its default approximations).
_TRANSLITTERATIONS = str.maketrans({"Œ": "OE", "œ": "oe", "Æ": "AE", "æ": "ae", "ß": "ss",
                                    "Ø": "O", "ø": "o"})


def nom_de_feuille(libelle: str) -> str:
    """A sheet's name: ``I18n.transliterate`` to ASCII, ``/*?[]`` removed (the backslash of
    ``delete('/\\*?[]')`` escapes the star), 30 characters (procedure_export_service.rb,
    ``options_for``); a repetition block's label is ``(stable_id) libelle`` with ``[]*?``
    removed and the file-name characters ``ActiveStorage::Filename#sanitized`` replaces
    turned into ``-``."""
    ascii_ = unicodedata.normalize("NFKD", libelle.translate(_TRANSLITTERATIONS))
    ascii_ = ascii_.encode("ascii", "ignore").decode()
    return re.sub(r"[/*?\[\]]", "", ascii_)[:30]


def _libelle_de_bloc(tdc: TypeDeChamp) -> str:
    texte = re.sub(r"[\[\]*?]", "", f"({tdc.stable_id}) {tdc.libelle}")
    return re.sub(r"[\u202e%$|:;/<>?*\"\t\r\n\\]", "-", texte.strip())


def lignes_bloc(tdc: TypeDeChamp, dossiers: Sequence[DossierDS]) -> list[list[tuple[str, Any]]]:
    """A repetition block's sheet (app/models/champs/repetition_champ.rb, ``Row``): « Dossier
    ID », « Ligne » (from 1), then the children's columns."""
    lignes = []
    for d in dossiers:
        for rang, ligne in enumerate(d.valeurs.get(tdc.stable_id) or (), start=1):
            colonnes: list[tuple[str, Any]] = [("Dossier ID", str(d.numero)), ("Ligne", rang)]
            for enfant in tdc.enfants:
                colonnes += colonnes_export(enfant, ligne.get(enfant.stable_id))
            lignes.append(colonnes)
    return lignes


#: DEFAULT_STYLES of procedure_export_service.rb: header white bold on black, size 12.
_ENTETE_POLICE = Font(bold=True, color="FFFFFF", size=12)
_ENTETE_FOND = PatternFill("solid", fgColor="000000")


def _cellule_xlsx(valeur: Any) -> tuple[Any, str | None]:
    """spreadsheet_architect 5.1.0 (lib/spreadsheet_architect/utils/xlsx.rb, ``get_type``):
    Numeric → number; Time → a date-time cell ``yyyy-mm-dd h:mm AM/PM``; Date → ``yyyy-mm-dd``;
    anything else, ``true``/``false`` included, → a string cell (caxlsx 4.0 ``to_s``)."""
    if isinstance(valeur, bool):
        return str(valeur).lower(), None
    if isinstance(valeur, datetime):
        return valeur.replace(tzinfo=None), "yyyy-mm-dd h:mm AM/PM"
    if isinstance(valeur, date):
        return valeur, "yyyy-mm-dd"
    return valeur, None


def _feuille(classeur: Workbook, nom: str, lignes: list[list[tuple[str, Any]]]) -> None:
    """A sheet as spreadsheet_architect writes it: the headers are the first instance's
    (utils.rb, ``get_cell_data``) — no row, no header — and each row's cells in its own
    column order (every row of a sheet has the same columns; a label borne by two champs
    is two columns)."""
    feuille = classeur.create_sheet(nom_de_feuille(nom))
    if not lignes:
        return
    feuille.append([entete for entete, _ in lignes[0]])
    for cellule in feuille[1]:
        cellule.font, cellule.fill = _ENTETE_POLICE, _ENTETE_FOND
    for rang, ligne in enumerate(lignes, start=2):
        for colonne, (_, brut) in enumerate(ligne, start=1):
            valeur, format_ = _cellule_xlsx(brut)
            if valeur is None:
                continue
            cellule = feuille.cell(rang, colonne, valeur)
            if format_:
                cellule.number_format = format_


def classeur_export(demarche: Demarche, dossiers: Sequence[DossierDS]) -> Workbook:
    """The xlsx export (``ProcedureExportService#to_xlsx``): « Dossiers », « Etablissements »,
    « Avis », then one sheet per repetition block that has rows."""
    classeur = Workbook()
    classeur.remove(classeur.worksheets[0])
    _feuille(classeur, "Dossiers", [colonnes_dossier(demarche, d) for d in dossiers])
    _feuille(classeur, "Etablissements", lignes_etablissements(demarche, dossiers))
    _feuille(classeur, "Avis", [])  # no advice asked: an empty sheet (app/models/avis.rb)
    for tdc in demarche.champs:
        if tdc.type_champ == "repetition" and (bloc := lignes_bloc(tdc, dossiers)):
            _feuille(classeur, _libelle_de_bloc(tdc), bloc)
    return classeur


def _texte_csv(valeur: Any) -> str:
    """A cell as Ruby's ``CSV.generate`` writes it (spreadsheet_architect's ``to_csv``):
    ``to_s``, quoted when it holds a separator, a quote or a line break, an empty string
    quoted (``quote_empty`` is true), nil left empty."""
    if valeur is None:
        return ""
    if isinstance(valeur, bool):
        texte = str(valeur).lower()
    elif isinstance(valeur, datetime):
        texte = valeur.strftime("%Y-%m-%d %H:%M:%S %z")
    else:
        texte = str(valeur)
    if texte == "" or any(c in texte for c in ',"\r\n'):
        return '"' + texte.replace('"', '""') + '"'
    return texte


def csv_export(demarche: Demarche, dossiers: Sequence[DossierDS]) -> str:
    """The csv export (``to_csv``): sheet « Dossiers » only, with the établissement block
    (``spreadsheet_columns_csv``); no « Etablissements », no repetition block."""
    lignes = [colonnes_dossier(demarche, d, csv_=True) for d in dossiers]
    rangees = [[_texte_csv(e) for e, _ in lignes[0]]] if lignes else [[]]
    rangees += [[_texte_csv(v) for _, v in ligne] for ligne in lignes]
    return "".join(",".join(r) + "\n" for r in rangees)


# ---------------------------------------------------------------------------------- the API
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
    vide = _vide(valeur)
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


# ----------------------------------------------- the Fabriques démarche and its sample dossiers
LIEUX = TypeDeChamp("Lieux", "repetition", 112, enfants=(
    TypeDeChamp("Identifiant du lieu", "text", 113), TypeDeChamp("Nom du lieu", "text", 114)))
#: The form of the sample démarche « Fabriques de Territoire » (labels as in
#: ``lecture/data/correspondance_ds.toml``; champ types as the platform offers them).
DEMARCHE_FABRIQUES = Demarche(8123, (
    TypeDeChamp("Le projet et son lieu", "header_section", 100),
    TypeDeChamp("Nom du projet", "text", 101),
    TypeDeChamp("Commune du lieu", "commune", 102),
    TypeDeChamp("Adresse du lieu", "address", 103),
    TypeDeChamp("Le lieu est-il situé dans un QPV ou à moins de 300 m d'un QPV ?", "yes_no", 104),
    TypeDeChamp("Candidature Fabrique numérique de territoire", "checkbox", 105),
    TypeDeChamp("Les montants s'entendent en euros, sur les trois ans du projet.",
                "explication", 117),
    TypeDeChamp("Montant de la subvention demandée sur 3 ans", "integer_number", 106),
    TypeDeChamp("Montant annuel maximum demandé", "integer_number", 107),
    TypeDeChamp("Nombre d'ETP mobilisés", "decimal_number", 108),
    TypeDeChamp("Embauche d'un ETP prévue", "yes_no", 109),
    TypeDeChamp("Date d'ouverture du lieu", "date", 110),
    TypeDeChamp("Vidéo de présentation", "piece_justificative", 111),
    LIEUX,
    TypeDeChamp("SIRET d'un partenaire", "siret", 115),
    TypeDeChamp("Type de structure", "drop_down_list", 116),
), annotations=(
    TypeDeChamp("Note du jury", "text", 201, prive=True),
    TypeDeChamp("Rang", "integer_number", 202, prive=True),
    TypeDeChamp("Statut jury", "text", 203, prive=True),
))
_PAR_LIBELLE = {t.libelle: t.stable_id for t in DEMARCHE_FABRIQUES.champs}


def _commune_de(ligne: Mapping[str, Any]) -> Commune | None:
    """The commune champ a plain row's place stands for: its INSEE code (or the one commune
    its name gives), chosen by its first postcode, as the applicant picks it on the form."""
    code = valeurs.code_commune(ligne.get("code_commune")).valeur
    if code is None and (nom := valeurs.texte(ligne.get("commune"))):
        departement = valeurs.code_departement(ligne.get("departement")).valeur
        candidats = referentiel.codes_du_nom(nom, departement)
        code = candidats[0] if len(candidats) == 1 else None
    if code is None or code not in referentiel.communes().index:
        return None
    postaux = referentiel.codes_postaux(code)
    return Commune(code, postaux[0] if postaux else None)


def _forme(ligne: Mapping[str, Any]) -> tuple[str, str]:
    """(label, code) as API Entreprise gives them: the INSEE label of the form's code; a form
    nothing recognises keeps its words, without code."""
    forme = formes_juridiques.reconnaitre(valeurs.texte(ligne.get("categorie_juridique")),
                                          valeurs.texte(ligne.get("forme_juridique")))
    if forme is None:
        return valeurs.texte(ligne.get("forme_juridique")) or "", ""
    return forme.libelle, forme.code


def dossier_depuis_ligne(ligne: Mapping[str, Any], numero: int, etat: str = "en_construction"
                         ) -> DossierDS:
    """A plain ``dossiers`` row (SPEC §3) as the same dossier on the platform."""
    def lu(colonne: str) -> Any:
        valeur = ligne.get(colonne)
        return None if valeurs.est_vide(valeur) else valeur

    def oui(colonne: str) -> bool | None:
        return None if lu(colonne) is None else bool(valeurs.booleen(lu(colonne)).valeur)

    commune = _commune_de(ligne)
    lieux = valeurs.lieux(lu("lieux")) or (str(numero),)
    forme, code_forme = _forme(ligne)
    siege = referentiel.departements()["chef_lieu"].get(
        (commune.code_departement if commune else None), "75056")
    demandeur = Etablissement(
        siret=valeurs.texte(lu("siret")) or "", raison_sociale=valeurs.texte(lu("porteur")) or "",
        forme_juridique=forme, forme_juridique_code=code_forme,
        localite=referentiel.nom_commune(str(siege)), code_insee_localite=str(siege),
        code_postal=next(iter(referentiel.codes_postaux(str(siege))), ""))
    montant_annuel = lu("montant_annuel")
    valeurs_ = {
        _PAR_LIBELLE["Nom du projet"]: valeurs.texte(lu("nom")),
        _PAR_LIBELLE["Commune du lieu"]: commune,
        _PAR_LIBELLE["Adresse du lieu"]: None if commune is None else
        f"{numero % 90 + 1} Grande Rue {commune.code_postal or ''} {commune.nom}",
        _PAR_LIBELLE["Le lieu est-il situé dans un QPV ou à moins de 300 m d'un QPV ?"]: oui("qpv"),
        _PAR_LIBELLE["Candidature Fabrique numérique de territoire"]: bool(oui("numerique")),
        _PAR_LIBELLE["Montant de la subvention demandée sur 3 ans"]:
            None if lu("montant") is None else int(float(lu("montant"))),
        _PAR_LIBELLE["Montant annuel maximum demandé"]:
            None if montant_annuel is None else int(float(montant_annuel)),
        _PAR_LIBELLE["Nombre d'ETP mobilisés"]:
            None if lu("etp") is None else float(valeurs.nombre(lu("etp")).valeur or 0),
        _PAR_LIBELLE["Embauche d'un ETP prévue"]: oui("embauche_prevue"),
        _PAR_LIBELLE["Date d'ouverture du lieu"]: date(2019, 1, 1) + timedelta(days=numero % 700),
        _PAR_LIBELLE["Vidéo de présentation"]:
            (f"presentation-{numero}.mp4",) if oui("video") else (),
        LIEUX.stable_id: tuple({113: lieu, 114: valeurs.texte(lu("nom"))} for lieu in lieux),
    }
    depose = datetime(2026, 10, 15, 9, 0, tzinfo=PARIS) + timedelta(minutes=numero % 1000)
    return DossierDS(numero, etat, demandeur, valeurs_, depose_le=depose,
                     modifie_le=depose + timedelta(days=18),
                     email=f"porteur-{numero}@exemple.invalid",
                     instructeurs=("secretariat@anct.gouv.fr",))


def ligne_depuis_dossier(dossier: DossierDS) -> dict[str, Any]:
    """The same dossier as the secretariat types it in the plain ``dossiers`` sheet (SPEC §3),
    from what the platform holds: the reference the exports and the API must agree with."""
    v, e = dossier.valeurs, dossier.demandeur
    commune: Commune | None = v.get(_PAR_LIBELLE["Commune du lieu"])

    def oui_non(valeur: Any) -> str | None:
        return None if valeur is None else ("oui" if valeur else "non")

    montant_annuel = v.get(_PAR_LIBELLE["Montant annuel maximum demandé"])
    return {
        "dossier": str(dossier.numero), "nom": v.get(_PAR_LIBELLE["Nom du projet"]),
        "porteur": e.raison_sociale or None, "siret": e.siret or None,
        "forme_juridique": e.forme_juridique or None,
        "categorie_juridique": e.forme_juridique_code or None,
        "commune": commune.nom if commune else None,
        "code_commune": commune.code if commune else None,
        "code_postal": commune.code_postal if commune else None,
        "departement": commune.code_departement if commune else None,
        "qpv": oui_non(v.get(_PAR_LIBELLE[
            "Le lieu est-il situé dans un QPV ou à moins de 300 m d'un QPV ?"])),
        "numerique": oui_non(v.get(_PAR_LIBELLE["Candidature Fabrique numérique de territoire"])),
        # a blank number is exported as 0 (see colonnes_export)
        "montant": v.get(_PAR_LIBELLE["Montant de la subvention demandée sur 3 ans"]) or 0,
        "montant_annuel": montant_annuel or None,
        "etp": v.get(_PAR_LIBELLE["Nombre d'ETP mobilisés"]) or 0.0,
        "embauche_prevue": oui_non(v.get(_PAR_LIBELLE["Embauche d'un ETP prévue"])),
        "video": oui_non(bool(v.get(_PAR_LIBELLE["Vidéo de présentation"]))),
        "lieux": ";".join(r[113] for r in v.get(LIEUX.stable_id) or ()),
        "numero_ds": str(dossier.numero),
    }


def table_plate(dossiers: Sequence[DossierDS]) -> pd.DataFrame:
    """The plain ``dossiers`` sheet of these dossiers."""
    return pd.DataFrame([ligne_depuis_dossier(d) for d in dossiers])
