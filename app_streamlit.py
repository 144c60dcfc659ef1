"""Streamlit workbench of the secretariat. It holds no domain logic: it calls the packages.

Run: ``streamlit run app_streamlit.py`` — it opens on the bundled sample wave.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from scoring.lecture import lire_vague
from scoring.modele import LectureVague
from scoring.normalisation import LIBELLES_METHODES, METHODES, noter
from scoring.rapport import table_constats, table_scores

SAMPLE_WAVE = Path(__file__).resolve().parent / "sample_waves" / "vague-06"


@st.cache_resource(show_spinner="Lecture de la vague…")
def lire(chemin: str) -> LectureVague:
    """Read and validate a wave once per session."""
    return lire_vague(chemin)


def main() -> None:
    """Render the page."""
    st.set_page_config(page_title="Fabriques de Territoire — jury", layout="wide")
    st.title("Fabriques de Territoire — notation et sélection")
    st.caption(f"Vague d'exemple : {SAMPLE_WAVE.name}")
    lecture = lire(str(SAMPLE_WAVE))
    constats = lecture.constats
    vague = lecture.vague
    colonnes = st.columns(4)
    if vague is not None:
        qpv = int(vague.dossiers["qpv"].sum())
        colonnes[0].metric("Dossiers", len(vague.dossiers))
        colonnes[1].metric("En QPV", qpv)
        colonnes[2].metric("Hors QPV", len(vague.dossiers) - qpv)
    colonnes[3].metric("Erreurs / avertissements",
                       f"{len(constats.erreurs)} / {len(constats.avertissements)}")

    st.subheader("Contrôle des fichiers")
    if len(constats):
        st.dataframe(table_constats(constats), hide_index=True, width="stretch")
    else:
        st.success("Aucun problème dans les fichiers.")
    if vague is None:
        st.error("La vague contient des erreurs : corrigez les fichiers pour la noter.")
        return

    st.subheader("Classement")
    methode = st.selectbox("Méthode de normalisation", METHODES,
                           format_func=lambda m: f"{m} — {LIBELLES_METHODES[m]}")
    scores = noter(vague, methode)
    for avertissement in scores.avertissements:
        st.warning(avertissement)
    classement: pd.DataFrame = table_scores(vague, scores)
    st.dataframe(classement, hide_index=True, width="stretch")


main()
