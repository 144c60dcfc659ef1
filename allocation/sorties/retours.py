"""Feedback for every dossier not selected (FAQ 8.5: the letter says what to improve), as
French sentences ready for a mail merge: one row per dossier, one column per field.

Confidentiality (FAQ 7.7): a letter speaks of its own dossier only. It names rules and the
laureates' median per criterion — never another candidate, a laureate's id or a score of
someone else.
"""

from __future__ import annotations

from collections import Counter

import pandas as pd

from allocation.analyses.decision import Decision, classement
from allocation.modele.regles import LIBELLES_REGLES
from allocation.modele.regles_dossier import premiere_interdiction
from commun.francais import decimal
from lecture.modele import Vague
from notation.normalisation import ScoresVague

#: At most this many criteria are named as points to strengthen.
POINTS_A_RENFORCER = 2


def points_a_renforcer(notes: pd.Series, medianes: pd.Series, libelles: dict[str, str],
                       nombre: int = POINTS_A_RENFORCER) -> list[tuple[str, float, float]]:
    """The criteria where the dossier falls furthest below the laureates' median, worst
    first: (label, the dossier's score, the median). Criteria at or above it are left out.
    ``libelles``: each criterion's French label (:attr:`lecture.modele.Vague.libelles_criteres`,
    the letters' source too), never its id."""
    ecarts = (notes - medianes).dropna()
    ecarts = ecarts[ecarts < 0].sort_values(kind="stable")
    return [(libelles[c], float(notes[c]), float(medianes[c])) for c in ecarts.index[:nombre]]


def _liste(elements: list[str]) -> str:
    if len(elements) <= 1:
        return "".join(elements)
    return f"{', '.join(elements[:-1])} et {elements[-1]}"


def _suite(statut: str, departement: str, eligible_dans_le_departement: bool,
           plafond_atteint: bool, plafond: int) -> str:
    """What comes next (FAQ 8.5): the dossier may be presented again at a later wave, the
    points to improve taken into account; and what the candidate should know of their
    department (no eligible dossier this wave, or the programme's cap reached)."""
    if plafond_atteint:
        return (f"Le département {departement} a atteint le plafond de {plafond} Fabriques du "
                "programme : aucun autre dossier ne pourra y être retenu.")
    if statut == "liste_complementaire":
        suite = ("S'il n'est pas appelé, votre dossier pourra être présenté de nouveau lors "
                 "d'une prochaine vague.")
    elif statut == "ineligible":
        suite = ("Votre dossier pourra être présenté de nouveau lors d'une prochaine vague "
                 "une fois les conditions d'éligibilité remplies.")
    else:
        suite = ("Votre dossier pourra être présenté de nouveau lors d'une prochaine vague, "
                 "en tenant compte des points à renforcer.")
    if not eligible_dans_le_departement:
        suite += (f" Aucun dossier éligible n'a été présenté dans le département {departement} "
                  "lors de cette vague : une nouvelle candidature y est attendue, l'AMI "
                  "recherchant la couverture territoriale la plus large possible (FAQ 7.1).")
    return suite


def table_retours(decision: Decision, vague: Vague, scores: ScoresVague) -> pd.DataFrame:
    """One row per dossier not selected: its scores per criterion, the laureates' medians,
    the points to strengthen, the reason and the whole paragraph for the letter."""
    table = classement(decision).set_index("dossier")
    laureats = list(decision.allocation.laureats)
    criteres = vague.ids_criteres
    libelles = vague.libelles_criteres
    medianes = scores.par_critere.loc[laureats, criteres].median()
    explications = {e.dossier: e for e in decision.explications}
    reserve = {r.dossier: rang for rang, r in enumerate(decision.reserve, start=1)}
    probleme = decision.probleme
    par_id = {d.dossier: d for d in probleme.dossiers}
    departements_eligibles = {d.departement for d in probleme.dossiers if d.eligible}
    pris = Counter(probleme.deja_par_departement)
    pris.update(par_id[i].departement for i in laureats)
    plafond = probleme.regles.max_par_departement_programme
    lignes = []
    for identifiant in sorted(table.index[table["statut"] != "laureat"]):
        dossier = par_id[str(identifiant)]
        source = vague.dossiers.loc[identifiant]
        notes = pd.Series(scores.par_critere.loc[str(identifiant), criteres], dtype=float)
        faibles = points_a_renforcer(notes, medianes, libelles)
        renforcer = _liste([f"« {libelle} » ({decimal(note, 1)} contre "
                            f"{decimal(mediane, 1)} en médiane chez les lauréats)"
                            for libelle, note, mediane in faibles])
        statut = str(table.loc[identifiant, "statut"])
        debut = f"Votre dossier « {dossier.nom} » n'a pas été retenu lors de cette vague"
        interdiction = premiere_interdiction(probleme, dossier)
        if statut == "liste_complementaire":
            raison = (f"il est inscrit en liste complémentaire (rang {reserve[dossier.dossier]}) "
                      "et pourra être retenu si un lauréat se désiste")
            message = f"Votre dossier « {dossier.nom} » n'est pas retenu à ce stade : {raison}."
        else:
            if interdiction is not None:  # a rule on single dossiers, in the letter's words
                raison = interdiction.retour(probleme, dossier)
            elif dossier.dossier in explications:
                regles = [LIBELLES_REGLES.get(r, r) for r in explications[dossier.dossier].regles]
                raison = ("il était mieux noté que certains lauréats, mais les règles du "
                          f"programme ne permettaient pas de le retenir ({_liste(regles)})")
            else:
                raison = "sa note ne lui a pas permis de figurer parmi les lauréats"
            message = f"{debut} : {raison}."
        if faibles and statut != "ineligible":
            message += f" Points à renforcer : {renforcer}."
        message += " " + _suite(statut, dossier.departement, dossier.departement
                                in departements_eligibles, pris[dossier.departement] >= plafond,
                                plafond)
        lignes.append({
            "dossier": dossier.dossier, "nom": dossier.nom, "porteur": source.get("porteur"),
            "commune": source.get("commune"), "departement": dossier.departement,
            "statut": statut, "note": dossier.score,
            **{f"note_{c}": notes[c] for c in criteres},
            **{f"mediane_laureats_{c}": medianes[c] for c in criteres},
            "points_a_renforcer": renforcer if statut != "ineligible" else "",
            "raison": raison, "message": message,
        })
    colonnes = ["dossier", "nom", "porteur", "commune", "departement", "statut", "note",
                *[f"note_{c}" for c in criteres], *[f"mediane_laureats_{c}" for c in criteres],
                "points_a_renforcer", "raison", "message"]
    return pd.DataFrame(lignes, columns=colonnes)
