"""The Streamlit app opens on the bundled sample wave without any upload."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app_streamlit.py")


def test_app_opens_on_the_sample_wave():
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert not app.exception
    assert app.title[0].value.startswith("Fabriques de Territoire")
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Dossiers"] == "260"
    assert len(app.dataframe) == 1
