"""The sample wave received from démarches-simplifiées (``vague-07/``): a small wave whose
dossiers are numbered by the platform, exported as the platform's own xlsx export
(:mod:`sample_waves.plateforme_ds`) with what happened to some of them there, beside its jury,
a grid that weighs ``ancrage`` twice, and the jurors' grids."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from commun.classeur import workbook_bytes
from commun.ecriture import ecrire_atomiquement
from sample_waves.ecriture import ecrire_classeur, grille, table_criteres, table_jury
from sample_waves.plateforme_ds.demarche import DEMARCHE_FABRIQUES, dossier_depuis_ligne
from sample_waves.plateforme_ds.export import classeur_export
from sample_waves.plateforme_ds.modele import DossierDS, Etablissement
from sample_waves.territoire import Territoire
from sample_waves.vague import Vague, generer_vague

#: The name the platform gives the export it sends (procedure_export_service.rb).
NOM_EXPORT_VAGUE_07 = "dossiers_fabriques-de-territoire_2022-01-10_09-30"
#: What happened to some dossiers of ``vague-07`` on the platform (dossier index → the
#: finding it gives); the first stops ``check``, as a received export would.
CAS_VAGUE_07 = {
    # filed under an earlier revision of the form, before it asked the place's commune
    3: "commune_manquante",
    # filed while API Entreprise was down: the platform's degraded mode, SIRET only
    11: "forme_juridique_non_reconnue",
    # the optional yearly amount left blank: the platform exports a blank number as 0
    20: "montant_annuel_manquant",
    # a partner's SIRET in the form's SIRET champ: a second row of « Etablissements »
    25: "siret_partenaire",
}
#: ``vague-07``'s grid weighs ``ancrage`` twice (allowed by the FAQ, and said).
POIDS_VAGUE_07 = {"ancrage": 2}


def generer_vague_07(rng: np.random.Generator, territoire: Territoire,
                     lieux_laureats: Sequence[str]) -> Vague:
    """A small wave exported from démarches-simplifiées, as received: dossiers numbered by
    the platform (the cases of :data:`CAS_VAGUE_07` are planted when it is exported)."""
    vague = generer_vague(rng, 7, 90, lieux_laureats, territoire, planter_ineligibles=False)
    numeros = {d: str(7_104_200 + i) for i, d in enumerate(vague.dossiers["dossier"])}
    vague.dossiers["dossier"] = vague.dossiers["dossier"].map(numeros)
    vague.notes["dossier"] = vague.notes["dossier"].map(numeros)
    vague.deports["dossier"] = vague.deports["dossier"].map(numeros)
    vague.qualite.index = vague.qualite.index.map(numeros)
    # The generator's stand-in decision keeps these dossiers out.
    vague.ineligibles = {str(vague.dossiers.loc[i, "dossier"]): cas
                         for i, cas in CAS_VAGUE_07.items()}
    # The France Tiers-Lieux seat of FAQ 3.2 left empty: a warning from the jury sheet.
    vague.jury = [replace(j, qualite="Conseil national des tiers-lieux")
                  if j.qualite == "France Tiers-Lieux" else j for j in vague.jury]
    return vague


def dossier_ds_de_vague_07(index: int, ligne: Mapping[Any, Any]) -> DossierDS:
    """Dossier ``index`` of ``vague-07`` as the platform holds it, with its planted case."""
    dossier = dossier_depuis_ligne(ligne, int(ligne["dossier"]), "en_instruction")
    cas = CAS_VAGUE_07.get(index)
    champs = DEMARCHE_FABRIQUES.champs
    par_libelle = {t.libelle: t.stable_id for t in champs}
    valeurs_ = dict(dossier.valeurs)
    demandeur = dossier.demandeur
    if cas == "commune_manquante":
        valeurs_.pop(par_libelle["Commune du lieu"])
        valeurs_.pop(par_libelle["Adresse du lieu"])
    elif cas == "forme_juridique_non_reconnue":
        demandeur = Etablissement(demandeur.siret, degrade=True)
    elif cas == "montant_annuel_manquant":
        valeurs_.pop(par_libelle["Montant annuel maximum demandé"])
    elif cas == "siret_partenaire":
        valeurs_[par_libelle["SIRET d'un partenaire"]] = Etablissement(
            "73282932000074", "Atelier Martin", "Entrepreneur individuel", "1000",
            demandeur.localite, demandeur.code_insee_localite, demandeur.code_postal)
    return replace(dossier, valeurs=valeurs_, demandeur=demandeur)


def ecrire_export_demarches(vague: Vague, folder: Path) -> None:
    """The folder form with the dossiers as the platform's own xlsx export
    (:mod:`sample_waves.plateforme_ds`, read from its code): ``Dossiers`` (fixed columns, then
    the démarche's champs, a commune as « Nom (CP) » with its « (Code INSEE) » and
    « (Département) » columns), ``Etablissements`` (the applicant's SIRET and legal form on its
    « Dossier » row; a partner's SIRET champ on its own row), ``Avis``, and the repetition
    block « Lieux », under the platform's download name."""
    dossiers = [dossier_ds_de_vague_07(i, ligne)
                for i, ligne in enumerate(vague.dossiers.to_dict("records"))]
    classeur = classeur_export(DEMARCHE_FABRIQUES, dossiers)
    ecrire_atomiquement(folder / f"{NOM_EXPORT_VAGUE_07}.xlsx", workbook_bytes(classeur))
    ecrire_classeur(folder / "jury.xlsx", [("jury", table_jury(vague)),
                                           ("criteres", table_criteres(POIDS_VAGUE_07)),
                                           ("deports", vague.deports)])
    for jure in vague.jury:
        grid = grille(vague, jure.jure, avec_nom=True)
        ecrire_classeur(folder / "notes" / f"{jure.jure}.xlsx", [("grille", grid)])
