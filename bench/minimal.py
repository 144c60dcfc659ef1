"""The floor of any allocation tool, the reference of ``fabriques allocate`` in the bench:
read the wave's grids, average each dossier's notes, choose the laureates with one integer
program (wave size and department cap of the programme file), write them to a workbook.
Nothing is validated, normalised or explained; the project's own code is not used.

``python -m bench.minimal VAGUE PROGRAMME SORTIE``
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import pandas as pd
import pulp


def pipeline_minimal(vague: Path, programme: Path, sortie: Path) -> int:
    """Read → mean → solve → write; the number of laureates."""
    regles = tomllib.loads(programme.read_text("utf-8"))["vague"]
    dossiers = pd.read_excel(vague / "dossiers.xlsx", engine="calamine", dtype=str)
    grilles = [pd.read_excel(f, engine="calamine")
               for f in sorted((vague / "notes").glob("*.xlsx"))]
    notes = pd.concat(grilles).drop(columns=["nom", "commentaire"], errors="ignore")
    moyennes = notes.set_index("dossier").apply(pd.to_numeric, errors="coerce").stack()
    score = moyennes.groupby(level=0).mean()
    dossiers = dossiers[dossiers["dossier"].isin(score.index)].set_index("dossier")
    modele = pulp.LpProblem("minimal", pulp.LpMaximize)
    x = {i: pulp.LpVariable(f"x_{i}", cat="Binary") for i in dossiers.index}
    modele += pulp.lpSum(float(score[i]) * x[i] for i in x)
    modele += pulp.lpSum(x.values()) <= regles["max_laureats"], "max_laureats"
    for departement, groupe in dossiers.groupby("departement"):
        modele += (pulp.lpSum(x[i] for i in groupe.index) <= regles["max_par_departement"],
                   f"departement_{departement}")
    modele.solve(pulp.HiGHS(msg=False))
    laureats = sorted(i for i in x if (x[i].value() or 0) > 0.5)
    table = dossiers.loc[laureats, ["nom", "departement"]].assign(score=score[laureats])
    table.to_excel(sortie, sheet_name="laureats", engine="openpyxl")
    return len(laureats)


if __name__ == "__main__":
    chemins = [Path(a) for a in sys.argv[1:4]]
    print(pipeline_minimal(*chemins))
