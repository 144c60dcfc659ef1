"""Each workbook of a wave is read once (issue 30): what a registry is, an assignment's sheet
names, the history and its anchors come from that one read and say what reading each file
each time said — every finding in its order, every table — and openpyxl still decides
what our reader cannot see as it does (an unreadable file, formulas, a cut sheet)."""

from __future__ import annotations

import contextlib
import gc
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from commun.constats import Constats
from lecture import chargement, conteneurs, export_ds, morceaux, valeurs
from lecture import vague as lecture
from lecture.chargement import Chargement, charger
from lecture.conteneurs import lecture_unique, lire_classeur

SAMPLES = Path(__file__).resolve().parents[1] / "sample_waves"

# ------------------------------------------------------------------ what a registry is

entetes = st.sampled_from(["ID", "N° dossier", "Email", "État du dossier", "Déposé le",
                           "dossier", "Nom", None, 12, "  ", '="ID"', "=1+1", "Dossier ID"])
feuilles = st.tuples(
    st.sampled_from(["Dossiers", "dossiers ", "Etablissements", "Feuil1", "DOSSIERS"]),
    st.sampled_from([1, 1, 1, 2]),  # the row the header is written on
    st.one_of(st.lists(entetes, max_size=5),  # an export's header, give or take a cell
              st.builds(lambda debut, fin: [*debut, "ID", "Email", *fin],
                        st.lists(entetes, max_size=1), st.lists(entetes, max_size=2))),
    st.booleans(),  # a cell beyond COLONNES_MAX
    st.sampled_from(["visible", "hidden"]))


def _classeur(chemin: Path, decrites: list[tuple[str, int, list[object], bool, str]]) -> Path:
    classeur = openpyxl.Workbook()
    classeur.remove(classeur.active)
    for nom, rang, entete, large, etat in decrites:
        if nom in classeur.sheetnames:
            continue
        feuille = classeur.create_sheet(nom)
        for colonne, valeur in enumerate(entete, start=1):
            feuille.cell(rang, colonne).value = valeur
        feuille.cell(rang + 1, 1).value = "V06-001"
        if large:
            feuille.cell(rang, conteneurs.COLONNES_MAX + 5).value = "dossier"
        feuille.sheet_state = etat
    if not classeur.sheetnames:
        classeur.create_sheet("vide")
    if all(classeur[n].sheet_state != "visible" for n in classeur.sheetnames):
        classeur[classeur.sheetnames[0]].sheet_state = "visible"
    classeur.save(chemin)
    return chemin


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow,
                                                  HealthCheck.function_scoped_fixture])
@given(st.lists(feuilles, min_size=1, max_size=3))
@example(decrites=[("Dossiers", 1, ['="ID"', "Email"], False, "visible")])  # a formula's text
@example(decrites=[("Dossiers", 2, ["ID", "Email"], False, "visible")])  # row 1 is empty
def test_a_registry_and_an_assignments_sheets_are_told_as_openpyxl_tells_them(
        tmp_path_factory, decrites):
    chemin = _classeur(tmp_path_factory.mktemp("registre") / "export.xlsx", decrites)
    attendu = export_ds._fichier_est_export_openpyxl(chemin)
    noms = {valeurs.cle(n) for n in openpyxl.load_workbook(chemin, read_only=True).sheetnames}
    assert export_ds._fichier_est_export(chemin) == attendu
    with lecture_unique():
        assert export_ds._fichier_est_export(chemin) == attendu
        assert morceaux._noms_des_feuilles(chemin) == noms


