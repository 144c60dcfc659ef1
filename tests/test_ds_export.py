"""démarches-simplifiées as the platform writes it (tests/ds/PROVENANCE.md): each kind of
champ the project reads, in the platform's xlsx and csv exports and in its API's answer, read
by meaning — a commune « Nom (CP) », a department « 01 – Ain », « Oui »/« Non » and booleans,
numbers, dates, attachments, repetition blocks, blank optional champs."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from application.ds.importation import traduire
from commun.classeur import workbook_bytes
from commun.constats import Constats
from lecture import referentiel
from lecture.conteneurs import lire_classeur, lire_csv
from lecture.correspondance import charger_correspondance
from lecture.demarches import lire_commune, lire_departement, traduire_export
from lecture.dossiers import COLONNES_DOSSIERS, REQUISES_DOSSIERS, lire_dossiers
from lecture.export_ds import export_des_feuilles
from lecture.tables import trouver_table
from lecture.vague import lire_vague
from sample_waves.plateforme_ds.api import champ_api, noeud_api
from sample_waves.plateforme_ds.demarche import DEMARCHE_FABRIQUES, LIEUX, dossier_depuis_ligne
from sample_waves.plateforme_ds.export import (
    classeur_export,
    colonnes_export,
    csv_export,
    nom_de_feuille,
)
from sample_waves.plateforme_ds.modele import (
    Commune,
    Demarche,
    Departement,
    DossierDS,
    Etablissement,
    TypeDeChamp,
)
from tests.ds.donnees import (
    completer_vague,
    dossiers_de_vague,
    ecrire_export_xlsx,
    ecrire_feuille_simple,
)
from tests.ds.serveur import PlateformeDS, selon_le_document

DEMARCHE = DEMARCHE_FABRIQUES
PAR_LIBELLE = {t.libelle: t.stable_id for t in DEMARCHE.champs}
LIGNE = {"dossier": "1", "nom": "La Ruche", "porteur": "Association La Ruche",
         "siret": "73282932000074", "forme_juridique": "Association loi 1901",
         "commune": "Belley", "code_commune": "01034", "departement": "01", "qpv": "non",
         "numerique": "non", "montant": 120000, "montant_annuel": 40000, "etp": 1.5,
         "embauche_prevue": "non", "video": "oui", "lieux": "L-RUCHE;L-ANNEXE"}


def un_dossier(numero: int = 1, **valeurs: Any) -> DossierDS:
    """One dossier of the sample démarche; ``valeurs``: champ label → value to set."""
    dossier = dossier_depuis_ligne(LIGNE, numero)
    changes = dict(dossier.valeurs)
    for libelle, valeur in valeurs.items():
        changes[PAR_LIBELLE[libelle]] = valeur
    return replace(dossier, valeurs=changes)


def lire_depuis_export(chemin: Path) -> tuple[Any, Constats]:
    """The dossiers table a platform export gives, and the findings."""
    constats = Constats()
    lecteur = lire_csv if chemin.suffix == ".csv" else lire_classeur
    feuilles = lecteur(chemin, chemin.name, constats)
    assert feuilles is not None
    export = export_des_feuilles(feuilles)
    assert export is not None
    traduite = traduire_export(export, charger_correspondance(), constats)
    table = trouver_table(traduite, REQUISES_DOSSIERS,
                          [c for c in COLONNES_DOSSIERS if c not in REQUISES_DOSSIERS],
                          constats, "dossier")
    assert table is not None, [str(c) for c in constats]
    return lire_dossiers(table, constats), constats


def exporter(tmp_path: Path, *dossiers: DossierDS, demarche: Demarche = DEMARCHE
             ) -> Path:
    chemin = tmp_path / "dossiers_fabriques-de-territoire_2026-11-02_10-00.xlsx"
    chemin.write_bytes(workbook_bytes(classeur_export(demarche, dossiers)))
    return chemin


def repondre(*dossiers: DossierDS, demarche: Demarche = DEMARCHE,
             retouche: Any = None) -> list[dict[str, Any]]:
    """The dossiers as the API answers the import's query (the local platform, in process);
    ``retouche`` may change the nodes the platform holds first."""
    from application.ds.requetes import DOSSIERS

    plateforme = PlateformeDS(demarche.numero, "jeton")
    for dossier in dossiers:
        plateforme.dossiers[dossier.numero] = noeud_api(demarche, dossier)
        if retouche is not None:
            retouche(plateforme.dossiers[dossier.numero])
    reponse = plateforme.executer(DOSSIERS, {"demarche": demarche.numero, "premiers": 100,
                                             "apres": None, "depuis": None})
    assert "errors" not in reponse, reponse
    return list(reponse["data"]["demarche"]["dossiers"]["nodes"])


def par_api(*dossiers: DossierDS, demarche: Demarche = DEMARCHE,
            retouche: Any = None) -> tuple[Any, Constats]:
    """The dossiers table the API import gives for the same dossiers."""
    constats = Constats()
    table = traduire(repondre(*dossiers, demarche=demarche, retouche=retouche), None, constats)
    assert table is not None, [str(c) for c in constats]
    return table, constats


# ----------------------------------------------------------------------------- the commune
def test_a_commune_champ_gives_its_name_its_insee_code_and_its_postcode(tmp_path):
    dossiers, constats = lire_depuis_export(exporter(tmp_path, un_dossier()))
    ligne = dossiers.loc["1"]
    assert (ligne["commune"], ligne["code_commune"], ligne["code_postal"],
            ligne["departement"]) == ("Belley", "01034", "01300", "01")
    assert not constats.erreurs, [str(c) for c in constats]


def test_the_export_writes_the_commune_as_the_platform_does(tmp_path):
    classeur = classeur_export(DEMARCHE, [un_dossier(
        **{"Commune du lieu": Commune("75111", "75011")})])
    feuille = classeur["Dossiers"]
    entete = [c.value for c in feuille[1]]
    ligne = {e: c.value for e, c in zip(entete, feuille[2], strict=True)}
    assert ligne["Commune du lieu"] == "Paris 11e Arrondissement (75011)"
    assert ligne["Commune du lieu (Code INSEE)"] == "75111"
    assert ligne["Commune du lieu (Département)"] == "75 – Paris"
    assert ligne["ID"] == "1"  # a string cell (spreadsheet_architect types a String as text)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(referentiel.communes().index)))
def test_any_commune_in_nom_cp_form_reads_back_its_name_and_postcode(code):
    commune = Commune(code, next(iter(referentiel.codes_postaux(code)), None))
    cellule = colonnes_export(TypeDeChamp("Commune", "commune", 1), commune)[0][1]
    nom, postal = lire_commune(cellule)
    assert (nom, postal) == (commune.nom, commune.code_postal)


def test_a_postcode_that_does_not_serve_the_commune_is_a_warning(tmp_path):
    # an export retouched by hand: Belley's code with Lyon 3e's postcode
    dossiers, constats = lire_depuis_export(exporter(tmp_path, un_dossier(
        **{"Commune du lieu": Commune("01034", "69003")})))
    avertissement = next(c for c in constats if c.code == "code_postal_incoherent")
    assert not avertissement.est_erreur
    assert "69003" in avertissement.message and "01300" in avertissement.message
    assert avertissement.colonne == "Commune du lieu"
    assert dossiers.loc["1", "code_commune"] == "01034"  # the rules read the INSEE code


def test_the_plain_sheet_checks_a_postcode_too(tmp_path):
    chemin = ecrire_feuille_simple([un_dossier(**{"Commune du lieu": Commune("01034",
                                                                                "69003")})],
                                   tmp_path / "vague-01" / "dossiers.xlsx")
    constats = Constats()
    feuilles = lire_classeur(chemin, chemin.name, constats)
    assert feuilles is not None
    table = trouver_table(feuilles["dossiers"], REQUISES_DOSSIERS,
                          [c for c in COLONNES_DOSSIERS if c not in REQUISES_DOSSIERS],
                          constats, "dossier")
    assert table is not None
    lire_dossiers(table, constats)
    assert [c.code for c in constats if c.code == "code_postal_incoherent"] == [
        "code_postal_incoherent"]


def test_a_blank_commune_is_an_error_not_a_silent_eligibility(tmp_path):
    _, constats = lire_depuis_export(exporter(tmp_path, un_dossier(
        **{"Commune du lieu": None})))
    assert "commune_manquante" in {c.code for c in constats.erreurs}


# ---------------------------------------------------------------------------- departments
TIRETS = ["-", "–", "—", "‐", "‑", "−"]


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(sorted(referentiel.departements().index)), st.sampled_from(TIRETS),
       st.sampled_from(["", " ", "  "]))
def test_a_department_is_read_whatever_the_dash(code, tiret, espace):
    nom = str(referentiel.departements().at[code, "nom"])
    assert lire_departement(f"{code}{espace}{tiret}{espace}{nom}") == code
    assert lire_departement(nom) == code
    assert lire_departement(nom.upper()) == code


def test_departements_as_the_platform_writes_them():
    assert lire_departement("01 – Ain") == "01"
    assert lire_departement("2A – Corse-du-Sud") == "2A"
    assert lire_departement("2a - Corse-du-Sud") == "2A"
    assert lire_departement("971 – Guadeloupe") == "971"
    assert lire_departement("Corse-du-Sud") == "2A"
    assert lire_departement("Atlantide") == "Atlantide"  # left for the reader to report


DEPARTEMENT_DU_LIEU = TypeDeChamp("Département du lieu", "departement", 120)


def test_a_departement_champ_gives_its_code_in_the_export_and_the_api(tmp_path):
    """A démarche asking the department in a département champ rather than through the
    commune: the export gives its name and « (Code) », the API « 01 - Ain » and {code}."""
    champs = (*(t for t in DEMARCHE.champs if t.type_champ != "commune"),
              DEPARTEMENT_DU_LIEU, TypeDeChamp("Commune du lieu", "text", 121))
    demarche = replace(DEMARCHE, champs=champs)
    dossier = replace(un_dossier(), valeurs={**un_dossier().valeurs, 120: Departement("2A"),
                                             121: "Ajaccio"})
    assert champ_api(DEPARTEMENT_DU_LIEU, Departement("2A"), 1)["stringValue"] == \
        "2A - Corse-du-Sud"
    depuis_export, _ = lire_depuis_export(exporter(tmp_path, dossier, demarche=demarche))
    depuis_api, _ = par_api(dossier, demarche=demarche)
    assert depuis_export.loc["1", "departement"] == "2A"
    assert depuis_api.set_index("dossier").loc["1", "departement"] == "2A"
    assert depuis_export.loc["1", "code_commune"] == "2A004"  # deduced from the name


# ------------------------------------------------------------------- yes/no, numbers, blanks
@pytest.mark.parametrize(("embauche", "attendu"), [(True, True), (False, False), (None, False)])
def test_yes_no_as_oui_non_in_the_export_and_booleans_in_the_api(tmp_path, embauche, attendu):
    dossier = un_dossier(**{"Embauche d'un ETP prévue": embauche})
    assert colonnes_export(TypeDeChamp("x", "yes_no", 1), embauche)[0][1] == \
        {True: "Oui", False: "Non", None: ""}[embauche]
    depuis_export, constats = lire_depuis_export(exporter(tmp_path, dossier))
    depuis_api, _ = par_api(dossier)
    assert bool(depuis_export.loc["1", "embauche_prevue"]) is attendu
    assert not any(c.code == "booleen_invalide" for c in constats)
    assert depuis_api.set_index("dossier").loc["1", "embauche_prevue"] == (
        "Oui" if attendu else ("Non" if embauche is False else ""))


def test_a_checkbox_is_on_off_in_the_export(tmp_path):
    dossier = un_dossier(**{"Candidature Fabrique numérique de territoire": True,
                            "Le lieu est-il situé dans un QPV ou à moins de 300 m d'un QPV ?":
                            True})
    assert colonnes_export(TypeDeChamp("x", "checkbox", 1), True)[0][1] == "on"
    assert colonnes_export(TypeDeChamp("x", "checkbox", 1), None)[0][1] == "off"
    dossiers, _ = lire_depuis_export(exporter(tmp_path, dossier))
    assert dossiers.loc["1", "numerique"] and dossiers.loc["1", "qpv"]


def test_a_blank_optional_number_is_exported_as_zero_and_read_as_absent(tmp_path):
    dossier = un_dossier(**{"Montant annuel maximum demandé": None})
    assert colonnes_export(TypeDeChamp("x", "integer_number", 1), None)[0][1] == 0
    depuis_export, constats = lire_depuis_export(exporter(tmp_path, dossier))
    depuis_api, _ = par_api(dossier)
    assert depuis_export["montant_annuel"].isna().all()
    assert "montant_annuel_manquant" in constats.codes()
    assert depuis_api.set_index("dossier").loc["1", "montant_annuel"] is None


def test_numbers_typed_in_text_champs_with_a_decimal_comma_and_thin_spaces(tmp_path):
    """A démarche that asks amounts in text champs: the applicant types « 120 000 € » (with
    narrow no-break spaces) and « 1,5 »; the export and the API give the text as typed."""
    textes = {"Montant de la subvention demandée sur 3 ans", "Nombre d'ETP mobilisés"}
    demarche = replace(DEMARCHE, champs=tuple(
        replace(t, type_champ="text") if t.libelle in textes else t for t in DEMARCHE.champs))
    dossier = un_dossier(**{"Montant de la subvention demandée sur 3 ans": "120\u202f000 €",
                            "Nombre d'ETP mobilisés": "1,5"})
    depuis_export, _ = lire_depuis_export(exporter(tmp_path, dossier, demarche=demarche))
    assert (depuis_export.loc["1", "montant"], depuis_export.loc["1", "etp"]) == (120000, 1.5)
    depuis_api, constats = par_api(dossier, demarche=demarche)
    assert not constats.erreurs
    assert depuis_api.set_index("dossier").loc["1", "montant"] == "120\u202f000 €"


def test_numbers_are_numbers_in_the_export_and_the_api_gives_value_not_text(tmp_path):
    noeud = champ_api(TypeDeChamp("x", "decimal_number", 1), 1.5, 1)
    assert (noeud["stringValue"], noeud["value"]) == ("1.5", 1.5)
    noeud = champ_api(TypeDeChamp("x", "integer_number", 1), 120000, 1)
    assert (noeud["stringValue"], noeud["value"]) == ("120000", "120000")  # BigInt: a string
    classeur = classeur_export(DEMARCHE, [un_dossier()])
    entete = [c.value for c in classeur["Dossiers"][1]]
    ligne = dict(zip(entete, [c.value for c in classeur["Dossiers"][2]], strict=True))
    assert ligne["Montant de la subvention demandée sur 3 ans"] == 120000
    assert ligne["Nombre d'ETP mobilisés"] == 1.5


def test_dates_as_the_platform_writes_them(tmp_path):
    ouverture = TypeDeChamp("Date d'ouverture du lieu", "date", 110)
    assert colonnes_export(ouverture, date(2021, 3, 4))[0][1] == "2021-03-04"
    noeud = champ_api(ouverture, date(2021, 3, 4), 1)
    assert (noeud["stringValue"], noeud["date"]) == ("04 mars 2021", "2021-03-04")
    classeur = classeur_export(DEMARCHE, [un_dossier()])
    entete = [c.value for c in classeur["Dossiers"][1]]
    depose = classeur["Dossiers"].cell(2, entete.index("Déposé le") + 1)
    assert depose.number_format == "yyyy-mm-dd h:mm AM/PM"
    # read back: the date cells and texts do not disturb the reading
    _, constats = lire_depuis_export(exporter(tmp_path, un_dossier()))
    assert not constats.erreurs


# ------------------------------------------------------- attachments, repetitions, SIRET
def test_attachments_are_file_names_and_mean_the_video_was_given(tmp_path):
    avec = un_dossier(1, **{"Vidéo de présentation": ("pitch.mp4", "sous-titres.srt")})
    sans = un_dossier(2, **{"Vidéo de présentation": ()})
    classeur = classeur_export(DEMARCHE, [avec, sans])
    entete = [c.value for c in classeur["Dossiers"][1]]
    colonne = entete.index("Vidéo de présentation") + 1
    assert classeur["Dossiers"].cell(2, colonne).value == "pitch.mp4, sous-titres.srt"
    assert classeur["Dossiers"].cell(3, colonne).value is None
    dossiers, _ = lire_depuis_export(exporter(tmp_path, avec, sans))
    assert dossiers["video"].tolist() == [True, False]
    depuis_api, _ = par_api(avec, sans)
    assert depuis_api["video"].tolist() == ["oui", "non"]


def test_a_repetition_block_holds_several_places(tmp_path):
    lieux = ({113: "L-RUCHE", 114: "La Ruche"}, {113: "L-ANNEXE", 114: "L'annexe"},
             {113: "L-JARDIN", 114: "Le jardin"})
    dossier = un_dossier(**{"Lieux": lieux})
    classeur = classeur_export(DEMARCHE, [dossier])
    bloc = classeur[nom_de_feuille("(112) Lieux")]
    assert [c.value for c in bloc[1]] == ["Dossier ID", "Ligne", "Identifiant du lieu",
                                          "Nom du lieu"]
    assert [c.value for c in bloc["B"]][1:] == [1, 2, 3]
    dossiers, _ = lire_depuis_export(exporter(tmp_path, dossier))
    assert dossiers.loc["1", "lieux"] == ("L-ANNEXE", "L-JARDIN", "L-RUCHE")
    depuis_api, _ = par_api(dossier)
    assert depuis_api.set_index("dossier").loc["1", "lieux"] == "L-RUCHE;L-ANNEXE;L-JARDIN"


def test_a_csv_export_has_no_repetition_block_and_says_the_places_are_not_read(tmp_path):
    chemin = tmp_path / "dossiers.csv"
    chemin.write_text(csv_export(DEMARCHE, [un_dossier()]), "utf-8")
    dossiers, constats = lire_depuis_export(chemin)
    assert dossiers.loc["1", "lieux"] == ("1",)
    lieux = next(c for c in constats if c.code == "lieux_non_lus")
    assert "export xlsx" in lieux.message and not lieux.est_erreur
    assert dossiers.loc["1", "siret"] == "73282932000074"  # the csv keeps the établissement


def test_the_applicants_row_of_etablissements_is_the_dossier_row(tmp_path):
    """« Champ » reads « Dossier » on the applicant's row (Etablissement#libelle_for_export);
    a SIRET champ of the form gives another row, never taken for the applicant."""
    partenaire = Etablissement("35600000000048", "La Poste", "SA à conseil "
                                  "d'administration (s.a.i.)", "5599")
    dossier = un_dossier(**{"SIRET d'un partenaire": partenaire})
    classeur = classeur_export(DEMARCHE, [dossier])
    champs = [c.value for c in classeur["Etablissements"]["B"]][1:]
    assert champs == ["SIRET d'un partenaire", "Dossier"]
    dossiers, _ = lire_depuis_export(exporter(tmp_path, dossier))
    assert dossiers.loc["1", "siret"] == "73282932000074"
    assert dossiers.loc["1", "categorie_juridique"] == "9220"


def test_a_degraded_etablissement_has_only_its_siret(tmp_path):
    dossier = replace(un_dossier(), demandeur=Etablissement("73282932000074", degrade=True))
    assert noeud_api(DEMARCHE, dossier)["demandeur"] == {
        "__typename": "PersonneMoraleIncomplete", "siret": "73282932000074"}
    dossiers, constats = lire_depuis_export(exporter(tmp_path, dossier))
    assert dossiers.loc["1", "siret"] == "73282932000074"
    assert "forme_juridique_non_reconnue" in constats.codes()


# ------------------------------------------------------------ the API: by meaning, not text
def test_the_import_reads_structured_fields_not_the_string_value():
    def brouiller(noeud: dict[str, Any]) -> None:
        for champ in noeud["champs"]:
            champ["stringValue"] = "texte pour les humains, à ne pas lire"

    table, constats = par_api(un_dossier(), retouche=brouiller)
    assert not constats.erreurs, [str(c) for c in constats]
    ligne = table.set_index("dossier").loc["1"]
    assert (ligne["commune"], ligne["code_commune"], ligne["code_postal"],
            ligne["departement"], ligne["montant"], ligne["etp"]) == (
        "Belley", "01034", "01300", "01", 120000, 1.5)


def test_a_champ_without_its_structured_field_is_read_from_its_string_value():
    """Robustness: an answer whose text, number and yes/no champs lack ``value`` (another
    client's fixture, an older API) gives the same table through ``stringValue``."""
    def sans_valeur(noeud: dict[str, Any]) -> None:
        for champ in noeud["champs"]:
            if champ["__typename"] in ("TextChamp", "IntegerNumberChamp",
                                       "DecimalNumberChamp", "YesNoChamp"):
                champ.pop("value", None)

    normal, _ = par_api(un_dossier(**{"Embauche d'un ETP prévue": True}))
    degrade, _ = par_api(un_dossier(**{"Embauche d'un ETP prévue": True}),
                         retouche=sans_valeur)
    colonnes = ["nom", "montant", "montant_annuel", "etp", "embauche_prevue", "qpv"]
    assert normal[colonnes].astype(str).equals(degrade[colonnes].astype(str))


def test_the_platform_types_a_yes_no_champ_as_a_checkbox_without_its_fragment():
    noeud = champ_api(TypeDeChamp("x", "yes_no", 1), None, 1)
    assert selon_le_document(noeud, "query { x }")["__typename"] == "CheckboxChamp"
    assert selon_le_document(noeud, "... on YesNoChamp { v: value }")["__typename"] == \
        "YesNoChamp"


# ------------------------------------------------------------------- the registry by content
def test_an_export_saved_as_dossiers_xlsx_is_read_as_an_export(tmp_path):
    dossiers, numeros = dossiers_de_vague()
    vague = tmp_path / "vague-06"
    ecrire_export_xlsx(dossiers, vague / "dossiers.xlsx")
    completer_vague(vague, numeros)
    lecture = lire_vague(vague)
    assert not lecture.constats.erreurs, [str(c) for c in lecture.constats.erreurs]
    assert lecture.vague is not None and len(lecture.vague.dossiers) == len(dossiers)
    assert "colonne_vide" not in lecture.constats.codes()


def test_two_registries_in_one_wave_are_an_error(tmp_path):
    dossiers, _ = dossiers_de_vague()
    vague = tmp_path / "vague-06"
    ecrire_feuille_simple(dossiers[:20], vague / "dossiers.xlsx")
    ecrire_export_xlsx(dossiers[:20], vague / "dossiers_fabriques-de-territoire_2026.xlsx")
    erreur = next(c for c in lire_vague(vague, avec_notes=False).constats
                  if c.code == "registres_multiples")
    assert "dossiers.xlsx" in erreur.message and "dossiers_fabriques" in erreur.message


def test_an_uploaded_export_is_known_by_its_content_whatever_its_name():
    """The app's loose files: the export renamed by the secretariat is still the registry,
    not a juror's grid."""
    from lecture.chargement import charger, charger_televersement
    from sample_waves.exportee import NOM_EXPORT_VAGUE_07

    vague = Path(__file__).resolve().parents[1] / "sample_waves" / "vague-07"
    fichiers = {"candidatures vague 7.xlsx":
                (vague / f"{NOM_EXPORT_VAGUE_07}.xlsx").read_bytes(),
                "jury.xlsx": (vague / "jury.xlsx").read_bytes()}
    fichiers |= {g.name: g.read_bytes() for g in sorted((vague / "notes").glob("*.xlsx"))}
    televerse = charger_televersement(fichiers).constats
    sur_disque = charger(vague).constats
    # loose files carry no folder name, hence no wave number: said apart
    assert sorted(c.code for c in televerse.erreurs if c.code != "numero_vague_manquant") \
        == sorted(
        c.code for c in sur_disque.erreurs) == ["commune_manquante", "departement_invalide"]


# ----------------------------------------------------- what a real démarche holds (review)
def test_dossiers_decided_at_an_earlier_wave_are_left_out_and_said(tmp_path):
    """The platform's export holds every state: accepted, refused and classé sans suite
    dossiers are not decided again — as the API import leaves them out."""
    dossiers = [replace(un_dossier(n), etat=etat) for n, etat in enumerate(
        ("en_construction", "en_instruction", "accepte", "refuse", "sans_suite"), start=1)]
    table, constats = lire_depuis_export(exporter(tmp_path, *dossiers))
    assert sorted(table.index) == ["1", "2"]
    decides = next(c for c in constats if c.code == "dossiers_deja_decides")
    assert decides.message.startswith("3 dossier(s)")
    depuis_api, _ = par_api(*dossiers)
    assert sorted(depuis_api["dossier"]) == ["1", "2"]


def test_the_places_commune_asked_in_the_block_of_places_is_read_there(tmp_path):
    """A démarche asking each place's commune inside the block « Lieux »: the first place's
    commune is the dossier's, never the porteur's seat (here in Lyon, a ville-centre)."""
    commune = TypeDeChamp("Commune du lieu", "commune", 130)
    lieux = replace(LIEUX, enfants=(*LIEUX.enfants, commune))
    champs = tuple(lieux if t.libelle == "Lieux" else t for t in DEMARCHE.champs
                   if t.libelle != "Commune du lieu")
    demarche = replace(DEMARCHE, champs=champs)
    dossier = un_dossier(**{"Lieux": ({113: "L-A", 130: Commune("01034", "01300")},
                                      {113: "L-B", 130: Commune("69383", "69003")})})
    dossier = replace(dossier, demandeur=replace(dossier.demandeur, localite="Lyon",
                                                 code_insee_localite="69383"))
    table, constats = lire_depuis_export(exporter(tmp_path, dossier, demarche=demarche))
    assert (table.loc["1", "code_commune"], table.loc["1", "departement"]) == ("01034", "01")
    assert "commune_du_siege" not in constats.codes()
    # the API import writes the seat's columns on the dossier's row, as the csv export does
    table, constats = par_api(dossier, demarche=demarche)
    ligne = table.set_index("dossier").loc["1"]
    assert (ligne["code_commune"], ligne["departement"]) == ("01034", "01")
    assert "commune_du_siege" not in constats.codes()


def test_the_porteurs_seat_is_never_taken_for_the_place_in_silence(tmp_path):
    """A commune champ whose label the mapping does not know: the seat is not a place — an
    error, which tells how to map the démarche's champ."""
    demarche = replace(DEMARCHE, champs=tuple(
        replace(t, libelle="Commune d'implantation du tiers-lieu")
        if t.libelle == "Commune du lieu" else t for t in DEMARCHE.champs))
    _, constats = lire_depuis_export(exporter(tmp_path, un_dossier(), demarche=demarche))
    siege = [c for c in constats if c.code == "commune_du_siege"]
    assert siege and all(c.est_erreur for c in siege)
    assert {c.feuille for c in siege} == {"Etablissements"}  # where the seat was read
    constats = Constats()
    assert traduire(repondre(un_dossier(), demarche=demarche), None, constats) is None
    siege = [c for c in constats if c.code == "commune_du_siege"]
    assert siege and all(c.est_erreur for c in siege)


def test_a_blank_amount_is_missing_not_zero(tmp_path):
    """A dossier filed under an earlier revision of the form lacks the amount champ: the
    export writes 0; read as missing (an error), not as a request of 0 € refused."""
    _, constats = lire_depuis_export(exporter(tmp_path, un_dossier(
        **{"Montant de la subvention demandée sur 3 ans": None})))
    assert "valeur_manquante" in {c.code for c in constats.erreurs}


def test_a_label_borne_by_two_champs_takes_the_filled_one(tmp_path):
    """A champ deleted and made again under the same label in a later revision: two columns;
    each dossier's value is the one filled, from the export and the API alike."""
    nouveau = TypeDeChamp("Montant de la subvention demandée sur 3 ans", "integer_number",
                             140)
    demarche = replace(DEMARCHE, champs=(*DEMARCHE.champs, nouveau))
    ancien = un_dossier(1)
    recent = replace(un_dossier(2), valeurs={**un_dossier(2).valeurs, 106: None, 140: 90000})
    table, constats = lire_depuis_export(exporter(tmp_path, ancien, recent, demarche=demarche))
    assert table["montant"].tolist() == [120000, 90000]
    depuis_api, _ = par_api(ancien, recent, demarche=demarche)
    assert depuis_api["montant"].tolist() == [120000, 90000]
    # both filled, with different values: said
    double = replace(un_dossier(3), valeurs={**un_dossier(3).valeurs, 140: 90000})
    _, constats = lire_depuis_export(exporter(tmp_path, double, demarche=demarche))
    assert "champ_en_double" in {c.code for c in constats.erreurs}


def test_a_section_header_of_the_form_is_not_a_column_of_the_import():
    """The API lists a form's section headers among the champs (typed TextChamp without a
    fragment): one titled « Lieux » must not hide the places."""
    section = TypeDeChamp("Identifiants des lieux", "header_section", 150)
    demarche = replace(DEMARCHE, champs=(section, *DEMARCHE.champs))
    depuis_api, constats = par_api(un_dossier(), demarche=demarche)
    assert depuis_api.set_index("dossier").loc["1", "lieux"] == "L-ANNEXE;L-RUCHE"
    assert "lieux_non_lus" not in constats.codes()


def test_the_legacy_number_champ_keeps_its_typed_value():
    """The legacy « number » champ: the API types it IntegerNumberChamp and cuts its value to
    an integer (« 150 000 » → 150); its stored text, as the export writes it, is read."""
    def nombre_ancien(noeud: dict[str, Any]) -> None:
        for champ in noeud["champs"]:
            if champ["label"] == "Montant de la subvention demandée sur 3 ans":
                champ.update(value="150", stringValue="150 000")

    table, _ = par_api(un_dossier(), retouche=nombre_ancien)
    assert table.set_index("dossier").loc["1", "montant"] == "150 000"


def test_a_commune_the_platform_names_by_its_former_name_is_read_by_its_code(tmp_path):
    """The platform names communes from its own list, older than some renamings: « Cransac
    (12110) » is 12083, Cransac-les-Thermes — read by its code, the difference said."""
    dossier = un_dossier(**{"Commune du lieu": Commune("12083", "12110")})
    assert colonnes_export(TypeDeChamp("C", "commune", 1), Commune(
        "12083", "12110"))[0][1] == "Cransac (12110)"
    table, constats = lire_depuis_export(exporter(tmp_path, dossier))
    assert not constats.erreurs, [str(c) for c in constats.erreurs]
    assert (table.loc["1", "commune"], table.loc["1", "code_commune"]) == (
        "Cransac-les-Thermes", "12083")
    assert "commune_renommee" in constats.codes()


def test_a_demarche_for_individuals_takes_the_structure_from_its_siret_champ(tmp_path):
    """No applicant établissement (a démarche « pour particuliers »): the one SIRET champ's
    row of « Etablissements » gives the structure, and that is said."""
    structure = Etablissement("73282932000074", "Association La Ruche",
                                 "Association déclarée", "9220")
    dossier = un_dossier(**{"SIRET d'un partenaire": structure})
    classeur = classeur_export(DEMARCHE, [dossier])
    feuille = classeur["Etablissements"]
    feuille.delete_rows(3)  # the « Dossier » row: no applicant établissement
    chemin = tmp_path / "particuliers.xlsx"
    chemin.write_bytes(workbook_bytes(classeur))
    table, constats = lire_depuis_export(chemin)
    assert (table.loc["1", "siret"], table.loc["1", "categorie_juridique"]) == (
        "73282932000074", "9220")
    assert "etablissement_d_un_champ" in constats.codes()


def test_an_export_made_from_an_export_template_is_recognised(tmp_path):
    """An export template names the fixed columns otherwise (« N° dossier », « Adresse
    électronique », « Date de dépôt »: procedure_presentation/fr.yml)."""
    from lecture.export_ds import est_export_demarches

    classeur = classeur_export(DEMARCHE, [un_dossier()])
    feuille = classeur["Dossiers"]
    for cellule in feuille[1]:
        cellule.value = {"ID": "N° dossier", "Email": "Adresse électronique",
                         "Déposé le": "Date de dépôt"}.get(cellule.value, cellule.value)
    chemin = tmp_path / "modele.xlsx"
    chemin.write_bytes(workbook_bytes(classeur))
    assert est_export_demarches(chemin)
    table, _ = lire_depuis_export(chemin)
    assert table.loc["1", "montant"] == 120000


def test_an_ods_export_is_named_not_ignored(tmp_path):
    vague = tmp_path / "vague-06"
    vague.mkdir()
    (vague / "dossiers_fabriques-de-territoire_2026-11-02_10-00.ods").write_bytes(b"PK")
    erreur = next(c for c in lire_vague(vague, avec_notes=False).constats
                  if c.code == "fichier_manquant")
    assert ".ods" in erreur.message and "xlsx" in erreur.message


def test_a_siret_in_scientific_notation_is_an_error_not_an_ineligibility(tmp_path):
    """A csv export re-saved by Excel: « 7,32829E+13 » has lost its last digits."""
    chemin = tmp_path / "dossiers.csv"
    texte = csv_export(DEMARCHE, [un_dossier()]).replace("73282932000074", '"7,32829E+13"')
    chemin.write_text(texte, "utf-8")
    _, constats = lire_depuis_export(chemin)
    assert "siret_illisible" in {c.code for c in constats.erreurs}


@pytest.mark.parametrize("contenu, ligne", [(b"[colonnes]\nnom = [\n", 3),
                                            (b"[colonnes\n", 1), (b"\xff\xfe", 1)])
def test_a_broken_mapping_file_is_said_in_french_at_its_line(tmp_path, contenu, ligne):
    """A mapping file that is not TOML (or not UTF-8): the wave reader reports it as a
    located error, and the démarches-simplifiées commands as a French ValueError — never
    tomllib's English."""
    from lecture.correspondance import CorrespondanceIllisible
    from tests.francais import fautes

    fichier = tmp_path / "correspondance.toml"
    fichier.write_bytes(contenu)
    with pytest.raises(CorrespondanceIllisible) as erreur:
        charger_correspondance(fichier)
    assert erreur.value.ligne == ligne and "illisible" in str(erreur.value)
    assert not fautes([erreur.value.message]) and "Expected" not in str(erreur.value)
    vague = Path(__file__).resolve().parents[1] / "sample_waves" / "vague-07"
    constats = lire_vague(vague, correspondance=fichier).constats
    (constat,) = [c for c in constats.erreurs if c.code == "correspondance_illisible"]
    assert constat.ligne == ligne and constat.fichier == str(fichier)
