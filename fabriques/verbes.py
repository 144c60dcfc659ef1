"""What every verb of the ``fabriques`` command shares: its exit codes, how it shows
findings and refuses, how it loads the wave and reaches its journal, which files it must
never write over, and how it writes its outputs."""

from __future__ import annotations

import argparse
import gc
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from commun.fichiers import FICHIER_HISTORIQUE, FICHIER_PROGRAMME
from fabriques.attente import etape

if TYPE_CHECKING:
    from application.entrees import Chargement, LectureVague
    from application.seance import AccesJournal
    from application.tables import Allocation
    from commun.constats import Constats
    from commun.journal import Journal

EXIT_OK, EXIT_ENTREE, EXIT_INFAISABLE, EXIT_ENVIRONNEMENT = 0, 2, 3, 4


def afficher_constats(constats: Constats, flux: TextIO | None = None,
                      detail: bool = False) -> None:
    """Print the findings (a finding repeated on many rows summarised, unless ``detail``),
    then their count."""
    flux = flux or sys.stdout
    for ligne in constats.lignes(detail):
        print(ligne, file=flux)
    erreurs, avertissements = len(constats.erreurs), len(constats.avertissements)
    print(f"{erreurs} erreur(s), {avertissements} avertissement(s).", file=flux)


def refuser(constats: Constats) -> int:
    """Say why a verb stops before writing (its findings, then that nothing was written) and
    return its exit code."""
    afficher_constats(constats, sys.stderr)
    print("Rien n'a été écrit.", file=sys.stderr)
    return EXIT_ENTREE


def charger_vague(args: argparse.Namespace, avec_notes: bool = True) -> Chargement:
    """The wave, its programme and its history, from the command's options."""
    from application.entrees import charger

    with etape("Lecture de la vague"):
        return charger(args.vague, args.programme, args.historique, args.correspondance,
                       avec_notes, getattr(args, "sans_historique", False))


def options_journal(parseur: argparse.ArgumentParser) -> None:
    """``--journal`` and ``--ignorer-journal``, for every verb that reads the journal."""
    parseur.add_argument("--journal", type=Path, default=None,
                         help="journal de la vague (défaut : journal.jsonl dans la vague, ou "
                              "<vague>.journal.jsonl à côté d'un classeur)")
    parseur.add_argument("--ignorer-journal", dest="ignorer_journal", default=None,
                         metavar="RAISON",
                         help="passe outre un journal altéré ; la raison est journalisée")


def acces_au_journal(args: argparse.Namespace, journal: Journal,
                     vague: str | None = None) -> AccesJournal | None:
    """The wave's journal checked, with its anchors (and the meeting it holds) and, given
    ``vague``, that it is that wave's; None, having said why, when it stops the command."""
    from application.seance import ouvrir_journal

    acces = ouvrir_journal(journal, getattr(args, "ignorer_journal", None), vague)
    if not acces.autorise:
        print(f"[ERREUR] {acces.message}", file=sys.stderr)
        print("Rien n'a été écrit.", file=sys.stderr)
        return None
    if getattr(args, "ignorer_journal", None):
        print(acces.message, file=sys.stderr)
    return acces


def fichiers_lus(args: argparse.Namespace, lus: Chargement | LectureVague) -> list[Path]:
    """Every file of the wave no output may replace, whether this verb reads it or not:
    the wave's, the programme and the history (given, or found in the wave or beside it),
    the démarches-simplifiées mapping."""
    from application.entrees import trouver_fichier

    autres = [getattr(args, "programme", None) or trouver_fichier(args.vague, FICHIER_PROGRAMME),
              getattr(args, "historique", None) or trouver_fichier(args.vague, FICHIER_HISTORIQUE),
              getattr(args, "correspondance", None)]
    return lus.fichiers_lus() + [p for p in autres if p]


def ecrire_sorties(args: argparse.Namespace, nom: str, lus: list[Path],
                   contenus: dict[Path, bytes]) -> list[Path]:
    """Write a verb's outputs as one set, over none of the wave's files nor its journal
    (the verbs that write no journal entry)."""
    from application.seance import journal_de
    from commun.ecriture import ecrire_ensemble

    journal = journal_de(args.vague, nom, getattr(args, "journal", None))
    return ecrire_ensemble(contenus, [*lus, journal.chemin])


def charger_valide(args: argparse.Namespace) -> Chargement | None:
    """Read and validate the wave, its programme and its history; print the findings and
    return None when one is an error."""

    chargement = charger_vague(args)
    if not chargement.valide:
        refuser(chargement.constats)
        return None
    return chargement


def afficher_infaisable(allocation: Allocation) -> int:
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


def lire(args: argparse.Namespace) -> LectureVague:
    from application.entrees import lire_vague

    with etape("Lecture de la vague"):
        return lire_vague(args.vague, args.correspondance)


def mettre_de_cote() -> None:
    """Set what is alive now — the modules loaded and their objects, which live as long as
    the run — aside from the cyclic garbage collector, which would otherwise walk it again
    at every full collection and once more at exit (allocate on the hard wave: 1.50 →
    1.29 s). Called before a verb and again once a verb has loaded its own modules. Never
    given back here — giving it back costs that last walk at exit (0.15 s); a process that
    runs verbs one after another (the tests) gives it back itself (``gc.unfreeze``)."""
    gc.freeze()
