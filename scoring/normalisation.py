"""From jurors' notes to one score per dossier (SPEC §4).

Every method gives, for each dossier and criterion, a score on the notes' own scale
(``[note_min, note_max]`` of the criterion); the dossier's score is the weighted mean of its
criterion scores with the weights of sheet ``criteres`` (overridable). Only the notes that
count are used: a déported juror's notes never reach this module.

Methods:

- ``raw`` — mean of the notes given on the criterion;
- ``zscore`` — each juror's notes standardised over all their notes, then put back on the
  panel's mean and standard deviation; a juror who gave one single value carries no
  ranking information and is set to the panel mean;
- ``minmax`` — each juror's notes stretched to the criterion scale from their own min–max;
- ``rank`` — each juror's notes replaced by their percentile among that juror's notes
  (ties averaged), mapped onto the scale;
- ``trimmed`` — per dossier and criterion, the highest and lowest notes dropped (when at
  least three remain), then the mean;
- ``median`` — per dossier and criterion, the median note;
- ``bias`` — per criterion, note = μ + quality(dossier) + bias(juror) + noise fitted by least
  squares with the biases summing to zero; the criterion score is μ + quality. Built for
  incomplete designs; when the juror–dossier graph is disconnected the groups' biases
  cannot be separated, which :attr:`ScoresVague.avertissements` says.

Scores are clipped to the criterion scale: a correction cannot give more than the maximum.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from scoring.additif import ajuster_additif
from scoring.modele import Critere, Vague

Methode = Literal["raw", "zscore", "minmax", "rank", "trimmed", "median", "bias"]
METHODES: tuple[str, ...] = ("raw", "zscore", "minmax", "rank", "trimmed", "median", "bias")
LIBELLES_METHODES: dict[str, str] = {
    "raw": "moyenne brute",
    "zscore": "centrage-réduction par juré",
    "minmax": "étirement min–max par juré",
    "rank": "rangs centiles par juré",
    "trimmed": "moyenne sans la note la plus haute ni la plus basse",
    "median": "médiane",
    "bias": "correction des biais de jurés (moindres carrés)",
}


@dataclass(frozen=True, eq=False)
class ScoresVague:
    """Scores of a wave under one method.

    ``par_critere``: dossier × criterion scores (NaN where no juror scored the criterion);
    ``score``: weighted dossier score (NaN for a dossier with no note); ``biais``: per
    criterion and juror, the fitted bias (``bias`` method only, else empty).
    """

    methode: str
    poids: dict[str, float]
    par_critere: pd.DataFrame
    score: pd.Series
    biais: pd.DataFrame = field(default_factory=pd.DataFrame)
    avertissements: tuple[str, ...] = ()

    def classement(self) -> pd.DataFrame:
        """Dossiers by decreasing score with their rank (ties share the best rank)."""
        table = self.par_critere.assign(score=self.score)
        table = table.sort_values("score", ascending=False, kind="stable")
        table["rang"] = table["score"].rank(ascending=False, method="min").astype("Int64")
        return table


def centrer_reduire(x: pd.Series) -> pd.Series:
    """A juror's notes as z-scores (all 0 when the juror gave a single value)."""
    sd = x.std(ddof=0)
    return (x - x.mean()) / sd if sd > 0 else x * 0.0


def _par_jure(
    notes: pd.DataFrame, transformer: Callable[[pd.Series], pd.Series]
) -> pd.Series:
    return notes.groupby("jure", sort=False)["note"].transform(transformer)


def notes_transformees(notes: pd.DataFrame, methode: str,
                        criteres: Mapping[str, Critere]) -> pd.Series:
    bas = notes["critere"].map({c: v.note_min for c, v in criteres.items()})
    haut = notes["critere"].map({c: v.note_max for c, v in criteres.items()})
    if methode == "zscore":
        moyenne, ecart = notes["note"].mean(), notes["note"].std(ddof=0)
        return moyenne + _par_jure(notes, centrer_reduire) * ecart
    if methode == "minmax":

        def etirer(x: pd.Series) -> pd.Series:
            etendue = x.max() - x.min()
            return (x - x.min()) / etendue if etendue > 0 else x * 0.0 + 0.5

        return bas + _par_jure(notes, etirer) * (haut - bas)
    if methode == "rank":

        def centile(x: pd.Series) -> pd.Series:
            return (x.rank(method="average") - 0.5) / len(x)

        return bas + _par_jure(notes, centile) * (haut - bas)
    return notes["note"]


