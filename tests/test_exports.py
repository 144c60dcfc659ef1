"""The files that leave the tool: allocation workbook, public list, feedback letters.

Golden files fix the structure and content of every export of a small fixed wave (sheet
names, headers, number formats, cell types, values); regenerate them after an intended change
with ``FABRIQUES_REGENERER=1 python -m pytest tests/test_exports.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import openpyxl
import pytest

from commun.vocabulaire import STATUTS, code_de
from fabriques.cli import main
from tests.factories import petite_vague

GOLDEN = Path(__file__).parent / "golden"
SAMPLES = Path(__file__).resolve().parents[1] / "sample_waves"

HOSTILE = ["=1+1", '=HYPERLINK("http://exemple.invalid";"clic")', "+33 6 12 34 56 78",
           "-moins", "@SOMME(A1)"]

#: Rows of sheet ``parametres`` that depend on the machine, the date or the file bytes.
VOLATILS = ("date", "python", "pandas", "numpy", "pulp", "highspy", "openpyxl", "solveur",
            "fabriques", "sha256 ", "journal : ")


def _structure(path: Path) -> dict:
    """Everything a reader of the file sees, in a JSON-comparable form."""
    workbook = openpyxl.load_workbook(path)
    out = {}
    for sheet in workbook.worksheets:
        rows = []
        for row in sheet.iter_rows():
            values = []
            for cell in row:
                value = cell.value
                if isinstance(value, float):
                    value = round(value, 6)
                values.append([value, cell.data_type, cell.number_format])
            rows.append(values)
        if sheet.title == "parametres":
            rows = [r for r in rows if not str(r[0][0]).startswith(VOLATILS)]
        wrapped = [c.column_letter for c in (sheet[2] if sheet.max_row > 1 else ())
                   if c.alignment.wrap_text]
        out[sheet.title] = {"gel": sheet.freeze_panes, "filtre": sheet.auto_filter.ref,
                            "paysage": sheet.page_setup.orientation,
                            "retour_a_la_ligne": wrapped, "lignes": rows}
    return out


def _json_lisible(structure: dict) -> str:
    """JSON with one spreadsheet row per line, so that a diff reads like the sheet."""
    parts = []
    for title, sheet in structure.items():
        rows = ",\n".join("   " + json.dumps(row, ensure_ascii=False) for row in sheet["lignes"])
        head = {k: v for k, v in sheet.items() if k != "lignes"}
        parts.append(f' {json.dumps(title, ensure_ascii=False)}: '
                     f'{json.dumps(head, ensure_ascii=False)[:-1]}, "lignes": [\n{rows}\n ]}}')
    return "{\n" + ",\n".join(parts) + "\n}\n"


@pytest.fixture
def exports(tmp_path):
    wave = petite_vague(tmp_path)
    paths = {name: tmp_path / f"{name}.xlsx" for name in ("allocation", "public", "retours")}
    assert main(["allocate", str(wave), "--out", str(paths["allocation"]), "--public",
                 str(paths["public"]), "--retours", str(paths["retours"])]) == 0
    return paths


@pytest.mark.parametrize("name", ["allocation", "public", "retours"])
def test_exports_match_their_golden_files(exports, name):
    actual = _structure(exports[name])
    golden = GOLDEN / f"{name}.json"
    if os.environ.get("FABRIQUES_REGENERER"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(_json_lisible(actual), "utf-8")
    assert actual == json.loads(golden.read_text("utf-8"))


def test_allocation_workbook_is_laid_out_for_people(exports):
    workbook = openpyxl.load_workbook(exports["allocation"])
    assert workbook.sheetnames == ["synthese", "classement", "laureats", "liste_complementaire",
                                   "incertitude", "explications", "departements", "jury",
                                   "parametres"]
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
        assert sheet.print_title_rows == "$1:$1" and sheet.page_setup.fitToWidth == 1
        assert all(cell.font.b for cell in sheet[1] if cell.value is not None)
    classement = workbook["classement"]
    header = [c.value for c in classement[1]]
    fills = {}
    for row in classement.iter_rows(min_row=2):
        statut = row[header.index("statut")].value
        fills.setdefault(statut, set()).add(row[0].fill.start_color.rgb)
        assert row[header.index("montant")].number_format == '#,##0 "€"'
    assert {k: len(v) for k, v in fills.items()} == dict.fromkeys(fills, 1)  # one per statut
    assert len({next(iter(v)) for v in fills.values()}) == len(fills)  # distinct colours
    synthese = {r[0].value: r for r in workbook["synthese"].iter_rows(min_row=2)}
    assert synthese["Lauréats"][1].value == 3
    assert synthese["Montant accordé (€)"][1].number_format == '#,##0 "€"'


def test_hostile_names_stay_plain_text_in_every_export(tmp_path):
    noms = {f"D{i}": nom for i, nom in enumerate(HOSTILE, start=1)}
    wave = petite_vague(tmp_path, noms)
    paths = [tmp_path / f"{n}.xlsx" for n in ("a", "p", "r")]
    assert main(["allocate", str(wave), "--out", str(paths[0]), "--public", str(paths[1]),
                 "--retours", str(paths[2])]) == 0
    seen = set()
    for path in paths:
        for sheet in openpyxl.load_workbook(path).worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (path.name, sheet.title, cell.coordinate)
                    if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-",
                                                                              "@")):
                        assert cell.quotePrefix, cell.value
                        seen.add(cell.value)
    assert set(HOSTILE) <= seen  # every name went through, unchanged
    classement = openpyxl.load_workbook(paths[0])["classement"]
    names = {r[0].value: r[1].value for r in classement.iter_rows(min_row=2)}
    assert {names[d] for d in noms} == set(HOSTILE)


def test_the_public_list_holds_laureates_and_public_fields_only(tmp_path):
    out, public = tmp_path / "a.xlsx", tmp_path / "p.xlsx"
    assert main(["allocate", str(SAMPLES / "vague-06"), "--out", str(out),
                 "--public", str(public)]) == 0
    classement = openpyxl.load_workbook(out)["classement"]
    header = [c.value for c in classement[1]]
    rows = [dict(zip(header, (c.value for c in r), strict=True))
            for r in classement.iter_rows(min_row=2)]
    others = [r for r in rows if code_de(STATUTS, r["statut"]) != "laureat"]
    texts = {c.value for row in openpyxl.load_workbook(public)["laureats"].iter_rows()
             for c in row if isinstance(c.value, str)}
    for other in others:  # neither their id nor their name appears
        assert other["dossier"] not in texts and other["nom"] not in texts
    assert not any(t.startswith("V06-") for t in texts)  # no dossier id at all
    workbook = openpyxl.load_workbook(public)
    assert workbook.sheetnames == ["laureats"]
    assert [c.value for c in workbook["laureats"][1]] == [
        "nom", "porteur", "commune", "departement", "label", "montant"]
    assert workbook["laureats"].max_row == 31


def test_an_interrupted_export_leaves_the_previous_file_intact(exports, monkeypatch):
    allocation = exports["allocation"]
    before = allocation.read_bytes()
    real_replace = os.replace

    def killed(source, target):
        if Path(target) == allocation:
            raise KeyboardInterrupt
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", killed)
    wave = allocation.parent / "programme" / "vague-01.xlsx"
    assert main(["allocate", str(wave), "--out", str(allocation),
                 "--exclure", "D1:essai"]) == 130
    assert allocation.read_bytes() == before
    assert not list(allocation.parent.glob(".allocation.xlsx.*"))


def test_outputs_never_overwrite_inputs_nor_each_other(exports, capsys):
    wave = exports["allocation"].parent / "programme" / "vague-01.xlsx"
    before = wave.read_bytes()
    assert main(["allocate", str(wave), "--out", str(wave)]) == 2
    assert main(["allocate", str(wave), "--retours", str(wave.parent / "programme.toml")]) == 2
    assert main(["allocate", str(wave), "--out", str(exports["public"]),
                 "--public", str(exports["public"])]) == 2
    assert wave.read_bytes() == before
    assert "Refus d'écrire sur un fichier d'entrée" in capsys.readouterr().err


def test_feedback_names_weak_criteria_and_never_another_candidate(exports):
    sheet = openpyxl.load_workbook(exports["retours"])["retours"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, (c.value for c in r), strict=True))
            for r in sheet.iter_rows(min_row=2)]
    assert sorted(r["dossier"] for r in rows) == [r["dossier"] for r in rows]
    assert len(rows) == 8 - 3
    for row in rows:
        others = {f"D{i}" for i in range(1, 9)} - {row["dossier"]}
        assert not any(f"Fabrique {o}" in row["message"] for o in others)
        assert not any(o in row["message"].split() for o in others)
        assert row["message"].startswith(f"Votre dossier « Fabrique {row['dossier']} »")
        if row["statut"] == "ineligible":
            assert "éligibilité" in row["message"] and "SIRET" in row["message"]
        elif row["points_a_renforcer"]:
            weakest = min(("offre", "ancrage"), key=lambda c: row[f"note_{c}"]
                          - row[f"mediane_laureats_{c}"])
            label = {"offre": "Offre de services", "ancrage": "Ancrage territorial"}[weakest]
            assert row["points_a_renforcer"].startswith(f"« {label} »")
