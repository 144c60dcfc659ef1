"""Dossier scores under a resampled jury: each juror counts ``w_j`` times (0 leaves the juror
out, 2 counts them twice). Bootstrap and leave-one-juror-out both come down to that.

For ``raw``, ``zscore``, ``minmax`` and ``rank`` the juror-level transformation of a note
depends only on that juror's own notes, so it is computed once; a resample is then a weighted
mean over jurors, done on a dossier × juror × criterion array (``zscore`` also re-weights the
panel's mean and spread that put scores back on the note scale). ``trimmed``, ``median`` and
``bias`` depend on the whole panel in other ways: they are recomputed by :func:`noter` on a
wave whose notes repeat each juror ``w_j`` times. ``calibre`` is refitted with the jurors'
weights (:func:`notation.calibration.ajuster_calibre`), no note copied. ``auto`` resamples
the method it chose on the whole jury.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np
import pandas as pd

from lecture.modele import Vague
from notation.calibration import NotesCodees, ajuster_codees, coder
from notation.methodes import REGISTRE, echelles
from notation.normalisation import (
    borner,
    centrer_reduire,
    methode_effective,
    modele_jures,
    moyenne_ponderee,
    noter,
    notes_transformees,
)


class Reechantillonneur:
    """Scores of every dossier of ``vague`` under ``methode`` for any juror weights."""

    def __init__(self, vague: Vague, methode: str = "raw",
                 poids: Mapping[str, float] | None = None):
        self.vague = vague
        self.methode = methode = methode_effective(vague, methode)
        self._definition = definition = REGISTRE[methode]
        self._codees: NotesCodees | None = None
        self.poids = dict(vague.poids if poids is None else poids)
        self.jures = [j.jure for j in vague.jury]
        self.dossiers = vague.dossiers.index
        criteres = {c.critere: c for c in vague.criteres}
        self.criteres = list(criteres)
        if definition.moyenne_des_notes:
            notes = vague.notes
            if definition.echelle_du_jury:  # z per juror; the panel's scale is re-weighted below
                transformees = notes.groupby("jure", sort=False)["note"].transform(
                    centrer_reduire)
            else:
                transformees = notes_transformees(notes, methode, criteres)
            forme = (len(self.dossiers), len(self.jures), len(self.criteres))
            self._valeurs = np.zeros(forme)
            self._brutes = np.zeros(forme)
            self._presentes = np.zeros(forme)
            d = self.dossiers.get_indexer(pd.Index(notes["dossier"]))
            j = pd.Index(self.jures).get_indexer(pd.Index(notes["jure"]))
            c = pd.Index(self.criteres).get_indexer(pd.Index(notes["critere"]))
            self._valeurs[d, j, c] = transformees.to_numpy(dtype=float)
            self._brutes[d, j, c] = notes["note"].to_numpy(dtype=float)
            self._presentes[d, j, c] = 1.0
            self._bas, self._haut = echelles(criteres)
            self._w = np.array([float(self.poids.get(x, 0.0)) for x in self.criteres])

    def scores(self, poids_jures: np.ndarray) -> pd.Series:
        """Dossier scores when juror ``j`` counts ``poids_jures[j]`` times."""
        w = np.asarray(poids_jures, dtype=float)
        if self._definition.modele_jures:
            # From the whole jury's fit, to a thousandth of a point: a resample's scores
            # need no more, and converge in a few rounds.
            if self._codees is None:
                self._codees = coder(self.vague.notes, self.dossiers, self.jures,
                                     self.criteres)
            qualite = ajuster_codees(self._codees, w, depart=modele_jures(self.vague),
                                     tolerance=1e-4).qualite
            criteres = {c.critere: c for c in self.vague.criteres}
            return moyenne_ponderee(borner(qualite, criteres), self.poids)
        if not self._definition.moyenne_des_notes:
            return self._lent(w)
        compte = np.einsum("djc,j->dc", self._presentes, w)
        somme = np.einsum("djc,j->dc", self._valeurs, w)
        with np.errstate(invalid="ignore", divide="ignore"):
            par_critere = somme / compte
            if self._definition.echelle_du_jury:
                poids_notes = self._presentes * w[None, :, None]
                total = poids_notes.sum()
                moyenne = (self._brutes * poids_notes).sum() / total
                ecart = np.sqrt((((self._brutes - moyenne) ** 2) * poids_notes).sum() / total)
                par_critere = moyenne + par_critere * ecart
        par_critere = np.clip(par_critere, self._bas, self._haut)
        presents = ~np.isnan(par_critere)
        total_poids = (presents * self._w).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            score = np.nan_to_num(par_critere, nan=0.0) @ self._w / np.where(
                total_poids > 0, total_poids, np.nan)
        return pd.Series(score, index=self.dossiers, name="score")

    def _lent(self, w: np.ndarray) -> pd.Series:
        """Recompute with :func:`noter` on a wave where juror j appears w_j times."""
        notes, jury = [], []
        for fois, membre in zip(w, self.vague.jury, strict=True):
            jure = membre.jure
            for copie in range(int(fois)):
                nom = jure if copie == 0 else f"{jure}~{copie + 1}"
                notes.append(self.vague.notes[self.vague.notes["jure"] == jure].assign(jure=nom))
                jury.append(replace(membre, jure=nom))
        vague = replace(self.vague, notes=pd.concat(notes, ignore_index=True)
                        if notes else self.vague.notes.iloc[0:0], jury=tuple(jury))
        return noter(vague, self.methode, self.poids).score

