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
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from scoring.calibration import coder

PLIS = 10
GRAINE_PLIS = 20_200_215

#: ``(notes, methode, criteres, dossiers, jures) → (dossier × criterion scores, …)``.
Calcul = Callable[[pd.DataFrame, str, Mapping[str, Any], pd.Index, list[str]], tuple[Any, ...]]


@dataclass(frozen=True)
class ChoixMethode:
    """The method ``auto`` chose, and the evidence: each method's cross-validated error
    (root mean square, in points) and its standard error across folds."""

    methode: str
    erreurs: dict[str, float]
    erreurs_types: dict[str, float]
    plis: int


def erreur_de_prediction(valeurs: np.ndarray, dossier: np.ndarray, critere: np.ndarray,
                         jure: np.ndarray, note: np.ndarray, apprend: np.ndarray,
                         nombre_jures: int) -> tuple[float, int]:
    """(sum of squared errors, notes predicted) of the held-out notes (``~apprend``) by each
    juror's line ``note ≈ α + β · score`` fitted on the training notes (``apprend``).
    ``valeurs``: dossier × criterion scores; the other arrays are per note (integer codes)."""
    s = valeurs[dossier, critere]
    ok_app = apprend & ~np.isnan(s)
    ja, x, y = jure[ok_app], s[ok_app], note[ok_app]
    n = np.bincount(ja, minlength=nombre_jures).astype(float)
    sx, sy = np.bincount(ja, x, nombre_jures), np.bincount(ja, y, nombre_jures)
    sxx, sxy = np.bincount(ja, x * x, nombre_jures), np.bincount(ja, x * y, nombre_jures)
    mx, my = sx / np.maximum(n, 1), sy / np.maximum(n, 1)
    vx = sxx / np.maximum(n, 1) - mx * mx
    beta = np.where(vx > 1e-12, (sxy / np.maximum(n, 1) - mx * my) / np.where(
        vx > 1e-12, vx, 1.0), 1.0)
    alpha = my - beta * mx
    ok = ~apprend & ~np.isnan(s) & (n[jure] >= 2)
    erreurs = note[ok] - (alpha[jure[ok]] + beta[jure[ok]] * s[ok])
    return float(np.sum(erreurs ** 2)), int(ok.sum())


#: The methods ``auto`` chooses among, simplest first: each a special case of the next
#: (raw: no juror effect; bias: an additive one; calibre: bias, scale and noise). The other
#: methods are cross-validated and reported, but not chosen: on the simulation study
#: (``python -m bench.calibration``) they never beat the model that nests them by more than
#: noise, and choosing among them by cross-validation lost dossiers of the true top 30.
CANDIDATS = ("raw", "bias", "calibre")


def choisir_methode(notes: pd.DataFrame, criteres: Mapping[str, Any], dossiers: pd.Index,
                    jures: list[str], calcul: Calcul, methodes: Sequence[str],
                    plis: int = PLIS, candidats: Sequence[str] = CANDIDATS) -> ChoixMethode:
    """Cross-validate ``methodes`` on ``notes`` and choose the candidate of least error.
    With fewer than two notes per fold there is no evidence to
    choose on: the simplest method is kept."""
    if len(notes) < 2 * plis:
        vide = dict.fromkeys(methodes, float("nan"))
        return ChoixMethode(candidats[0], vide, dict(vide), plis)
    canoniques = notes.sort_values(["dossier", "jure", "critere"], kind="stable")
    canoniques = canoniques.reset_index(drop=True)
    colonnes = list(criteres)
    codes = coder(canoniques, dossiers, jures, colonnes)
    dossier, critere, jure, note = codes.dossier, codes.critere, codes.jure, codes.note
    rng = np.random.default_rng(GRAINE_PLIS)
    pli = rng.permutation(len(canoniques)) % plis
    par_pli: dict[str, list[float]] = {m: [] for m in methodes}
    for k in range(plis):
        apprend = pli != k
        apprentissage = canoniques[apprend]
        for methode in methodes:
            scores = calcul(apprentissage, methode, criteres, dossiers, jures)[0]
            valeurs = scores.reindex(index=dossiers, columns=colonnes).to_numpy(dtype=float)
            somme, nombre = erreur_de_prediction(valeurs, dossier, critere, jure, note,
                                                 apprend, len(jures))
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
