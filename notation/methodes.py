"""The scoring methods of SPEC §4: one function per computing method on coded notes, and
the registry of every method (:data:`REGISTRE`: its words and how it computes).

Each method takes the notes as integer codes (:class:`~notation.calibration.NotesCodees`)
and each criterion's scale (``bas``, ``haut``: arrays in the criteria's order), and gives the
dossier × criterion array of scores on the notes' scale, NaN where no juror scored, before
clipping to the scale. Scoring (:func:`notation.normalisation.scores_par_critere`) and the
cross-validation of ``auto`` (:mod:`notation.choix`) call the same functions: a fold is a
boolean mask over notes coded once, and nothing groups by labels (numpy, not pandas'
``groupby``: the 80 fits of a cross-validation took 0.34 s on a 15,000-note wave with it).

The notes' codes must all be known (non-negative), as a validated wave's are.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from commun.vocabulaire import METHODES as MOTS
from lecture.modele import Critere
from notation.additif import ajuster_additif
from notation.calibration import NotesCodees, calibrer

#: ``(notes, bas, haut) → dossier × criterion scores`` (unclipped, NaN without a note).
Calcul = Callable[[NotesCodees, np.ndarray, np.ndarray], np.ndarray]


def echelles(criteres: Mapping[str, Critere]) -> tuple[np.ndarray, np.ndarray]:
    """Each criterion's lowest and highest note, in ``criteres``' order."""
    bas = np.array([c.note_min for c in criteres.values()], dtype=float)
    haut = np.array([c.note_max for c in criteres.values()], dtype=float)
    return bas, haut


def moyenne_par_cellule(notes: NotesCodees, valeurs: np.ndarray) -> np.ndarray:
    """Mean of ``valeurs`` (one per note) over each dossier × criterion cell."""
    nd, nc = len(notes.dossiers), len(notes.criteres)
    cellule = notes.cellule
    nombre = np.bincount(cellule, minlength=nd * nc)
    somme = np.bincount(cellule, valeurs, minlength=nd * nc)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (somme / nombre).reshape(nd, nc)


def _extremes(groupe: np.ndarray, valeurs: np.ndarray, nombre: int
              ) -> tuple[np.ndarray, np.ndarray]:
    """Least and greatest value of each group (±inf for an empty one)."""
    mini, maxi = np.full(nombre, np.inf), np.full(nombre, -np.inf)
    np.minimum.at(mini, groupe, valeurs)
    np.maximum.at(maxi, groupe, valeurs)
    return mini, maxi


def _ordre_stable(codes: np.ndarray, nombre: int) -> np.ndarray:
    """The stable order of integer ``codes`` below ``nombre`` (numpy sorts 16-bit integers
    by radix: several times faster than its general stable sort)."""
    if nombre <= 1 << 16:
        codes = codes.astype(np.uint16)
    return np.argsort(codes, kind="stable")


def brute(notes: NotesCodees, bas: np.ndarray, haut: np.ndarray) -> np.ndarray:
    """``raw``: the mean of the notes."""
    return moyenne_par_cellule(notes, notes.note)


def mediane(notes: NotesCodees, bas: np.ndarray, haut: np.ndarray) -> np.ndarray:
    """``median``: the median note (the mean of the two middle ones for an even count)."""
    nd, nc = len(notes.dossiers), len(notes.criteres)
    cellule = notes.cellule
    nombre = np.bincount(cellule, minlength=nd * nc)
    # One row per cell, its notes in increasing order, padded with NaN (sorted last).
    ordre = _ordre_stable(cellule, nd * nc)
    rangee = cellule[ordre]
    colonne = np.arange(len(ordre)) - (np.cumsum(nombre) - nombre)[rangee]
    table = np.full((nd * nc, max(int(nombre.max(initial=0)), 1)), np.nan)
    table[rangee, colonne] = notes.note[ordre]
    table.sort(axis=1)
    lignes = np.arange(nd * nc)
    bas_milieu = table[lignes, np.maximum(nombre - 1, 0) // 2]
    haut_milieu = table[lignes, nombre // 2]
    return ((bas_milieu + haut_milieu) / 2).reshape(nd, nc)


def tronquee(notes: NotesCodees, bas: np.ndarray, haut: np.ndarray) -> np.ndarray:
    """``trimmed``: the mean without the highest and the lowest note when there are at
    least three, else the mean."""
    nd, nc = len(notes.dossiers), len(notes.criteres)
    cellule = notes.cellule
    nombre = np.bincount(cellule, minlength=nd * nc)
    somme = np.bincount(cellule, notes.note, minlength=nd * nc)
    mini, maxi = _extremes(cellule, notes.note, nd * nc)
    with np.errstate(invalid="ignore", divide="ignore"):
        moyenne = np.where(nombre >= 3, (somme - maxi - mini) / (nombre - 2), somme / nombre)
    return moyenne.reshape(nd, nc)


def notes_centrees_reduites(notes: NotesCodees, bas: np.ndarray, haut: np.ndarray
                            ) -> np.ndarray:
    """Each note standardised over all its juror's notes, put back on the panel's mean and
    standard deviation (the panel's mean for a juror who gave one single value)."""
    x, j, nj = notes.note, notes.jure, len(notes.jures)
    if not len(x):
        return x.copy()
    nombre = np.bincount(j, minlength=nj)
    with np.errstate(invalid="ignore", divide="ignore"):
        ecart = x - (np.bincount(j, x, nj) / nombre)[j]
        sd = np.sqrt(np.bincount(j, ecart ** 2, nj) / nombre)
    # Said by the values too, not only by sd == 0: rounding can leave a spread of 1e-16.
    mini, maxi = _extremes(j, x, nj)
    unique = ((mini == maxi) | ~(sd > 0))[j]
    z = np.where(unique, 0.0, ecart / np.where(unique, 1.0, sd[j]))
    return x.mean() + z * x.std()


def notes_etirees(notes: NotesCodees, bas: np.ndarray, haut: np.ndarray) -> np.ndarray:
    """Each note stretched to its criterion's scale from its juror's lowest and highest
    note (the middle of the scale for a juror of one single value)."""
    x, j, c = notes.note, notes.jure, notes.critere
    mini, maxi = _extremes(j, x, len(notes.jures))
    etendue = (maxi - mini)[j]
    part = np.where(etendue > 0, (x - mini[j]) / np.where(etendue > 0, etendue, 1.0), 0.5)
    return bas[c] + part * (haut[c] - bas[c])


def centiles(notes: NotesCodees, bas: np.ndarray, haut: np.ndarray) -> np.ndarray:
    """Each note's percentile among its juror's notes (ties share their mean rank), mapped
    onto its criterion's scale."""
    x, j, c, nj = notes.note, notes.jure, notes.critere, len(notes.jures)
    n = len(x)
    if not n:
        return x.copy()
    # Juror by juror, notes increasing (equal notes in any order: they share one rank).
    ordre = np.argsort(x)
    ordre = ordre[_ordre_stable(j[ordre], nj)]
    xs, js = x[ordre], j[ordre]
    debut = np.ones(n, dtype=bool)
    debut[1:] = (xs[1:] != xs[:-1]) | (js[1:] != js[:-1])
    premier = np.flatnonzero(debut)
    dernier = np.append(premier[1:], n) - 1
    egales = np.cumsum(debut) - 1
    nombre = np.bincount(j, minlength=nj)
    debut_jure = (np.cumsum(nombre) - nombre)[js]
    rang = (premier[egales] + dernier[egales]) / 2 - debut_jure + 1
    centile = np.empty(n)
    centile[ordre] = (rang - 0.5) / nombre[js]
    return bas[c] + centile * (haut[c] - bas[c])


@dataclass(frozen=True)
class AjustementBiais:
    """The ``bias`` fit, criterion by criterion: ``qualite`` dossier × criterion; ``biais``
    juror × criterion (NaN for a criterion without notes); ``groupes``: per criterion, how
    many groups of jurors with no dossier in common (0 without notes)."""

    qualite: np.ndarray
    biais: np.ndarray
    groupes: np.ndarray


def ajuster_biais(notes: NotesCodees) -> AjustementBiais:
    """Per criterion, note = μ + quality(dossier) + bias(juror) + noise by least squares
    (:func:`notation.additif.ajuster_additif`)."""
    nd, nj, nc = len(notes.dossiers), len(notes.jures), len(notes.criteres)
    qualite, biais = np.full((nd, nc), np.nan), np.full((nj, nc), np.nan)
    groupes = np.zeros(nc, dtype=int)
    # Criterion by criterion, each one's notes in their order (a stable sort by criterion).
    triees = notes.parmi(_ordre_stable(notes.critere, nc))
    fin = np.cumsum(np.bincount(notes.critere, minlength=nc))
    for k in range(nc):
        ce_critere = slice(fin[k - 1] if k else 0, fin[k])
        if ce_critere.start == ce_critere.stop:
            continue
        fit = ajuster_additif(triees.note[ce_critere], triees.dossier[ce_critere],
                              triees.jure[ce_critere], nd, nj)
        qualite[:, k], biais[:, k] = fit.effets_lignes, fit.effets_colonnes
        groupes[k] = fit.nombre_groupes
    return AjustementBiais(qualite, biais, groupes)


def additive(notes: NotesCodees, bas: np.ndarray, haut: np.ndarray) -> np.ndarray:
    """``bias``: the dossier's quality μ + quality(dossier) of the additive model."""
    return ajuster_biais(notes).qualite


def calibree(notes: NotesCodees, bas: np.ndarray, haut: np.ndarray) -> np.ndarray:
    """``calibre``: the dossier's quality under each juror's bias, scale and noise
    (:mod:`notation.calibration`)."""
    return calibrer(notes).qualite


def moyenne_des(transformation: Calcul) -> Calcul:
    """The method whose score is the mean, per dossier and criterion, of the notes
    ``transformation`` gives (``zscore``, ``minmax``, ``rank``)."""

    def calcul(notes: NotesCodees, bas: np.ndarray, haut: np.ndarray) -> np.ndarray:
        return moyenne_par_cellule(notes, transformation(notes, bas, haut))

    return calcul


# --------------------------------------------------------------------------- the registry


@dataclass(frozen=True)
class Methode:
    """One scoring method: its code, its words (:data:`commun.vocabulaire.METHODES`) and how
    it computes — what scoring, the cross-validation of ``auto`` and the resampling of the
    jury all read, instead of testing its name.

    ``calcul``: the dossier × criterion scores of the coded notes (None for ``auto``, which
    chooses another); ``moyenne_des_notes``: the score is the mean of the notes, each
    transformed within its juror's notes by ``transformation`` (None: the note itself), so a
    resampled jury's score is a weighted mean over jurors; ``echelle_du_jury``: that
    transformation puts the notes back on the panel's mean and spread, which a resample
    weighs again; ``biais``: the method fits each juror's bias per criterion (reported, and
    a disconnected panel warned of); ``modele_jures``: the scores are the jurors'
    calibration model's (:mod:`notation.calibration`), fitted once per wave."""

    nom: str
    calcul: Calcul | None
    moyenne_des_notes: bool = False
    transformation: Calcul | None = None
    echelle_du_jury: bool = False
    biais: bool = False
    modele_jures: bool = False

    @property
    def libelle(self) -> str:
        """The method in the secretariat's words."""
        return MOTS[self.nom].libelle

    @property
    def explication(self) -> str:
        """What the method does to the jurors' notes, in one sentence."""
        return MOTS[self.nom].explication


def _methode_moyenne(nom: str, transformation: Calcul, echelle_du_jury: bool = False
                     ) -> Methode:
    return Methode(nom, moyenne_des(transformation), moyenne_des_notes=True,
                   transformation=transformation, echelle_du_jury=echelle_du_jury)


#: Every scoring method, by code: ``auto`` first, then the computing methods in the order
#: ``auto`` reports them.
REGISTRE: dict[str, Methode] = {m.nom: m for m in (
    Methode("auto", None),
    Methode("raw", brute, moyenne_des_notes=True),
    Methode("median", mediane),
    Methode("trimmed", tronquee),
    Methode("bias", additive, biais=True),
    _methode_moyenne("zscore", notes_centrees_reduites, echelle_du_jury=True),
    _methode_moyenne("minmax", notes_etirees),
    _methode_moyenne("rank", centiles),
    Methode("calibre", calibree, modele_jures=True),
)}

#: The method whose fit gives each juror's severity (per criterion), shown on the jury sheet.
METHODE_DES_BIAIS = next(nom for nom, m in REGISTRE.items() if m.biais)
#: The method that chooses among the others (its ``calcul`` is None).
METHODE_AUTOMATIQUE = next(nom for nom, m in REGISTRE.items() if m.calcul is None)

#: The computing methods by name, in the order ``auto`` reports them.
CALCULS: dict[str, Calcul] = {nom: m.calcul for nom, m in REGISTRE.items()
                              if m.calcul is not None}
#: The methods that transform each note within its juror's notes before the mean, by name.
TRANSFORMATIONS: dict[str, Calcul] = {nom: m.transformation for nom, m in REGISTRE.items()
                                      if m.transformation is not None}
