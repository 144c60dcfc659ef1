"""``fabriques`` command line (SPEC §5). It parses arguments, calls the packages, and
prints what they return; it holds no domain logic.

Exit codes: 0 success, 2 bad input (nothing written), 3 no allocation satisfies the rules,
4 the environment failed (a file that cannot be written, a busy lock, démarches-simplifiées
refusing the token or out of reach). No exception reaches the user as a traceback: each is
a French message with code 2 or 4 (:func:`main`).

Every verb writes its outputs through :mod:`commun.ecriture` (never over an input, as one
set, under the wave's lock).

Each verb imports what it uses inside its own function (here and in :mod:`fabriques.cli_seance`
and :mod:`fabriques.cli_ds`): a verb never loads another's modules — the solver, the
workbooks' writer, the PDF compiler, the démarches-simplifiées client. ``fabriques check`` on
the sample wave: 0.50 s, against 0.67 s with every verb's modules loaded (median of 7).
"""

from __future__ import annotations

import os

# numpy's linear algebra (OpenBLAS) would start its own threads for matrices of a few
# hundred rows, where they cost more than they save and take the cores from the solver's
# engines (measured on the hard wave: allocate 1.58 → 1.50 s). Set before numpy loads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import contextlib
import gc
import re
import sys
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from commun.fichiers import FICHIER_HISTORIQUE
from commun.francais import decimal
from commun.vocabulaire import METHODES, libelle
from fabriques import __version__, argparse_fr
from fabriques.attente import etape
from fabriques.cli_ds import ajouter_verbes_ds, commande_ds
from fabriques.cli_seance import (
    EXIT_ENTREE,
    EXIT_ENVIRONNEMENT,
    EXIT_INFAISABLE,
    EXIT_OK,
    acces_au_journal,
    afficher_constats,
    ajouter_verbes_seance,
    charger_vague,
    commande_journal,
    commande_proces_verbal,
    commande_seance,
    ecrire_sorties,
    fichiers_lus,
    options_journal,
    refuser,
)

if TYPE_CHECKING:
    from application.entrees import Chargement, LectureVague, Vague
    from application.tables import Allocation, Incertitude
    from commun.chaine import Ancre

DESCRIPTION = (
    "Notation du jury et sélection des lauréats d'une vague de l'AMI « Fabriques de "
    "Territoire » (ANCT)."
)


