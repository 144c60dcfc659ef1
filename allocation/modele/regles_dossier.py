"""The rules on single dossiers of SPEC §4, written once as data: eligibility, the jury's
exclusions, a score, the quality floor. Each keeps a dossier out of every selection (a column
bound at 0 in the models) and says why in the secretariat's words.

Everything else is generated from :data:`REGLES_DOSSIER`: the engine's column bounds
(:class:`Admissions`), the checker and the exchanges (:func:`interdits`, :func:`candidat`),
the ranking's statut and motif and the explanations (:func:`premiere_interdiction`), and the
refusal of a jury's decision to impose such a dossier (:func:`valider_decisions`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from allocation.modele.probleme import Dossier, ProblemeVague
from commun.constats import Constats
from commun.francais import decimal
from lecture.programme import Regles


def _sous_le_plancher(regles: Regles, scores: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.asarray(scores, dtype=float) < regles.note_minimale  # NaN: never below


@dataclass(frozen=True)
class RegleDossier:
    """One rule on single dossiers.

    ``famille``: its family (a key of the catalogue's labels); ``levable``: the
    price-of-rules table lifts it; ``fixe``: True for a dossier it keeps out whatever the
    scores; ``selon_score``: per score, True when it keeps the dossier out (vectorised: the
    engine's draws ask it at every solve); ``motif``: why, in the ranking's words;
    ``retour``: why, in the words of the letter to the applicant; ``statut``: the ranking's
    statut of a dossier it keeps out; ``code_forcage`` and ``refus_forcage``: the finding,
    and its words, when the jury imposes such a dossier (None: another check refuses it)."""

    nom: str
    famille: str
    libelle: str
    motif: Callable[[ProblemeVague, Dossier], str]
    retour: Callable[[ProblemeVague, Dossier], str]
    levable: bool = False
    fixe: Callable[[ProblemeVague, Dossier], bool] | None = None
    selon_score: Callable[[Regles, np.ndarray], np.ndarray] | None = None
    statut: str = "non_retenu"
    code_forcage: str | None = None
    refus_forcage: Callable[[ProblemeVague, Dossier], str] | None = None

    def exclut(self, probleme: ProblemeVague, dossier: Dossier) -> bool:
        """True when this rule keeps ``dossier`` out of every selection."""
        if self.fixe is not None and self.fixe(probleme, dossier):
            return True
        return (self.selon_score is not None
                and bool(self.selon_score(probleme.regles, np.array([dossier.score]))[0]))


#: The family of the jury's decisions: its exclusions here, its forcings in the checker and
#: the explanations.
DECISION_DU_JURY = "decision_du_jury"

#: The rules on single dossiers, in the order a dossier's first reason is given.
REGLES_DOSSIER: tuple[RegleDossier, ...] = (
    RegleDossier(
        "ineligible", "eligibilite", "éligibilité",
        motif=lambda p, d: " ; ".join(d.motifs),
        retour=lambda p, d: ("il ne remplit pas les conditions d'éligibilité "
                             f"({' ; '.join(d.motifs)})"),
        fixe=lambda p, d: not d.eligible,
        statut="ineligible", code_forcage="forcage_ineligible",
        refus_forcage=lambda p, d: f"inéligible ({' ; '.join(d.motifs)})"),
    RegleDossier(
        "ecarte", DECISION_DU_JURY, "décision du jury",
        motif=lambda p, d: f"écarté par le jury : {p.exclus[d.dossier]}",
        retour=lambda p, d: f"le jury en a décidé ainsi ({p.exclus[d.dossier]})",
        fixe=lambda p, d: d.dossier in p.exclus),
    RegleDossier(
        "sans_note", "eligibilite", "éligibilité", motif=lambda p, d: "aucune note",
        retour=lambda p, d: "il n'a reçu aucune note du jury",
        selon_score=lambda regles, scores: np.isnan(np.asarray(scores, dtype=float)),
        code_forcage="forcage_sans_note", refus_forcage=lambda p, d: "aucune note"),
    RegleDossier(
        "note_minimale", "note_minimale", "note minimale", levable=True,
        motif=lambda p, d: ("note inférieure à la note minimale "
                            f"({decimal(p.regles.note_minimale)})"),
        retour=lambda p, d: "sa note ne lui a pas permis de figurer parmi les lauréats",
        selon_score=_sous_le_plancher, code_forcage="forcage_sous_note_minimale",
        refus_forcage=lambda p, d: (f"note {d.score:.2f} sous la note minimale "
                                    f"({p.regles.note_minimale:g})").replace(".", ",")),
)


def premiere_interdiction(probleme: ProblemeVague, dossier: Dossier) -> RegleDossier | None:
    """The first rule of :data:`REGLES_DOSSIER` that keeps ``dossier`` out, or None."""
    return next((r for r in REGLES_DOSSIER if r.exclut(probleme, dossier)), None)


def interdits(probleme: ProblemeVague, dossier: Dossier) -> list[tuple[str, str]]:
    """Why ``dossier`` may not be selected at all, as (family, French message); empty when it
    may."""
    regle = premiere_interdiction(probleme, dossier)
    return [] if regle is None else [(regle.famille,
                                      f"{dossier.dossier} : {regle.motif(probleme, dossier)}")]


def candidat(probleme: ProblemeVague, dossier: Dossier) -> bool:
    """True when no rule on single dossiers keeps ``dossier`` out: it may be selected."""
    return premiere_interdiction(probleme, dossier) is None


class Admissions:
    """The rules on single dossiers over a fixed list of dossiers (the engine's columns), for
    any scores: what depends on the dossiers alone is computed once."""

    def __init__(self, probleme: ProblemeVague, dossiers: Iterable[Dossier]):
        dossiers = list(dossiers)
        self.regles = probleme.regles
        self._fixes = {r.nom: np.array([r.fixe(probleme, d) for d in dossiers], dtype=bool)
                       for r in REGLES_DOSSIER if r.fixe is not None}
        self._taille = len(dossiers)

    def interdites(self, scores: np.ndarray, levees: Iterable[str] = ()) -> np.ndarray:
        """Per dossier, True when a rule whose family is not in ``levees`` keeps it out."""
        levees = frozenset(levees)
        interdit = np.zeros(self._taille, dtype=bool)
        for regle in REGLES_DOSSIER:
            if regle.famille in levees:
                continue
            if regle.nom in self._fixes:
                interdit |= self._fixes[regle.nom]
            if regle.selon_score is not None:
                interdit |= regle.selon_score(self.regles, scores)
        return interdit


def valider_decisions(probleme: ProblemeVague,
                      origines: Mapping[str, str] | None = None) -> Constats:
    """The jury's forcings and exclusions checked against the problem, all at once: an
    unknown dossier, a blank reason, forcing and excluding the same dossier, and forcing a
    dossier a rule on single dossiers keeps out (:data:`REGLES_DOSSIER`: ineligible, without
    a score, below ``note_minimale``) are errors (SPEC §4). Each error names where the
    decision was taken (``origines``: dossier → « --forcer », « séance (journal) »…;
    « décision du jury » by default). The command line, the meeting and the app all call
    this, and write nothing when it finds one."""
    constats = Constats()
    origines = origines or {}
    par_id = {d.dossier: d for d in probleme.dossiers}

    def lieu(identifiant: str) -> dict[str, str]:
        return {"fichier": origines.get(identifiant, "décision du jury"),
                "valeur": identifiant}

    for verbe, decisions in (("imposer", probleme.forces), ("écarter", probleme.exclus)):
        for identifiant, raison in sorted(decisions.items()):
            if identifiant not in par_id:
                constats.signaler("decision_dossier_inconnu",
                                  f"{verbe} : dossier inconnu « {identifiant} »",
                                  **lieu(identifiant))
            elif not str(raison).strip():
                constats.signaler("decision_sans_raison", f"{verbe} {identifiant} : donnez la "
                                  "raison de la décision du jury", **lieu(identifiant))
    for identifiant in sorted(set(probleme.forces) & set(probleme.exclus)):
        constats.signaler("decision_contradictoire", f"{identifiant} est à la fois imposé et "
                          "écarté par le jury", **lieu(identifiant))
    for identifiant in sorted(probleme.forces):
        dossier = par_id.get(identifiant)
        if dossier is None:
            continue
        for regle in REGLES_DOSSIER:
            if regle.code_forcage is None or not regle.exclut(probleme, dossier):
                continue
            assert regle.refus_forcage is not None
            constats.signaler(regle.code_forcage, f"{identifiant} ne peut pas être imposé : "
                              f"{regle.refus_forcage(probleme, dossier)}", **lieu(identifiant))
            break
    return constats
