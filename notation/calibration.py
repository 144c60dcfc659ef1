"""The juror calibration model (method ``calibre``): each juror has a bias, a scale and a
noise of their own, shared by every criterion; each dossier has a quality per criterion.

    note(d, j, c) − m = a_j + b_j · (q(d, c) − m) + ε,    ε ~ N(0, σ_j²)

where m is the mean of all notes. ``a_j`` is the juror's severity (negative) or leniency,
``b_j`` how much of the quality differences the juror expresses (below 1: a narrow range),
``σ_j`` how erratic the juror is. The dossier's criterion score is q(d, c): the note an
average juror (a = 0, b = 1, the panel's means) would give.

Estimator: alternating weighted least squares, as in the calibration of conference reviews
(Ge, Welling & Ghahramani 2013, « A Bayesian model for calibrating conference review
scores »; Wang & Shah 2019 on miscalibration), with weakly informative priors that make it
an empirical-Bayes fit:

- a_j ~ N(0, (½ sd of the notes)²) and b_j ~ N(1, ½²): a juror who scored few dossiers is
  shrunk toward the panel, so small waves stay sensible;
- σ_j² is shrunk toward the pooled residual variance by :data:`PSEUDO_NOTES` pseudo-notes,
  each residual corrected for its note's leverage on its own cell (as an unbiased variance
  estimate is), so that no juror's noise collapses;
- juror parameters are shared across criteria (a severe juror tends to be severe on every
  criterion: six times the data per juror).

Each step lowers the penalised weighted squared error, so the fit converges; it stops when
no parameter moves by more than 1e-7 or after :data:`ITERATIONS_MAX` rounds. The jurors'
means are held at a = 0 and b = 1 (the model is otherwise unidentified). The standard error
of q(d, c) given the jurors' parameters is 1 / √(Σ_j b_j² / σ_j²) over the jurors who read
it: the posterior under a flat prior, used for the uncertainty of scores and ranks.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

#: Pseudo-notes pulling each juror's noise variance toward the pooled one.
PSEUDO_NOTES = 5.0
#: Prior standard deviation of a juror's scale around 1.
ECART_ECHELLE = 0.5
#: Prior standard deviation of a juror's bias, in standard deviations of the notes.
ECART_BIAIS = 0.5
ECHELLE_MIN = 0.05
ITERATIONS_MAX = 200


@dataclass(frozen=True)
class ModeleJures:
    """A fitted calibration model.

    ``jures``: juror → (bias ``biais``, scale ``echelle``, noise sd ``bruit``, ``notes``
    used); ``qualite`` and ``erreur_type``: dossier × criterion (NaN without a note).
    """

    jures: pd.DataFrame
    qualite: pd.DataFrame
    erreur_type: pd.DataFrame
    iterations: int


@dataclass(frozen=True)
class NotesCodees:
    """Notes as integer codes (dossier, juror, criterion) and values: coded once, fitted
    as often as a resampling needs."""

    note: np.ndarray
    dossier: np.ndarray
    jure: np.ndarray
    critere: np.ndarray
    dossiers: pd.Index
    jures: list[str]
    criteres: list[str]

    @property
    def cellule(self) -> np.ndarray:
        """Each note's dossier × criterion cell, as an index into the flattened
        dossier × criterion array."""
        return self.dossier * len(self.criteres) + self.critere

    def parmi(self, garde: np.ndarray) -> NotesCodees:
        """The notes ``garde`` selects: a boolean mask (a fold) or positions (an order)."""
        return replace(self, note=self.note[garde], dossier=self.dossier[garde],
                       jure=self.jure[garde], critere=self.critere[garde])


def coder(notes: pd.DataFrame, dossiers: pd.Index, jures: list[str],
          criteres: list[str]) -> NotesCodees:
    """The notes' codes for :func:`ajuster_codees` (-1 for a label not in the lists)."""
    return NotesCodees(
        notes["note"].to_numpy(dtype=float),
        _positions(notes["dossier"], dossiers),
        _positions(notes["jure"], pd.Index(jures)),
        _positions(notes["critere"], pd.Index(criteres)),
        dossiers, list(jures), list(criteres))


