"""Page « Notation » : method and weights, ranking, jurors' severity and spread, agreement,
and the dossier × juror heat map."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from commun.vocabulaire import METHODES as VOCABULAIRE_METHODES
from interface import etat
from scoring.diagnostics import diagnostic_jures, fiabilite
from scoring.normalisation import METHODES
from scoring.rapport import table_scores

st.title("Notation")
courant = etat.etat()
vague = etat.vague()
parametres = courant.parametres

methode = st.selectbox("Méthode de normalisation", METHODES,
                       index=METHODES.index(parametres.methode),
                       format_func=lambda m: f"{m} — {VOCABULAIRE_METHODES[m].libelle}")
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
if resultat.scores.choix is not None:
    choix = resultat.scores.choix
    st.info(f"Méthode choisie par validation croisée ({choix.plis} plis) : **{choix.methode}** "
            f"— {VOCABULAIRE_METHODES[choix.methode].libelle}.")
    st.dataframe(etat.en_francais(pd.DataFrame(
        [{"methode": m, "erreur_de_prediction": e, "erreur_type": choix.erreurs_types[m]}
         for m, e in choix.erreurs.items()]), decimales={"erreur_de_prediction": 4,
                                                        "erreur_type": 4}),
        hide_index=True)

st.header("Incertitude et ligne de financement")
if resultat.decision is None:
    st.info("Aucune sélection possible avec les règles actuelles : pas de ligne de "
            "financement à montrer.")
else:
    incertitude = etat.incertitude(resultat)
    laureats = set(resultat.allocation.laureats)
    intervalles = incertitude.table.dropna(subset=["score"]).assign(
        statut=lambda t: t["dossier"].map(
            lambda i: "lauréat" if i in laureats else "non retenu"))
    intervalles.loc[intervalles["zone_incertitude"], "statut"] = "zone d'incertitude"
    proches = intervalles.sort_values("score", ascending=False).head(
        len(laureats) + 30 + len(incertitude.zone))
    st.caption(f"Intervalle à 90 % de chaque note et ligne de financement (note du dernier "
               f"lauréat : {incertitude.seuil:.2f}). La zone d'incertitude — "
               f"{len(incertitude.zone)} dossier(s) dont l'intervalle à 50 % croise la ligne — "
               "est à discuter en premier.")
    base = alt.Chart(proches).encode(
        y=alt.Y("dossier:N", sort=list(proches["dossier"]), title=None,
                axis=alt.Axis(labelFontSize=9)))
    st.altair_chart(
        base.mark_rule().encode(x=alt.X("score_bas_90:Q", title="note",
                                        scale=alt.Scale(zero=False)), x2="score_haut_90:Q",
                                color=alt.Color("statut:N", title="statut"))
        + base.mark_circle(size=50).encode(
            x="score:Q", color="statut:N",
            tooltip=["dossier", alt.Tooltip("score:Q", format=".2f"),
                     alt.Tooltip("rang_attendu:Q", format=".1f"),
                     alt.Tooltip("probabilite_selection:Q", format=".0%")])
        + alt.Chart(pd.DataFrame({"seuil": [incertitude.seuil]})).mark_rule(
            strokeDash=[6, 4], color="black").encode(x="seuil:Q"),
        width="stretch")
st.header("Classement")
classement = table_scores(vague, resultat.scores)
st.dataframe(etat.en_francais(classement, decimales={c: 2 for c in vague.ids_criteres}),
             hide_index=True, width="stretch", height=360)

st.header("Jurés : sévérité et dispersion")
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

st.header("Accord du jury")
st.caption("ICC de Shrout et Fleiss, W de Kendall (avec correction des ex æquo), α de "
           "Krippendorff, par critère et pour la moyenne des critères.")
st.dataframe(fiabilite(vague).round(3), hide_index=True, width="stretch")

st.header("Carte de chaleur dossier × juré")
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
