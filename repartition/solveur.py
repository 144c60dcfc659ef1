"""The assignment: one integer program (PuLP + HiGHS) for the rules, every constraint named,
then a seeded swap search for the evenness of the design.

Hard rules (a solution never breaks them):

- ``lecteurs_<dossier>``: exactly the readers wanted for every dossier;
- no déported or conflicted pair (those variables do not exist);
- ``colleges_<dossier>``: at least two colleges among a dossier's readers;
- ``charge_min_<juré>`` / ``charge_max_<juré>``: loads within the narrowest band the déports
  allow — within one dossier when they allow it (:func:`ecart_de_charges_minimal` finds it
  first, and the result says when it is wider).

The program's objective spreads each juror's reading over the wave's strata (department,
Fabrique numérique, QPV) in proportion (``strate_haut_…`` / ``strate_bas_…``), then follows a
seeded preference of the pairs' ids (never the order of rows). The swap search
(:mod:`.recherche_locale`) then raises the smallest number of dossiers any two jurors share,
keeping every hard rule. No design can beat the counting bound
``⌊Σ_d C(lecteurs_d, 2) / C(J, 2)⌋`` (:func:`borne_recouvrement`), reported beside it.

Each rule links a dossier only to its own readers once loads may widen, so infeasibility is
decided dossier by dossier before solving (:func:`relaxations_necessaires`) and answered with
the rule to relax and by how much.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np
import pandas as pd
import pulp

from commun.highs import HiGHSMuet, Relaxation, nom_sur, version_solveur
from repartition.probleme import ProblemeRepartition
from repartition.recherche_locale import ameliorer_recouvrements

#: HiGHS runs on one thread, as the allocation engine does: its thread scheduler is global
#: to the process, and a solve asking for another count than the first one fails (the app
#: assigns and decides in one process).
FILS = 1
#: Seconds HiGHS may spend on the evenness of the design; the hard rules are met long before.
LIMITE_TEMPS = 20.0


class StatutRepartition(StrEnum):
    """How the assignment ended."""

    TROUVEE = "trouvée"
    LIMITE = "trouvée ; limite de temps du solveur atteinte pour l'équilibre des strates"
    IMPOSSIBLE = "impossible"


@dataclass(frozen=True)
class Repartition:
    """The assignment: (juror, dossier) pairs, or why there is none."""

    statut: StatutRepartition
    probleme: ProblemeRepartition
    paires: tuple[tuple[str, str], ...] = ()
    relaxations: tuple[Relaxation, ...] = ()
    #: Smallest number of dossiers two jurors share, and the counting bound on it.
    recouvrement_min: int = 0
    borne_recouvrement: int = 0
    #: Largest minus smallest load, and the smallest the déports allow.
    ecart_charges: int = 0
    #: Readings outside each juror's fair band of each stratum, summed.
    ecarts_strates: int = 0
    avis: tuple[str, ...] = ()
    duree: float = 0.0
    solveur: str = field(default_factory=version_solveur)

    @property
    def trouvee(self) -> bool:
        """True when every hard rule holds."""
        return self.statut is not StatutRepartition.IMPOSSIBLE

    def nouvelles(self) -> tuple[tuple[str, str], ...]:
        """The pairs this run adds (all of them in a first phase)."""
        return tuple(p for p in self.paires if p not in self.probleme.deja)

    def charges(self, nouvelles_seulement: bool = False) -> dict[str, int]:
        """Dossiers per juror."""
        paires = self.nouvelles() if nouvelles_seulement else self.paires
        charges = dict.fromkeys(self.probleme.jures, 0)
        for jure, _ in paires:
            charges[jure] += 1
        return charges

    def recouvrements(self) -> pd.DataFrame:
        """Juror × juror: how many dossiers both read (the diagonal: the juror's load)."""
        return recouvrements(self.probleme.jures, self.paires)

    def lecteurs(self) -> dict[str, tuple[str, ...]]:
        """Dossier → its readers, sorted."""
        par_dossier: dict[str, list[str]] = {d: [] for d in self.probleme.dossiers}
        for jure, dossier in self.paires:
            par_dossier[dossier].append(jure)
        return {d: tuple(sorted(j)) for d, j in par_dossier.items()}


def recouvrements(jures: Iterable[str], paires: Iterable[tuple[str, str]]) -> pd.DataFrame:
    """Juror × juror shared dossiers of an assignment."""
    ids = list(jures)
    position = {j: i for i, j in enumerate(ids)}
    par_dossier: dict[str, list[int]] = {}
    for jure, dossier in paires:
        par_dossier.setdefault(dossier, []).append(position[jure])
    matrice = np.zeros((len(ids), len(ids)), dtype=int)
    for lecteurs in par_dossier.values():
        matrice[np.ix_(lecteurs, lecteurs)] += 1
    return pd.DataFrame(matrice, index=pd.Index(ids, name="jure"), columns=ids)


def borne_recouvrement(probleme: ProblemeRepartition) -> int:
    """No design can make every pair of jurors share more than this many dossiers: the pairs
    of readers of all dossiers, spread over all pairs of jurors."""
    paires_jures = math.comb(len(probleme.jures), 2)
    total = sum(math.comb(k, 2) for k in probleme.lecteurs.values())
    return total // paires_jures if paires_jures else 0


def relaxations_necessaires(probleme: ProblemeRepartition) -> tuple[Relaxation, ...]:
    """Every rule no assignment can meet, with the smallest change that makes it possible:
    per dossier, too few jurors free of déports, or all of them from one college."""
    relaxations = []
    if probleme.colleges_par_dossier > 1 and any(
            k < probleme.colleges_par_dossier for k in probleme.lecteurs.values()):
        relaxations.append(Relaxation(
            "colleges", 0, f"avec moins de {probleme.colleges_par_dossier} lecteurs par dossier, "
            f"un dossier ne peut être lu par {probleme.colleges_par_dossier} collèges : "
            f"demandez au moins {probleme.colleges_par_dossier} lecteurs"))
    for dossier in probleme.dossiers:
        voulus = probleme.lecteurs[dossier]
        libres = probleme.autorises(dossier)
        if len(libres) < voulus:
            relaxations.append(Relaxation(
                "lecteurs", voulus - len(libres),
                f"{probleme.libelle(dossier)} : {len(libres)} juré(s) seulement ne sont pas "
                f"déportés ; il en faut {voulus}. Lever {voulus - len(libres)} déport(s) ou "
                f"faire lire ce dossier par {len(libres)} juré(s)"))
            continue
        colleges = {probleme.colleges.get(j) for j in libres}
        if len(colleges) < min(probleme.colleges_par_dossier, voulus):
            relaxations.append(Relaxation(
                "colleges", 1,
                f"{probleme.libelle(dossier)} : tous les jurés non déportés sont du collège "
                f"« {next(iter(colleges))} » ; lever un déport d'un autre collège ou accepter "
                "un seul collège pour ce dossier"))
    return tuple(relaxations)


def _preference(graine: int, jure: str, dossier: str) -> float:
    """A seeded number in [0, 1) of the pair's ids: the last tie-break, independent of any
    order of rows."""
    empreinte = hashlib.sha256(f"{graine}\x1f{jure}\x1f{dossier}".encode()).digest()
    return int.from_bytes(empreinte[:8], "big") / 2 ** 64


def ecart_de_charges_minimal(probleme: ProblemeRepartition) -> tuple[int, int]:
    """The narrowest load band ``(bas, haut)`` the déports allow for the readings this run
    assigns: ``⌊T/J⌋ … ⌈T/J⌉`` when possible (an integer program with the hard rules and
    without the evenness terms, solved first)."""
    total = sum(probleme.lecteurs.values()) - len(probleme.deja)
    n = len(probleme.jures)
    bas, haut = total // n, -(-total // n)
    modele = pulp.LpProblem("charges", pulp.LpMinimize)
    x = _variables(modele, probleme)
    cmin = modele.add_variable("charge_la_plus_basse", lowBound=0, cat=pulp.LpInteger)
    cmax = modele.add_variable("charge_la_plus_haute", lowBound=0, cat=pulp.LpInteger)
    modele += cmax - cmin
    _regles_dures(modele, probleme, x)
    _charges(modele, probleme, x, cmin, cmax)
    modele += cmin <= bas, "plancher_le_plus_haut"
    modele += cmax >= haut, "plafond_le_plus_bas"
    modele.solve(HiGHSMuet(timeLimit=LIMITE_TEMPS, threads=FILS))
    if pulp.LpStatus[modele.status] != "Optimal":
        return bas, haut
    return round(cmin.value()), round(cmax.value())


def _variables(modele: pulp.LpProblem, probleme: ProblemeRepartition
               ) -> dict[tuple[str, str], Any]:
    x = {}
    for dossier in probleme.dossiers:
        for jure in probleme.autorises(dossier):
            deja = (jure, dossier) in probleme.deja
            x[jure, dossier] = modele.add_variable(
                f"x_{nom_sur(jure)}_{nom_sur(dossier)}", lowBound=1 if deja else 0, upBound=1,
                cat=pulp.LpInteger)
    return x


def _regles_dures(modele: pulp.LpProblem, probleme: ProblemeRepartition,
                  x: dict[tuple[str, str], Any]) -> None:
    """Readers per dossier and colleges per dossier."""
    for dossier in probleme.dossiers:
        lecteurs = [(j, x[j, dossier]) for j in probleme.autorises(dossier)]
        nom = nom_sur(dossier)
        modele += (pulp.lpSum(v for _, v in lecteurs) == probleme.lecteurs[dossier],
                   f"lecteurs_{nom}")
        colleges = sorted({probleme.colleges[j] for j, _ in lecteurs})
        requis = min(probleme.colleges_par_dossier, probleme.lecteurs[dossier])
        if requis < 2:
            continue
        presents = []
        for college in colleges:
            y = modele.add_variable(f"college_{nom}_{nom_sur(college)}", lowBound=0,
                                    upBound=1)
            modele += (y <= pulp.lpSum(v for j, v in lecteurs if probleme.colleges[j] == college),
                       f"college_{nom}_{nom_sur(college)}")
            presents.append(y)
        modele += pulp.lpSum(presents) >= requis, f"colleges_{nom}"


def _charges(modele: pulp.LpProblem, probleme: ProblemeRepartition,
             x: dict[tuple[str, str], Any], bas: Any, haut: Any) -> None:
    """Each juror's new readings between ``bas`` and ``haut`` (numbers or variables)."""
    for jure in probleme.jures:
        charge = pulp.lpSum(v for (j, d), v in x.items() if j == jure
                            and (j, d) not in probleme.deja)
        modele += charge <= haut, f"charge_max_{nom_sur(jure)}"
        modele += charge >= bas, f"charge_min_{nom_sur(jure)}"


def repartir(probleme: ProblemeRepartition, limite_temps: float = LIMITE_TEMPS) -> Repartition:
    """The assignment of ``probleme``: the one entry point, never a silent failure."""
    debut = time.perf_counter()
    relaxations = relaxations_necessaires(probleme)
    if relaxations:
        return Repartition(StatutRepartition.IMPOSSIBLE, probleme, relaxations=relaxations,
                           duree=time.perf_counter() - debut)
    bas, haut = ecart_de_charges_minimal(probleme)
    modele = pulp.LpProblem("repartition", pulp.LpMaximize)
    x = _variables(modele, probleme)
    _regles_dures(modele, probleme, x)
    _charges(modele, probleme, x, bas, haut)

    # Each juror's reading of each stratum within its fair band (soft).
    ecarts = []
    for (strate, jure), bande in probleme.bandes_des_strates().items():
        lus = pulp.lpSum(x[jure, d] for d in bande.dossiers)
        nom = f"{nom_sur(strate)}_{nom_sur(jure)}"
        e = modele.add_variable(f"ecart_{nom}", lowBound=0)
        modele += e >= lus - bande.haut, f"strate_haut_{nom}"
        modele += e >= bande.bas - lus, f"strate_bas_{nom}"
        ecarts.append(e)

    libres = [v for p, v in x.items() if p not in probleme.deja]
    preferences = pulp.lpSum(_preference(probleme.graine, j, d) / (len(libres) + 1) * v
                             for (j, d), v in sorted(x.items()) if (j, d) not in probleme.deja)
    modele += preferences - pulp.lpSum(ecarts)
    solveur = HiGHSMuet(timeLimit=limite_temps, threads=FILS)
    modele.solve(solveur)
    optimal = _optimal(modele)
    paires = tuple(sorted(p for p, v in x.items() if (v.value() or 0) > 0.5))
    if not _complete(probleme, paires):
        return Repartition(StatutRepartition.IMPOSSIBLE, probleme, relaxations=(Relaxation(
            "temps", limite_temps, f"aucune répartition trouvée en {limite_temps:g} s"),),
            duree=time.perf_counter() - debut)
    paires = ameliorer_recouvrements(probleme, paires, (bas, haut),
                                     borne_recouvrement(probleme))
    statut = StatutRepartition.TROUVEE if optimal else StatutRepartition.LIMITE
    return _resultat(probleme, paires, statut, (bas, haut), time.perf_counter() - debut)


def _optimal(modele: pulp.LpProblem) -> bool:
    """HiGHS's own status: PuLP reports a time-limited incumbent as « Optimal »."""
    highs = getattr(modele, "solverModel", None)
    if highs is None:
        return pulp.LpStatus[modele.status] == "Optimal"
    return str(highs.getModelStatus()).endswith("kOptimal")


def _complete(probleme: ProblemeRepartition, paires: tuple[tuple[str, str], ...]) -> bool:
    """True when every dossier has its readers (the solver found an assignment)."""
    compte = dict.fromkeys(probleme.dossiers, 0)
    for _, dossier in paires:
        compte[dossier] += 1
    return all(compte[d] == probleme.lecteurs[d] for d in probleme.dossiers)


def _resultat(probleme: ProblemeRepartition, paires: tuple[tuple[str, str], ...],
              statut: StatutRepartition, bande: tuple[int, int], duree: float) -> Repartition:
    """The solution with its measures, recomputed from the pairs (not from the solver's
    variables), and what the secretariat should know about it."""
    matrice = recouvrements(probleme.jures, paires).to_numpy()
    hors_diagonale = matrice[np.triu_indices(len(matrice), 1)]
    recouvrement = int(hors_diagonale.min()) if hors_diagonale.size else 0
    nouvelles = [p for p in paires if p not in probleme.deja]
    charges = dict.fromkeys(probleme.jures, 0)
    for jure, _ in nouvelles:
        charges[jure] += 1
    ecart = max(charges.values(), default=0) - min(charges.values(), default=0)
    avis = []
    if bande[1] - bande[0] > 1:
        avis.append(f"charges équilibrées à {bande[1] - bande[0]} dossiers près seulement : "
                    "les déports ne permettent pas mieux (à un dossier près sinon)")
    if recouvrement == 0 and len(probleme.jures) > 1:
        avis.append("deux jurés au moins n'ont aucun dossier en commun : leurs sévérités ne "
                    "pourront être comparées que par d'autres jurés")
    return Repartition(statut, probleme, paires, (), recouvrement,
                       borne_recouvrement(probleme), ecart, ecarts_de_strates(probleme, paires),
                       tuple(avis), duree)


def ecarts_de_strates(probleme: ProblemeRepartition,
                      paires: Iterable[tuple[str, str]]) -> int:
    """Readings outside each juror's fair band of each stratum, summed (0: every juror reads
    every stratum in proportion, within one dossier)."""
    lus = set(paires)
    return sum(bande.ecart(sum((jure, d) in lus for d in bande.dossiers))
               for (_, jure), bande in probleme.bandes_des_strates().items())
