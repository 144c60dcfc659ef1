"""Trade-offs: what each rule costs, what one objective costs in another (Pareto frontiers),
how robust the selection is to the jury's composition and to the normalisation method, and
how two scenarios differ.

Every analysis solves many variants of one wave with
:class:`~allocation.resolution.moteur.MoteurVague` (one HiGHS model, only bounds and objective
change). Long runs take a ``progression`` callback ``(done, total)``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from allocation.analyses.decision import regles_bloquantes
from allocation.modele.departage import au_micro_point, micro_points
from allocation.modele.probleme import ProblemeVague
from allocation.modele.regles import LIBELLES_REGLES, familles_levables
from allocation.modele.regles_dossier import candidat
from allocation.resolution.moteur import MoteurVague
from allocation.resolution.solveur import Allocation
from commun.francais import decimal
from commun.vocabulaire import METHODES, libelles
from lecture.modele import Vague
from notation.normalisation import METHODES_DE_CALCUL, noter
from notation.reechantillonnage import Reechantillonneur

Progression = Callable[[int, int], None]

#: Below this selection probability, or above 1 − it, a dossier is ``stable``.
SEUIL_STABLE = 0.1
#: Seed of the bootstrap: the same wave gives the same probabilities.
GRAINE = 20200215
#: Solves per progress report (and per task sent to a worker process).
TAILLE_PAQUET = 50
#: Below this many solves a second process costs more than it saves.
SEUIL_PARALLELE = 200


@dataclass(frozen=True)
class PrixRegle:
    """The score gained if one rule family alone were lifted (both its bounds)."""

    regle: str
    gain: float
    entrent: tuple[str, ...]
    sortent: tuple[str, ...]


@dataclass(frozen=True)
class PointPareto:
    """One non-dominated allocation of an ε-constraint sweep."""

    axe: str
    valeur: float  # departments covered, euros used, or QPV share
    score_total: float
    laureats: tuple[str, ...]


@dataclass(frozen=True)
class Robustesse:
    """How a dossier's selection holds when the jury or the method changes."""

    dossier: str
    selectionne: bool
    probabilite: float  # share of bootstrap resamples (jurors drawn with replacement)
    sans_un_jure: float  # share of leave-one-juror-out solves
    jures_decisifs: tuple[str, ...]  # jurors whose absence alone changes its fate
    methodes: tuple[str, ...]  # the normalisation methods under which it is selected
    label: str  # "stable" | "borderline" | "depends_on_method"


def prix_des_regles(probleme: ProblemeVague, moteur: MoteurVague | None = None
                    ) -> list[PrixRegle]:
    """For each rule family, the total score gained if it alone were lifted, and who would
    enter and leave. Lifting only relaxes, so every lifted problem is feasible when the
    wave is."""
    moteur = moteur or MoteurVague(probleme, diagnostic=False)
    base = moteur.resoudre()
    prix = []
    for famille in familles_levables():
        leve = moteur.resoudre(leves=(famille,))
        prix.append(PrixRegle(
            famille, au_micro_point(leve.score_total - base.score_total),
            tuple(sorted(set(leve.laureats) - set(base.laureats))),
            tuple(sorted(set(base.laureats) - set(leve.laureats)))))
    return prix


def _non_domines(points: list[PointPareto], plus_est_mieux: bool) -> list[PointPareto]:
    """The points no other point beats: as good or better on both the axis and the score,
    strictly better on one. Repeated points are kept once."""
    def domine(q: PointPareto, p: PointPareto) -> bool:
        axe = q.valeur >= p.valeur if plus_est_mieux else q.valeur <= p.valeur
        q_score, p_score = micro_points(q.score_total), micro_points(p.score_total)
        strict = q.valeur != p.valeur or q_score > p_score
        return axe and q_score >= p_score and strict

    uniques = list({(p.valeur, micro_points(p.score_total)): p for p in points}.values())
    return sorted((p for p in uniques if not any(domine(q, p) for q in uniques)),
                  key=lambda p: p.valeur)


