"""Slips at the secretariat's desk (issue 28): each realistic mistake is refused or said,
never turned into a different decision in silence."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from allocation.modele.regles_dossier import candidat
from application.seance import chemin_journal
from commun import parametres as schema
from commun.constats import Constats
from fabriques.cli import main
from lecture.chargement import charger
from lecture.conteneurs import lire_classeur
from lecture.marque import PROPRIETE_JURE, lire_marque
from lecture.vague import lire_vague


def _journal(vague: Path) -> Path:
    """Where the commands keep the wave's journal (conftest sets FABRIQUES_JOURNAUX)."""
    return chemin_journal(vague, vague.name)


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
    from allocation.modele.verification import Echanges
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
            if avant not in laureats and candidat(probleme, par_id[avant]):
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


# ------------------------------------------------------- 3. a missing history is an error
def test_a_wave_after_the_first_without_history_stops_and_writes_nothing(vague_08, capsys):
    (vague_08 / "laureats.xlsx").unlink()
    assert main(["check", str(vague_08)]) == 2
    assert "historique_manquant" in capsys.readouterr().out
    sortie = vague_08.parent / "a.xlsx"
    assert main(["allocate", str(vague_08), "--out", str(sortie)]) == 2
    erreurs = capsys.readouterr().err
    assert "historique_manquant" in erreurs and "abaisser le rythme minimum" not in erreurs
    assert not sortie.exists() and not _journal(vague_08).exists()
    # said on purpose, it is allowed
    assert main(["check", str(vague_08), "--sans-historique"]) == 0


# ------------------------------------------------------- 4. re-deciding a recorded wave
def test_a_recorded_wave_is_decided_on_the_history_without_it(vague_08, capsys):
    premiere, seconde = vague_08.parent / "a.xlsx", vague_08.parent / "b.xlsx"
    assert main(["seance", str(vague_08), "--retenir", "V08-012:projet exemplaire"]) == 0
    assert main(["allocate", str(vague_08), "--out", str(premiere)]) == 0
    assert main(["record", str(vague_08), "--allocation", str(premiere)]) == 0
    capsys.readouterr()
    assert main(["allocate", str(vague_08), "--out", str(seconde)]) == 0
    sortie = capsys.readouterr()
    assert "vague_deja_dans_historique" in sortie.out and "forcer" not in sortie.err

    def laureats(chemin: Path) -> list[str]:
        feuille = openpyxl.load_workbook(chemin, read_only=True)["laureats"]
        return sorted(r[0] for r in feuille.iter_rows(min_row=2, values_only=True))

    assert laureats(seconde) == laureats(premiere)
    assert main(["record", str(vague_08), "--allocation", str(seconde)]) == 2
    assert "vague_deja_enregistree" in capsys.readouterr().err


# ------------------------------------------------- 5. every verb sees the same meeting
def test_score_and_tradeoffs_apply_the_meetings_revised_notes_and_decisions(vague_08,
                                                                           capsys):
    chargement = charger(vague_08)
    notes = chargement.vague.notes
    ligne = notes[(notes["dossier"] == "V08-040")].iloc[0]
    assert main(["seance", str(vague_08), "--reviser",
                 f"{ligne['jure']}:V08-040:{ligne['critere']}:{10 - ligne['note']:g}:relecture",
                 "--retenir", "V08-012:projet exemplaire"]) == 0
    dossier = vague_08.parent
    assert main(["score", str(vague_08), "--method", "raw",
                 "--out", str(dossier / "s.xlsx")]) == 0
    assert main(["allocate", str(vague_08), "--method", "raw",
                 "--out", str(dossier / "a.xlsx")]) == 0
    assert main(["tradeoffs", str(vague_08), "--method", "raw", "--tirages", "20",
                 "--out", str(dossier / "t.xlsx")]) == 0
    import pandas as pd

    def score(fichier: str, feuille: str) -> float:
        table = pd.read_excel(dossier / fichier, sheet_name=feuille, engine="calamine")
        return float(table.set_index("dossier").loc["V08-040", "score"])

    assert score("s.xlsx", "notes_dossiers") == pytest.approx(score("a.xlsx", "classement"))
    robustesse = pd.read_excel(dossier / "t.xlsx", sheet_name="robustesse",
                               engine="calamine").set_index("dossier")
    assert bool(robustesse.loc["V08-012", "selectionne"])
    for fichier in ("s.xlsx", "t.xlsx", "a.xlsx"):
        parametres = pd.read_excel(dossier / fichier, sheet_name="parametres",
                                   engine="calamine").set_index("parametre")["valeur"]
        assert any(str(p).startswith("note révisée") for p in parametres.index), fichier
        assert schema.JOURNAL.cle in parametres.index, fichier


# --------------------------------------------------- 6. seance is as strict as allocate
def test_seance_refuses_two_decisions_on_one_dossier_in_one_go(vague_08, capsys):
    assert main(["seance", str(vague_08), "--retenir", "V08-012:exemplaire",
                 "--ecarter", "V08-012:budget irréaliste"]) == 2
    erreurs = capsys.readouterr()
    assert "decision_contradictoire" in erreurs.err and "Ordre du jour" not in erreurs.out
    assert not _journal(vague_08).exists() or "retenir" not in (
        _journal(vague_08).read_text("utf-8"))


def test_a_refused_meeting_decision_names_the_meeting_not_an_option(vague_08, capsys):
    (vague_08 / "programme.toml").write_text(
        (vague_08 / "programme.toml").read_text("utf-8").replace(
            "note_minimale = 0", "note_minimale = 9"), "utf-8")
    assert main(["seance", str(vague_08), "--retenir", "V08-012:exemplaire"]) == 2
    sortie = capsys.readouterr()
    assert "séance" in sortie.err and "--forcer" not in sortie.err
    assert "Ordre du jour" not in sortie.out


def test_a_refused_allocation_writes_nothing_not_even_the_journal(vague_08, capsys):
    sortie = vague_08.parent / "a.xlsx"
    assert main(["allocate", str(vague_08), "--out", str(sortie),
                 "--forcer", "V08-999:dossier inexistant"]) == 2
    assert "Rien n'a été écrit" in capsys.readouterr().err
    assert not sortie.exists() and not _journal(vague_08).exists()
