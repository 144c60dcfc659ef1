"""The integer program of SPEC §4: the solver entry point :func:`resoudre`, the invariant
checker :func:`violations`, and the named PuLP model — one function per rule, every
constraint named after the rule it enforces — whose elastic version diagnoses impossible
rules. The optimum itself is found on the same rules built as arrays
(:mod:`allocation.moteur`), checked against brute force and the invariant checker.

Objective: maximise the sum of the selected dossiers' scores, rounded to 1e-6 so that
floating noise cannot decide. Ties are broken deterministically by a second solve that keeps
the optimal total and maximises the sum of (N − position) over the selected dossiers, where
position orders all dossiers by score (descending) then id (ascending): among optimal
allocations, the one holding the individually better-ranked dossiers wins.

Optional goals (:class:`~allocation.programme.Objectifs`, off by default) add terms to the
first objective (:meth:`allocation.moteur.MoteurVague._objectifs_optionnels`); they never
change a default run.

When no allocation satisfies the rules, :func:`resoudre` solves the elastic version (each
relaxable rule gets a non-negative slack, weighted) and returns the smallest relaxation, in
the secretariat's words.
"""

from __future__ import annotations

import bisect
import math
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

import pulp

from allocation.probleme import CATEGORIES, LIBELLES_CATEGORIES, Dossier, ProblemeVague
from scoring.francais import euros

PRECISION = 6
#: Price of relaxing each rule by one unit, in the elastic model. The 30-per-wave cap is the
#: FAQ's own rule (3.1), so it costs twice a pace, which is the programme's internal
#: schedule; euros count per 75 000 € (one minimum grant costs as much as one laureate).
POIDS_RELAXATION = {"max_laureats": 2.0, "rythme": 1.0, "departement": 1.0,
                    "enveloppe": 1.0 / 75_000}


@dataclass(frozen=True)
class Relaxation:
    """One rule to relax by ``ecart`` for an allocation to exist."""

    regle: str
    ecart: float
    message: str


@dataclass(frozen=True)
class Allocation:
    """The solver's answer: a status, and the laureates when the status is ``optimal``."""

    statut: str  # "optimal" | "infaisable" | "erreur"
    laureats: tuple[str, ...]
    score_total: float
    relaxations: tuple[Relaxation, ...] = ()
    duree: float = 0.0
    solveur: str = ""
    #: laureate → granted amount in euros (the requested amount unless the optional goal
    #: ``montants_variables`` is on).
    montants: dict[str, int] = field(default_factory=dict)

    @property
    def optimale(self) -> bool:
        """True when a best allocation was found."""
        return self.statut == "optimal"


def candidats_utiles(probleme: ProblemeVague) -> list[Dossier]:
    """The candidates that can be in the chosen allocation: the others are dominated.

    A candidate d is dominated when, in its department and with its categories, at least K
    better-ranked candidates (score, then id) cost no more, hold places no other dossier
    shares, and are not forced — K being the most d's department can take with d
    (``max_laureats``, the wave's department cap, what the programme cap leaves). In any
    allocation holding d, one of them is free: exchanging it for d keeps every rule and
    never lowers the total, and the tie-break prefers it. So d is never chosen, and leaving
    it out of the model changes nothing but the size (100,000 dossiers → a few hundred).
    """
    regles = probleme.regles
    partages = set(probleme.lieux_partages)
    groupes: dict[tuple[str, tuple[str, ...]], list[Dossier]] = defaultdict(list)
    for dossier in probleme.dossiers:
        if probleme.candidat(dossier):
            groupes[(dossier.departement, dossier.categories())].append(dossier)
    utiles = []
    for (departement, _), membres in groupes.items():
        k = min(regles.max_laureats, regles.max_par_departement_vague,
                max(0, regles.max_par_departement_programme
                    - probleme.deja_par_departement.get(departement, 0)))
        dominants: list[int] = []  # sorted costs of the better-ranked "free" candidates
        for dossier in sorted(membres, key=lambda d: (-round(d.score, PRECISION), d.dossier)):
            cout = engagement_minimal(probleme, dossier)
            forcee = dossier.dossier in probleme.forces
            if forcee or bisect.bisect_right(dominants, cout) < max(k, 1):
                utiles.append(dossier)
            if not forcee and not any(lieu in partages for lieu in dossier.lieux):
                bisect.insort(dominants, cout)
    ordre = {d.dossier: i for i, d in enumerate(probleme.dossiers)}
    return sorted(utiles, key=lambda d: ordre[d.dossier])