def _positions(etiquettes: pd.Series, connues: pd.Index) -> np.ndarray:
    """Each label's position in ``connues`` (-1 when absent), each distinct label looked up
    once: four times faster than looking up every row's."""
    codes, distinctes = pd.factorize(etiquettes)
    return np.append(connues.get_indexer(distinctes), -1)[codes]  # code -1: a missing label


def ajuster_calibre(notes: pd.DataFrame, dossiers: pd.Index, jures: list[str],
                    criteres: list[str], poids_jures: np.ndarray | None = None,
                    depart: ModeleJures | None = None, tolerance: float = 1e-7) -> ModeleJures:
    """Fit the model on long-form ``notes`` (``dossier``, ``jure``, ``critere``, ``note``).

    ``poids_jures``: how many times each juror counts (a resampled jury: 0 leaves the juror
    out, 2 counts their notes twice), without copying any note. ``depart``: a fit of the
    same jurors to start from (a resample converges in a few rounds from the full fit);
    ``tolerance``: the largest parameter change at which the fit stops."""
    return ajuster_codees(coder(notes, dossiers, jures, criteres), poids_jures, depart,
                          tolerance)


def ajuster_codees(codees: NotesCodees, poids_jures: np.ndarray | None = None,
                   depart: ModeleJures | None = None, tolerance: float = 1e-7) -> ModeleJures:
    """:func:`ajuster_calibre` on notes already coded."""
    fit = calibrer(codees, poids_jures, depart, tolerance)
    lue = fit.precision > 0
    erreur = np.where(lue, 1.0 / np.sqrt(np.where(lue, fit.precision, 1.0)), np.nan)
    return ModeleJures(
        jures=pd.DataFrame({"biais": fit.biais, "echelle": fit.echelle,
                            "bruit": np.sqrt(fit.variance), "notes": fit.notes.astype(int)},
                           index=pd.Index(codees.jures, name="jure")),
        qualite=pd.DataFrame(fit.qualite, index=codees.dossiers, columns=codees.criteres),
        erreur_type=pd.DataFrame(erreur, index=codees.dossiers, columns=codees.criteres),
        iterations=fit.iterations,
    )


@dataclass(frozen=True)
class Calibrage:
    """A fit's arrays: per juror ``biais``, ``echelle``, noise ``variance`` and ``notes``
    counted; per dossier × criterion ``qualite`` (NaN without a note) and ``precision`` of
    the quality (0 without a note); how many rounds it took."""

    biais: np.ndarray
    echelle: np.ndarray
    variance: np.ndarray
    notes: np.ndarray
    qualite: np.ndarray
    precision: np.ndarray
    iterations: int


