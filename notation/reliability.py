"""Inter-rater agreement: ICC (Shrout & Fleiss), Kendall's W, Krippendorff's alpha.

``ratings`` is always a DataFrame with one row per dossier (the rated object), one column
per juror, and NaN where the juror gave no note. Juries score incomplete designs (each
dossier by a subset of jurors, minus déports), so every statistic says what it does with
missing notes:

- :func:`icc` fits the two-way additive model (dossier + juror) by least squares on every
  note present. The dossier and juror sums of squares are each adjusted for the other factor
  (type II), and ``k`` is the mean number of notes per dossier. On complete data this is
  exactly Shrout & Fleiss (1979). Dossiers with fewer than two notes carry no information on
  agreement and are left out; :func:`icc_details` reports how many.
- :func:`kendall_w` uses Kendall's formula with the tie correction on complete data. With
  missing notes it uses Brueckl's (2011) generalisation, W = (1 + ρ̄ (k − 1)) / k, with ρ̄ the
  mean of the pairwise Spearman correlations (tie-corrected, weighted by the number of
  dossiers each pair shares) and k the mean number of notes per dossier. No dossier is
  dropped: each pair of jurors uses every dossier they both scored.
- :func:`krippendorff_alpha` handles missing values by design: a dossier with one note cannot
  be paired and contributes nothing; all other notes count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from notation.additif import ajuster_additif

Niveau = Literal["nominal", "ordinal", "interval", "ratio"]


def _matrice(ratings: pd.DataFrame) -> np.ndarray:
    if all(pd.api.types.is_numeric_dtype(t) for t in ratings.dtypes):
        return ratings.to_numpy(dtype=float, na_value=np.nan)
    return ratings.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)


def _rangs_moyens(valeurs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Average ranks (1 = smallest; ties share the mean of their ranks) and the size of
    each group of equal values."""
    _, inverse, tailles = np.unique(valeurs, return_inverse=True, return_counts=True)
    fins = np.cumsum(tailles)
    return (fins - (tailles - 1) / 2)[inverse], tailles


# --------------------------------------------------------------------------- ICC


@dataclass(frozen=True)
class DetailsICC:
    """The ANOVA behind :func:`icc`, for display and audit."""

    valeurs: dict[str, float]
    dossiers_utilises: int
    dossiers_ecartes: int
    jures: int
    k_moyen: float
    bms: float  # between dossiers mean square
    wms: float  # within dossiers mean square (one-way)
    jms: float  # between jurors mean square
    ems: float  # residual mean square (two-way)


def _sse_groupes(y: np.ndarray, groupes: np.ndarray) -> float:
    moyennes = np.bincount(groupes, weights=y) / np.bincount(groupes)
    residus = y - moyennes[groupes]
    return float(residus @ residus)


def icc_details(ratings: pd.DataFrame) -> DetailsICC:
    """:func:`icc` with its ANOVA table and the count of dossiers left out."""
    valeurs = _matrice(ratings)
    gardes = np.sum(~np.isnan(valeurs), axis=1) >= 2
    valeurs = valeurs[gardes]
    colonnes_utiles = ~np.all(np.isnan(valeurs), axis=0)
    valeurs = valeurs[:, colonnes_utiles]
    n, k_colonnes = valeurs.shape
    nan = float("nan")
    if n < 2 or k_colonnes < 2:
        vide = dict.fromkeys(("ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"), nan)
        return DetailsICC(vide, n, int((~gardes).sum()), k_colonnes, nan, nan, nan, nan, nan)
    lignes, colonnes = np.nonzero(~np.isnan(valeurs))
    y = valeurs[lignes, colonnes]
    total = len(y)
    k = total / n
    sst = float(((y - y.mean()) ** 2).sum())
    sse_lignes = _sse_groupes(y, lignes)  # dossier means only
    sse_colonnes = _sse_groupes(y, colonnes)  # juror means only
    residus = ajuster_additif(y, lignes, colonnes, n, k_colonnes).residus
    sse = float(residus @ residus)
    ss_lignes = sse_colonnes - sse  # dossiers, adjusted for jurors
    ss_colonnes = sse_lignes - sse  # jurors, adjusted for dossiers
    ddl_erreur = total - n - k_colonnes + 1
    # One-way forms use the plain between-dossier mean square; two-way forms the one
    # adjusted for jurors. On complete data the two are equal.
    bms_un = (sst - sse_lignes) / (n - 1)
    bms = ss_lignes / (n - 1)
    wms = sse_lignes / (total - n)
    jms = ss_colonnes / (k_colonnes - 1)
    ems = sse / ddl_erreur if ddl_erreur > 0 else nan

    def ratio(numerateur: float, denominateur: float) -> float:
        return numerateur / denominateur if denominateur else nan

    valeurs_icc = {
        "ICC1": ratio(bms_un - wms, bms_un + (k - 1) * wms),
        "ICC2": ratio(bms - ems, bms + (k - 1) * ems + k * (jms - ems) / n),
        "ICC3": ratio(bms - ems, bms + (k - 1) * ems),
        "ICC1k": ratio(bms_un - wms, bms_un),
        "ICC2k": ratio(bms - ems, bms + (jms - ems) / n),
        "ICC3k": ratio(bms - ems, bms),
    }
    return DetailsICC(valeurs_icc, n, int((~gardes).sum()), k_colonnes, k, bms, wms, jms, ems)


def icc(ratings: pd.DataFrame) -> dict[str, float]:
    """The six Shrout–Fleiss intraclass correlations, keyed ``ICC1`` … ``ICC3k``.

    ICC1: one-way random; ICC2: two-way random, absolute agreement; ICC3: two-way mixed,
    consistency; the ``k`` forms are the reliability of the mean of k jurors.
    """
    return icc_details(ratings).valeurs


