"""The grids ``fabriques repartir`` writes, the conflicts read back, and the secretariat's
whole sequence: repartir → grids → notes typed in → check → score, by either reader."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from application.repartition import (
    ResultatRepartition,
    completer_vague,
    grilles,
    grilles_zip,
    repartir_vague,
)
from commun.constats import Constats
from lecture.chargement import charger
from lecture.conteneurs import lire_classeur
from lecture.marque import lire_marque
from lecture.vague import lire_vague
from notation.normalisation import noter
from sample_waves import repartie
from sample_waves.jury import PERSONNALITES, Jure
from sample_waves.vague import Vague

SAMPLES = Path(repartie.__file__).parent
VAGUE_08 = SAMPLES / "vague-08"


@pytest.fixture(scope="module")
def preparee(tmp_path_factory):
    """vague-08 as it was before its notes: dossiers, jury (with conflits), programme,
    history — no notes."""
    dossier = tmp_path_factory.mktemp("prep") / "vague-08"
    dossier.mkdir()
    for nom in ("dossiers.xlsx", "jury.xlsx", "programme.toml", "laureats.xlsx"):
        shutil.copy(VAGUE_08 / nom, dossier / nom)
    return dossier


@pytest.fixture(scope="module")
def repartie_k4(preparee):
    chargement = charger(preparee, avec_notes=False)
    assert chargement.valide, chargement.constats.codes()
    resultat = repartir_vague(chargement, 4, graine=8)
    assert isinstance(resultat, ResultatRepartition) and resultat.repartition.trouvee
    return chargement, resultat


def test_a_prepared_wave_reads_without_notes_and_its_conflicts_become_deports(preparee):
    chargement = charger(preparee, avec_notes=False)
    assert not chargement.constats.a_des_erreurs
    assert "dossier_sans_note" not in chargement.constats.codes()
    vague = chargement.vague
    porteur = vague.dossiers.loc["V08-008", "porteur"]
    assert ("J04", "V08-008") in vague.deports
    memes = vague.dossiers.index[vague.dossiers["porteur"] == porteur]
    assert {("J04", d) for d in memes} <= vague.deports


def test_conflicts_by_commune_and_unknown_targets(tmp_path, preparee):
    dossier = tmp_path / "vague-08"
    shutil.copytree(preparee, dossier)
    table = pd.read_excel(dossier / "dossiers.xlsx", dtype=str, engine="calamine")
    commune = table.loc[3, "commune"]
    jury = openpyxl.load_workbook(dossier / "jury.xlsx")
    jury["conflits"].append(["J02", None, None, commune.upper(), "élu de la commune"])
    jury["conflits"].append(["J03", None, "Porteur qui n'existe pas", None, None])
    jury.save(dossier / "jury.xlsx")
    chargement = charger(dossier, avec_notes=False)
    assert chargement.valide and "conflit_sans_effet" in chargement.constats.codes()
    concernes = set(table.loc[table["commune"] == commune, "dossier"])
    assert {("J02", d) for d in concernes} <= chargement.vague.deports
    jury["conflits"].append(["J05", None, None, None, "sans cible"])
    jury.save(dossier / "jury.xlsx")
    lecture = lire_vague(dossier, avec_notes=False)
    assert lecture.vague is None and "conflit_incomplet" in lecture.constats.codes()


def test_every_grid_holds_only_its_jurors_dossiers_locked_and_validated(repartie_k4):
    chargement, resultat = repartie_k4
    vague = chargement.vague
    fichiers = grilles(chargement, resultat)
    assert sorted(fichiers) == [f"J{i:02d}.xlsx" for i in range(1, 11)]
    lus = resultat.repartition.lecteurs()
    for nom, contenu in fichiers.items():
        jure = nom.removesuffix(".xlsx")
        classeur = openpyxl.load_workbook(io.BytesIO(contenu))
        assert classeur.sheetnames == ["grille", "instructions"]
        feuille = classeur["grille"]
        entetes = [c.value for c in feuille[1]]
        criteres = vague.ids_criteres
        assert entetes[:2] == ["dossier", "nom"] and entetes[-2:] == ["commentaire", "conflit"]
        assert [e for e in entetes if e in criteres] == criteres
        dossiers = [feuille.cell(r, 1).value for r in range(2, feuille.max_row + 1)]
        assert dossiers == sorted(d for d, lecteurs in lus.items() if jure in lecteurs)
        assert not {(jure, d) for d in dossiers} & vague.deports
        assert feuille.protection.sheet
        for colonne, entete in enumerate(entetes, start=1):
            modifiable = entete in (*criteres, "commentaire", "conflit")
            assert feuille.cell(2, colonne).protection.locked is (not modifiable), entete
        validations = {str(v.sqref): v for v in feuille.data_validations.dataValidation}
        for critere in vague.criteres:
            lettre = openpyxl.utils.get_column_letter(entetes.index(critere.critere) + 1)
            regle = validations[f"{lettre}2:{lettre}{len(dossiers) + 1}"]
            assert (regle.type, regle.operator) == ("decimal", "between")
            assert (float(regle.formula1), float(regle.formula2)) == (critere.note_min,
                                                                       critere.note_max)
            assert regle.showErrorMessage and "note" in regle.error
        lettre = openpyxl.utils.get_column_letter(len(entetes))
        assert validations[f"{lettre}2:{lettre}{len(dossiers) + 1}"].formula1 == '"oui,non"'
        instructions = " ".join(str(c.value) for ligne in classeur["instructions"].iter_rows()
                                for c in ligne if c.value is not None)
        assert "Conflit d'intérêts" in instructions and "« oui »" in instructions
        for critere in vague.criteres:
            assert critere.libelle in instructions


def test_the_zip_download_holds_the_workbook_and_every_grid(repartie_k4):
    chargement, resultat = repartie_k4
    with zipfile.ZipFile(io.BytesIO(grilles_zip(chargement, resultat))) as archive:
        noms = sorted(archive.namelist())
        classeur = openpyxl.load_workbook(io.BytesIO(archive.read("affectation.xlsx")))
    assert noms == ["affectation.xlsx", *(f"grilles/J{i:02d}.xlsx" for i in range(1, 11))]
    assert classeur.sheetnames == ["affectation", "charges", "recouvrements", "non_repartis",
                                   "parametres"]
    parametres = dict(classeur["parametres"].iter_rows(min_row=2, values_only=True))
    assert parametres["lecteurs par dossier"] == "4" and parametres["graine"] == "8"
    assert any(k.startswith("sha256 ") for k in parametres)
    affectation = pd.DataFrame(classeur["affectation"].iter_rows(min_row=2, values_only=True))
    assert len(affectation) == len(resultat.repartition.paires)


def test_round_trip_repartir_grids_notes_check_score_by_either_reader(tmp_path, preparee):
    dossier = tmp_path / "vague-08"
    shutil.copytree(preparee, dossier)
    sortie = subprocess.run(
        [sys.executable, "-m", "fabriques.cli", "repartir", str(dossier), "--par-dossier", "4",
         "--graine", "3", "--out", str(tmp_path / "affectation.xlsx"), "--grilles",
         str(dossier / "notes")], capture_output=True, text=True, check=False)
    assert sortie.returncode == 0, sortie.stderr
    assert "recouvrement minimal" in sortie.stdout
    rng = np.random.default_rng(5)
    vague_generee = _vague_generee(dossier)
    repartie.remplir_grilles(dossier / "notes", vague_generee, rng, conflit=("J02", _premier(
        dossier / "notes" / "J02.xlsx")))
    check = subprocess.run([sys.executable, "-m", "fabriques.cli", "check", str(dossier)],
                           capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "[ERREUR]" not in check.stdout and "conflit_declare" in check.stdout
    classeur = tmp_path / "vague-08.xlsx"
    classeur.write_bytes(repartie.classeur_depuis_dossier(dossier))
    par_dossier, par_classeur = lire_vague(dossier).vague, lire_vague(classeur).vague
    assert par_dossier is not None and par_classeur is not None
    assert par_dossier.deports == par_classeur.deports
    pd.testing.assert_frame_equal(par_dossier.notes, par_classeur.notes)
    for methode in ("auto", "raw", "calibre"):
        pd.testing.assert_series_equal(noter(par_dossier, methode).score,
                                       noter(par_classeur, methode).score)


def _premier(grille: Path) -> str:
    return str(openpyxl.load_workbook(grille)["grille"].cell(2, 1).value)


def _vague_generee(dossier: Path) -> Vague:
    """The generator's view of a prepared wave (its jurors' personalities and a quality per
    dossier), to type notes into its grids."""
    jury = pd.read_excel(dossier / "jury.xlsx", sheet_name="jury", dtype=str, engine="calamine")
    personnalites = dict(zip([f"J{i:02d}" for i in range(1, 11)], PERSONNALITES,
                             strict=True))
    dossiers = pd.read_excel(dossier / "dossiers.xlsx", dtype=str, engine="calamine")
    rng = np.random.default_rng(0)
    qualite = pd.Series(rng.normal(6, 1.3, len(dossiers)), index=dossiers["dossier"])
    membres = [Jure(r.jure, r.nom, r.college, "", None, personnalites[r.jure])
               for r in jury.itertuples()]
    return Vague(8, dossiers, membres, pd.DataFrame(), pd.DataFrame(), qualite, {})


def test_a_second_round_adds_readings_in_the_zone_and_writes_complement_grids():
    chargement = charger(VAGUE_08)
    assert chargement.valide
    resultat = completer_vague(chargement, 12, graine=2)
    assert isinstance(resultat, ResultatRepartition), resultat
    repartition = resultat.repartition
    nouvelles = repartition.nouvelles()
    assert len(nouvelles) == 12 and resultat.non_placees == 0
    lues = set(zip(chargement.vague.notes["jure"], chargement.vague.notes["dossier"],
                   strict=True))
    assert not set(nouvelles) & lues and not set(nouvelles) & chargement.vague.deports
    servis = {d for _, d in nouvelles}
    assert servis == set(resultat.priorites[:12])
    charges = repartition.charges(nouvelles_seulement=True)
    assert max(charges.values()) - min(charges.values()) <= 1
    assert all(nom.endswith("-complement.xlsx") for nom in grilles(chargement, resultat))


def test_cli_says_what_to_relax_when_no_assignment_exists(tmp_path, preparee):
    sortie = subprocess.run(
        [sys.executable, "-m", "fabriques.cli", "repartir", str(preparee), "--par-dossier",
         "10", "--out", str(tmp_path / "a.xlsx")], capture_output=True, text=True, check=False)
    assert sortie.returncode == 3
    assert "déport" in sortie.stderr and "Rien n'a été écrit" in sortie.stderr
    assert not (tmp_path / "a.xlsx").exists()


SOFFICE = shutil.which("soffice")


@pytest.mark.skipif(SOFFICE is None and not os.environ.get("CI"),
                    reason="LibreOffice absent (installed by .ci/run in CI)")
def test_libreoffice_opens_a_grid_keeps_its_checks_and_saves_what_the_reader_reads(tmp_path):
    """A juror who works in LibreOffice: the grid is opened (converted to ODS, LibreOffice's
    own format) and saved back as xlsx; validation, protection and the notes survive, and
    the wave reader reads the saved grid."""
    assert SOFFICE is not None, "CI must install LibreOffice (libreoffice-calc-nogui)"
    dossier = tmp_path / "vague-08"
    shutil.copytree(VAGUE_08, dossier)
    grille = dossier / "notes" / "J03.xlsx"
    for filtre, source, cible in (("ods", grille, tmp_path / "ods"),
                                  ("xlsx:Calc MS Excel 2007 XML",
                                   tmp_path / "ods" / "J03.ods", tmp_path / "xlsx")):
        subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                        "--convert-to", filtre, "--outdir", str(cible), str(source)],
                       check=True, capture_output=True, timeout=180)
    resauvee = tmp_path / "xlsx" / "J03.xlsx"
    feuille = openpyxl.load_workbook(resauvee)["grille"]
    entetes = [c.value for c in feuille[1]]
    assert feuille.protection.sheet
    assert feuille.cell(2, entetes.index("offre") + 1).protection.locked is False
    assert feuille.cell(2, 1).protection.locked is True
    regles = {(v.type, v.formula1, v.formula2) for v in feuille.data_validations.dataValidation}
    assert ("decimal", "0", "10") in regles and ("list", '"oui,non"', None) in {
        (t, f1, None) for t, f1, _ in regles}
    # the mark survives: the juror and the assignment are still read from the saved grid
    marque, desaccord = lire_marque(resauvee, lire_classeur(resauvee, "J03.xlsx", Constats())
                                    or {})
    assert desaccord is None and marque is not None and marque.jure == "J03"
    avant = lire_vague(dossier).vague
    shutil.copy(resauvee, grille)
    apres = lire_vague(dossier).vague
    assert avant is not None and apres is not None
    pd.testing.assert_frame_equal(avant.notes, apres.notes)


def test_cli_never_overwrites_a_grid_that_may_hold_notes(tmp_path):
    avant = (VAGUE_08 / "notes" / "J01.xlsx").read_bytes()
    dossier = tmp_path / "vague-08"
    shutil.copytree(VAGUE_08, dossier)
    sortie = subprocess.run(
        [sys.executable, "-m", "fabriques.cli", "repartir", str(dossier), "--complement", "5",
         "--out", str(tmp_path / "c.xlsx"), "--grilles", str(dossier / "notes")],
        capture_output=True, text=True, check=False)
    assert sortie.returncode == 0, sortie.stderr
    assert sorted(p.name for p in (dossier / "notes").glob("*-complement.xlsx"))
    encore = subprocess.run(
        [sys.executable, "-m", "fabriques.cli", "repartir", str(dossier), "--par-dossier",
         "4", "--out", str(tmp_path / "a.xlsx"), "--grilles", str(dossier / "notes")],
        capture_output=True, text=True, check=False)
    assert encore.returncode == 2 and "Refus d'écraser" in encore.stderr
    assert (dossier / "notes" / "J01.xlsx").read_bytes() == avant
    assert not (tmp_path / "a.xlsx").exists()


def test_a_number_of_readers_outside_one_to_the_jury_size_is_refused(preparee):
    chargement = charger(preparee, avec_notes=False)
    for k in (0, 11):
        refus = repartir_vague(chargement, k)
        assert not isinstance(refus, ResultatRepartition)
        assert refus.erreurs.codes() == ["lectures_invalides"]
    refus = completer_vague(charger(VAGUE_08), 0)
    assert not isinstance(refus, ResultatRepartition)
    assert refus.erreurs.codes() == ["lectures_invalides"]
