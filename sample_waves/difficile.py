"""The bench's hard wave (issue 30), made by the sample generator: every solve is slower and
many better-scored dossiers must be explained.

- 260 dossiers, all eligible; every juror scores every dossier they may (no one scores their
  own department) on the 6 criteria, in half points;
- a history of 170 laureates over waves 1 to 6, 60 of them in 12 departments (5 each: the
  programme's cap), the others at most 4 per department;
- at most 2 laureates per department in the wave and 5 over the programme;
- 30 déports (juror, dossier) on dossiers near the funding line (true quality ranked 15th to
  75th), on top of the geographic ones;
- a wave envelope of 3.6 M€ (120 000 € a laureate where 55 % ask 150 000 €). Without it the
  rules' matrix is totally unimodular (department caps partition the dossiers, the paces are
  nested), every continuous relaxation is integral and every solve takes a fraction of a
  millisecond; with it the envelope is a knapsack row and most re-solves are true integer
  programs, as in issue 30's profile.

``python -m sample_waves.difficile DOSSIER`` writes ``DOSSIER/programme.toml`` and
``DOSSIER/vague-07/`` (its ``dossiers.xlsx``, ``jury.xlsx``, ``notes/``, ``laureats.xlsx``);
the same seed always writes the same files.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

from commun.ecriture import ecrire_atomiquement
from sample_waves.ecriture import ecrire_classeur, ecrire_vague_dossier
from sample_waves.historique import HISTORY_COLUMNS, ligne_historique
from sample_waves.programme import annee_de_la_vague, programme_toml
from sample_waves.territoire import Territoire
from sample_waves.vague import generer_vague

GRAINE = 30
NUMERO = 7
DOSSIERS = 260
#: 170 laureates over waves 1 to 6; their split keeps wave 7's paces feasible.
HISTORIQUE = {"qpv": 86, "hors_qpv": 84, "numeriques": 17}
DEPARTEMENTS_PLEINS = 12
PLAFOND_PROGRAMME = 5
DEPORTS = 30
ENVELOPPE_VAGUE = 3_600_000


def _historique(rng: np.random.Generator, territoire: Territoire,
                pleins: list[str]) -> pd.DataFrame:
    """170 laureates of waves 1 to 6: 5 in each department of ``pleins`` (never more than 2
    a wave), at most 4 in every other one, distinct places."""
    categories = ([(True, True)] * HISTORIQUE["numeriques"]
                  + [(True, False)] * (HISTORIQUE["qpv"] - HISTORIQUE["numeriques"])
                  + [(False, False)] * HISTORIQUE["hors_qpv"])
    ordre = rng.permutation(len(categories))
    cumul: Counter[str] = Counter()
    compteur: Counter[str] = Counter()
    reste_pleins = [d for d in pleins for _ in range(PLAFOND_PROGRAMME)]
    lignes = []
    for rang, k in enumerate(ordre.tolist()):
        qpv, numerique = categories[k]
        vague = 1 + rang % 6
        if reste_pleins:
            departement = reste_pleins.pop(0)
            commune = f"commune {departement}"
        else:
            while True:
                _, commune, departement = territoire.tirer(rng, qpv)
                if departement not in pleins and cumul[departement] < PLAFOND_PROGRAMME - 1:
                    break
        cumul[departement] += 1
        lignes.append(ligne_historique(rng, f"V{vague:02d}-L{rang + 1:03d}", vague, commune,
                                       departement, qpv, numerique, compteur))
    table = pd.DataFrame(lignes, columns=HISTORY_COLUMNS)
    return table.sort_values(["vague", "dossier"], kind="stable").reset_index(drop=True)


def generer_vague_difficile(dossier: Path, graine: int = GRAINE) -> Path:
    """Write the hard wave under ``dossier``; return the wave's folder."""
    rng = np.random.default_rng(graine)
    territoire = Territoire.charger()
    vague = generer_vague(rng, NUMERO, DOSSIERS, [], territoire,
                          jures_par_dossier=None, planter_ineligibles=False, pas=0.5)
    comptes = vague.dossiers["departement"].value_counts().sort_index(kind="stable")
    # The 12 departments after the two most represented: two strong ones stay open.
    pleins = sorted(comptes.sort_values(ascending=False, kind="stable").index[2:2 + 12])
    historique = _historique(rng, territoire, pleins)
    # Déports near the funding line: the scored pairs of dossiers ranked 15th to 75th.
    proches = vague.qualite.sort_values(ascending=False).index[14:75]
    notees = vague.notes[vague.notes["dossier"].isin(proches)][["jure", "dossier"]]
    paires = notees.drop_duplicates().sort_values(["jure", "dossier"]).to_numpy()
    choisies = paires[np.sort(rng.choice(len(paires), DEPORTS, replace=False))]
    deports = pd.DataFrame(choisies, columns=["jure", "dossier"])
    vague.deports = pd.concat([vague.deports, deports]).drop_duplicates().sort_values(
        ["jure", "dossier"]).reset_index(drop=True)
    retires = pd.MultiIndex.from_frame(vague.deports[["jure", "dossier"]])
    garde = ~pd.MultiIndex.from_frame(vague.notes[["jure", "dossier"]]).isin(retires)
    vague.notes = vague.notes[garde].reset_index(drop=True)
    sortie = dossier / f"vague-{NUMERO:02d}"
    ecrire_vague_dossier(vague, sortie)
    ecrire_classeur(sortie / "laureats.xlsx", [("laureats", historique)])
    ecrire_atomiquement(dossier / "programme.toml", programme_toml(
        {"max_par_departement": PLAFOND_PROGRAMME},
        {"annee": annee_de_la_vague(NUMERO), "enveloppe": ENVELOPPE_VAGUE}).encode())
    return sortie


if __name__ == "__main__":
    print(generer_vague_difficile(Path(sys.argv[1])))
