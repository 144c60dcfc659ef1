"""Streamlit workbench of the secretariat. It holds no domain logic: it calls the packages.

Run: ``streamlit run app_streamlit.py`` — it opens on the bundled sample wave.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

SAMPLE_WAVE = Path(__file__).resolve().parent / "sample_waves" / "vague-06"


@st.cache_data(show_spinner="Lecture de la vague…")
def lire_dossiers(dossier_vague: str) -> pd.DataFrame:
    """The dossiers sheet of a folder wave, codes kept as text."""
    return pd.read_excel(
        Path(dossier_vague) / "dossiers.xlsx", sheet_name="dossiers", dtype=str,
        engine="openpyxl",
    )


def main() -> None:
    """Render the page."""
    st.set_page_config(page_title="Fabriques de Territoire — jury", layout="wide")
    st.title("Fabriques de Territoire — notation et sélection")
    st.caption(f"Vague d'exemple : {SAMPLE_WAVE.name}")
    dossiers = lire_dossiers(str(SAMPLE_WAVE))
    qpv = (dossiers["qpv"] == "oui").sum()
    colonnes = st.columns(3)
    colonnes[0].metric("Dossiers", len(dossiers))
    colonnes[1].metric("En QPV", int(qpv))
    colonnes[2].metric("Hors QPV", int(len(dossiers) - qpv))
    st.dataframe(dossiers, hide_index=True, width="stretch")


main()