def calibrer(codees: NotesCodees, poids_jures: np.ndarray | None = None,
             depart: ModeleJures | None = None, tolerance: float = 1e-7) -> Calibrage:
    """The fit of :func:`ajuster_codees` as arrays (what cross-validation needs)."""
    x, d, j, c = codees.note, codees.dossier, codees.jure, codees.critere
    dossiers, jures, criteres = codees.dossiers, codees.jures, codees.criteres
    nd, nj, nc = len(dossiers), len(jures), len(criteres)
    if poids_jures is not None:
        garde = np.asarray(poids_jures, dtype=float)[j] > 0
        x, d, j, c = x[garde], d[garde], j[garde], c[garde]
    fois = np.ones(nj) if poids_jures is None else np.asarray(poids_jures, dtype=float)
    cellule = d * nc + c
    centre = float(np.average(x, weights=fois[j])) if len(x) else 0.0
    y = x - centre
    ecart_notes = float(y.std()) if len(y) > 1 and y.std() > 0 else 1.0
    prior_a = 1.0 / (ECART_BIAIS * ecart_notes) ** 2
    prior_b = 1.0 / ECART_ECHELLE ** 2
    compte_j = np.bincount(j, minlength=nj).astype(float)
    a, b = np.zeros(nj), np.ones(nj)
    s2 = np.full(nj, ecart_notes ** 2)
    if depart is not None:
        a = depart.jures["biais"].reindex(jures).fillna(0.0).to_numpy(dtype=float)
        b = depart.jures["echelle"].reindex(jures).fillna(1.0).to_numpy(dtype=float)
        s2 = depart.jures["bruit"].reindex(jures).fillna(ecart_notes).to_numpy(dtype=float) ** 2
    r = np.zeros(nd * nc)
    # Per-juror factors are computed per juror and then spread over the notes: the same
    # values, operation for operation, as computing them note by note, at a fraction of
    # the cost (a fit is most of the cross-validation of ``auto``).
    sy = np.bincount(j, y, nj)
    presents = fois * (compte_j > 0)
    total_presents = presents.sum()
    if total_presents == 0:  # no juror with a note: np.average's error, as it always was
        raise ZeroDivisionError("Weights sum to zero, can't be normalized")
    iteration = 0
    while iteration < ITERATIONS_MAX:
        iteration += 1
        anciens = np.concatenate([a, b, s2])
        # Quality: the weighted mean of each note corrected for its juror.
        numerateur = np.bincount(cellule, (fois * b)[j] * (y - a[j]) / s2[j],
                                 minlength=nd * nc)
        denominateur = np.bincount(cellule, (fois * b ** 2 / s2)[j], minlength=nd * nc)
        lue = denominateur > 0
        r = np.where(lue, numerateur / np.where(lue, denominateur, 1.0), 0.0)
        # Each juror's bias and scale: a penalised regression of their notes on quality.
        q = r[cellule]
        sq, sq2 = np.bincount(j, q, nj), np.bincount(j, q * q, nj)
        syq = np.bincount(j, y * q, nj)
        m11 = compte_j / s2 + prior_a
        m12 = sq / s2
        m22 = sq2 / s2 + prior_b
        v1, v2 = sy / s2, syq / s2 + prior_b
        det = m11 * m22 - m12 * m12
        a = (m22 * v1 - m12 * v2) / det
        b = np.maximum((m11 * v2 - m12 * v1) / det, ECHELLE_MIN)
        # Keep the panel's means at a = 0, b = 1 by moving the qualities instead.
        moyenne_a = (a * presents).sum() / total_presents  # np.average, without its checks
        moyenne_b = (b * presents).sum() / total_presents
        r = moyenne_a + moyenne_b * r
        a = a - b * moyenne_a / moyenne_b
        b = b / moyenne_b
        # Each juror's noise, shrunk toward the pooled one. A note weighs on its own cell's
        # quality (leverage h): its residual understates the noise by 1 − h, which is
        # corrected — else a juror who dominates the cells would fit them perfectly and
        # see their noise collapse toward 0.
        precision = np.bincount(cellule, (fois * b ** 2 / s2)[j], minlength=nd * nc)
        levier = (b ** 2 / s2)[j] / precision[cellule]
        residus = y - a[j] - b[j] * r[cellule]
        ssr = np.bincount(j, residus ** 2 / np.maximum(1.0 - levier, 0.05), nj)
        commun = float((fois * ssr).sum() / max((fois * compte_j).sum(), 1.0))
        s2 = np.maximum((ssr + PSEUDO_NOTES * commun) / (compte_j + PSEUDO_NOTES), 1e-6)
        if np.max(np.abs(np.concatenate([a, b, s2]) - anciens)) < tolerance:
            break
    precision = np.bincount(cellule, (fois * b ** 2 / s2)[j], minlength=nd * nc)
    qualite = np.where(precision > 0, centre + r, np.nan).reshape(nd, nc)
    return Calibrage(a, b, s2, compte_j, qualite, precision.reshape(nd, nc), iteration)
