"""Choosing the scoring method on evidence (``--method auto``): k-fold cross-validation over
the jury's notes.

Each method turns the notes it is given into dossier × criterion scores. How well those
scores describe the jury is measured on notes the method did not see: for each fold, the
method scores the other folds' notes, each juror's notes there are regressed on the scores
(a juror may be severe or use a narrow range: ``note ≈ α_j + β_j · score``), and the
held-out notes are predicted by that line. The error is the root mean square of the
prediction errors, over the held-out notes whose dossier and criterion were scored.

The choice is the method of least cross-validated error among the nested models of
:data:`CANDIDATS` (on equal errors, the simpler). Every method's error and its standard error
across folds are reported. The one-standard-error rule (Breiman et al. 1984) was tried
first: it kept ``bias`` where ``calibre`` was better on sparse designs (3 readers per
dossier), and the nesting already keeps ``raw`` on a jury of equals (``python -m
bench.calibration``). On a jury of equals no correction predicts better and ``raw`` stays;
on a mixed jury the model that captures it wins. The folds are
drawn with a fixed seed from the notes in canonical order: the choice never depends on the
order of rows.

The notes are coded once and a fold is a boolean mask over them; the methods are the
functions of :mod:`notation.methodes`, the very ones that score the wave.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lecture.modele import Critere
from notation.calibration import NotesCodees, coder
from notation.methodes import CALCULS, Calcul, echelles

PLIS = 10
GRAINE_PLIS = 20_200_215


@dataclass(frozen=True)
class ChoixMethode:
    """The method ``auto`` chose, and the evidence: each method's cross-validated error
    (root mean square, in points) and its standard error across folds."""

    methode: str
    erreurs: dict[str, float]
    erreurs_types: dict[str, float]
    plis: int


@dataclass(frozen=True)
class Pli:
    """One fold: the training notes and the held-out ones (each note's dossier × criterion
    cell, juror code and note), and the training notes' count and sum per juror, which
    every method shares (a method scores every cell it was given a note of)."""

    cellule: np.ndarray
    jure: np.ndarray
    note: np.ndarray
    cellule_test: np.ndarray
    jure_test: np.ndarray
    note_test: np.ndarray
    nombre: np.ndarray
    somme: np.ndarray

    @classmethod
    def couper(cls, cellule: np.ndarray, jure: np.ndarray, note: np.ndarray,
               apprend: np.ndarray, nombre_jures: int) -> Pli:
        """The fold whose training notes are where ``apprend`` is true."""
        test = ~apprend
        return cls(cellule[apprend], jure[apprend], note[apprend], cellule[test], jure[test],
                   note[test], np.bincount(jure[apprend], minlength=nombre_jures).astype(float),
                   np.bincount(jure[apprend], note[apprend], nombre_jures))

    def erreur(self, valeurs: np.ndarray) -> tuple[float, int]:
        """(sum of squared errors, notes predicted) of the held-out notes by each juror's
        line ``note ≈ α + β · score`` fitted on the training notes, the scores being
        ``valeurs`` (dossier × criterion); a juror needs two training notes for a line."""
        plat = valeurs.ravel()
        x, ja, y, n, sy = plat[self.cellule], self.jure, self.note, self.nombre, self.somme
        nj = len(n)
        connu = ~np.isnan(x)
        if not connu.all():
            x, ja, y = x[connu], ja[connu], y[connu]
            n, sy = np.bincount(ja, minlength=nj).astype(float), np.bincount(ja, y, nj)
        sx, sxx, sxy = np.bincount(ja, x, nj), np.bincount(ja, x * x, nj), np.bincount(
            ja, x * y, nj)
        mx, my = sx / np.maximum(n, 1), sy / np.maximum(n, 1)
        vx = sxx / np.maximum(n, 1) - mx * mx
        beta = np.where(vx > 1e-12, (sxy / np.maximum(n, 1) - mx * my) / np.where(
            vx > 1e-12, vx, 1.0), 1.0)
        alpha = my - beta * mx
        s, jt = plat[self.cellule_test], self.jure_test
        ok = ~np.isnan(s) & (n[jt] >= 2)
        erreurs = self.note_test[ok] - (alpha[jt[ok]] + beta[jt[ok]] * s[ok])
        return float(np.sum(erreurs ** 2)), int(ok.sum())


def canoniques(notes: NotesCodees) -> NotesCodees:
    """The notes sorted by dossier, juror and criterion — by their labels, as
    ``sort_values`` sorts them, not by their codes — whatever the order of the rows."""

    def rang(etiquettes: Sequence[object]) -> np.ndarray:
        ordre = np.argsort(np.asarray(etiquettes, dtype=object), kind="stable")
        rangs = np.empty(len(ordre), dtype=np.int64)
        rangs[ordre] = np.arange(len(ordre))
        return rangs

    nj, nc = len(notes.jures), len(notes.criteres)
    cle = ((rang(list(notes.dossiers))[notes.dossier] * nj + rang(notes.jures)[notes.jure])
           * nc + rang(notes.criteres)[notes.critere])
    return notes.parmi(np.argsort(cle, kind="stable"))


#: The methods ``auto`` chooses among, simplest first: each a special case of the next
#: (raw: no juror effect; bias: an additive one; calibre: bias, scale and noise). The other
#: methods are cross-validated and reported, but not chosen: on the simulation study
#: (``python -m bench.calibration``) they never beat the model that nests them by more than
#: noise, and choosing among them by cross-validation lost dossiers of the true top 30.
CANDIDATS = ("raw", "bias", "calibre")


def choisir_methode(notes: pd.DataFrame, criteres: Mapping[str, Critere], dossiers: pd.Index,
                    jures: list[str], calculs: Mapping[str, Calcul] = CALCULS,
                    plis: int = PLIS, candidats: Sequence[str] = CANDIDATS) -> ChoixMethode:
    """Cross-validate the methods ``calculs`` on ``notes`` and choose the candidate of least
    error. With fewer than two notes per fold there is no evidence to choose on: the
    simplest method is kept."""
    if len(notes) < 2 * plis:
        vide = dict.fromkeys(calculs, float("nan"))
        return ChoixMethode(candidats[0], vide, dict(vide), plis)
    codees = canoniques(coder(notes, dossiers, jures, list(criteres)))
    bas, haut = echelles(criteres)
    cellule = codees.cellule
    rng = np.random.default_rng(GRAINE_PLIS)
    pli = rng.permutation(len(cellule)) % plis
    par_pli: dict[str, list[float]] = {m: [] for m in calculs}
    for k in range(plis):
        apprend = pli != k
        apprentissage = codees.parmi(apprend)
        coupe = Pli.couper(cellule, codees.jure, codees.note, apprend, len(jures))
        for methode, calcul in calculs.items():
            somme, nombre = coupe.erreur(np.clip(calcul(apprentissage, bas, haut), bas, haut))
            par_pli[methode].append(np.sqrt(somme / nombre) if nombre else np.nan)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a method no fold could score
        erreurs = {m: float(np.nanmean(v)) for m, v in par_pli.items()}
        ecarts = {m: float(np.nanstd(v, ddof=1) / np.sqrt(plis)) for m, v in par_pli.items()}
    valables = [m for m in candidats if m in erreurs and np.isfinite(erreurs[m])]
    if not valables:
        return ChoixMethode(candidats[0], erreurs, ecarts, plis)
    choisie = min(valables, key=lambda m: (erreurs[m], valables.index(m)))
    return ChoixMethode(choisie, erreurs, ecarts, plis)