class _Modele:
    """A PuLP model of one wave, with optional slacks on the relaxable rules."""

    def __init__(self, probleme: ProblemeVague, elastique: bool = False):
        self.probleme = probleme
        self.elastique = elastique
        self.pb = pulp.LpProblem("vague", pulp.LpMaximize if not elastique else pulp.LpMinimize)
        self.candidats = candidats_utiles(probleme)
        ids = [d.dossier for d in self.candidats]
        self.x: dict[str, Any] = self.pb.add_variable_dicts("x", ids, cat=pulp.LpBinary)
        self.ecarts: dict[str, tuple[Any, str, float]] = {}
        for identifiant in probleme.forces:
            if identifiant in self.x:
                self.x[identifiant].lowBound = 1

    def ecart(self, nom: str, famille: str, borne: float) -> Any:
        """A slack for a named constraint in the elastic model, else 0."""
        if not self.elastique:
            return 0
        variable = self.pb.add_variable(f"ecart_{nom}", lowBound=0)
        self.ecarts[nom] = (variable, famille, borne)
        return variable

    def somme(self, dossiers: list[Dossier]) -> Any:
        return pulp.lpSum(self.x[d.dossier] for d in dossiers if d.dossier in self.x)

    def engagement(self, dossier: Dossier) -> int:
        """What selecting ``dossier`` commits of the envelope: its request, or the minimum
        grant when amounts are variable (the envelope is then shared by a common ceiling)."""
        return engagement_minimal(self.probleme, dossier)


def engagement_minimal(probleme: ProblemeVague, dossier: Dossier) -> int:
    """The least amount ``dossier`` can be granted under the active goals."""
    if probleme.regles.objectifs.montants_variables:
        return min(dossier.montant, probleme.regles.montant_min)
    return dossier.montant


def regle_max_laureats(m: _Modele) -> None:
    """At most ``max_laureats`` laureates in the wave (FAQ 3.1)."""
    borne = m.probleme.regles.max_laureats
    m.pb += m.somme(m.candidats) - m.ecart("max_laureats", "max_laureats", borne) <= borne, (
        "max_laureats")


def regle_rythme(m: _Modele, categorie: str) -> None:
    """This wave's count of ``categorie`` within its pace bounds (SPEC §4)."""
    bornes = m.probleme.bornes[categorie]
    membres = [d for d in m.candidats if categorie in d.categories()]
    nom_min, nom_max = f"rythme_{categorie}_min", f"rythme_{categorie}_max"
    m.pb += m.somme(membres) + m.ecart(nom_min, "rythme", bornes.minimum) >= bornes.minimum, (
        nom_min)
    m.pb += m.somme(membres) - m.ecart(nom_max, "rythme", bornes.maximum) <= bornes.maximum, (
        nom_max)


def regle_departements(m: _Modele) -> None:
    """Per department: at most the wave cap, and the programme cap counting the history."""
    regles = m.probleme.regles
    par_departement: dict[str, list[Dossier]] = defaultdict(list)
    for dossier in m.candidats:
        par_departement[dossier.departement].append(dossier)
    for departement, membres in sorted(par_departement.items()):
        vague = regles.max_par_departement_vague
        nom = f"departement_vague_{departement}"
        m.pb += m.somme(membres) - m.ecart(nom, "departement", vague) <= vague, nom
        reste = max(0, regles.max_par_departement_programme
                    - m.probleme.deja_par_departement.get(departement, 0))
        nom = f"departement_programme_{departement}"
        m.pb += m.somme(membres) - m.ecart(nom, "departement", reste) <= reste, nom