def pareto_departements(probleme: ProblemeVague) -> list[PointPareto]:
    """Total score against the number of departments with a laureate: for each k, the best
    score with at least k departments covered."""
    moteur = MoteurVague(probleme, diagnostic=False)
    moteur.ajouter_couverture()
    par_id = {d.dossier: d for d in probleme.dossiers}
    points = []
    for k in range(0, probleme.regles.max_laureats + 1):
        solution = moteur.resoudre(balayages={"departements": (k, np.inf)})
        if not solution.optimale:
            break
        couverts = len({par_id[i].departement for i in solution.laureats})
        points.append(PointPareto("departements", couverts, solution.score_total,
                                  solution.laureats))
    return _non_domines(points, plus_est_mieux=True)


def pareto_budget(probleme: ProblemeVague, pas: int = 12) -> list[PointPareto]:
    """Total score against the money granted: the best score within each budget from the
    cheapest feasible selection to the envelope, in ``pas`` steps."""
    moteur = MoteurVague(probleme, diagnostic=False)
    montants = [float(d.montant) for d in moteur.dossiers]
    moteur.ajouter_balayage("budget", montants)
    base = moteur.resoudre()
    if not base.optimale:
        return []
    par_id = {d.dossier: d for d in probleme.dossiers}
    haut = sum(par_id[i].montant for i in base.laureats)
    moins_cher = moteur.resoudre(objectif=-np.array(montants) / 1e6)  # least money
    bas = sum(par_id[i].montant for i in moins_cher.laureats) if moins_cher.optimale else 0
    points = []
    for budget in sorted({round(bas + (haut - bas) * k / pas) for k in range(pas + 1)}):
        solution = moteur.resoudre(balayages={"budget": (-np.inf, budget)})
        if solution.optimale:
            depense = sum(par_id[i].montant for i in solution.laureats)
            points.append(PointPareto("budget", depense, solution.score_total,
                                      solution.laureats))
    return _non_domines(points, plus_est_mieux=False)


def pareto_qpv(probleme: ProblemeVague) -> list[PointPareto]:
    """Total score against the share of QPV laureates: the best score for each feasible
    QPV count within the pace bounds; a higher share counts as better."""
    moteur = MoteurVague(probleme, diagnostic=False)
    moteur.ajouter_balayage("qpv", [1.0 if d.qpv else 0.0 for d in moteur.dossiers])
    bornes = probleme.bornes["qpv"]
    points = []
    for nombre in range(bornes.minimum, bornes.maximum + 1):
        solution = moteur.resoudre(balayages={"qpv": (nombre, nombre)})
        if solution.optimale and solution.laureats:
            points.append(PointPareto("qpv", round(nombre / len(solution.laureats), 4),
                                      solution.score_total, solution.laureats))
    return _non_domines(points, plus_est_mieux=True)


# --------------------------------------------------------------------------- robustness


class _Selectionneur:
    """Solves the wave for juror weightings; one per process."""

    def __init__(self, vague: Vague, probleme: ProblemeVague, methode: str,
                 poids: dict[str, float] | None):
        self.moteur = MoteurVague(probleme, diagnostic=False, tirages=True)
        self.notes = Reechantillonneur(vague, methode, poids)

    def selections(self, tirages: Sequence[np.ndarray]) -> np.ndarray:
        """0/1 matrix (tirage × column of the engine) of the selected dossiers."""
        moteur = self.moteur
        resultat = np.zeros((len(tirages), len(moteur.ids)), dtype=np.int8)
        for ligne, poids_jures in enumerate(tirages):
            scores = self.notes.scores(poids_jures).reindex(moteur.ids).to_numpy()
            for identifiant in moteur.resoudre(scores).laureats:
                resultat[ligne, moteur.position[identifiant]] = 1
        return resultat


_SELECTIONNEUR: _Selectionneur | None = None


def _initialiser(*arguments: Any) -> None:
    global _SELECTIONNEUR
    _SELECTIONNEUR = _Selectionneur(*arguments)


def _travail(tirages: Sequence[np.ndarray]) -> np.ndarray:
    assert _SELECTIONNEUR is not None
    return _SELECTIONNEUR.selections(tirages)


