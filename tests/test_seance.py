"""The jury's meeting: decisions and revised notes read back from the journal, refused
when they cannot be applied, the agenda's order, the effect of a decision, and the
commands (``seance``, ``journal``, ``allocate`` and ``record`` with a journal)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from allocation.analyses.seance import RUBRIQUES, effet_decision
from allocation.modele.regles_dossier import candidat
from application.seance import (
    Seance,
    agenda,
    chemin_journal,
    decider_en_seance,
    journal_de,
    notes_du_dossier,
    ouvrir_journal,
    reviser_en_seance,
    seance_de,
)
from application.service import Parametres, Refus, Resultat, decider_vague, incertitude_de
from commun.journal import Journal
from fabriques.cli import main
from lecture.chargement import charger
from lecture.revisions import Revision

SAMPLES = Path(__file__).resolve().parents[1] / "sample_waves"


@pytest.fixture(scope="module")
def vague06(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of vague-06 with its programme and history beside it."""
    racine = tmp_path_factory.mktemp("programme")
    shutil.copytree(SAMPLES / "vague-06", racine / "vague-06")
    shutil.copy(SAMPLES / "programme.toml", racine / "programme.toml")
    return racine / "vague-06"


@pytest.fixture(scope="module")
def chargement(vague06: Path):
    return charger(vague06)


@pytest.fixture(scope="module")
def proposition(chargement) -> Resultat:
    resultat = decider_vague(chargement, Parametres())
    assert isinstance(resultat, Resultat)
    return resultat


def _journal(tmp_path: Path) -> Journal:
    return Journal(tmp_path / "journal.jsonl")


