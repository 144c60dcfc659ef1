"""Slips at the secretariat's desk (issue 28): each realistic mistake is refused or said,
never turned into a different decision in silence."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from allocation.modele.chargement import charger
from commun.constats import Constats
from fabriques.cli import main
from scoring.conteneurs import lire_classeur
from scoring.lecture import lire_vague
from scoring.marque import PROPRIETE_JURE, lire_marque

RACINE = Path(__file__).resolve().parents[1]
VAGUE_08 = RACINE / "sample_waves" / "vague-08"


@pytest.fixture
def vague_08(tmp_path: Path) -> Path:
    """A copy of the sample wave assigned by ``repartir`` (grids marked, affectation.xlsx)."""
    copie = tmp_path / "vague-08"
    shutil.copytree(VAGUE_08, copie)
    return copie


def _erreurs(vague: Path) -> list:
    return charger(vague).constats.erreurs


# ------------------------------------------------------------ 1. a grid knows whose it is
def test_a_grid_filed_under_another_juror_stops_check_naming_both(vague_08, capsys):
    shutil.copy(vague_08 / "notes" / "J02.xlsx", vague_08 / "notes" / "J01.xlsx")
    assert main(["check", str(vague_08)]) == 2
    erreurs = _erreurs(vague_08)
    assert len(erreurs) == 1
    erreur = erreurs[0]
    assert erreur.code == "grille_mal_rangee" and erreur.fichier == "notes/J01.xlsx"
    assert "J01" in erreur.message and "J02" in erreur.message
    assert "grille_mal_rangee" in capsys.readouterr().out


def test_the_mark_is_in_a_protected_cell_and_in_the_workbooks_properties(vague_08):
    grille = vague_08 / "notes" / "J02.xlsx"
    classeur = openpyxl.load_workbook(grille)
    assert classeur["instructions"].protection.sheet
    assert {p.name: p.value for p in classeur.custom_doc_props}[PROPRIETE_JURE] == "J02"
    # the instructions sheet deleted: the properties still say whose grid it is
    del classeur["instructions"]
    classeur.save(vague_08 / "notes" / "J01.xlsx")
    assert [e.code for e in _erreurs(vague_08)] == ["grille_mal_rangee"]


def test_a_hand_edited_mark_is_an_error(vague_08):
    grille = vague_08 / "notes" / "J02.xlsx"
    classeur = openpyxl.load_workbook(grille)
    feuille = classeur["instructions"]
    for ligne in feuille.iter_rows():
        if ligne[0].value == "Identifiant du juré":
            ligne[1].value = "J05"
    classeur.save(grille)
    assert "grille_marque_incoherente" in [e.code for e in _erreurs(vague_08)]


def test_a_grid_renamed_by_hand_is_still_read_as_its_jurors(vague_08):
    avant = lire_vague(vague_08).vague
    (vague_08 / "notes" / "J02.xlsx").rename(vague_08 / "notes" / "grille de Mme Durand.xlsx")
    apres = lire_vague(vague_08).vague
    assert avant is not None and apres is not None
    assert apres.notes.equals(avant.notes)


def test_a_dossier_the_juror_was_not_assigned_is_an_error(vague_08):
    affectation = openpyxl.load_workbook(vague_08 / "affectation.xlsx")["affectation"]
    paires = {(r[1], r[0]) for r in affectation.iter_rows(min_row=2, values_only=True)}
    etranger = sorted({d for _, d in paires} - {d for j, d in paires if j == "J04"})[0]
    grille = vague_08 / "notes" / "J04.xlsx"
    classeur = openpyxl.load_workbook(grille)
    feuille = classeur["grille"]
    entete = [c.value for c in feuille[1]]
    ligne = feuille.max_row + 1
    feuille.cell(ligne, 1).value = etranger
    feuille.cell(ligne, entete.index("offre") + 1).value = 9
    classeur.save(grille)
    erreurs = _erreurs(vague_08)
    assert [(e.code, e.valeur) for e in erreurs] == [("dossier_non_affecte", etranger)]
    assert erreurs[0].fichier == "notes/J04.xlsx"


def test_a_grid_from_another_assignment_is_an_error(vague_08):
    grille = vague_08 / "notes" / "J06.xlsx"
    classeur = openpyxl.load_workbook(grille)
    for propriete in classeur.custom_doc_props:
        if propriete.name == "fabriques.affectation":
            propriete.value = "0" * 64
    for ligne in classeur["instructions"].iter_rows():
        if ligne[0].value == "Empreinte de l'affectation":
            ligne[1].value = "0" * 64
    classeur.save(grille)
    assert [e.code for e in _erreurs(vague_08)] == ["grille_autre_affectation"]


def test_a_hand_written_grid_without_mark_keeps_working(tmp_path):
    """vague-06's grids were written by hand (no mark, no assignment): the file name says
    whose they are."""
    vague = RACINE / "sample_waves" / "vague-06"
    grille = vague / "notes" / "J01.xlsx"
    assert lire_marque(grille, lire_classeur(grille, "J01.xlsx", Constats()) or {}) == (
        None, None)
    assert charger(vague).valide


# ------------------------------------------------- 9. a second copy of a grid, said once
def test_a_second_copy_of_a_grid_is_one_error_naming_the_copy(vague_08, capsys):
    shutil.copy(vague_08 / "notes" / "J03.xlsx", vague_08 / "notes" / "J03 (1).xlsx")
    assert main(["check", str(vague_08)]) == 2
    erreurs = _erreurs(vague_08)
    assert [e.code for e in erreurs] == ["grilles_en_double"]
    assert erreurs[0].fichier == "notes/J03 (1).xlsx"
    assert "notes/J03.xlsx" in erreurs[0].message
    sortie = capsys.readouterr().out
    assert len(sortie.splitlines()) < 10, sortie


def test_a_copy_of_a_hand_written_grid_is_one_error_too(tmp_path):
    vague = tmp_path / "vague-06"
    shutil.copytree(RACINE / "sample_waves" / "vague-06", vague)
    shutil.copy(vague / "notes" / "J05.xlsx", vague / "notes" / "J05 - copie.xlsx")
    assert [e.code for e in _erreurs(vague)] == ["grilles_en_double"]


# ------------------------------------------------------------------ 2. lookalike identifiers
@pytest.mark.parametrize("ecrit", ["v08-001", "V08\u2011001", "V08-0\u200b01",
                                   "\uff3608-001", "V08 – 001"])
def test_a_lookalike_reference_in_a_grid_is_the_dossier_it_means(vague_08, ecrit):
    """A grid row « v08-001 » (lower case, a non-breaking hyphen, an invisible character, a
    full-width letter, an en dash) is dossier V08-001, said once — not a dossier of its own
    with no notes."""
    avant = lire_vague(vague_08).vague
    assert avant is not None
    jure = sorted(avant.notes.loc[avant.notes["dossier"] == "V08-001", "jure"])[0]
    grille = vague_08 / "notes" / f"{jure}.xlsx"
    classeur = openpyxl.load_workbook(grille)
    feuille = classeur["grille"]
    for ligne in feuille.iter_rows(min_row=2):
        if ligne[0].value == "V08-001":
            ligne[0].value = ecrit
    classeur.save(grille)
    lecture = lire_vague(vague_08)
    assert lecture.vague is not None, [str(c) for c in lecture.constats.erreurs]
    assert lecture.vague.notes.equals(avant.notes)
    dits = [c for c in lecture.constats if c.code == "identifiant_ecrit_autrement"]
    assert len(dits) == 1 and dits[0].valeur == ecrit and dits[0].fichier == f"notes/{jure}.xlsx"


@pytest.mark.parametrize("ecrit", ["v08-001", "V08\u2011001", "\uff3608-001", "V08-001\u200b"])
def test_two_dossier_ids_equal_under_the_normal_form_are_an_error_at_both_rows(tmp_path, ecrit):
    from tests.factories import DOSSIERS_HEADER, dossier, ecrire, vague_minimale

    feuilles = vague_minimale()
    feuilles["dossiers"] = [DOSSIERS_HEADER, dossier("V08-001"), dossier(ecrit),
                            dossier("D3"), dossier("D4")]
    constats = charger(ecrire(tmp_path / "vague-02.xlsx", feuilles)).constats
    semblables = [c for c in constats if c.code == "identifiants_semblables"]
    assert sorted(c.ligne for c in semblables) == [2, 3]
    assert all(c.est_erreur for c in semblables)


# --------------------------------------------- 8. the draw orders everything it touches
def test_the_lottery_orders_the_selection_reserve_replacements_explanations_and_uncertainty(
        tmp_path):
    from allocation.analyses.decision import liste_complementaire
    from allocation.modele.regles import Echanges
    from application.service import Parametres, Resultat, decider_vague, incertitude_de

    vague = tmp_path / "vague-06"
    shutil.copytree(RACINE / "sample_waves" / "vague-06", vague)
    (vague / "programme.toml").write_text(
        (RACINE / "sample_waves" / "programme.toml").read_text("utf-8")
        + "\n[tirage]\nactif = true\ngraine = 7\n", encoding="utf-8")
    resultat = decider_vague(charger(vague), Parametres(methode="raw"))
    assert isinstance(resultat, Resultat) and resultat.decision is not None
    probleme, decision = resultat.probleme, resultat.decision
    tire = resultat.ordre_tire
    assert len(tire) >= 2 and list(tire) != sorted(tire)  # the draw is not the ids' order
    rang = probleme.departage.cle
    laureats = set(decision.allocation.laureats)
    # the selection: inside the zone, no dossier drawn later is selected over one drawn
    # earlier that could take its place with every rule holding
    echanges = Echanges(probleme, decision.allocation.laureats)
    par_id = {d.dossier: d for d in probleme.dossiers}
    for entre in (i for i in tire if i in laureats):
        for avant in tire[:tire.index(entre)]:
            if avant not in laureats and probleme.candidat(par_id[avant]):
                assert not echanges.possible(par_id[entre], par_id[avant]), (entre, avant)
    # the reserve: in rank order — the zone's dossiers, tied, in the order drawn (a long
    # list, so that many of them are in it)
    longue, _ = liste_complementaire(probleme, decision.allocation, taille=60)
    dans_la_reserve = [r.dossier for r in longue if r.dossier in tire]
    assert len(dans_la_reserve) >= 3
    assert dans_la_reserve == [i for i in tire if i in dans_la_reserve]
    reserve = [r.dossier for r in decision.reserve]
    assert reserve == sorted(reserve, key=rang)
    # each laureate's replacement is the first reserve dossier, in rank order, able to
    for sortant, remplacant in decision.remplacants.items():
        capables = [r.dossier for r in decision.reserve if sortant in r.remplace]
        assert remplacant == (capables[0] if capables else None)
    # the explanations and the uncertainty sheet
    expliques = [e.dossier for e in decision.explications]
    assert expliques == sorted(expliques, key=rang)
    table = incertitude_de(resultat).table
    dans_la_zone = [i for i in table["dossier"] if i in tire]
    assert dans_la_zone == [i for i in tire if i in dans_la_zone]


# ---------------------------------------------- 7. explanations that name the real cause
def test_a_dossier_pushed_out_by_a_jury_decision_is_explained_by_it():
    """The jury imposes a low-scored dossier: the laureate it pushes out is explained by that
    decision (named, with its reason), not as an exact tie — its cost is not zero."""
    from application.service import Parametres, Resultat, decider_vague

    chargement = charger(RACINE / "sample_waves" / "vague-06")
    avant = decider_vague(chargement, Parametres(methode="raw"))
    apres = decider_vague(chargement, Parametres(
        methode="raw", forces=(("V06-020", "projet exemplaire du territoire"),)))
    assert isinstance(avant, Resultat) and isinstance(apres, Resultat)
    assert apres.decision is not None
    sortis = set(avant.allocation.laureats) - set(apres.allocation.laureats)
    explications = {e.dossier: e for e in apres.decision.explications}
    assert sortis and all(explications[s].regles == ("decision_du_jury",) for s in sortis)
    for sorti in sortis:
        assert "V06-020" in explications[sorti].raison
        assert "projet exemplaire du territoire" in explications[sorti].raison
        assert explications[sorti].cout > 0
    for explication in apres.decision.explications:  # a tie is claimed only when it is one
        if "departage" in explication.regles:
            assert explication.cout == 0, explication


def test_a_laureates_motif_says_why_it_is_one():
    from allocation.analyses.decision import classement
    from application.service import Parametres, Resultat, decider_vague

    resultat = decider_vague(charger(RACINE / "sample_waves" / "vague-06"), Parametres(
        methode="raw", forces=(("V06-020", "projet exemplaire du territoire"),)))
    assert isinstance(resultat, Resultat) and resultat.decision is not None
    table = classement(resultat.decision).set_index("dossier")
    motifs = table.loc[table["statut"] == "laureat", "motif"]
    assert motifs["V06-020"].startswith("imposé par le jury : projet exemplaire")
    assert all(m.startswith(("retenu", "imposé par le jury")) for m in motifs)


# ---------------------------------------------------- 9. findings sized for a person
def test_check_before_the_notes_says_it_once(vague_08, capsys):
    for grille in (vague_08 / "notes").glob("*.xlsx"):
        grille.unlink()
    assert main(["check", str(vague_08)]) == 2
    sortie = capsys.readouterr().out
    assert "aucun juré n'a noté" not in sortie
    assert [c.code for c in charger(vague_08).constats] == ["fichier_manquant"]


def test_a_finding_repeated_on_many_rows_is_summarised_and_detailed_on_demand(vague_08,
                                                                             capsys):
    grille = vague_08 / "notes" / "J05.xlsx"
    classeur = openpyxl.load_workbook(grille)
    feuille = classeur["grille"]
    colonne = [c.value for c in feuille[1]].index("offre") + 1
    for ligne in range(2, 14):
        feuille.cell(ligne, colonne).value = None
    classeur.save(grille)
    assert main(["check", str(vague_08)]) == 0
    resume = capsys.readouterr().out
    manquantes = [ligne for ligne in resume.splitlines() if "[note_manquante]" in ligne]
    assert len(manquantes) == 3
    assert "… et 9 autre(s) du même constat dans notes/J05.xlsx" in resume
    assert "12 en tout" in resume and "--detail" in resume
    assert main(["check", str(vague_08), "--detail"]) == 0
    detail = capsys.readouterr().out
    assert len([ligne for ligne in detail.splitlines() if "[note_manquante]" in ligne]) == 12