def robustesse(
    vague: Vague,
    probleme: ProblemeVague,
    methode: str = "raw",
    poids: dict[str, float] | None = None,
    tirages: int = 1000,
    graine: int = GRAINE,
    progression: Progression | None = None,
    processus: int | None = None,
) -> list[Robustesse]:
    """Selection probability of each dossier under a bootstrap over jurors (``tirages``
    juries of as many jurors drawn with replacement, seeded by ``graine``), its share of
    leave-one-juror-out selections, and the normalisation methods that select it.

    Labels: ``depends_on_method`` when the methods disagree on it; else ``borderline`` when
    its bootstrap probability lies strictly between 0.1 and 0.9 or one juror's absence
    changes its fate; else ``stable``. The result is the same whatever ``processus``.
    """
    base_moteur = MoteurVague(probleme, diagnostic=False)
    ids = base_moteur.ids
    base = set(base_moteur.resoudre().laureats)
    nombre_jures = len(vague.jury)
    generateur = np.random.default_rng(graine)
    tirages_bootstrap = [generateur.multinomial(nombre_jures, [1 / nombre_jures] * nombre_jures)
                         for _ in range(tirages)]
    sans_un = [np.where(np.arange(nombre_jures) == j, 0, 1) for j in range(nombre_jures)]
    tous = tirages_bootstrap + sans_un
    processus = processus or min(2, os.cpu_count() or 1)
    total = len(tous) + len(METHODES_DE_CALCUL)
    paquets = [tous[i:i + TAILLE_PAQUET] for i in range(0, len(tous), TAILLE_PAQUET)]
    morceaux: list[np.ndarray] = []
    arguments = (vague, probleme, methode, poids)
    if processus > 1 and len(tous) >= SEUIL_PARALLELE:
        with ProcessPoolExecutor(processus, initializer=_initialiser,
                                 initargs=arguments) as executeur:
            for morceau in executeur.map(_travail, paquets):
                morceaux.append(morceau)
                if progression:
                    progression(sum(len(m) for m in morceaux), total)
    else:
        selectionneur = _Selectionneur(*arguments)
        for paquet in paquets:
            morceaux.append(selectionneur.selections(paquet))
            if progression:
                progression(sum(len(m) for m in morceaux), total)
    fait = len(tous)
    selections = np.vstack(morceaux) if morceaux else np.zeros((0, len(ids)))
    probabilites = selections[:tirages].mean(axis=0) if tirages else np.zeros(len(ids))
    loo = selections[tirages:]
    par_methode: dict[str, set[str]] = {}
    for m in METHODES_DE_CALCUL:
        scores = noter(vague, m, poids).score.reindex(ids).to_numpy()
        par_methode[m] = set(base_moteur.resoudre(scores).laureats)
        fait += 1
        if progression:
            progression(fait, len(tous) + len(METHODES_DE_CALCUL))
    resultats = []
    for k, identifiant in enumerate(ids):
        methodes = tuple(m for m in METHODES_DE_CALCUL if identifiant in par_methode[m])
        selectionne = identifiant in base
        p = float(probabilites[k])
        loo_part = float(loo[:, k].mean()) if len(loo) else float(selectionne)
        decisifs = tuple(j.jure for j, ligne in zip(vague.jury, loo, strict=True)
                         if bool(ligne[k]) != selectionne)
        if 0 < len(methodes) < len(METHODES_DE_CALCUL):
            label = "depends_on_method"
        elif (SEUIL_STABLE < p < 1 - SEUIL_STABLE) or loo_part not in (0.0, 1.0):
            label = "borderline"
        else:
            label = "stable"
        resultats.append(Robustesse(identifiant, selectionne, p, loo_part, decisifs, methodes,
                                    label))
    return resultats


# --------------------------------------------------------------------------- scenarios


@dataclass(frozen=True)
class Scenario:
    """One parameter set (method, weights, rules) and the allocation it gives."""

    nom: str
    probleme: ProblemeVague
    allocation: Allocation


