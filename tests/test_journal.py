"""The wave's journal: a hash chain that catches an edited, deleted, inserted or reordered
entry, a lock that loses nothing when several processes write at once, and writes that
never leave half a line."""

from __future__ import annotations

import json
import multiprocessing
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commun.chaine import ORIGINE, verifier_lignes
from commun.journal import Journal, JournalAltere


def _journal(dossier: Path, n: int = 5) -> Journal:
    journal = Journal(dossier / "journal.jsonl")
    for k in range(n):
        journal.ajouter("retenir", {"dossier": f"D{k}", "raison": f"raison {k}"})
    return journal


def _lignes(journal: Journal) -> list[str]:
    return journal.chemin.read_text(encoding="utf-8").splitlines()


def _ecrire(journal: Journal, lignes: list[str]) -> None:
    journal.chemin.write_text("".join(ligne + "\n" for ligne in lignes), encoding="utf-8")


def test_a_written_journal_is_intact_and_chained(tmp_path: Path) -> None:
    journal = _journal(tmp_path)
    verification = journal.verifier()
    assert verification.intact and verification.entrees == 5
    entrees = journal.entrees()
    assert [e.numero for e in entrees] == [1, 2, 3, 4, 5]
    assert entrees[0].precedent == ORIGINE
    assert all(b.precedent == a.empreinte for a, b in pairwise(entrees))
    assert verification.derniere_empreinte == entrees[-1].empreinte
    assert "intact" in verification.message


def test_an_absent_journal_is_an_empty_intact_one(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.jsonl")
    assert not journal.existe and journal.verifier().intact and journal.entrees() == []


def test_an_edited_entry_is_caught_where_it_was_edited(tmp_path: Path) -> None:
    journal = _journal(tmp_path)
    lignes = _lignes(journal)
    champs = json.loads(lignes[2])
    champs["donnees"]["raison"] = "une autre raison"
    lignes[2] = json.dumps(champs, ensure_ascii=False, sort_keys=True)
    _ecrire(journal, lignes)
    verification = journal.verifier()
    assert not verification.intact and verification.premiere_alteree == 3
    assert "modifiée" in verification.message


def test_an_edit_that_recomputes_its_own_hash_breaks_the_next_link(tmp_path: Path) -> None:
    from commun.chaine import empreinte_de

    journal = _journal(tmp_path)
    lignes = _lignes(journal)
    champs = json.loads(lignes[1])
    champs["donnees"]["dossier"] = "D99"
    champs["empreinte"] = empreinte_de(champs)
    lignes[1] = json.dumps(champs, sort_keys=True)
    _ecrire(journal, lignes)
    assert journal.verifier().premiere_alteree == 3


@pytest.mark.parametrize("alteration, attendue", [
    (lambda x: x[:2] + x[3:], 3),              # an entry deleted
    (lambda x: [x[0], x[2], x[1], *x[3:]], 2),  # two entries swapped
    (lambda x: [x[0], x[3], *x[1:]], 2),        # an entry copied elsewhere
    (lambda x: [*x[:4], x[4][:40]], 5),         # the last line cut in the middle
    (lambda x: x[1:], 1),                       # the first entry deleted
])
def test_deleted_reordered_inserted_or_cut_entries_are_caught(tmp_path: Path, alteration,
                                                              attendue: int) -> None:
    journal = _journal(tmp_path)
    _ecrire(journal, alteration(_lignes(journal)))
    verification = journal.verifier()
    assert not verification.intact and verification.premiere_alteree == attendue


def test_appending_to_a_broken_journal_is_refused_unless_overridden(tmp_path: Path) -> None:
    journal = _journal(tmp_path)
    lignes = _lignes(journal)
    _ecrire(journal, lignes[:1] + lignes[2:])
    with pytest.raises(JournalAltere):
        journal.ajouter("retenir", {"dossier": "D9", "raison": "x"})
    with pytest.raises(JournalAltere):
        journal.entrees()
    assert len(_lignes(journal)) == 4  # nothing written
    entree = journal.ajouter("journal_ignore", {"raison": "restauré"}, accepter_altere=True)
    assert entree.numero == 5 and entree.precedent == json.loads(lignes[-1])["empreinte"]
    assert journal.verifier().premiere_alteree == 2  # the override does not repair it


def _ecrivain(chemin: str, prefixe: str, nombre: int) -> None:
    journal = Journal(Path(chemin))
    for k in range(nombre):
        journal.ajouter("retenir", {"dossier": f"{prefixe}-{k}", "raison": "concurrence"})


def test_concurrent_writers_lose_no_entry(tmp_path: Path) -> None:
    chemin = tmp_path / "journal.jsonl"
    contexte = multiprocessing.get_context("spawn")
    processus = [contexte.Process(target=_ecrivain, args=(str(chemin), f"P{p}", 25))
                 for p in range(4)]
    for p in processus:
        p.start()
    for p in processus:
        p.join(timeout=120)
        assert p.exitcode == 0
    journal = Journal(chemin)
    assert journal.verifier().intact
    entrees = journal.entrees()
    assert len(entrees) == 100
    assert {e.donnees["dossier"] for e in entrees} == {f"P{p}-{k}" for p in range(4)
                                                       for k in range(25)}
    # each writer's own entries stay in its order
    for p in range(4):
        siennes = [int(e.donnees["dossier"].split("-")[1]) for e in entrees
                   if e.donnees["dossier"].startswith(f"P{p}-")]
        assert siennes == sorted(siennes)
    # no temporary file or intention left behind (the folder's lock stays, as locks do)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".fabriques.verrou", "journal.jsonl"]


@given(n=st.integers(2, 8), cible=st.integers(0, 7), champ=st.sampled_from(
    ["evenement", "horodatage", "donnees", "numero", "precedent"]))
def test_any_field_changed_in_any_entry_is_caught_there(tmp_path_factory, n: int, cible: int,
                                                        champ: str) -> None:
    journal = _journal(tmp_path_factory.mktemp("j"), n)
    lignes = _lignes(journal)
    cible %= n
    champs = json.loads(lignes[cible])
    champs[champ] = {"autre": 1} if champ == "donnees" else (
        champs[champ] + 1 if champ == "numero" else str(champs[champ]) + "x")
    lignes[cible] = json.dumps(champs, sort_keys=True)
    verification, lues = verifier_lignes(lignes)
    assert not verification.intact and verification.premiere_alteree == cible + 1
    assert len(lues) == cible


def test_a_journal_read_again_is_checked_from_its_verified_prefix_and_still_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each append re-reads the journal: the prefix verified before is not hashed again
    (commun.chaine._VERIFIEES), and the result is the one a fresh reading gives — an edit
    anywhere in that prefix is still caught (the tests above edit journals verified while
    written)."""
    from commun import chaine
    from commun import journal as module

    journal = _journal(tmp_path, 40)
    appels = []
    empreinte = chaine.empreinte_de
    for ou in (chaine, module):  # hashed where written (the journal) and where checked
        monkeypatch.setattr(ou, "empreinte_de",
                            lambda champs: appels.append(1) or empreinte(champs))
    journal.ajouter("retenir", {"dossier": "D40", "raison": "une de plus"})
    assert len(appels) <= 2  # the new entry (written and read back), not the 40 before
    avec, entrees = verifier_lignes(_lignes(journal))
    chaine._VERIFIEES.clear()
    assert verifier_lignes(_lignes(journal)) == (avec, entrees) and avec.intact
