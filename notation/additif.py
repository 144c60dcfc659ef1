"""Least-squares fit of the additive model note = dossier effect + juror effect.

Used by the ``bias`` normalisation (SPEC §4) and by the ICC on incomplete designs. The
dossier effects are eliminated exactly (each is the mean of its notes minus the mean bias
of its jurors), which leaves a juror-by-juror system: the fit costs O(notes + dossiers ×
jurors + jurors³) however many dossiers there are.

Juror biases are identified only within a connected group of jurors (jurors linked by the
dossiers they scored in common). The minimum-norm solution makes the biases sum to zero
within each group; when there is more than one group, the groups' levels cannot be
separated from their dossiers' quality, and :attr:`AjustementAdditif.groupes` says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class AjustementAdditif:
    """Result of :func:`ajuster_additif`."""

    effets_lignes: np.ndarray  # per dossier: mean + quality (NaN for a dossier with no note)
    effets_colonnes: np.ndarray  # per juror: bias, summing to zero within each group
    residus: np.ndarray  # per note
    groupes: np.ndarray  # per juror: index of its connected group (-1: scored nothing)

    @property
    def nombre_groupes(self) -> int:
        """How many separately identified groups of jurors there are."""
        return int(self.groupes.max()) + 1 if self.groupes.size else 0


def groupes_connexes(incidence: np.ndarray) -> np.ndarray:
    """Connected groups of columns (jurors) linked through shared rows (dossiers), from the
    rows × columns incidence matrix; -1 for a column with no observation."""
    n_colonnes = incidence.shape[1]
    lies = (incidence.T @ incidence) > 0  # jurors × jurors: at least one dossier in common
    groupes = np.full(n_colonnes, -1)
    etiquette = 0
    for depart in range(n_colonnes):
        if groupes[depart] >= 0 or not lies[depart, depart]:
            continue
        atteints = lies[depart].copy()
        while True:  # breadth-first over the juror graph: at most n_colonnes steps
            suivants = lies[atteints].any(axis=0)
            if (suivants == atteints).all():
                break
            atteints = suivants
        groupes[atteints] = etiquette
        etiquette += 1
    return groupes


def ajuster_additif(
    y: np.ndarray, lignes: np.ndarray, colonnes: np.ndarray, n_lignes: int, n_colonnes: int
) -> AjustementAdditif:
    """Fit ``y ≈ a[lignes] + b[colonnes]`` by least squares, biases summing to zero per group.

    ``lignes`` and ``colonnes`` are integer indices of each observation.
    """
    y = np.asarray(y, dtype=float)
    n_par_ligne = np.bincount(lignes, minlength=n_lignes).astype(float)
    n_par_colonne = np.bincount(colonnes, minlength=n_colonnes).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        moyenne_ligne = np.bincount(lignes, weights=y, minlength=n_lignes) / n_par_ligne
    incidence = np.bincount(lignes * n_colonnes + colonnes, minlength=n_lignes * n_colonnes
                            ).reshape(n_lignes, n_colonnes).astype(float)
    inverse = np.divide(1.0, n_par_ligne, out=np.zeros(n_lignes), where=n_par_ligne > 0)
    laplacien = np.diag(n_par_colonne) - (incidence * inverse[:, None]).T @ incidence
    second_membre = np.bincount(
        colonnes, weights=y - moyenne_ligne[lignes], minlength=n_colonnes
    )
    biais, *_ = np.linalg.lstsq(laplacien, second_membre, rcond=None)
    with np.errstate(invalid="ignore"):
        effets_lignes = moyenne_ligne - (incidence @ biais) * inverse
    effets_lignes[n_par_ligne == 0] = np.nan
    residus = y - effets_lignes[lignes] - biais[colonnes]
    return AjustementAdditif(
        effets_lignes=effets_lignes,
        effets_colonnes=biais,
        residus=residus,
        groupes=groupes_connexes(incidence),
    )
