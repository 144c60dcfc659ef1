"""The programme's rules (``programme.toml``): every key it may hold, with its default, and
the rules of one wave read from it (SPEC §3, §4).

The file, as the history of laureates (:mod:`lecture.historique`), is found beside the wave
when not given: a file inside a wave folder overrides the one beside it (SPEC §3, and
:func:`trouver_fichier`). Problems are located findings, as for the wave itself.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from commun.constats import Constats
from commun.fichiers import FICHIER_PROGRAMME
from commun.syntaxe_toml import erreur_toml, erreur_utf8
from lecture.conteneurs import lire_texte


@dataclass(frozen=True)
class Objectifs:
    """Optional goals on top of SPEC §4, all off by default (section ``[objectifs]``).

    ``couverture``: score points added for each department that gets its first Fabrique of
    the programme (FAQ 7.1, « couverture territoriale la plus large possible »).
    ``parts_population``: score points taken off for each laureate a department holds beyond
    its population fair share of the laureates expected by the end of this wave.
    ``montants_variables``: a laureate may be granted less than requested, down to
    ``montant_min``, so that more dossiers fit the envelope; the amounts are then cut by one
    common ceiling (see :func:`allocation.resolution.solveur.montants_accordes`).
    """

    couverture: float = 0.0
    parts_population: float = 0.0
    montants_variables: bool = False

    @property
    def actifs(self) -> bool:
        """True when at least one optional goal is on."""
        return bool(self.couverture or self.parts_population or self.montants_variables)


@dataclass(frozen=True)
class Regles:
    """Everything SPEC §4 needs to decide one wave (money in integer euros)."""

    cible_total: int
    cible_qpv: int
    cible_hors_qpv: int
    cible_numeriques: int
    nombre_vagues: int
    enveloppe_totale: int
    montant_min: int
    montant_max: int
    montant_annuel_max: int
    max_par_departement_programme: int
    numero: int
    max_laureats: int
    tolerance_rythme: int
    max_par_departement_vague: int
    enveloppe_vague: int | None  # None: remaining envelope pro rata of remaining places
    note_minimale: float
    objectifs: Objectifs = field(default_factory=Objectifs)
    #: Laureates per calendar year, counting the history (None: no yearly cap).
    max_par_an: int | None = None
    #: The year this wave is decided in; the yearly cap applies only when it is known.
    annee: int | None = None
    #: The partial lottery's seed when it is on (``[tirage] actif = true``), else None.
    graine_tirage: int | None = None
    #: Who the candidates' letters name as their contact (``[lettres] contact``), None for
    #: « le secrétariat du jury »; not a rule: never in sheet ``parametres``.
    contact: str | None = None


@dataclass(frozen=True)
class Parametre:
    """One key of ``programme.toml``: its section, default (None: optional, unset) and kind
    (``entier``: whole number ≥ 0; ``annee``; ``nombre``: number ≥ 0; ``booleen``); its
    label in the secretariat's words, the :class:`Regles` field it sets (``champ``, the key
    by default: sheet ``parametres`` writes it as ``regle <champ>``) and whether it is an
    amount in euros."""

    section: str
    cle: str
    defaut: Any
    nature: str = "entier"
    libelle: str = ""
    champ: str = ""
    euros: bool = False

    @property
    def nom_du_champ(self) -> str:
        """The :class:`Regles` (or :class:`Objectifs`) field this key sets."""
        return self.champ or self.cle


#: Every key ``programme.toml`` may hold (SPEC §3), the one place their defaults live.
PARAMETRES: tuple[Parametre, ...] = (
    Parametre("programme", "cible_total", 300, libelle="lauréats visés sur le programme"),
    Parametre("programme", "cible_qpv", 150, libelle="lauréats visés en QPV"),
    Parametre("programme", "cible_hors_qpv", 150, libelle="lauréats visés hors QPV"),
    Parametre("programme", "cible_numeriques", 30, libelle="Fabriques numériques visées"),
    Parametre("programme", "nombre_vagues", 10, libelle="nombre de vagues du programme"),
    Parametre("programme", "enveloppe_totale", 45_000_000, libelle="enveloppe du programme",
              euros=True),
    Parametre("programme", "montant_min", 75_000, libelle="montant minimal par Fabrique",
              euros=True),
    Parametre("programme", "montant_max", 150_000, libelle="montant maximal par Fabrique",
              euros=True),
    Parametre("programme", "montant_annuel_max", 50_000,
              libelle="montant annuel maximal par Fabrique", euros=True),
    Parametre("programme", "max_par_departement", 8, champ="max_par_departement_programme",
              libelle="lauréats au plus par département sur le programme"),
    # Cahier des charges: « 100 projets maximum seront sélectionnés chaque année ».
    Parametre("programme", "max_par_an", 100, libelle="lauréats au plus par année civile"),
    Parametre("vague", "numero", None, libelle="numéro de la vague"),
    Parametre("vague", "annee", None, "annee", libelle="année de la vague"),
    Parametre("vague", "max_laureats", 30, libelle="lauréats au plus dans la vague"),
    Parametre("vague", "tolerance_rythme", 2,
              libelle="écart permis au rythme des catégories (lauréats)"),
    Parametre("vague", "max_par_departement", 2, champ="max_par_departement_vague",
              libelle="lauréats au plus par département dans la vague"),
    Parametre("vague", "enveloppe", None, champ="enveloppe_vague",
              libelle="enveloppe de la vague", euros=True),
    Parametre("vague", "note_minimale", 0, "nombre", libelle="note minimale d'un lauréat"),
    Parametre("objectifs", "couverture", 0, "nombre",
              libelle="bonus par département couvert pour la première fois (points)"),
    Parametre("objectifs", "parts_population", 0, "nombre",
              libelle="retrait par lauréat au-delà de la part de population (points)"),
    Parametre("objectifs", "montants_variables", False, "booleen",
              libelle="montants accordés ajustables"),
    # The partial lottery in the zone of uncertainty (off by default; issue 14).
    Parametre("tirage", "actif", False, "booleen",
              libelle="tirage au sort partiel dans la zone d'incertitude"),
    Parametre("tirage", "graine", None, champ="graine_tirage",
              libelle="graine du tirage au sort"),
    # The contact line of the candidates' letters (allocate --retours); not a rule.
    Parametre("lettres", "contact", None, "texte",
              libelle="contact donné dans les lettres aux candidats"),
)
#: FAQ 3.1: « 30 lauréats maximum par vague » (the default of ``[vague] max_laureats``).
MAX_LAUREATS_PAR_VAGUE: int = next(p.defaut for p in PARAMETRES if p.cle == "max_laureats")
_NATURES = {"entier": "entier positif attendu", "annee": "année attendue (ex. 2021)",
            "nombre": "nombre positif attendu", "booleen": "true ou false attendu",
            "texte": "texte non vide attendu, entre guillemets"}


def _accepte(nature: str, valeur: Any) -> bool:
    if isinstance(valeur, bool):
        return nature == "booleen"
    if nature == "entier":
        return isinstance(valeur, int) and valeur >= 0
    if nature == "annee":
        return isinstance(valeur, int) and 2000 <= valeur <= 2100
    if nature == "nombre":
        return isinstance(valeur, int | float) and valeur >= 0
    if nature == "texte":
        return isinstance(valeur, str) and bool(valeur.strip())
    return False


def _suggestion(cle: str, connues: list[str]) -> str:
    proches = difflib.get_close_matches(cle, connues, n=1, cutoff=0.6)
    return f" ; vouliez-vous dire {proches[0]} ?" if proches else ""


def _lire_parametres(donnees: dict[str, Any], affichage: str,
                     constats: Constats) -> dict[tuple[str, str], Any]:
    """Every parameter with its default, each given value checked: unknown sections and
    keys (with the nearest known key), wrong types and out-of-range values are located
    errors, never ignored."""
    sections = sorted({p.section for p in PARAMETRES})
    lus = {(p.section, p.cle): p.defaut for p in PARAMETRES}
    for section, table in donnees.items():
        if section not in sections or not isinstance(table, dict):
            constats.signaler("parametre_inconnu", f"[{section}] : section inconnue (connues : "
                              f"{', '.join(sections)}){_suggestion(section, sections)}",
                              fichier=affichage, feuille=f"[{section}]")
            continue
        connues = [p.cle for p in PARAMETRES if p.section == section]
        for cle, valeur in table.items():
            if cle not in connues:
                constats.signaler("parametre_inconnu", f"{cle} : clé inconnue"
                                  f"{_suggestion(cle, connues)}", fichier=affichage,
                                  feuille=f"[{section}]", colonne=cle, valeur=valeur)
                continue
            parametre = next(p for p in PARAMETRES if p.section == section and p.cle == cle)
            if not _accepte(parametre.nature, valeur):
                constats.signaler("parametre_invalide", _NATURES[parametre.nature],
                                  fichier=affichage, feuille=f"[{section}]", colonne=cle,
                                  valeur=valeur)
                continue
            lus[(section, cle)] = valeur
    return lus


def _verifier_coherence(lus: dict[tuple[str, str], Any], affichage: str,
                        constats: Constats) -> None:
    """Values that are each valid but impossible together."""
    def p(cle: str) -> Any:
        return lus[("programme", cle)]

    incoherences = [
        (p("cible_qpv") + p("cible_hors_qpv") != p("cible_total"), "cible_total",
         f"cible_qpv + cible_hors_qpv = {p('cible_qpv') + p('cible_hors_qpv')}, pas "
         f"cible_total = {p('cible_total')}"),
        (p("cible_numeriques") > p("cible_qpv"), "cible_numeriques",
         "les Fabriques numériques sont en QPV : cible_numeriques ≤ cible_qpv"),
        (p("montant_min") > p("montant_max"), "montant_min", "montant_min > montant_max"),
        (p("montant_annuel_max") * 3 < p("montant_min"), "montant_annuel_max",
         "montant_annuel_max × 3 ans < montant_min : aucun montant n'est possible"),
        (p("nombre_vagues") < 1, "nombre_vagues", "au moins une vague"),
    ]
    for incoherent, cle, message in incoherences:
        if incoherent:
            constats.signaler("parametre_invalide", message, fichier=affichage,
                              feuille="[programme]", colonne=cle, valeur=p(cle))


def trouver_fichier(vague: Path, nom: str) -> Path | None:
    """``nom`` inside a wave folder, else beside the wave, else None."""
    candidats = ([vague / nom] if vague.is_dir() else []) + [vague.parent / nom]
    return next((c for c in candidats if c.is_file()), None)


def lire_regles(chemin: Path | None, numero_vague: int | None, constats: Constats) -> Regles | None:
    """Read ``programme.toml`` (defaults of SPEC §3 for what it leaves out)."""
    donnees: dict[str, Any] = {}
    affichage = chemin.name if chemin else FICHIER_PROGRAMME
    if chemin is not None:
        brut = lire_texte(chemin, affichage, constats)
        if brut is None:
            return None
        try:
            texte = brut.decode("utf-8")
            donnees = tomllib.loads(texte)
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as erreur:
            # tomllib says it in English: in French, at its line and column
            lue = (erreur_utf8(erreur, brut) if isinstance(erreur, UnicodeDecodeError)
                   else erreur_toml(erreur, texte))
            constats.signaler("programme_illisible", f"fichier programme illisible, colonne "
                              f"{lue.colonne} : {lue.message}", fichier=affichage,
                              ligne=lue.ligne)
            return None
        except RecursionError:  # thousands of nested brackets: not a programme file
            constats.signaler("programme_illisible", "fichier programme illisible : tables "
                              "ou listes imbriquées sur des milliers de niveaux",
                              fichier=affichage)
            return None
    erreurs_avant = len(constats.erreurs)
    lus = _lire_parametres(donnees, affichage, constats)
    _verifier_coherence(lus, affichage, constats)
    if lus[("tirage", "actif")] and lus[("tirage", "graine")] is None:
        constats.signaler("parametre_invalide", "le tirage au sort partiel demande une graine "
                          "(ex. graine = 2021) : sans elle, il ne pourrait pas être refait",
                          fichier=affichage, feuille="[tirage]", colonne="graine")
    numero = lus[("vague", "numero")] or numero_vague
    if numero is None:
        constats.signaler(
            "numero_vague_manquant",
            "numéro de vague introuvable : nommez la vague vague-NN ou donnez [vague] numero",
            fichier=affichage,
        )
    if len(constats.erreurs) > erreurs_avant or numero is None:
        return None
    if not 1 <= numero <= lus[("programme", "nombre_vagues")]:
        constats.signaler(
            "numero_vague_invalide",
            f"vague {numero} hors du programme (1 à {lus[('programme', 'nombre_vagues')]})",
            fichier=affichage, colonne="numero", valeur=numero,
        )
        return None
    programme = {cle: v for (section, cle), v in lus.items() if section == "programme"}
    vague = {cle: v for (section, cle), v in lus.items() if section == "vague"}
    return Regles(
        cible_total=programme["cible_total"],
        cible_qpv=programme["cible_qpv"],
        cible_hors_qpv=programme["cible_hors_qpv"],
        cible_numeriques=programme["cible_numeriques"],
        nombre_vagues=programme["nombre_vagues"],
        enveloppe_totale=programme["enveloppe_totale"],
        montant_min=programme["montant_min"],
        montant_max=programme["montant_max"],
        montant_annuel_max=programme["montant_annuel_max"],
        max_par_departement_programme=programme["max_par_departement"],
        numero=int(numero),
        max_laureats=vague["max_laureats"],
        tolerance_rythme=vague["tolerance_rythme"],
        max_par_departement_vague=vague["max_par_departement"],
        enveloppe_vague=vague["enveloppe"],
        note_minimale=float(vague["note_minimale"]),
        objectifs=Objectifs(float(lus[("objectifs", "couverture")]),
                            float(lus[("objectifs", "parts_population")]),
                            bool(lus[("objectifs", "montants_variables")])),
        max_par_an=programme["max_par_an"],
        annee=vague["annee"],
        graine_tirage=lus[("tirage", "graine")] if lus[("tirage", "actif")] else None,
        contact=(" ".join(lus[("lettres", "contact")].split())
                 if lus[("lettres", "contact")] is not None else None),
    )