def comparer_scenarios(a: Scenario, b: Scenario) -> pd.DataFrame:
    """The laureates that differ between two scenarios, and why: a score that moved (method
    or weights), or a rule of the other scenario that blocks the dossier."""
    par_a = {d.dossier: d for d in a.probleme.dossiers}
    par_b = {d.dossier: d for d in b.probleme.dossiers}
    lignes = []
    for identifiant in sorted(set(a.allocation.laureats) ^ set(b.allocation.laureats)):
        dans_a = identifiant in a.allocation.laureats
        ecarte = b if dans_a else a
        par_ecarte = par_b if dans_a else par_a
        raisons = []
        score_a, score_b = par_a[identifiant].score, par_b[identifiant].score
        if abs(score_a - score_b) > 1e-9:
            raisons.append(f"note {decimal(score_a)} ({a.nom}) contre {decimal(score_b)} "
                           f"({b.nom})")
        dossier = par_ecarte[identifiant]
        plus_bas = min((par_ecarte[i].score for i in ecarte.allocation.laureats),
                       default=np.inf)
        if not candidat(ecarte.probleme, dossier):
            raisons.append(f"ne peut pas être retenu dans « {ecarte.nom} » "
                           f"({'; '.join(dossier.motifs) or 'note minimale ou décision du jury'})")
        elif dossier.score > plus_bas:
            regles, _ = regles_bloquantes(ecarte.probleme, ecarte.allocation.laureats,
                                           dossier, par_ecarte)
            raisons.append(f"écarté dans « {ecarte.nom} » par : "
                           + ", ".join(LIBELLES_REGLES.get(r, r) for r in regles))
        else:
            raisons.append(f"sous le dernier lauréat de « {ecarte.nom} »")
        lignes.append({"dossier": identifiant, "nom": dossier.nom,
                       f"laureat_{a.nom}": dans_a, f"laureat_{b.nom}": not dans_a,
                       f"score_{a.nom}": score_a, f"score_{b.nom}": score_b,
                       "raison": " ; ".join(raisons)})
    colonnes = ["dossier", "nom", f"laureat_{a.nom}", f"laureat_{b.nom}", f"score_{a.nom}",
                f"score_{b.nom}", "raison"]
    return pd.DataFrame(lignes, columns=colonnes)


# --------------------------------------------------------------------------- tables


def table_prix(prix: list[PrixRegle]) -> pd.DataFrame:
    """Sheet ``prix_des_regles``: each rule by its label in the catalogue."""
    return pd.DataFrame(
        [{"regle": LIBELLES_REGLES.get(p.regle, p.regle), "gain": p.gain,
          "entrent": ", ".join(p.entrent), "sortent": ", ".join(p.sortent)} for p in prix],
        columns=["regle", "gain", "entrent", "sortent"])


def table_pareto(points: list[PointPareto]) -> pd.DataFrame:
    """Sheet ``pareto_<axe>``: one row per non-dominated allocation, with its laureates."""
    return pd.DataFrame(
        [{"point": k, p.axe: p.valeur, "score_total": p.score_total,
          "laureats": ", ".join(p.laureats)} for k, p in enumerate(points, start=1)],
        columns=["point", points[0].axe if points else "valeur", "score_total", "laureats"])


def table_robustesse(resultats: list[Robustesse], probleme: ProblemeVague) -> pd.DataFrame:
    """Sheet ``robustesse``: the dossiers that need the jury's time first."""
    par_id = {d.dossier: d for d in probleme.dossiers}
    ordre = {"depends_on_method": 0, "borderline": 1, "stable": 2}
    lignes = sorted(resultats, key=lambda r: (ordre[r.label], -r.probabilite, r.dossier))
    return pd.DataFrame(
        [{"dossier": r.dossier, "nom": par_id[r.dossier].nom, "score": par_id[r.dossier].score,
          "selectionne": r.selectionne, "probabilite": r.probabilite, "label": r.label,
          "sans_un_jure": r.sans_un_jure, "jures_decisifs": ", ".join(r.jures_decisifs),
          "methodes": libelles(METHODES, r.methodes)} for r in lignes],
        columns=["dossier", "probabilite", "label", "nom", "score", "selectionne",
                 "sans_un_jure", "jures_decisifs", "methodes"])