def regle_enveloppes(m: _Modele) -> None:
    """Sum of the amounts within the wave envelope and the remaining programme envelope."""
    depense = pulp.lpSum(m.engagement(d) * m.x[d.dossier] for d in m.candidats)
    for nom, borne in (("enveloppe_vague", m.probleme.enveloppe_vague),
                       ("enveloppe_programme", m.probleme.enveloppe_restante)):
        m.pb += depense - m.ecart(nom, "enveloppe", borne) <= borne, nom


def regle_lieux(m: _Modele) -> None:
    """At most one selected dossier per place (a place shared by two dossiers)."""
    for index, (lieu, ids) in enumerate(m.probleme.lieux_partages.items()):
        membres = [d for d in m.candidats if d.dossier in ids]
        if len(membres) > 1:
            m.pb += m.somme(membres) <= 1, f"lieu_{index:04d}_{_nom_sur(lieu)}"


def _nom_sur(texte: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in texte)[:40]


def _ajouter_regles(m: _Modele) -> None:
    regle_max_laureats(m)
    for categorie in CATEGORIES:
        regle_rythme(m, categorie)
    regle_departements(m)
    regle_enveloppes(m)
    regle_lieux(m)


def _solveur() -> Any:
    return pulp.HiGHS(msg=False, gapRel=0.0, gapAbs=1e-9, threads=1)


def _statut(pb: Any, retour: Any) -> str:
    """'Optimal', 'Infeasible'… across PuLP 3 (int status) and PuLP 4 (LpSolveStats)."""
    statut = getattr(retour, "status", retour)
    nom = getattr(statut, "name", None)
    return str(nom) if nom is not None else str(pulp.LpStatus.get(pb.status, pb.status))


def resoudre(probleme: ProblemeVague, departage: bool = True) -> Allocation:
    """Solve the wave problem; the one solver entry point.

    The dominated dossiers are left out (:func:`candidats_utiles`), the rest is solved by
    HiGHS through the re-solve engine (:class:`~allocation.moteur.MoteurVague`, the same
    rules as the named PuLP model below, built directly as arrays: building the PuLP model
    cost more than solving it). When no allocation exists, the named elastic PuLP model
    (:func:`diagnostiquer`) finds the smallest relaxation.

    ``departage=False`` skips the tie-breaking solve: the total is the same, only the choice
    among equally good allocations may differ (used when only the total matters).
    """
    from allocation.moteur import MoteurVague  # it builds on this module's rules

    debut = time.perf_counter()
    reduit = replace(probleme, dossiers=tuple(candidats_utiles(probleme)))
    solution = MoteurVague(reduit, depart=False).resoudre(departage=departage)
    if not solution.optimale:
        return Allocation("infaisable", (), 0.0, diagnostiquer(probleme),
                          time.perf_counter() - debut, _version_solveur())
    return Allocation("optimal", solution.laureats, solution.score_total, (),
                      time.perf_counter() - debut, _version_solveur(),
                      montants_accordes(probleme, solution.laureats))


def montants_accordes(probleme: ProblemeVague, laureats: tuple[str, ...]) -> dict[str, int]:
    """The amount granted to each laureate, in whole euros.

    By default, the amount requested. With the optional goal ``montants_variables``, when
    the requests exceed the envelope (the smaller of the wave's and the programme's
    remaining), every grant is cut to one common ceiling — the highest whole-euro ceiling
    that fits — and never below ``montant_min``: those who asked least keep their request.
    """
    par_id = {d.dossier: d for d in probleme.dossiers}
    demandes = {i: par_id[i].montant for i in laureats}
    budget = min(probleme.enveloppe_vague, probleme.enveloppe_restante)
    if not probleme.regles.objectifs.montants_variables or sum(demandes.values()) <= budget:
        return demandes
    plancher = probleme.regles.montant_min

    def accordes(plafond: int) -> dict[str, int]:
        return {i: min(d, max(plafond, min(d, plancher))) for i, d in demandes.items()}

    bas, haut = plancher, max(demandes.values())  # accordes(bas) fits: the model ensured it
    while bas < haut:
        milieu = (bas + haut + 1) // 2
        if sum(accordes(milieu).values()) <= budget:
            bas = milieu
        else:
            haut = milieu - 1
    return accordes(bas)


