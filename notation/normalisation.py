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
- ``trimmed`` — per dossier and criterion, the highest and lowest notes dropped (when there
  are at least three), then the mean;
- ``median`` — per dossier and criterion, the median note;
- ``bias`` — per criterion, note = μ + quality(dossier) + bias(juror) + noise fitted by least
  squares with the biases summing to zero; the criterion score is μ + quality. Built for
  incomplete designs; when the juror–dossier graph is disconnected the groups' biases
  cannot be separated, which :attr:`ScoresVague.avertissements` says;
- ``calibre`` — each juror's bias, scale and noise, shared by the criteria and shrunk toward
  the panel, fitted jointly with the dossiers' qualities (:mod:`notation.calibration`);
- ``auto`` — the method whose scores best predict held-out notes, by cross-validation
  (:mod:`notation.choix`); the choice and every method's error go to ``parametres``.

Each computing method is one function of the coded notes (:mod:`notation.methodes`), the same
for scoring and for the cross-validation. Scores are clipped to the criterion scale: a
correction cannot give more than the maximum.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from commun import parametres as schema
from commun.francais import decimal, valeur_en_clair
from commun.vocabulaire import METHODES as METHODES_
from commun.vocabulaire import libelle
from lecture.modele import Critere, Vague
from notation.calibration import ModeleJures, ajuster_calibre, coder
from notation.choix import ChoixMethode, choisir_methode
from notation.methodes import (
    CALCULS,
    METHODE_AUTOMATIQUE,
    REGISTRE,
    ajuster_biais,
    echelles,
)

#: The methods that compute scores (``auto`` chooses among :data:`notation.choix.CANDIDATS`
#: and reports the cross-validated error of each of these).
METHODES_DE_CALCUL: tuple[str, ...] = tuple(CALCULS)
#: Every method the user may ask for (:data:`notation.methodes.REGISTRE`); ``auto``, the
#: default, chooses among the others.
METHODES: tuple[str, ...] = tuple(REGISTRE)
METHODE_PAR_DEFAUT = METHODE_AUTOMATIQUE


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
    #: With ``auto``: the choice, with every method's cross-validation error.
    choix: ChoixMethode | None = None

    def lignes_parametres(self) -> list[tuple[str, str]]:
        """The scores' rows of sheet ``parametres``: the method asked for and, with
        ``auto``, the one chosen and every method's cross-validated error; the weights."""
        lignes = [schema.METHODE.ecrire(libelle(METHODES_, self.methode))]
        if self.choix is not None:
            lignes.append(schema.METHODE_CHOISIE.ecrire(
                libelle(METHODES_, self.choix.methode)))
            lignes += [schema.VALIDATION_CROISEE.ecrire(
                f"{decimal(e, 4)} ± {decimal(self.choix.erreurs_types[m], 4)}",
                f"{m} (erreur quadratique, {self.choix.plis} plis)")
                for m, e in self.choix.erreurs.items()]
        lignes += [schema.POIDS.ecrire(valeur_en_clair(p), c) for c, p in self.poids.items()]
        return lignes

    @property
    def methode_effective(self) -> str:
        """The method that computed the scores (``auto``'s choice, or the one asked for)."""
        return self.choix.methode if self.choix is not None else self.methode

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


def notes_transformees(notes: pd.DataFrame, methode: str,
                        criteres: Mapping[str, Critere]) -> pd.Series:
    """Each note transformed within its juror's notes (``zscore``, ``minmax``, ``rank``; the
    note itself otherwise): the values whose mean per dossier and criterion is the method's
    score (:mod:`notation.methodes`)."""
    transformation = REGISTRE[methode].transformation
    if transformation is None:
        return notes["note"]
    jures = list(dict.fromkeys(notes["jure"]))
    codees = coder(notes, pd.Index(dict.fromkeys(notes["dossier"])), jures, list(criteres))
    bas, haut = echelles(criteres)
    return pd.Series(transformation(codees, bas, haut), index=notes.index,
                     name="note")


