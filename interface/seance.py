"""Page « Séance » : the jury's meeting. The agenda in the order worth discussing, each
dossier's notes by juror (déported jurors marked), the jurors' comments, its interval and
what retaining or setting it aside would do; the decisions « retenir », « écarter » and
« réviser une note », each with its reason, written to the wave's journal; the journal
itself, checked; and the decision closed with its workbook and procès-verbal."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from application.proces_verbal import proces_verbal
from application.seance import (
    agenda,
    decider_en_seance,
    journaliser_allocation,
    journaliser_chargement,
    journaliser_methode,
    notes_du_dossier,
    resume_entree,
    reviser_en_seance,
)
from application.service import classeur_decision
from application.tables import RUBRIQUES, effet_decision
from commun.fichiers import FICHIER_JOURNAL
from commun.francais import decimal, horodatage
from commun.vocabulaire import EVENEMENTS, STATUTS, libelle
from interface import etat

st.title("Séance du jury")
courant = etat.etat()
vague = etat.vague()
journal = etat.journal()
seance = etat.seance()  # stops the page on a broken journal
journaliser_chargement(journal, courant.chargement)
resultat = etat.selection_possible()
proposition = etat.resultat(avec_seance=False, avec_decision=False)
incertitude = etat.incertitude(resultat)

entres = sorted(set(resultat.allocation.laureats) - set(proposition.allocation.laureats))
sortis = sorted(set(proposition.allocation.laureats) - set(resultat.allocation.laureats))
c = st.columns(4)
c[0].metric("Dans la zone d'incertitude", len(incertitude.zone))
c[1].metric("Décisions du jury", len(seance.forces) + len(seance.exclus))
c[2].metric("Notes révisées", len(seance.revisions))
c[3].metric("Sort changé par la discussion", len(entres) + len(sortis),
            help="Dossiers lauréats maintenant et pas dans la proposition, ou l'inverse.")
if entres or sortis:
    st.caption(f"Entrés par la discussion : {', '.join(entres) or 'aucun'} — sortis : "
               f"{', '.join(sortis) or 'aucun'}.")

# The agenda and the effects are computed once per decision (several solves each).
cache = st.session_state.setdefault("seance_calculs", {})
if ("agenda", resultat.parametres) not in cache:
    with st.spinner("Ordre du jour…"):
        cache[("agenda", resultat.parametres)] = agenda(resultat, incertitude)
table = cache[("agenda", resultat.parametres)]
a_discuter = table[table["rubrique"] != RUBRIQUES[-1]]
st.header("Ordre du jour")
st.caption("D'abord la zone d'incertitude à la limite de sélection, puis les dossiers dont le "
           "sort dépend de la méthode ou d'un seul juré. Les autres sont repliés.")
colonnes = {"score_bas_90": 2, "score_haut_90": 2, "probabilite_selection": 2}
etat.tableau(a_discuter, decimales=colonnes, key="ordre_du_jour")
with st.expander(f"Autres dossiers ({len(table) - len(a_discuter)})"):
    etat.tableau(table[table["rubrique"] == RUBRIQUES[-1]], decimales=colonnes)

st.header("Dossier examiné")
ordre = list(table["dossier"])
dossier = st.selectbox("Dossier", ordre, key="dossier_examine",
                       format_func=lambda i: f"{i} — {vague.dossiers.loc[i, 'nom']}")
ligne = table[table["dossier"] == dossier].iloc[0]
laureat = dossier in resultat.allocation.laureats
sort = libelle(STATUTS, "laureat" if laureat else "non_retenu")
st.markdown(f"**{ligne['nom']}** — {sort} ; note "
            f"{decimal(ligne['score'])} (intervalle à 90 % : {decimal(ligne['score_bas_90'])} "
            f"à {decimal(ligne['score_haut_90'])}) ; probabilité d'être retenu "
            f"{decimal(100 * ligne['probabilite_selection'], 0)} % ; {ligne['rubrique']}"
            + (f" : {ligne['pourquoi']}" if ligne["pourquoi"] else "") + ".")
notes = notes_du_dossier(vague, resultat, dossier)
etat.tableau(notes, key="notes_du_dossier",
             entetes={c.critere: c.libelle or c.critere for c in vague.criteres})
revisees = [r for r in seance.revisions if r.dossier == dossier]
if revisees:
    st.caption("Notes révisées en séance (avant → après) :")
    etat.tableau(pd.DataFrame([{"juré": r.jure, "critère": r.critere, "avant": r.avant,
                                "après": r.apres, "raison": r.raison} for r in revisees]))
if ("effet", resultat.parametres, dossier) not in cache:
    cache[("effet", resultat.parametres, dossier)] = effet_decision(
        resultat.probleme, resultat.allocation, dossier)
st.info(cache[("effet", resultat.parametres, dossier)].message)

decisions = dict(seance.forces) | dict(seance.exclus)
if dossier in decisions:
    verbe = "retenu" if dossier in dict(seance.forces) else "écarté"
    st.caption(f"Décision de la séance : {verbe} — {decisions[dossier]}")


def _enregistrer(action: str, raison: str) -> None:
    constats = decider_en_seance(journal, courant.chargement, courant.parametres, action,
                                 dossier, raison)
    if constats.a_des_erreurs:
        st.session_state["refus_seance"] = [c.message for c in constats.erreurs]
    else:
        st.session_state.pop("refus_seance", None)


raison = st.text_input("Raison de la décision (obligatoire)", key="raison_decision")
g, m, d = st.columns(3)
g.button("Retenir", key="retenir", disabled=laureat or not raison.strip(),
         on_click=_enregistrer, args=("retenir", raison))
m.button("Écarter", key="ecarter", disabled=not laureat or not raison.strip(),
         on_click=_enregistrer, args=("ecarter", raison))
d.button("Annuler la décision", key="annuler",
         disabled=dossier not in decisions or not raison.strip(),
         on_click=_enregistrer, args=("annuler", raison))

with st.form("revision", clear_on_submit=True):
    st.markdown("**Réviser une note**")
    lecteurs = [j for j in notes["juré"] if (j, dossier) not in vague.deports]
    a, b, n = st.columns(3)
    jure = a.selectbox("Juré", lecteurs, key="revision_jure")
    critere = b.selectbox("Critère", vague.ids_criteres, key="revision_critere",
                          format_func=vague.libelles_criteres.__getitem__)
    bornes = {c.critere: c for c in vague.criteres}[critere]
    nouvelle = n.number_input("Nouvelle note", float(bornes.note_min), float(bornes.note_max),
                              step=0.5, key="revision_note", format="%g")
    raison_note = st.text_input("Raison de la révision (obligatoire)", key="revision_raison")
    if st.form_submit_button("Réviser la note"):
        refus = reviser_en_seance(journal, courant.chargement, str(jure), dossier, critere,
                                  float(nouvelle), raison_note)
        if refus.a_des_erreurs:
            st.session_state["refus_seance"] = [c.message for c in refus.erreurs]
        else:
            st.session_state.pop("refus_seance", None)
            st.rerun()
for message in st.session_state.get("refus_seance", []):
    st.error(message)

st.header("Clore la séance")
st.caption("Arrête la décision : elle est inscrite au journal avec l'empreinte du classeur, "
           "puis le classeur d'allocation et le procès-verbal (PDF) sont proposés.")
if st.button("Arrêter la décision et préparer le procès-verbal", key="clore"):
    with st.spinner("Classeur et procès-verbal…"), journal.transaction():
        journaliser_methode(journal, resultat)
        classeur = classeur_decision(courant.chargement, resultat, etat.ancre_journal(),
                                     incertitude)
        nom_classeur = f"allocation-{vague.nom}.xlsx"
        journaliser_allocation(journal, resultat,
                               {nom_classeur: hashlib.sha256(classeur).hexdigest()})
    with st.spinner("Procès-verbal…"):
        pdf, constats = proces_verbal(courant.chargement, classeur, journal)
        st.session_state["cloture"] = (nom_classeur, classeur, pdf,
                                       [c.message for c in constats.erreurs])
if "cloture" in st.session_state:
    nom_classeur, classeur, pdf, erreurs = st.session_state["cloture"]
    for message in erreurs:
        st.error(message)
    g, d = st.columns(2)
    etat.bouton_telechargement("Télécharger le classeur d'allocation", classeur,
                               nom=nom_classeur, mime=etat.TABLEUR, cle="cloture_classeur",
                               zone=g)
    if pdf is not None:
        etat.bouton_telechargement("Télécharger le procès-verbal (PDF)", pdf,
                                   nom=f"proces-verbal-{vague.nom}.pdf",
                                   mime="application/pdf", cle="cloture_pv", zone=d)



st.header("Journal")
lu = journal.lire()
(st.success if lu.verification.intact else st.error)(lu.verification.message)
st.caption(f"Fichier : {journal.chemin}")
entrees = lu.entrees
etat.tableau(pd.DataFrame(
    [{"n°": e.numero, "heure (Paris)": horodatage(e.horodatage),
      "événement": libelle(EVENEMENTS, e.evenement), "détail": resume_entree(e)}
     for e in reversed(entrees)],
    columns=["n°", "heure (Paris)", "événement", "détail"]), key="journal")
if journal.existe:
    etat.bouton_telechargement("Télécharger le journal", journal.chemin.read_bytes(),
                               nom=FICHIER_JOURNAL, mime="application/jsonl",
                               cle="telecharger_journal")