def diagnostiquer(probleme: ProblemeVague) -> tuple[Relaxation, ...]:
    """The smallest weighted relaxation of the rules that makes an allocation exist."""
    m = _Modele(probleme, elastique=True)
    _ajouter_regles(m)
    m.pb.setObjective(pulp.lpSum(POIDS_RELAXATION[famille] * variable
                                 for variable, famille, _ in m.ecarts.values()))
    if _statut(m.pb, m.pb.solve(_solveur())) != "Optimal":
        return (Relaxation("forcages", 0, "les dossiers imposés par le jury sont incompatibles "
                                          "entre eux (même lieu) : revoyez les forçages"),)
    relaxations = []
    for nom, (variable, _, borne) in sorted(m.ecarts.items()):
        ecart = variable.value() or 0.0
        if ecart > 1e-6:
            relaxations.append(Relaxation(nom, ecart, _message(nom, ecart, borne)))
    return tuple(relaxations)


def _message(nom: str, ecart: float, borne: float) -> str:
    entier = round(ecart)
    if nom == "max_laureats":
        return f"porter le nombre maximum de lauréats de {borne:g} à {borne + entier:g}"
    if nom.startswith("rythme_"):
        categorie = nom.removeprefix("rythme_").rsplit("_", 1)[0]
        libelle = LIBELLES_CATEGORIES[categorie]
        if nom.endswith("_min"):
            return (f"abaisser le rythme minimum de {libelle} de {borne:g} "
                    f"à {max(0, borne - entier):g}")
        return f"relever le rythme maximum de {libelle} de {borne:g} à {borne + entier:g}"
    if nom.startswith("departement_vague_"):
        departement = nom.removeprefix("departement_vague_")
        return (f"autoriser {borne + entier:g} lauréats dans le département {departement} "
                f"pour cette vague au lieu de {borne:g}")
    if nom.startswith("departement_programme_"):
        departement = nom.removeprefix("departement_programme_")
        return (f"autoriser {entier:g} lauréat(s) de plus dans le département {departement} "
                "au-delà du plafond du programme")
    libelle = "de la vague" if nom == "enveloppe_vague" else "restante du programme"
    return f"augmenter l'enveloppe {libelle} de {euros(ecart)}"


def _version_solveur() -> str:
    from importlib.metadata import version

    return (f"HiGHS (highspy {version('highspy')}) ; diagnostic des règles impossibles : "
            f"PuLP {pulp.__version__}")


@dataclass(frozen=True)
class Violation:
    """One rule of SPEC §4 that a selection breaks; ``regle`` is the rule family."""

    regle: str
    message: str


#: The rule families, as the price-of-rules table and the explanations name them.
LIBELLES_REGLES = {
    "max_laureats": "nombre maximum de lauréats par vague",
    "rythme_qpv": "rythme des Fabriques en QPV",
    "rythme_hors_qpv": "rythme des Fabriques hors QPV",
    "rythme_numeriques": "rythme des Fabriques numériques",
    "departement_vague": "plafond par département dans la vague",
    "departement_programme": "plafond par département sur le programme",
    "enveloppe": "enveloppe budgétaire",
    "lieux": "un lieu dans un seul dossier retenu",
    "note_minimale": "note minimale",
    "eligibilite": "éligibilité",
    "decision_du_jury": "décision du jury",
    "montant": "montant accordé",
}


