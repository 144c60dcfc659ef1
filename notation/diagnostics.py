"""How each juror scores compared with the panel, and how much the panel agrees.

Per juror (:func:`diagnostic_jures`):

- ``severite`` — the juror's bias from the additive model (points; < 0 severe, > 0 lenient),
  averaged over criteria: unlike a raw mean, it does not depend on which dossiers the juror
  happened to receive;
- ``biais_calibre``, ``echelle_calibree``, ``bruit_calibre`` — the juror's bias, scale and
  noise in the calibration model (:mod:`notation.calibration`), shared by the criteria;
- ``dispersion`` — standard deviation of the juror's notes divided by that of the panel's
  (< 1: the juror uses a narrower range);
- ``accord`` — correlation between the juror's notes and the mean of the other jurors'
  notes on the same dossier and criterion;
- ``dossiers_notes``, ``dossiers_deportes``, ``notes`` — workload and conflicts;
- ``signalement`` — « sévère », « indulgent », « resserré », « erratique » when the juror
  departs from the panel by more than the documented thresholds below.

Agreement (:func:`fiabilite`): the six ICC, Kendall's W and Krippendorff's alpha at the four
levels, per criterion and for the mean over criteria.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lecture.modele import Vague
from notation.methodes import METHODE_DES_BIAIS
from notation.normalisation import modele_jures, noter
from notation.reliability import icc_details, kendall_w, krippendorff_alpha

#: Thresholds of the flags, as fractions of the panel's standard deviation of notes (bias)
#: or as ratios (spread) and correlations (agreement).
SEUIL_BIAIS = 0.5
SEUIL_DISPERSION = 0.6
SEUIL_ACCORD = 0.3


#: Number formats of the jurors' sheet (allocation and score workbooks alike).
FORMATS_JURY = {"moyenne": "0.00", "severite": "+0.00;-0.00;0.00", "biais_calibre":
                "+0.00;-0.00;0.00", "echelle_calibree": "0.00", "bruit_calibre": "0.00",
                "dispersion": "0.00", "accord": "0.00"}


def diagnostic_jures(vague: Vague) -> pd.DataFrame:
    """One row per juror: severity, spread, agreement, workload, flags."""
    notes = vague.notes
    ecart_panel = float(notes["note"].std(ddof=0)) or 1.0
    severite = noter(vague, METHODE_DES_BIAIS).biais.mean(axis=1)
    calibration = modele_jures(vague).jures
    groupes = notes.groupby(["dossier", "critere"])["note"]
    somme, nombre = groupes.transform("sum"), groupes.transform("count")
    autres = ((somme - notes["note"]) / (nombre - 1)).where(nombre > 1)
    lignes = []
    for jure in vague.jury:
        masque = notes["jure"] == jure.jure
        les_siennes = notes.loc[masque, "note"]
        comparables = autres[masque].notna()
        accord = (
            float(np.corrcoef(les_siennes[comparables], autres[masque][comparables])[0, 1])
            if comparables.sum() >= 3 and les_siennes[comparables].std() > 0
            else float("nan")
        )
        dispersion = float(les_siennes.std(ddof=0)) / ecart_panel if len(les_siennes) else np.nan
        biais = float(severite.get(jure.jure, np.nan))
        drapeaux = []
        if biais < -SEUIL_BIAIS * ecart_panel:
            drapeaux.append("sévère")
        if biais > SEUIL_BIAIS * ecart_panel:
            drapeaux.append("indulgent")
        if dispersion < SEUIL_DISPERSION:
            drapeaux.append("resserré")
        if accord < SEUIL_ACCORD:
            drapeaux.append("erratique")
        lignes.append({
            "jure": jure.jure,
            "nom": jure.nom,
            "college": jure.college,
            "dossiers_notes": int(notes.loc[masque, "dossier"].nunique()),
            "dossiers_deportes": sum(1 for j, _ in vague.deports if j == jure.jure),
            "notes": int(masque.sum()),
            "moyenne": float(les_siennes.mean()) if len(les_siennes) else np.nan,
            "severite": biais,
            "biais_calibre": float(calibration["biais"].get(jure.jure, np.nan)),
            "echelle_calibree": float(calibration["echelle"].get(jure.jure, np.nan)),
            "bruit_calibre": float(calibration["bruit"].get(jure.jure, np.nan)),
            "dispersion": dispersion,
            "accord": accord,
            "signalement": ", ".join(drapeaux),
        })
    return pd.DataFrame(lignes)


def fiabilite(vague: Vague) -> pd.DataFrame:
    """Agreement statistics per criterion and for the mean over criteria."""
    lignes = []
    for critere, matrice in matrices(vague).items():
        details = icc_details(matrice)
        ligne = {"critere": critere or "ensemble", **details.valeurs}
        ligne["kendall_w"] = kendall_w(matrice)
        for niveau in ("nominal", "ordinal", "interval", "ratio"):
            ligne[f"alpha_{niveau}"] = (
                krippendorff_alpha(matrice, niveau) if critere is not None or niveau != "nominal"
                else float("nan")  # means over criteria are not categories
            )
        ligne["dossiers"] = details.dossiers_utilises
        ligne["dossiers_ecartes"] = details.dossiers_ecartes
        ligne["notes_par_dossier"] = details.k_moyen
        lignes.append(ligne)
    return pd.DataFrame(lignes)


def matrices(vague: Vague) -> dict[str | None, pd.DataFrame]:
    """:meth:`Vague.matrice` of every criterion in sheet order, then of the mean over
    criteria (key None): the same tables from two groupings of the notes instead of one
    pivot per criterion (seven pivots were most of :func:`fiabilite`'s time)."""
    notes, jures = vague.notes, [j.jure for j in vague.jury]

    def matrice(moyennes: pd.Series) -> pd.DataFrame:
        # pivot_table's own grouping and mean (same sums, in the same order), laid out
        return moyennes.unstack("jure").reindex(index=vague.dossiers.index, columns=jures)

    par_critere = notes.groupby(["critere", "dossier", "jure"], sort=False)["note"].mean()
    presents = par_critere.index.unique(level="critere")
    # a criterion nobody scored: its pivot, an empty table laid out the same way
    resultat: dict[str | None, pd.DataFrame] = {
        c: matrice(par_critere.xs(c, level="critere")) if c in presents else vague.matrice(c)
        for c in vague.ids_criteres}
    resultat[None] = (matrice(notes.groupby(["dossier", "jure"], sort=False)["note"].mean())
                      if len(presents) else vague.matrice(None))
    return resultat


def fiabilite_par_libelle(vague: Vague) -> pd.DataFrame:
    """:func:`fiabilite` with each criterion by its label (:attr:`Vague.libelles_criteres`),
    as the jury reads it; the mean over criteria keeps its name, « ensemble »."""
    accord, libelles = fiabilite(vague), vague.libelles_criteres
    return accord.assign(critere=accord["critere"].map(lambda c: libelles.get(c, c)))
