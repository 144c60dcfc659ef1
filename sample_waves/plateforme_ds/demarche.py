"""The sample démarche « Fabriques de Territoire » on the platform, and its dossiers: a plain
``dossiers`` row (SPEC §3) as the dossier the platform would hold, and back."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd

from lecture import formes_juridiques, referentiel, valeurs
from sample_waves.plateforme_ds.modele import (
    Commune,
    Demarche,
    DossierDS,
    Etablissement,
    TypeDeChamp,
)

#: The platform's ``Time.zone`` (config/application.rb): Europe/Paris.
PARIS = ZoneInfo("Europe/Paris")

#: The repetition block « Lieux »: each place's code and name.
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