def test_the_journal_lives_beside_the_wave_unless_told_otherwise(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FABRIQUES_JOURNAUX")
    (tmp_path / "vague-03").mkdir()
    assert chemin_journal(tmp_path / "vague-03", "vague-03") == (
        tmp_path / "vague-03" / "journal.jsonl")
    assert chemin_journal(tmp_path / "vague-05.xlsx", "vague-05") == (
        tmp_path / "vague-05.journal.jsonl")
    monkeypatch.setenv("FABRIQUES_JOURNAUX", str(tmp_path / "j"))
    assert chemin_journal(None, "vague-05") == tmp_path / "j" / "vague-05" / "journal.jsonl"


def test_the_meeting_is_folded_from_its_events(tmp_path: Path) -> None:
    journal = _journal(tmp_path)
    journal.ajouter("retenir", {"dossier": "D1", "raison": "a"})
    journal.ajouter("ecarter", {"dossier": "D2", "raison": "b"})
    journal.ajouter("retenir", {"dossier": "D3", "raison": "c"})
    journal.ajouter("annuler", {"dossier": "D3", "raison": "erreur de saisie"})
    journal.ajouter("ecarter", {"dossier": "D1", "raison": "changement d'avis"})
    revision = {"jure": "J01", "dossier": "D4", "critere": "offre", "raison": "r"}
    journal.ajouter("reviser", {**revision, "avant": 5.0, "apres": 7.0})
    journal.ajouter("reviser", {**revision, "avant": 7.0, "apres": 8.0})
    journal.ajouter("reviser", {"jure": "J02", "dossier": "D4", "critere": "offre",
                                "avant": 3.0, "apres": 4.0, "raison": "r"})
    journal.ajouter("reviser", {"jure": "J02", "dossier": "D4", "critere": "offre",
                                "avant": 4.0, "apres": 3.0, "raison": "retour"})
    seance = seance_de(journal.entrees())
    assert seance.forces == ()
    assert seance.exclus == (("D1", "changement d'avis"), ("D2", "b"))
    # the first value is kept; a note brought back to its first value is no revision
    assert seance.revisions == (Revision("J01", "D4", "offre", 5.0, 8.0, "r"),)


def test_decisions_given_with_the_command_win_over_the_meeting() -> None:
    seance = Seance(forces=(("D1", "séance"),), exclus=(("D2", "séance"),))
    parametres = seance.appliquer(Parametres(exclus=(("D1", "commande"),)))
    assert parametres.forces == ()
    assert parametres.exclus == (("D1", "commande"), ("D2", "séance"))


def test_a_decision_is_written_only_when_it_can_be_applied(tmp_path: Path, chargement,
                                                           proposition: Resultat) -> None:
    journal = _journal(tmp_path)
    sans_raison = decider_en_seance(journal, chargement, Parametres(), "retenir", "V06-217", " ")
    assert [c.code for c in sans_raison.erreurs] == ["decision_sans_raison"]
    ineligible = next(d.dossier for d in proposition.probleme.dossiers if not d.eligible)
    refus = decider_en_seance(journal, chargement, Parametres(), "retenir", ineligible,
                              "coup de cœur")
    assert "forcage_ineligible" in {c.code for c in refus.erreurs}
    inconnu = decider_en_seance(journal, chargement, Parametres(), "ecarter", "V99-999", "x")
    assert "decision_dossier_inconnu" in {c.code for c in inconnu.erreurs}
    assert not journal.existe  # nothing refused is journalled
    assert not decider_en_seance(journal, chargement, Parametres(), "retenir", "V06-217",
                                 "projet exemplaire").a_des_erreurs
    assert [e.evenement for e in journal.entrees()] == ["retenir"]


def test_a_revised_note_is_checked_then_changes_the_score(tmp_path: Path, chargement,
                                                          proposition: Resultat) -> None:
    vague = chargement.vague
    journal = _journal(tmp_path)
    jure, dossier = sorted(vague.deports)[0]
    assert [c.code for c in reviser_en_seance(journal, chargement, jure, dossier, "offre", 5,
                                              "x").erreurs] == ["revision_invalide"]
    note = vague.notes.iloc[0]
    for valeur, raison in ((11, "hors bornes"), (float("nan"), "illisible"), (5, "")):
        refus = reviser_en_seance(journal, chargement, note.jure, note.dossier, note.critere,
                                  valeur, raison)
        assert [c.code for c in refus.erreurs] == ["revision_invalide"], valeur
    lecteurs = set(vague.notes.loc[vague.notes["dossier"] == note.dossier, "jure"])
    autre = next(j.jure for j in vague.jury if j.jure not in lecteurs
                 and (j.jure, note.dossier) not in vague.deports)
    absente = reviser_en_seance(journal, chargement, autre, note.dossier, "offre", 5, "x")
    assert "pas de note à réviser" in absente.erreurs[0].message
    assert not journal.existe
    nouvelle = 10.0 if note.note < 10 else 0.0
    assert not reviser_en_seance(journal, chargement, note.jure, note.dossier, note.critere,
                                 nouvelle, "relecture").a_des_erreurs
    seance = seance_de(journal.entrees())
    assert seance.revisions == (Revision(note.jure, note.dossier, note.critere,
                                         float(note.note), nouvelle, "relecture"),)
    revise = decider_vague(chargement, seance.appliquer(Parametres(methode="raw")))
    brut = decider_vague(chargement, Parametres(methode="raw"))
    assert isinstance(revise, Resultat) and isinstance(brut, Resultat)
    assert revise.scores.score[note.dossier] != pytest.approx(brut.scores.score[note.dossier])
    autres = revise.scores.score.drop(note.dossier)
    pd.testing.assert_series_equal(autres, brut.scores.score.drop(note.dossier))
    # the revised value is what the wave decided holds; the loaded wave is untouched
    assert float(revise.vague.notes.loc[(revise.vague.notes["jure"] == note.jure)
                                        & (revise.vague.notes["dossier"] == note.dossier)
                                        & (revise.vague.notes["critere"] == note.critere),
                                        "note"].iloc[0]) == nouvelle
    assert float(vague.notes.iloc[0]["note"]) == float(note.note)


def test_a_revision_that_no_longer_fits_the_wave_is_refused(chargement) -> None:
    fausse = Revision("J01", "V06-001", "offre", 5.0, 42.0, "x")
    assert isinstance(decider_vague(chargement, Parametres(revisions=(fausse,))), Refus)


def test_the_agenda_puts_the_zone_first_and_lists_every_candidate_once(
        proposition: Resultat) -> None:
    incertitude = incertitude_de(proposition)
    table = agenda(proposition, incertitude)
    assert table["dossier"].is_unique
    candidats = {d.dossier for d in proposition.probleme.dossiers
                 if candidat(proposition.probleme, d)}
    assert set(table["dossier"]) == candidats
    ordre = list(table["rubrique"].map(RUBRIQUES.index))
    assert ordre == sorted(ordre)
    zone = table[table["rubrique"] == RUBRIQUES[0]]
    assert tuple(zone["dossier"]) == incertitude.zone and len(zone) > 0
    assert (table["rubrique"] != "autres").sum() < len(table) / 3  # most are folded away
    assert {"score_bas_90", "score_haut_90", "probabilite_selection"} <= set(table.columns)


def test_a_dossiers_notes_mark_the_deported_jurors_and_show_the_comments(
        chargement, proposition: Resultat) -> None:
    vague = chargement.vague
    commentee = vague.notes.dropna(subset=["commentaire"]).iloc[0]
    table = notes_du_dossier(vague, proposition, commentee.dossier)
    ligne = table[table["juré"] == commentee.jure].iloc[0]
    assert commentee.commentaire in ligne["commentaire"]
    jure, dossier = next(p for p in sorted(vague.deports))
    deporte = notes_du_dossier(vague, proposition, dossier)
    assert set(deporte.loc[deporte["juré"] == jure, vague.ids_criteres].iloc[0]) == {"déporté"}


def test_the_effect_of_a_decision_is_the_decision_it_would_give(chargement,
                                                                 proposition: Resultat) -> None:
    probleme, allocation = proposition.probleme, proposition.allocation
    laureat = allocation.laureats[0]
    dehors = next(d.dossier for d in sorted(probleme.dossiers, key=lambda d: -d.score)
                  if candidat(probleme, d) and d.dossier not in allocation.laureats)
    for dossier, parametres in ((laureat, Parametres(exclus=((laureat, "x"),))),
                                (dehors, Parametres(forces=((dehors, "x"),)))):
        effet = effet_decision(probleme, allocation, dossier)
        reel = decider_vague(chargement, parametres, avec_decision=False)
        assert isinstance(reel, Resultat) and effet.possible
        assert effet.cout == pytest.approx(allocation.score_total
                                           - reel.allocation.score_total, abs=1e-6)
        assert effet.cout >= -1e-9
        avant, apres = set(allocation.laureats), set(reel.allocation.laureats)
        assert set(effet.sortants) == avant - apres - {dossier}
        assert set(effet.entrants) == apres - avant - {dossier}
        assert effet.action == ("ecarter" if dossier == laureat else "retenir")


def _sans_banniere(texte: str) -> str:
    return "\n".join(ligne for ligne in texte.splitlines()
                     if "HiGHS" not in ligne and "third-party" not in ligne)


def test_the_meeting_through_the_command_line(vague06: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    journal = tmp_path / "journal.jsonl"
    options = ["--journal", str(journal)]
    assert main(["seance", str(vague06), *options, "--retenir", "V06-217:projet exemplaire",
                 "--ecarter", "V06-125:budget irréaliste",
                 "--reviser", "J01:V06-001:ancrage:6:relecture du diagnostic"]) == 0
    sortie = _sans_banniere(capsys.readouterr().out)
    assert sortie.index("Zone d'incertitude") < sortie.index("Dépend de la méthode")
    assert "1 retenu(s), 1 écarté(s), 1 note(s) révisée(s)" in sortie
    assert "ont changé de sort par la discussion" in sortie
    assert main(["seance", str(vague06), *options, "--retenir", "V06-217"]) == 2
    assert main(["allocate", str(vague06), "--out", str(tmp_path / "a.xlsx"), *options]) == 0
    parametres = pd.read_excel(tmp_path / "a.xlsx", sheet_name="parametres",
                               engine="calamine")
    valeurs = dict(zip(parametres["parametre"], parametres["valeur"], strict=True))
    assert valeurs["imposé V06-217"] == "projet exemplaire"
    assert valeurs["écarté V06-125"] == "budget irréaliste"
    assert valeurs["note révisée J01 V06-001 ancrage"] == "5 → 6 : relecture du diagnostic"
    evenements = [json.loads(ligne)["evenement"] for ligne in journal.read_text().splitlines()]
    assert evenements == ["chargement", "retenir", "ecarter", "reviser", "methode",
                          "allocation"]
    derniere_avant = json.loads(journal.read_text().splitlines()[-2])["empreinte"]
    assert valeurs["journal : dernière empreinte"] == derniere_avant
    laureats = set(pd.read_excel(tmp_path / "a.xlsx", sheet_name="laureats",
                                 engine="calamine")["dossier"])
    assert "V06-217" in laureats and "V06-125" not in laureats
    capsys.readouterr()
    assert main(["journal", str(vague06), *options, "--verifier"]) == 0
    assert "Journal intact : 6 entrée(s)" in capsys.readouterr().out


def test_allocate_and_record_refuse_a_broken_journal(vague06: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    journal = tmp_path / "journal.jsonl"
    options = ["--journal", str(journal)]
    assert main(["seance", str(vague06), *options, "--ecarter", "V06-045:dossier retiré",
                 "--ecarter", "V06-005:dossier retiré"]) == 0
    lignes = journal.read_text().splitlines()
    journal.write_text("\n".join([lignes[0], lignes[2]]) + "\n")  # a decision deleted
    capsys.readouterr()
    assert main(["journal", str(vague06), *options, "--verifier"]) == 2
    assert "altéré à partir de l'entrée 2" in capsys.readouterr().err
    sortie = tmp_path / "a.xlsx"
    assert main(["allocate", str(vague06), "--out", str(sortie), *options]) == 2
    assert not sortie.exists()
    assert "--ignorer-journal" in capsys.readouterr().err
    assert main(["allocate", str(vague06), "--out", str(sortie), *options,
                 "--ignorer-journal", "journal restauré d'une sauvegarde incomplète"]) == 0
    entrees = [json.loads(ligne) for ligne in journal.read_text().splitlines()]
    assert entrees[2]["evenement"] == "journal_ignore"
    assert entrees[2]["donnees"]["raison"] == "journal restauré d'une sauvegarde incomplète"
    assert entrees[-1]["evenement"] == "allocation"
    # the broken journal's meeting is not applied
    assert "V06-045" in set(pd.read_excel(sortie, sheet_name="laureats",
                                          engine="calamine")["dossier"])
    historique = tmp_path / "laureats.xlsx"
    shutil.copy(vague06.parent / "vague-06" / "laureats.xlsx", historique)
    assert main(["record", str(vague06), "--allocation", str(sortie), "--historique",
                 str(historique), *options]) == 2


def test_record_catches_a_journal_cut_after_the_decision(vague06: Path, tmp_path: Path) -> None:
    journal = tmp_path / "journal.jsonl"
    options = ["--journal", str(journal)]
    assert main(["seance", str(vague06), *options, "--retenir", "V06-217:exemplaire"]) == 0
    sortie = tmp_path / "a.xlsx"
    assert main(["allocate", str(vague06), "--out", str(sortie), *options]) == 0
    lignes = journal.read_text().splitlines()
    journal.write_text("\n".join(lignes[:2]) + "\n")  # the tail cut off: the chain holds
    assert Journal(journal).verifier().intact
    historique = tmp_path / "laureats.xlsx"
    shutil.copy(vague06 / "laureats.xlsx", historique)
    assert main(["record", str(vague06), "--allocation", str(sortie), "--historique",
                 str(historique), *options]) == 2
    journal.write_text("\n".join(lignes) + "\n")
    assert main(["record", str(vague06), "--allocation", str(sortie), "--historique",
                 str(historique), *options]) == 0
    assert json.loads(journal.read_text().splitlines()[-1])["evenement"] == "enregistrement"


def test_ouvrir_journal_reports_a_clean_journal(tmp_path: Path, chargement) -> None:
    journal = journal_de(None, chargement.vague.nom, tmp_path / "j.jsonl")
    acces = ouvrir_journal(journal)
    assert acces.autorise and acces.seance.vide
