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
         "interface/selection.py", "interface/arbitrages.py", "interface/programme.py",
         "interface/export.py"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def ouvrir(page: str | None = None) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=120).run()
    assert not app.exception, app.exception
    if page:
        app.switch_page(page).run()
        assert not app.exception, app.exception
    return app


def laureats(app: AppTest) -> list[str]:
    return list(app.dataframe[0].value["dossier"])


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


def test_changing_a_rule_widget_changes_the_laureates():
    app = ouvrir("interface/selection.py")
    before = laureats(app)
    assert len(before) == 30
    app.number_input(key="dep_vague").set_value(1).run()
    assert not app.exception
    after = laureats(app)
    assert after != before
    departements = [r for r in app.dataframe[0].value["departement"]]
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
    assert any("archive_illisible" in str(row) for row in app.dataframe[0].value.to_dict(
        "records"))
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


def test_recording_the_wave_needs_a_confirmation_and_offers_the_new_history():
    app = ouvrir("interface/programme.py")
    bouton = app.button(key="enregistrer")
    assert bouton.disabled
    app.checkbox(key="confirmation").check().run()
    app.button(key="enregistrer").click().run()
    assert not app.exception
    assert "Vague 6 enregistrée : 30 lauréats ajoutés" in app.success[0].value
    assert "historique_enregistre" in app.session_state


def test_robustness_runs_from_the_page_with_its_labels():
    app = ouvrir("interface/arbitrages.py")
    app.number_input(key="tirages").set_value(20).run()
    app.button(key="lancer_robustesse").click().run()
    assert not app.exception
    labels = {m.label for m in app.metric}
    assert {"dépendent de la méthode", "à la limite", "stables"} <= labels
    table = app.dataframe[-1].value
    assert set(table["label"]) <= {"stable", "borderline", "depends_on_method"}


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
    departements = list(app.dataframe[0].value["departement"])
    assert len(set(departements)) == 30  # the uploaded programme's cap of 1 was applied


def test_the_scoring_page_says_which_method_auto_chose_and_draws_the_funding_line():
    app = ouvrir("interface/notation.py")
    assert app.selectbox[0].value == "auto"
    assert any("calibre" in info.value for info in app.info)
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
    recouvrement, borne = metrics["Recouvrement minimal (borne)"].replace(")", "").split(" (")
    assert 0 < int(recouvrement) <= int(borne)
    assert len(app.get("vega_lite_chart")) == 2  # loads and overlaps
    assert app.get("download_button")
    app.number_input(key="repartition_supplement").set_value(10).run()
    app.button(key="completer").click().run()
    assert not app.exception, app.exception
    assert len(app.get("download_button")) == 2
