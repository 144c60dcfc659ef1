"""The decision's verbs of the ``fabriques`` command: ``allocate`` (the laureates, the
workbook, its companions and the journal entry, as one set), ``record`` (a decided wave
into the programme's history) and ``tradeoffs`` (the price of each rule, the Pareto
frontiers, the robustness). Each verb imports what it uses in its own function (why:
:mod:`fabriques.cli`)."""

from __future__ import annotations

import argparse
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

from commun.fichiers import FICHIER_HISTORIQUE
from commun.francais import decimal
from fabriques.attente import etape
from fabriques.verbes import (
    EXIT_ENTREE,
    EXIT_OK,
    acces_au_journal,
    afficher_constats,
    afficher_infaisable,
    charger_valide,
    ecrire_sorties,
    fichiers_lus,
    lire,
    mettre_de_cote,
    refuser,
)

if TYPE_CHECKING:
    from application.entrees import Vague
    from application.tables import Incertitude
    from commun.chaine import Ancre

def _decisions(valeurs: list[str]) -> tuple[tuple[str, str], ...]:
    """``DOSSIER:RAISON`` options → (dossier, reason); the service validates them."""
    return tuple((dossier.strip(), raison.strip())
                 for dossier, _, raison in (v.partition(":") for v in valeurs))


def _ancre_de_la_decision(chemin: Path, vague: Vague) -> tuple[Ancre, ...]:
    """What the allocation workbook about to be replaced says of the journal, when it is a
    decision on these very wave files (a journal cut below it is then caught)."""
    from application.historique import lire_decision
    from commun.constats import Constats

    lue = lire_decision(chemin, vague, Constats()) if chemin.is_file() else None
    return (lue.ancre_journal,) if lue is not None and lue.ancre_journal else ()


def commande_allocate(args: argparse.Namespace) -> int:
    """``fabriques allocate``: solve SPEC §4 and write the allocation workbook, its
    companions and the journal entry, as one set, under the wave's lock."""
    from application.seance import (
        journal_de,
        journaliser_allocation,
        journaliser_chargement,
        journaliser_methode,
    )
    from application.service import (
        Parametres,
        Refus,
        Sorties,
        classeur_des_retours,
        completer_decision,
        decider_vague,
        incertitude_a_cote,
        planifier_decision,
    )
    from commun.ecriture import Ecriture
    from commun.sorties import verifier_sorties

    mettre_de_cote()
    entrees = charger_valide(args)
    if entrees is None or entrees.vague is None:
        return EXIT_ENTREE
    sorties = Sorties(args.out or Path(f"allocation-{entrees.vague.nom}.xlsx"), args.public,
                      args.retours, args.modele)
    journal = journal_de(args.vague, entrees.vague.nom, args.journal,
                         entrees.ancres_du_journal()
                         + _ancre_de_la_decision(sorties.classeur, entrees.vague))
    lus = [*fichiers_lus(args, entrees), journal.chemin]
    lettres = sorties.lettres(entrees.vague.dossiers.index)  # refuses an id unfit for a name
    verifier_sorties([*sorties.chemins(), *lettres.values()], lus)
    with journal.transaction():
        acces = acces_au_journal(args, journal, entrees.vague.nom)
        if acces is None:
            return EXIT_ENTREE
        journal = acces.journal
        forces, exclus = _decisions(args.forcer), _decisions(args.exclure)
        parametres = acces.seance.appliquer(Parametres(
            methode=args.methode, forces=forces, exclus=exclus,
            origines=tuple([(d, "--forcer") for d, _ in forces]
                           + [(d, "--exclure") for d, _ in exclus])))
        with etape("Notation et choix des lauréats"):
            resultat = decider_vague(entrees, parametres, avec_decision=False)
        if isinstance(resultat, Refus):
            return refuser(resultat.erreurs)
        if not resultat.allocation.optimale:
            return afficher_infaisable(resultat.allocation)
        with ExitStack() as etapes:
            # The draws of the uncertainty run beside the decision's explanations and the
            # workbook's other sheets; the workbook waits for them, then its last step shows.
            avancer = etapes.enter_context(etape("Calcul de l'incertitude"))
            attendre = etapes.enter_context(incertitude_a_cote(resultat, avancer))

            def incertitude() -> Incertitude:
                valeur = attendre()
                etapes.close()
                etapes.enter_context(etape("Préparation des classeurs"))
                return valeur

            resultat = completer_decision(resultat)
            # journalled with the decision only: « rien n'a été écrit » is then true of the
            # journal
            journaliser_chargement(journal, entrees)
            journaliser_methode(journal, resultat)
            ecriture = Ecriture(lus, journal.dossier)
            empreintes = planifier_decision(entrees, resultat, sorties, ecriture,
                                            journal.ancre(), incertitude)
        journaliser_allocation(journal, resultat, empreintes)
        journal.ecrire_avec(ecriture)
    if len(entrees.constats):  # the very findings ``check`` prints, warnings all
        afficher_constats(entrees.constats)
    if not acces.seance.vide:
        s = acces.seance
        print(f"Séance (journal {journal.chemin}) : {len(s.forces)} dossier(s) retenu(s), "
              f"{len(s.exclus)} écarté(s), {len(s.revisions)} note(s) révisée(s).")
    allocation, decision = resultat.allocation, resultat.decision
    assert decision is not None  # completed above: the allocation is optimal
    print(f"{len(allocation.laureats)} lauréats, score total "
          f"{decimal(allocation.score_total)} (résolu en {decimal(allocation.duree)} s) ; "
          "liste complémentaire : "
          f"{len(decision.reserve)} ; mieux notés non retenus expliqués : "
          f"{len(decision.explications)}. Écrit : {sorties.classeur}")
    if sorties.retours and lettres:
        dossier = next(iter(lettres.values())).parent
        print(f"Retours : {classeur_des_retours(sorties.retours)} et {len(lettres)} lettres "
              f"dans {dossier}")
    return EXIT_OK