# --------------------------------------------------------------------------- Kendall's W


def _rangs_et_ex_aequo(colonne: np.ndarray) -> tuple[np.ndarray, float]:
    """Average ranks of the values, and the tie term sum(t^3 - t)."""
    rangs, tailles = _rangs_moyens(colonne)
    return rangs, float((tailles**3 - tailles).sum())


def _w_complet(valeurs: np.ndarray) -> float:
    n, m = valeurs.shape
    rangs = np.empty_like(valeurs)
    ex_aequo = 0.0
    for j in range(m):
        rangs[:, j], t = _rangs_et_ex_aequo(valeurs[:, j])
        ex_aequo += t
    sommes = rangs.sum(axis=1)
    s = float(((sommes - sommes.mean()) ** 2).sum())
    denominateur = m**2 * (n**3 - n) - m * ex_aequo
    return 12 * s / denominateur if denominateur > 0 else float("nan")


def _spearman(a: np.ndarray, b: np.ndarray) -> float:
    ra, rb = _rangs_moyens(a)[0], _rangs_moyens(b)[0]
    ra, rb = ra - ra.mean(), rb - rb.mean()
    denominateur = math.sqrt(float((ra @ ra) * (rb @ rb)))
    return float(ra @ rb) / denominateur if denominateur else float("nan")


def kendall_w(ratings: pd.DataFrame) -> float:
    """Kendall's coefficient of concordance W, corrected for ties.

    Complete data: W = 12 S / (m² (n³ − n) − m Σ T), with T = Σ (t³ − t) over each juror's
    groups of tied notes. Incomplete data: Brueckl's generalisation (module docstring).
    Returns NaN when fewer than two dossiers or two jurors can be compared.
    """
    valeurs = _matrice(ratings)
    valeurs = valeurs[np.sum(~np.isnan(valeurs), axis=1) >= 2]
    valeurs = valeurs[:, ~np.all(np.isnan(valeurs), axis=0)] if valeurs.size else valeurs
    if valeurs.shape[0] < 2 or valeurs.shape[1] < 2:
        return float("nan")
    if not np.isnan(valeurs).any():
        return _w_complet(valeurs)
    m = valeurs.shape[1]
    poids, rhos = [], []
    for a in range(m):
        for b in range(a + 1, m):
            communs = ~np.isnan(valeurs[:, a]) & ~np.isnan(valeurs[:, b])
            if communs.sum() >= 3:
                rho = _spearman(valeurs[communs, a], valeurs[communs, b])
                if not math.isnan(rho):
                    rhos.append(rho)
                    poids.append(float(communs.sum()))
    if not rhos:
        return float("nan")
    rho_moyen = float(np.average(rhos, weights=poids))
    k = float(np.sum(~np.isnan(valeurs)) / valeurs.shape[0])
    return (1 + rho_moyen * (k - 1)) / k


# --------------------------------------------------------------------------- Krippendorff


def krippendorff_alpha(ratings: pd.DataFrame, level: Niveau = "interval") -> float:
    """Krippendorff's alpha at the ``nominal``, ``ordinal``, ``interval`` or ``ratio`` level.

    Computed from the coincidence matrix (Krippendorff 2011, "Computing Krippendorff's
    Alpha-Reliability"). Returns NaN when no dossier has two notes or all notes are equal.
    """
    if level not in ("nominal", "ordinal", "interval", "ratio"):
        raise ValueError(f"niveau inconnu : {level}")
    valeurs = _matrice(ratings)
    presentes = ~np.isnan(valeurs)
    valeurs = valeurs[presentes.sum(axis=1) >= 2]
    if valeurs.size == 0:
        return float("nan")
    domaine = np.unique(valeurs[~np.isnan(valeurs)])
    if len(domaine) < 2:
        return float("nan")
    # counts[u, c]: how many jurors gave value c to dossier u
    counts = np.zeros((valeurs.shape[0], len(domaine)))
    u, j = np.nonzero(~np.isnan(valeurs))
    np.add.at(counts, (u, np.searchsorted(domaine, valeurs[u, j])), 1.0)
    m_u = counts.sum(axis=1)
    coincidences = (counts / (m_u - 1)[:, None]).T @ counts
    coincidences -= np.diag((counts / (m_u - 1)[:, None]).sum(axis=0))
    n_c = coincidences.sum(axis=1)
    n = n_c.sum()
    delta2 = _distances(domaine, n_c, level)
    observe = float((coincidences * delta2).sum()) / n
    attendu = float((np.outer(n_c, n_c) * delta2).sum()) / (n * (n - 1))
    return 1.0 - observe / attendu if attendu else float("nan")


def _distances(domaine: np.ndarray, n_c: np.ndarray, level: Niveau) -> np.ndarray:
    c, k = np.meshgrid(domaine, domaine, indexing="ij")
    if level == "nominal":
        return (c != k).astype(float)
    if level == "interval":
        return (c - k) ** 2
    if level == "ratio":
        somme = c + k
        with np.errstate(divide="ignore", invalid="ignore"):
            d = ((c - k) / somme) ** 2
        return np.where(somme == 0, 0.0, d)
    cumul = np.cumsum(n_c)
    i, j = np.meshgrid(np.arange(len(domaine)), np.arange(len(domaine)), indexing="ij")
    bas, haut = np.minimum(i, j), np.maximum(i, j)
    entre = cumul[haut] - np.where(bas > 0, cumul[bas - 1], 0.0)
    return (entre - (n_c[i] + n_c[j]) / 2) ** 2
