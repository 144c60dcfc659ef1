"""The ``fabriques ds`` verbs: ``importer`` (a wave's dossiers from démarches-simplifiées)
and ``publier`` (the decision written back, shown only unless ``--appliquer`` and a typed
confirmation). Like the rest of the command line, it parses, calls the application and
prints. The token is read from ``FABRIQUES_DS_JETON`` or a prompt that does not echo it;
it is never printed. Each verb imports what it uses in its own function (why:
:mod:`fabriques.cli`): the network client is loaded only by these verbs.

Exit codes: 0 success, 2 bad input or confirmation refused (nothing sent), 4 the platform
refused the token or could not be reached (nothing replaced).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from fabriques.attente import etape
from fabriques.verbes import EXIT_ENTREE, EXIT_ENVIRONNEMENT, EXIT_OK, afficher_constats

if TYPE_CHECKING:
    from application.ds.client import ClientDS

EXIT_PLATEFORME = EXIT_ENVIRONNEMENT
DESCRIPTION = (
    "démarches-simplifiées (API GraphQL v2). « importer » écrit dossiers.xlsx et ds-brut.json "
    "dans le dossier de la vague ; « publier » montre ce qu'il écrirait sur la plateforme et "
    "ne l'écrit qu'avec --appliquer et une confirmation tapée. Le jeton vient de "
    "FABRIQUES_DS_JETON ou d'une saisie masquée ; il n'est jamais affiché. Codes de sortie : "
    "0 succès, 2 entrée invalide ou confirmation refusée (rien n'est envoyé), 4 jeton refusé "
    "ou plateforme injoignable (rien n'est remplacé).")


def _date(texte: str) -> datetime:
    """``2026-11-02`` or ``2026-11-02T14:30``, Paris time unless an offset is given."""
    try:
        date = datetime.fromisoformat(texte)
    except ValueError:
        raise argparse.ArgumentTypeError(f"date attendue (AAAA-MM-JJ[THH:MM]) : « {texte} »")\
            from None
    from application.ds.client import FUSEAU

    return date if date.tzinfo else date.replace(tzinfo=FUSEAU)


def ajouter_verbes_ds(sous: argparse._SubParsersAction) -> None:
    """Register ``fabriques ds importer`` and ``fabriques ds publier``."""
    ds = sous.add_parser("ds", help="démarches-simplifiées : importer les dossiers, publier "
                                    "la décision", description=DESCRIPTION, add_help=False)
    ds.add_argument("-h", "--help", action="help", help="affiche cette aide et quitte")
    verbes = ds.add_subparsers(dest="verbe_ds", metavar="ACTION", required=True)
    importer = verbes.add_parser("importer", add_help=False,
                                 help="écrit dossiers.xlsx et ds-brut.json depuis l'API")
    importer.add_argument("-h", "--help", action="help", help="affiche cette aide et quitte")
    importer.add_argument("--demarche", type=int, required=True, help="numéro de la démarche")
    importer.add_argument("--vague", type=Path, required=True, metavar="DOSSIER",
                          help="dossier de la vague où écrire")
    importer.add_argument("--depuis", type=_date, default=None, metavar="DATE",
                          help="seulement les dossiers modifiés depuis DATE, ajoutés à "
                               "l'import précédent (heure de Paris par défaut)")
    importer.add_argument("--correspondance", type=Path, default=None,
                          help="fichier TOML de correspondance des champs")
    publier = verbes.add_parser("publier", add_help=False,
                                help="montre (ou, avec --appliquer, écrit) la décision sur "
                                     "la plateforme")
    publier.add_argument("-h", "--help", action="help", help="affiche cette aide et quitte")
    publier.add_argument("--allocation", type=Path, required=True,
                         help="classeur écrit par fabriques allocate")
    publier.add_argument("--retours", type=Path, required=True,
                         help="classeur écrit par allocate --retours (motivations des refus)")
    publier.add_argument("--demarche", type=int, required=True, help="numéro de la démarche")
    publier.add_argument("--vague", type=Path, required=True, metavar="DOSSIER",
                         help="dossier de la vague importée")
    publier.add_argument("--instructeur", default=None, metavar="COURRIEL",
                         help="instructeur au nom duquel écrire (défaut : le seul de la "
                              "démarche)")
    publier.add_argument("--correspondance", type=Path, default=None,
                         help="fichier TOML de correspondance (section [annotations])")
    publier.add_argument("--appliquer", action="store_true",
                         help="écrit réellement, après confirmation tapée (sinon : rien "
                              "n'est envoyé, le plan est seulement affiché)")


def commande_ds(args: argparse.Namespace) -> int:
    """``fabriques ds importer|publier``."""
    from application.ds.client import (
        REPONSE_INATTENDUE,
        ClientDS,
        ErreurDS,
        jeton_depuis_environnement,
    )

    jeton = jeton_depuis_environnement(getpass.getpass if sys.stdin.isatty() else None)
    if jeton is None:
        print("Jeton absent : définissez FABRIQUES_DS_JETON (jeton créé dans votre profil "
              "administrateur démarches-simplifiées).", file=sys.stderr)
        return EXIT_ENTREE
    try:
        with ClientDS(jeton) as client:
            if args.verbe_ds == "importer":
                return _importer(client, args)
            return _publier(client, args)
    except ErreurDS as erreur:
        print(f"\n[ERREUR] {jeton.masquer(str(erreur))}", file=sys.stderr)
        return EXIT_PLATEFORME
    except (KeyError, TypeError, AttributeError, IndexError) as erreur:
        # An answer of valid JSON but another shape (a field missing, null for a list).
        print(f"\n[ERREUR] {REPONSE_INATTENDUE} (détail : {type(erreur).__name__} "
              f"{jeton.masquer(str(erreur))})", file=sys.stderr)
        return EXIT_PLATEFORME
    except ValueError as erreur:
        print(f"\n[ERREUR] {jeton.masquer(str(erreur))}", file=sys.stderr)
        return EXIT_ENTREE


def _importer(client: ClientDS, args: argparse.Namespace) -> int:
    from application.ds.importation import importer

    with etape("Lecture des dossiers sur la plateforme") as avancer:
        rapport = importer(client, args.demarche, args.vague, args.depuis,
                           args.correspondance, lambda lus: avancer(lus, None))
    for ligne in rapport.lignes():
        print(ligne)
    afficher_constats(rapport.constats)
    return EXIT_OK if rapport.ecrits else EXIT_ENTREE


def _publier(client: ClientDS, args: argparse.Namespace) -> int:
    from application.ds.importation import journal_de_vague
    from application.ds.publication import appliquer, preparer

    plan = preparer(client, args.demarche, args.allocation, args.retours,
                    args.vague, args.instructeur, args.correspondance)
    if plan.constats.a_des_erreurs:
        afficher_constats(plan.constats, sys.stderr)
        print("Rien n'a été envoyé.", file=sys.stderr)
        return EXIT_ENTREE
    for ligne in plan.lignes():
        print(ligne)
    if plan.constats:
        afficher_constats(plan.constats)
    if not args.appliquer:
        print("Essai à blanc : rien n'a été envoyé. Pour écrire, relancez avec --appliquer.")
        return EXIT_OK
    if not plan.a_publier:
        print("Rien à publier : la plateforme est à jour.")
        return EXIT_OK
    attendu = f"publier {len(plan.a_publier)}"
    try:
        saisi = input(f"Pour modifier {len(plan.a_publier)} dossier(s) sur la plateforme, "
                      f"tapez « {attendu} » : ")
    except EOFError:
        saisi = ""
    if saisi.strip() != attendu:
        print("Confirmation différente : rien n'a été envoyé.", file=sys.stderr)
        return EXIT_ENTREE
    with etape("Publication sur la plateforme") as avancer:
        rapport = appliquer(client, plan, journal_de_vague(args.vague),
                            lambda publies: avancer(publies, len(plan.a_publier)))
    for ligne in rapport.lignes():
        print(ligne)
    return EXIT_OK if not rapport.echecs else EXIT_PLATEFORME
