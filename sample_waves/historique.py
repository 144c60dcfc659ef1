"""The laureates of the waves before a sample wave: a history drawn to obey the paces, the
department caps and the one-place rule, and the stand-in for the jury's decision that
extends it from one wave to the next."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from allocation.modele.rythme import bornes_rythme
from sample_waves.dossiers import LIEUX_NOMS, code_lieu, tirer_montants
from sample_waves.programme import PROGRAMME, VAGUE, annee_de_la_vague
from sample_waves.territoire import Territoire
from sample_waves.vague import Vague


def _compter(historique: pd.DataFrame) -> dict[str, int]:
    """Laureates per pace category: QPV (numériques included), hors QPV, numériques."""
    qpv = historique["qpv"] == "oui"
    return {
        "qpv": int(qpv.sum()),
        "hors_qpv": int((~qpv).sum()),
        "numeriques": int((qpv & (historique["numerique"] == "oui")).sum()),
    }


def _bornes(historique: pd.DataFrame, numero: int) -> dict[str, Any]:
    """Each category's pace band for wave ``numero`` after ``historique``."""
    deja = _compter(historique)
    cibles = {
        "qpv": PROGRAMME["cible_qpv"],
        "hors_qpv": PROGRAMME["cible_hors_qpv"],
        "numeriques": PROGRAMME["cible_numeriques"],
    }
    return {
        categorie: bornes_rythme(
            cibles[categorie], deja[categorie], PROGRAMME["nombre_vagues"], numero,
            VAGUE["tolerance_rythme"], VAGUE["max_laureats"],
        )
        for categorie in cibles
    }


#: The columns of sheet ``laureats``.
HISTORY_COLUMNS = [
    "dossier", "nom", "lieux", "departement", "qpv", "numerique", "montant", "vague", "annee",
]


def ligne_historique(rng: np.random.Generator, identifiant: str, vague: int, commune: str,
                     departement: str, qpv: bool, numerique: bool,
                     compteur: Counter[str]) -> dict[str, Any]:
    """One laureate of an earlier wave as sheet ``laureats`` holds it: its grant, then its
    place's name, drawn (in that order: the samples depend on it); its place numbered by
    wave and department (``compteur``)."""
    montant, _ = tirer_montants(rng)
    return {
        "dossier": identifiant,
        "nom": f"{rng.choice(LIEUX_NOMS)} ({commune})",
        "lieux": code_lieu(f"H{vague:02d}-{departement}", compteur),
        "departement": departement,
        "qpv": "oui" if qpv else "non",
        "numerique": "oui" if numerique else "non",
        "montant": montant,
        "vague": vague,
        "annee": annee_de_la_vague(vague),
    }


def generer_historique(
    rng: np.random.Generator, territoire: Territoire, vagues: Iterable[int]
) -> pd.DataFrame:
    """Laureates of earlier waves that obey the paces, department caps and places."""
    historique = pd.DataFrame(columns=HISTORY_COLUMNS)
    compteur: Counter[str] = Counter()
    for numero in vagues:
        bornes = _bornes(historique, numero)
        n_num = int(np.clip(round(bornes["numeriques"].rythme) + rng.integers(-1, 2),
                            bornes["numeriques"].minimum, bornes["numeriques"].maximum))
        n_qpv = int(np.clip(round(bornes["qpv"].rythme) + rng.integers(-1, 2),
                            max(bornes["qpv"].minimum, n_num), bornes["qpv"].maximum))
        n_hors = int(np.clip(round(bornes["hors_qpv"].rythme) + rng.integers(-2, 1),
                             bornes["hors_qpv"].minimum,
                             min(bornes["hors_qpv"].maximum, VAGUE["max_laureats"] - n_qpv)))
        cumul = Counter(historique["departement"])
        vague: Counter[str] = Counter()
        lignes = []
        for rang, (qpv, numerique) in enumerate(
            [(True, True)] * n_num + [(True, False)] * (n_qpv - n_num) + [(False, False)] * n_hors
        ):
            while True:
                _, commune, departement = territoire.tirer(rng, qpv)
                if (vague[departement] < VAGUE["max_par_departement"]
                        and cumul[departement] + vague[departement]
                        < PROGRAMME["max_par_departement"]):
                    break
            vague[departement] += 1
            lignes.append(ligne_historique(rng, f"V{numero:02d}-L{rang + 1:02d}", numero,
                                           commune, departement, qpv, numerique, compteur))
        _verifier_rythme(pd.DataFrame(lignes), bornes)
        historique = pd.concat([historique, pd.DataFrame(lignes)], ignore_index=True)
    return historique.astype({"montant": int, "vague": int, "annee": int})


def decider_vague(vague: Vague, historique: pd.DataFrame) -> pd.DataFrame:
    """The jury's recorded decision for a wave: best true quality first, within every rule.

    This stands in for the decision the jury took (the generator knows each dossier's true
    quality); it keeps the paces, the department caps, the one-place rule and eligibility,
    so the history it extends stays valid.
    """
    bornes = _bornes(historique, vague.numero)
    table = vague.dossiers.assign(qualite=vague.qualite.to_numpy())
    table = table[~table["dossier"].isin(vague.ineligibles)]
    table = table.sort_values(["qualite", "dossier"], ascending=[False, True])
    cumul = Counter(historique["departement"])
    pris: Counter[str] = Counter()
    lieux_pris = {lieu for lieux in historique["lieux"] for lieu in str(lieux).split(";")}
    objectifs = {
        "numeriques": bornes["numeriques"].maximum - VAGUE["tolerance_rythme"],
        "qpv": bornes["qpv"].maximum - VAGUE["tolerance_rythme"],
        "hors_qpv": bornes["hors_qpv"].maximum - VAGUE["tolerance_rythme"],
    }
    choisis: list[pd.Series] = []
    comptes: Counter[str] = Counter()
    for categorie in ("numeriques", "qpv", "hors_qpv"):
        for _, row in table.iterrows():
            if comptes[categorie] >= objectifs[categorie]:
                break
            est_qpv, est_num = row["qpv"] == "oui", row["numerique"] == "oui"
            if categorie == "numeriques" and not (est_qpv and est_num):
                continue
            if categorie == "qpv" and not (est_qpv and not est_num):
                continue
            if categorie == "hors_qpv" and est_qpv:
                continue
            lieux = set(str(row["lieux"]).split(";"))
            dep = row["departement"]
            if (lieux & lieux_pris or pris[dep] >= VAGUE["max_par_departement"]
                    or cumul[dep] + pris[dep] >= PROGRAMME["max_par_departement"]
                    or len(choisis) >= VAGUE["max_laureats"]):
                continue
            lieux_pris |= lieux
            pris[dep] += 1
            comptes[categorie] += 1
            if categorie == "numeriques":
                comptes["qpv"] += 1
            choisis.append(row)
    decision = pd.DataFrame(choisis)[HISTORY_COLUMNS[:-2]].assign(
        vague=vague.numero, annee=annee_de_la_vague(vague.numero))
    _verifier_rythme(decision, bornes)
    return pd.concat([historique, decision], ignore_index=True).astype({"montant": int})


def _verifier_rythme(decision: pd.DataFrame, bornes: dict[str, Any]) -> None:
    """Fail if a wave's laureates leave a pace band: the history must stay valid."""
    comptes = _compter(decision)
    for categorie, borne in bornes.items():
        if not borne.contient(comptes[categorie]):
            raise AssertionError(f"{categorie}: {comptes[categorie]} hors de {borne}")
