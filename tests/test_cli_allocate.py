"""``fabriques allocate`` on the sample waves: valid optimal allocations, SPEC §5 sheets,
exit 3 with a plain-French relaxation when the rules are impossible."""

import re
import shutil
from pathlib import Path

import openpyxl
import pytest

from allocation.modele.probleme import construire_probleme
from allocation.modele.verification import verifier
from allocation.resolution.solveur import resoudre
from commun.constats import Constats
from commun.vocabulaire import METHODES, code_de
from fabriques.cli import main
from lecture.historique import lire_historique
from lecture.programme import lire_regles, trouver_fichier
from lecture.vague import lire_vague
from notation.normalisation import noter
from sample_waves import generate
from sample_waves.cas_plantes import CAS_ELIGIBLES

SAMPLES = Path(__file__).resolve().parents[1] / "sample_waves"
CLASSEMENT = ["dossier", "nom", "departement", "qpv", "numerique", "montant", "score", "rang",
              "statut", "motif"]


def sheet(path, name):
    workbook = openpyxl.load_workbook(path, read_only=True)
    rows = list(workbook[name].iter_rows(values_only=True))
    workbook.close()
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]], list(rows[0])


def sample_problem(wave, method):
    """The wave problem of a bundled sample, with its own programme and history."""
    path = SAMPLES / wave
    constats = Constats()
    vague = lire_vague(path).vague
    rules = lire_regles(trouver_fichier(path, "programme.toml"), vague.numero, constats)
    history = lire_historique(trouver_fichier(path, "laureats.xlsx"), constats)
    assert constats.codes() == []
    return construire_probleme(vague.dossiers, noter(vague, method).score, rules, history)


@pytest.mark.parametrize("wave", ["vague-05.xlsx", "vague-06"])
@pytest.mark.parametrize("method", ["raw", "bias"])
def test_sample_waves_get_valid_optimal_allocations(wave, method):
    probleme = sample_problem(wave, method)
    allocation = resoudre(probleme)
    assert allocation.optimale and len(allocation.laureats) == 30
    assert verifier(probleme, allocation.laureats) == []
    # The planted inéligible dossiers are exactly the ones found (the numérique hors QPV,
    # the two dossiers sharing a place, the overseas one, the planned hire… stay eligible).
    planted = {d for d, defect in _ground_truth()[wave].items()
               if defect not in CAS_ELIGIBLES}
    assert {d.dossier for d in probleme.dossiers if not d.eligible} == planted


_TRUTH = {}


def _ground_truth():
    if not _TRUTH:
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            waves = generate.generer(Path(folder))
        _TRUTH.update({"vague-05.xlsx": waves["vague-05"].ineligibles,
                       "vague-06": waves["vague-06"].ineligibles})
    return _TRUTH


