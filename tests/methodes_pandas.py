"""The scoring methods and the cross-validation of ``auto`` as they were written before
issue 30 (pandas ``groupby`` on labels, the calibration fit note by note): the reference
that :mod:`notation.methodes`, :mod:`notation.choix` and :func:`notation.calibration.calibrer`
are compared with (``tests/test_methodes.py``). Kept verbatim but for names."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from lecture.modele import Critere
from notation.additif import ajuster_additif
from notation.calibration import (
    ECART_BIAIS,
    ECART_ECHELLE,
    ECHELLE_MIN,
    ITERATIONS_MAX,
    PSEUDO_NOTES,
    NotesCodees,
    coder,
)
from notation.choix import CANDIDATS, GRAINE_PLIS, PLIS
from notation.normalisation import borner


def notes_transformees(notes: pd.DataFrame, methode: str,
                       criteres: Mapping[str, Critere]) -> pd.Series:
    if methode not in ("zscore", "minmax", "rank"):
        return notes["note"]
    position = pd.Index(list(criteres)).get_indexer(pd.Index(notes["critere"]))
    bas = np.array([v.note_min for v in criteres.values()])[position]
    haut = np.array([v.note_max for v in criteres.values()])[position]
    groupes = notes.groupby("jure", sort=False)["note"]
    x = notes["note"]
    if methode == "zscore":
        moyenne, ecart = x.mean(), x.std(ddof=0)
        sd = groupes.transform("std", ddof=0)
        z = ((x - groupes.transform("mean")) / sd.where(sd > 0)).fillna(0.0)
        return moyenne + z * ecart
    if methode == "minmax":
        mini, etendue = groupes.transform("min"), groupes.transform("max") - groupes.transform(
            "min")
        part = ((x - mini) / etendue.where(etendue > 0)).fillna(0.5)
        return bas + part * (haut - bas)
    centile = (groupes.rank(method="average") - 0.5) / groupes.transform("count")
    return bas + centile * (haut - bas)


def _par_critere_biais(notes: pd.DataFrame, dossiers: pd.Index, jures: list[str],
                       criteres: list[str]) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    codes = coder(notes, dossiers, jures, criteres)
    colonnes, biais, avertissements = {}, {}, []
    for k, critere in enumerate(criteres):
        ce_critere = codes.critere == k
        if not ce_critere.any():
            continue
        fit = ajuster_additif(codes.note[ce_critere], codes.dossier[ce_critere],
                              codes.jure[ce_critere], len(dossiers), len(jures))
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


def scores_par_critere(notes: pd.DataFrame, methode: str, criteres: Mapping[str, Critere],
                       dossiers: pd.Index, jures: list[str],
                       ) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    biais = pd.DataFrame()
    avertissements: list[str] = []
    if methode == "bias":
        par_critere, biais, avertissements = _par_critere_biais(notes, dossiers, jures,
                                                                  list(criteres))
    elif methode == "calibre":
        par_critere = pd.DataFrame(
            ajuster_note_par_note(coder(notes, dossiers, jures, list(criteres)))[3],
            index=dossiers, columns=list(criteres))
    else:
        transformees = notes.assign(note=notes_transformees(notes, methode, criteres))
        groupes = transformees.groupby(["dossier", "critere"], sort=False)["note"]
        if methode == "trimmed":
            somme, nombre = groupes.sum(), groupes.count()
            tronquee = (somme - groupes.max() - groupes.min()) / (nombre - 2)
            agregees = tronquee.where(nombre >= 3, somme / nombre)
        elif methode == "median":
            agregees = groupes.median()
        else:
            agregees = groupes.mean()
        par_critere = agregees.unstack("critere")
    par_critere = par_critere.reindex(index=dossiers, columns=list(criteres))
    return borner(par_critere, criteres), biais, avertissements


def erreur_de_prediction(valeurs: np.ndarray, dossier: np.ndarray, critere: np.ndarray,
                         jure: np.ndarray, note: np.ndarray, apprend: np.ndarray,
                         nombre_jures: int) -> tuple[float, int]:
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


def choisir_methode(notes: pd.DataFrame, criteres: Mapping[str, Critere], dossiers: pd.Index,
                    jures: list[str], methodes: Sequence[str], plis: int = PLIS,
                    candidats: Sequence[str] = CANDIDATS
                    ) -> tuple[str, dict[str, float], dict[str, float]]:
    """(chosen method, errors, standard errors)."""
    if len(notes) < 2 * plis:
        vide = dict.fromkeys(methodes, float("nan"))
        return candidats[0], vide, dict(vide)
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
            scores = scores_par_critere(apprentissage, methode, criteres, dossiers, jures)[0]
            valeurs = scores.reindex(index=dossiers, columns=colonnes).to_numpy(dtype=float)
            somme, nombre = erreur_de_prediction(valeurs, dossier, critere, jure, note,
                                                 apprend, len(jures))
            par_pli[methode].append(np.sqrt(somme / nombre) if nombre else np.nan)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        erreurs = {m: float(np.nanmean(v)) for m, v in par_pli.items()}
        ecarts = {m: float(np.nanstd(v, ddof=1) / np.sqrt(plis)) for m, v in par_pli.items()}
    valables = [m for m in candidats if m in erreurs and np.isfinite(erreurs[m])]
    if not valables:
        return candidats[0], erreurs, ecarts
    return min(valables, key=lambda m: (erreurs[m], valables.index(m))), erreurs, ecarts


def ajuster_note_par_note(codees: NotesCodees, poids_jures: np.ndarray | None = None,
                          depart: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
                          tolerance: float = 1e-7) -> tuple[Any, ...]:
    """The calibration fit, every juror factor computed note by note: (biases, scales,
    noise variances, quality, precision, rounds). ``depart``: (biases, scales, noise sds)."""
    x, d, j, c = codees.note, codees.dossier, codees.jure, codees.critere
    nd, nj, nc = len(codees.dossiers), len(codees.jures), len(codees.criteres)
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
        a, b, s2 = depart[0].copy(), depart[1].copy(), depart[2] ** 2
    r = np.zeros(nd * nc)
    iteration = 0
    while iteration < ITERATIONS_MAX:
        iteration += 1
        anciens = np.concatenate([a, b, s2])
        w = fois[j] * b[j] ** 2 / s2[j]
        numerateur = np.bincount(cellule, fois[j] * b[j] * (y - a[j]) / s2[j],
                                 minlength=nd * nc)
        denominateur = np.bincount(cellule, w, minlength=nd * nc)
        lue = denominateur > 0
        r = np.where(lue, numerateur / np.where(lue, denominateur, 1.0), 0.0)
        q = r[cellule]
        sq, sq2 = np.bincount(j, q, nj), np.bincount(j, q * q, nj)
        sy, syq = np.bincount(j, y, nj), np.bincount(j, y * q, nj)
        m11 = compte_j / s2 + prior_a
        m12 = sq / s2
        m22 = sq2 / s2 + prior_b
        v1, v2 = sy / s2, syq / s2 + prior_b
        det = m11 * m22 - m12 * m12
        a = (m22 * v1 - m12 * v2) / det
        b = np.maximum((m11 * v2 - m12 * v1) / det, ECHELLE_MIN)
        presents = fois * (compte_j > 0)
        moyenne_a, moyenne_b = np.average(a, weights=presents), np.average(b, weights=presents)
        r = moyenne_a + moyenne_b * r
        a = a - b * moyenne_a / moyenne_b
        b = b / moyenne_b
        precision = np.bincount(cellule, fois[j] * b[j] ** 2 / s2[j], minlength=nd * nc)
        levier = (b[j] ** 2 / s2[j]) / precision[cellule]
        residus = y - a[j] - b[j] * r[cellule]
        ssr = np.bincount(j, residus ** 2 / np.maximum(1.0 - levier, 0.05), nj)
        commun = float((fois * ssr).sum() / max((fois * compte_j).sum(), 1.0))
        s2 = np.maximum((ssr + PSEUDO_NOTES * commun) / (compte_j + PSEUDO_NOTES), 1e-6)
        if np.max(np.abs(np.concatenate([a, b, s2]) - anciens)) < tolerance:
            break
    precision = np.bincount(cellule, fois[j] * b[j] ** 2 / s2[j], minlength=nd * nc)
    qualite = np.where(precision > 0, centre + r, np.nan).reshape(nd, nc)
    return a, b, s2, qualite, precision.reshape(nd, nc), iteration
