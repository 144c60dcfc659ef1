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

    #: The INSEE code; empty for an abbreviation that names several forms (« EPL »).
    code: str
    libelle: str
    decision: Decision
    motif: str
    faq: str
    #: How the form was recognised: « code », « libellé » or « abréviation ».
    source: str


#: Letters written with dots, « S.A.R.L. », « E.P.I.C » — read as one word.
_SIGLE_POINTE = re.compile(r"(?<![a-z0-9])((?:[a-z]\.){2,}[a-z]?)(?![a-z0-9])")


def _mots(texte: str) -> tuple[str, ...]:
    """Lower-case words without accents or punctuation (« Lycée J.-Moulin » → lycee j moulin;
    « S.A.R.L. » → sarl)."""
    decompose = unicodedata.normalize("NFKD", texte)
    sans_accents = "".join(c for c in decompose if not unicodedata.combining(c)).lower()
    sans_points = _SIGLE_POINTE.sub(lambda m: m.group(1).replace(".", ""), sans_accents)
    return tuple(re.findall(r"[a-z0-9]+", sans_points))


@cache
def categories() -> dict[str, str]:
    """The nomenclature: 4-digit code → label (the 1100–1900 codes are the former
    subdivisions of 1000 « Entrepreneur individuel », still found in older files)."""
    with (_DATA / "categories_juridiques.csv").open("r", encoding="utf-8") as fichier:
        return {ligne["code"]: ligne["libelle"] for ligne in csv.DictReader(fichier)}


@dataclass(frozen=True)
class _Table:
    regles: list[tuple[str, Decision, str, str]]
    libelles: dict[tuple[str, ...], str]
    #: Abbreviations that name forms the AMI decides differently: label → why.
    ambigus: dict[tuple[str, ...], tuple[str, str]]


@cache
def _table() -> _Table:
    donnees = tomllib.loads((_DATA / "formes_juridiques.toml").read_text("utf-8"))
    regles = [(prefixe, r["decision"], r["motif"], r["faq"])
              for r in donnees["regle"] for prefixe in r["prefixes"]]
    libelles = {_mots(libelle): code for code, libelle in categories().items()}
    libelles.update({_mots(libelle): code for libelle, code in donnees["libelles"].items()})
    ambigus = {_mots(sigle): (a["sens"], a["faq"]) for sigle, a in donnees["ambigus"].items()}
    return _Table(regles, libelles, ambigus)


def decider_code(code: str, source: str = "code") -> FormeJuridique | None:
    """The decision for a known 4-digit code (the longest matching prefix wins)."""
    libelle = categories().get(code)
    if libelle is None:
        return None
    _, decision, motif, faq = max(
        (r for r in _table().regles if code.startswith(r[0])), key=lambda r: len(r[0]))
    return FormeJuridique(code, libelle, decision, motif, faq, source)


def code_du_libelle(libelle: str) -> str | None:
    """The code a label names: an exact label of the nomenclature or of the usual labels,
    else the longest such label its first words are (« Association loi 1901 déclarée en
    préfecture » → 9220, « Lycée Jean Moulin » → 7331)."""
    libelles = _table().libelles
    mots = _mots(libelle)
    for longueur in range(len(mots), 0, -1):
        if (code := libelles.get(mots[:longueur])) is not None:
            return code
    return None


def reconnaitre(code: str | None, libelle: str | None) -> FormeJuridique | None:
    """The legal form from its code when given and known, else from its label; None when
    neither is recognised."""
    if isinstance(code, str) and code:  # a missing cell may come as NaN from a table
        return decider_code(code)
    if not isinstance(libelle, str) or not libelle:
        return None
    if (ambigu := _table().ambigus.get(_mots(libelle))) is not None:
        sens, faq = ambigu
        return FormeJuridique("", libelle.strip(), "a_verifier", sens, faq, "abréviation")
    if (trouve := code_du_libelle(libelle)) is not None:
        exact = _mots(libelle) == _mots(categories()[trouve])
        return decider_code(trouve, "libellé" if exact else "abréviation")
    return None
