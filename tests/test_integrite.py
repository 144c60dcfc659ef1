"""Integrity under faults and hostile hands (issue 27), one group of tests per attack:

1. identifiers that would name a file outside its folder; 2. concurrent ``record``;
3. a journal cut, deleted or rewritten; 4. an output over an input; 5. line separators in
the journal; 6. a verb interrupted half-way; 7. tracebacks instead of French messages;
8. oversized CSV files; 9. file modes. (10, the app's downloads and login: test_app.py.)
The kill -9 trials are in test_coupures.py.
"""

from __future__ import annotations

import copy
import errno
import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from pathlib import Path, PurePosixPath, PureWindowsPath

import openpyxl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from commun.constats import Constats
from commun.journal import Journal
from commun.noms import NOMS_RESERVES, probleme_de_nom
from fabriques.cli import main
from lecture.chargement import charger
from lecture.conteneurs import LIGNES_MAX, TAILLE_MAX_TEXTE, lire_csv
from tests.ds.serveur import servir
from tests.factories import commande_disque_lent, ecrire, petite_vague, vague_minimale

RACINE = Path(__file__).resolve().parents[1]
VAGUE_08 = RACINE / "sample_waves" / "vague-08"


def _journal() -> Path:
    """The small wave's journal (conftest puts journals under FABRIQUES_JOURNAUX)."""
    return Path(os.environ["FABRIQUES_JOURNAUX"]) / "vague-01" / "journal.jsonl"


def _evenements() -> list[str]:
    return [e.evenement for e in Journal(_journal()).lisibles()]


def _contenus(dossier: Path) -> dict[str, bytes]:
    """Every file under ``dossier`` (locks aside), by relative path."""
    return {str(p.relative_to(dossier)): p.read_bytes() for p in sorted(dossier.rglob("*"))
            if p.is_file() and p.name != ".fabriques.verrou"}


@pytest.fixture
def petite(tmp_path: Path) -> Path:
    """The small wave 1 (a workbook) with its programme, no history yet."""
    return petite_vague(tmp_path)


@pytest.fixture
def enregistree(petite: Path) -> dict[str, Path]:
    """The small wave decided in a meeting and recorded into a new history."""
    allocation = petite.parent.parent / "allocation.xlsx"
    assert main(["seance", str(petite), "--retenir", "D3:projet exemplaire"]) == 0
    assert main(["allocate", str(petite), "--out", str(allocation)]) == 0
    assert main(["record", str(petite), "--allocation", str(allocation)]) == 0
    return {"vague": petite, "allocation": allocation, "historique":
            petite.parent / "laureats.xlsx", "journal": _journal()}


# --------------------------------------------------------------- 1. identifiers as file names

@pytest.fixture
def preparee(tmp_path: Path) -> Path:
    """vague-08 before its notes (dossiers, jury, programme, history)."""
    dossier = tmp_path / "vagues" / "vague-08"
    dossier.mkdir(parents=True)
    for nom in ("dossiers.xlsx", "jury.xlsx", "programme.toml", "laureats.xlsx"):
        shutil.copy(VAGUE_08 / nom, dossier / nom)
    return dossier


def _renommer_jure(dossier: Path, ancien: str, nouveau: str) -> int:
    """Give juror ``ancien`` the id ``nouveau`` everywhere in jury.xlsx; its row number."""
    classeur = openpyxl.load_workbook(dossier / "jury.xlsx")
    ligne = 0
    for feuille in classeur.worksheets:
        for rangee in feuille.iter_rows():
            for cellule in rangee:
                if cellule.value == ancien:
                    cellule.value = nouveau
                    if feuille.title == "jury":
                        ligne = cellule.row
    classeur.save(dossier / "jury.xlsx")
    return ligne


@pytest.mark.parametrize("jure", ["../../evade", "{absolu}", "..", "NUL",
                                  "com1.grille", "J03/../../evade", "C:\\evade", "J03.",
                                  "J03\u2028bis", "é" * 101])
def test_a_juror_id_that_cannot_be_a_plain_file_name_is_refused_where_it_is_read(
        preparee: Path, tmp_path: Path, jure: str, capsys: pytest.CaptureFixture[str]) -> None:
    jure = jure.format(absolu=tmp_path / "dehors" / "absolu")
    ligne = _renommer_jure(preparee, "J03", jure)
    avant = _contenus(tmp_path)
    grilles, sortie = tmp_path / "sorties" / "grilles", tmp_path / "sorties" / "a.xlsx"
    assert main(["repartir", str(preparee), "--par-dossier", "3", "--out", str(sortie),
                 "--grilles", str(grilles)]) == 2
    err = capsys.readouterr().err
    assert f"jury.xlsx › feuille « jury » › ligne {ligne} › colonne « jure »" in err
    assert "[identifiant_invalide]" in err
    assert _contenus(tmp_path) == avant  # nothing written, inside the folder or out of it


def test_a_dossier_id_and_a_wave_name_are_checked_the_same_way(tmp_path: Path) -> None:
    feuilles = copy.deepcopy(vague_minimale())
    feuilles["dossiers"][2][0] = "../D2"
    constats = charger(ecrire(tmp_path / "vague-01.xlsx", feuilles)).constats
    assert [(c.feuille, c.ligne, c.colonne) for c in constats
            if c.code == "identifiant_invalide"] == [("dossiers", 3, "dossier")]
    dossier = tmp_path / "vague\u2028 06"
    dossier.mkdir()
    assert "identifiant_invalide" in charger(dossier).constats.codes()


