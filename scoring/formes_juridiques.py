"""Legal forms: the INSEE catégories juridiques (niveau III) and the AMI's decision on each.

Two data files, each written once (``data/PROVENANCE.md``):

- ``categories_juridiques.csv``: the nomenclature, 4-digit code → label;
- ``formes_juridiques.toml``: the decision table — code prefix → admitted / excluded / to
  check, each with the FAQ line it rests on — and the usual labels and abbreviations.

A form is decided from the code when one is given (``categorie_juridique``, or « Entreprise
forme juridique code » of a démarches-simplifiées export), else from the label. A blank or
unrecognised form has no decision: the caller reports it, it is never eligible in silence.
"""

from __future__ import annotations

import csv
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Literal

Decision = Literal["admise", "exclue", "a_verifier"]
_DATA = files("scoring") / "data"


@dataclass(frozen=True)
class FormeJuridique:
    """A recognised legal form and what the AMI decides for it."""

    code: str
    libelle: str
    decision: Decision
    motif: str
    faq: str
    #: How the form was recognised: « code », « libellé » or « abréviation ».
    source: str


def _mots(texte: str) -> tuple[str, ...]:
    """Lower-case words without accents or punctuation (« Lycée J.-Moulin » → lycee j moulin)."""
    decompose = unicodedata.normalize("NFKD", texte)
    sans_accents = "".join(c for c in decompose if not unicodedata.combining(c)).lower()
    return tuple(re.findall(r"[a-z0-9]+", sans_accents))


@cache
def categories() -> dict[str, str]:
    """The nomenclature: 4-digit code → label (the 1100–1900 codes are the former
    subdivisions of 1000 « Entrepreneur individuel », still found in older files)."""
    with (_DATA / "categories_juridiques.csv").open("r", encoding="utf-8") as fichier:
        return {ligne["code"]: ligne["libelle"] for ligne in csv.DictReader(fichier)}


@cache
def _table() -> tuple[list[tuple[str, Decision, str, str]], dict[tuple[str, ...], str]]:
    donnees = tomllib.loads((_DATA / "formes_juridiques.toml").read_text("utf-8"))
    regles = [(prefixe, r["decision"], r["motif"], r["faq"])
              for r in donnees["regle"] for prefixe in r["prefixes"]]
    libelles = {_mots(libelle): code for code, libelle in categories().items()}
    libelles.update({_mots(libelle): code for libelle, code in donnees["libelles"].items()})
    return regles, libelles


def decider_code(code: str, source: str = "code") -> FormeJuridique | None:
    """The decision for a known 4-digit code (the longest matching prefix wins)."""
    libelle = categories().get(code)
    if libelle is None:
        return None
    regles, _ = _table()
    _, decision, motif, faq = max(
        (r for r in regles if code.startswith(r[0])), key=lambda r: len(r[0]))
    return FormeJuridique(code, libelle, decision, motif, faq, source)


def code_du_libelle(libelle: str) -> str | None:
    """The code a label names: an exact label of the nomenclature or of the usual labels,
    else the longest such label its first words are (« Association loi 1901 déclarée en
    préfecture » → 9220, « Lycée Jean Moulin » → 7331)."""
    _, libelles = _table()
    mots = _mots(libelle)
    for longueur in range(len(mots), 0, -1):
        if (code := libelles.get(mots[:longueur])) is not None:
            return code
    return None


def reconnaitre(code: str | None, libelle: str | None) -> FormeJuridique | None:
    """The legal form from its code when given and known, else from its label; None when
    neither is recognised."""
    if code:
        return decider_code(code)
    if libelle and (trouve := code_du_libelle(libelle)) is not None:
        exact = _mots(libelle) == _mots(categories()[trouve])
        return decider_code(trouve, "libellé" if exact else "abréviation")
    return None
