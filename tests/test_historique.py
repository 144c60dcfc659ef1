"""Recording a decided wave into the programme history: the next wave sees it, the same wave
is refused twice, a stale decision is refused, and the previous history is never lost."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import openpyxl
import pytest

from allocation.modele.probleme import construire_probleme
from allocation.sorties.historique import enregistrer_vague, lignes_historique
from commun.constats import Constats
from fabriques.cli import main
from lecture.historique import lire_historique
from lecture.programme import lire_regles
from lecture.vague import lire_vague
from notation.normalisation import noter

SAMPLES = Path(__file__).resolve().parents[1] / "sample_waves"


@pytest.fixture
def programme(tmp_path):
    """A copy of the samples: waves 5 and 6 beside the history of waves 1–4."""
    for name in ("vague-05.xlsx", "laureats.xlsx", "programme.toml"):
        shutil.copy(SAMPLES / name, tmp_path / name)
    return tmp_path


def _history(path):
    constats = Constats()
    table = lire_historique(path, constats)
    assert constats.codes() == []
    return table


def test_recording_a_wave_appends_its_laureates_and_keeps_a_backup(programme, capsys):
    history = programme / "laureats.xlsx"
    before = history.read_bytes()
    avant = len(_history(history))
    allocation = programme / "allocation.xlsx"
    assert main(["allocate", str(programme / "vague-05.xlsx"), "--out", str(allocation)]) == 0
    assert main(["record", str(programme / "vague-05.xlsx"), "--allocation",
                 str(allocation)]) == 0
    assert "Vague 5 enregistrée : 30 lauréats" in capsys.readouterr().out
    table = _history(history)
    assert len(table) == avant + 30
    recorded = table[table["vague"] == 5]
    assert set(recorded["annee"]) == {2021}  # [vague] annee of the sample programme
    laureats = [r[0].value for r in openpyxl.load_workbook(allocation)["laureats"].iter_rows(
        min_row=2, max_col=1)]
    assert sorted(recorded["dossier"]) == sorted(laureats)
    wave = lire_vague(programme / "vague-05.xlsx").vague
    for row in recorded.itertuples():
        source = wave.dossiers.loc[row.dossier]
        assert row.lieux == tuple(sorted(source["lieux"]))
        assert (row.departement, row.qpv, row.montant) == (
            source["departement"], source["qpv"], source["montant"])
    assert (programme / "laureats.avant-vague-05.xlsx").read_bytes() == before


def test_the_next_wave_sees_the_recorded_laureates(programme):
    allocation = programme / "allocation.xlsx"
    assert main(["allocate", str(programme / "vague-05.xlsx"), "--out", str(allocation)]) == 0
    assert main(["record", str(programme / "vague-05.xlsx"), "--allocation",
                 str(allocation)]) == 0
    history = _history(programme / "laureats.xlsx")
    # Wave 6 against the new history: its paces are those of the generator's own wave-6
    # history (waves 1–5), which holds the same counts per category.
    constats = Constats()
    rules = lire_regles(programme / "programme.toml", 6, constats)
    vague = lire_vague(SAMPLES / "vague-06").vague
    probleme = construire_probleme(vague.dossiers, noter(vague, "raw").score, rules, history)
    assert probleme.enveloppe_restante == 45_000_000 - int(history["montant"].sum())
    for departement, count in history["departement"].value_counts().items():
        assert probleme.deja_par_departement[departement] == count
    qpv = int(history["qpv"].sum())
    assert probleme.bornes["qpv"].restant == 150 - qpv
    assert probleme.bornes["hors_qpv"].restant == 150 - (len(history) - qpv)


def test_the_same_wave_is_refused_twice_and_the_history_is_untouched(programme, capsys):
    allocation = programme / "allocation.xlsx"
    assert main(["allocate", str(programme / "vague-05.xlsx"), "--out", str(allocation)]) == 0
    assert main(["record", str(programme / "vague-05.xlsx"), "--allocation",
                 str(allocation)]) == 0
    after_first = (programme / "laureats.xlsx").read_bytes()
    capsys.readouterr()
    # Through the API, even a different selection of wave 5 is refused.
    constats = Constats()
    wave = lire_vague(programme / "vague-05.xlsx").vague
    rows = lignes_historique(wave.dossiers, {"V05-001": 100_000}, 5)
    assert enregistrer_vague(programme / "laureats.xlsx", rows, constats) is None
    assert constats.codes() == ["vague_deja_enregistree"]
    assert main(["record", str(programme / "vague-05.xlsx"), "--allocation",
                 str(allocation)]) == 2
    assert "vague_deja_enregistree" in capsys.readouterr().err
    assert (programme / "laureats.xlsx").read_bytes() == after_first


def test_a_decision_taken_on_another_history_is_refused(programme, capsys):
    allocation = programme / "allocation.xlsx"
    assert main(["allocate", str(programme / "vague-05.xlsx"), "--out", str(allocation)]) == 0
    history = programme / "laureats.xlsx"
    workbook = openpyxl.load_workbook(history)
    workbook["laureats"].delete_rows(workbook["laureats"].max_row)  # someone edits it
    workbook.save(history)
    edited = history.read_bytes()
    assert main(["record", str(programme / "vague-05.xlsx"), "--allocation",
                 str(allocation)]) == 2
    assert "decision_perimee" in capsys.readouterr().err
    assert history.read_bytes() == edited


def test_a_decision_from_other_wave_files_is_refused(programme, capsys):
    allocation = programme / "allocation.xlsx"
    assert main(["allocate", str(programme / "vague-05.xlsx"), "--out", str(allocation)]) == 0
    workbook = openpyxl.load_workbook(programme / "vague-05.xlsx")
    workbook["dossiers"]["B2"] = "Nom changé après la décision"
    workbook.save(programme / "vague-05.xlsx")
    assert main(["record", str(programme / "vague-05.xlsx"), "--allocation",
                 str(allocation)]) == 2
    err = capsys.readouterr().err
    assert "decision_perimee" in err and "vague-05.xlsx" in err


def test_a_first_wave_creates_the_history(tmp_path):
    wave = lire_vague(SAMPLES / "vague-05.xlsx").vague
    rows = lignes_historique(wave.dossiers, {"V05-001": 100_000, "V05-003": 75_000}, 1)
    constats = Constats()
    assert enregistrer_vague(tmp_path / "laureats.xlsx", rows, constats, "aucun") is None
    assert constats.codes() == []
    table = _history(tmp_path / "laureats.xlsx")
    assert table["dossier"].tolist() == ["V05-001", "V05-003"]
    assert table["montant"].tolist() == [100_000, 75_000]


def test_an_interrupted_write_leaves_the_history_intact(programme, monkeypatch):
    history = programme / "laureats.xlsx"
    before = history.read_bytes()
    wave = lire_vague(programme / "vague-05.xlsx").vague
    rows = lignes_historique(wave.dossiers, {"V05-001": 100_000}, 5)
    real_replace = os.replace

    def killed(source, target):
        if Path(target) == history:
            raise KeyboardInterrupt  # the process dies just before the rename
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        enregistrer_vague(history, rows, Constats())
    assert history.read_bytes() == before
    assert not list(programme.glob(".laureats.xlsx.*"))  # no temporary left behind


def test_recorded_text_cannot_become_a_formula(programme):
    history = programme / "laureats.xlsx"
    wave = lire_vague(programme / "vague-05.xlsx").vague
    dossiers = wave.dossiers.copy()
    dossiers.loc["V05-001", "nom"] = '=HYPERLINK("http://exemple.invalid","clic")'
    constats = Constats()
    enregistrer_vague(history, lignes_historique(dossiers, {"V05-001": 100_000}, 5), constats)
    assert constats.codes() == []
    sheet = openpyxl.load_workbook(history)["laureats"]
    cell = sheet.cell(row=sheet.max_row, column=2)
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")
