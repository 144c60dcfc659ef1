"""Page « Programme » : progress toward 150 / 150 / 30 and the envelope, wave by wave, and
recording the decided wave into the history (with a confirmation)."""

from __future__ import annotations

import altair as alt
import streamlit as st

from application.historique import historique_complete, lignes_historique, prevision_a_ce_rythme
from application.notation import table_constats
from application.service import avancement_programme
from commun.constats import Constats
from commun.fichiers import FICHIER_HISTORIQUE
from commun.francais import euros
from interface import etat

st.title("Programme")
courant = etat.etat()
vague = etat.vague()
regles = etat.regles()
resultat = etat.resultat()
historique = courant.chargement.historique.copy()

par_vague = avancement_programme(historique, regles, resultat)

cumul = par_vague.iloc[-1] if len(par_vague) else None
# Waves counted in the cumulated figures: the one being decided, when it has a selection.
vagues_comptees = regles.numero if resultat.decision is not None else regles.numero - 1
for libelle, colonne, cible in (("Fabriques", "cumul_laureats", regles.cible_total),
                                ("en QPV", "cumul_qpv", regles.cible_qpv),
                                ("hors QPV", "cumul_hors_qpv", regles.cible_hors_qpv),
                                ("numériques", "cumul_numeriques", regles.cible_numeriques)):
    fait = int(cumul[colonne]) if cumul is not None else 0
    fin = prevision_a_ce_rythme(fait, vagues_comptees, regles.nombre_vagues)
    st.progress(min(1.0, fait / max(cible, 1)),
                text=f"{libelle} : {fait} sur {cible} — à ce rythme, {fin} en fin de programme"
                     + (" (sous la cible)" if fin < cible else ""))
engage = int(cumul["cumul_montant"]) if cumul is not None else 0
st.progress(min(1.0, engage / max(regles.enveloppe_totale, 1)),
            text=f"Enveloppe : {euros(engage)} sur {euros(regles.enveloppe_totale)}")
etat.tableau(par_vague)
laureats_par_vague = par_vague.melt(id_vars="vague", value_vars=["qpv", "hors_qpv"],
                                    var_name="categorie", value_name="lauréats").assign(
    categorie=lambda t: t["categorie"].map({"qpv": "en QPV", "hors_qpv": "hors QPV"}))
etat.graphique(alt.Chart(laureats_par_vague, title="Lauréats par vague").mark_bar().encode(
    x=alt.X("vague:O", title="vague", axis=alt.Axis(labelAngle=0)),
    y=alt.Y("lauréats:Q", title="lauréats", stack=True),
    color=alt.Color("categorie:N", title="catégorie"),
    tooltip=["vague", alt.Tooltip("categorie:N", title="catégorie"), "lauréats"]))

st.header("Enregistrer la vague décidée dans l'historique")
if resultat.decision is None:
    st.info("Aucune sélection possible avec les règles actuelles : rien à enregistrer.")
    st.stop()
if regles.numero in set(historique["vague"]):
    st.warning(f"La vague {regles.numero} est déjà dans l'historique.")
    st.stop()
st.caption("Les lauréats de la sélection courante sont ajoutés à l'historique, qui est "
           "proposé en téléchargement ; l'historique d'origine n'est pas modifié.")
confirme = st.checkbox(f"Je confirme que le jury a arrêté cette sélection de "
                       f"{len(resultat.allocation.laureats)} lauréats pour la vague "
                       f"{regles.numero}.", key="confirmation")
if st.button("Enregistrer la vague", disabled=not confirme, key="enregistrer"):
    constats = Constats()
    nouvelles = lignes_historique(vague.dossiers, resultat.allocation.montants, regles.numero,
                                  regles.annee)
    contenu = historique_complete(courant.chargement.historique_octets, nouvelles, constats)
    if contenu is None:
        st.error("L'enregistrement est refusé :")
        etat.tableau(etat.constats_lisibles(table_constats(constats)))
    else:
        st.session_state["historique_enregistre"] = contenu
        st.success(f"Vague {regles.numero} enregistrée : {len(nouvelles)} lauréats ajoutés.")
if "historique_enregistre" in st.session_state:
    etat.bouton_telechargement("Télécharger l'historique mis à jour (laureats.xlsx)",
                               st.session_state["historique_enregistre"],
                               nom=FICHIER_HISTORIQUE, mime=etat.TABLEUR,
                               cle="telecharger_historique")
