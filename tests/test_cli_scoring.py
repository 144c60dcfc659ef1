"""``fabriques check`` and ``fabriques score`` as the secretariat runs them."""

import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from fabriques.cli import main
from tests.test_cli import fabriques_executable

SAMPLES = Path(__file__).resolve().parents[1] / "sample_waves"


@pytest.mark.parametrize("wave", ["vague-05.xlsx", "vague-06"])
def test_check_exits_0_on_every_sample_wave(wave, capsys):
    assert main(["check", str(SAMPLES / wave)]) == 0
    out = capsys.readouterr().out
    assert "0 erreur(s), 12 avertissement(s)." in out  # the planted ones (sample README)


def test_check_exits_2_with_located_messages_on_a_broken_copy(tmp_path):
    broken = tmp_path / "vague-05.xlsx"
    shutil.copy(SAMPLES / "vague-05.xlsx", broken)
    workbook = openpyxl.load_workbook(broken)
    workbook["J03"]["B2"] = 14
    entete = [c.value for c in workbook["dossiers"][1]]
    workbook["dossiers"].cell(5, entete.index("departement") + 1).value = "20"
    del workbook["criteres"]
    workbook.save(broken)
    result = subprocess.run([fabriques_executable(), "check", str(broken)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "Traceback" not in result.stdout + result.stderr
    assert "vague-05.xlsx › feuille « dossiers » › ligne 5 › colonne « departement »" in (
        result.stdout)
    assert "feuille « criteres » absente" in result.stdout
    assert "[feuille_manquante]" in result.stdout and "[departement_inconnu]" in result.stdout


def test_check_on_a_missing_path_is_a_finding_not_a_traceback(tmp_path, capsys):
    assert main(["check", str(tmp_path / "vague-99.xlsx")]) == 2
    assert "[fichier_introuvable]" in capsys.readouterr().out


def test_score_with_bias_writes_its_workbook(tmp_path, capsys):
    out = tmp_path / "scores.xlsx"
    assert main(["score", str(SAMPLES / "vague-06"), "--method", "bias", "--out", str(out)]) == 0
    workbook = openpyxl.load_workbook(out, read_only=True)
    assert workbook.sheetnames == ["notes_dossiers", "jures", "incertitude", "fiabilite",
                                   "constats", "biais_jures", "parametres"]
    rows = list(workbook["notes_dossiers"].iter_rows(values_only=True))
    header = rows[0]
    assert header[:5] == ("dossier", "nom", "departement", "qpv", "numerique")
    assert header[-2:] == ("score", "rang")
    assert len(rows) == 1 + 260
    scores = [r[header.index("score")] for r in rows[1:]]
    assert scores == sorted(scores, reverse=True)
    jurors = {r[0]: r for r in list(workbook["jures"].iter_rows(values_only=True))[1:]}
    header_jures = next(workbook["jures"].iter_rows(max_row=1, values_only=True))
    flags = header_jures.index("signalement")
    assert jurors["J02"][flags] == "sévère" and jurors["J05"][flags] == "erratique"
    reliability = list(workbook["fiabilite"].iter_rows(values_only=True))
    assert reliability[0][1:7] == ("ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k")
    workbook.close()
    assert "méthode : correction de la sévérité" in capsys.readouterr().out


def test_score_refuses_bad_input_and_writing_over_an_input(tmp_path, capsys):
    out = tmp_path / "never.xlsx"
    assert main(["score", str(tmp_path / "nothing"), "--out", str(out)]) == 2
    assert not out.exists()
    copy = tmp_path / "vague-05.xlsx"
    shutil.copy(SAMPLES / "vague-05.xlsx", copy)
    before = copy.read_bytes()
    assert main(["score", str(copy), "--out", str(copy)]) == 2
    assert copy.read_bytes() == before


def test_score_weights_can_be_overridden_and_are_recorded(tmp_path, capsys):
    out = tmp_path / "s.xlsx"
    args = ["score", str(SAMPLES / "vague-05.xlsx"), "--out", str(out)]
    assert main([*args, "--poids", "offre=3,ancrage=0,5"]) == 0
    workbook = openpyxl.load_workbook(out, read_only=True)
    parameters = dict(list(workbook["parametres"].iter_rows(values_only=True))[1:])
    workbook.close()
    assert parameters["poids offre"] == "3" and parameters["poids ancrage"] == "0,5"
    assert parameters["poids gouvernance"] == "1"
    assert main([*args, "--poids", "beaute=2"]) == 2
    assert "critère inconnu « beaute »" in capsys.readouterr().err
