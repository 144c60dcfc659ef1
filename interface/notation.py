"""Page « Notation » : what the secretariat decides first — the method that turns the
jurors' notes into a score, and why, and the jurors to look at — then the ranking and the
funding line; the detail (each method's error, the jurors' severity and spread, the jury's
agreement, the dossier × juror heat map) folded below."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from application.methodes import METHODES
from application.notation import diagnostic_jures, fiabilite_par_libelle, table_scores
from commun.francais import decimal
from commun.vocabulaire import METHODES as MOTS_DES_METHODES
from commun.vocabulaire import STATISTIQUES, libelle
from interface import etat

st.title("Notation")
courant = etat.etat()
vague = etat.vague()
parametres = courant.parametres

AIDE_METHODES = "\n".join(f"- **{t.libelle}** : {t.explication}"
                          for t in MOTS_DES_METHODES.values())

st.header("À décider")
methode = st.selectbox("Méthode qui fait des notes des jurés la note du dossier", METHODES,
                       index=METHODES.index(parametres.methode),
                       format_func=lambda m: libelle(MOTS_DES_METHODES, m),
                       help=AIDE_METHODES)
st.caption(MOTS_DES_METHODES[methode].explication)
st.markdown("**Poids des critères**")
poids_actuels = dict(parametres.poids) or vague.poids
colonnes = st.columns(len(vague.criteres))
poids = {}
for colonne, critere in zip(colonnes, vague.criteres, strict=True):
    poids[critere.critere] = colonne.number_input(
        critere.libelle or critere.critere, min_value=0.0, max_value=10.0, step=0.5,
        value=float(poids_actuels[critere.critere]), key=f"poids_{critere.critere}",
        format="%g")
nouveaux = tuple(sorted(poids.items())) if poids != vague.poids else ()
if methode != parametres.methode or nouveaux != parametres.poids:
    etat.changer(methode=methode, poids=nouveaux)

resultat = etat.resultat()
for avertissement in resultat.scores.avertissements:
    st.warning(avertissement)
choix = resultat.scores.choix
if choix is not None:
    st.info(f"Méthode retenue : **{libelle(MOTS_DES_METHODES, choix.methode)}**. "
            f"Pourquoi : c'est elle qui prédit le mieux les notes mises de côté "
            f"(validation croisée en {choix.plis} plis) — erreur de prédiction "
            f"{decimal(choix.erreurs[choix.methode], 3)} point "
            f"± {decimal(choix.erreurs_types[choix.methode], 3)}. "
            f"{MOTS_DES_METHODES[choix.methode].explication}")
else:
    st.info(f"Méthode demandée : **{libelle(MOTS_DES_METHODES, methode)}**.")

with st.spinner("Diagnostic des jurés…"):
    jures = diagnostic_jures(vague)
signales = jures[jures["signalement"] != ""]
if signales.empty:
    st.success("Aucun juré ne note de façon très différente des autres.")
else:
    st.warning("Jurés à regarder (leurs notes s'écartent de celles des autres) : " + " ; ".join(
        f"{ligne.jure} ({ligne.nom}) : {ligne.signalement}"
        for ligne in signales.itertuples()) + ".")

if choix is not None:
    with st.expander("Détail : l'erreur de prédiction de chaque méthode"):
        st.caption(STATISTIQUES["erreur_de_prediction"].explication)
        etat.tableau(pd.DataFrame(
            [{"methode": m, "erreur_de_prediction": e, "erreur_type": choix.erreurs_types[m]}
             for m, e in sorted(choix.erreurs.items(), key=lambda x: x[1])]),
            decimales={"erreur_de_prediction": 3, "erreur_type": 3},
            aides={"methode": AIDE_METHODES,
                   "erreur_type": "De combien l'erreur varie d'un pli à l'autre."},
            width="content")

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
               f"lauréat : {decimal(incertitude.seuil)}). La zone d'incertitude — "
               f"{len(incertitude.zone)} dossier(s) dont l'intervalle à 50 % croise la ligne — "
               "est à discuter en premier.")
    base = alt.Chart(proches).encode(
        y=alt.Y("dossier:N", sort=list(proches["dossier"]), title=None,
                axis=alt.Axis(labelFontSize=9)))
    etat.graphique(
        base.mark_rule().encode(x=alt.X("score_bas_90:Q", title="note",
                                        scale=alt.Scale(zero=False)), x2="score_haut_90:Q",
                                color=alt.Color("statut:N", title="statut"))
        + base.mark_circle(size=50).encode(
            x="score:Q", color="statut:N",
            tooltip=["dossier", alt.Tooltip("score:Q", format=".2f", title="note"),
                     alt.Tooltip("rang_attendu:Q", format=".1f", title="rang attendu"),
                     alt.Tooltip("probabilite_selection:Q", format=".0%",
                                 title="probabilité d'être retenu")])
        + alt.Chart(pd.DataFrame({"seuil": [incertitude.seuil]})).mark_rule(
            strokeDash=[6, 4], color="black").encode(x="seuil:Q"))
st.header("Classement")
classement = table_scores(vague, resultat.scores)
etat.tableau(classement, decimales={c: 2 for c in vague.ids_criteres},
             entetes=vague.libelles_criteres, height=360, telecharger=f"classement-{vague.nom}.csv")

with st.expander("Détail : sévérité et dispersion de chaque juré"):
    etat.graphique(
        alt.Chart(jures).mark_circle(size=120).encode(
            x=alt.X("severite:Q", title="sévérité (points ; < 0 sévère, > 0 indulgent)"),
            y=alt.Y("dispersion:Q", title="dispersion (1 = celle du panel)"),
            color=alt.Color("signalement:N", title="signalement"),
            tooltip=[alt.Tooltip("jure:N", title="juré"), "nom",
                     alt.Tooltip("severite:Q", format=".2f", title="sévérité"),
                     alt.Tooltip("dispersion:Q", format=".2f", title="dispersion"),
                     alt.Tooltip("accord:Q", format=".2f", title="accord"), "signalement"],
        ) + alt.Chart(jures).mark_text(dy=-12).encode(x="severite:Q", y="dispersion:Q",
                                                       text="jure:N"))
    etat.tableau(jures, aides={
        "severite": "Écart moyen de ses notes à celles des autres jurés sur les mêmes "
                    "dossiers (points ; négatif : plus sévère).",
        "dispersion": "L'étalement de ses notes rapporté à celui du jury (1 : le même).",
        "accord": "Corrélation de ses notes avec la moyenne des autres jurés sur les mêmes "
                  "dossiers (1 : tout à fait d'accord).",
        "echelle_calibree": "De combien ce juré étire (> 1) ou resserre (< 1) ses notes.",
        "bruit_calibre": "La part de ses notes que ni le dossier ni sa sévérité n'expliquent."})

with st.expander("Détail : accord du jury"):
    st.caption("Par critère et pour la moyenne des critères. Survolez l'en-tête d'une colonne "
               "pour lire ce que mesure chaque chiffre.")
    accord = fiabilite_par_libelle(vague)
    etat.tableau(accord.replace({"critere": {"ensemble": "moyenne des critères"}}),
        decimales={c: 3 for c in accord.columns if c in STATISTIQUES or c == "alpha_ratio"})

with st.expander("Détail : carte de chaleur dossier × juré"):
    moyennes = (vague.notes.groupby(["dossier", "jure"])["note"].mean().reset_index())
    ordre = list(classement["dossier"])
    etat.graphique(
        alt.Chart(moyennes).mark_rect().encode(
            x=alt.X("jure:N", title="juré"),
            y=alt.Y("dossier:N", sort=ordre, title="dossier (du mieux au moins bien noté)",
                    axis=alt.Axis(labels=False, ticks=False)),
            color=alt.Color("note:Q", title="note moyenne", scale=alt.Scale(scheme="viridis")),
            tooltip=["dossier", alt.Tooltip("jure:N", title="juré"),
                     alt.Tooltip("note:Q", format=".2f")],
        ).properties(height=600))
