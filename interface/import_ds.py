"""The import from démarches-simplifiées on page « Données »: the démarche's number, the
token (a hidden field, emptied with the form once sent; never shown, never kept), the wave
folder to write into, and, for an update, the date of the last import. The report is the
command line's: what was read, added, changed and withdrawn, and every finding located."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

import streamlit as st

from application.notation import table_constats
from interface import etat


def formulaire_import() -> None:
    """The import form and, once sent, its report. Drawn only when asked for: its date
    field alone loads a calendar the first page of the app does not need."""
    if not st.toggle("Importer les dossiers depuis démarches-simplifiées", key="ds_ouvert"):
        return
    with st.container(border=True):
        with st.form("import_ds", clear_on_submit=True):
            demarche = st.number_input("Numéro de la démarche", min_value=1, step=1,
                                       value=None, key="ds_demarche")
            jeton = st.text_input(
                "Jeton de l'API (profil administrateur ; non conservé)", type="password",
                key="ds_jeton",
                help="Laissez vide si la variable FABRIQUES_DS_JETON est définie.")
            dossier = st.text_input("Dossier de la vague où écrire dossiers.xlsx",
                                    key="ds_dossier", placeholder="/chemin/vers/vague-07")
            depuis = st.date_input("Seulement les modifications depuis (facultatif)",
                                   value=None, key="ds_depuis", format="DD/MM/YYYY")
            envoye = st.form_submit_button("Importer")
        if envoye:
            _importer(demarche, jeton, dossier, depuis if isinstance(depuis, date) else None)
        for ligne in st.session_state.get("ds_rapport", []):
            st.write(ligne)
        constats = st.session_state.get("ds_constats")
        if constats is not None and len(constats):
            etat.tableau(etat.constats_lisibles(table_constats(constats)))


def _importer(demarche: float | None, jeton: str, dossier: str, depuis: date | None) -> None:
    from application.ds.client import (
        FUSEAU,
        ClientDS,
        ErreurDS,
        Jeton,
        jeton_depuis_environnement,
    )
    from application.ds.importation import importer

    st.session_state.pop("ds_rapport", None)
    st.session_state.pop("ds_constats", None)
    secret = Jeton(jeton.strip()) if jeton.strip() else jeton_depuis_environnement()
    if demarche is None or not dossier.strip() or secret is None:
        st.error("Indiquez le numéro de la démarche, le dossier de la vague et le jeton (ou "
                 "définissez FABRIQUES_DS_JETON).")
        return
    moment = datetime.combine(depuis, time(), tzinfo=FUSEAU) if depuis else None
    compteur = st.empty()

    def progression(lus: int) -> None:
        compteur.caption(f"Dossiers lus : {lus}")

    try:
        with st.spinner("Import depuis démarches-simplifiées…"), ClientDS(secret) as client:
            rapport = importer(client, int(demarche), Path(dossier.strip()).expanduser(),
                               moment, progression=progression)
    except (ErreurDS, ValueError) as erreur:
        st.error(secret.masquer(str(erreur)))
        return
    (st.success if rapport.ecrits else st.error)(rapport.lignes()[-1])
    st.session_state["ds_rapport"] = rapport.lignes()[:-1]
    st.session_state["ds_constats"] = rapport.constats
