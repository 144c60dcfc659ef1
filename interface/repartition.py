"""Page « Répartition » : before the notes, which jurors read which dossiers, and the grids
to send; once a first round is in, extra readings where they change the most."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from application.repartition import (
    ResultatRepartition,
    completer_vague,
    grilles_zip,
    repartir_vague,
)
from application.service import Refus
from interface import etat

st.title("Répartition des dossiers entre les jurés")
courant = etat.etat()
preparation = etat.preparation()
vague = preparation.vague
if vague is None or not preparation.valide:
    st.error("Les fichiers de la vague contiennent des erreurs : voyez la page Données.")
    st.stop()
assert vague is not None

st.markdown(
    "Chaque dossier éligible est lu par le nombre de jurés choisi : jamais par un juré "
    "déporté (feuille `deports`, département du juré, feuille `conflits`), par au moins deux "
    "collèges, avec des charges égales à un dossier près quand les déports le permettent. "
    "Parmi ces répartitions, l'outil cherche celle où deux jurés quelconques ont le plus de "
    "dossiers en commun — c'est ce qui permet de comparer leurs sévérités — et où chacun lit "
    "chaque département, Fabriques numériques et QPV en proportion.")
colonnes = st.columns(2)
par_dossier = int(colonnes[0].number_input("Jurés par dossier", min_value=2,
                                           max_value=len(vague.jury), value=4, step=1,
                                           key="repartition_k"))
graine = int(colonnes[1].number_input("Graine (départage)", min_value=0, value=0, step=1,
                                      key="repartition_graine"))


def _afficher(resultat: ResultatRepartition | Refus, nom_zip: str) -> None:
    if isinstance(resultat, Refus):
        for constat in resultat.erreurs.erreurs:
            st.error(constat.message)
        return
    repartition = resultat.repartition
    if not repartition.trouvee:
        st.error("Aucune répartition ne respecte toutes les règles. À modifier :")
        for relaxation in repartition.relaxations:
            st.markdown(f"- {relaxation.message}")
        return
    charges = repartition.charges(nouvelles_seulement=True)
    indicateurs = st.columns(4)
    indicateurs[0].metric("Dossiers répartis", len(repartition.probleme.dossiers))
    indicateurs[1].metric("Inéligibles non répartis", len(resultat.ineligibles))
    indicateurs[2].metric("Charges", f"{min(charges.values())} à {max(charges.values())}")
    indicateurs[3].metric(
        "Dossiers en commun entre deux jurés, au moins",
        f"{repartition.recouvrement_min} sur {repartition.borne_recouvrement} possibles",
        help="Le plus petit nombre de dossiers que deux jurés lisent tous les deux, et le "
             "plus grand qu'une répartition pourrait atteindre : plus il est haut, mieux on "
             "compare les sévérités des jurés.")
    for avis in repartition.avis:
        st.warning(avis)
    if resultat.non_placees:
        st.warning(f"{resultat.non_placees} lecture(s) n'ont pu être placées : tous les jurés "
                   "libres lisent déjà ces dossiers.")
    graphiques = st.columns(2)
    table_charges = pd.DataFrame({"juré": list(charges), "dossiers": list(charges.values())})
    etat.graphique(
        alt.Chart(table_charges, title="Dossiers à lire par juré").mark_bar().encode(
            x=alt.X("juré:N", title="juré"), y=alt.Y("dossiers:Q", title="dossiers"),
            tooltip=["juré", "dossiers"]), ou=graphiques[0])
    recouvrements = repartition.recouvrements().rename_axis("juré").reset_index().melt(
        id_vars="juré", var_name="avec", value_name="dossiers en commun")
    etat.graphique(
        alt.Chart(recouvrements[recouvrements["juré"] != recouvrements["avec"]],
                  title="Dossiers en commun entre deux jurés").mark_rect().encode(
            x=alt.X("juré:N"), y=alt.Y("avec:N"),
            color=alt.Color("dossiers en commun:Q", scale=alt.Scale(scheme="blues")),
            tooltip=["juré", "avec", "dossiers en commun"]), ou=graphiques[1])
    if resultat.ineligibles:
        with st.expander("Dossiers inéligibles non répartis"):
            etat.tableau(pd.DataFrame(
                [{"dossier": d, "motifs": " ; ".join(m)}
                 for d, m in sorted(resultat.ineligibles.items())]))
    source = courant.chargement if resultat.supplement is not None else preparation
    etat.bouton_telechargement("Télécharger l'affectation et les grilles (zip)",
                               lambda: grilles_zip(source, resultat), nom=nom_zip,
                               mime="application/zip", cle=f"zip_{nom_zip}")


if st.button("Répartir", type="primary", key="repartir"):
    with st.spinner("Répartition…"):
        courant.repartitions[(par_dossier, graine, "premier")] = repartir_vague(
            preparation, par_dossier, graine)
premier = courant.repartitions.get((par_dossier, graine, "premier"))
if premier is not None:
    _afficher(premier, f"repartition-{vague.nom}-k{par_dossier}.zip")

st.header("Second tour : des lectures de plus près de la ligne")
if not courant.chargement.valide:
    st.info("Le second tour demande les notes du premier : déposez la vague avec ses grilles "
            "remplies.")
    st.stop()
st.markdown("Une fois les premières notes reçues, ajoutez des lectures aux dossiers de la "
            "zone d'incertitude (ceux dont l'intervalle croise la note du dernier lauréat), "
            "puis aux plus proches de la ligne.")
supplement = int(st.number_input("Lectures supplémentaires", min_value=1, value=20, step=1,
                                 key="repartition_supplement"))
if st.button("Ajouter ces lectures", key="completer"):
    with st.spinner("Décision, zone d'incertitude et répartition…"):
        courant.repartitions[(supplement, graine, "complement")] = completer_vague(
            courant.chargement, supplement, graine, courant.parametres)
second = courant.repartitions.get((supplement, graine, "complement"))
if second is not None:
    _afficher(second, f"complement-{vague.nom}-{supplement}.zip")
