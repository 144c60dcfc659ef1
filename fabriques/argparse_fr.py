"""argparse in French: « utilisation : », « options : », « arguments obligatoires
manquants : … » instead of argparse's English.

argparse translates every message it prints through ``gettext``: its module calls
``_(message)`` and ``ngettext(singular, plural, n)`` (``from gettext import gettext as _,
ngettext``), looked up as module globals each time. The translation is installed there,
as one :class:`gettext.NullTranslations` whose catalogue is written below: it needs no
compiled ``.mo`` file, does not depend on the user's locale (a secretariat's machine set
to English still gets French) and leaves the ``gettext`` domain of other libraries alone.
Subclassing ``ArgumentParser`` and ``HelpFormatter`` instead would have meant overriding
the many methods that build these messages (usage, errors, ``nargs`` checks…), copied from
one Python version. The catalogue holds every message of argparse in Python 3.11.7,
3.12.1 and 3.13.0 (``Lib/argparse.py``); ``tests/test_francais_cli.py`` reads the running
Python's argparse source and fails on a message the catalogue lacks.
"""

from __future__ import annotations

import argparse
import gettext

#: Ends a section title: argparse writes « title: » (« %(heading)s: » from 3.13), and a
#: French colon follows a non-breaking space.
_INSECABLE = "\u00a0"

#: argparse's messages (its msgids, exactly) → French. The placeholders are argparse's own
#: (``%(value)r`` may become « %(value)s »: the same value, in French quotation marks).
TRADUCTIONS: dict[str, str] = {
    # help
    "usage: ": "utilisation : ",
    "positional arguments": "arguments positionnels" + _INSECABLE,
    "options": "options" + _INSECABLE,
    "subcommands": "sous-commandes" + _INSECABLE,
    "%(heading)s:": "%(heading)s:",  # 3.13; the non-breaking space ends each title
    "show this help message and exit": "affiche cette aide et quitte",
    "show program's version number and exit": "affiche la version et quitte",
    " (default: %(default)s)": " (défaut : %(default)s)",
    # the user's errors
    "%(prog)s: error: %(message)s\n": "%(prog)s : erreur : %(message)s\n",
    "%(prog)s: warning: %(message)s\n": "%(prog)s : avertissement : %(message)s\n",
    "argument %(argument_name)s: %(message)s": "argument %(argument_name)s : %(message)s",
    "the following arguments are required: %s": "arguments obligatoires manquants : %s",
    "one of the arguments %s is required": "l'un des arguments %s est obligatoire",
    "not allowed with argument %s": "incompatible avec l'argument %s",
    "unrecognized arguments: %s": "arguments non reconnus : %s",
    "ambiguous option: %(option)s could match %(matches)s":
        "option ambiguë : %(option)s peut désigner %(matches)s",
    "invalid choice: %(value)r (choose from %(choices)s)":
        "choix invalide : « %(value)s » (choix possibles : %(choices)s)",
    "invalid %(type)s value: %(value)r": "valeur invalide : « %(value)s »",
    "expected one argument": "une valeur attendue",
    "expected at most one argument": "au plus une valeur attendue",
    "expected at least one argument": "au moins une valeur attendue",
    "ignored explicit argument %r": "valeur ignorée : %r",
    "unexpected option string: %s": "option inattendue : %s",
    "unknown parser %(parser_name)r (choices: %(choices)s)":
        "commande inconnue « %(parser_name)s » (choix possibles : %(choices)s)",
    "can't open '%(filename)s': %(error)s": "impossible d'ouvrir « %(filename)s » : %(error)s",
    "argument \"-\" with mode %r": "argument « - » avec le mode %r",
    "argument '%(argument_name)s' is deprecated":
        "l'argument « %(argument_name)s » est obsolète",
    "command '%(parser_name)s' is deprecated": "la commande « %(parser_name)s » est obsolète",
    "option '%(option)s' is deprecated": "l'option « %(option)s » est obsolète",
    # the parser's declaration (a fault of the program, said in French all the same)
    ".__call__() not defined": ".__call__() non défini",
    "'required' is an invalid argument for positionals":
        "« required » n'est pas permis pour un argument positionnel",
    "mutually exclusive arguments must be optional":
        "des arguments mutuellement exclusifs doivent être des options",
    "%r is not callable": "%r n'est pas appelable",
    "cannot merge actions - two groups are named %r":
        "fusion impossible : deux groupes s'appellent %r",
    "invalid option string %(option)r: must start with a character %(prefix_chars)r":
        "option %(option)r invalide : elle doit commencer par un caractère de "
        "%(prefix_chars)r",
    "dest= is required for options like %r": "dest= est obligatoire pour une option comme %r",
    "invalid conflict_resolution value: %r": "valeur de conflict_resolution invalide : %r",
    "cannot have multiple subparser arguments": "un seul groupe de sous-commandes est permis",
    "conflicting subparser: %s": "sous-commande en double : %s",
    "conflicting subparser alias: %s": "alias de sous-commande en double : %s",
}

#: argparse's ``ngettext`` messages: (singular, plural) → (French singular, plural).
PLURIELS: dict[tuple[str, str], tuple[str, str]] = {
    ("expected %s argument", "expected %s arguments"):
        ("%s valeur attendue", "%s valeurs attendues"),
    ("conflicting option string: %s", "conflicting option strings: %s"):
        ("option en double : %s", "options en double : %s"),
}


class ArgparseEnFrancais(gettext.NullTranslations):
    """The catalogue above as a translation; a message it lacks stays as argparse wrote
    it (the test makes sure there is none)."""

    def gettext(self, message: str) -> str:
        return TRADUCTIONS.get(message, message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        singulier, pluriel = PLURIELS.get((msgid1, msgid2), (msgid1, msgid2))
        return singulier if n < 2 else pluriel  # French: 0 and 1 are singular


def installer() -> None:
    """Make argparse speak French in this process (idempotent). The command line's
    process is the project's own: no other argparse user there expects English."""
    traduction = ArgparseEnFrancais()
    # argparse's module globals, looked up at each message (``from gettext import …``)
    setattr(argparse, "_", traduction.gettext)  # noqa: B010 (a name mypy does not know)
    setattr(argparse, "ngettext", traduction.ngettext)  # noqa: B010