def test_a_file_our_reader_refuses_is_told_by_openpyxl(tmp_path):
    for nom, contenu in (("abime.xlsx", b"PK\x03\x04 abime"), ("chiffre.xlsx",
                                                                 b"\xd0\xcf\x11\xe0" * 64)):
        chemin = tmp_path / nom
        chemin.write_bytes(contenu)
        with lecture_unique():
            assert export_ds._fichier_est_export(chemin) is False
            assert morceaux._noms_des_feuilles(chemin) is None
    bombe = _classeur(tmp_path / "bombe.xlsx", [("Dossiers", 1, ["ID", "Email"], False,
                                                  "visible")])
    with zipfile.ZipFile(bombe, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/bombe.bin", b"\0" * (conteneurs.TAILLE_MAX_DECOMPRESSEE + 1))
    with lecture_unique():  # refused by our reader unread; openpyxl reads its first row
        assert lire_classeur(bombe, bombe.name, Constats()) is None
        assert export_ds._fichier_est_export(bombe) is True
        assert morceaux._noms_des_feuilles(bombe) == {"dossiers"}


# ------------------------------------------------------------------ a wave read once


def _copie(tmp_path: Path, vague: str) -> Path:
    copie = tmp_path / vague
    shutil.copytree(SAMPLES / vague, copie)
    return copie


def _bombe(chemin: Path) -> None:
    with zipfile.ZipFile(chemin, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/bombe.bin", b"\0" * (conteneurs.TAILLE_MAX_DECOMPRESSEE + 1))


def _modifier(chemin: Path, modification: Callable[[openpyxl.Workbook], None]) -> None:
    classeur = openpyxl.load_workbook(chemin)
    modification(classeur)
    classeur.save(chemin)


def _masquer_et_calculer(classeur: openpyxl.Workbook) -> None:
    """Two findings of one workbook's container: a hidden sheet and a formula."""
    classeur.create_sheet("cachee").sheet_state = "hidden"
    classeur["jury"].cell(40, 8, "=1+1")


def _export(vague: Path) -> Path:
    return next(vague.glob("dossiers_*.xlsx"))


VARIANTES: dict[str, Callable[[Path], Path]] = {
    "assignee": lambda t: _copie(t, "vague-08"),
    "grille_mal_rangee": lambda t: (v := _copie(t, "vague-08"), shutil.copy(
        v / "notes" / "J02.xlsx", v / "notes" / "J01.xlsx"))[0],
    "affectation_bombe": lambda t: (v := _copie(t, "vague-08"), _bombe(v / "affectation.xlsx"))[0],
    "deux_affectations": lambda t: (v := _copie(t, "vague-08"), shutil.copy(
        v / "affectation.xlsx", v / "affectation-bis.xlsx"), _modifier(
        v / "affectation-bis.xlsx", lambda c: c["affectation"].cell(2, 1, "autre")))[0],
    "historique_bombe": lambda t: (v := _copie(t, "vague-06"), _bombe(v / "laureats.xlsx"))[0],
    "historique_abime": lambda t: (v := _copie(t, "vague-06"), (v / "laureats.xlsx")
                                   .write_bytes(b"PK\x03\x04 abime"))[0],
    "masquee_et_formules": lambda t: (v := _copie(t, "vague-06"), _modifier(
        v / "jury.xlsx", _masquer_et_calculer),
        _modifier(v / "notes" / "J03.xlsx", lambda c: c.active.cell(2, 3, "=1+2")))[0],
    "export": lambda t: _copie(t, "vague-07"),
    "export_formule": lambda t: (v := _copie(t, "vague-07"), _modifier(
        _export(v), lambda c: c.worksheets[0].cell(1, 1, '="ID"')))[0],
    "export_ligne_2": lambda t: (v := _copie(t, "vague-07"), _modifier(
        _export(v), lambda c: c.worksheets[0].insert_rows(1)))[0],
    "export_bombe": lambda t: (v := _copie(t, "vague-07"), _bombe(_export(v)))[0],
    "deux_registres": lambda t: (v := _copie(t, "vague-07"), shutil.copy(
        SAMPLES / "vague-06" / "dossiers.xlsx", v / "dossiers.xlsx"))[0],
}


def _resume(lu: Chargement) -> tuple[object, ...]:
    vague = lu.vague
    tables = () if vague is None else (
        vague.dossiers.to_dict("split"), vague.notes.to_dict("split"),
        vague.notes_ecartees.to_dict("split"), vague.jury, vague.criteres,
        vague.motifs_deports, vague.sources)
    return ([str(c) for c in lu.constats], [repr(c.valeur) for c in lu.constats], tables,
            lu.historique.to_dict("split"), dict(lu.ancres), lu.empreintes,
            lu.regles is None)


@pytest.mark.parametrize("variante", sorted(VARIANTES))
def test_a_wave_read_once_says_what_reading_each_file_each_time_said(tmp_path, variante,
                                                                       monkeypatch):
    vague = VARIANTES[variante](tmp_path)
    une_fois = _resume(charger(vague, sans_historique=True))
    # each reader reading each file for itself, as before
    for module in (lecture, chargement):
        monkeypatch.setattr(module, "lecture_unique", contextlib.nullcontext)
    chaque_fois = _resume(charger(vague, sans_historique=True))
    assert une_fois == chaque_fois


def test_a_workbook_replaced_during_a_reading_is_read_again(tmp_path):
    chemin = _classeur(tmp_path / "a.xlsx", [("Dossiers", 1, ["ID"], False, "visible")])
    with lecture_unique():
        avant = lire_classeur(chemin, chemin.name, Constats())
        _classeur(chemin, [("Dossiers", 1, ["ID", "Email", "Nom"], False, "visible")])
        apres = lire_classeur(chemin, chemin.name, Constats())
    assert avant is not None and apres is not None
    assert avant["Dossiers"].lignes != apres["Dossiers"].lignes


def test_the_collector_is_paused_while_reading_and_switched_back_on():
    assert gc.isenabled()
    with lecture_unique():
        assert not gc.isenabled()
        with lecture_unique():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with lecture_unique():
            pass
        assert not gc.isenabled()  # switched off by someone else: left so
    finally:
        gc.enable()