def _moyenne_tronquee(x: pd.Series) -> float:
    if len(x) < 3:
        return float(x.mean())
    ordonnees = np.sort(x.to_numpy())
    return float(ordonnees[1:-1].mean())


def _par_critere_biais(
    notes: pd.DataFrame, dossiers: pd.Index, jures: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    index_dossier = {d: i for i, d in enumerate(dossiers)}
    index_jure = {j: i for i, j in enumerate(jures)}
    colonnes, biais, avertissements = {}, {}, []
    for critere, groupe in notes.groupby("critere", sort=False):
        lignes = groupe["dossier"].map(index_dossier).to_numpy()
        cols = groupe["jure"].map(index_jure).to_numpy()
        fit = ajuster_additif(groupe["note"].to_numpy(), lignes, cols, len(dossiers), len(jures))
        colonnes[critere] = fit.effets_lignes
        biais[critere] = fit.effets_colonnes
        if fit.nombre_groupes > 1:
            avertissements.append(
                f"critère « {critere} » : les jurés forment {fit.nombre_groupes} groupes sans "
                "dossier commun ; leurs biais ne peuvent être séparés qu'à l'intérieur de "
                "chaque groupe"
            )
    return (pd.DataFrame(colonnes, index=dossiers),
            pd.DataFrame(biais, index=jures), avertissements)


def noter(
    vague: Vague, methode: str = "raw", poids: Mapping[str, float] | None = None
) -> ScoresVague:
    """Score every dossier of ``vague`` with ``methode``; ``poids`` overrides the weights."""
    if methode not in METHODES:
        raise ValueError(f"méthode inconnue : {methode} (connues : {', '.join(METHODES)})")
    criteres = {c.critere: c for c in vague.criteres}
    poids_utilises = dict(vague.poids if poids is None else poids)
    notes = vague.notes
    biais = pd.DataFrame()
    avertissements: list[str] = []
    if methode == "bias":
        par_critere, biais, avertissements = _par_critere_biais(
            notes, vague.dossiers.index, [j.jure for j in vague.jury]
        )
    else:
        transformees = notes.assign(note=notes_transformees(notes, methode, criteres))
        groupes = transformees.groupby(["dossier", "critere"], sort=False)["note"]
        if methode == "trimmed":
            agregees = groupes.agg(_moyenne_tronquee)
        elif methode == "median":
            agregees = groupes.median()
        else:
            agregees = groupes.mean()
        par_critere = agregees.unstack("critere")
    par_critere = par_critere.reindex(index=vague.dossiers.index, columns=list(criteres))
    bas = pd.Series({c: v.note_min for c, v in criteres.items()})
    haut = pd.Series({c: v.note_max for c, v in criteres.items()})
    par_critere = par_critere.clip(lower=bas, upper=haut, axis=1).astype(float)
    return ScoresVague(
        methode=methode,
        poids=poids_utilises,
        par_critere=par_critere,
        score=moyenne_ponderee(par_critere, poids_utilises),
        biais=biais,
        avertissements=tuple(avertissements),
    )


def moyenne_ponderee(par_critere: pd.DataFrame, poids: Mapping[str, float]) -> pd.Series:
    """Weighted mean over criteria; a criterion nobody scored for a dossier is left out of
    that dossier's mean (its weight is shared among the others)."""
    w = pd.Series({c: float(poids.get(c, 0.0)) for c in par_critere.columns})
    presents = par_critere.notna()
    total = (presents * w).sum(axis=1)
    somme = (par_critere.fillna(0.0) * w).sum(axis=1)
    return (somme / total.where(total > 0)).rename("score")
