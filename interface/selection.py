"""Page « Sélection » : the rules as widgets, the jury's decisions, and the laureates, the
reserve list, the explanations and the map that follow — recomputed on every change, the
figures first."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

import pandas as pd
import streamlit as st

from application.entrees import departements
from application.service import Parametres, Resultat
from application.tables import classement, table_explications, table_liste_complementaire
from commun.francais import decimal, entier, euros
from interface import etat

st.title("Sélection des lauréats")


@st.fragment
def regles_et_selection() -> None:
    """The rules and everything that follows from them: a rule change reruns this
    part alone, not the app around it (sidebar, navigation, title)."""
    courant = etat.etat()
    vague = etat.vague()
    regles = etat.regles()
    # The rules' widgets start from the rules alone: a refused jury decision must stay fixable.
    base = etat.resultat(replace(courant.parametres, forces=(), exclus=()))

    with st.expander("Règles de la vague", expanded=True):
        c = st.columns(6)
        max_laureats = c[0].number_input("Lauréats au plus", 0, 300, regles.max_laureats,
                                         key="max_laureats")
        tolerance = c[1].number_input("Tolérance du rythme", 0, 50, regles.tolerance_rythme,
                                      key="tolerance")
        par_departement = c[2].number_input("Par département (vague)", 0, 50,
                                            regles.max_par_departement_vague, key="dep_vague")
        par_programme = c[3].number_input("Par département (programme)", 0, 300,
                                          regles.max_par_departement_programme, key="dep_prog")
        saisie = c[4].text_input("Enveloppe de la vague (€)",
                                 entier(int(base.probleme.enveloppe_vague)), key="enveloppe",
                                 help="En euros, les milliers séparés ou non : « 5 000 000 ».")
        enveloppe = _euros_saisis(saisie, int(base.probleme.enveloppe_vague))
        plancher = c[5].number_input("Note minimale", 0.0, 20.0, float(regles.note_minimale),
                                     step=0.5, key="plancher", format="%g")
        # Filled once the rules are read: the pace follows the values just typed.
        rythme = st.empty()

    ids = list(vague.dossiers.index)
    with st.expander("Décisions du jury (motivées)"):
        g, d = st.columns(2)
        forces = g.multiselect("Imposer", ids, default=[i for i, _ in courant.parametres.forces],
                               key="forces", placeholder="Choisissez des dossiers")
        exclus = d.multiselect("Écarter", ids, default=[i for i, _ in courant.parametres.exclus],
                               key="exclus", placeholder="Choisissez des dossiers")
        # One reason per dossier: each decision is recorded with its own.
        raisons_forces = {i: g.text_input(f"Raison d'imposer {i}", value=dict(
            courant.parametres.forces).get(i, ""), key=f"raison_force_{i}") for i in forces}
        raisons_exclus = {i: d.text_input(f"Raison d'écarter {i}", value=dict(
            courant.parametres.exclus).get(i, ""), key=f"raison_exclu_{i}") for i in exclus}

    nouvelles = replace(regles, max_laureats=int(max_laureats), tolerance_rythme=int(tolerance),
                        max_par_departement_vague=int(par_departement),
                        max_par_departement_programme=int(par_programme),
                        enveloppe_vague=int(enveloppe), note_minimale=float(plancher))
    if (nouvelles.enveloppe_vague == base.probleme.enveloppe_vague
            and regles.enveloppe_vague is None):
        nouvelles = replace(nouvelles, enveloppe_vague=None)  # keep the pro-rata default
    decisions = {"forces": tuple(raisons_forces.items()), "exclus": tuple(raisons_exclus.items())}
    regles_changees = nouvelles if nouvelles != courant.chargement.regles else None
    if (regles_changees, decisions["forces"], decisions["exclus"]) != (
            courant.parametres.regles, courant.parametres.forces, courant.parametres.exclus):
        etat.changer(regles=regles_changees, **decisions)

    # The figures first, from the allocation alone (a few tens of milliseconds); the reserve
    # list and the explanations, which take a solve per dossier, come after them.
    rapide = etat.resultat(avec_decision=False)
    bornes = rapide.probleme.bornes
    rythme.caption("Rythme de cette vague : " + " ; ".join(
        f"{nom} {bornes[c].minimum} à {bornes[c].maximum}" for c, nom in
        (("qpv", "QPV"), ("hors_qpv", "hors QPV"), ("numeriques", "numériques"))))
    if not rapide.allocation.optimale:
        st.error("Aucune sélection ne respecte toutes les règles. Plus petite modification qui "
                 "rend la sélection possible :")
        for relaxation in rapide.allocation.relaxations:
            st.markdown(f"- {relaxation.message}")
        return
    _ce_qui_a_change(rapide, courant.parametres)

    par_id = {d.dossier: d for d in rapide.probleme.dossiers}
    choisis = [par_id[i] for i in rapide.allocation.laureats]
    c = st.columns(6)
    c[0].metric("Lauréats", len(choisis))
    c[1].metric("En QPV", sum(d.qpv for d in choisis))
    c[2].metric("Hors QPV", sum(not d.qpv for d in choisis))
    c[3].metric("Numériques", sum(d.numerique for d in choisis))
    montant = sum(rapide.allocation.montants.values())
    c[4].metric("Montant", f"{decimal(montant / 1e6)} M€", help=euros(montant))
    c[5].metric("Score total", decimal(rapide.allocation.score_total))

    resultat = etat.resultat()
    decision = resultat.decision
    assert decision is not None
    table = classement(decision)
    laureats = table[table["statut"] == "laureat"]

    st.header("Lauréats")
    etat.tableau(laureats, telecharger=f"laureats-{vague.nom}.csv")

    st.header("Carte des départements")
    vue = st.radio("Compter", ["cette vague", "cumul du programme"], horizontal=True, key="vue")
    par_departement_vague = Counter(laureats["departement"])
    comptes = {code: par_departement_vague.get(code, 0)
               + (resultat.probleme.deja_par_departement.get(code, 0)
                  if vue == "cumul du programme" else 0)
               for code in departements().index}
    OUTRE_MER = list(departements().index[departements()["zone"] != "metro"])
    # A plain Vega-Lite specification: Altair would validate the 300 kB of geometry against its
    # schema on every change of rule (over a second).
    st.vega_lite_chart(spec={
        "height": 520,
        "data": {"values": etat.geometries_metropole()},
        "transform": [{"lookup": "properties.code",
                       "from": {"data": {"values": [{"code": k, "laureats": v}
                                                    for k, v in sorted(comptes.items())]},
                                "key": "code", "fields": ["laureats"]}}],
        "projection": {"type": "mercator"},
        "mark": {"type": "geoshape", "stroke": "white"},
        "encoding": {
            "color": {"field": "laureats", "type": "quantitative", "title": "lauréats",
                      "scale": {"scheme": "greens"},
                      "legend": {"format": "d", "tickMinStep": 1}},
            "tooltip": [{"field": "properties.nom", "type": "nominal", "title": "département"},
                        {"field": "properties.code", "type": "nominal", "title": "code"},
                        {"field": "laureats", "type": "quantitative", "title": "lauréats"}]},
        "config": {"locale": etat.LOCALE_VEGA},
    }, width="stretch")
    # Overseas departments and collectivités (FAQ 2.7) are far from the mainland map: their
    # counts are listed beside it.
    etat.tableau(pd.DataFrame(
        [{"territoire": departements()["nom"][c], "code": c, "lauréats": comptes.get(c, 0)}
         for c in OUTRE_MER]), width="content")

    st.header("Liste complémentaire")
    etat.tableau(table_liste_complementaire(decision))
    st.header("Explications")
    explications = table_explications(decision)
    if explications.empty:
        st.info("Aucun dossier éligible non retenu n'est mieux noté que le dernier lauréat.")
    else:
        etat.tableau(explications, decimales={"cout_pour_le_retenir": 2})
    st.header("Tous les dossiers")
    etat.tableau(table, height=320, telecharger=f"dossiers-{vague.nom}.csv")


def _euros_saisis(texte: str, defaut: int) -> int:
    """An amount typed the French way (« 5 000 000 », « 5 000 000 € »); the default when it
    is not one (a warning says so)."""
    chiffres = "".join(c for c in texte if not c.isspace()).removesuffix("€")
    if chiffres.isdigit():
        return int(chiffres)
    st.warning(f"« {texte} » n'est pas un montant en euros : l'enveloppe reste "
               f"{euros(defaut)}.")
    return defaut


def _ce_qui_a_change(rapide: Resultat, parametres: Parametres) -> None:
    """Who came in and who left with the last change of rule, and against the programme's
    rules, with what it costs in score (the previous selection is kept in the session)."""
    actuelle = (rapide.parametres, tuple(rapide.allocation.laureats),
                rapide.allocation.score_total)
    memoire = st.session_state.get("selection_memoire")
    if memoire is None or memoire["actuelle"][0] != actuelle[0]:
        memoire = {"actuelle": actuelle,
                   "precedente": memoire["actuelle"] if memoire else None}
        st.session_state["selection_memoire"] = memoire
    noms = {d.dossier: d.nom for d in rapide.probleme.dossiers}
    lignes = []
    if memoire["precedente"] is not None:
        _, avant, score_avant = memoire["precedente"]
        lignes.append(_mouvements("Par rapport à la sélection précédente", avant, score_avant,
                                  actuelle[1], actuelle[2], noms))
    if parametres.regles is not None:
        defaut = etat.resultat(replace(parametres, regles=None), avec_decision=False)
        lignes.append(_mouvements("Par rapport aux règles du programme",
                                  defaut.allocation.laureats, defaut.allocation.score_total,
                                  actuelle[1], actuelle[2], noms))
    for ligne in lignes:
        st.markdown(ligne)


def _mouvements(titre: str, avant: Sequence[str], score_avant: float, apres: Sequence[str],
                score_apres: float, noms: dict[str, str]) -> str:
    entres = sorted(set(apres) - set(avant))
    sortis = sorted(set(avant) - set(apres))
    if not entres and not sortis:
        return f"**{titre}** : mêmes lauréats ; score total {decimal(score_apres)}."
    def liste(ids: list[str]) -> str:
        return ", ".join(f"{i} ({noms.get(i, '')})" for i in ids) or "aucun"
    ecart = score_apres - score_avant
    return (f"**{titre}** : entrés {liste(entres)} — sortis {liste(sortis)} ; score total "
            f"{decimal(score_avant)} → {decimal(score_apres)} "
            f"({'+' if ecart >= 0 else '−'}{decimal(abs(ecart))}).")


regles_et_selection()
