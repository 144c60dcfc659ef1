"""The registries that say a thing once: the scoring methods (each its words and how it
computes; ``auto`` resolved in one place) and sheet ``parametres`` (each row written and
read back by the same declaration)."""

from __future__ import annotations

import io
import shutil
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pandas as pd
import pytest

import notation.normalisation as normalisation
from allocation.sorties.historique import lire_decision
from application.service import Parametres, Resultat, classeur_decision, decider_vague
from commun import parametres as schema
from commun.constats import Constats
from commun.provenance import Provenance
from commun.vocabulaire import METHODES as MOTS
from lecture.chargement import charger
from lecture.revisions import Revision, note_du_sujet
from notation.methodes import CALCULS, REGISTRE
from notation.reechantillonnage import Reechantillonneur

RACINE = Path(__file__).resolve().parents[1]


def test_every_method_has_its_words_and_every_word_a_method():
    assert list(REGISTRE) == list(MOTS)
    assert tuple(REGISTRE) == normalisation.METHODES
    assert set(CALCULS) == {nom for nom, m in REGISTRE.items() if m.calcul is not None}
    for methode in REGISTRE.values():
        assert methode.libelle and methode.explication, methode.nom


def test_auto_is_chosen_once_per_wave_for_scoring_and_resampling(monkeypatch):
    choix = []
    original = normalisation.choisir_methode

    def compter(*arguments, **options):
        choix.append(1)
        return original(*arguments, **options)

    monkeypatch.setattr(normalisation, "choisir_methode", compter)
    vague = charger(RACINE / "sample_waves" / "vague-06").vague
    assert vague is not None
    scores = normalisation.noter(vague, "auto")
    assert scores.choix is not None
    assert Reechantillonneur(vague, "auto").methode == scores.choix.methode
    assert normalisation.methode_effective(vague, "auto") == scores.choix.methode
    assert normalisation.methode_effective(vague, "median") == "median"
    assert len(choix) == 1


@pytest.fixture(scope="module")
def feuille_parametres(tmp_path_factory):
    """The ``parametres`` sheet of a decision with every family of rows: the lottery, a
    dossier imposed and one kept out by the jury."""
    dossier = tmp_path_factory.mktemp("parametres") / "vague-06"
    shutil.copytree(RACINE / "sample_waves" / "vague-06", dossier)
    (dossier / "programme.toml").write_text(
        (RACINE / "sample_waves" / "programme.toml").read_text("utf-8")
        + "\n[tirage]\nactif = true\ngraine = 7\n", encoding="utf-8")
    chargement = charger(dossier)
    base = decider_vague(chargement, Parametres())
    assert isinstance(base, Resultat) and base.decision is not None
    non_retenu = next(d.dossier for d in base.probleme.dossiers
                      if d.eligible and d.dossier not in base.allocation.laureats
                      and d.score == d.score)
    resultat = decider_vague(chargement, Parametres(
        forces=((non_retenu, "projet pilote"),),
        exclus=((base.allocation.laureats[0], "conflit d'intérêts"),)))
    assert isinstance(resultat, Resultat) and resultat.decision is not None
    contenu = classeur_decision(chargement, resultat)
    classeur = openpyxl.load_workbook(io.BytesIO(contenu), read_only=True)
    lignes = [(str(c), v) for c, v in classeur["parametres"].iter_rows(min_row=2,
                                                                        values_only=True)]
    return lignes, resultat, non_retenu, chargement, contenu


def test_every_row_of_the_parametres_sheet_is_declared_once(feuille_parametres):
    lignes = feuille_parametres[0]
    declarees = [v for v in vars(schema).values() if isinstance(v, schema.Ligne)]
    provenance = {cle for cle, _ in Provenance.lire(dict(lignes)).lignes()}
    for cle, _ in lignes:
        connues = [d for d in declarees
                   if cle == d.cle or (d.famille and cle.startswith(f"{d.cle} "))]
        assert len(connues) == 1 or (not connues and cle in provenance), cle
    assert len({d.cle for d in declarees}) == len(declarees)


def test_the_parametres_sheet_reads_back_what_was_written(feuille_parametres):
    lignes, resultat, impose = feuille_parametres[:3]
    parametres = dict(lignes)
    probleme, allocation = resultat.probleme, resultat.allocation
    assert schema.NUMERO.lire(parametres) == probleme.regles.numero
    assert schema.SCORE_TOTAL.lire(parametres) == pytest.approx(allocation.score_total,
                                                                abs=1e-6)
    assert schema.ENVELOPPE_VAGUE.lire(parametres) == probleme.enveloppe_vague
    assert dict(schema.IMPOSE.sujets(parametres)) == {impose: "projet pilote"}
    assert dict(schema.ECARTE.sujets(parametres)) == dict(probleme.exclus)
    assert [c for c, _ in schema.RYTHME.sujets(parametres)] == list(probleme.bornes)
    assert schema.TIRAGE_ORDRE.lire(parametres) == " ; ".join(
        sorted(probleme.ordre_tire, key=probleme.ordre_tire.__getitem__))
    assert dict(schema.REGLE.sujets(parametres))["max_laureats"] == str(
        probleme.regles.max_laureats)
    assert schema.METHODE.lire(parametres) == MOTS["auto"].libelle


def test_an_allocation_workbook_without_its_wave_number_is_refused_with_a_finding(
        feuille_parametres, tmp_path):
    chargement, contenu = feuille_parametres[3:]
    classeur = openpyxl.load_workbook(io.BytesIO(contenu))
    feuille = classeur["parametres"]
    for ligne in feuille.iter_rows(min_row=2):
        if ligne[0].value == schema.NUMERO.cle:
            ligne[1].value = "six"
    chemin = tmp_path / "allocation-vague-06.xlsx"
    classeur.save(chemin)
    constats = Constats()
    assert lire_decision(chemin, chargement.vague, constats) is None
    assert constats.codes() == ["valeur_invalide"]


def test_a_revised_notes_row_reads_back_whoever_holds_a_space_in_their_id():
    vague = SimpleNamespace(jury=(SimpleNamespace(jure="Jean Dupont"),),
                            ids_criteres=("offre", "ancrage local"),
                            dossiers=pd.DataFrame(index=pd.Index(["V06 001"])))
    revision = Revision("Jean Dupont", "V06 001", "ancrage local", 4.0, 6.0, "relu : ok")
    assert note_du_sujet(revision.sujet, vague) == revision.cle
    ligne = dict([schema.NOTE_REVISEE.ecrire(revision.changement, revision.sujet)])
    assert schema.NOTE_REVISEE.sujets(ligne) == [(revision.sujet, "4 → 6 : relu : ok")]
