"""Where the sample dossiers are placed: weighted draws of real communes.

QPV dossiers go to communes that have a QPV, weighted by population; hors-QPV dossiers to
communes under 100,000 inhabitants outside the excluded ville-centres, weighted by the square
root of population (tiers-lieux are mostly in small towns).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from lecture import referentiel


@dataclass
class Territoire:
    """Weighted draws of real communes, prepared once per generation."""

    qpv_communes: pd.DataFrame
    qpv_poids: np.ndarray
    hors_communes: pd.DataFrame
    hors_poids: np.ndarray
    arrondissements: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def charger(cls) -> Territoire:
        """Prepare the draws from the reference data: the current communes of the 101
        departments, which have a QPV, which are excluded ville-centres."""
        communes = referentiel.communes()
        # Only the 101 departments: the collectivités d'outre-mer (975-989) are outside the AMI.
        actuelles = communes[
            (communes["type"] == "commune-actuelle")
            & communes["departement"].isin(referentiel.departements().index)
        ]
        avec_qpv = actuelles[actuelles.index.isin(referentiel.communes_avec_qpv())]
        exclues = referentiel.communes_villes_centres_exclues()
        hors = actuelles[
            ~actuelles.index.isin(exclues)
            & (actuelles["population"] > 300)
            & (actuelles["population"] < 100_000)
        ]
        arrondissements = {
            ville: [f"{code:05d}" for code in codes]
            for ville, codes in referentiel.ARRONDISSEMENTS_MUNICIPAUX.items()
        }
        qpv_poids = avec_qpv["population"].to_numpy(dtype=float)
        hors_poids = np.sqrt(hors["population"].to_numpy(dtype=float))
        return cls(
            qpv_communes=avec_qpv,
            qpv_poids=qpv_poids / qpv_poids.sum(),
            hors_communes=hors,
            hors_poids=hors_poids / hors_poids.sum(),
            arrondissements=arrondissements,
        )

    def tirer(self, rng: np.random.Generator, qpv: bool) -> tuple[str, str, str]:
        """(INSEE code, commune name, department) of a commune drawn for a dossier."""
        table, poids = (
            (self.qpv_communes, self.qpv_poids) if qpv else (self.hors_communes, self.hors_poids)
        )
        code = str(table.index[rng.choice(len(table), p=poids)])
        if code in self.arrondissements:
            code = str(rng.choice(self.arrondissements[code]))
        row = referentiel.communes().loc[code]
        return code, str(row["nom"]), str(row["departement"])
