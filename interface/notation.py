"""Page « Notation » : method and weights, ranking, jurors' severity and spread, agreement,
and the dossier × juror heat map."""

from __future__ import annotations

import altair as alt
import streamlit as st

from interface import etat
from scoring.diagnostics import diagnostic_jures, fiabilite
from scoring.normalisation import LIBELLES_METHODES, METHODES
from scoring.rapport import table_scores

st.title("Notation")
courant = etat.etat()
vague = etat.vague()
parametres = courant.parametres

methode = st.selectbox("Méthode de normalisation", METHODES,
                       index=METHODES.index(parametres.methode),
                       format_func=lambda m: f"{m} — {LIBELLES_METHODES[m]}")
st.markdown("**Poids des critères**")
poids_actuels = dict(parametres.poids) or vague.poids
colonnes = st.columns(len(vague.criteres))
poids = {}
for colonne, critere in zip(colonnes, vague.criteres, strict=True):
    poids[critere.critere] = colonne.number_input(
        critere.libelle or critere.critere, min_value=0.0, max_value=10.0, step=0.5,
        value=float(poids_actuels[critere.critere]), key=f"poids_{critere.critere}")
nouveaux = tuple(sorted(poids.items())) if poids != vague.poids else ()
if methode != parametres.methode or nouveaux != parametres.poids:
    etat.changer(methode=methode, poids=nouveaux)

resultat = etat.resultat()
for avertissement in resultat.scores.avertissements:
    st.warning(avertissement)
st.subheader("Classement")
classement = table_scores(vague, resultat.scores)
st.dataframe(etat.en_francais(classement, decimales={c: 2 for c in vague.ids_criteres}),
             hide_index=True, width="stretch", height=360)

st.subheader("Jurés : sévérité et dispersion")
jures = diagnostic_jures(vague)
st.altair_chart(
    alt.Chart(jures).mark_circle(size=120).encode(
        x=alt.X("severite:Q", title="sévérité (points ; < 0 sévère, > 0 indulgent)"),
        y=alt.Y("dispersion:Q", title="dispersion (1 = celle du panel)"),
        color=alt.Color("signalement:N", title="signalement"),
        tooltip=["jure", "nom", "severite", "dispersion", "accord", "signalement"],
    ) + alt.Chart(jures).mark_text(dy=-12).encode(x="severite:Q", y="dispersion:Q",
                                                   text="jure:N"),
    width="stretch")
st.dataframe(etat.en_francais(jures, decimales={"moyenne": 2, "severite": 2,
                                                "dispersion": 2, "accord": 2}),
             hide_index=True, width="stretch")

st.subheader("Accord du jury")
st.caption("ICC de Shrout et Fleiss, W de Kendall (avec correction des ex æquo), α de "
           "Krippendorff, par critère et pour la moyenne des critères.")
st.dataframe(fiabilite(vague).round(3), hide_index=True, width="stretch")

st.subheader("Carte de chaleur dossier × juré")
moyennes = (vague.notes.groupby(["dossier", "jure"])["note"].mean().reset_index())
ordre = list(classement["dossier"])
st.altair_chart(
    alt.Chart(moyennes).mark_rect().encode(
        x=alt.X("jure:N", title="juré"),
        y=alt.Y("dossier:N", sort=ordre, title="dossier (du mieux au moins bien noté)",
                axis=alt.Axis(labels=False, ticks=False)),
        color=alt.Color("note:Q", title="note moyenne", scale=alt.Scale(scheme="viridis")),
        tooltip=["dossier", "jure", alt.Tooltip("note:Q", format=".2f")],
    ).properties(height=600),
    width="stretch")
