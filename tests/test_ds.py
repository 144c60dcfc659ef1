"""démarches-simplifiées, without the network: a local server (tests/ds/serveur.py) built
from the platform's published schema serves the sample wave's dossiers; every document the
client sends is validated against that schema."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from application.ds import client as module_client
from application.ds.client import ClientDS, ErreurDS, Jeton
from application.ds.importation import (
    FICHIER_BRUT,
    FICHIER_DOSSIERS,
    feuille_export,
    importer,
    journal_de_vague,
)
from application.ds.publication import appliquer, preparer
from application.ds.requetes import DOCUMENTS
from application.service import Parametres, decider_vague
from commun.vocabulaire import STATUTS, code_de
from fabriques.cli import main
from lecture.chargement import charger
from lecture.vague import lire_vague
from tests.ds.donnees import (
    NOM_EXPORT,
    VAGUE_06,
    completer_vague,
    dossiers_de_vague,
    ecrire_export_csv,
    ecrire_export_xlsx,
    ecrire_feuille_simple,
    plateforme_de_vague,
)
from tests.ds.serveur import PlateformeDS, erreurs_de_validation, serveur_ds

DEMARCHE = 8123
JETON = "jeton-secret-Zq81xT0kVvP3"
RACINE = Path(__file__).resolve().parents[1]


@pytest.fixture
def plateforme():
    return plateforme_de_vague(DEMARCHE, JETON)


@pytest.fixture
def url(plateforme):
    with serveur_ds(plateforme[0]) as adresse:
        yield adresse


def _client(url: str, jeton: str = JETON, **options) -> ClientDS:
    return ClientDS(Jeton(jeton), url, attente_initiale=0.0, **options)


def _sans_erreur_de_schema(p: PlateformeDS) -> None:
    assert p.requetes
    assert [(r.operation, r.erreurs_schema) for r in p.requetes if r.erreurs_schema] == []


def _lignes_dossiers(chemin: Path) -> list[tuple]:
    classeur = openpyxl.load_workbook(chemin, read_only=True)
    return list(classeur["dossiers"].iter_rows(values_only=True))


def _parametres(chemin: Path) -> dict:
    classeur = openpyxl.load_workbook(chemin, read_only=True)
    return {p: v for p, v in classeur["parametres"].iter_rows(min_row=2, values_only=True)}


def test_every_document_is_valid_against_the_published_schema():
    assert set(DOCUMENTS) >= {"Dossiers", "DossiersSupprimes", "Instruction", "Accepter",
                              "Refuser", "PasserEnInstruction", "Annoter"}
    for nom, document in DOCUMENTS.items():
        assert erreurs_de_validation(document) == [], nom
    # …and the validation does catch a field the schema lacks
    assert erreurs_de_validation("query { demarche(number: 1) { numero } }")


def test_import_pages_through_every_dossier(plateforme, url, tmp_path):
    p, _ = plateforme
    lus = []
    with _client(url) as client:
        rapport = importer(client, DEMARCHE, tmp_path / "vague-06", progression=lus.append)
    pages = [r for r in p.requetes if r.operation == "Dossiers"]
    assert [r.variables["apres"] for r in pages] == [None, "100", "200"]
    assert lus == [100, 200, 260]
    assert rapport.lus == len(rapport.importes) == 260
    lignes = _lignes_dossiers(tmp_path / "vague-06" / FICHIER_DOSSIERS)
    assert len(lignes) == 261 and lignes[0][0] == "dossier"
    brut = (tmp_path / "vague-06" / FICHIER_BRUT).read_bytes()
    assert _parametres(tmp_path / "vague-06" / FICHIER_DOSSIERS)[
        f"sha256 {FICHIER_BRUT}"] == hashlib.sha256(brut).hexdigest() == rapport.empreinte_brut
    assert len(json.loads(brut)["dossiers"]) == 260
    _sans_erreur_de_schema(p)


def _laureats(vague: Path) -> tuple[str, ...]:
    chargement = charger(vague)
    assert chargement.valide, [str(c) for c in chargement.constats.erreurs]
    return tuple(decider_vague(chargement, Parametres(regles=None)).allocation.laureats)


def _constats(lecture) -> list[tuple[str, str]]:
    return sorted((c.code, c.message) for c in lecture.constats)


def test_the_platforms_exports_and_its_api_give_the_plain_sheets_wave(plateforme, url,
                                                                       tmp_path):
    """The same dossiers — as the platform's xlsx export under its download name, the same
    export saved as dossiers.xlsx, its csv export, and imported through the API — give the
    plain SPEC sheet's dossiers table byte for byte, its findings (the csv, which has no
    repetition block, says it cannot give the places), and its laureates."""
    p, numeros = plateforme
    dossiers, _ = dossiers_de_vague()
    formes = {
        "feuille": lambda d: ecrire_feuille_simple(dossiers, d / "dossiers.xlsx"),
        "export": lambda d: ecrire_export_xlsx(dossiers, d / f"{NOM_EXPORT}.xlsx"),
        "export nommé dossiers.xlsx": lambda d: ecrire_export_xlsx(dossiers,
                                                                   d / "dossiers.xlsx"),
        "csv": lambda d: ecrire_export_csv(dossiers, d / f"{NOM_EXPORT}.csv"),
    }
    chemins = {forme: tmp_path / forme / "vague-06" for forme in [*formes, "api"]}
    for forme, ecrire in formes.items():
        chemins[forme].mkdir(parents=True)
        ecrire(chemins[forme])
    with _client(url) as client:
        importer(client, DEMARCHE, chemins["api"])
    for chemin in chemins.values():
        completer_vague(chemin, numeros)
    lectures = {forme: lire_vague(chemin) for forme, chemin in chemins.items()}
    _sans_erreur_de_schema(p)

    reference = lectures.pop("feuille")
    assert reference.vague is not None
    colonnes = [c for c in reference.vague.dossiers.columns if c not in ("ligne", "fichier")]
    attendu = reference.vague.dossiers[colonnes].to_csv().encode()
    for forme, lecture in lectures.items():
        assert lecture.vague is not None, (forme, [str(c) for c in lecture.constats.erreurs])
        obtenu = lecture.vague.dossiers
        if forme == "csv":  # no repetition block in a csv: each dossier is its own place
            assert (obtenu["lieux"] == obtenu.index.map(lambda i: (i,))).all()
            assert [c.code for c in lecture.constats if c.code == "lieux_non_lus"] == [
                "lieux_non_lus"]
            obtenu = obtenu.assign(lieux=reference.vague.dossiers["lieux"])
            sans = [c for c in _constats(lecture) if c[0] != "lieux_non_lus"]
            assert sans == [c for c in _constats(reference) if c[0] != "lieu_partage"], forme
        else:
            assert _constats(lecture) == _constats(reference), forme
        assert obtenu[colonnes].to_csv().encode() == attendu, forme
    # the laureates: the plain sheet's, from the export and from the API
    laureats = _laureats(chemins["feuille"])
    assert len(laureats) == 30
    for forme in ("export", "export nommé dossiers.xlsx", "api"):
        assert _laureats(chemins[forme]) == laureats, forme
    # the imported wave is the sample wave under the platform's numbers
    echantillon = lire_vague(VAGUE_06).vague
    assert echantillon is not None
    assert sorted(lectures["api"].vague.dossiers["montant"]) == sorted(
        echantillon.dossiers["montant"])


def test_a_mapping_file_of_the_users_serves_both_sources(plateforme, url, tmp_path):
    p, _ = plateforme
    for noeud in p.dossiers.values():
        for champ in noeud["champs"]:
            if champ["label"] == "Nom du projet":
                champ["label"] = "Intitulé de notre tiers-lieu"
    with _client(url) as client:
        rapport = importer(client, DEMARCHE, tmp_path / "sans")
    assert not rapport.ecrits  # « nom » is required: nothing written, and said
    assert [(c.code, c.colonne) for c in rapport.constats.erreurs] == [("colonne_manquante", "nom")]
    propre = tmp_path / "correspondance.toml"
    defaut = (RACINE / "lecture" / "data" / "correspondance_ds.toml").read_text("utf-8")
    propre.write_text(defaut.replace('nom = ["Nom du projet"',
                                     'nom = ["Intitulé de notre tiers-lieu"'), "utf-8")
    with _client(url) as client:
        rapport = importer(client, DEMARCHE, tmp_path / "avec", correspondance=propre)
    assert rapport.ecrits
    noms = [ligne[1] for ligne in _lignes_dossiers(tmp_path / "avec" / FICHIER_DOSSIERS)[1:]]
    assert noms[0] == next(c["value"] for c in p.dossiers[40001]["champs"]
                           if c["label"] == "Intitulé de notre tiers-lieu")


@settings(max_examples=5, deadline=None)
@given(st.permutations(range(12)))
def test_the_written_table_does_not_depend_on_the_order_of_the_answer(ordre):
    p, _ = plateforme_de_vague(DEMARCHE, JETON)
    noeuds = [p.dossiers[n] for n in sorted(p.dossiers)[:12]]
    assert feuille_export([noeuds[i] for i in ordre]) == feuille_export(noeuds)


def test_updated_since_adds_changes_and_withdraws(plateforme, url, tmp_path):
    p, _ = plateforme
    vague = tmp_path / "vague-06"
    with _client(url) as client:
        importer(client, DEMARCHE, vague)
    # on the platform afterwards: one dossier edited, one classé sans suite, one deleted,
    # one new
    nom = next(c for c in p.dossiers[40010]["champs"] if c["label"] == "Nom du projet")
    nom.update(value="La Ruche, nouveau nom", stringValue="La Ruche, nouveau nom")
    p.dossiers[40010]["dateDerniereModification"] = "2026-11-20T08:00:00Z"
    p.dossiers[40011]["state"] = "sans_suite"
    p.dossiers[40011]["dateDerniereModification"] = "2026-11-21T08:00:00Z"
    del p.dossiers[40012]
    p.supprimes.append({"number": 40012, "state": "en_construction", "reason": "user_request",
                        "dateSupression": "2026-11-22T08:00:00Z", "id": "Dossier-40012"})
    nouveau = json.loads(json.dumps(p.dossiers[40001]))
    nouveau.update(id="Dossier-40999", number=40999,
                   dateDerniereModification="2026-11-23T08:00:00Z")
    p.dossiers[40999] = nouveau
    from datetime import UTC, datetime
    with _client(url) as client:
        rapport = importer(client, DEMARCHE, vague, depuis=datetime(2026, 11, 15, tzinfo=UTC))
    assert (rapport.ajoutes, rapport.modifies, rapport.retires) == (
        ("40999",), ("40010",), ("40011", "40012"))
    assert rapport.lus == 3  # only what changed was fetched
    derniere = [r for r in p.requetes if r.operation == "Dossiers"][-1]
    assert derniere.variables["depuis"] == "2026-11-15T00:00:00+00:00"
    ids = {str(ligne[0]) for ligne in _lignes_dossiers(vague / FICHIER_DOSSIERS)[1:]}
    assert "40999" in ids and not {"40011", "40012"} & ids and len(ids) == 259
    assert "Ajoutés depuis le dernier import : 1 (40999)" in rapport.lignes()
    _sans_erreur_de_schema(p)


def test_updated_since_needs_a_complete_import_first(url, tmp_path):
    from datetime import UTC, datetime
    with _client(url) as client, pytest.raises(ValueError, match="Importez d'abord tout"):
        importer(client, DEMARCHE, tmp_path, depuis=datetime(2026, 11, 1, tzinfo=UTC))


def test_a_server_error_is_retried_then_succeeds(plateforme, url, tmp_path):
    p, _ = plateforme
    p.pannes = ["500", "500"]
    with _client(url) as client:
        rapport = importer(client, DEMARCHE, tmp_path)
    assert rapport.ecrits and len(rapport.importes) == 260
    assert [r.operation for r in p.requetes[:3]] == ["Dossiers"] * 3


def test_backoff_doubles_between_attempts(plateforme, url, tmp_path, monkeypatch):
    p, _ = plateforme
    p.pannes = ["500", "500", "500"]
    attentes: list[float] = []
    monkeypatch.setattr(module_client.time, "sleep", attentes.append)
    with ClientDS(Jeton(JETON), url, attente_initiale=0.5) as client:
        importer(client, DEMARCHE, tmp_path)
    assert attentes == [0.5, 1.0, 2.0]


def test_a_timeout_fails_in_french_and_keeps_the_previous_import(plateforme, url, tmp_path):
    p, _ = plateforme
    with _client(url) as client:
        importer(client, DEMARCHE, tmp_path)
    avant = {f: (tmp_path / f).read_bytes() for f in (FICHIER_DOSSIERS, FICHIER_BRUT)}
    p.lenteur = 1.0
    p.pannes = ["", "lent", "lent"]  # the second page never comes in time
    with _client(url, delai=0.3, tentatives=2) as client, \
            pytest.raises(ErreurDS, match=r"délai de 0\.3 s dépassé.*Rien n'a été remplacé"):
        importer(client, DEMARCHE, tmp_path)
    assert {f: (tmp_path / f).read_bytes() for f in avant} == avant


def test_an_expired_token_says_so_in_french(url, tmp_path):
    with _client(url, jeton="jeton-perime") as client, \
            pytest.raises(ErreurDS, match="Jeton refusé par démarches-simplifiées"):
        importer(client, DEMARCHE, tmp_path)
    assert not (tmp_path / FICHIER_DOSSIERS).exists()


def test_the_token_is_in_no_log_even_at_debug_level(plateforme, url, tmp_path, caplog):
    p, _ = plateforme
    p.pannes = ["500"]
    with caplog.at_level(logging.DEBUG), _client(url) as client:
        importer(client, DEMARCHE, tmp_path)
        assert JETON not in repr(client) and JETON not in str(client.jeton)
    assert caplog.records  # httpx and httpcore did log
    assert JETON not in caplog.text
    assert all(r.autorisation == f"Bearer token={JETON}" for r in p.requetes)


# --------------------------------------------------------------------------- publication


@pytest.fixture
def vague_decidee(plateforme, url, tmp_path):
    """The wave imported from the platform, completed, and decided by allocate."""
    _, numeros = plateforme
    vague = tmp_path / "vague-06"
    with _client(url) as client:
        importer(client, DEMARCHE, vague)
    completer_vague(vague, numeros)
    sortie = subprocess.run(
        [sys.executable, "-m", "fabriques.cli", "allocate", str(vague), "--out",
         str(tmp_path / "allocation.xlsx"), "--retours", str(tmp_path / "retours.xlsx")],
        capture_output=True, text=True, cwd=RACINE)
    assert sortie.returncode == 0, sortie.stderr
    return vague, tmp_path / "allocation.xlsx", tmp_path / "retours.xlsx"


def _statuts(allocation: Path) -> dict[int, str]:
    classeur = openpyxl.load_workbook(allocation, read_only=True)
    lignes = list(classeur["classement"].iter_rows(values_only=True))
    entete = lignes[0]
    # the workbook shows the statut in words; the tests compare codes
    return {int(ligne[entete.index("dossier")]): code_de(STATUTS, ligne[entete.index("statut")])
            for ligne in lignes[1:]}


def test_publication_writes_the_decision_once_and_journals_every_call(plateforme, url,
                                                                      vague_decidee):
    p, _ = plateforme
    vague, allocation, retours = vague_decidee
    with _client(url) as client:
        plan = preparer(client, DEMARCHE, allocation, retours, vague)
        assert not plan.constats.a_des_erreurs and len(plan.a_publier) == 260
        assert p.mutations == []  # preparing sends no mutation
        rapport = appliquer(client, plan, journal_de_vague(vague))
        assert rapport.echecs == () and len(rapport.publies) == 260
        appels = len(p.mutations)
        assert preparer(client, DEMARCHE, allocation, retours, vague).a_publier == ()
    statuts = _statuts(allocation)
    attendus = {"laureat": "accepte", "non_retenu": "refuse", "ineligible": "refuse",
                "liste_complementaire": "en_construction"}
    assert {n: p.dossiers[n]["state"] for n in statuts} == {
        n: attendus[s] for n, s in statuts.items()}
    lettres = openpyxl.load_workbook(retours, read_only=True)["retours"]
    entete, *lignes = list(lettres.iter_rows(values_only=True))
    for ligne in lignes:
        numero = int(ligne[entete.index("dossier")])
        if statuts[numero] != "liste_complementaire":
            assert p.dossiers[numero]["motivation"] == ligne[entete.index("message")]
    annotes = {a["label"]: a["stringValue"] for a in p.dossiers[40005]["annotations"]}
    assert set(annotes) == {"Note du jury", "Rang", "Statut jury"}
    journal = journal_de_vague(vague)
    assert journal.verifier().intact
    publications = [e for e in journal.entrees() if e.evenement == "ds_publication"]
    assert len(publications) == appels
    assert {e.donnees["resultat"] for e in publications} == {"ok"}
    _sans_erreur_de_schema(p)


def test_a_failed_mutation_is_not_retried_and_a_second_run_completes(plateforme, url,
                                                                      vague_decidee):
    """A mutation may have been carried out even when its answer failed: it is sent once,
    the failure is reported and journalled, and running the publication again does the
    rest, and only the rest."""
    p, _ = plateforme
    vague, allocation, retours = vague_decidee
    with _client(url) as client:
        plan = preparer(client, DEMARCHE, allocation, retours, vague)
        premier = plan.a_publier[0]
        p.pannes = ["500"]
        rapport = appliquer(client, plan, journal_de_vague(vague))
        assert [d for d, _ in rapport.echecs] == [premier.dossier]
        assert "a pu être faite ou non" in rapport.echecs[0][1]
        assert len(rapport.publies) == len(plan.a_publier) - 1
        assert len([r for r in p.mutations if r.variables.get("dossier")
                    == p.dossiers[premier.numero]["id"]]) == 1  # not retried
        reste = preparer(client, DEMARCHE, allocation, retours, vague)
        assert [a.dossier for a in reste.a_publier] == [premier.dossier]
        assert appliquer(client, reste, journal_de_vague(vague)).echecs == ()
        assert preparer(client, DEMARCHE, allocation, retours, vague).a_publier == ()
    echecs = [e for e in journal_de_vague(vague).entrees()
              if e.evenement == "ds_publication" and e.donnees["resultat"] != "ok"]
    assert [e.donnees["dossier"] for e in echecs] == [premier.dossier]


def test_a_dossier_changed_since_the_import_is_skipped_and_said(plateforme, url,
                                                               vague_decidee):
    p, _ = plateforme
    vague, allocation, retours = vague_decidee
    p.dossiers[40005]["dateDerniereModificationChamps"] = "2026-11-30T12:00:00Z"
    # a laureate decided by hand on the platform meanwhile
    refuse = min(n for n, s in _statuts(allocation).items() if s == "laureat" and n != 40005)
    p.dossiers[refuse]["state"] = "refuse"
    with _client(url) as client:
        plan = preparer(client, DEMARCHE, allocation, retours, vague)
        ecartes = {a.numero: a.ecarte for a in plan.ecartes}
        assert set(ecartes) >= {40005} and "modifié sur la plateforme" in ecartes[40005]
        assert "état a changé" in ecartes[refuse]
        appliquer(client, plan, journal_de_vague(vague))
    assert p.dossiers[40005]["state"] == "en_construction"
    assert not any(a["stringValue"] for a in p.dossiers[40005]["annotations"])
    assert any("écarté — modifié sur la plateforme" in ligne for ligne in plan.lignes())


def _fabriques(*args: str, entree: str = "", jeton: str | None = JETON, url: str = ""
               ) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FABRIQUES_DS_URL": url, "PYTHONPATH": str(RACINE)}
    env.pop("FABRIQUES_DS_JETON", None)
    if jeton is not None:
        env["FABRIQUES_DS_JETON"] = jeton
    return subprocess.run([sys.executable, "-m", "fabriques.cli", *args], input=entree,
                          capture_output=True, text=True, cwd=RACINE, env=env, timeout=600)


def test_import_to_dry_run_end_to_end_through_the_command_line(plateforme, url, tmp_path,
                                                                monkeypatch, capsys):
    """import → check → score → allocate → publish (dry run, then applied with the typed
    confirmation), the token given only by the environment: it appears in no output and
    no file, and the dry run sends no mutation. In this process (the command line's own
    entry point, its environment and standard input): a subprocess would add only its
    start-up; the refused-token test below runs one."""
    import io

    p, numeros = plateforme
    vague = tmp_path / "vague-06"
    sorties = []
    monkeypatch.setenv("FABRIQUES_DS_URL", url)
    monkeypatch.setenv("FABRIQUES_DS_JETON", JETON)

    def lancer(*args: str, code: int = 0, entree: str = "") -> str:
        monkeypatch.setattr(sys, "stdin", io.StringIO(entree))
        resultat = main(list(args))
        lu = capsys.readouterr()
        sorties.extend([lu.out, lu.err])
        assert resultat == code, lu.out + lu.err
        return lu.out

    texte = lancer("ds", "importer", "--demarche", str(DEMARCHE), "--vague", str(vague))
    assert "260 dossier(s) à décider" in texte
    completer_vague(vague, numeros)
    lancer("check", str(vague))
    lancer("score", str(vague), "--out", str(tmp_path / "scores.xlsx"))
    lancer("allocate", str(vague), "--out", str(tmp_path / "allocation.xlsx"),
           "--retours", str(tmp_path / "retours.xlsx"))
    publier = ("ds", "publier", "--allocation", str(tmp_path / "allocation.xlsx"),
               "--retours", str(tmp_path / "retours.xlsx"), "--demarche", str(DEMARCHE),
               "--vague", str(vague))
    texte = lancer(*publier)
    assert "Essai à blanc : rien n'a été envoyé" in texte
    assert "260 dossier(s) à modifier" in texte
    assert p.mutations == []
    lancer(*publier, "--appliquer", entree="publier 259\n", code=2)  # wrong count
    assert p.mutations == []
    texte = lancer(*publier, "--appliquer", entree="publier 260\n")
    assert "260 dossier(s) publié(s)" in texte
    assert "Rien à publier" in lancer(*publier, "--appliquer")

    assert all(JETON not in s for s in sorties)
    for fichier in tmp_path.rglob("*"):
        if fichier.is_file():
            assert JETON.encode() not in fichier.read_bytes(), fichier
    _sans_erreur_de_schema(p)


def test_the_command_line_reports_a_refused_token_without_showing_it(url, tmp_path):
    resultat = _fabriques("ds", "importer", "--demarche", str(DEMARCHE), "--vague",
                          str(tmp_path), jeton="jeton-perime-123456", url=url)
    assert resultat.returncode == 4
    assert "Jeton refusé" in resultat.stderr
    assert "jeton-perime-123456" not in resultat.stdout + resultat.stderr
    absent = _fabriques("ds", "importer", "--demarche", "1", "--vague", str(tmp_path),
                        jeton=None, url=url)
    assert absent.returncode == 2 and "FABRIQUES_DS_JETON" in absent.stderr


def test_an_unreachable_platform_is_retried_then_reported(tmp_path):
    with ClientDS(Jeton(JETON), "http://127.0.0.1:9/api/v2/graphql", attente_initiale=0.0,
                  tentatives=3) as client, \
            pytest.raises(ErreurDS, match=r"après 3 tentative\(s\).*connexion impossible"):
        importer(client, DEMARCHE, tmp_path)
    assert client.appels == 3


def test_the_fixed_columns_laid_out_are_the_platforms_export_headers():
    """The import lays the answer out under the export's own headers (current version of
    ``ds_export_headers.json``), so that the export's mapping applies unchanged."""
    entetes = json.loads((RACINE / "lecture" / "data" / "ds_export_headers.json")
                         .read_text("utf-8"))["dossiers_csv_personne_morale_current"]
    p, _ = plateforme_de_vague(DEMARCHE, JETON)
    export = feuille_export([p.dossiers[40001]])
    libelles_champs = {c["label"] for c in p.dossiers[40001]["champs"]}
    fixes = [h for h in export.dossiers.lignes[0][1]
             if not any(str(h).startswith(libelle) for libelle in libelles_champs)]
    assert fixes and set(fixes) <= set(entetes), set(fixes) - set(entetes)
