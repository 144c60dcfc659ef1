"""Are two workbooks the same decision? ``python -m bench.identique AVANT.xlsx APRES.xlsx``

Compares, cell by cell and in order, every sheet the two share except those that name the
run itself (``synthese``, ``parametres``: version, date, durations), and prints each sheet
that differs. The guard of issue 30's shortcuts: the allocation workbook (classement,
laureats, liste_complementaire, incertitude, explications…) and the trade-offs workbook
written before and after a change to the engine must be identical. Exit status 1 when
they differ.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

#: Sheets that describe the run rather than the decision.
IGNOREES = frozenset({"synthese", "parametres"})


def differences(avant: Path, apres: Path) -> list[str]:
    """The sheets of ``avant`` that ``apres`` lacks or writes otherwise."""
    a = pd.read_excel(avant, sheet_name=None, engine="calamine", header=None)
    b = pd.read_excel(apres, sheet_name=None, engine="calamine", header=None)
    ecarts = []
    for feuille, table in a.items():
        if feuille in IGNOREES:
            continue
        autre = b.get(feuille)
        if autre is None or not table.equals(autre):
            ecarts.append(feuille)
    return ecarts


def main(argv: list[str]) -> int:
    avant, apres = map(Path, argv[:2])
    ecarts = differences(avant, apres)
    feuilles = pd.ExcelFile(avant, engine="calamine").sheet_names
    comparees = [f for f in feuilles if f not in IGNOREES]
    print(f"{apres.name} : {len(comparees) - len(ecarts)}/{len(comparees)} feuilles "
          f"identiques" + (f" ; différentes : {', '.join(ecarts)}" if ecarts else ""))
    return 1 if ecarts else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
