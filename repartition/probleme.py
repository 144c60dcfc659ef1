"""The assignment problem of a wave: which (juror, dossier) pairs may be read, how many readers
each dossier needs, and the strata a juror's reading should cover evenly.

One boundary maps ids to positions (:class:`ProblemeRepartition` holds sorted ids only, so
nothing downstream depends on the order of rows or files).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

from lecture.eligibilite import motifs_ineligibilite
from lecture.modele import Vague
from lecture.programme import Regles

#: FAQ 3.2 colleges every dossier must be read from (at least this many different ones).
COLLEGES_PAR_DOSSIER = 2


@dataclass(frozen=True)
class ProblemeRepartition:
    """Who may read what, and how many readers each dossier needs.

    ``lecteurs``: readers wanted per dossier (in total, the ones already assigned included);
    ``deja``: (juror, dossier) pairs already assigned (a second phase keeps them);
    ``interdits``: pairs never allowed (déports, conflicts); ``strates``: per dossier the
    labels of the groups a juror's reading should cover in proportion (department, Fabrique
    numérique, QPV); ``graine``: the seed of the tie-break among equally good assignments.
    """

    dossiers: tuple[str, ...]
    jures: tuple[str, ...]
    colleges: Mapping[str, str]
    lecteurs: Mapping[str, int]
    interdits: frozenset[tuple[str, str]]
    strates: Mapping[str, tuple[str, ...]]
    graine: int = 0
    deja: frozenset[tuple[str, str]] = frozenset()
    colleges_par_dossier: int = COLLEGES_PAR_DOSSIER
    #: Dossier → its label for messages (« V06-012 (Rennes) »).
    libelles: Mapping[str, str] = field(default_factory=dict)

    def autorises(self, dossier: str) -> tuple[str, ...]:
        """The jurors who may read ``dossier`` (not déported, not in conflict)."""
        return tuple(j for j in self.jures if (j, dossier) not in self.interdits)

    def libelle(self, dossier: str) -> str:
        """The dossier as the secretariat names it in a message."""
        return self.libelles.get(dossier, dossier)

    def bandes_des_strates(self) -> dict[tuple[str, str], BandeStrate]:
        """(stratum, juror) → the juror's fair band of that stratum: each dossier of it
        shares its readers among the jurors free to read it, and the juror's expected count,
        rounded down and up, bounds what they should read (only where they may read one)."""
        bandes: dict[tuple[str, str], BandeStrate] = {}
        parts: dict[tuple[str, str], tuple[float, list[str]]] = {}
        for dossier in self.dossiers:
            libres = self.autorises(dossier)
            for strate in self.strates.get(dossier, ()):
                for jure in libres:
                    part, membres = parts.get((strate, jure), (0.0, []))
                    parts[strate, jure] = (part + self.lecteurs[dossier] / len(libres),
                                           [*membres, dossier])
        for cle, (part, membres) in sorted(parts.items()):
            bandes[cle] = BandeStrate(math.floor(part + 1e-9), math.ceil(part - 1e-9),
                                      tuple(membres))
        return bandes


@dataclass(frozen=True)
class BandeStrate:
    """How many dossiers of a stratum a juror should read (``bas`` … ``haut``), among
    ``dossiers``: those of the stratum the juror may read."""

    bas: int
    haut: int
    dossiers: tuple[str, ...]

    def ecart(self, compte: int) -> int:
        """Readings outside the band."""
        return max(0, compte - self.haut, self.bas - compte)


def strates_du_dossier(departement: str, numerique: bool, qpv: bool) -> tuple[str, ...]:
    """The strata a dossier belongs to: its department, Fabrique numérique or not, in a QPV
    or not. A juror's reading should hold each in proportion (no juror reads only one
    department, or only Fabriques numériques)."""
    return (f"département {departement}",
            "Fabrique numérique" if numerique else "Fabrique non numérique",
            "en QPV" if qpv else "hors QPV")


def probleme_repartition(vague: Vague, regles: Regles, historique: pd.DataFrame,
                         par_dossier: int, graine: int = 0
                         ) -> tuple[ProblemeRepartition, dict[str, list[str]]]:
    """The assignment problem of a prepared ``vague``: every eligible dossier read by
    ``par_dossier`` jurors; and the dossiers left out because already known to be
    ineligible, with their reasons (jurors' time is not spent on them)."""
    motifs = motifs_ineligibilite(vague.dossiers, regles, historique)
    ineligibles = {d: m for d, m in motifs.items() if m}
    table = vague.dossiers.drop(index=list(ineligibles))
    dossiers = tuple(sorted(str(d) for d in table.index))
    strates = {str(d): strates_du_dossier(str(ligne.departement), bool(ligne.numerique),
                                          bool(ligne.qpv))
               for d, ligne in zip(table.index, table.itertuples(), strict=True)}
    libelles = {str(d): f"{d} ({ligne.commune or ligne.departement!s})"
                for d, ligne in zip(table.index, table.itertuples(), strict=True)}
    probleme = ProblemeRepartition(
        dossiers=dossiers,
        jures=tuple(sorted(j.jure for j in vague.jury)),
        colleges={j.jure: j.college for j in vague.jury},
        lecteurs=dict.fromkeys(dossiers, par_dossier),
        interdits=frozenset(p for p in vague.deports if p[1] in strates),
        strates=strates,
        graine=graine,
        libelles=libelles,
    )
    return probleme, ineligibles


def lectures_supplementaires(priorites: list[str], possibles: Mapping[str, int],
                             supplement: int) -> dict[str, int]:
    """How many extra readers each dossier gets: ``supplement`` readings dealt one at a time
    in the order of ``priorites`` (most decisive first), round after round, never more to a
    dossier than ``possibles`` (jurors free to read it who have not yet)."""
    extra = dict.fromkeys(priorites, 0)
    restant = supplement
    while restant > 0:
        servis = 0
        for dossier in priorites:
            if restant == 0:
                break
            if extra[dossier] < possibles.get(dossier, 0):
                extra[dossier] += 1
                restant -= 1
                servis += 1
        if servis == 0:
            break
    return {d: n for d, n in extra.items() if n}


def probleme_complement(probleme_initial: ProblemeRepartition, lues: frozenset[tuple[str, str]],
                        priorites: list[str], supplement: int
                        ) -> tuple[ProblemeRepartition, int]:
    """The second phase: ``supplement`` extra readings for the dossiers of ``priorites`` (the
    zone of uncertainty first), the readings already made (``lues``) kept. Returns the
    problem and how many readings could not be placed (every free juror already reads)."""
    deja_par_dossier: dict[str, set[str]] = {}
    for jure, dossier in lues:
        deja_par_dossier.setdefault(dossier, set()).add(jure)
    possibles = {d: len(set(probleme_initial.autorises(d)) - deja_par_dossier.get(d, set()))
                 for d in priorites}
    extra = lectures_supplementaires(priorites, possibles, supplement)
    dossiers = tuple(sorted(extra))
    probleme = ProblemeRepartition(
        dossiers=dossiers,
        jures=probleme_initial.jures,
        colleges=probleme_initial.colleges,
        lecteurs={d: len(deja_par_dossier.get(d, ())) + extra[d] for d in dossiers},
        interdits=frozenset(p for p in probleme_initial.interdits if p[1] in extra),
        strates={d: probleme_initial.strates[d] for d in dossiers},
        graine=probleme_initial.graine,
        deja=frozenset(p for p in lues if p[1] in extra),
        colleges_par_dossier=probleme_initial.colleges_par_dossier,
        libelles=probleme_initial.libelles,
    )
    return probleme, supplement - sum(extra.values())
