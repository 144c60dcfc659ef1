"""What the jury's meeting works from: the agenda (which dossiers deserve discussion, in
which order) and, for one dossier, what retaining or setting it aside would cost and change.

The order follows panel practice (NIH: dossiers every reader judged weaker are not
discussed; SNSF: the dossiers whose interval crosses the funding line first): the zone of
uncertainty at the line, then the dossiers whose fate depends on the scoring method or on a
single juror, then the rest, which the page folds away.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pandas as pd

from allocation.analyses.arbitrages import Robustesse
from allocation.modele.departage import au_micro_point
from allocation.modele.probleme import ProblemeVague
from allocation.modele.regles_dossier import candidat
from allocation.resolution.solveur import Allocation, resoudre
from commun.francais import decimal
from commun.vocabulaire import METHODES as METHODES_EN_MOTS
from commun.vocabulaire import libelles
from notation.normalisation import METHODES_DE_CALCUL

#: The agenda's sections, in the order they are discussed.
RUBRIQUES: tuple[str, ...] = (
    "zone d'incertitude",
    "dépend de la méthode",
    "dépend d'un juré",
    "autres",
)
COLONNES_ORDRE_DU_JOUR = ["rubrique", "dossier", "nom", "score", "statut", "pourquoi"]


def ordre_du_jour(probleme: ProblemeVague, allocation: Allocation, zone: tuple[str, ...],
                  robustesse: list[Robustesse]) -> pd.DataFrame:
    """Every scored candidate once, in the order worth discussing: its section
    (:data:`RUBRIQUES`), then in rank order (score, the lottery's order, id).
    ``robustesse`` gives, per dossier, the methods that select it and the jurors whose
    absence changes its fate (the bootstrap probability is not used: the agenda needs no
    draw)."""
    laureats = set(allocation.laureats)
    par_robustesse = {r.dossier: r for r in robustesse}
    lignes = []
    for d in probleme.dossiers:
        if not candidat(probleme, d) and d.dossier not in laureats:
            continue
        r = par_robustesse.get(d.dossier)
        if d.dossier in zone:
            rubrique, pourquoi = RUBRIQUES[0], "son intervalle croise la note du dernier lauréat"
        elif r is not None and 0 < len(r.methodes) < len(METHODES_DE_CALCUL):
            rubrique = RUBRIQUES[1]
            pourquoi = f"retenu par {libelles(METHODES_EN_MOTS, r.methodes)} seulement"
        elif r is not None and r.jures_decisifs:
            rubrique = RUBRIQUES[2]
            pourquoi = ("son sort change sans " + ", ".join(r.jures_decisifs))
        else:
            rubrique, pourquoi = RUBRIQUES[3], ""
        lignes.append({"rubrique": rubrique, "dossier": d.dossier, "nom": d.nom,
                       "score": d.score,
                       "statut": "lauréat" if d.dossier in laureats else "non retenu",
                       "pourquoi": pourquoi})
    table = pd.DataFrame(lignes, columns=COLONNES_ORDRE_DU_JOUR)
    table = probleme.departage.ordonner(table)
    table = table.sort_values("rubrique", key=lambda r: r.map(RUBRIQUES.index), kind="stable")
    return table.reset_index(drop=True)


@dataclass(frozen=True)
class Effet:
    """What retaining (a dossier not selected) or setting aside (a laureate) would do:
    ``possible`` False when no allocation can hold the change (``message`` says what to
    relax); ``cout`` the loss of total score; who would leave and who would enter."""

    dossier: str
    action: str  # "retenir" | "ecarter"
    possible: bool
    cout: float | None
    sortants: tuple[str, ...]
    entrants: tuple[str, ...]
    message: str


def effet_decision(probleme: ProblemeVague, allocation: Allocation, dossier: str) -> Effet:
    """The effect of the jury retaining ``dossier`` (when it is not a laureate) or setting
    it aside (when it is), solved by the one solver entry point on the problem the decision
    would give."""
    laureat = dossier in allocation.laureats
    action = "ecarter" if laureat else "retenir"
    forces = {k: v for k, v in probleme.forces.items() if k != dossier}
    exclus = {k: v for k, v in probleme.exclus.items() if k != dossier}
    if laureat:
        exclus[dossier] = "effet d'un écart"
    else:
        forces[dossier] = "effet d'un forçage"
    apres = resoudre(replace(probleme, forces=forces, exclus=exclus))
    verbe = "L'écarter" if laureat else "Le retenir"
    if not apres.optimale:
        relaxer = " ; ".join(r.message for r in apres.relaxations) or apres.statut
        return Effet(dossier, action, False, None, (), (),
                     f"{verbe} est impossible sans : {relaxer}.")
    avant, nouveaux = set(allocation.laureats), set(apres.laureats)
    sortants = tuple(sorted(avant - nouveaux - {dossier}))
    entrants = tuple(sorted(nouveaux - avant - {dossier}))
    cout = au_micro_point(allocation.score_total - apres.score_total)
    parties = [f"{verbe} coûterait {decimal(cout)} point(s) de score total"]
    if sortants:
        parties.append("sortiraient : " + ", ".join(sortants))
    if entrants:
        parties.append("entreraient : " + ", ".join(entrants))
    return Effet(dossier, action, True, cout, sortants, entrants, " ; ".join(parties) + ".")


def changements_de_sort(avant: Allocation, apres: Allocation) -> tuple[tuple[str, ...],
                                                                       tuple[str, ...]]:
    """The dossiers the discussion brought in and those it left out, each sorted."""
    entres = tuple(sorted(set(apres.laureats) - set(avant.laureats)))
    sortis = tuple(sorted(set(avant.laureats) - set(apres.laureats)))
    return entres, sortis
