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
from functools import cache, lru_cache
from importlib.resources import files
from typing import Literal

Decision = Literal["admise", "exclue", "a_verifier"]
_DATA = files("lecture") / "data"


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
#: Words that, after a form excluded by its first word (« Lycée », « École »), say the
#: structure may be another (« École de musique associative », « Lycée privé »).
_AUTRE_STRUCTURE = frozenset({"associatif", "associative", "association", "cooperatif",
                              "cooperative", "prive", "privee"})


@lru_cache(maxsize=4096)  # a wave repeats a few labels hundreds of times
def _mots(texte: str) -> tuple[str, ...]:
    """The words a label is compared by: lower case, without accents or punctuation
    (« Lycée J.-Moulin » → lycee j moulin), letters written with dots or spaces read as one
    word (« S.A.R.L. », « S A S »), plurals as singulars (« Société par actions simplifiées »
    is « Société par action simplifiée »), and « industriel et commercial » as INSEE writes
    it, « industriel ou commercial »."""
    decompose = unicodedata.normalize("NFKD", texte)
    sans_accents = "".join(c for c in decompose if not unicodedata.combining(c)).lower()
    sans_points = _SIGLE_POINTE.sub(lambda m: m.group(1).replace(".", ""), sans_accents)
    mots = re.findall(r"[a-z0-9]+", sans_points)
    if len(mots) > 1 and all(len(m) == 1 for m in mots):  # « S. A. S. », « S A S »
        mots = ["".join(mots)]
    mots = [m[:-1] if len(m) > 3 and m.endswith("s") else m for m in mots]
    for k in range(1, len(mots) - 1):
        if mots[k - 1:k + 2] == ["industriel", "et", "commercial"]:
            mots[k] = "ou"
    return tuple(mots)


def _entre_parentheses(texte: str) -> list[str]:
    return re.findall(r"\(([^()]*)\)", texte)


@cache
def categories() -> dict[str, str]:
    """The nomenclature: 4-digit code → label (the 1100–1900 codes are the former
    subdivisions of 1000 « Entrepreneur individuel », still found in older files)."""
    with (_DATA / "categories_juridiques.csv").open("r", encoding="utf-8") as fichier:
        return {ligne["code"]: ligne["libelle"] for ligne in csv.DictReader(fichier)}


@dataclass(frozen=True)
class _SansCode:
    """A label that names no one INSEE category: an abbreviation of forms the AMI decides
    differently (« EPL »), or a group with no legal personality (« Association de fait »)."""

    decision: Decision
    motif: str
    faq: str


@dataclass(frozen=True)
class _Table:
    regles: list[tuple[str, Decision, str, str]]
    #: Label's words → its INSEE code, or what is decided without one.
    libelles: dict[tuple[str, ...], str | _SansCode]


@cache
def _table() -> _Table:
    donnees = tomllib.loads((_DATA / "formes_juridiques.toml").read_text("utf-8"))
    regles = [(prefixe, r["decision"], r["motif"], r["faq"])
              for r in donnees["regle"] for prefixe in r["prefixes"]]
    libelles: dict[tuple[str, ...], str | _SansCode] = {}
    for code, libelle in categories().items():
        libelles.setdefault(_mots(libelle), code)
        # « Syndicat intercommunal à vocation unique (SIVU) »: also without its
        # parenthesis, and the abbreviation alone
        sans = re.sub(r"\s*\([^()]*\)", "", libelle)
        libelles.setdefault(_mots(sans), code)
        for sigle in _entre_parentheses(libelle):
            if len(_mots(sigle)) == 1:
                libelles.setdefault(_mots(sigle), code)
    libelles.update({_mots(libelle): code for libelle, code in donnees["libelles"].items()})
    libelles.update({_mots(libelle): _SansCode(s.get("decision", "a_verifier"), s["sens"],
                                               s["faq"])
                     for libelle, s in donnees["sans_code"].items()})
    return _Table(regles, libelles)


@lru_cache(maxsize=4096)  # asked for each dossier; the answer is frozen
def decider_code(code: str, source: str = "code") -> FormeJuridique | None:
    """The decision for a known 4-digit code (the longest matching prefix wins)."""
    libelle = categories().get(code)
    if libelle is None:
        return None
    _, decision, motif, faq = max(
        (r for r in _table().regles if code.startswith(r[0])), key=lambda r: len(r[0]))
    return FormeJuridique(code, libelle, decision, motif, faq, source)


def _du_libelle(libelle: str) -> tuple[tuple[str, ...], str | _SansCode] | None:
    """(the known label's words, what it names) for the longest known label the label's
    first words are; else for the words in its parentheses (« Office de tourisme (EPIC) »)."""
    libelles = _table().libelles
    for texte in (libelle, *_entre_parentheses(libelle)):
        mots = _mots(texte)
        for longueur in range(len(mots), 0, -1):
            if (trouve := libelles.get(mots[:longueur])) is not None:
                return mots[:longueur], trouve
    return None


def reconnaitre(code: str | None, libelle: str | None) -> FormeJuridique | None:
    """The legal form from its code when given and known, else from its label; None when
    neither is recognised. A label that begins like an excluded form but says the structure
    may be another (« École de musique associative ») is to be checked, not excluded."""
    if isinstance(code, str) and code:  # a missing cell may come as NaN from a table
        return decider_code(code)
    if not isinstance(libelle, str) or not libelle.strip():
        return None
    trouve = _du_libelle(libelle)
    if trouve is None:
        return None
    cle, nomme = trouve
    if isinstance(nomme, _SansCode):
        return FormeJuridique("", libelle.strip(), nomme.decision, nomme.motif, nomme.faq,
                              "abréviation")
    exact = _mots(libelle) == _mots(categories()[nomme])
    forme = decider_code(nomme, "libellé" if exact else "abréviation")
    reste = set(_mots(libelle)) - set(cle)
    if forme is not None and forme.decision == "exclue" and reste & _AUTRE_STRUCTURE:
        return FormeJuridique(
            forme.code, forme.libelle, "a_verifier",
            f"« {libelle.strip()} » commence comme une forme exclue ({forme.libelle}) mais "
            "dit une autre structure (associative, privée, coopérative) : vérifiez sa "
            "catégorie juridique", forme.faq, "abréviation")
    return forme
