"""The wave problem as one HiGHS model built from arrays (the rules of
:mod:`allocation.solveur`, row by row, each tagged with its rule family), solved in two
phases: best total, then the documented tie-break.

:func:`allocation.solveur.resoudre` solves a decision with it (building a PuLP model cost more
than solving it), and the trade-off analyses re-solve it hundreds of times: between solves
only the objective and the bounds change. Infeasible rules are diagnosed on the named PuLP
model instead. Brute force on random waves checks this model's optimum and tie-break; the
elastic PuLP model is checked on the infeasible ones.

Columns are the dossiers that can ever be selected (eligible, not excluded by the jury);
a dossier without a score, or below the quality floor, gets an upper bound of 0 in that solve.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import highspy
import numpy as np

from allocation.probleme import CATEGORIES, Dossier, ProblemeVague
from allocation.solveur import PRECISION, engagement_minimal

INFINI = highspy.kHighsInf

#: Rule families, as in sheet ``prix_des_regles``.
FAMILLES = ("rythme_qpv", "rythme_hors_qpv", "rythme_numeriques", "departement_vague",
            "departement_programme", "enveloppe", "lieux", "note_minimale")


@dataclass(frozen=True)
class Solution:
    """One re-solve: the laureates (ids, sorted) and their total score."""

    optimale: bool
    laureats: tuple[str, ...]
    score_total: float


@dataclass(frozen=True)
class _Ligne:
    famille: str
    indices: tuple[int, ...]
    coefficients: tuple[float, ...]
    bas: float
    haut: float


class MoteurVague:
    """One wave's rules as a HiGHS model, re-solved with other scores, lifted rules or
    ε-constraints."""

    def __init__(self, probleme: ProblemeVague, depart: bool = True):
        self.probleme = probleme
        self.dossiers: list[Dossier] = [
            d for d in probleme.dossiers if d.eligible and d.dossier not in probleme.exclus]
        self.ids = [d.dossier for d in self.dossiers]
        self.position = {i: k for k, i in enumerate(self.ids)}
        self.scores = np.array([d.score for d in self.dossiers], dtype=float)
        par_departement: dict[str, list[int]] = defaultdict(list)
        for k, d in enumerate(self.dossiers):
            par_departement[d.departement].append(k)
        #: department → its columns, in department order.
        self._departements = {dep: tuple(ks) for dep, ks in sorted(par_departement.items())}
        self._lignes = self._regles()
        self._sweep: dict[str, int] = {}
        self._h = self._construire()
        self._depart: highspy.HighsSolution | None = None
        if depart:  # worth it for many solves; a single solve starts from nothing
            self._nouveau_depart()

    def _nouveau_depart(self) -> None:
        """Every solve starts from the base selection: a good incumbent, and the same
        starting point whatever was solved before (results never depend on the order)."""
        self._depart = None
        if self.resoudre().optimale:
            self._depart = self._h.getSolution()

    # ----------------------------------------------------------------- model construction

    def _regles(self) -> list[_Ligne]:
        p, regles = self.probleme, self.probleme.regles
        tous = tuple(range(len(self.dossiers)))
        lignes = [_Ligne("max_laureats", tous, (1.0,) * len(tous), -INFINI,
                         regles.max_laureats)]
        for categorie in CATEGORIES:
            membres = tuple(k for k, d in enumerate(self.dossiers) if categorie in d.categories())
            bornes = p.bornes[categorie]
            lignes.append(_Ligne(f"rythme_{categorie}", membres, (1.0,) * len(membres),
                                 bornes.minimum, bornes.maximum))
        for departement, du_departement in self._departements.items():
            un = (1.0,) * len(du_departement)
            reste = max(0, regles.max_par_departement_programme
                        - p.deja_par_departement.get(departement, 0))
            lignes.append(_Ligne("departement_vague", du_departement, un, -INFINI,
                                 regles.max_par_departement_vague))
            lignes.append(_Ligne("departement_programme", du_departement, un, -INFINI, reste))
        montants = tuple(float(engagement_minimal(p, d)) for d in self.dossiers)
        for borne in (p.enveloppe_vague, p.enveloppe_restante):
            lignes.append(_Ligne("enveloppe", tous, montants, -INFINI, borne))
        for ids in p.lieux_partages.values():
            partage = tuple(self.position[i] for i in ids if i in self.position)
            if len(partage) > 1:
                lignes.append(_Ligne("lieux", partage, (1.0,) * len(partage), -INFINI, 1.0))
        return lignes

    def _construire(self) -> highspy.Highs:
        h = highspy.Highs()
        # Presolve off: on these small models it costs more than it saves (measured: 7 ms
        # per solve instead of 23 ms on vague-06, with a warm start).
        for option, valeur in (("output_flag", False), ("mip_rel_gap", 0.0),
                               ("mip_abs_gap", 1e-9), ("threads", 1), ("random_seed", 0),
                               ("presolve", "off")):
            h.setOptionValue(option, valeur)
        n = len(self.dossiers)
        h.addVars(n, np.zeros(n), np.ones(n))
        if n:
            h.changeColsIntegrality(n, np.arange(n, dtype=np.int32),
                                    np.array([highspy.HighsVarType.kInteger] * n))
        for ligne in self._lignes:
            _ajouter_ligne(h, ligne.indices, ligne.coefficients, ligne.bas, ligne.haut)
        self._objectifs_optionnels(h)
        # Tie-break row: Σ score·x + goals ≥ optimum − margin, bounded only in phase 2.
        self._ligne_optimum = h.getNumRow()
        colonnes = tuple(self._couts_objectifs)
        _ajouter_ligne(h, colonnes, tuple(self._couts_objectifs[c] for c in colonnes),
                       -INFINI, INFINI)
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        return h

    def _objectifs_optionnels(self, h: highspy.Highs) -> None:
        """The optional goals' extra columns and rows: ``couverture`` points for a
        department's first Fabrique of the programme (FAQ 7.1), ``parts_population`` points
        off per laureate beyond the department's population fair share to date."""
        self._couts_objectifs: dict[int, float] = {}
        p = self.probleme
        objectifs = p.regles.objectifs
        for departement, membres in self._departements.items():
            deja = p.deja_par_departement.get(departement, 0)
            if objectifs.couverture and not deja:
                colonne = self._colonne(h, objectifs.couverture, entiere=True)
                # couvert ≤ Σx  ⇔  Σx − couvert ≥ 0
                _ajouter_ligne(h, (*membres, colonne), (1.0,) * len(membres) + (-1.0,), 0.0,
                               INFINI)
            if objectifs.parts_population:
                colonne = self._colonne(h, -objectifs.parts_population, haut=INFINI)
                part = p.parts_equitables.get(departement, 0.0)
                # exces ≥ deja + Σx − part  ⇔  exces − Σx ≥ deja − part
                _ajouter_ligne(h, (colonne, *membres), (1.0,) + (-1.0,) * len(membres),
                               deja - part, INFINI)

    def _colonne(self, h: highspy.Highs, cout: float, entiere: bool = False,
                 haut: float = 1.0) -> int:
        colonne = h.getNumCol()
        h.addVar(0.0, haut)
        h.changeColCost(colonne, cout)
        if entiere:
            h.changeColIntegrality(colonne, highspy.HighsVarType.kInteger)
        if cout:
            self._couts_objectifs[colonne] = cout
        return colonne

    def ajouter_balayage(self, nom: str, coefficients: Sequence[float]) -> None:
        """Add a free row Σ coefficients·x for ε-constraint sweeps; bound it in
        :meth:`resoudre` with ``balayages={nom: (bas, haut)}``."""
        self._sweep[nom] = self._h.getNumRow()
        _ajouter_ligne(self._h, tuple(range(len(self.dossiers))), tuple(coefficients),
                       -INFINI, INFINI)
        self._nouveau_depart()

    def ajouter_couverture(self) -> None:
        """Add the sweep row ``departements``: the number of departments with a laureate
        (one binary per department, at most the sum of its dossiers' selections)."""
        h = self._h
        colonnes = []
        for membres in self._departements.values():
            colonne = self._colonne(h, 0.0, entiere=True)
            _ajouter_ligne(h, (*membres, colonne), (1.0,) * len(membres) + (-1.0,), 0.0,
                           INFINI)
            colonnes.append(colonne)
        self._sweep["departements"] = h.getNumRow()
        _ajouter_ligne(h, tuple(colonnes), (1.0,) * len(colonnes), -INFINI, INFINI)
        self._nouveau_depart()

    # ----------------------------------------------------------------- solving

    def resoudre(
        self,
        scores: np.ndarray | None = None,
        leves: Iterable[str] = (),
        balayages: dict[str, tuple[float, float]] | None = None,
        objectif: np.ndarray | None = None,
        forces: Iterable[str] = (),
        departage: bool = True,
    ) -> Solution:
        """Best selection under ``scores`` (per column, NaN: cannot be selected) with the
        rule families in ``leves`` lifted and the sweep rows bounded by ``balayages``.

        Ties are broken as :func:`allocation.solveur.resoudre` breaks them (a second solve
        keeping the optimum and preferring better-ranked dossiers), so both name the same
        laureates. ``objectif`` replaces the scores as the coefficients to maximise (the
        scores still decide who may be selected; no tie-break); the total reported is
        always the scores'. ``forces`` are selected on top of the jury's own."""
        h = self._h
        leves = frozenset(leves)
        scores = self.scores if scores is None else np.asarray(scores, dtype=float)
        n = len(self.dossiers)
        if n == 0:  # nothing to select: feasible when every rule admits zero laureates
            possible = all(r.famille in leves or r.bas <= 0 <= r.haut for r in self._lignes)
            return Solution(possible, (), 0.0)
        arrondis = np.round(np.nan_to_num(scores, nan=0.0), PRECISION)
        indices = np.arange(n, dtype=np.int32)
        h.changeColsCost(n, indices, arrondis if objectif is None
                         else np.round(np.asarray(objectif, dtype=float), PRECISION))
        plancher = -math.inf if "note_minimale" in leves else self.probleme.regles.note_minimale
        haut = np.where(np.isnan(scores) | (scores < plancher), 0.0, 1.0)
        imposes = set(self.probleme.forces) | set(forces)
        bas = np.array([1.0 if i in imposes else 0.0 for i in self.ids])
        h.changeColsBounds(n, indices, np.minimum(bas, haut), haut)
        lignes = np.arange(len(self._lignes), dtype=np.int32)
        bas_lignes = np.array([-INFINI if r.famille in leves else r.bas for r in self._lignes])
        haut_lignes = np.array([INFINI if r.famille in leves else r.haut for r in self._lignes])
        h.changeRowsBounds(len(lignes), lignes, bas_lignes, haut_lignes)  # type: ignore[attr-defined]
        if any(not r.indices and not b <= 0 <= t  # HiGHS does not judge an empty row
               for r, b, t in zip(self._lignes, bas_lignes, haut_lignes, strict=True)):
            return Solution(False, (), 0.0)
        for nom, ligne in self._sweep.items():
            borne_bas, borne_haut = (balayages or {}).get(nom, (-INFINI, INFINI))
            h.changeRowBounds(ligne, borne_bas, borne_haut)
        if self._depart is not None:
            h.setSolution(self._depart)
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return Solution(False, (), 0.0)
        valeurs = np.asarray(h.getSolution().col_value[:n])
        if objectif is None and departage:
            valeurs = self._departager(arrondis, haut)
        choisis = np.flatnonzero(valeurs > 0.5)
        return Solution(True, tuple(sorted(self.ids[k] for k in choisis)),
                        float(arrondis[choisis].sum()))


    def _departager(self, arrondis: np.ndarray, selectionnables: np.ndarray) -> np.ndarray:
        """Phase 2: keep the optimum, maximise Σ (N − position) over the selected, position
        ordering the selectable dossiers by score (descending) then id."""
        h, n = self._h, len(self.dossiers)
        optimum = h.getInfo().objective_function_value
        premiere = h.getSolution()
        ligne = self._ligne_optimum
        for k in range(n):
            h.changeCoeff(ligne, k, float(arrondis[k]))
        candidats = np.flatnonzero(selectionnables > 0)
        ordre = sorted(candidats, key=lambda k: (-arrondis[k], self.ids[k]))
        rangs = np.zeros(n)
        rangs[ordre] = np.arange(len(ordre), 0, -1)
        marge = 10 ** -(PRECISION + 2) * max(1, len(ordre))
        h.changeRowBounds(ligne, optimum - marge, INFINI)
        h.changeColsCost(n, np.arange(n, dtype=np.int32), rangs)
        for colonne in self._couts_objectifs:
            h.changeColCost(colonne, 0.0)
        h.setSolution(premiere)
        h.run()
        statut = h.getModelStatus()
        valeurs = np.asarray(h.getSolution().col_value[:n])
        h.changeRowBounds(ligne, -INFINI, INFINI)
        for colonne, cout in self._couts_objectifs.items():
            h.changeColCost(colonne, cout)
        if statut != highspy.HighsModelStatus.kOptimal:  # pragma: no cover
            raise RuntimeError("HiGHS n'a pas pu départager une sélection optimale")
        return valeurs


def _ajouter_ligne(h: highspy.Highs, indices: Sequence[int], coefficients: Sequence[float],
                   bas: float, haut: float) -> None:
    h.addRow(bas, haut, len(indices), np.asarray(indices, dtype=np.int32),
             np.asarray(coefficients, dtype=float))