def commande_record(args: argparse.Namespace) -> int:
    """``fabriques record``: append a decided wave's laureates to the programme history.
    The history's folder and the wave's are locked from reading the history to writing it:
    of two runs at once, the second finds the wave already recorded. The new history (with
    the journal's anchor), the backup of the old one and the journal entry are one set."""
    from dataclasses import replace

    from application.entrees import lire_ancres, trouver_fichier
    from application.historique import (
        lignes_historique,
        lire_decision,
        preparer_enregistrement,
    )
    from application.seance import journal_de
    from commun.ecriture import Ecriture
    from commun.provenance import AUCUN, sha256_fichier
    from commun.sorties import verifier_sorties
    from commun.verrous import verrous

    lecture = lire(args)
    constats = lecture.constats
    vague = lecture.vague
    if vague is None or constats.a_des_erreurs:
        return refuser(constats)
    dossier = args.vague if args.vague.is_dir() else args.vague.parent
    historique = (args.historique or trouver_fichier(args.vague, FICHIER_HISTORIQUE)
                  or dossier / FICHIER_HISTORIQUE)
    # a history shared through a link: the file it names is the one locked and extended
    historique = historique.resolve()
    journal = journal_de(args.vague, vague.nom, args.journal)
    lus = [*fichiers_lus(args, lecture), args.allocation, journal.chemin]
    verifier_sorties([historique], [f for f in lus if f.resolve() != historique.resolve()],
                     nommees_par_l_outil=True)

    def refus() -> int:
        afficher_constats(constats, sys.stderr)
        print("L'historique n'a pas été modifié.", file=sys.stderr)
        return EXIT_ENTREE

    with verrous([historique.parent]), journal.transaction():
        empreinte_allocation = sha256_fichier(args.allocation)
        lue = lire_decision(args.allocation, vague, constats)
        if lue is None:
            return refus()
        ancres = [lire_ancres(historique, constats).get(lue.numero), lue.ancre_journal]
        acces = acces_au_journal(args, replace(journal, ancres=tuple(a for a in ancres if a)),
                                 vague.nom)
        if acces is None:
            return EXIT_ENTREE
        journal = acces.journal
        ecrites = {empreinte for e in journal.entrees() if e.evenement == "allocation"
                   for empreinte in dict(e.donnees.get("sorties") or {}).values()}
        if journal.existe and empreinte_allocation not in ecrites:
            constats.signaler(
                "allocation_hors_journal",
                "ce classeur n'est pas un de ceux qu'allocate a écrits pour cette vague (son "
                "empreinte SHA-256 n'est dans aucune entrée « allocation » du journal) : il a "
                "pu être modifié à la main ; relancez fabriques allocate",
                fichier=args.allocation.name)
            return refus()
        nouvelles = lignes_historique(vague.dossiers, lue.montants, lue.numero, lue.annee)
        enregistrement = preparer_enregistrement(historique, nouvelles, constats,
                                                 lue.empreinte_historique)
        if enregistrement is None:
            return refus()
        journal.ajouter("enregistrement", {
            "vague": lue.numero, "laureats": sorted(lue.montants),
            "allocation": {args.allocation.name: empreinte_allocation},
            "historique_avant": {historique.name: sha256_fichier(historique)
                                 if historique.exists() else AUCUN}})
        ecriture = Ecriture(lus, journal.dossier)
        sauvegarde = enregistrement.planifier(ecriture, journal.ancre())
        journal.ecrire_avec(ecriture)
    print(f"Vague {lue.numero} enregistrée : {len(lue.montants)} lauréats ajoutés à "
          f"{historique}.")
    if sauvegarde:
        print(f"Historique précédent conservé dans {sauvegarde}.")
    return EXIT_OK


