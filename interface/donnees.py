"""Page « Données » : what was read, and every error and warning, located."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from application.notation import table_constats
from interface import etat
from interface.import_ds import formulaire_import

st.title("Données de la vague")
formulaire_import()
chargement = etat.etat().chargement
constats = chargement.constats
vague = chargement.vague
colonnes = st.columns(5)
if vague is not None:
    dossiers = vague.dossiers
    qpv = int(dossiers["qpv"].sum())
    colonnes[0].metric("Dossiers", len(dossiers))
    colonnes[1].metric("En QPV", qpv)
    colonnes[2].metric("Hors QPV", len(dossiers) - qpv)
    colonnes[3].metric("Jurés", len(vague.jury))
colonnes[4].metric("Erreurs / avertissements",
                   f"{len(constats.erreurs)} / {len(constats.avertissements)}")

st.header("Contrôle des fichiers")
if len(constats):
    etat.tableau(etat.constats_lisibles(table_constats(constats)), telecharger="constats.csv",
                 aides={"gravite": "erreur : bloque la décision tant qu'elle n'est pas "
                                   "corrigée ; avertissement : à vérifier."})
else:
    st.success("Aucun problème dans les fichiers.")
if not chargement.valide:
    st.error("Les fichiers contiennent des erreurs : corrigez-les (chaque ligne ci-dessus dit "
             "où) pour noter et sélectionner.")
    st.stop()

assert vague is not None
st.header("Dossiers")
colonnes_dossiers = ["nom", "porteur", "commune", "departement", "qpv", "numerique", "montant",
                     "etp", "video"]
etat.tableau(vague.dossiers[colonnes_dossiers].reset_index(), telecharger="dossiers.csv")
st.header("Jury")
etat.tableau(pd.DataFrame([{"juré": j.jure, "nom": j.nom, "college": j.college,
                            "département (déport)": j.departement or ""} for j in vague.jury]),
             width="content")
