"""A TOML syntax error in French, with its line and column.

``tomllib`` says what is wrong in English (« Expected '=' after a key in a key/value pair
(at line 3, column 5) »). :func:`erreur_toml` puts each of its messages in the
secretariat's words — the catalogue below covers every message of ``tomllib/_parser.py``
in Python 3.11.7, 3.12.1 and 3.13.0 (the same file in the three) — and finds the line and
column. A message the catalogue does not know (a later Python) is said generically, still
with its line and column; ``tests/test_francais_cli.py`` reads the running Python's
``tomllib`` source and fails on such a message.
"""

from __future__ import annotations

import ast
import re
import tomllib
from dataclasses import dataclass

#: tomllib's fixed messages → French.
_FIXES: dict[str, str] = {
    "Invalid statement": "ligne incompréhensible (attendu : clé = valeur, [table] ou "
                         "commentaire # …)",
    "Expected newline or end of document after a statement":
        "fin de ligne attendue après la valeur (une seule clé = valeur par ligne ; un "
        "commentaire commence par #)",
    "Cannot overwrite a value": "valeur déjà définie plus haut : une clé ne se donne qu'une "
                                "fois",
    "Expected ']' at the end of a table declaration":
        "« ] » attendu à la fin du nom de la table",
    "Expected ']]' at the end of an array declaration":
        "« ]] » attendu à la fin du nom du tableau de tables",
    "Expected '=' after a key in a key/value pair": "« = » attendu après la clé (clé = valeur)",
    "Invalid initial character for a key part":
        "une clé commence par une lettre, un chiffre, « _ », « - » ou un guillemet",
    "Unclosed array": "liste non fermée : « ] » manquant",
    "Unclosed inline table": "table en ligne non fermée : « } » manquant (elle tient sur "
                             "une ligne)",
    "Unescaped '\\' in a string":
        "« \\ » seul dans un texte entre guillemets : écrivez « \\\\ » ou utilisez des "
        "apostrophes",
    "Invalid hex value": "code hexadécimal invalide après \\u ou \\U",
    "Escaped character is not a Unicode scalar value":
        "caractère échappé (\\u ou \\U) hors d'Unicode",
    "Unterminated string": "texte non fermé : guillemet final manquant",
    # a string's end of line (tomllib's « Illegal character » with a newline)
    "Illegal character '\\n'": "texte non fermé : guillemet final manquant en fin de ligne",
    "Invalid date or datetime": "date ou date-heure invalide (AAAA-MM-JJ)",
    "Invalid value": "valeur invalide : un texte entre guillemets, un nombre, true, false, "
                     "une date, une liste [ … ] ou une table { … }",
}

#: tomllib's messages with a part that varies (a key, a character) → French; ``{}`` is
#: that part, in tomllib's own spelling.
_MODELES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(motif), francais) for motif, francais in (
        (r"Expected (.+)", "{} attendu"),
        (r"Found invalid character (.+)", "caractère interdit à cet endroit : {}"),
        (r"Illegal character (.+)", "caractère interdit dans un texte : {}"),
        (r"Cannot declare (.+) twice", "table [{}] déclarée deux fois"),
        (r"Cannot mutate immutable namespace (.+)",
         "{} ne peut plus être complété (table en ligne ou liste déjà fermée)"),
        (r"Cannot redefine namespace (.+)", "table [{}] déjà définie plus haut"),
        (r"Duplicate inline table key (.+)", "clé {} en double dans la table en ligne"),
    ))

#: For a message of a later tomllib.
GENERIQUE = "erreur de syntaxe TOML"

_POSITION = re.compile(r"^(?P<message>.*) \(at (?:line (?P<ligne>\d+), column (?P<colonne>\d+)"
                       r"|end of document)\)$", re.DOTALL)


@dataclass(frozen=True)
class ErreurToml:
    """A syntax error as the secretariat reads it: what, and where (1-based)."""

    message: str
    ligne: int
    colonne: int


def _cle(texte: str) -> str:
    """tomllib's ``('vague', 'numero')`` → ``vague.numero``."""
    try:
        valeur = ast.literal_eval(texte)
    except (ValueError, SyntaxError):
        return texte
    if isinstance(valeur, tuple) and all(isinstance(v, str) for v in valeur):
        return ".".join(valeur)
    return texte


def traduire(message: str) -> str:
    """tomllib's message (without its position) in French; :data:`GENERIQUE` for one the
    catalogue does not know."""
    if message in _FIXES:
        return _FIXES[message]
    for motif, francais in _MODELES:
        trouve = motif.fullmatch(message)
        if trouve:
            return francais.format(_cle(trouve.group(1)))
    return GENERIQUE


def fin_du_texte(texte: str) -> tuple[int, int]:
    """(line, column) just after the text's last character."""
    derniere = texte.rsplit("\n", 1)[-1]
    return texte.count("\n") + 1, len(derniere) + 1


def erreur_toml(erreur: tomllib.TOMLDecodeError, texte: str) -> ErreurToml:
    """``erreur``, raised reading ``texte``, in French with its line and column."""
    trouve = _POSITION.match(str(erreur))
    brut = trouve.group("message") if trouve else str(erreur)
    ligne, colonne = getattr(erreur, "lineno", None), getattr(erreur, "colno", None)  # 3.14
    if (ligne is None or colonne is None) and trouve and trouve.group("ligne"):
        ligne, colonne = int(trouve.group("ligne")), int(trouve.group("colonne"))
    if ligne is None or colonne is None:  # « at end of document »
        ligne, colonne = fin_du_texte(texte)
    return ErreurToml(traduire(getattr(erreur, "msg", None) or brut), ligne, colonne)


def erreur_utf8(erreur: UnicodeDecodeError, brut: bytes) -> ErreurToml:
    """A file that is not UTF-8, at the first byte that is not."""
    avant = brut[:erreur.start]
    ligne = avant.count(b"\n") + 1
    colonne = len(avant.rsplit(b"\n", 1)[-1].decode("utf-8", "replace")) + 1
    return ErreurToml(f"le fichier n'est pas enregistré en UTF-8 (octet "
                      f"0x{brut[erreur.start]:02x} illisible) : enregistrez-le en UTF-8",
                      ligne, colonne)
