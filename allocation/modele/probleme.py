"""The wave problem of SPEC §4, as typed data: candidates, bounds, caps, envelopes."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from allocation.modele.departage import Departage
from allocation.modele.rythme import BornesRythme, bornes_rythme
from commun.vocabulaire import CATEGORIES as VOCABULAIRE_CATEGORIES
from lecture.dossiers import compte_comme_numerique, lieux_partages
from lecture.eligibilite import motifs_ineligibilite
from lecture.programme import MAX_LAUREATS_PAR_VAGUE, Regles
from lecture.referentiel import departements

CATEGORIES = ("qpv", "hors_qpv", "numeriques")
LIBELLES_CATEGORIES = {code: t.libelle for code, t in VOCABULAIRE_CATEGORIES.items()}


@dataclass(frozen=True)
class Dossier:
    """One dossier as the allocation sees it. ``numerique`` counts only inside a QPV."""

    dossier: str
    nom: str
    departement: str
    qpv: bool
    numerique: bool
    montant: int
    score: float
    lieux: tuple[str, ...]
    motifs: tuple[str, ...] = ()  # reasons of inéligibilité; empty when eligible

    @property
    def eligible(self) -> bool:
        """True when no eligibility rule fails."""
        return not self.motifs

    def categories(self) -> tuple[str, ...]:
        """The pace categories this dossier counts in."""
        if not self.qpv:
            return ("hors_qpv",)
        return ("qpv", "numeriques") if self.numerique else ("qpv",)


@dataclass(frozen=True)
class ProblemeVague:
    """Everything the solver needs, and nothing it must look up elsewhere."""

    dossiers: tuple[Dossier, ...]
    regles: Regles
    bornes: dict[str, BornesRythme]
    deja_par_departement: dict[str, int]
    enveloppe_vague: int
    enveloppe_restante: int
    lieux_partages: dict[str, list[str]]
    forces: dict[str, str] = field(default_factory=dict)  # dossier → reason, forced in
    exclus: dict[str, str] = field(default_factory=dict)  # dossier → reason, forced out
    #: department → its population fair share of the laureates expected by the end of this
    #: wave (used only by the optional goal ``parts_population``).
    parts_equitables: dict[str, float] = field(default_factory=dict)
    #: Laureates of the history in the wave's year (``regles.annee``), for ``max_par_an``.
    deja_annee: int = 0
    #: The partial lottery's drawn order (dossier → rank, 1 first) among the tied dossiers
    #: of the zone of uncertainty; empty without a lottery.
    ordre_tire: dict[str, int] = field(default_factory=dict)

    @cached_property
    def departage(self) -> Departage:
        """How this wave's dossiers rank (score, the lottery's order, id): the one
        tie-break of every analysis (:mod:`allocation.modele.departage`)."""
        return Departage({d.dossier: d.score for d in self.dossiers}, self.ordre_tire)


def enveloppe_par_defaut(regles: Regles, historique: pd.DataFrame) -> tuple[int, int]:
    """(wave envelope, remaining programme envelope).

    Default wave envelope: the remaining envelope pro rata of the places this wave may fill
    among those remaining, i.e. restante × max_laureats / places restantes (SPEC §3).
    """
    restante = regles.enveloppe_totale - int(historique["montant"].sum())
    if regles.enveloppe_vague is not None:
        return regles.enveloppe_vague, restante
    places = max(regles.cible_total - len(historique), 1)
    part = min(regles.max_laureats, places) / places
    return max(0, int(restante * part)), restante


def parts_equitables(regles: Regles) -> dict[str, float]:
    """Each department's population share of the laureates the programme expects by the
    end of this wave (cible_total × numero / nombre_vagues)."""
    population = departements()["population"].astype(float)
    attendus = regles.cible_total * regles.numero / regles.nombre_vagues
    return {str(code): float(p) for code, p in (population / population.sum() * attendus).items()}


def construire_probleme(
    dossiers: pd.DataFrame,
    scores: pd.Series,
    regles: Regles,
    historique: pd.DataFrame,
    forces: dict[str, str] | None = None,
    exclus: dict[str, str] | None = None,
) -> ProblemeVague:
    """Assemble the problem from validated tables (``dossiers`` indexed by dossier id)."""
    motifs = motifs_ineligibilite(dossiers, regles, historique)
    notes = scores.to_dict()
    liste = tuple(
        Dossier(
            dossier=str(identifiant),
            nom=str(ligne["nom"]),
            departement=str(ligne["departement"]),
            qpv=bool(ligne["qpv"]),
            numerique=compte_comme_numerique(ligne["numerique"], ligne["qpv"]),
            montant=int(ligne["montant"]) if not pd.isna(ligne["montant"]) else 0,
            score=float(notes.get(identifiant, float("nan"))),
            lieux=tuple(ligne["lieux"]),
            motifs=tuple(motifs[str(identifiant)]),
        )
        for identifiant, ligne in zip(dossiers.index, dossiers.to_dict("records"), strict=True)
    )
    historique_qpv = historique["qpv"].astype(bool)
    deja = {
        "qpv": int(historique_qpv.sum()),
        "hors_qpv": int((~historique_qpv).sum()),
        "numeriques": int((historique_qpv & historique["numerique"].astype(bool)).sum()),
    }
    cibles = {"qpv": regles.cible_qpv, "hors_qpv": regles.cible_hors_qpv,
              "numeriques": regles.cible_numeriques}
    bornes = {
        c: bornes_rythme(cibles[c], deja[c], regles.nombre_vagues, regles.numero,
                         regles.tolerance_rythme, capacite_des_vagues_suivantes(regles))
        for c in CATEGORIES
    }
    enveloppe_vague, restante = enveloppe_par_defaut(regles, historique)
    return ProblemeVague(
        dossiers=liste,
        regles=regles,
        bornes=bornes,
        deja_par_departement=dict(Counter(historique["departement"].astype(str))),
        enveloppe_vague=enveloppe_vague,
        enveloppe_restante=restante,
        lieux_partages=lieux_partages((d.dossier, d.lieux) for d in liste),
        forces=dict(forces or {}),
        exclus=dict(exclus or {}),
        parts_equitables=parts_equitables(regles),
        deja_annee=laureats_de_l_annee(historique, regles.annee),
    )


def capacite_des_vagues_suivantes(regles: Regles) -> int:
    """The most one later wave may take: the FAQ's 30 per wave (3.1, the default of
    ``[vague] max_laureats``), or this wave's own cap when higher — a wave that chooses to
    take fewer says nothing of the next ones."""
    return max(regles.max_laureats, MAX_LAUREATS_PAR_VAGUE)


def laureats_de_l_annee(historique: pd.DataFrame, annee: int | None) -> int:
    """Laureates of the history decided in ``annee`` (0 when no year is given)."""
    if annee is None or "annee" not in historique:
        return 0
    return int((pd.to_numeric(historique["annee"], errors="coerce") == annee).sum())
