"""The uncertainty of every dossier's score and rank, from the calibration model.

A dossier's criterion score has the standard error the model gives it
(:mod:`notation.calibration`: 1 / √(Σ b_j² / σ_j²) over its readers); its score's follows
from the criterion weights, the criteria being read with independent noise. Scores are
drawn :data:`TIRAGES` times from normals around the method's scores (seeded: the sheet is
reproducible), and each draw is ranked: the 90 % interval of the score and the expected
rank with its 50 % and 90 % intervals come from these draws (rank 1: best).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd

from notation.calibration import ModeleJures

TIRAGES = 200
GRAINE = 20_200_215
Z50, Z90 = 0.6744897501960817, 1.6448536269514722
#: Number formats of sheet ``incertitude`` (score and allocation workbooks alike).
FORMATS_INCERTITUDE = {"score": "0.00", "ecart_type": "0.00", "score_bas_90": "0.00",
                       "score_haut_90": "0.00", "rang_attendu": "0.0",
                       "probabilite_selection": "0%"}


def ecarts_types(modele: ModeleJures, poids: Mapping[str, float], index: pd.Index) -> pd.Series:
    """Each dossier's score standard deviation: √(Σ w_c² se_c²) / Σ w_c over the criteria
    it was scored on (NaN for a dossier with no note)."""
    erreur = modele.erreur_type.reindex(index=index)
    w = pd.Series({c: float(poids.get(c, 0.0)) for c in erreur.columns})
    presents = erreur.notna()
    total = (presents * w).sum(axis=1)
    variance = (erreur.fillna(0.0) ** 2 * w ** 2).sum(axis=1)
    return (np.sqrt(variance) / total.where(total > 0)).rename("ecart_type")


def tirer_scores(scores: pd.Series, ecarts: pd.Series, tirages: int = TIRAGES) -> np.ndarray:
    """``tirages`` × dossiers draws of the scores (NaN stays NaN), seeded."""
    rng = np.random.default_rng(GRAINE)
    bruit = rng.standard_normal((tirages, len(scores)))
    return scores.to_numpy(dtype=float)[None, :] + bruit * ecarts.fillna(0.0).to_numpy()[None, :]


def _quantile(rangs: np.ndarray, q: float) -> np.ndarray:
    """``np.nanquantile(rangs, q, axis=0, method="nearest")``: the columns without NaN (every
    scored dossier's) in one ``np.quantile`` — nanquantile takes the columns one by one, five
    times slower on the hard wave's 200 draws; the others (an unscored dossier's column is
    all NaN) by nanquantile."""
    resultat = np.full(rangs.shape[1], np.nan)
    entieres = ~np.isnan(rangs).any(axis=0)
    if len(rangs):
        resultat[entieres] = np.quantile(rangs[:, entieres], q, axis=0, method="nearest")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-NaN column gives NaN
        resultat[~entieres] = np.nanquantile(rangs[:, ~entieres], q, axis=0, method="nearest")
    return resultat


def table_incertitude(scores: pd.Series, ecarts: pd.Series, tires: np.ndarray) -> pd.DataFrame:
    """One row per dossier: score, its sd and 90 % interval, expected rank and its 50 % and
    90 % intervals over the draws ``tires``."""
    notes = scores.notna().to_numpy()
    valeurs = np.where(notes[None, :], tires, -np.inf)
    rangs = np.argsort(np.argsort(-valeurs, axis=1, kind="stable"), axis=1) + 1.0
    rangs[:, ~notes] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        attendu = np.nanmean(rangs, axis=0)
    s, e = scores.to_numpy(dtype=float), ecarts.to_numpy(dtype=float)
    return pd.DataFrame({
        "dossier": scores.index, "score": s, "ecart_type": e,
        "score_bas_90": s - Z90 * e, "score_haut_90": s + Z90 * e,
        "rang_attendu": attendu,
        "rang_bas_50": _quantile(rangs, 0.25), "rang_haut_50": _quantile(rangs, 0.75),
        "rang_bas_90": _quantile(rangs, 0.05), "rang_haut_90": _quantile(rangs, 0.95),
    })
