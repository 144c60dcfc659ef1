"""Page « Export » : the allocation workbook, the public list and the feedback letters,
each built when its button is pressed, for this session only (:mod:`interface.acces`)."""

from __future__ import annotations

import streamlit as st

from application.service import (
    classeur_decision,
    lettres_zip,
    liste_publique,
    retours_aux_candidats,
)
from interface import etat

st.title("Export")
courant = etat.etat()
vague = etat.vague()
resultat = etat.selection_possible()
# The buttons' functions run outside the page's run (no session state there): what they need
# of the session is taken now; the journal's anchor is still read at the click.
journal = etat.journal()
etat.bouton_telechargement(
    "Télécharger le classeur d'allocation",
    lambda: classeur_decision(courant.chargement, resultat, journal.ancre(),
                              etat.incertitude_de_la_session(courant, resultat)),
    nom=f"allocation-{vague.nom}.xlsx", mime=etat.TABLEUR, cle="export_allocation")
st.caption("Synthèse, classement, lauréats, liste complémentaire, incertitude, explications, "
           "départements, jury, paramètres (empreintes des fichiers, règles, décisions du jury).")
etat.bouton_telechargement(
    "Télécharger la liste publique des lauréats",
    lambda: liste_publique(resultat),
    nom=f"laureats-publics-{vague.nom}.xlsx", mime=etat.TABLEUR, cle="export_public")
st.caption("Lauréats seuls, champs publics seuls : rien sur les autres candidats (FAQ 7.7).")
etat.bouton_telechargement(
    "Télécharger les retours aux candidats non retenus",
    lambda: retours_aux_candidats(resultat),
    nom=f"retours-{vague.nom}.xlsx", mime=etat.TABLEUR, cle="export_retours")
st.caption("Une ligne par dossier non retenu, prête pour un publipostage.")
etat.bouton_telechargement(
    "Télécharger les lettres aux candidats (PDF)",
    lambda: lettres_zip(resultat),
    nom=f"lettres-{vague.nom}.zip", mime="application/zip", cle="export_lettres")
st.caption("Une lettre par dossier — lauréat, liste complémentaire, non retenu ou inéligible — "
           "avec la décision, le paragraphe de retour et les notes par critère ; l'archive "
           "est fabriquée au clic (quelques secondes pour 260 dossiers).")
