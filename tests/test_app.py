"""The Streamlit workbench, driven by AppTest: it opens on the sample wave, every page renders,
a rule widget changes the laureates, an impossible rule shows the relaxation, uploaded files
are read, and a network-served app asks for a password."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit import config
from streamlit.testing.v1 import AppTest

RACINE = Path(__file__).resolve().parents[1]
APP = str(RACINE / "app_streamlit.py")
SAMPLES = RACINE / "sample_waves"
PAGES = ["interface/repartition.py", "interface/donnees.py", "interface/notation.py",
         "interface/selection.py", "interface/arbitrages.py", "interface/seance.py",
         "interface/programme.py", "interface/export.py"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def ouvrir(page: str | None = None) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=120).run()
    assert not app.exception, app.exception
    if page:
        app.switch_page(page).run()
        assert not app.exception, app.exception
    return app


def table_avec(app: AppTest, colonne: str):
    """The first table of the page that has ``colonne``."""
    return next(t.value for t in app.dataframe if colonne in t.value.columns)


def laureats(app: AppTest) -> list[str]:
    return list(app.dataframe[0].value["dossier"])


def telechargements(app: AppTest) -> list:
    """The page's download buttons, after checking that none reruns the page when clicked
    (``interface.etat.bouton_telechargement`` says why: a rerun at the click could drop
    the file's address, and the download never started)."""
    boutons = list(app.get("download_button"))
    assert all(b.proto.ignore_rerun for b in boutons), \
        [b.proto.label for b in boutons if not b.proto.ignore_rerun]
    return boutons


def test_the_sample_wave_opens_on_the_data_page():
    app = ouvrir()
    assert app.title[0].value == "Données de la vague"
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Dossiers"] == "260"
    assert metrics["Erreurs / avertissements"] == "0 / 12"
    assert len(app.dataframe[0].value) == 12  # the located warnings planted in the sample


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_without_exception(page):
    app = ouvrir(page)
    assert app.title and not app.error
    telechargements(app)


def test_the_export_page_offers_its_four_files_each_made_at_the_click():
    boutons = telechargements(ouvrir("interface/export.py"))
    assert [b.proto.label for b in boutons] == [
        "Télécharger le classeur d'allocation", "Télécharger la liste publique des lauréats",
        "Télécharger les retours aux candidats non retenus",
        "Télécharger les lettres aux candidats (PDF)"]
    assert all(b.proto.deferred_file_id for b in boutons)


def test_every_file_made_at_the_click_is_made_outside_the_pages_run(monkeypatch):
    """Streamlit runs a download's function in a thread of its own, outside the page's run:
    there is no session state there. Each function the Export and assignment pages give
    their buttons is run so, after the page: each gives its file (the allocation workbook
    once asked the session for its uncertainty, and failed)."""
    import interface.etat as etat

    fonctions: dict[str, object] = {}
    dessiner = etat.bouton_telechargement

    def retenir(libelle, contenu, **options):
        if callable(contenu):
            fonctions[libelle] = contenu
        dessiner(libelle, contenu, **options)

    monkeypatch.setattr(etat, "bouton_telechargement", retenir)
    ouvrir("interface/export.py")
    app = ouvrir("interface/repartition.py")
    app.button(key="repartir").click().run()
    assert not app.exception, app.exception
    assert set(fonctions) == {
        "Télécharger le classeur d'allocation", "Télécharger la liste publique des lauréats",
        "Télécharger les retours aux candidats non retenus",
        "Télécharger les lettres aux candidats (PDF)",
        "Télécharger l'affectation et les grilles (zip)"}
    for libelle, fonction in fonctions.items():
        contenu = fonction()
        assert isinstance(contenu, bytes) and contenu[:2] == b"PK", libelle  # xlsx and zip


def test_every_download_button_of_the_workbench_is_made_by_one_function():
    """Only ``etat.bouton_telechargement`` calls Streamlit's ``download_button``."""
    sources = [RACINE / "app_streamlit.py", *sorted((RACINE / "interface").glob("*.py"))]
    appels = {f"{p.relative_to(RACINE)}:{n}" for p in sources
              for n, ligne in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
              if "download_button(" in ligne}
    assert len(appels) == 1 and next(iter(appels)).startswith("interface/etat.py:"), appels


def test_changing_a_rule_widget_changes_the_laureates():
    app = ouvrir("interface/selection.py")
    before = laureats(app)
    assert len(before) == 30
    app.number_input(key="dep_vague").set_value(1).run()
    assert not app.exception
    after = laureats(app)
    assert after != before
    departements = [r for r in app.dataframe[0].value["département"]]
    assert len(departements) == len(set(departements))  # one laureate per department now


def test_changing_the_method_changes_the_ranking_and_the_selection():
    app = ouvrir("interface/selection.py")
    before = laureats(app)
    app.switch_page("interface/notation.py").run()
    app.selectbox[0].select("bias").run()
    assert not app.exception
    app.switch_page("interface/selection.py").run()
    assert laureats(app) != before


def test_an_impossible_rule_shows_the_relaxation_instead_of_an_error():
    app = ouvrir("interface/selection.py")
    app.number_input(key="max_laureats").set_value(20).run()
    assert not app.exception
    assert "Aucune sélection ne respecte toutes les règles" in app.error[0].value
    messages = " ".join(m.value for m in app.markdown)
    assert "abaisser le rythme minimum" in messages


def test_an_uploaded_wave_workbook_is_read_with_its_programme_and_history():
    app = ouvrir()
    app.sidebar.file_uploader[0].set_value([
        ("vague-05.xlsx", (SAMPLES / "vague-05.xlsx").read_bytes(), XLSX),
        ("programme.toml", (SAMPLES / "programme.toml").read_bytes(), "application/toml"),
        ("laureats.xlsx", (SAMPLES / "laureats.xlsx").read_bytes(), XLSX),
    ]).run()
    assert not app.exception
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Dossiers"] == "220"
    app.switch_page("interface/selection.py").run()
    assert not app.exception and len(laureats(app)) == 30
    assert all(d.startswith("V05-") for d in laureats(app))


def test_a_broken_upload_lists_its_errors():
    app = ouvrir()
    app.sidebar.file_uploader[0].set_value(("vague-09.zip", b"not a zip", "application/zip"))
    app.run()
    assert not app.exception
    from commun.constats import CODES

    constats = app.dataframe[0].value  # the finding's label and its severity, in words
    assert CODES["archive_illisible"].titre in set(constats["constat"])
    assert set(constats["gravité"]) == {"erreur"}
    assert app.error


@pytest.fixture
def servie_sur_le_reseau(monkeypatch):
    config.set_option("server.address", "0.0.0.0")
    yield monkeypatch
    config.set_option("server.address", "localhost")


def test_served_on_the_network_without_a_password_it_refuses_to_start(servie_sur_le_reseau):
    servie_sur_le_reseau.delenv("FABRIQUES_MOT_DE_PASSE", raising=False)
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert "refuse de démarrer" in app.error[0].value
    assert not app.metric and not app.dataframe


def test_served_on_the_network_it_asks_for_the_password(servie_sur_le_reseau):
    servie_sur_le_reseau.setenv("FABRIQUES_MOT_DE_PASSE", "jury-2026")
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert not app.metric and not app.dataframe
    app.text_input[0].input("mauvais").run()
    assert app.error and not app.metric
    app.text_input[0].input("jury-2026").run()
    assert not app.exception
    assert {m.label: m.value for m in app.metric}["Dossiers"] == "260"


def test_each_wrong_password_doubles_the_wait_before_the_next_check(servie_sur_le_reseau):
    from interface import acces

    attentes: list[float] = []
    servie_sur_le_reseau.setattr(acces, "TENTATIVES", acces.Tentatives(attendre=attentes.append))
    servie_sur_le_reseau.setenv("FABRIQUES_MOT_DE_PASSE", "jury-2026")
    app = AppTest.from_file(APP, default_timeout=60).run()
    for essai in range(6):
        app.text_input[0].input(f"mauvais-{essai}").run()
        assert app.error and not app.metric
    app.text_input[0].input("jury-2026").run()
    assert {m.label: m.value for m in app.metric}["Dossiers"] == "260"
    assert attentes == [0.0, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0]  # the right one waited too
    assert acces.TENTATIVES.attente() == 0.0  # and the count starts again


def test_the_wait_is_capped_and_old_failures_are_forgotten():
    from interface import acces

    maintenant = [0.0]
    tentatives = acces.Tentatives(attendre=lambda _: None, horloge=lambda: maintenant[0])
    for _ in range(20):
        assert not tentatives.verifier("mauvais", "bon")
    assert tentatives.attente() == acces.ATTENTE_MAX
    maintenant[0] += acces.OUBLI_DES_ECHECS + 1
    assert tentatives.attente() == 0.0


def test_a_check_never_waits_behind_another_clients():
    """An attacker's checks, each sleeping its doubled wait, do not queue the secretariat's
    correct password behind them; beyond a few at once, they are refused at once."""
    import threading
    import time

    from interface import acces

    bloque, debloque = threading.Event(), threading.Event()

    def attendre(secondes: float) -> None:
        if secondes > 0 and bloque.is_set():  # each waiting check holds until released
            debloque.wait(5)

    tentatives = acces.Tentatives(attendre=attendre)
    for _ in range(3):
        tentatives.verifier("mauvais", "bon")  # three failures: the next checks wait
    bloque.set()
    attaque = [threading.Thread(target=tentatives.verifier, args=("mauvais", "bon"))
               for _ in range(acces.VERIFICATIONS_SIMULTANEES - 1)]
    for fil in attaque:
        fil.start()
    while tentatives.en_cours < len(attaque):
        time.sleep(0.01)
    resultat: list[bool] = []
    fil = threading.Thread(target=lambda: resultat.append(tentatives.verifier("bon", "bon")))
    fil.start()
    while tentatives.en_cours < acces.VERIFICATIONS_SIMULTANEES:
        time.sleep(0.01)
    assert not tentatives.verifier("encore", "bon")  # beyond the bound: refused at once
    debloque.set()
    for f in [*attaque, fil]:
        f.join(5)
    assert resultat == [True]


def test_recording_the_wave_needs_a_confirmation_and_offers_the_new_history():
    app = ouvrir("interface/programme.py")
    bouton = app.button(key="enregistrer")
    assert bouton.disabled
    app.checkbox(key="confirmation").check().run()
    app.button(key="enregistrer").click().run()
    assert not app.exception
    assert "Vague 6 enregistrée : 30 lauréats ajoutés" in app.success[0].value
    assert "historique_enregistre" in app.session_state
    assert [b.proto.label for b in telechargements(app)] == [
        "Télécharger l'historique mis à jour (laureats.xlsx)"]


def test_robustness_runs_from_the_page_with_its_labels():
    app = ouvrir("interface/arbitrages.py")
    app.number_input(key="tirages").set_value(20).run()
    app.button(key="lancer_robustesse").click().run()
    assert not app.exception
    labels = {m.label for m in app.metric}
    assert {"dépendent de la méthode", "à la limite", "stables"} <= labels
    table = app.dataframe[-1].value
    assert set(table["robustesse"]) <= {"stable", "à la limite", "dépend de la méthode"}


def test_an_uploaded_zip_of_a_wave_folder_is_read():
    import io
    import zipfile

    contenu = io.BytesIO()
    with zipfile.ZipFile(contenu, "w") as archive:
        for fichier in sorted((SAMPLES / "vague-06").rglob("*.xlsx")):
            archive.write(fichier, Path("vague-06") / fichier.relative_to(SAMPLES / "vague-06"))
    app = ouvrir()
    programme = (SAMPLES / "programme.toml").read_text().replace(
        "max_par_departement = 2", "max_par_departement = 1")
    app.sidebar.file_uploader[0].set_value(
        [("vague-06.zip", contenu.getvalue(), "application/zip"),
         ("programme.toml", programme.encode(), "application/toml")])
    app.run()
    assert not app.exception
    assert {m.label: m.value for m in app.metric}["Dossiers"] == "260"
    app.switch_page("interface/selection.py").run()
    assert len(laureats(app)) == 30
    departements = list(app.dataframe[0].value["département"])
    assert len(set(departements)) == 30  # the uploaded programme's cap of 1 was applied


def test_an_uploaded_wave_without_its_history_stops_unless_said_on_purpose():
    """A wave after the first uploaded without laureats.xlsx: an error on « Données », until
    the secretariat says the wave is decided without history on purpose."""
    import io
    import zipfile

    contenu = io.BytesIO()
    with zipfile.ZipFile(contenu, "w") as archive:
        for fichier in sorted((SAMPLES / "vague-06").rglob("*.xlsx")):
            if fichier.name != "laureats.xlsx":
                archive.write(fichier,
                              Path("vague-06") / fichier.relative_to(SAMPLES / "vague-06"))
    app = ouvrir()
    app.sidebar.file_uploader[0].set_value(
        [("vague-06.zip", contenu.getvalue(), "application/zip"),
         ("programme.toml", (SAMPLES / "programme.toml").read_bytes(), "application/toml")])
    app.run()
    assert not app.exception
    assert "historique_manquant" in str(app.session_state["etat"].chargement.constats.codes())
    app.sidebar.checkbox(key="sans_historique").check().run()
    assert not app.exception
    assert app.session_state["etat"].chargement.valide


def test_the_scoring_page_says_which_method_auto_chose_and_draws_the_funding_line():
    app = ouvrir("interface/notation.py")
    assert app.selectbox[0].value == "auto"
    assert any("Méthode retenue : **modèle de jurés**" in info.value for info in app.info)
    assert any("ligne de financement" in c.value and "zone d'incertitude" in c.value
               for c in app.caption)


def test_the_assignment_page_assigns_draws_the_loads_and_offers_the_grids():
    app = ouvrir("interface/repartition.py")
    assert app.title[0].value == "Répartition des dossiers entre les jurés"
    app.number_input(key="repartition_k").set_value(4).run()
    app.button(key="repartir").click().run()
    assert not app.exception, app.exception
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Inéligibles non répartis"] == "11"
    assert metrics["Dossiers répartis"] == "249"
    recouvrement, borne = metrics["Dossiers en commun entre deux jurés, au moins"].removesuffix(
        " possibles").split(" sur ")
    assert 0 < int(recouvrement) <= int(borne)
    assert len(app.get("vega_lite_chart")) == 2  # loads and overlaps
    assert telechargements(app)
    app.number_input(key="repartition_supplement").set_value(10).run()
    app.button(key="completer").click().run()
    assert not app.exception, app.exception
    assert len(telechargements(app)) == 2


def test_the_meeting_is_run_from_its_page(tmp_path, monkeypatch):
    """Agenda, a decision with its reason, a revised note, the journal, the decision closed
    with its workbook and procès-verbal: all from page « Séance »."""
    import json

    from pypdf import PdfReader

    monkeypatch.setenv("FABRIQUES_JOURNAUX", str(tmp_path))
    app = ouvrir("interface/seance.py")
    assert app.title[0].value == "Séance du jury"
    metriques = {m.label: m.value for m in app.metric}
    assert metriques["Décisions du jury"] == "0" and metriques["Sort changé par la discussion"] \
        == "0"
    ordre = table_avec(app, "rubrique")
    assert ordre["rubrique"].iloc[0] == "zone d'incertitude"
    # a dossier of the zone left out by the proposal, retained with a reason
    candidat = next(d for d, s in zip(ordre["dossier"], ordre["statut"], strict=True)
                    if s == "non retenu")
    app.selectbox(key="dossier_examine").set_value(candidat).run()
    assert "Le retenir coûterait" in app.info[0].value
    assert app.button(key="retenir").disabled  # no reason yet
    app.text_input(key="raison_decision").input("projet exemplaire en zone rurale").run()
    app.button(key="retenir").click().run()
    assert not app.exception and not app.error
    metriques = {m.label: m.value for m in app.metric}
    assert metriques["Décisions du jury"] == "1"
    assert int(metriques["Sort changé par la discussion"]) >= 2  # one in, one out
    journal = tmp_path / "vague-06" / "journal.jsonl"
    entrees = [json.loads(ligne) for ligne in journal.read_text().splitlines()]
    assert [e["evenement"] for e in entrees] == ["chargement", "retenir"]
    assert entrees[1]["donnees"] == {"dossier": candidat,
                                     "raison": "projet exemplaire en zone rurale"}
    # a note revised: its first value kept and shown against the new one
    notes = table_avec(app, "juré")
    offre = next(c for c in notes.columns if c.startswith("Offre de services"))
    jure = next(j for j, note in zip(notes["juré"], notes[offre], strict=True)
                if note not in ("déporté", "", "10"))
    app.selectbox(key="revision_jure").set_value(jure)
    app.selectbox(key="revision_critere").set_value("offre")
    app.number_input(key="revision_note").set_value(10.0)
    app.text_input(key="revision_raison").input("relecture du budget")
    app.button(key="FormSubmitter:revision-Réviser la note").click().run()
    assert not app.exception and not app.error
    assert {m.label: m.value for m in app.metric}["Notes révisées"] == "1"
    entrees = [json.loads(ligne) for ligne in journal.read_text().splitlines()]
    revision = [e["donnees"] for e in entrees if e["evenement"] == "reviser"]
    assert len(revision) == 1 and revision[0]["jure"] == jure
    assert revision[0]["apres"] == 10.0 and revision[0]["raison"] == "relecture du budget"
    avant_apres = table_avec(app, "après")
    assert list(avant_apres["après"]) == ["10"] and avant_apres["avant"][0] != "10"
    # closing: the allocation journalled with its workbook's hash, the PV offered
    app.button(key="clore").click().run()
    assert not app.exception and not app.error
    entrees = [json.loads(ligne) for ligne in journal.read_text().splitlines()]
    assert entrees[-1]["evenement"] == "allocation"
    assert candidat in entrees[-1]["donnees"]["laureats"]
    pv = app.session_state["cloture"][2]
    assert pv is not None and candidat in "".join(
        p.extract_text() for p in PdfReader(__import__("io").BytesIO(pv)).pages)
    assert "intact" in app.success[-1].value
    assert {"Télécharger le classeur d'allocation", "Télécharger le procès-verbal (PDF)",
            "Télécharger le journal"} <= {b.proto.label for b in telechargements(app)}


def test_the_data_page_imports_from_demarches_simplifiees(tmp_path, monkeypatch):
    """The import form against the local démarches-simplifiées: the report shown, the files
    written, the token shown nowhere. (The form empties its fields once sent; that happens
    in the browser, which AppTest does not run.)"""
    from tests.ds.donnees import plateforme_de_vague
    from tests.ds.serveur import serveur_ds

    jeton = "jeton-appli-Hq27Lm"
    plateforme, _ = plateforme_de_vague(4321, jeton)
    monkeypatch.delenv("FABRIQUES_DS_JETON", raising=False)
    with serveur_ds(plateforme) as url:
        monkeypatch.setenv("FABRIQUES_DS_URL", url)
        app = ouvrir()
        assert not app.number_input  # the form is drawn only when asked for
        app.toggle(key="ds_ouvert").set_value(True).run()
        app.number_input(key="ds_demarche").set_value(4321)
        app.text_input(key="ds_jeton").input(jeton)
        app.text_input(key="ds_dossier").input(str(tmp_path / "vague-07"))
        app.button(key="FormSubmitter:import_ds-Importer").click().run()
        assert not app.exception, app.exception
        assert [s.value for s in app.success] and "Écrit" in app.success[0].value
        assert any("260 dossier(s) à décider" in m.value for m in app.markdown)
        assert (tmp_path / "vague-07" / "dossiers.xlsx").exists()
        visible = " ".join(str(e.value) for e in [*app.markdown, *app.success, *app.caption])
        assert jeton not in visible
        # a refused token: a French message, nothing replaced
        avant = (tmp_path / "vague-07" / "dossiers.xlsx").read_bytes()
        app.number_input(key="ds_demarche").set_value(4321)
        app.text_input(key="ds_jeton").input("jeton-perime")
        app.text_input(key="ds_dossier").input(str(tmp_path / "vague-07"))
        app.button(key="FormSubmitter:import_ds-Importer").click().run()
        assert "Jeton refusé" in app.error[0].value
        assert (tmp_path / "vague-07" / "dossiers.xlsx").read_bytes() == avant
