"""Drawing one sample wave: its dossiers (with the planted cases), a new jury, the déports,
and every juror's notes around each dossier's true quality."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sample_waves.cas_plantes import planter_cas
from sample_waves.dossiers import code_lieu, tirer_dossier
from sample_waves.jury import Jure, tirer_commentaire, tirer_jury
from sample_waves.programme import CRITERES, NOTE_MAX, NOTE_MIN
from sample_waves.territoire import Territoire

#: How many of the 10 jurors score each dossier, by default.
SCORERS_PER_DOSSIER = 6


@dataclass
class Vague:
    """The tables of one generated wave, in the SPEC §3 shapes."""

    numero: int
    dossiers: pd.DataFrame
    jury: list[Jure]
    deports: pd.DataFrame
    notes: pd.DataFrame  # long form: dossier, jure, critere, note, commentaire
    qualite: pd.Series  # true quality of each dossier (ground truth, not written)
    ineligibles: dict[str, str]  # dossier -> the defect planted in it


def generer_vague(
    rng: np.random.Generator,
    numero: int,
    nombre_dossiers: int,
    lieux_laureats: Sequence[str],
    territoire: Territoire | None = None,
    jures_par_dossier: int | None = SCORERS_PER_DOSSIER,
    planter_ineligibles: bool = True,
    pas: float = 1.0,
) -> Vague:
    """One wave: dossiers, a new jury, déports and every juror's notes.

    ``jures_par_dossier=None`` makes every juror score every dossier (the benchmark design);
    the default gives each dossier to 6 of the 10 jurors, so the jurors score different
    subsets and raw means depend on who scored what. ``pas`` is the grid's step (0.5: half
    points).
    """
    territoire = territoire or Territoire.charger()
    compteur: Counter[str] = Counter()
    dossiers: list[dict[str, Any]] = []
    for index in range(nombre_dossiers):
        qpv = rng.random() < 0.52
        numerique = qpv and rng.random() < 0.22
        identifiant = f"V{numero:02d}-{index + 1:03d}"
        dossier = tirer_dossier(rng, territoire, identifiant, qpv, numerique, compteur)
        if rng.random() < 0.06:  # a consortium: several places in one dossier
            for _ in range(int(rng.integers(1, 3))):
                lieu = code_lieu(f"V{numero:02d}-{dossier['departement']}", compteur)
                dossier["lieux"] += ";" + lieu
        dossiers.append(dossier)
    ineligibles = (
        planter_cas(rng, dossiers, lieux_laureats, numero)
        if planter_ineligibles
        else {}
    )
    table = pd.DataFrame(dossiers)

    departements = sorted(set(table["departement"]))
    jury = tirer_jury(rng, departements)
    qualite = pd.Series(rng.normal(6.0, 1.3, len(table)), index=table["dossier"])
    # Strong territories and strong Fabriques numériques, as in real waves: the department
    # caps and the paces then bind, and the explanations have something to explain.
    comptes = table["departement"].value_counts().sort_index(kind="stable")
    forts = set(comptes.sort_values(ascending=False, kind="stable").index[:4])
    bonus = (table["departement"].isin(forts).to_numpy() * 1.2
             + (table["numerique"] == "oui").to_numpy() * 0.6)
    qualite = qualite + bonus
    deports = _deports(rng, table, jury)
    notes = _notes(rng, table, jury, qualite, deports, jures_par_dossier, pas)
    return Vague(numero, table, jury, deports, notes, qualite, ineligibles)


def _deports(rng: np.random.Generator, dossiers: pd.DataFrame, jury: list[Jure]) -> pd.DataFrame:
    """Explicit conflicts of interest (sheet ``deports``), on top of the geographic ones."""
    paires = []
    for jure in rng.choice(len(jury), size=4, replace=False):
        for dossier in rng.choice(dossiers["dossier"].to_numpy(), size=2, replace=False):
            paires.append({"jure": jury[int(jure)].jure, "dossier": str(dossier)})
    return pd.DataFrame(paires).sort_values(["jure", "dossier"]).reset_index(drop=True)


def _notes(
    rng: np.random.Generator,
    dossiers: pd.DataFrame,
    jury: list[Jure],
    qualite: pd.Series,
    deports: pd.DataFrame,
    jures_par_dossier: int | None,
    pas: float = 1.0,
) -> pd.DataFrame:
    """Every juror's notes (long form), each dossier scored by ``jures_par_dossier`` of the
    jurors who may (all of them if None), rounded to the grid's step ``pas``."""
    deportes = {(row.jure, row.dossier) for row in deports.itertuples()}
    charge = Counter({jure.jure: 0 for jure in jury})
    lignes = []
    effets = rng.normal(0.0, 0.9, size=(len(dossiers), len(CRITERES)))
    for position, (dossier, departement) in enumerate(
        zip(dossiers["dossier"], dossiers["departement"], strict=True)
    ):
        possibles = [
            jure
            for jure in jury
            if jure.departement != departement and (jure.jure, dossier) not in deportes
        ]
        if jures_par_dossier is not None:
            # Least-loaded jurors first, ties broken at random: a balanced design.
            ordre = rng.permutation(len(possibles))
            possibles = sorted(
                (possibles[i] for i in ordre), key=lambda jure: charge[jure.jure]
            )[:jures_par_dossier]
        for jure in sorted(possibles, key=lambda j: j.jure):
            charge[jure.jure] += 1
            p = jure.personnalite
            vraies = qualite[dossier] + effets[position]
            brutes = 6.0 + p.decalage + p.echelle * (vraies - 6.0) + rng.normal(0, p.bruit, 6)
            valeurs = np.clip(np.rint(brutes / pas) * pas, NOTE_MIN, NOTE_MAX)
            commentaire = tirer_commentaire(rng, float(np.mean(valeurs)))
            for (critere, _), valeur in zip(CRITERES, valeurs, strict=True):
                lignes.append(
                    {
                        "dossier": dossier,
                        "jure": jure.jure,
                        "critere": critere,
                        "note": int(valeur) if pas == 1 else float(valeur),
                        "commentaire": commentaire,
                    }
                )
    return pd.DataFrame(lignes)


def ajouter_anomalies_benignes(rng: np.random.Generator, vague: Vague) -> None:
    """The slips a real wave has and that ``check`` reports as warnings, not errors.

    One juror leaves one criterion blank; one juror scores a dossier despite an explicit
    déport (those notes never count).
    """
    notes = vague.notes.astype({"note": "float"})
    notes.loc[int(rng.integers(len(notes))), "note"] = float("nan")
    deport = vague.deports.iloc[0]
    extra = notes[notes["dossier"] == deport["dossier"]].head(len(CRITERES)).copy()
    extra["jure"] = deport["jure"]
    extra["commentaire"] = "Je connais bien ce projet"
    vague.notes = pd.concat([notes, extra], ignore_index=True)
