"""From a solved wave to what the secretariat records and explains: the reserve list (liste
complémentaire), who replaces each laureate, why better-scored dossiers stayed out, and the
statut and motif of every dossier."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import pandas as pd

from allocation.modele.departage import PRECISION
from allocation.modele.probleme import Dossier, ProblemeVague
from allocation.modele.regles import FAMILLES, LIBELLES_REGLES
from allocation.modele.regles_dossier import (
    DECISION_DU_JURY,
    candidat,
    premiere_interdiction,
)
from allocation.modele.verification import Echanges
from allocation.resolution.highs_modele import Solution
from allocation.resolution.moteur import MoteurVague
from allocation.resolution.parallele import MOTEURS, en_parallele
from allocation.resolution.solveur import Allocation
from commun.francais import decimal
from lecture.referentiel import departements

TAILLE_LISTE_COMPLEMENTAIRE = 10


@dataclass(frozen=True)
class Reserve:
    """One dossier of the liste complémentaire and the laureates it can replace."""

    dossier: str
    remplace: tuple[str, ...]


@dataclass(frozen=True)
class Explication:
    """Why an eligible dossier scoring above the lowest laureate was not selected.

    ``regles`` are the rule families that block it; ``cout`` is the loss of total score if
    the jury forced it in (None when no allocation can hold it; negative when the jury's own
    exclusion or an optional goal gave up score); ``sortants`` / ``entrants``
    are the changes forcing it in would make to the laureates besides itself.
    """

    dossier: str
    regles: tuple[str, ...]
    raison: str
    cout: float | None
    sortants: tuple[str, ...]
    entrants: tuple[str, ...]


@dataclass(frozen=True)
class Decision:
    """A solved wave with everything derived from it for the secretariat."""

    probleme: ProblemeVague
    allocation: Allocation
    reserve: tuple[Reserve, ...]
    remplacants: dict[str, str | None]  # laureate → who replaces them if they withdraw
    explications: tuple[Explication, ...]


def liste_complementaire(
    probleme: ProblemeVague, allocation: Allocation, taille: int = TAILLE_LISTE_COMPLEMENTAIRE
) -> tuple[tuple[Reserve, ...], dict[str, str | None]]:
    """The reserve list and the replacement of each laureate.

    Candidates not selected are taken in rank order (:class:`~allocation.modele.departage.
    Departage`: score, the lottery's order, id); one enters the reserve
    when it can replace at least one laureate with every rule still holding. The list holds
    the ``taille`` best such dossiers, extended until every laureate who can be replaced has
    a replacement: the laureate's replacement is the first reserve dossier that can take
    their place.
    """
    laureats = set(allocation.laureats)
    par_id = {d.dossier: d for d in probleme.dossiers}
    rang = probleme.departage.cle
    # the worst ranked laureate first: the first a reserve dossier would replace
    sortants = sorted((par_id[i] for i in laureats), key=lambda d: rang(d.dossier),
                      reverse=True)
    echanges = Echanges(probleme, allocation.laureats)
    remplacants: dict[str, str | None] = dict.fromkeys(sorted(laureats))
    reserve: list[Reserve] = []
    for entrant in sorted(
        (d for d in probleme.dossiers if candidat(probleme, d) and d.dossier not in laureats),
        key=lambda d: rang(d.dossier),
    ):
        if len(reserve) >= taille and all(remplacants.values()):
            break
        remplace = tuple(s.dossier for s in sortants if echanges.possible(s, entrant))
        if not remplace:
            continue
        if len(reserve) < taille or any(remplacants[s] is None for s in remplace):
            reserve.append(Reserve(entrant.dossier, remplace))
            for sortant in remplace:
                remplacants[sortant] = remplacants[sortant] or entrant.dossier
    return tuple(reserve), remplacants


def expliquer(probleme: ProblemeVague, allocation: Allocation) -> tuple[Explication, ...]:
    """For each eligible dossier not selected that scores above the lowest laureate: the
    rule that kept it out and the score it would cost to force it in (one extra solve each,
    on the re-solve engine built once).
    """
    laureats = set(allocation.laureats)
    if not laureats:
        return ()
    par_id = {d.dossier: d for d in probleme.dossiers}
    plus_bas = probleme.departage.dernier(laureats)
    concernes = sorted(
        (d for d in probleme.dossiers
         if d.eligible and d.dossier not in laureats and not pd.isna(d.score)
         and d.score > par_id[plus_bas].score),
        key=lambda d: probleme.departage.cle(d.dossier),
    )
    if not concernes:
        return ()
    # Every candidate, the excluded ones too: one forced solve each, the engines side by
    # side; the diagnosis on an engine of its own, built when first needed, from the base
    # selection (most diagnoses are then proved by one exchange, without a solve).
    moteurs = [MoteurVague(probleme, diagnostic=False) for _ in range(MOTEURS)]
    forces = en_parallele(moteurs, lambda moteur, d: moteur.resoudre(forces=(d.dossier,)),
                          concernes)
    diagnostic = cache(lambda: MoteurVague(probleme))
    echanges = Echanges(probleme, allocation.laureats)
    return tuple(_expliquer_un(probleme, allocation, d, force, par_id, diagnostic, echanges)
                 for d, force in zip(concernes, forces, strict=True))


def _expliquer_un(probleme: ProblemeVague, allocation: Allocation, dossier: Dossier,
                  force: Solution, par_id: dict[str, Dossier],
                  diagnostic: Callable[[], MoteurVague], echanges: Echanges) -> Explication:
    """``force``: the best selection holding ``dossier``; ``diagnostic``: the engine that
    says what to relax when there is none."""
    laureats = allocation.laureats
    cout = (round(allocation.score_total - force.score_total, PRECISION) if force.optimale
            else None)
    interdiction = premiere_interdiction(probleme, dossier)
    if interdiction is not None:
        regles: tuple[str, ...] = (interdiction.famille,)
        raison = interdiction.motif(probleme, dossier)
    else:
        regles, raison = regles_bloquantes(probleme, laureats, dossier, par_id, echanges, cout)
        if cout == 0 and "departage" not in regles:
            # a rule keeps it from being added, yet a selection of the same total holds it
            regles = (*regles, "departage")
            raison += (" ; une autre sélection de même score total le retient : le départage "
                       "de la SPEC a choisi celle-ci")
    if not force.optimale:
        relaxations = diagnostic().diagnostiquer(forces=(dossier.dossier,))
        impossibles = (" ; ".join(r.message for r in relaxations) if relaxations is not None
                       else "lever un forçage du jury qui partage un de ses lieux")
        return Explication(dossier.dossier, regles, f"{raison}. Aucune sélection ne peut "
                           f"le retenir sans : {impossibles}", None, (), ())
    avec = force.laureats
    sortants = tuple(sorted(set(laureats) - set(avec)))
    entrants = tuple(sorted(set(avec) - set(laureats) - {dossier.dossier}))
    return Explication(dossier.dossier, regles, raison, cout, sortants, entrants)


def regles_bloquantes(probleme: ProblemeVague, laureats: tuple[str, ...], dossier: Dossier,
                      par_id: dict[str, Dossier], echanges: Echanges | None = None,
                      cout: float | None = None) -> tuple[tuple[str, ...], str]:
    """Why ``dossier`` is not among the laureates though better scored than some: the rules
    broken by adding it; when the only obstacle is that the wave is full, the jury's
    decisions that hold the laureates it could replace, else the rules broken by exchanging
    it for the lowest-ranked laureate the jury did not impose; an exact tie only when
    retaining it costs nothing (``cout``: the score it would cost, when known)."""
    echanges = echanges or Echanges(probleme, laureats)
    ajout = [v for v in echanges.violations(None, dossier) if not FAMILLES[v.regle].capacite]
    if ajout:
        return (tuple(dict.fromkeys(v.regle for v in ajout)),
                " ; ".join(v.message for v in ajout))
    moins_bien = [i for i in laureats if par_id[i].score < dossier.score]
    if not moins_bien:  # pragma: no cover - the caller only asks about such dossiers
        return (), ""
    imposes = probleme.departage.classer(
        i for i in moins_bien if i in probleme.forces
        and not echanges.violations(i, dossier))
    if imposes:
        return (DECISION_DU_JURY,), (
            f"la vague est complète ({len(laureats)} lauréats) et le jury a imposé des "
            "lauréats moins bien notés qu'il pourrait remplacer : " + ", ".join(
                f"{i} ({decimal(par_id[i].score)}, « {probleme.forces[i]} »)" for i in imposes))
    libres = [i for i in moins_bien if i not in probleme.forces]
    if libres:
        sortant = par_id[probleme.departage.dernier(libres)]
        echange = echanges.violations(sortant.dossier, dossier)
        if echange:
            messages = " ; ".join(v.message for v in echange)
            return (
                (_capacite_pleine(echanges), *dict.fromkeys(v.regle for v in echange)),
                f"la vague est complète ({len(laureats)} lauréats) et remplacer le lauréat le "
                f"moins bien noté, {sortant.dossier} ({decimal(sortant.score)}), "
                f"enfreindrait : {messages}")
    if probleme.regles.objectifs.actifs:
        return ("objectifs",), ("les objectifs optionnels (couverture, parts de population) "
                                "donnent l'avantage à une autre sélection")
    if cout is not None and cout > 0:
        return ("combinaison",), (
            "aucun échange d'un seul lauréat ne le fait entrer : il faudrait changer plusieurs "
            f"lauréats à la fois, et la meilleure sélection qui le retient a un score total "
            f"inférieur de {decimal(cout)}")
    return ("departage",), ("à score total égal, le départage de la SPEC (le mieux classé "
                            "d'abord, puis l'identifiant, ou l'ordre tiré au sort dans la zone "
                            "d'incertitude) a retenu une autre sélection")


def _capacite_pleine(echanges: Echanges) -> str:
    """The family of places the laureates fill (the first full one in catalogue order)."""
    totaux = echanges.totaux
    pleines = [c.famille for r, c in enumerate(totaux.lignes) if FAMILLES[c.famille].capacite
               and totaux.valeurs[r] >= totaux.haut[r] - 1e-9]
    return pleines[0] if pleines else next(f.nom for f in FAMILLES.values() if f.capacite)


def decider(probleme: ProblemeVague, allocation: Allocation) -> Decision:
    """Everything the secretariat needs from a solved wave."""
    reserve, remplacants = liste_complementaire(probleme, allocation)
    return Decision(probleme, allocation, reserve, remplacants, expliquer(probleme, allocation))


def classement(decision: Decision) -> pd.DataFrame:
    """One row per dossier: SPEC §5 columns, best score first, statut and motif."""
    probleme, allocation = decision.probleme, decision.allocation
    laureats = set(allocation.laureats)
    reserve = {r.dossier: (rang, r) for rang, r in enumerate(decision.reserve, start=1)}
    explications = {e.dossier: e for e in decision.explications}
    partages: dict[str, list[str]] = defaultdict(list)
    for lieu, ids in probleme.lieux_partages.items():
        for identifiant in ids:
            autres = ", ".join(i for i in ids if i != identifiant)
            partages[identifiant].append(f"lieu {lieu} partagé avec {autres} (FAQ 6.5 : un "
                                         "seul de ces dossiers peut être lauréat)")
    lignes = []
    for d in probleme.dossiers:
        interdiction = premiere_interdiction(probleme, d)
        if interdiction is not None and interdiction.statut != "non_retenu":
            statut, motif = interdiction.statut, interdiction.motif(probleme, d)
        elif d.dossier in laureats:
            statut = "laureat"
            if d.dossier in probleme.forces:
                motif = f"imposé par le jury : {probleme.forces[d.dossier]}"
            elif d.dossier in probleme.ordre_tire:
                motif = ("retenu par le tirage au sort de la zone d'incertitude (tiré en "
                         f"position {probleme.ordre_tire[d.dossier]})")
            else:
                motif = "retenu : meilleure sélection qui respecte les règles"
            remplacant = decision.remplacants.get(d.dossier)
            motif += (f" ; remplaçant en cas de désistement : {remplacant}" if remplacant
                      else " ; aucun remplaçant possible en cas de désistement")
        elif d.dossier in reserve:
            rang, entree = reserve[d.dossier]
            statut = "liste_complementaire"
            motif = f"rang {rang} ; peut remplacer {', '.join(entree.remplace)}"
        else:
            statut = "non_retenu"
            if interdiction is not None:
                motif = interdiction.motif(probleme, d)
            elif d.dossier in explications:
                motif = explications[d.dossier].raison
            else:
                motif = "note inférieure à celle du dernier lauréat"
        motif = " ; ".join([motif, *partages.get(d.dossier, ())])
        lignes.append({"dossier": d.dossier, "nom": d.nom, "departement": d.departement,
                       "qpv": d.qpv, "numerique": d.numerique, "montant": d.montant,
                       "score": d.score, "statut": statut, "motif": motif})
    table = pd.DataFrame(lignes)
    table = probleme.departage.ordonner(table)
    table.insert(list(table.columns).index("score") + 1, "rang",
                 table["score"].rank(ascending=False, method="min").astype("Int64"))
    if probleme.regles.objectifs.montants_variables:
        table.insert(list(table.columns).index("montant") + 1, "montant_accorde",
                     table["dossier"].map(allocation.montants).astype("Int64"))
    return table.reset_index(drop=True)


def table_liste_complementaire(decision: Decision) -> pd.DataFrame:
    """Sheet ``liste_complementaire``: the reserve in order, and whom each can replace."""
    par_id = {d.dossier: d for d in decision.probleme.dossiers}
    lignes = [{"rang": rang, "dossier": r.dossier, "nom": par_id[r.dossier].nom,
               "departement": par_id[r.dossier].departement, "qpv": par_id[r.dossier].qpv,
               "numerique": par_id[r.dossier].numerique, "montant": par_id[r.dossier].montant,
               "score": par_id[r.dossier].score, "peut_remplacer": ", ".join(r.remplace)}
              for rang, r in enumerate(decision.reserve, start=1)]
    colonnes = ["rang", "dossier", "nom", "departement", "qpv", "numerique", "montant", "score",
                "peut_remplacer"]
    return pd.DataFrame(lignes, columns=colonnes)


def table_explications(decision: Decision) -> pd.DataFrame:
    """Sheet ``explications``: the rule that kept each better-scored dossier out and the
    score it would cost to force it in."""
    par_id = {d.dossier: d for d in decision.probleme.dossiers}
    lignes = [{"dossier": e.dossier, "nom": par_id[e.dossier].nom,
               "score": par_id[e.dossier].score,
               "regle": ", ".join(LIBELLES_REGLES.get(r, r) for r in e.regles),
               "raison": e.raison,
               "cout_pour_le_retenir": e.cout,
               "sortiraient": ", ".join(e.sortants), "entreraient": ", ".join(e.entrants)}
              for e in decision.explications]
    colonnes = ["dossier", "nom", "score", "regle", "raison", "cout_pour_le_retenir",
                "sortiraient", "entreraient"]
    return pd.DataFrame(lignes, columns=colonnes)


def table_departements(decision: Decision) -> pd.DataFrame:
    """Sheet ``departements``: every department with its dossiers and laureates this wave,
    before it, cumulatively, against the caps and its population fair share."""
    probleme = decision.probleme
    laureats = set(decision.allocation.laureats)
    dossiers = Counter(d.departement for d in probleme.dossiers)
    eligibles = Counter(d.departement for d in probleme.dossiers if d.eligible)
    vague = Counter(d.departement for d in probleme.dossiers if d.dossier in laureats)
    referentiel = departements()
    lignes = []
    for code in sorted(set(referentiel.index) | set(dossiers)):
        avant = probleme.deja_par_departement.get(code, 0)
        lignes.append({
            "departement": code,
            "nom": referentiel["nom"].get(code, ""),
            "dossiers": dossiers[code], "eligibles": eligibles[code],
            "laureats_vague": vague[code], "laureats_avant": avant,
            "cumul": avant + vague[code],
            "plafond_vague": probleme.regles.max_par_departement_vague,
            "plafond_programme": probleme.regles.max_par_departement_programme,
            "part_equitable": round(probleme.parts_equitables.get(code, 0.0), 2),
        })
    return pd.DataFrame(lignes)
