"""Page « Arbitrages » : price of each rule, Pareto frontiers (click a point to see its
allocation), robustness labels, and two saved scenarios compared side by side."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from application import arbitrages
from commun.francais import decimal, euros
from commun.vocabulaire import METHODES, ROBUSTESSE, libelle
from interface import etat

st.title("Arbitrages")
courant = etat.etat()
resultat = etat.selection_possible()
probleme = resultat.probleme
cache = st.session_state.setdefault("arbitrages", {})
cle = courant.parametres

st.header("Prix de chaque règle")
st.caption("Gain de score total si l'on levait cette règle seule, et qui entrerait ou "
           "sortirait.")
if ("prix", cle) not in cache:
    with st.spinner("Prix de chaque règle…"):
        cache[("prix", cle)] = arbitrages.prix(resultat)
prix = cache[("prix", cle)]
etat.tableau(prix[["regle", "gain", "entrent", "sortent"]], decimales={"gain": 2})

st.header("Frontières de Pareto")
axes = {"départements couverts": "departements", "budget accordé": "budget",
        "part de QPV": "qpv"}
choix = st.radio("Score total face à", list(axes), horizontal=True, key="axe_pareto")
axe = axes[choix]
if ("pareto", axe, cle) not in cache:
    with st.spinner("Balayage…"):
        cache[("pareto", axe, cle)] = arbitrages.pareto(resultat, axe)
points = cache[("pareto", axe, cle)]
selection = alt.selection_point(fields=["point"], name="point_choisi")
FORMATS = {"departements": ".0f", "budget": ",.0f", "qpv": ".0%"}
if len(points) == 1:
    st.info("Une seule sélection possible sur cet axe : aucune n'échange du score total "
            f"contre {choix} (score total {decimal(points['score_total'].iloc[0])}).")
graphique = alt.Chart(points).mark_line(point=alt.OverlayMarkDef(size=120)).encode(
    x=alt.X(f"{axe}:Q", title=choix, scale=alt.Scale(zero=False),
            axis=alt.Axis(format=FORMATS[axe],
                          tickMinStep=1 if axe == "departements" else alt.Undefined)),
    y=alt.Y("score_total:Q", title="score total", scale=alt.Scale(zero=False),
            axis=alt.Axis(format=",.2f")),
    tooltip=["point", alt.Tooltip(f"{axe}:Q", format=FORMATS[axe], title=choix),
             alt.Tooltip("score_total:Q", format=",.2f", title="score total")],
).add_params(selection)
evenement = etat.graphique(graphique, on_select="rerun", key=f"graphique_{axe}")
choisis = evenement.get("selection", {}).get("point_choisi", []) if evenement else []
numero = choisis[0]["point"] if choisis else None
par_point = points.set_index("point")


def _point(k: int) -> str:
    valeur = par_point.loc[k, axe]
    lisible = (f"{decimal(100 * valeur, 0)} % de QPV" if axe == "qpv"
               else euros(valeur) if axe == "budget"
               else f"{decimal(valeur, 0)} départements")
    return f"point {k} — {lisible}, score total {decimal(par_point.loc[k, 'score_total'])}"


numero = st.selectbox("Sélection à regarder", list(points["point"]), key=f"point_{axe}",
                      format_func=_point,
                      index=list(points["point"]).index(numero) if numero in
                      list(points["point"]) else 0)
ligne = points[points["point"] == numero].iloc[0]
laureats = ligne["laureats"].split(", ") if ligne["laureats"] else []
par_id = {d.dossier: d for d in probleme.dossiers}
etat.tableau(pd.DataFrame(
    [{"dossier": i, "nom": par_id[i].nom, "departement": par_id[i].departement,
      "qpv": par_id[i].qpv, "montant": par_id[i].montant, "score": par_id[i].score}
     for i in laureats]))

st.header("Robustesse de la sélection")
st.caption("Probabilité d'être retenu quand le jury est tiré au hasard (avec remise), effet "
           "de l'absence de chaque juré, méthodes qui retiennent le dossier.")
tirages = st.number_input("Tirages", 10, 5000, 200, step=50, key="tirages")
if st.button("Lancer le calcul de robustesse", key="lancer_robustesse"):
    barre = st.progress(0.0, text="Tirages du jury…")

    def avancer(fait: int, total: int) -> None:
        barre.progress(fait / total, text=f"Tirages du jury… {fait}/{total}")

    cache[("robustesse", cle)] = arbitrages.robustesse_de(resultat, int(tirages), avancer)
    barre.empty()
if ("robustesse", cle) in cache:
    table = cache[("robustesse", cle)]
    c = st.columns(3)
    for colonne, code in zip(c, ["depends_on_method", "borderline", "stable"], strict=True):
        colonne.metric(ROBUSTESSE[code].libelles, int((table["label"] == code).sum()),
                       help=ROBUSTESSE[code].explication)
    # The sheet keeps SPEC's codes; the page speaks French (commun.vocabulaire).
    etat.tableau(table.assign(label=table["label"].map(lambda c: libelle(ROBUSTESSE, c)))
                 .rename(columns={"label": "robustesse"}),
                 decimales={"probabilite": 2, "sans_un_jure": 2},
                 aides={"robustesse": " ".join(f"{t.libelle} : {t.explication}"
                                               for t in ROBUSTESSE.values())})

st.header("Comparer deux scénarios")
st.caption("Enregistrez la sélection courante comme scénario A ou B (méthode, poids et "
           "règles), changez les paramètres, puis comparez.")
scenarios = st.session_state.setdefault("scenarios", {})
g, d = st.columns(2)
if g.button("Enregistrer comme scénario A", key="scenario_a"):
    scenarios["A"] = courant.parametres
if d.button("Enregistrer comme scénario B", key="scenario_b"):
    scenarios["B"] = courant.parametres
if "A" in scenarios and "B" in scenarios:
    a, b = etat.resultat(scenarios["A"]), etat.resultat(scenarios["B"])
    if a.decision is None or b.decision is None:
        st.warning("Un des scénarios n'a pas de sélection possible.")
    else:
        g.markdown(f"**A** — méthode {libelle(METHODES, scenarios['A'].methode)}, score "
                   f"total {decimal(a.allocation.score_total)}")
        d.markdown(f"**B** — méthode {libelle(METHODES, scenarios['B'].methode)}, score "
                   f"total {decimal(b.allocation.score_total)}")
        difference = arbitrages.comparaison(("A", a), ("B", b))
        if difference.empty:
            st.success("Les deux scénarios retiennent les mêmes lauréats.")
        else:
            etat.tableau(difference, decimales={"score_A": 2, "score_B": 2})
