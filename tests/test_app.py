"""The Streamlit app opens on the bundled sample wave without any upload."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app_streamlit.py")


def test_app_opens_on_the_sample_wave_and_shows_findings_and_ranking():
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert not app.exception
    assert app.title[0].value.startswith("Fabriques de Territoire")
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Dossiers"] == "260"
    assert metrics["Erreurs / avertissements"] == "0 / 3"
    findings, ranking = app.dataframe
    assert len(findings.value) == 3
    assert len(ranking.value) == 260


def test_changing_the_method_changes_the_ranking():
    app = AppTest.from_file(APP, default_timeout=60).run()
    raw_top = list(app.dataframe[1].value["dossier"].head(30))
    app.selectbox[0].select("bias").run()
    assert not app.exception
    bias_top = list(app.dataframe[1].value["dossier"].head(30))
    assert raw_top != bias_top
