"""Streamlit workbench of the secretariat: the entry script. It checks access, loads the wave
(the bundled sample by default, or uploaded files) and hands over to the pages of
``interface/``. It holds no domain logic: everything comes from the application service.

Run: ``streamlit run app_streamlit.py`` — it opens on the bundled sample wave and its history.
Streamlit finds :data:`app` below and serves the page through it, behind the gate of
:mod:`interface.acces` (downloads only for the session that was granted access).
"""

from __future__ import annotations

import os

import streamlit as st
from starlette.middleware import Middleware
from streamlit.runtime.scriptrunner import get_script_run_ctx

from interface import acces, langue

#: The ASGI app ``streamlit run`` serves: this very script, behind the downloads' gate.
#: In front too: the HTML page says ``lang="fr"`` (:mod:`interface.langue`).
app = st.App(__file__, middleware=[Middleware(acces.GardeDesFichiers),
                                   Middleware(langue.PageEnFrancais)])

#: Addresses that only this machine can reach; any other needs a password (FAQ 7.7: the
#: list of candidates is confidential).
ADRESSES_LOCALES = {"localhost", "127.0.0.1", "::1"}


def mot_de_passe_configure() -> str | None:
    """The password from Streamlit secrets (``mot_de_passe``) or ``FABRIQUES_MOT_DE_PASSE``."""
    try:
        secret = st.secrets.get("mot_de_passe")
    except Exception:  # no secrets file at all: Streamlit raises, which is no error here
        secret = None
    return str(secret) if secret else os.environ.get("FABRIQUES_MOT_DE_PASSE") or None


def acces_autorise() -> bool:
    """True when the page may show candidate data — served on this machine only, or the
    right password given (each failure doubles the wait before the next check) — and then
    this browser is granted this session's downloads. Served to a network without a
    password configured: refused."""
    if _acces_accorde():
        ctx = get_script_run_ctx()
        acces.autoriser(st.context.cookies.get(acces.COOKIE), ctx.session_id if ctx else None)
        return True
    return False


def _acces_accorde() -> bool:
    adresse = st.get_option("server.address")
    if adresse in ADRESSES_LOCALES:
        return True
    attendu = mot_de_passe_configure()
    if attendu is None:
        st.error("L'application est servie sur le réseau sans mot de passe : elle refuse de "
                 "démarrer. Définissez `mot_de_passe` dans `.streamlit/secrets.toml` ou la "
                 "variable d'environnement FABRIQUES_MOT_DE_PASSE, ou servez-la sur "
                 "localhost.")
        return False
    if st.session_state.get("acces"):
        return True
    saisi = st.text_input("Mot de passe", type="password")
    if saisi and acces.TENTATIVES.verifier(saisi, attendu):
        st.session_state["acces"] = True
        st.rerun()
    elif saisi:
        st.error("Mot de passe incorrect. Chaque essai manqué allonge l'attente avant le "
                 "suivant.")
    return False


def barre_laterale() -> None:
    """Choose the wave: the bundled sample, or uploaded files (kept in memory)."""
    from interface import etat  # the pages' state: loaded by the page, not by the server

    with st.sidebar:
        st.markdown("**Vague étudiée**")
        deposes = st.file_uploader(
            "Déposer une vague (classeur, archive zip du dossier, ou export "
            "démarches-simplifiées avec jury.xlsx et les grilles des jurés ; programme.toml "
            "et laureats.xlsx facultatifs)",
            type=["xlsx", "zip", "csv", "toml"], accept_multiple_files=True,
            key="televersement")
        fichiers = [(f.name, f.getvalue()) for f in deposes or []]
        sans_historique = bool(fichiers) and st.checkbox(
            "Décider sans historique des lauréats", key="sans_historique",
            help="Au-delà de la première vague, l'historique (laureats.xlsx) est nécessaire "
                 "aux rythmes, aux plafonds et aux lieux déjà lauréats : ne cochez que si "
                 "aucune vague n'a été enregistrée avant celle-ci.")
        courant = etat.charger_source(fichiers or None, sans_historique)
        if fichiers:
            st.caption(f"Fichiers déposés : {', '.join(n for n, _ in fichiers)}")
        else:
            st.caption("Vague d'exemple : vague-06 (données fictives) et son historique.")
        v = courant.chargement.vague
        if v is not None:
            st.caption(f"{v.nom} — {len(v.dossiers)} dossiers, {len(v.jury)} jurés")


def main() -> None:
    """Render the workbench."""
    st.set_page_config(page_title="Fabriques de Territoire — jury", layout="wide")
    st.html(langue.STYLE)
    st.html(langue.SCRIPT, unsafe_allow_javascript=True)
    if not acces_autorise():
        st.stop()
    barre_laterale()
    pages = [
        st.Page("interface/repartition.py", title="Répartition"),
        st.Page("interface/donnees.py", title="Données", default=True),
        st.Page("interface/notation.py", title="Notation"),
        st.Page("interface/selection.py", title="Sélection"),
        st.Page("interface/arbitrages.py", title="Arbitrages"),
        st.Page("interface/seance.py", title="Séance"),
        st.Page("interface/programme.py", title="Programme"),
        st.Page("interface/export.py", title="Export"),
    ]
    st.navigation(pages).run()


if __name__ == "__main__":  # run by Streamlit as the page (imported by the server as ``app``)
    main()