def commande_tradeoffs(args: argparse.Namespace) -> int:
    """``fabriques tradeoffs``: price of each rule, Pareto frontiers, robustness."""
    from application.arbitrages import classeur_arbitrages, tables_arbitrages
    from application.seance import journal_de
    from application.service import Parametres, Refus, decider_vague
    from commun.sorties import verifier_sorties

    mettre_de_cote()
    entrees = charger_valide(args)
    if entrees is None or entrees.vague is None:
        return EXIT_ENTREE
    vague = entrees.vague
    sortie = args.out or Path(f"arbitrages-{vague.nom}.xlsx")
    journal = journal_de(args.vague, vague.nom, args.journal, entrees.ancres_du_journal())
    lus = [*fichiers_lus(args, entrees), journal.chemin]
    verifier_sorties([sortie], lus)
    if args.tirages < 0:
        print("[ERREUR] --tirages : nombre positif attendu", file=sys.stderr)
        return EXIT_ENTREE
    acces = acces_au_journal(args, journal, vague.nom)
    if acces is None:
        return EXIT_ENTREE
    # the meeting as it stands: its decisions and revised notes, as for allocate
    parametres = acces.seance.appliquer(Parametres(methode=args.methode))
    with etape("Notation et choix des lauréats"):
        resultat = decider_vague(entrees, parametres, avec_decision=False)
    if isinstance(resultat, Refus):
        afficher_constats(resultat.erreurs, sys.stderr)
        return EXIT_ENTREE
    if not resultat.allocation.optimale:
        return afficher_infaisable(resultat.allocation)
    tables = tables_arbitrages(entrees, resultat, args.tirages, args.comparer,
                               acces.journal.ancre() if acces.journal.existe else None, etape)
    with etape("Préparation du classeur"):
        contenu = classeur_arbitrages(tables)
    ecrire_sorties(args, vague.nom, lus, {sortie: contenu})
    labels = tables["robustesse"]["label"].value_counts()
    print(f"{args.tirages} tirages : {labels.get('stable', 0)} stables, "
          f"{labels.get('borderline', 0)} à la limite, {labels.get('depends_on_method', 0)} "
          f"dépendant de la méthode. Écrit : {sortie}")
    return EXIT_OK
