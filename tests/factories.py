"""Small named waves, written as real xlsx files, for tests that need exact locations."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl import Workbook

from lecture import referentiel

Rows = list[list[Any]]

DOSSIERS_HEADER = ["dossier", "nom", "porteur", "siret", "forme_juridique", "commune",
                   "code_commune", "departement", "qpv", "numerique", "montant",
                   "montant_annuel", "etp", "video", "lieux"]


def dossier(ident: str, departement: str = "35", code: str = "35047", qpv: str = "non",
            **champs: Any) -> list[Any]:
    """One dossier row with sensible, eligible defaults."""
    base = {
        "dossier": ident, "nom": f"Fabrique {ident}", "porteur": f"Association {ident}",
        "siret": "73282932000074", "forme_juridique": "Association loi 1901",
        "commune": "Bruz", "code_commune": code, "departement": departement, "qpv": qpv,
        "numerique": "non", "montant": 150000, "montant_annuel": 50000, "etp": 2,
        "video": "oui", "lieux": f"L-{ident}",
    }
    base.update(champs)
    return [base[c] for c in DOSSIERS_HEADER]


#: The criteria of FAQ 3.3 besides ``offre`` and ``ancrage``.
AUTRES_CRITERES = ("competences", "modele_economique", "gouvernance", "robustesse")
#: Notes of the minimal wave: 4 dossiers × 10 jurors × 6 criteria.
NOTES_MINIMALES = 4 * 10 * 6


def vague_minimale() -> dict[str, Rows]:
    """Four dossiers, the FAQ 3.2 jury, the six criteria of FAQ 3.3 (``offre`` and ``ancrage``
    first in every grid), every juror scoring every dossier."""
    jury = [["jure", "nom", "college", "departement"]]
    colleges = ["administration"] * 2 + ["cntl"] * 3 + ["chercheur"] * 2 + ["laureat"] * 3
    for i, college in enumerate(colleges, start=1):
        jury.append([f"J{i:02d}", f"Juré {i}", college, None])
    sheets: dict[str, Rows] = {
        "dossiers": [DOSSIERS_HEADER] + [dossier(f"D{i}") for i in range(1, 5)],
        "jury": jury,
        "criteres": [["critere", "libelle", "poids", "note_min", "note_max"],
                     ["offre", "Offre de services", 1, 0, 10],
                     ["ancrage", "Ancrage territorial", 1, 0, 10],
                     *([c, c, 1, 0, 10] for c in AUTRES_CRITERES)],
        "deports": [["jure", "dossier"]],
    }
    for i in range(1, 11):
        grid = [["dossier", "offre", "ancrage", *AUTRES_CRITERES, "commentaire"]]
        for d in range(1, 5):
            grid.append([f"D{d}", (d + i) % 11, (2 * d + i) % 11,
                         *((k * d + i) % 11 for k in range(3, 3 + len(AUTRES_CRITERES))), None])
        sheets[f"J{i:02d}"] = grid
    return sheets


def ecrire(path: Path, sheets: dict[str, Rows]) -> Path:
    """Write ``sheets`` to an xlsx workbook at ``path``; values are written as given."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def variante(tmp_path: Path, name: str = "vague-07.xlsx", **changes: Any) -> Path:
    """The minimal wave with ``changes`` applied (sheet name → rows), written to disk."""
    sheets = copy.deepcopy(vague_minimale())
    sheets.update(changes)
    return ecrire(tmp_path / name, sheets)


def vague_en_memoire(notes: list[tuple[str, str, str, float]], note_max: float = 10,
                     poids: dict[str, float] | None = None):
    """A validated :class:`~lecture.modele.Vague` built directly from (dossier, juror,
    criterion, note) tuples — for scoring tests that need no file."""
    import pandas as pd

    from lecture.modele import Critere, Jure, Vague

    table = pd.DataFrame(notes, columns=["dossier", "jure", "critere", "note"])
    table["note"] = table["note"].astype(float)
    table["commentaire"] = None
    dossiers = sorted(table["dossier"].unique())
    jures = sorted(table["jure"].unique())
    criteres = list(dict.fromkeys(table["critere"]))
    poids = poids or dict.fromkeys(criteres, 1.0)
    registre = pd.DataFrame({"nom": dossiers, "departement": "35", "qpv": False,
                             "numerique": False}, index=pd.Index(dossiers, name="dossier"))
    return Vague(
        nom="vague-test", numero=1, chemin=Path("vague-test.xlsx"), dossiers=registre,
        jury=tuple(Jure(j, j, "cntl") for j in jures),
        criteres=tuple(Critere(c, c, poids[c], 0.0, note_max) for c in criteres),
        deports=frozenset(), notes=table, notes_ecartees=table.iloc[0:0], sources=(),
    )


#: A commune of each department the small wave uses.
COMMUNES_PETITE_VAGUE = {"35": "35006", "29": "29006", "22": "22006", "56": "56006", "44": "44007",
            "93": "93010", "59": "59006"}


