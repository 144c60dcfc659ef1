"""Identifiers that become file names (a juror's grid, a wave's journal folder), checked
by :func:`probleme_de_nom` when they are read: a closed set of characters, no separator,
no ``..``, no device name. A name joined to a folder is resolved and must stay in that folder
(:func:`sous`)."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from commun.erreurs import ErreurEcriture

#: Longest identifier used as a file name.
LONGUEUR_MAX_NOM = 100
#: Besides letters and digits, the only characters a file name built from an identifier
#: may hold.
PONCTUATION_PERMISE = " -_.'()"
#: Names Windows gives to devices, with or without an extension (``NUL.xlsx`` too).
NOMS_RESERVES = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{p}{c}" for p in ("COM", "LPT") for c in "0123456789¹²³"})


def probleme_de_nom(nom: str) -> str | None:
    """Why ``nom`` cannot be the name of a file inside a folder, in French; None when it can.

    Allowed: letters (accents included), digits and `` -_.'()``; not starting or ending
    with a space or a dot, no ``..``, not a device name, at most :data:`LONGUEUR_MAX_NOM`
    characters. So no separator (``/``, ``\\``), nothing absolute (``C:``), nothing
    hidden."""
    if not nom:
        return "identifiant vide"
    if len(nom) > LONGUEUR_MAX_NOM:
        return f"identifiant de plus de {LONGUEUR_MAX_NOM} caractères"
    for position, caractere in enumerate(nom):
        categorie = unicodedata.category(caractere)
        if not (caractere in PONCTUATION_PERMISE or categorie[0] == "L" or categorie == "Nd"
                or (categorie[0] == "M" and position > 0)):
            visible = caractere if caractere.isprintable() else f"U+{ord(caractere):04X}"
            return (f"caractère « {visible} » interdit dans un identifiant qui sert de nom de "
                    "fichier (lettres, chiffres, espace et - _ . ' ( ) seulement)")
    if ".." in nom:
        return "« .. » interdit dans un identifiant qui sert de nom de fichier"
    if nom[0] in " ." or nom[-1] in " .":
        return "un identifiant qui sert de nom de fichier ne commence ni ne finit par un point " \
               "ou une espace"
    if nom.split(".")[0].rstrip().upper() in NOMS_RESERVES:
        return f"« {nom} » est un nom réservé par Windows (CON, NUL, COM1…)"
    return None


def sous(dossier: Path, nom: str) -> Path:
    """``dossier / nom``, refused (:class:`ErreurEcriture`) unless ``nom`` is a plain file
    name and the path, resolved (symbolic links followed), stays inside ``dossier``."""
    probleme = probleme_de_nom(nom.removesuffix(".xlsx"))
    chemin = Path(dossier) / nom
    if probleme is None and not chemin.resolve().is_relative_to(Path(dossier).resolve()):
        probleme = "le chemin sort du dossier (lien symbolique)"
    if probleme is not None:
        raise ErreurEcriture(f"Refus d'écrire « {nom} » dans {dossier} : {probleme}. Rien n'a "
                             "été écrit.")
    return chemin
