"""The platform's xlsx and csv exports of a démarche's dossiers
(app/services/procedure_export_service.rb), cell by cell as the gem ``spreadsheet_architect``
writes them: sheet « Dossiers », « Etablissements », « Avis », one sheet per repetition
block."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from sample_waves.plateforme_ds.modele import (
    NON_REMPLISSABLES,
    Demarche,
    Departement,
    DossierDS,
    Etablissement,
    TypeDeChamp,
    champ_vide,
)

#: « État du dossier » (config/locales/models/dossier/fr.yml).
ETATS = {"brouillon": "Brouillon", "en_construction": "En construction",
         "en_instruction": "En instruction", "accepte": "Accepté", "refuse": "Refusé",
         "sans_suite": "Classé sans suite"}


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
        if champ_vide(valeur):
            return [(libelle, None), (f"{libelle} (Code INSEE)", None),
                    (f"{libelle} (Département)", None)]
        nom = f"{valeur.nom} ({valeur.code_postal})" if valeur.code_postal else valeur.nom
        departement = Departement(valeur.code_departement)
        # commune_champ.rb, departement_code_and_name: code, space, en dash, space, name
        return [(libelle, nom), (f"{libelle} (Code INSEE)", valeur.code),
                (f"{libelle} (Département)", f"{departement.code} – {departement.nom}")]
    if t == "departement":  # departement_type_de_champ.rb: the name, then (Code)
        if champ_vide(valeur):
            return [(libelle, None), (f"{libelle} (Code)", None)]
        return [(libelle, valeur.nom), (f"{libelle} (Code)", valeur.code)]
    if t == "yes_no":  # yes_no_type_de_champ.rb: default ''
        return [(libelle, "" if valeur is None else ("Oui" if valeur else "Non"))]
    if t == "checkbox":  # checkbox_type_de_champ.rb: default 'off'
        return [(libelle, "on" if valeur else "off")]
    if t in ("integer_number", "decimal_number"):
        # *_number_type_de_champ.rb: value&.to_i / to_f; champ_default_export_value is 0, so
        # a blank number is exported as 0 (the API gives null)
        if champ_vide(valeur):
            return [(libelle, 0)]
        return [(libelle, int(valeur) if t == "integer_number" else float(valeur))]
    if t == "piece_justificative":  # file names joined by ', '
        return [(libelle, None if champ_vide(valeur) else ", ".join(valeur))]
    if t == "date":  # type_de_champ_base.rb: the stored value, ISO 8601 (date_champ.rb)
        return [(libelle, None if champ_vide(valeur) else valeur.isoformat())]
    if t == "siret":
        return [(libelle, None if champ_vide(valeur) else valeur.siret)]
    if t in ("text", "textarea"):  # text_type_de_champ.rb: XML-sanitized
        return [(libelle, None if champ_vide(valeur) else _sans_caracteres_xml_invalides(valeur))]
    if t == "address":  # address_type_de_champ.rb: the label, not sanitized
        return [(libelle, None if champ_vide(valeur) else valeur)]
    return [(libelle, None if champ_vide(valeur) else valeur)]  # drop_down_list: the option


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