def test_the_apps_zip_can_only_be_built_from_plain_juror_ids(preparee: Path) -> None:
    _renommer_jure(preparee, "J03", "../../x")
    chargement = charger(preparee, avec_notes=False)
    assert not chargement.valide and "identifiant_invalide" in chargement.constats.codes()


@given(st.text(max_size=120))
def test_an_accepted_name_stays_a_plain_name_in_its_folder_on_every_system(nom: str) -> None:
    if probleme_de_nom(nom) is not None:
        return
    for systeme in (PurePosixPath, PureWindowsPath):
        chemin = systeme("dossier") / nom
        assert chemin.parent == systeme("dossier") and chemin.name == nom
        assert not systeme(nom).is_absolute() and systeme(nom).parts == (nom,)
    assert ".." not in nom and nom.strip(" .") == nom
    assert nom.split(".")[0].upper() not in NOMS_RESERVES


@given(st.text(min_size=1, max_size=20), st.sampled_from(
    ["/", "\\", "..", ":", "\0", "\n", "\u2028", "\u0085", "*", "?", "<", "|", '"']))
def test_a_name_with_a_separator_or_a_forbidden_character_is_refused(debut: str,
                                                                     interdit: str) -> None:
    assert probleme_de_nom(debut + interdit + "x") is not None
    assert probleme_de_nom(interdit + debut) is not None


@pytest.mark.parametrize("nom", ["J01", "V06-001", "12345678", "Jurée Dupont", "M. Lévy",
                                 "D_1 (bis)", "L'Atelier"])
def test_ordinary_ids_are_accepted(nom: str) -> None:
    assert probleme_de_nom(nom) is None


# --------------------------------------------------------------- 2. concurrent record

#: Each run waits for the start signal, then records on a slow disk (0.2 s per flush and per
#: rename): every run has read the history long before the first one has written it.
_COURSE = commande_disque_lent(0.2, depart=True)