def petite_vague(tmp_path: Path, noms: dict[str, str] | None = None) -> Path:
    """Eight dossiers: QPV, hors QPV, numérique, one inéligible (bad SIRET), two sharing a
    place, two in one department with one place per department; three places to fill in
    wave 1 of 10 of a 30-Fabrique programme."""
    noms = noms or {}
    specs = [("D1", "35", "non", "non"), ("D2", "29", "oui", "non"), ("D3", "22", "non", "non"),
             ("D4", "56", "oui", "oui"), ("D5", "44", "non", "non"), ("D6", "93", "oui", "non"),
             ("D7", "59", "non", "non"), ("D8", "35", "oui", "non")]
    sheets = vague_minimale()
    rows = [sheets["dossiers"][0]]
    for ident, dep, qpv, numerique in specs:
        champs = {"numerique": numerique,
                  "commune": referentiel.communes().at[COMMUNES_PETITE_VAGUE[dep], "nom"],
                  "montant": 75_000 + 5_000 * int(ident[1])}
        if ident in noms:
            champs["nom"] = noms[ident]
        if ident == "D5":
            champs["siret"] = "73282932000075"  # Luhn fails
        if ident in ("D6", "D7"):
            champs["lieux"] = "LIEU-COMMUN"
        rows.append(dossier(ident, dep, COMMUNES_PETITE_VAGUE[dep], qpv, **champs))
    sheets["dossiers"] = rows
    # Two criteria: a grid FAQ 3.3 does not know, allowed and reported (a warning).
    sheets["criteres"] = sheets["criteres"][:3]
    for i in range(1, 11):
        grid = [["dossier", "offre", "ancrage", "commentaire"]]
        for d, (ident, *_) in enumerate(specs, start=1):
            grid.append([ident, (3 * d + i) % 11, (5 * d + 2 * i) % 11, None])
        sheets[f"J{i:02d}"] = grid
    folder = tmp_path / "programme"
    folder.mkdir()
    (folder / "programme.toml").write_text(
        "[programme]\ncible_total = 30\ncible_qpv = 15\ncible_hors_qpv = 15\n"
        "cible_numeriques = 3\nenveloppe_totale = 4500000\n"
        "[vague]\nnumero = 1\nmax_laureats = 3\ntolerance_rythme = 1\n"
        "max_par_departement = 1\n", encoding="utf-8")
    path = ecrire(folder / "vague-01.xlsx", sheets)
    if noms:  # a name typed as text in Excel, not a formula someone wrote
        workbook = openpyxl.load_workbook(path)
        for row in workbook["dossiers"].iter_rows():
            for cell in row:
                if cell.value in noms.values():
                    cell.data_type = "s"
        workbook.save(path)
    return path


# --------------------------------------------------------------------------- allocation


def _regles_par_defaut():
    from lecture.programme import Regles

    return Regles(
        cible_total=300, cible_qpv=150, cible_hors_qpv=150, cible_numeriques=30,
        nombre_vagues=10, enveloppe_totale=45_000_000, montant_min=75_000,
        montant_max=150_000, montant_annuel_max=50_000, max_par_departement_programme=8,
        numero=1, max_laureats=30, tolerance_rythme=2, max_par_departement_vague=2,
        enveloppe_vague=None, note_minimale=0,
    )


#: The programme's default rules, for its first wave (with an empty history).
REGLES = _regles_par_defaut()


def regles(**changes: Any):
    """:data:`REGLES` with ``changes``."""
    from dataclasses import replace

    return replace(REGLES, **changes)


def table(rows: list[tuple[Any, ...]]):
    """Dossiers table from (id, departement, qpv, numerique, montant[, lieux]) tuples."""
    import pandas as pd

    records = []
    for ident, departement, qpv, numerique, montant, *lieux in rows:
        records.append({
            "dossier": ident, "nom": f"Fabrique {ident}", "siret": "73282932000074",
            "forme_juridique": "Association loi 1901", "code_commune": "35047",
            "departement": departement, "qpv": qpv, "numerique": numerique,
            "montant": montant, "montant_annuel": None, "etp": 1.0, "video": True,
            "lieux": tuple(lieux[0]) if lieux else (f"L-{ident}",),
        })
    return pd.DataFrame(records).set_index("dossier")


def optimum_lp(chemin: Path) -> float:
    """The optimum HiGHS finds for an LP file written by ``--modele`` (exact gap)."""
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 0.0)
    h.readModel(str(chemin))
    h.run()
    return float(h.getInfo().objective_function_value)


# --------------------------------------------------------------------------- processes

def commande_disque_lent(delai: float, depart: bool = False) -> str:
    """Python code (for ``python -c``) running ``fabriques`` with its arguments on a slow
    disk: ``delai`` seconds per flush and per rename, so that a kill or a rival lands while
    a set of files is being written. With ``depart``, the first argument is a file whose
    appearance starts the run (every rival has read the shared files by then)."""
    attente = ("depart = Path(sys.argv.pop(1))\nwhile not depart.exists():\n"
               "    time.sleep(0.005)\n") if depart else ""
    return (f"import os, sys, time\nfrom pathlib import Path\n"
            f"def lent(appel):\n    def ralenti(*arguments):\n        time.sleep({delai})\n"
            f"        return appel(*arguments)\n    return ralenti\n"
            f"os.replace, os.fsync = lent(os.replace), lent(os.fsync)\n"
            f"from fabriques.cli import main\n{attente}sys.exit(main(sys.argv[1:]))\n")