def _parseur(sous: argparse._SubParsersAction, nom: str, aide: str) -> argparse.ArgumentParser:
    parseur: argparse.ArgumentParser = sous.add_parser(nom, help=aide, description=aide,
                                                       add_help=False)
    parseur.add_argument("-h", "--help", action="help", help="affiche cette aide et quitte")
    parseur.add_argument("vague", type=Path, metavar="VAGUE",
                         help="classeur vague-NN.xlsx ou dossier vague-NN/")
    parseur.add_argument("--correspondance", type=Path, default=None,
                         help="fichier TOML de correspondance d'un export démarches-simplifiées")
    return parseur


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every verb the installed version provides; argparse's own
    words (« utilisation : », its errors) in French (:mod:`fabriques.argparse_fr`)."""
    from application.notation import METHODE_PAR_DEFAUT, METHODES

    argparse_fr.installer()

    parser = argparse.ArgumentParser(prog="fabriques", description=DESCRIPTION, add_help=False)
    parser.add_argument("-h", "--help", action="help", help="affiche cette aide et quitte")
    parser.add_argument(
        "--version", action="version", version=f"fabriques {__version__}",
        help="affiche la version et quitte",
    )
    sous = parser.add_subparsers(dest="verbe", metavar="VERBE")
    check = _parseur(sous, "check", "vérifie tous les fichiers d'une vague, le programme et "
                                    "l'historique, et liste chaque problème")
    _options_fichiers(check)
    check.add_argument("--detail", action="store_true",
                       help="liste chaque ligne d'un constat répété (sinon résumé)")
    score = _parseur(sous, "score", "calcule la note de chaque dossier et le diagnostic du jury")
    score.add_argument("--methode", "--method", dest="methode", choices=METHODES,
                       default=METHODE_PAR_DEFAUT,
                       help=f"méthode de normalisation (défaut : {METHODE_PAR_DEFAUT}, choisie "
                            "par validation croisée)")
    score.add_argument("--poids", default=None, metavar="CRITERE=POIDS,…",
                       help="remplace les poids de la feuille criteres (ex. offre=2,ancrage=1)")
    score.add_argument("--out", type=Path, default=None, metavar="FICHIER",
                       help="classeur à écrire (défaut : scores-<vague>.xlsx)")
    options_journal(score)
    allocate = _parseur(sous, "allocate", "choisit les lauréats de la vague (SPEC §4)")
    _options_programme(allocate, METHODES)
    allocate.add_argument("--out", type=Path, default=None, metavar="FICHIER",
                          help="classeur à écrire (défaut : allocation-<vague>.xlsx)")
    allocate.add_argument("--public", type=Path, default=None,
                          help="liste publique des lauréats à écrire (champs publics seulement)")
    allocate.add_argument("--retours", type=Path, default=None,
                          help="retours aux candidats : un classeur .xlsx (publipostage, "
                               "lettres PDF à côté dans <nom>-lettres/) ou un dossier "
                               "(retours.xlsx et une lettre PDF par dossier dedans)")
    allocate.add_argument("--modele", type=Path, default=None,
                          help="écrit le programme linéaire résolu (fichier LP, contraintes "
                               "nommées) pour l'audit")
    allocate.add_argument("--forcer", action="append", default=[], metavar="DOSSIER:RAISON",
                          help="impose un dossier (décision du jury, raison enregistrée)")
    allocate.add_argument("--exclure", action="append", default=[], metavar="DOSSIER:RAISON",
                          help="écarte un dossier (décision du jury, raison enregistrée)")
    options_journal(allocate)
    arbitrages = _parseur(sous, "tradeoffs", "prix de chaque règle, frontières de Pareto et "
                                             "robustesse de la sélection")
    _options_programme(arbitrages, METHODES)
    arbitrages.add_argument("--out", type=Path, default=None, metavar="FICHIER",
                            help="classeur à écrire (défaut : arbitrages-<vague>.xlsx)")
    arbitrages.add_argument("--tirages", type=int, default=1000,
                            help="tirages bootstrap du jury (défaut : 1000)")
    arbitrages.add_argument("--comparer", choices=METHODES, default=None, metavar="METHODE",
                            help="compare la sélection à celle d'une autre méthode "
                                 "(feuille comparaison)")
    options_journal(arbitrages)
    record = _parseur(sous, "record", "enregistre les lauréats décidés d'une vague dans "
                                      "l'historique du programme")
    record.add_argument("--allocation", type=Path, required=True,
                        help="classeur écrit par fabriques allocate pour cette vague")
    record.add_argument("--historique", "--history", dest="historique", type=Path,
                        default=None, help="laureats.xlsx à compléter (défaut : dans la "
                                           "vague, sinon à côté ; créé s'il n'existe pas)")
    options_journal(record)
    repartir = _parseur(sous, "repartir", "répartit les dossiers entre les jurés et prépare "
                                          "la grille de chacun (avant les notes)")
    _options_fichiers(repartir)
    quoi = repartir.add_mutually_exclusive_group(required=True)
    quoi.add_argument("--par-dossier", dest="par_dossier", type=int, metavar="K",
                      help="nombre de jurés qui lisent chaque dossier éligible")
    quoi.add_argument("--complement", type=int, metavar="N",
                      help="second tour, une fois les premières notes reçues : N lectures de "
                           "plus, d'abord dans la zone d'incertitude")
    repartir.add_argument("--graine", type=int, default=0,
                          help="graine du départage entre répartitions équivalentes (défaut : 0)")
    repartir.add_argument("--out", type=Path, default=None, metavar="FICHIER",
                          help="classeur à écrire (défaut : affectation-<vague>.xlsx)")
    repartir.add_argument("--grilles", type=Path, default=None, metavar="DOSSIER",
                          help="dossier où écrire une grille par juré (Jxx.xlsx)")
    ajouter_verbes_seance(sous, _parseur, _options_fichiers)
    ajouter_verbes_ds(sous)
    return parser


def _options_fichiers(parseur: argparse.ArgumentParser) -> None:
    parseur.add_argument("--programme", type=Path, default=None,
                         help="programme.toml (défaut : dans la vague, sinon à côté)")
    parseur.add_argument("--historique", "--history", dest="historique", type=Path,
                         default=None, help="laureats.xlsx (défaut : dans la vague, sinon à côté)")
    parseur.add_argument("--sans-historique", dest="sans_historique", action="store_true",
                         help="décide une vague au-delà de la première sans historique des "
                              "lauréats (sinon c'est une erreur)")


def _options_programme(parseur: argparse.ArgumentParser, methodes: Sequence[str]) -> None:
    _options_fichiers(parseur)
    from application.notation import METHODE_PAR_DEFAUT

    parseur.add_argument("--methode", "--method", dest="methode", choices=methodes,
                         default=METHODE_PAR_DEFAUT,
                         help=f"méthode de normalisation (défaut : {METHODE_PAR_DEFAUT}, choisie "
                              "par validation croisée)")


def _decisions(valeurs: list[str]) -> tuple[tuple[str, str], ...]:
    """``DOSSIER:RAISON`` options → (dossier, reason); the service validates them."""
    return tuple((dossier.strip(), raison.strip())
                 for dossier, _, raison in (v.partition(":") for v in valeurs))


def _charger(args: argparse.Namespace) -> Chargement | None:
    """Read and validate the wave, its programme and its history; print the findings and
    return None when one is an error."""

    chargement = charger_vague(args)
    if not chargement.valide:
        refuser(chargement.constats)
        return None
    return chargement


def _afficher_infaisable(allocation: Allocation) -> int:
    if not allocation.relaxations:  # the solver stopped for another reason
        print(f"Le solveur n'a pas abouti (statut : {allocation.statut}). Rien n'a été "
              "écrit.", file=sys.stderr)
        return EXIT_INFAISABLE
    print("Aucune sélection ne respecte toutes les règles. Plus petite modification qui "
          "rend la sélection possible :", file=sys.stderr)
    for relaxation in allocation.relaxations:
        print(f"  - {relaxation.message}", file=sys.stderr)
    print("Rien n'a été écrit.", file=sys.stderr)
    return EXIT_INFAISABLE


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
    entrees = _charger(args)
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
            return _afficher_infaisable(resultat.allocation)
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

    lecture = _lire(args)
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
    entrees = _charger(args)
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
        return _afficher_infaisable(resultat.allocation)
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


def _lire(args: argparse.Namespace) -> LectureVague:
    from application.entrees import lire_vague

    with etape("Lecture de la vague"):
        return lire_vague(args.vague, args.correspondance)


def commande_repartir(args: argparse.Namespace) -> int:
    """``fabriques repartir``: assign the dossiers to jurors (or add a second round of
    readings) and write the workbook and the grids."""
    from application.repartition import (
        completer_vague,
        grilles_et_classeur,
        repartir_vague,
    )
    from application.service import Refus
    from commun.sorties import verifier_sorties

    premier_tour = args.par_dossier is not None
    chargement = charger_vague(args, avec_notes=not premier_tour)
    if not chargement.valide or chargement.vague is None:
        return refuser(chargement.constats)
    sortie = args.out or Path(f"affectation-{chargement.vague.nom}.xlsx")
    lus = fichiers_lus(args, chargement)
    verifier_sorties([sortie], lus)
    with etape("Répartition des lectures entre les jurés"):
        resultat = (repartir_vague(chargement, args.par_dossier, args.graine) if premier_tour
                    else completer_vague(chargement, args.complement, args.graine))
    if isinstance(resultat, Refus):
        return refuser(resultat.erreurs)
    repartition = resultat.repartition
    if not repartition.trouvee:
        print("Aucune répartition ne respecte toutes les règles. À modifier :", file=sys.stderr)
        for relaxation in repartition.relaxations:
            print(f"  - {relaxation.message}", file=sys.stderr)
        print("Rien n'a été écrit.", file=sys.stderr)
        return EXIT_INFAISABLE
    with etape("Préparation des grilles"):
        fichiers = grilles_et_classeur(chargement, resultat, sortie, args.grilles)
    # a grid may already hold a juror's notes: never overwritten
    existantes = [chemin for chemin in fichiers if chemin != sortie and chemin.exists()]
    if existantes:
        print("Refus d'écraser des grilles existantes (elles contiennent peut-être déjà des "
              "notes) : " + ", ".join(str(p) for p in existantes) + ". Choisissez un autre "
              "dossier --grilles. Rien n'a été écrit.", file=sys.stderr)
        return EXIT_ENTREE
    if len(chargement.constats):
        afficher_constats(chargement.constats)
    ecrits = ecrire_sorties(args, chargement.vague.nom, lus, fichiers)
    charges = repartition.charges(nouvelles_seulement=True)
    print(f"{len(repartition.probleme.dossiers)} dossiers répartis "
          f"({len(repartition.nouvelles())} lectures), {len(resultat.ineligibles)} inéligibles "
          f"non répartis ; charges de {min(charges.values())} à {max(charges.values())} ; "
          f"recouvrement minimal entre deux jurés : {repartition.recouvrement_min} "
          f"(borne {repartition.borne_recouvrement}) ; {repartition.statut}.")
    if resultat.non_placees:
        print(f"{resultat.non_placees} lecture(s) n'ont pu être placées : tous les jurés "
              "libres lisent déjà ces dossiers.")
    for avis in repartition.avis:
        print(f"[AVIS] {avis}")
    print("Écrit : " + ", ".join(str(p) for p in ecrits[:3])
          + (f" et {len(ecrits) - 3} autres" if len(ecrits) > 3 else ""))
    return EXIT_OK


def commande_check(args: argparse.Namespace) -> int:
    """``fabriques check``: every finding of the wave, its programme and its history at
    once — the very findings ``allocate`` reads them with; exit 2 when one is an error."""

    chargement = charger_vague(args)
    afficher_constats(chargement.constats, detail=args.detail)
    return EXIT_OK if chargement.valide else EXIT_ENTREE


def commande_score(args: argparse.Namespace) -> int:
    """``fabriques score``: write the scoring workbook, the meeting's revised notes in place
    (read from the wave's journal, as every verb does)."""
    from application.notation import rapport_scores
    from application.seance import journal_de
    from application.service import Parametres, Refus, noter_vague
    from commun.sorties import verifier_sorties

    mettre_de_cote()
    lecture = _lire(args)
    if lecture.vague is None:
        return refuser(lecture.constats)
    vague = lecture.vague
    sortie = args.out or Path(f"scores-{vague.nom}.xlsx")
    journal = journal_de(args.vague, vague.nom, args.journal)
    lus = [*fichiers_lus(args, lecture), journal.chemin]
    verifier_sorties([sortie], lus)
    poids = vague.poids
    if args.poids:
        try:
            poids = {**poids, **_lire_poids(args.poids, set(poids))}
        except ValueError as erreur:
            print(f"[ERREUR] --poids : {erreur}", file=sys.stderr)
            return EXIT_ENTREE
    acces = acces_au_journal(args, journal, vague.nom)
    if acces is None:
        return EXIT_ENTREE
    parametres = acces.seance.appliquer(Parametres(methode=args.methode,
                                                   poids=tuple(sorted(poids.items()))))
    with etape("Notation"):
        notees = noter_vague(vague, parametres)
    if isinstance(notees, Refus):
        return refuser(notees.erreurs)
    revisee, scores = notees
    for avertissement in scores.avertissements:
        print(f"[AVERTISSEMENT] {avertissement}")
    with etape("Préparation du classeur"):
        contenu = rapport_scores(revisee, scores, lecture.constats, parametres.revisions,
                                 acces.journal.ancre() if acces.journal.existe else None)
    ecrire_sorties(args, vague.nom, lus, {sortie: contenu})
    meilleurs = scores.classement().head(5).join(vague.dossiers[["nom"]])
    methode = libelle(METHODES, scores.methode_effective)
    print(f"{len(vague.dossiers)} dossiers notés (méthode : {methode}"
          + (", choisie automatiquement" if scores.choix is not None else "") + ")"
          + (f", {len(parametres.revisions)} note(s) révisée(s) en séance"
             if parametres.revisions else "")
          + f" ; {len(lecture.constats.avertissements)} avertissement(s). Écrit : {sortie}")
    for rang, (identifiant, score, nom) in enumerate(
            zip(meilleurs.index, meilleurs["score"], meilleurs["nom"], strict=True), start=1):
        print(f"  {rang}. {identifiant}  {decimal(score)}  {nom}")
    return EXIT_OK


_PAIRE_POIDS = re.compile(r"\s*([^=,;\s]+)\s*=\s*(\d+(?:[.,]\d+)?)\s*(?:[,;]|$)")


def _lire_poids(texte: str, criteres: set[str]) -> dict[str, float]:
    """``offre=2,ancrage=1,5`` → weights (a decimal comma is accepted)."""
    poids: dict[str, float] = {}
    position = 0
    while position < len(texte):
        trouve = _PAIRE_POIDS.match(texte, position)
        if trouve is None:
            raise ValueError(f"« {texte[position:]} » : attendu critere=poids")
        critere, valeur = trouve.groups()
        if critere not in criteres:
            connus = ", ".join(sorted(criteres))
            raise ValueError(f"critère inconnu « {critere} » (connus : {connus})")
        poids[critere] = float(valeur.replace(",", "."))
        position = trouve.end()
    return poids


COMMANDES = {"check": commande_check, "score": commande_score, "allocate": commande_allocate,
             "tradeoffs": commande_tradeoffs, "record": commande_record,
             "repartir": commande_repartir, "seance": commande_seance,
             "journal": commande_journal, "proces-verbal": commande_proces_verbal,
             "ds": commande_ds}


def mettre_de_cote() -> None:
    """Set what is alive now — the modules loaded and their objects, which live as long as
    the run — aside from the cyclic garbage collector, which would otherwise walk it again
    at every full collection and once more at exit (allocate on the hard wave: 1.50 →
    1.29 s). Called before a verb and again once a verb has loaded its own modules. Never
    given back here — giving it back costs that last walk at exit (0.15 s); a process that
    runs verbs one after another (the tests) gives it back itself (``gc.unfreeze``)."""
    gc.freeze()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; return the process exit code (0 ok, 2 bad input, 3 infeasible,
    4 environment). Whatever goes wrong reaches the user as a French message, never as a
    traceback, and nothing half-written is left (:mod:`commun.ecriture`)."""
    from commun.erreurs import ErreurEcriture, message_systeme
    from commun.journal import JournalAltere

    parser = build_parser()
    args = parser.parse_args(argv)
    if args.verbe is None:
        parser.print_help()
        return EXIT_OK
    mettre_de_cote()
    try:
        return COMMANDES[args.verbe](args)
    except KeyboardInterrupt:
        print("Interrompu.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # ``fabriques check | head``: the reader left, say nothing more
        _taire_la_sortie()
        return EXIT_ENVIRONNEMENT
    except ErreurEcriture as erreur:
        print(f"[ERREUR] {erreur}", file=sys.stderr)
        return EXIT_ENVIRONNEMENT if erreur.environnement else EXIT_ENTREE
    except JournalAltere as erreur:
        print(f"[ERREUR] {erreur} Rien n'a été écrit.", file=sys.stderr)
        return EXIT_ENTREE
    except OSError as erreur:
        print(f"[ERREUR] {message_systeme(erreur)}. Rien n'a été écrit.", file=sys.stderr)
        return EXIT_ENVIRONNEMENT
    except Exception as erreur:  # a fault of the program: said, never a traceback
        print(f"[ERREUR] erreur inattendue ({type(erreur).__name__} : {erreur}). Rien n'a été "
              "écrit ; signalez-la au support avec la commande lancée.", file=sys.stderr)
        return EXIT_ENVIRONNEMENT


def _taire_la_sortie() -> None:
    """Point standard output at the null device, so that Python's last flush on exit
    does not complain about the closed pipe either."""
    import os

    try:
        nul = os.open(os.devnull, os.O_WRONLY)
        os.dup2(nul, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass  # an output without a file descriptor (captured): nothing to silence


def lancer() -> NoReturn:
    """The ``fabriques`` command (its console script, and ``python -m fabriques.cli``):
    :func:`main`, then the process ends without tearing the interpreter down — every
    output is written, closed and synced by then, and freeing the run's objects one by one
    only delays the prompt (allocate on the hard wave: 0.05 s; mypy's ``--fast-exit``
    does the same)."""
    code = main()
    for flux in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a reader gone: nothing to say
            flux.flush()
    os._exit(code)


if __name__ == "__main__":
    lancer()