def scores_par_critere(notes: pd.DataFrame, methode: str, criteres: Mapping[str, Critere],
                       dossiers: pd.Index, jures: list[str],
                       modele: ModeleJures | None = None,
                       ) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Dossier × criterion scores of ``notes`` under a computing ``methode`` (clipped to each
    criterion's scale), the ``bias`` method's juror biases, and its warnings. ``modele``:
    the calibration model of these very notes, when already fitted."""
    colonnes = list(criteres)
    biais = pd.DataFrame()
    avertissements: list[str] = []
    definition = REGISTRE[methode]
    if definition.modele_jures and modele is not None:
        valeurs = modele.qualite.reindex(index=dossiers, columns=colonnes).to_numpy(float)
    else:
        codees = coder(notes, dossiers, jures, colonnes)
        if definition.biais:
            ajustement = ajuster_biais(codees)
            valeurs = ajustement.qualite
            notes_ = ajustement.groupes > 0
            biais = pd.DataFrame(ajustement.biais[:, notes_], index=jures,
                                 columns=[c for c, n in zip(colonnes, notes_, strict=True) if n])
            avertissements = [
                f"critère « {critere} » : les jurés forment {groupes} groupes sans dossier "
                "commun ; leurs biais ne peuvent être séparés qu'à l'intérieur de chaque groupe"
                for critere, groupes in zip(colonnes, ajustement.groupes, strict=True)
                if groupes > 1]
        else:
            assert definition.calcul is not None  # ``auto`` is resolved before
            valeurs = definition.calcul(codees, *echelles(criteres))
    par_critere = pd.DataFrame(valeurs, index=dossiers, columns=colonnes)
    return borner(par_critere, criteres), biais, avertissements


def borner(par_critere: pd.DataFrame, criteres: Mapping[str, Critere]) -> pd.DataFrame:
    """Criterion scores clipped to each criterion's scale (columns in ``criteres``'
    order): a correction cannot give more than the maximum."""
    valeurs = np.clip(par_critere.to_numpy(dtype=float), *echelles(criteres))
    return pd.DataFrame(valeurs, index=par_critere.index, columns=par_critere.columns)


@dataclass
class _Ajustements:
    """What a wave's notes give whatever the weights and rules: the calibration model,
    ``auto``'s choice, and each method's criterion scores (with biases and warnings)."""

    modele: ModeleJures | None = None
    choix: ChoixMethode | None = None
    par_methode: dict[str, tuple[pd.DataFrame, pd.DataFrame, list[str]]] = field(
        default_factory=dict)


#: Fits kept per wave (weak keys: a wave no longer used frees them): the what-if cycle
#: changes weights and rules, never notes, so the criterion scores and the choice of
#: ``auto`` are computed once per wave and method.
_CACHE: weakref.WeakKeyDictionary[Vague, _Ajustements] = weakref.WeakKeyDictionary()


def _ajustements(vague: Vague) -> _Ajustements:
    fits = _CACHE.get(vague)
    if fits is None:
        fits = _CACHE[vague] = _Ajustements()
    return fits


def modele_jures(vague: Vague) -> ModeleJures:
    """The juror calibration model of ``vague`` (fitted once per wave): each juror's bias,
    scale and noise, and the standard error of every dossier's criterion score."""
    fits = _ajustements(vague)
    if fits.modele is None:
        fits.modele = ajuster_calibre(vague.notes, vague.dossiers.index,
                                      [j.jure for j in vague.jury], vague.ids_criteres)
    return fits.modele


def choix_automatique(vague: Vague) -> ChoixMethode:
    """``auto``'s choice on ``vague``, by cross-validation (made once per wave)."""
    fits = _ajustements(vague)
    if fits.choix is None:
        fits.choix = choisir_methode(vague.notes, {c.critere: c for c in vague.criteres},
                                     vague.dossiers.index, [j.jure for j in vague.jury])
    return fits.choix


def methode_effective(vague: Vague, methode: str) -> str:
    """The method that computes ``methode``'s scores on ``vague``: ``auto``'s choice, else
    ``methode`` itself — the one place ``auto`` is resolved."""
    if methode not in METHODES:
        raise ValueError(f"méthode inconnue : {methode} (connues : {', '.join(METHODES)})")
    return choix_automatique(vague).methode if methode == METHODE_AUTOMATIQUE else methode


def noter(
    vague: Vague, methode: str = METHODE_PAR_DEFAUT, poids: Mapping[str, float] | None = None
) -> ScoresVague:
    """Score every dossier of ``vague`` with ``methode``; ``poids`` overrides the weights."""
    methode_calcul = methode_effective(vague, methode)
    criteres = {c.critere: c for c in vague.criteres}
    jures = [j.jure for j in vague.jury]
    poids_utilises = dict(vague.poids if poids is None else poids)
    fits = _ajustements(vague)
    if REGISTRE[methode_calcul].modele_jures:
        modele_jures(vague)
    if methode_calcul not in fits.par_methode:
        fits.par_methode[methode_calcul] = scores_par_critere(
            vague.notes, methode_calcul, criteres, vague.dossiers.index, jures, fits.modele)
    par_critere, biais, avertissements = fits.par_methode[methode_calcul]
    return ScoresVague(
        methode=methode,
        poids=poids_utilises,
        par_critere=par_critere,
        score=moyenne_ponderee(par_critere, poids_utilises),
        biais=biais,
        avertissements=tuple(avertissements),
        choix=fits.choix if methode == METHODE_AUTOMATIQUE else None,
    )


def moyenne_ponderee(par_critere: pd.DataFrame, poids: Mapping[str, float]) -> pd.Series:
    """Weighted mean over criteria; a criterion nobody scored for a dossier is left out of
    that dossier's mean (its weight is shared among the others)."""
    w = pd.Series({c: float(poids.get(c, 0.0)) for c in par_critere.columns})
    presents = par_critere.notna()
    total = (presents * w).sum(axis=1)
    somme = (par_critere.fillna(0.0) * w).sum(axis=1)
    return (somme / total.where(total > 0)).rename("score")
