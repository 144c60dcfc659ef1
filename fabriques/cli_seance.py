"""The meeting's verbs of the ``fabriques`` command: ``seance`` (the agenda, and the jury's
decisions and revised notes, journalled), ``journal`` (list or check the wave's journal) and
``proces-verbal`` (the signed minutes as a PDF). Like the rest of the command line, it only
parses, calls the application service and prints; each verb imports what it uses in its own
function (why: :mod:`fabriques.cli`)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from commun.fichiers import FICHIER_HISTORIQUE
from commun.francais import decimal, horodatage
from fabriques.attente import etape
from fabriques.verbes import (
    EXIT_ENTREE,
    EXIT_INFAISABLE,
    EXIT_OK,
    acces_au_journal,
    afficher_constats,
    charger_vague,
    fichiers_lus,
    options_journal,
    refuser,
)

if TYPE_CHECKING:
    from application.entrees import Chargement
    from commun.journal import Journal

Parseur = Callable[[argparse._SubParsersAction, str, str], argparse.ArgumentParser]


def ajouter_verbes_seance(sous: argparse._SubParsersAction, parseur: Parseur,
                          options_fichiers: Callable[[argparse.ArgumentParser], None]) -> None:
    """Declare ``seance``, ``journal`` and ``proces-verbal``."""
    from application.methodes import METHODE_PAR_DEFAUT, METHODES

    seance = parseur(sous, "seance", "séance du jury : ordre du jour, et décisions ou notes "
                                     "révisées (motivées, journalisées)")
    options_fichiers(seance)
    seance.add_argument("--methode", "--method", dest="methode", choices=METHODES,
                        default=METHODE_PAR_DEFAUT, help="méthode de normalisation")
    options_journal(seance)
    for action, aide in (("retenir", "retient un dossier"), ("ecarter", "écarte un dossier"),
                         ("annuler", "retire la décision prise sur un dossier")):
        seance.add_argument(f"--{action}", action="append", default=[],
                            metavar="DOSSIER:RAISON", help=f"{aide} (raison obligatoire)")
    seance.add_argument("--reviser", action="append", default=[],
                        metavar="JURE:DOSSIER:CRITERE:NOTE:RAISON",
                        help="révise une note ; la première valeur est conservée")
    seance.add_argument("--tout", action="store_true",
                        help="affiche aussi les dossiers qui n'ont pas besoin de discussion")
    journal = parseur(sous, "journal", "liste ou vérifie le journal de la vague")
    journal.add_argument("--journal", type=Path, default=None, help="journal de la vague")
    journal.add_argument("--verifier", action="store_true",
                         help="vérifie la chaîne d'empreintes et dit où elle est rompue")
    pv = parseur(sous, "proces-verbal", "procès-verbal de la séance (PDF, A4)")
    options_fichiers(pv)
    pv.add_argument("--allocation", type=Path, required=True,
                    help="classeur écrit par fabriques allocate pour cette vague")
    pv.add_argument("--out", type=Path, default=None, metavar="FICHIER",
                    help="PDF à écrire (défaut : proces-verbal-<vague>.pdf)")
    options_journal(pv)


def _couper(valeur: str, parties: int) -> list[str] | None:
    morceaux = valeur.split(":", parties - 1)
    return [m.strip() for m in morceaux] if len(morceaux) == parties else None


def _decider_en_seance(args: argparse.Namespace, chargement: Chargement,
                       journal: Journal) -> int | None:
    """Journal the loading, the decisions and the revisions asked for, all checked before
    any is written; the exit code (None: the journal is broken, nothing done)."""
    from application.seance import (
        inscrire_decisions,
        journaliser_chargement,
        reviser_en_seance,
        valider_revisions,
        verifier_decisions,
    )
    from application.service import Parametres

    acces = acces_au_journal(args, journal, chargement.vague.nom if chargement.vague else None)
    if acces is None:
        return None
    journal = acces.journal
    malformees = []
    decisions: list[tuple[str, str, str]] = []
    for action in ("retenir", "ecarter", "annuler"):
        for valeur in getattr(args, action):
            morceaux = _couper(valeur, 2)
            if morceaux is None:
                malformees.append(f"--{action} {valeur} : DOSSIER:RAISON attendu")
            else:
                decisions.append((action, morceaux[0], morceaux[1]))
    revisions = []
    for valeur in args.reviser:
        morceaux = _couper(valeur, 5)
        try:
            note = float(morceaux[3].replace(",", ".")) if morceaux else None
        except ValueError:
            note = None
        if morceaux is None or note is None:
            malformees.append(f"--reviser {valeur} : JURE:DOSSIER:CRITERE:NOTE:RAISON attendu")
        else:
            revisions.append((morceaux[0], morceaux[1], morceaux[2], note, morceaux[4]))
    for message in malformees:
        print(f"[ERREUR] {message}", file=sys.stderr)
    refus = valider_revisions(chargement, revisions)
    if not malformees and not refus.a_des_erreurs:
        refus = verifier_decisions(journal, chargement, Parametres(methode=args.methode),
                                   decisions)
    if malformees or refus.a_des_erreurs:
        if refus.a_des_erreurs:
            afficher_constats(refus, sys.stderr)
        print("Rien n'a été inscrit au journal.", file=sys.stderr)
        return EXIT_ENTREE
    journaliser_chargement(journal, chargement)
    inscrire_decisions(journal, decisions)
    for jure, dossier, critere, note, raison in revisions:
        reviser_en_seance(journal, chargement, jure, dossier, critere, note, raison)
    return EXIT_OK


def commande_seance(args: argparse.Namespace) -> int:
    """``fabriques seance``: journal the decisions and revisions given, then print the
    agenda and what the meeting changed."""
    from application.seance import agenda, journal_de, ouvrir_journal
    from application.service import Parametres, Refus, decider_vague, incertitude_de

    chargement = charger_vague(args)
    if not chargement.valide or chargement.vague is None:
        afficher_constats(chargement.constats, sys.stderr)
        return EXIT_ENTREE
    journal = journal_de(args.vague, chargement.vague.nom, args.journal,
                         chargement.ancres_du_journal())
    with journal.transaction():  # the run's entries: all written at its end, or none
        code = _decider_en_seance(args, chargement, journal)
    if code != EXIT_OK:  # a refused decision: said, and no agenda printed over it
        return EXIT_ENTREE
    base = Parametres(methode=args.methode)
    seance = ouvrir_journal(journal).seance
    with etape("Notation et choix des lauréats"):
        proposition = decider_vague(chargement, base, avec_decision=False)
        resultat = decider_vague(chargement, seance.appliquer(base))
    for calcul in (resultat, proposition):
        if isinstance(calcul, Refus):
            afficher_constats(calcul.erreurs, sys.stderr)
            return EXIT_ENTREE
    assert not isinstance(resultat, Refus) and not isinstance(proposition, Refus)
    if resultat.decision is None:
        print("Aucune sélection ne respecte les règles avec les décisions de la séance.",
              file=sys.stderr)
        return EXIT_INFAISABLE
    with etape("Calcul de l'incertitude") as avancer:
        table = agenda(resultat, incertitude_de(resultat, avancer))
    a_discuter = table if args.tout else table[table["rubrique"] != "autres"]
    print(f"Ordre du jour : {len(a_discuter)} dossier(s) à discuter "
          f"({len(table) - len(a_discuter)} autre(s) replié(s)).")
    for rubrique, lignes in a_discuter.groupby("rubrique", sort=False):
        print(f"\n{str(rubrique).capitalize()} :")
        for _, ligne in lignes.iterrows():
            print(f"  {ligne['dossier']}  {decimal(float(ligne['score']))}  "
                  f"{ligne['statut']:<10}  "
                  f"{ligne['nom']}" + (f" — {ligne['pourquoi']}" if ligne["pourquoi"] else ""))
    entres = sorted(set(resultat.allocation.laureats) - set(proposition.allocation.laureats))
    sortis = sorted(set(proposition.allocation.laureats) - set(resultat.allocation.laureats))
    print(f"\nSéance : {len(seance.forces)} retenu(s), {len(seance.exclus)} écarté(s), "
          f"{len(seance.revisions)} note(s) révisée(s) ; {len(entres) + len(sortis)} "
          f"dossier(s) ont changé de sort par la discussion"
          + (f" (entrés : {', '.join(entres) or 'aucun'} ; sortis : "
             f"{', '.join(sortis) or 'aucun'})" if entres or sortis else "") + ".")
    print(f"Journal : {journal.chemin}")
    return code


def commande_journal(args: argparse.Namespace) -> int:
    """``fabriques journal``: list the journal's entries, or check its chain (exit 2 when
    it is broken)."""
    from application.entrees import lire_ancres, nom_de_vague, numero_de_vague, trouver_fichier
    from application.seance import journal_de, resume_entree
    from commun.constats import Constats
    from commun.intention import inacheve
    from commun.verrous import verrous
    from commun.vocabulaire import EVENEMENTS, libelle

    nom = nom_de_vague(args.vague)
    historique = trouver_fichier(args.vague, FICHIER_HISTORIQUE)
    ancre = lire_ancres(historique, Constats()).get(numero_de_vague(nom) or 0)
    journal = journal_de(args.vague, nom, args.journal, (ancre,) if ancre else ())
    if inacheve(journal.dossier):  # a set of files a killed writer left: taking the lock
        with verrous([journal.dossier]):  # finishes it
            pass
    existe, lu = journal.existe, journal.lire()
    verification, entrees = lu.verification, lu.entrees
    if not existe and ancre is None:
        print(f"Aucun journal : {journal.chemin}", file=sys.stderr)
        return EXIT_ENTREE
    if not args.verifier:
        for e in entrees:
            print(f"{e.numero:>4}  {horodatage(e.horodatage):<18}  "
                  f"{libelle(EVENEMENTS, e.evenement)} — {resume_entree(e)}")
    print(verification.message, file=sys.stdout if verification.intact else sys.stderr)
    return EXIT_OK if verification.intact else EXIT_ENTREE


def commande_proces_verbal(args: argparse.Namespace) -> int:
    """``fabriques proces-verbal``: the meeting's minutes as a PDF, from the allocation
    workbook, the wave and its journal."""
    from application.proces_verbal import proces_verbal
    from application.seance import journal_de
    from commun.ecriture import ecrire_ensemble
    from commun.sorties import verifier_sorties

    chargement = charger_vague(args)
    if not chargement.valide or chargement.vague is None:
        afficher_constats(chargement.constats, sys.stderr)
        return EXIT_ENTREE
    sortie = args.out or Path(f"proces-verbal-{chargement.vague.nom}.pdf")
    journal = journal_de(args.vague, chargement.vague.nom, args.journal,
                         chargement.ancres_du_journal())
    lus = [*fichiers_lus(args, chargement), args.allocation, journal.chemin]
    verifier_sorties([sortie], lus)
    acces = acces_au_journal(args, journal, chargement.vague.nom)
    if acces is None:
        return EXIT_ENTREE
    with etape("Préparation du procès-verbal"):
        pdf, constats = proces_verbal(chargement, args.allocation, acces.journal)
    if pdf is None:
        return refuser(constats)
    ecrire_ensemble({sortie: pdf}, lus)
    print(f"Procès-verbal écrit : {sortie}")
    return EXIT_OK