def test_concurrent_records_are_serialised_and_the_others_find_the_wave_recorded(
        petite: Path, tmp_path: Path) -> None:
    """Four ``record`` of four different decisions, released at the same instant: one
    wins, three find the wave already recorded; the history and the journal agree."""
    allocations = []
    for k, exclu in enumerate(("D1", "D2", "D3", "D4")):
        allocation = tmp_path / f"allocation-{k}.xlsx"
        assert main(["allocate", str(petite), "--out", str(allocation),
                     "--exclure", f"{exclu}:essai {k}"]) == 0
        allocations.append(allocation)
    laureats = [set(pd.read_excel(a, sheet_name="laureats", engine="calamine")["dossier"])
                for a in allocations]
    assert len({frozenset(x) for x in laureats}) > 1
    depart = tmp_path / "partez"
    env = {**os.environ, "PYTHONPATH": str(RACINE)}
    processus = [subprocess.Popen(
        [sys.executable, "-c", _COURSE, str(depart), "record", str(petite), "--allocation",
         str(a)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for a in allocations]
    depart.touch()
    sorties = [(p.wait(timeout=300), p.stdout.read(), p.stderr.read())  # type: ignore[union-attr]
               for p in processus]
    codes = [code for code, _, _ in sorties]
    assert sorted(codes) == [0, 2, 2, 2], sorties
    for code, _, err in sorties:
        if code:
            assert "vague_deja_enregistree" in err
    gagnant = codes.index(0)
    historique = pd.read_excel(petite.parent / "laureats.xlsx", sheet_name="laureats",
                               engine="calamine")
    assert set(historique["dossier"]) == laureats[gagnant]
    journal = Journal(_journal())
    enregistrements = [e for e in journal.entrees() if e.evenement == "enregistrement"]
    assert len(enregistrements) == 1
    assert set(enregistrements[0].donnees["laureats"]) == laureats[gagnant]
    assert journal.verifier().intact


# --------------------------------------------------------------- 3. the journal's anchors

def test_a_journal_cut_after_the_record_is_refused_by_every_verb_that_decides(
        enregistree: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    journal = enregistree["journal"]
    lignes = journal.read_text(encoding="utf-8").splitlines()
    journal.write_text("".join(ligne + "\n" for ligne in lignes[:2]), encoding="utf-8")
    capsys.readouterr()
    assert main(["journal", str(enregistree["vague"]), "--verifier"]) == 2
    assert "des entrées ont été retirées" in capsys.readouterr().err
    sortie = enregistree["vague"].parent / "autre.xlsx"
    assert main(["allocate", str(enregistree["vague"]), "--out", str(sortie)]) == 2
    assert "Journal altéré" in capsys.readouterr().err and not sortie.exists()
    pv = enregistree["vague"].parent / "pv.pdf"
    assert main(["proces-verbal", str(enregistree["vague"]), "--allocation",
                 str(enregistree["allocation"]), "--out", str(pv)]) == 2
    assert "Journal altéré" in capsys.readouterr().err and not pv.exists()


def test_allocate_refuses_a_journal_cut_below_the_decision_it_replaces(
        petite: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    allocation = tmp_path / "allocation.xlsx"
    assert main(["seance", str(petite), "--ecarter", "D1:dossier retiré"]) == 0
    assert main(["allocate", str(petite), "--out", str(allocation)]) == 0
    avant = allocation.read_bytes()
    lignes = _journal().read_text(encoding="utf-8").splitlines()
    _journal().write_text(lignes[0] + "\n", encoding="utf-8")  # « D1 écarté » dropped
    capsys.readouterr()
    assert main(["allocate", str(petite), "--out", str(allocation)]) == 2
    assert "Journal altéré" in capsys.readouterr().err
    assert allocation.read_bytes() == avant


def test_a_deleted_journal_is_refused_while_the_history_anchors_it(
        enregistree: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    enregistree["journal"].unlink()
    capsys.readouterr()
    assert main(["journal", str(enregistree["vague"]), "--verifier"]) == 2
    assert "supprimé" in capsys.readouterr().err
    sortie = enregistree["vague"].parent / "autre.xlsx"
    assert main(["allocate", str(enregistree["vague"]), "--out", str(sortie)]) == 2
    assert "Journal altéré" in capsys.readouterr().err
    assert not enregistree["journal"].exists()  # no new chain started in its place


def test_record_refuses_a_deleted_journal_when_the_decision_cites_one(
        petite: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    allocation = tmp_path / "allocation.xlsx"
    assert main(["seance", str(petite), "--ecarter", "D1:dossier retiré"]) == 0
    assert main(["allocate", str(petite), "--out", str(allocation)]) == 0
    _journal().unlink()
    capsys.readouterr()
    assert main(["record", str(petite), "--allocation", str(allocation)]) == 2
    assert "Journal altéré" in capsys.readouterr().err
    assert not (petite.parent / "laureats.xlsx").exists()


def test_the_proces_verbal_compares_the_decisions_anchor_with_the_journal(
        petite: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    allocation = tmp_path / "allocation.xlsx"
    assert main(["seance", str(petite), "--ecarter", "D1:dossier retiré"]) == 0
    assert main(["allocate", str(petite), "--out", str(allocation)]) == 0
    lignes = _journal().read_text(encoding="utf-8").splitlines()
    _journal().write_text(lignes[0] + "\n", encoding="utf-8")  # a chain still, but cut
    capsys.readouterr()
    pv = tmp_path / "pv.pdf"
    assert main(["proces-verbal", str(petite), "--allocation", str(allocation),
                 "--out", str(pv)]) == 2
    assert "le classeur d'allocation allocation.xlsx" in capsys.readouterr().err
    assert not pv.exists()


def _ajouter_sans_cle(journal: Path, evenement: str, donnees: dict[str, object]) -> None:
    """What someone who can write the folder, but has not the key, can append: an entry
    with its hashes recomputed."""
    from commun.chaine import empreinte_de

    dernier = json.loads(journal.read_text(encoding="utf-8").splitlines()[-1])
    champs = {"numero": dernier["numero"] + 1, "horodatage": dernier["horodatage"],
              "evenement": evenement, "donnees": donnees, "precedent": dernier["empreinte"]}
    champs["empreinte"] = empreinte_de(champs)
    with journal.open("a", encoding="utf-8") as flux:
        flux.write(json.dumps(champs, ensure_ascii=False, sort_keys=True) + "\n")


def test_with_a_key_an_entry_written_without_it_is_refused(
        petite: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("FABRIQUES_CLE_JOURNAL", "clé du secrétariat")
    assert main(["seance", str(petite), "--ecarter", "D1:dossier retiré"]) == 0
    assert all(e.signature for e in Journal(_journal()).entrees())
    assert main(["journal", str(petite), "--verifier"]) == 0
    _ajouter_sans_cle(_journal(), "retenir", {"dossier": "D7", "raison": "imposé en douce"})
    capsys.readouterr()
    assert main(["journal", str(petite), "--verifier"]) == 2
    assert "sans la clé" in capsys.readouterr().err
    sortie = tmp_path / "a.xlsx"
    assert main(["allocate", str(petite), "--out", str(sortie)]) == 2
    assert not sortie.exists()
    monkeypatch.setenv("FABRIQUES_CLE_JOURNAL", "une autre clé")
    lignes = _journal().read_text(encoding="utf-8").splitlines()
    _journal().write_text("".join(ligne + "\n" for ligne in lignes[:-1]), encoding="utf-8")
    assert not Journal(_journal()).verifier().intact  # signed under another key


def test_a_signed_journal_read_without_its_key_is_not_trusted(
        petite: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Unsetting the key does not turn the signatures off: a signed journal read without it
    is refused, and an unsigned entry after signed ones is altered even without a key."""
    monkeypatch.setenv("FABRIQUES_CLE_JOURNAL", "clé du secrétariat")
    assert main(["seance", str(petite), "--ecarter", "D1:dossier retiré"]) == 0
    monkeypatch.delenv("FABRIQUES_CLE_JOURNAL")
    capsys.readouterr()
    assert main(["journal", str(petite), "--verifier"]) == 2
    assert "la clé" in capsys.readouterr().err
    _ajouter_sans_cle(_journal(), "retenir", {"dossier": "D7", "raison": "imposé en douce"})
    verification = Journal(_journal()).verifier()
    assert not verification.intact and verification.premiere_alteree >= 1


def test_an_override_says_how_much_of_the_meeting_it_drops(petite: Path,
                                                            capsys) -> None:
    assert main(["seance", str(petite), "--ecarter", "D1:dossier retiré"]) == 0
    with _journal().open("a", encoding="utf-8") as flux:
        flux.write("[" * 100_000 + "\n")  # unreadable, and deep enough to crash a parser
    capsys.readouterr()
    assert main(["journal", str(petite), "--verifier"]) == 2
    assert "ligne illisible" in capsys.readouterr().err
    assert main(["seance", str(petite), "--ignorer-journal", "ligne abîmée par un copier-coller",
                 "--retenir", "D2:projet solide"]) == 0
    assert "1 écarté(s)" in capsys.readouterr().err


def test_a_control_character_in_a_reason_never_stops_the_workbook(petite: Path,
                                                                   tmp_path: Path) -> None:
    assert main(["seance", str(petite), "--ecarter", "D1:raison\x0bcollée"]) == 0
    assert main(["allocate", str(petite), "--out", str(tmp_path / "a.xlsx")]) == 0


# --------------------------------------------------------------- 4. outputs over inputs

def _cibles(enregistree: dict[str, Path]) -> dict[str, Path]:
    vague = enregistree["vague"]
    lien = vague.parent / "lien-dur.xlsx"
    os.link(enregistree["historique"], lien)
    return {"historique": enregistree["historique"], "vague": vague,
            "programme": vague.parent / "programme.toml", "journal": enregistree["journal"],
            "allocation": enregistree["allocation"], "lien dur": lien,
            "verrou": enregistree["journal"].parent / ".fabriques.verrou"}


@pytest.mark.parametrize("verbe, option", [
    ("score", "--out"), ("allocate", "--out"), ("allocate", "--public"),
    ("allocate", "--modele"), ("tradeoffs", "--out"), ("proces-verbal", "--out")])
def test_no_output_ever_replaces_an_input_or_the_journal(
        enregistree: dict[str, Path], verbe: str, option: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    cibles = _cibles(enregistree)
    avant = {nom: p.read_bytes() for nom, p in cibles.items()}
    autres = {"proces-verbal": ["--allocation", str(enregistree["allocation"])],
              "tradeoffs": ["--tirages", "0"]}.get(verbe, [])
    for nom, cible in cibles.items():
        if nom == "allocation" and verbe != "proces-verbal":
            continue  # an input of proces-verbal only
        capsys.readouterr()
        assert main([verbe, str(enregistree["vague"]), *autres, option, str(cible)]) == 2, nom
        assert "Refus d'écrire sur un fichier d'entrée" in capsys.readouterr().err, nom
        assert {n: p.read_bytes() for n, p in cibles.items()} == avant, nom


def test_grids_are_never_written_over_the_waves_files(preparee: Path,
                                                      tmp_path: Path) -> None:
    avant = _contenus(preparee)
    assert main(["repartir", str(preparee), "--par-dossier", "3", "--grilles", str(preparee),
                 "--out", str(preparee / "jury.xlsx")]) == 2
    assert _contenus(preparee) == avant


# --------------------------------------------------------------- 5. line separators

SEPARATEURS = "\u2028\u2029\x85"


def test_a_reason_holding_line_separators_keeps_its_decision(
        petite: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    raison = "projet exemplaire\u2028validé\u2029par le jury\x85à l'unanimité"
    assert main(["seance", str(petite), "--retenir", f"D7:{raison}"]) == 0
    assert "1 retenu(s)" in capsys.readouterr().out
    brut = _journal().read_text(encoding="utf-8")
    assert not any(s in brut for s in SEPARATEURS)
    assert brut.count("\n") == 2  # chargement, retenir: one line each
    assert main(["journal", str(petite), "--verifier"]) == 0
    sortie = tmp_path / "a.xlsx"
    assert main(["allocate", str(petite), "--out", str(sortie)]) == 0
    parametres = pd.read_excel(sortie, sheet_name="parametres",
                               engine="calamine").set_index("parametre")
    assert parametres.loc["imposé D7", "valeur"] == raison


def test_a_journal_written_with_raw_separators_is_still_read(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.jsonl")
    journal.ajouter("retenir", {"dossier": "D1", "raison": "ligne\u2028suite"})
    ligne = journal.chemin.read_text(encoding="utf-8").replace("\\u2028", "\u2028")
    journal.chemin.write_text(ligne, encoding="utf-8")  # as earlier versions wrote it
    assert journal.verifier().intact
    assert journal.entrees()[0].donnees["raison"] == "ligne\u2028suite"


@given(st.text(), st.text())
def test_any_text_goes_through_the_journal_unchanged(tmp_path_factory: pytest.TempPathFactory,
                                                     dossier: str, raison: str) -> None:
    journal = Journal(tmp_path_factory.mktemp("j") / "journal.jsonl")
    journal.ajouter("retenir", {"dossier": dossier, "raison": raison})
    journal.ajouter("ecarter", {"dossier": raison, "raison": dossier})
    assert journal.verifier().intact
    assert [dict(e.donnees) for e in journal.entrees()] == [
        {"dossier": dossier, "raison": raison}, {"dossier": raison, "raison": dossier}]
    assert journal.chemin.read_text(encoding="utf-8").count("\n") == 2


# --------------------------------------------------------------- 6. interrupted verbs

@contextmanager
def _coupe_au_renommage(rang: int) -> Iterator[None]:
    """The process « dies » (KeyboardInterrupt) at the ``rang``-th rename of a set."""
    vrai = os.replace
    compte = {"n": 0}

    def coupe(source: object, cible: object) -> None:
        if str(source).endswith(".tmp") and ".fabriques-ecriture" not in str(cible):
            compte["n"] += 1
            if compte["n"] == rang:
                raise KeyboardInterrupt
        vrai(source, cible)  # type: ignore[arg-type]

    os.replace = coupe  # type: ignore[assignment]
    try:
        yield
    finally:
        os.replace = vrai


def _sha(chemin: Path) -> str:
    return hashlib.sha256(chemin.read_bytes()).hexdigest()


def test_an_allocate_cut_between_its_renames_is_finished_by_the_next_command(
        petite: Path, tmp_path: Path) -> None:
    sorties = {n: tmp_path / f"{n}.xlsx" for n in ("allocation", "public", "retours")}
    options = ["--out", str(sorties["allocation"]), "--public", str(sorties["public"]),
               "--retours", str(sorties["retours"])]
    with _coupe_au_renommage(2):
        assert main(["allocate", str(petite), *options]) == 130
    assert main(["journal", str(petite), "--verifier"]) == 0  # any verb on the wave
    derniere = Journal(_journal()).entrees()[-1]
    assert derniere.evenement == "allocation"
    from application.service import empreinte_des_lettres

    lettres = {p: p.read_bytes() for p in (tmp_path / "retours-lettres").iterdir()}
    assert len(lettres) == 8  # one per dossier of the wave, all renamed
    assert derniere.donnees["sorties"] == {**{p.name: _sha(p) for p in sorties.values()},
                                           "retours-lettres/": empreinte_des_lettres(lettres)}
    assert not list(tmp_path.rglob("*.tmp"))


def test_a_record_cut_before_its_journal_entry_is_finished_and_anchored(
        petite: Path, tmp_path: Path) -> None:
    allocation = tmp_path / "allocation.xlsx"
    assert main(["allocate", str(petite), "--out", str(allocation)]) == 0
    with _coupe_au_renommage(2):  # the history renamed, the journal not yet
        assert main(["record", str(petite), "--allocation", str(allocation)]) == 130
    assert main(["journal", str(petite), "--verifier"]) == 0
    assert _evenements()[-1] == "enregistrement"
    from commun.constats import Constats
    from lecture.historique import lire_ancres

    ancre = lire_ancres(petite.parent / "laureats.xlsx", Constats())[1]
    entrees = Journal(_journal()).entrees()
    assert (ancre.empreinte, ancre.entrees) == (entrees[-1].empreinte, len(entrees))
    assert main(["record", str(petite), "--allocation", str(allocation)]) == 2


def test_a_write_that_fails_leaves_the_old_files_and_no_temporary_file(
        petite: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    sorties = [tmp_path / "allocation.xlsx", tmp_path / "public.xlsx"]
    for sortie in sorties:
        sortie.write_bytes(b"ancien")
    avant_journal = _journal().read_bytes() if _journal().exists() else None
    vrai = os.fsync

    def disque_plein(descripteur: int) -> None:  # the disk fills up writing the public list
        if ".public.xlsx." in os.readlink(f"/proc/self/fd/{descripteur}"):
            raise OSError(errno.ENOSPC, "No space left on device")
        vrai(descripteur)

    monkeypatch.setattr(os, "fsync", disque_plein)
    assert main(["allocate", str(petite), "--out", str(sorties[0]),
                 "--public", str(sorties[1])]) == 4
    assert "plus de place sur le disque" in capsys.readouterr().err
    assert [s.read_bytes() for s in sorties] == [b"ancien", b"ancien"]
    assert (_journal().read_bytes() if _journal().exists() else None) == avant_journal
    assert not [p for p in tmp_path.rglob(".*") if p.name != ".fabriques.verrou"]


# --------------------------------------------------------------- 7. French messages, not tracebacks

def _sans_notes(tmp_path: Path) -> Path:
    feuilles = copy.deepcopy(vague_minimale())
    for i in range(1, 11):
        feuilles[f"J{i:02d}"] = [feuilles[f"J{i:02d}"][0]] + [
            [f"D{d}"] + [None] * 7 for d in range(1, 5)]
    return _avec_programme(ecrire(tmp_path / "vague-01.xlsx", feuilles))


def _montant_enorme(tmp_path: Path) -> Path:
    feuilles = copy.deepcopy(vague_minimale())
    feuilles["dossiers"][1][10] = 1e300
    return _avec_programme(ecrire(tmp_path / "vague-01.xlsx", feuilles))


def _avec_programme(vague: Path) -> Path:
    (vague.parent / "programme.toml").write_text("[vague]\nnumero = 1\n", encoding="utf-8")
    return vague


VERBES = {"check": [], "score": ["--out", "{s}/s.xlsx"], "allocate": ["--out", "{s}/a.xlsx"],
          "tradeoffs": ["--out", "{s}/t.xlsx", "--tirages", "0"],
          "seance": ["--retenir", "D1:raison"], "repartir": ["--complement", "2"],
          "proces-verbal": ["--allocation", "{s}/a.xlsx", "--out", "{s}/pv.pdf"],
          "record": ["--allocation", "{s}/a.xlsx"]}


@pytest.mark.parametrize("cas, attendu", [(_sans_notes, "aucune note"),
                                          (_montant_enorme, "colonne « montant »")])
@pytest.mark.parametrize("verbe", sorted(VERBES))
def test_bad_inputs_give_a_located_french_error_in_every_verb(
        tmp_path: Path, cas, attendu: str, verbe: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    vague = cas(tmp_path)
    options = [o.format(s=tmp_path) for o in VERBES[verbe]]
    assert main([verbe, str(vague), *options]) == 2
    sortie = capsys.readouterr()
    assert attendu in sortie.out + sortie.err  # check lists its findings on stdout


SORTIES = {"score": [], "allocate": [], "tradeoffs": ["--tirages", "0"],
           "repartir": ["--par-dossier", "3"]}


@pytest.mark.parametrize("verbe", sorted(SORTIES))
def test_an_output_path_that_cannot_be_a_file_is_said_in_french(
        petite: Path, tmp_path: Path, verbe: str, capsys: pytest.CaptureFixture[str]) -> None:
    fichier = tmp_path / "un-fichier"
    fichier.write_text("x")
    for sortie, attendu in ((tmp_path, "est un dossier"),
                            (fichier / "sous.xlsx", "est un fichier, pas un dossier")):
        capsys.readouterr()
        assert main([verbe, str(petite), *SORTIES[verbe], "--out", str(sortie)]) == 2
        assert attendu in capsys.readouterr().err
    assert fichier.read_text() == "x"


@pytest.mark.parametrize("verbe", sorted(SORTIES))
def test_an_unwritable_place_is_said_in_french_with_the_environment_code(
        petite: Path, tmp_path: Path, verbe: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    interdit = tmp_path / "interdit"
    interdit.mkdir()
    vrai = os.open

    def refuse(chemin: object, *args: object, **kwargs: object) -> int:
        if str(chemin).startswith(str(interdit)):
            raise PermissionError(errno.EACCES, "Permission denied", str(chemin))
        return vrai(chemin, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", refuse)
    assert main([verbe, str(petite), *SORTIES[verbe], "--out",
                 str(interdit / "sortie.xlsx")]) == 4
    err = capsys.readouterr().err
    assert "permission refusée" in err and "Traceback" not in err


class _Tube:
    """An output whose reader has gone (``fabriques check | head``)."""

    def write(self, _texte: str) -> int:
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")

    def flush(self) -> None:
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")


@pytest.mark.parametrize("verbe", ["check", "journal", "seance"])
def test_a_closed_pipe_ends_the_command_quietly(petite: Path, verbe: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    assert main(["seance", str(petite)]) == 0  # a journal to list
    monkeypatch.setattr(sys, "stdout", _Tube())
    assert main([verbe, str(petite)]) == 4


def test_check_piped_into_a_closed_reader_prints_no_traceback(petite: Path) -> None:
    resultat = subprocess.run(  # ``true`` reads nothing: the first write finds no reader
        f'"{sys.executable}" -m fabriques.cli check "{petite}" | true', shell=True,
        capture_output=True, text=True, cwd=RACINE, timeout=300,
        env={**os.environ, "PYTHONPATH": str(RACINE)})
    assert "Traceback" not in resultat.stderr and "Exception" not in resultat.stderr, (
        resultat.stderr)


@contextmanager
def _plateforme_etrange(reponse: object) -> Iterator[str]:
    """An endpoint answering every request with ``reponse`` (a shape the platform never
    sends)."""
    corps = json.dumps(reponse).encode()

    class Gestionnaire(BaseHTTPRequestHandler):
        def log_message(self, *_: object) -> None:
            pass

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(corps)))
            self.end_headers()
            self.wfile.write(corps)

    with servir(Gestionnaire) as url:
        yield url


@pytest.mark.parametrize("reponse", [
    {"data": {"demarche": {"id": "P", "number": 7, "dossiers": {"nodes": [{"id": "x"}]}}}},
    {"data": {"demarche": {"dossiers": None}}}, {"data": []}, [1, 2], "texte"])
def test_an_unexpected_answer_from_the_platform_is_said_in_french(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reponse: object,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("FABRIQUES_DS_JETON", "jeton-secret")
    with _plateforme_etrange(reponse) as url:
        monkeypatch.setenv("FABRIQUES_DS_URL", url)
        assert main(["ds", "importer", "--demarche", "7", "--vague",
                     str(tmp_path / "vague-07")]) == 4
    err = capsys.readouterr().err
    assert "réponse inattendue" in err and "jeton-secret" not in err
    assert not (tmp_path / "vague-07" / "dossiers.xlsx").exists()


# --------------------------------------------------------------- 8. bounded CSV

def test_a_csv_with_too_many_rows_is_refused_with_a_french_finding(tmp_path: Path) -> None:
    from commun.constats import Constats

    chemin = tmp_path / "export.csv"
    ligne = "ID;Nom du projet;État du dossier\n"
    chemin.write_text(ligne + "".join(f"{k};projet {k};en_construction\n"
                                      for k in range(LIGNES_MAX + 1)), encoding="utf-8")
    constats = Constats()
    assert lire_csv(chemin, chemin.name, constats) is None
    assert constats.codes() == ["fichier_trop_volumineux"]
    assert str(LIGNES_MAX) in constats.erreurs[0].message


def test_a_csv_too_large_is_refused_before_it_is_read(tmp_path: Path) -> None:
    from commun.constats import Constats

    chemin = tmp_path / "export.csv"
    with chemin.open("wb") as flux:
        flux.truncate(TAILLE_MAX_TEXTE + 1)
    constats = Constats()
    assert lire_csv(chemin, chemin.name, constats) is None
    assert constats.codes() == ["fichier_trop_volumineux"]


def test_a_wave_whose_export_is_oversized_stops_at_reading(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]
                                                            ) -> None:
    dossier = tmp_path / "vague-07"
    dossier.mkdir()
    shutil.copy(VAGUE_08 / "jury.xlsx", dossier / "jury.xlsx")
    entete = "ID;Email;État du dossier;Dernière mise à jour le;Déposé le\n"
    (dossier / "export.csv").write_text(entete + "".join(
        f"{k};a@b.fr;en_construction;;\n" for k in range(100_000)), encoding="utf-8")
    assert main(["check", str(dossier)]) == 2
    assert "[fichier_trop_volumineux]" in capsys.readouterr().out


def test_an_oversized_journal_is_refused_not_read(tmp_path: Path) -> None:
    from commun.journal import TAILLE_MAX_JOURNAL, JournalAltere

    journal = Journal(tmp_path / "journal.jsonl")
    with journal.chemin.open("wb") as flux:
        flux.truncate(TAILLE_MAX_JOURNAL + 1)
    assert "Mo" in journal.verifier().message and not journal.verifier().intact
    with pytest.raises(JournalAltere):
        journal.ajouter("retenir", {"dossier": "D1", "raison": "x"})


# --------------------------------------------------------------- 9. modes

@contextmanager
def _umask(masque: int) -> Iterator[None]:
    ancien = os.umask(masque)
    try:
        yield
    finally:
        os.umask(ancien)


def _mode(chemin: Path) -> int:
    return stat.S_IMODE(chemin.stat().st_mode)


@pytest.mark.parametrize("masque", [0o022, 0o002, 0o077])
def test_outputs_take_the_mode_the_umask_gives(petite: Path, tmp_path: Path,
                                               masque: int) -> None:
    sorties = [tmp_path / "a.xlsx", tmp_path / "p.xlsx", tmp_path / "s.xlsx"]
    with _umask(masque):
        assert main(["allocate", str(petite), "--out", str(sorties[0]), "--public",
                     str(sorties[1])]) == 0
        assert main(["score", str(petite), "--out", str(sorties[2])]) == 0
        assert main(["record", str(petite), "--allocation", str(sorties[0])]) == 0
    # The lock stays: with a group's umask (002) a colleague must be able to take it.
    verrou = petite.parent / ".fabriques.verrou"
    for chemin in [*sorties, _journal(), petite.parent / "laureats.xlsx", verrou]:
        assert _mode(chemin) == 0o666 & ~masque, chemin


def test_a_replaced_file_keeps_its_mode(petite: Path, tmp_path: Path) -> None:
    allocation = tmp_path / "a.xlsx"
    with _umask(0o022):
        assert main(["seance", str(petite), "--ecarter", "D2:retiré"]) == 0
        assert main(["allocate", str(petite), "--out", str(allocation)]) == 0
        _journal().chmod(0o660)
        allocation.chmod(0o604)
        assert main(["seance", str(petite), "--ecarter", "D1:retiré"]) == 0
        assert main(["allocate", str(petite), "--out", str(allocation)]) == 0
    assert (_mode(_journal()), _mode(allocation)) == (0o660, 0o604)


def test_record_keeps_the_historys_mode_and_its_backup_too(tmp_path: Path) -> None:
    for nom in ("vague-05.xlsx", "laureats.xlsx", "programme.toml"):
        shutil.copy(RACINE / "sample_waves" / nom, tmp_path / nom)
    historique, allocation = tmp_path / "laureats.xlsx", tmp_path / "allocation.xlsx"
    historique.chmod(0o640)
    with _umask(0o022):
        assert main(["allocate", str(tmp_path / "vague-05.xlsx"), "--out",
                     str(allocation)]) == 0
        assert main(["record", str(tmp_path / "vague-05.xlsx"), "--allocation",
                     str(allocation)]) == 0
    assert _mode(historique) == 0o640
    assert _mode(tmp_path / "laureats.avant-vague-05.xlsx") == 0o640
    assert _mode(allocation) == 0o644


# ------------------------------------------------- intentions left behind (second review)
def test_a_planted_intention_renames_or_deletes_nothing(tmp_path):
    """An intention written by hand in a shared folder, naming other people's files, is
    deleted unread by the next command that takes the folder's lock."""
    import json

    from commun.fichiers import FICHIER_INTENTION
    from commun.verrous import verrous

    partage, victime = tmp_path / "partage", tmp_path / "victime"
    partage.mkdir()
    victime.mkdir()
    (victime / ".bashrc").write_text("à moi")
    (victime / "these.docx").write_text("ma thèse")
    (partage / "charge").write_text("malveillant")
    for etat in ("validee", "preparation"):
        (partage / FICHIER_INTENTION).write_text(json.dumps({"etat": etat, "fichiers": [
            [str(partage / "charge"), str(victime / ".bashrc"), None],
            [str(victime / "these.docx"), str(partage / "volee.docx"), None]]}))
        with verrous([partage]):
            pass
        assert (victime / ".bashrc").read_text() == "à moi"
        assert (victime / "these.docx").read_text() == "ma thèse"
        assert (partage / "charge").exists() and not (partage / FICHIER_INTENTION).exists()


def test_a_set_left_behind_is_not_finished_over_a_file_changed_since(tmp_path):
    """A writer killed after its intention was « validée »; meanwhile another writer changed
    the target (another wave recorded in a shared history): the stale set is abandoned, the
    newer file kept."""
    from commun import intention as module

    dossier = tmp_path / "etat"
    dossier.mkdir()
    cible = (tmp_path / "laureats.xlsx").absolute()
    cible.write_text("historique d'avant")
    provisoire = module.nom_provisoire(cible)
    provisoire.write_text("historique avec la vague 6")
    module.ecrire_intention(dossier, "validee", [(provisoire, cible)],
                            [module.etat_de(cible)])
    cible.write_text("historique avec la vague 7")  # written by another command meanwhile
    assert module.reprendre(dossier) == []
    assert cible.read_text() == "historique avec la vague 7"
    assert not provisoire.exists() and not (dossier / module.FICHIER_INTENTION).exists()
    # unchanged, the same set is finished
    provisoire.write_text("historique avec la vague 6")
    module.ecrire_intention(dossier, "validee", [(provisoire, cible)],
                            [module.etat_de(cible)])
    assert module.reprendre(dossier) == [cible]
    assert cible.read_text() == "historique avec la vague 6"


def test_a_cell_at_the_far_end_of_a_sheet_is_refused_before_it_is_read(tmp_path):
    """One cell at XFD1048576 (a 1.5 KB file) would make calamine build a 512 GB range and
    abort the process: the sheet's extent is read from its XML first, and refused."""
    from openpyxl import Workbook

    from lecture.conteneurs import lire_classeur

    for reference in ("XFD1048576", "T1048576", "ZZ60000"):
        classeur = Workbook()
        feuille = classeur.active
        feuille["A1"] = "dossier"
        feuille[reference] = "x"
        chemin = tmp_path / f"{reference}.xlsx"
        classeur.save(chemin)
        constats = Constats()
        assert lire_classeur(chemin, chemin.name, constats) is None
        assert constats.codes() == ["classeur_trop_volumineux"], reference
        assert "Ctrl+Fin" in constats.elements[0].message


def test_record_refuses_an_allocation_edited_by_hand(tmp_path, capsys):
    """A laureate replaced by hand in the allocation workbook: not the workbook allocate
    wrote (its SHA-256 is in no « allocation » entry of the journal), refused."""
    import openpyxl

    vague = tmp_path / "vague-06"
    shutil.copytree(RACINE / "sample_waves" / "vague-06", vague)
    allocation = tmp_path / "a.xlsx"
    assert main(["allocate", str(vague), "--out", str(allocation)]) == 0
    classeur = openpyxl.load_workbook(allocation)
    classeur["laureats"]["A2"] = "V06-001"
    classeur.save(allocation)
    avant = (vague / "laureats.xlsx").read_bytes()
    capsys.readouterr()
    assert main(["record", str(vague), "--allocation", str(allocation)]) == 2
    assert "allocation_hors_journal" in capsys.readouterr().err
    assert (vague / "laureats.xlsx").read_bytes() == avant


def test_record_through_a_linked_history_extends_the_shared_file(tmp_path):
    """The wave's laureats.xlsx is a link to the shared history: the shared file is the one
    extended (and locked), the link kept."""
    vague, partage = tmp_path / "vague-06", tmp_path / "partage"
    shutil.copytree(RACINE / "sample_waves" / "vague-06", vague)
    partage.mkdir()
    (vague / "laureats.xlsx").rename(partage / "laureats.xlsx")
    (vague / "laureats.xlsx").symlink_to(partage / "laureats.xlsx")
    avant = (partage / "laureats.xlsx").read_bytes()
    assert main(["allocate", str(vague), "--out", str(tmp_path / "a.xlsx")]) == 0
    assert main(["record", str(vague), "--allocation", str(tmp_path / "a.xlsx")]) == 0
    assert (vague / "laureats.xlsx").is_symlink()
    assert (partage / "laureats.xlsx").read_bytes() != avant


# ------------------------------------- names the tool reads, a journal of another wave
@pytest.mark.parametrize("nom", [
    "journal.jsonl", "laureats.xlsx", "LAUREATS.xlsx", "laureats.avant-vague-01.xlsx",
    "jury.xlsx", "dossiers.xlsx", ".fabriques.verrou", ".fabriques-ecriture.json"])
def test_an_output_never_takes_a_name_the_tool_reads_by_itself(petite: Path, nom: str,
                                                                capsys) -> None:
    """Not inputs of this run (the journal lives elsewhere, the first wave has no history
    yet), but a run would read them for what their name says, here or in another folder."""
    for dossier in (petite.parent, petite.parent.parent / "ailleurs"):
        dossier.mkdir(exist_ok=True)
        if not nom.startswith("."):  # beside the inputs, lock and intention are inputs
            _refusee(petite, dossier / nom, capsys)
    _refusee(petite, petite.parent.parent / "ailleurs" / nom, capsys)


def _refusee(petite: Path, cible: Path, capsys) -> None:
    assert main(["score", str(petite), "--out", str(cible)]) == 2
    assert "l'outil lirait ce fichier comme" in capsys.readouterr().err
    assert not cible.exists()


def test_an_output_is_never_written_among_a_waves_grids(preparee: Path, capsys) -> None:
    avant = _contenus(preparee)
    (preparee / "notes").mkdir()
    sortie = preparee / "notes" / "scores.xlsx"
    assert main(["repartir", str(preparee), "--par-dossier", "3", "--out", str(sortie)]) == 2
    assert "grille de juré" in capsys.readouterr().err
    assert not sortie.exists() and _contenus(preparee) == avant
    # a free name in the same folder is written
    assert main(["repartir", str(preparee), "--par-dossier", "3", "--out",
                 str(preparee / "affectation.xlsx")]) == 0


def test_the_journal_of_another_wave_is_refused(petite: Path, tmp_path: Path,
                                                capsys) -> None:
    assert main(["seance", str(petite), "--retenir", "D3:projet exemplaire"]) == 0
    autre = tmp_path / "autre"
    autre.mkdir()
    for nom in ("vague-05.xlsx", "laureats.xlsx", "programme.toml"):
        shutil.copy(RACINE / "sample_waves" / nom, autre / nom)
    sortie = tmp_path / "allocation-05.xlsx"
    capsys.readouterr()
    assert main(["allocate", str(autre / "vague-05.xlsx"), "--journal", str(_journal()),
                 "--out", str(sortie)]) == 2
    erreur = capsys.readouterr().err
    assert "« vague-01 »" in erreur and "« vague-05 »" in erreur
    assert not sortie.exists()
    assert _evenements()[-1] == "retenir"  # nothing appended to the other wave's journal