def test_allocate_writes_the_spec_sheets_and_a_public_list_that_leaks_nothing(tmp_path):
    out, public = tmp_path / "a.xlsx", tmp_path / "p.xlsx"
    assert main(["allocate", str(SAMPLES / "vague-06"), "--out", str(out),
                 "--public", str(public)]) == 0
    rows, header = sheet(out, "classement")
    assert header == CLASSEMENT and len(rows) == 260
    # SPEC §5: French words
    assert {r["statut"] for r in rows} == {"lauréat", "liste complémentaire", "non retenu",
                                           "inéligible"}
    assert all(r["motif"] for r in rows if r["statut"] == "inéligible")
    laureats, header_laureats = sheet(out, "laureats")
    assert header_laureats == CLASSEMENT and len(laureats) == 30
    parameters = {r["parametre"]: r["valeur"] for r in sheet(out, "parametres")[0]}
    # the method in words, read back to its code
    assert parameters["methode"] == "choix automatique" and "sha256 programme.toml" in parameters
    assert code_de(METHODES, parameters["methode"]) == "auto"
    # The sample jury is mixed (severe, lenient, narrow, erratic): the model of jurors wins.
    assert code_de(METHODES, parameters["methode choisie"]) == "calibre"
    assert sum(k.startswith("validation croisée ") for k in parameters) == 8
    assert parameters["solveur"].startswith("HiGHS")
    assert parameters["sha256 historique"] == parameters["sha256 laureats.xlsx"]
    assert openpyxl.load_workbook(out, read_only=True).sheetnames == [
        "synthese", "classement", "laureats", "liste_complementaire", "incertitude",
        "explications", "departements", "jury", "parametres"]
    reserve, _ = sheet(out, "liste_complementaire")
    assert [r["dossier"] for r in reserve] == [
        r["dossier"] for r in rows if r["statut"] == "liste complémentaire"]
    # a laureate's motif says why it is one, then who replaces it
    assert all(r["motif"].startswith(("retenu", "imposé par le jury"))
               and "remplaçant" in r["motif"] for r in laureats)
    departements, _ = sheet(out, "departements")
    assert len(departements) == 101 + 6  # with the collectivités d'outre-mer
    assert sum(r["laureats_vague"] for r in departements) == 30
    assert all(r["cumul"] == r["laureats_avant"] + r["laureats_vague"] <= 8
               and r["laureats_vague"] <= 2 for r in departements)
    published, header_public = sheet(public, "laureats")
    assert header_public == ["nom", "porteur", "commune", "departement", "label", "montant"]
    assert sorted(r["nom"] for r in published) == sorted(r["nom"] for r in laureats)


def test_same_input_gives_the_same_classement(tmp_path):
    first, second = tmp_path / "1.xlsx", tmp_path / "2.xlsx"
    for out in (first, second):
        assert main(["allocate", str(SAMPLES / "vague-05.xlsx"), "--out", str(out)]) == 0
    assert sheet(first, "classement") == sheet(second, "classement")


def test_impossible_rules_exit_3_with_the_relaxation_and_write_nothing(tmp_path, capsys):
    wave = tmp_path / "vague-06"
    shutil.copytree(SAMPLES / "vague-06", wave)
    (wave / "programme.toml").write_text(
        (SAMPLES / "programme.toml").read_text().replace("max_laureats = 30",
                                                         "max_laureats = 20"))
    out = tmp_path / "a.xlsx"
    assert main(["allocate", str(wave), "--out", str(out)]) == 3
    err = capsys.readouterr().err
    assert "Aucune sélection ne respecte toutes les règles" in err
    # The paces ask for at least 13 QPV + 14 hors QPV = 27 > 20: lowering the minimums by 7
    # in all is the smallest change (the FAQ's per-wave cap costs more to relax).
    lowered = re.findall(r"abaisser le rythme minimum de Fabriques (?:en|hors) QPV "
                         r"de (\d+) à (\d+)", err)
    assert lowered and sum(int(a) - int(b) for a, b in lowered) == 7
    assert "nombre maximum de lauréats" not in err
    assert not out.exists()


def test_allocate_records_jury_overrides(tmp_path):
    out = tmp_path / "a.xlsx"
    assert main(["allocate", str(SAMPLES / "vague-05.xlsx"), "--out", str(out),
                 "--exclure", "V05-002:conflit avec un autre financement"]) == 0
    rows, _ = sheet(out, "classement")
    excluded = next(r for r in rows if r["dossier"] == "V05-002")
    assert excluded["statut"] != "lauréat"
    parameters = {r["parametre"]: r["valeur"] for r in sheet(out, "parametres")[0]}
    assert parameters["écarté V05-002"] == "conflit avec un autre financement"
    assert main(["allocate", str(SAMPLES / "vague-05.xlsx"), "--out", str(out),
                 "--forcer", "V05-999:x"]) == 2


