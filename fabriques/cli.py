"""``fabriques`` command line (SPEC §5): the parser of every verb, and :func:`main`. The
verbs are in :mod:`fabriques.cli_notation` (check, score, repartir),
:mod:`fabriques.cli_decision` (allocate, record, tradeoffs), :mod:`fabriques.cli_seance`
(seance, journal, proces-verbal) and :mod:`fabriques.cli_ds` (ds), what they share in
:mod:`fabriques.verbes`. They parse arguments, call the application service, and print what
it returns; none holds domain logic.

Exit codes: 0 success, 2 bad input (nothing written), 3 no allocation satisfies the rules,
4 the environment failed (a file that cannot be written, a busy lock, démarches-simplifiées
refusing the token or out of reach). No exception reaches the user as a traceback: each is
a French message with code 2 or 4 (:func:`main`).

Every verb writes its outputs through :mod:`commun.ecriture` (never over an input, as one
set, under the wave's lock).

Each verb imports what it uses inside its own function: a verb never loads another's
modules — the solver, the workbooks' writer, the PDF compiler, the démarches-simplifiées
client. ``fabriques check`` on the sample wave: 0.50 s, against 0.67 s with every verb's
modules loaded (median of 7).
"""

from __future__ import annotations

import os

# numpy's linear algebra (OpenBLAS) would start its own threads for matrices of a few
# hundred rows, where they cost more than they save and take the cores from the solver's
# engines (measured on the hard wave: allocate 1.58 → 1.50 s). Set before numpy loads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import contextlib
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from fabriques import __version__, argparse_fr
from fabriques.cli_decision import commande_allocate, commande_record, commande_tradeoffs
from fabriques.cli_ds import ajouter_verbes_ds, commande_ds
from fabriques.cli_notation import commande_check, commande_repartir, commande_score
from fabriques.cli_seance import (
    ajouter_verbes_seance,
    commande_journal,
    commande_proces_verbal,
    commande_seance,
)
from fabriques.verbes import (
    EXIT_ENTREE,
    EXIT_ENVIRONNEMENT,
    EXIT_OK,
    mettre_de_cote,
    options_journal,
)

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
    from application.methodes import METHODE_PAR_DEFAUT, METHODES

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
    from application.methodes import METHODE_PAR_DEFAUT

    parseur.add_argument("--methode", "--method", dest="methode", choices=methodes,
                         default=METHODE_PAR_DEFAUT,
                         help=f"méthode de normalisation (défaut : {METHODE_PAR_DEFAUT}, choisie "
                              "par validation croisée)")


COMMANDES = {"check": commande_check, "score": commande_score, "allocate": commande_allocate,
             "tradeoffs": commande_tradeoffs, "record": commande_record,
             "repartir": commande_repartir, "seance": commande_seance,
             "journal": commande_journal, "proces-verbal": commande_proces_verbal,
             "ds": commande_ds}


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
