"""The procès-verbal of the jury's meeting: what it holds, gathered from the allocation
workbook actually written (checked against the wave's files first), the wave (jury,
colleges, déports and why) and the journal (the meeting's overrides, its last hash).

It never decides anything again, except to count the dossiers whose fate the discussion
changed: the proposal (the method alone, no decision, no revised note) is solved once for
that.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from allocation.sorties.historique import DecisionLue, lire_decision
from allocation.sorties.proces_verbal import rendre_proces_verbal
from application.service import Parametres, Resultat, decider_vague
from commun import parametres as schema
from commun.constats import Constats
from commun.francais import NON_FIXE, date_en_francais, decimal, euros, valeur_en_clair
from commun.journal import Journal
from commun.provenance import Provenance, sha256_fichier
from commun.vocabulaire import CATEGORIES, COLLEGES, METHODES, STATUTS, code_de, libelle
from lecture import valeurs
from lecture.chargement import Chargement
from lecture.modele import Vague
from lecture.programme import PARAMETRES
from lecture.revisions import note_du_sujet
from notation.choix import CANDIDATS
from notation.methodes import METHODE_AUTOMATIQUE
from notation.normalisation import METHODE_PAR_DEFAUT

PROGRAMME = ("Programme « Nouveaux lieux, nouveaux liens » — Appel à manifestation d'intérêt "
             "« Fabriques de Territoire » (ANCT)")


def _oui(valeur: object) -> str:
    return "oui" if str(valeur).strip().lower() in ("true", "1", "oui", "vrai") else "non"


def _texte(valeur: object) -> str:
    return "" if valeur is None or (isinstance(valeur, float) and pd.isna(valeur)) else str(
        valeur)


def _jury(vague: Vague) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """The jury by college, and the déports grouped by juror and reason."""
    colleges = []
    for college, terme in COLLEGES.items():
        membres = [f"{j.nom} ({j.jure})" + (f", {j.qualite}" if j.qualite else "")
                   for j in vague.jury if j.college == college]
        colleges.append({"nom": terme.explication, "membres": membres})
    groupes: dict[tuple[str, str], list[str]] = {}
    for jure, dossier in sorted(vague.deports):
        motif = vague.motifs_deports.get((jure, dossier), "déport")
        groupes.setdefault((jure, motif), []).append(dossier)
    deports = [{"jure": jure, "motif": motif, "dossiers": ", ".join(dossiers)}
               for (jure, motif), dossiers in sorted(groupes.items())]
    return colleges, deports


def _methode(parametres: dict[str, object]) -> dict[str, Any]:
    # the workbook names a method by its label (by its code before the labels came)
    demandee = code_de(METHODES, schema.METHODE.lire(parametres)) or METHODE_PAR_DEFAUT
    choisie = code_de(METHODES, schema.METHODE_CHOISIE.lire(parametres)) or demandee
    candidates = " ⊂ ".join(f"« {libelle(METHODES, m)} »" for m in CANDIDATS)
    if demandee == METHODE_AUTOMATIQUE:
        texte = (f"Méthode choisie automatiquement parmi {len(CANDIDATS)} modèles emboîtés, "
                 f"{candidates}, chacun cas particulier du suivant. "
                 "Leur erreur sur des notes mises de côté (validation croisée) est mesurée, "
                 "et le modèle d'erreur la plus faible est retenu ; à erreur égale, le plus "
                 "simple. Les autres "
                 "méthodes du tableau sont calculées pour information et ne sont pas "
                 "candidates : une erreur plus faible de l'une d'elles ne change pas le choix. "
                 f"Retenue : « {libelle(METHODES, choisie)} » "
                 f"({METHODES[choisie].explication if choisie in METHODES else ''})")
    else:
        texte = (f"Méthode « {libelle(METHODES, demandee)} », choisie par le secrétariat : "
                 f"{METHODES[demandee].explication if demandee in METHODES else ''}")
    validation = []
    for sujet, erreur in schema.VALIDATION_CROISEE.sujets(parametres):
        methode = sujet.split(" ")[0]
        validation.append({"methode": libelle(METHODES, methode)
                           + (" (candidate)" if methode in CANDIDATS else ""),
                           "erreur": erreur})
    return {"texte": texte, "validation": validation}


def _regles(parametres: dict[str, object], chargement: Chargement) -> tuple[
        list[dict[str, str]], list[str]]:
    """The programme's settings the decision was taken under, in words (from the settings'
    catalogue), and those changed for this wave."""
    regles, derogations = [], []
    programme = chargement.regles
    objectifs, reglages = (dict(schema.OBJECTIF.sujets(parametres)),
                           dict(schema.REGLE.sujets(parametres)))
    for parametre in PARAMETRES:
        champ = parametre.nom_du_champ
        ecrit = (objectifs if parametre.section == "objectifs" else reglages).get(champ, "")
        if ecrit in ("", "None", NON_FIXE):
            continue
        lu = valeurs.nombre(ecrit).valeur if parametre.euros else None
        regles.append({"regle": parametre.libelle[:1].upper() + parametre.libelle[1:],
                       "valeur": euros(lu) if lu is not None else ecrit})
        source = (programme.objectifs if parametre.section == "objectifs" else programme
                  ) if programme is not None else None
        if source is not None and hasattr(source, champ):
            attendu = valeur_en_clair(getattr(source, champ))
            if attendu != ecrit:
                derogations.append(f"Règle modifiée pour cette vague : {parametre.libelle} = "
                                   f"{ecrit} (programme : {attendu}).")
    for categorie, bornes in schema.RYTHME.sujets(parametres):
        regles.append({"regle": f"Lauréats de la vague, {libelle(CATEGORIES, categorie)}",
                       "valeur": bornes})
    for ligne in (schema.ENVELOPPE_VAGUE, schema.ENVELOPPE_RESTANTE):
        if (montant := ligne.lire(parametres)) is not None:
            regles.append({"regle": ligne.cle[:1].upper() + ligne.cle[1:],
                           "valeur": euros(montant)})
    return regles, derogations


def _decisions(parametres: dict[str, object], journal: Journal, vague: Vague) -> tuple[list[str],
                                                                         list[dict[str, str]]]:
    decisions = []
    revisions = []
    decisions += [f"{dossier} retenu par le jury : {raison}"
                  for dossier, raison in schema.IMPOSE.sujets(parametres)]
    decisions += [f"{dossier} écarté par le jury : {raison}"
                  for dossier, raison in schema.ECARTE.sujets(parametres)]
    for sujet, texte in schema.NOTE_REVISEE.sujets(parametres):
        jure, dossier, critere = note_du_sujet(sujet, vague)
        changement, _, raison = texte.partition(" : ")
        revisions.append({"jure": jure, "dossier": dossier, "critere": critere,
                          "changement": changement, "raison": raison})
    for entree in journal.lisibles():
        if entree.evenement == "journal_ignore":
            decisions.append(f"Journal altéré, passé outre ({entree.horodatage}) : "
                             f"{entree.donnees.get('raison', '')}")
    return decisions, revisions


def _sort_change(chargement: Chargement, lue: DecisionLue, parametres: dict[str, object],
                 a_debattu: bool) -> str:
    if not a_debattu:
        return ""
    proposition = decider_vague(chargement, Parametres(
        methode=code_de(METHODES, schema.METHODE.lire(parametres)) or METHODE_PAR_DEFAUT),
        avec_decision=False)
    if not isinstance(proposition, Resultat) or not proposition.allocation.optimale:
        return ""
    avant, apres = set(proposition.allocation.laureats), set(lue.montants)
    entres, sortis = sorted(apres - avant), sorted(avant - apres)
    return (f"Par rapport à la proposition (même méthode, règles du programme, sans décision "
            f"ni note révisée), {len(entres) + len(sortis)} dossier(s) ont changé de sort par "
            f"la discussion — entrés : {', '.join(entres) or 'aucun'} ; sortis : "
            f"{', '.join(sortis) or 'aucun'}.")


def donnees_proces_verbal(chargement: Chargement, allocation: Path, journal: Journal,
                          jour: date | None = None) -> tuple[dict[str, Any] | None, Constats]:
    """Everything the minutes print, or the findings that stop them (the workbook is not
    this wave's decision, or the journal is broken)."""
    vague = chargement.vague
    assert vague is not None
    constats = Constats()
    lue = lire_decision(allocation, vague, constats)
    if lue is not None and lue.ancre_journal is not None:  # the decision anchors the journal
        journal = replace(journal, ancres=(*journal.ancres, lue.ancre_journal))
    verification = journal.verifier()
    if not verification.intact and not journal.passer_outre:
        constats.signaler("journal_altere", verification.message, fichier=journal.chemin.name)
    if lue is None or constats.a_des_erreurs:
        return None, constats
    parametres = {str(k): v for k, v in lue.parametres.items()}
    # text cells stay text: department « 06 » keeps its zero
    feuilles = pd.read_excel(allocation, sheet_name=None, engine="calamine",
                             dtype={"departement": str, "dossier": str})
    classement = feuilles["classement"]
    laureats = feuilles["laureats"]
    colonne_montant = "montant_accorde" if "montant_accorde" in laureats else "montant"
    colleges, deports = _jury(vague)
    regles, derogations = _regles(parametres, chargement)
    decisions, revisions = _decisions(parametres, journal, vague)
    incertitude = feuilles.get("incertitude", pd.DataFrame())
    zone = (list(incertitude.loc[incertitude["zone_incertitude"].map(_oui) == "oui", "dossier"])
            if "zone_incertitude" in incertitude else [])
    tirage = schema.TIRAGE_ORDRE.lire(parametres)
    provenance = Provenance.lire(parametres)
    empreintes = [{"fichier": nom, "sha256": sha} for nom, sha in provenance.empreintes]
    empreintes.append({"fichier": f"{allocation.name} (allocation)",
                       "sha256": sha256_fichier(allocation)})
    ancre = lue.ancre_journal.empreinte if lue.ancre_journal else None
    jour = jour or date.today()
    total = int(pd.to_numeric(laureats[colonne_montant]).sum())
    donnees = {
        "programme": PROGRAMME,
        "titre": "Procès-verbal de la séance du jury",
        "sous_titre": f"Vague {lue.numero} — {vague.nom}",
        "pied": f"Fabriques de Territoire — procès-verbal, vague {lue.numero} — confidentiel",
        "date": date_en_francais(jour),
        "colleges": colleges,
        "deports": deports,
        "comptes": [
            {"libelle": "Dossiers examinés", "valeur": len(classement)},
            {"libelle": "Dossiers inéligibles",
             "valeur": int((classement["statut"].map(lambda v: code_de(STATUTS, v))
                            == "ineligible").sum())},
            {"libelle": "Dossiers notés", "valeur": int(classement["score"].notna().sum())},
            {"libelle": "Lauréats", "valeur": len(laureats)},
        ],
        "methode": _methode(parametres),
        "regles": regles,
        "decisions": derogations + decisions,
        "revisions": revisions,
        "sort_change": _sort_change(chargement, lue, parametres, bool(decisions or revisions)),
        "laureats": [{"rang": _texte(ligne.get("rang")), "dossier": ligne["dossier"],
                      "nom": _texte(ligne["nom"]), "departement": _texte(ligne["departement"]),
                      "qpv": _oui(ligne["qpv"]), "montant": euros(ligne[colonne_montant])}
                     for ligne in laureats.to_dict("records")],
        "total": f"{len(laureats)} lauréats, {euros(total)} au total.",
        "reserve": [{"rang": _texte(ligne["rang"]), "dossier": ligne["dossier"],
                     "nom": _texte(ligne["nom"]), "remplace": _texte(ligne["peut_remplacer"])}
                    for ligne in feuilles["liste_complementaire"].to_dict("records")],
        "zone": (f"{len(zone)} dossier(s) dont l'intervalle de note (50 %) croise la note du "
                 f"dernier lauréat, discutés en premier : {', '.join(zone)}." if zone else
                 "Aucun dossier dans la zone d'incertitude."),
        "tirage": (f"Tirage au sort partiel entre ces dossiers (graine "
                   f"{schema.TIRAGE_GRAINE.lire(parametres)}), ordre tiré : "
                   f"{tirage}." if tirage else "Aucun tirage au sort."),
        "journal": (f"Dernière entrée au moment de la décision : {ancre}. " if ancre else
                    "La décision ne cite aucune entrée du journal. ")
                   + (f"À l'édition de ce procès-verbal : {verification.entrees} entrée(s), "
                      f"chaîne {'intacte' if verification.intact else 'altérée'}, dernière "
                      f"empreinte {verification.derniere_empreinte}."
                      if journal.existe else "Aucun journal n'a été tenu."),
        "empreintes": empreintes,
        "score_total": decimal(schema.SCORE_TOTAL.lire(parametres) or 0),
    }
    return donnees, constats


def proces_verbal(chargement: Chargement, allocation: Path | bytes,
                  journal: Journal) -> tuple[bytes | None, Constats]:
    """The minutes as PDF bytes (``allocation``: the workbook's path or bytes)."""
    if isinstance(allocation, bytes):
        with tempfile.TemporaryDirectory() as dossier:
            chemin = Path(dossier) / "allocation.xlsx"
            chemin.write_bytes(allocation)
            return proces_verbal(chargement, chemin, journal)
    donnees, constats = donnees_proces_verbal(chargement, allocation, journal)
    if donnees is None:
        return None, constats
    return rendre_proces_verbal(donnees)[0], constats