def _folder_as_workbook(folder, target):
    """The same wave as one workbook: sheets of dossiers.xlsx and jury.xlsx, one sheet per
    juror from notes/."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    sources = [(ws.title, ws) for name in ("dossiers.xlsx", "jury.xlsx")
               for ws in openpyxl.load_workbook(folder / name).worksheets]
    sources += [(grid.stem, openpyxl.load_workbook(grid).worksheets[0])
                for grid in sorted((folder / "notes").glob("*.xlsx"))]
    for title, source in sources:
        copy = workbook.create_sheet(title)
        for row in source.iter_rows(values_only=True):
            copy.append(row)
    workbook.save(target)
    return target


def test_the_workbook_and_folder_forms_of_one_wave_give_the_same_allocation(tmp_path):
    folder = SAMPLES / "vague-06"
    workbook = _folder_as_workbook(folder, tmp_path / "vague-06.xlsx")
    outputs = []
    for wave, out in ((folder, tmp_path / "dossier.xlsx"), (workbook, tmp_path / "c.xlsx")):
        assert main(["allocate", str(wave), "--out", str(out),
                     "--programme", str(SAMPLES / "programme.toml"),
                     "--history", str(folder / "laureats.xlsx")]) == 0
        outputs.append(out)
    for name in ("classement", "laureats", "liste_complementaire", "explications",
                 "departements"):
        assert sheet(outputs[0], name) == sheet(outputs[1], name), name


@pytest.mark.parametrize("cas", ["inconnu", "ineligible", "les_deux", "sans_raison"])
def test_a_jury_decision_that_cannot_be_honoured_exits_2_and_writes_nothing(tmp_path, cas,
                                                                           capsys):
    probleme = sample_problem("vague-05.xlsx", "raw")
    ineligible = next(d.dossier for d in probleme.dossiers if not d.eligible)
    eligible = next(d.dossier for d in probleme.dossiers if d.eligible)
    options = {
        "inconnu": ["--forcer", "V05-999:projet pilote"],
        "ineligible": ["--forcer", f"{ineligible}:projet pilote"],
        "les_deux": ["--forcer", f"{eligible}:pilote", "--exclure", f"{eligible}:doublon"],
        "sans_raison": ["--exclure", eligible],
    }[cas]
    out = tmp_path / "a.xlsx"
    assert main(["allocate", str(SAMPLES / "vague-05.xlsx"), "--out", str(out),
                 "--modele", str(tmp_path / "m.lp"), *options]) == 2
    assert not out.exists() and not (tmp_path / "m.lp").exists()
    assert "Rien n'a été écrit" in capsys.readouterr().err


def test_forcing_below_the_quality_floor_is_refused_in_one_place():
    from dataclasses import replace

    from allocation.modele.regles_dossier import valider_decisions

    probleme = sample_problem("vague-05.xlsx", "raw")
    faible = min((d for d in probleme.dossiers if d.eligible), key=lambda d: d.score)
    plancher = replace(probleme, regles=replace(probleme.regles,
                                                note_minimale=faible.score + 0.5),
                       forces={faible.dossier: "projet pilote"})
    assert valider_decisions(plancher).codes() == ["forcage_sous_note_minimale"]
    assert valider_decisions(replace(probleme, forces={faible.dossier: "pilote"})).codes() == []


def test_allocate_writes_the_solved_model_as_a_readable_lp_file(tmp_path):
    from tests.factories import optimum_lp

    out, modele = tmp_path / "a.xlsx", tmp_path / "modele.lp"
    assert main(["allocate", str(SAMPLES / "vague-06"), "--out", str(out),
                 "--modele", str(modele)]) == 0
    texte = modele.read_text()
    assert "departement_vague_" in texte and "enveloppe_vague" in texte
    parametres = {r["parametre"]: r["valeur"] for r in sheet(out, "parametres")[0]}
    assert optimum_lp(modele) == pytest.approx(
        float(parametres["score total"].replace(",", ".")), abs=1e-5)