def violations(
    probleme: ProblemeVague,
    laureats: tuple[str, ...] | list[str],
    montants: dict[str, int] | None = None,
) -> list[Violation]:
    """Every rule of SPEC §4 that ``laureats`` breaks (empty: all rules hold).

    Independent of the solver: tests run it on every allocation the suite produces.
    ``montants`` are the granted amounts; without them each laureate commits its request
    (or the minimum grant when amounts are variable).
    """
    par_id = {d.dossier: d for d in probleme.dossiers}
    choisis = [par_id[i] for i in laureats]
    regles = probleme.regles
    trouvees = []
    if len(choisis) > regles.max_laureats:
        trouvees.append(Violation("max_laureats", f"{len(choisis)} lauréats pour un maximum de "
                                                  f"{regles.max_laureats} par vague"))
    for dossier in choisis:
        if dossier.dossier in probleme.exclus:
            trouvees.append(Violation("decision_du_jury", f"{dossier.dossier} écarté par le jury"))
        elif not dossier.eligible or math.isnan(dossier.score):
            trouvees.append(Violation("eligibilite", f"{dossier.dossier} n'est pas éligible"))
        elif dossier.score < regles.note_minimale:
            trouvees.append(Violation("note_minimale", f"{dossier.dossier} sous la note minimale"))
    for categorie in CATEGORIES:
        nombre = sum(categorie in d.categories() for d in choisis)
        bornes = probleme.bornes[categorie]
        libelle = LIBELLES_CATEGORIES[categorie]
        if nombre < bornes.minimum:
            trouvees.append(Violation(f"rythme_{categorie}", f"{libelle} : {nombre}, sous "
                                      f"le minimum du rythme ({bornes.minimum})"))
        elif nombre > bornes.maximum:
            trouvees.append(Violation(f"rythme_{categorie}", f"{libelle} : {nombre}, au-dessus "
                                      f"du maximum du rythme ({bornes.maximum})"))
    for departement, nombre in sorted(Counter(d.departement for d in choisis).items()):
        if nombre > regles.max_par_departement_vague:
            trouvees.append(Violation(
                "departement_vague", f"département {departement} : {nombre} lauréats dans la "
                f"vague pour un plafond de {regles.max_par_departement_vague}"))
        cumul = nombre + probleme.deja_par_departement.get(departement, 0)
        if cumul > regles.max_par_departement_programme:
            trouvees.append(Violation(
                "departement_programme", f"département {departement} : {cumul} lauréats sur le "
                f"programme pour un plafond de {regles.max_par_departement_programme}"))
    if montants is None:
        depense = sum(engagement_minimal(probleme, d) for d in choisis)
    else:
        depense = sum(montants[d.dossier] for d in choisis)
        for d in choisis:
            if not min(d.montant, regles.montant_min) <= montants[d.dossier] <= d.montant:
                trouvees.append(Violation("montant", f"{d.dossier} : montant accordé "
                                                     f"{euros(montants[d.dossier])} hors bornes"))
    for libelle, enveloppe in (("de la vague", probleme.enveloppe_vague),
                               ("restante du programme", probleme.enveloppe_restante)):
        if depense > enveloppe:
            trouvees.append(Violation("enveloppe", f"dépense de {euros(depense)} au-delà de "
                                                   f"l'enveloppe {libelle} ({euros(enveloppe)})"))
    for lieu, nombre in sorted(Counter(lieu for d in choisis for lieu in d.lieux).items()):
        if nombre > 1:
            trouvees.append(Violation("lieux", f"lieu {lieu} présent dans {nombre} dossiers "
                                               "retenus"))
    for identifiant in probleme.forces:
        if identifiant not in laureats:
            trouvees.append(Violation("decision_du_jury",
                                      f"{identifiant} imposé par le jury mais absent"))
    return trouvees


def verifier(
    probleme: ProblemeVague,
    laureats: tuple[str, ...] | list[str],
    montants: dict[str, int] | None = None,
) -> list[str]:
    """The messages of :func:`violations` (empty: every rule of SPEC §4 holds)."""
    return [v.message for v in violations(probleme, laureats, montants)]
