"""Page « Données » : what was read, and every error and warning, located."""

from __future__ import annotations

import streamlit as st

from interface import etat
from interface.import_ds import formulaire_import
from scoring.rapport import table_constats

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
    st.dataframe(table_constats(constats), hide_index=True, width="stretch")
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
st.dataframe(etat.en_francais(vague.dossiers[colonnes_dossiers].reset_index()),
             hide_index=True, width="stretch")
st.header("Jury")
st.dataframe([{"juré": j.jure, "nom": j.nom, "collège": j.college,
               "département (déport)": j.departement or ""} for j in vague.jury],
             hide_index=True)
