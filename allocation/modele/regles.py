"""The rule catalogue of SPEC §4: every rule of the wave problem written once, as data.

A rule of the cahier des charges is one function named after it (``regle_max_laureats``,
``regle_rythme``, ``regle_plafond_departement_vague``…) that yields :class:`Contrainte` rows —
members, coefficients, bounds — of one :class:`Famille`, which holds the rule's French
wording and its price in the infeasibility diagnosis. Rules on a single dossier
(eligibility, quality floor, the jury's decisions) are :func:`interdits`; the optional goals
are :class:`Terme` entries (:func:`objectifs_optionnels`).

Everything else is generated from these entries, never written again:

- the HiGHS model solved, re-solved and relaxed (:mod:`allocation.resolution.moteur`);
- the named PuLP model written for audit (:mod:`allocation.resolution.modele_lp`);
- the invariant checker :func:`violations`;
- the swap checks of the reserve list (:class:`Echanges`).

A new rule is one function added to :data:`REGLES` (or :data:`OBJECTIFS`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from allocation.modele.probleme import CATEGORIES, LIBELLES_CATEGORIES, Dossier, ProblemeVague
from commun.francais import euros
from commun.highs import nom_sur
from lecture.programme import Regles

INFINI = math.inf


@dataclass(frozen=True)
class Famille:
    """A family of rules: its wording, and what relaxing it by one unit costs.

    ``poids``: the price of one unit of relaxation in the diagnosis (None: never relaxed).
    The message templates take ``sujet``, ``valeur``, ``borne``, ``nouvelle`` and ``ecart``.
    """

    nom: str
    libelle: str
    poids: float | None
    trop: str
    trop_peu: str = ""
    relever: str = ""
    abaisser: str = ""
    monetaire: bool = False

    def nombre(self, valeur: float) -> str:
        """A value of this family in the secretariat's words."""
        return euros(valeur) if self.monetaire else f"{valeur:g}"


_RYTHME = dict(
    poids=1.0,
    trop="{sujet} : {valeur}, au-dessus du maximum du rythme ({borne})",
    trop_peu="{sujet} : {valeur}, sous le minimum du rythme ({borne})",
    relever="relever le rythme maximum de {sujet} de {borne} à {nouvelle}",
    abaisser="abaisser le rythme minimum de {sujet} de {borne} à {nouvelle}",
)

#: Every family of row rules. The 30-per-wave cap is the FAQ's own rule (3.1), so relaxing
#: it costs twice a pace, which is the programme's internal schedule; euros count per
#: 75 000 € (one minimum grant costs as much as one laureate).
FAMILLES: dict[str, Famille] = {f.nom: f for f in (
    Famille("max_laureats", "nombre maximum de lauréats par vague", 2.0,
            trop="{valeur} lauréats pour un maximum de {borne} par vague",
            relever="porter le nombre maximum de lauréats de {borne} à {nouvelle}"),
    Famille("max_par_an", "nombre maximum de lauréats par an", 2.0,
            trop="{valeur} lauréats cette année ({sujet}) pour {borne} place(s) restante(s) "
                 "sous le plafond annuel",
            relever="autoriser {ecart} lauréat(s) de plus en {sujet} au-delà du plafond "
                    "annuel"),
    *(Famille(f"rythme_{c}", f"rythme des {LIBELLES_CATEGORIES[c]}", **_RYTHME)  # type: ignore[arg-type]
      for c in CATEGORIES),
    Famille("departement_vague", "plafond par département dans la vague", 1.0,
            trop="département {sujet} : {valeur} lauréats dans la vague pour un plafond de "
                 "{borne}",
            relever="autoriser {nouvelle} lauréats dans le département {sujet} pour cette "
                    "vague au lieu de {borne}"),
    Famille("departement_programme", "plafond par département sur le programme", 1.0,
            trop="département {sujet} : {valeur} lauréat(s) dans la vague pour {borne} "
                 "place(s) restante(s) sous le plafond du programme",
            relever="autoriser {ecart} lauréat(s) de plus dans le département {sujet} "
                    "au-delà du plafond du programme"),
    Famille("enveloppe", "enveloppe budgétaire", 1.0 / 75_000, monetaire=True,
            trop="dépense de {valeur} au-delà de l'enveloppe {sujet} ({borne})",
            relever="augmenter l'enveloppe {sujet} de {ecart}"),
    Famille("lieux", "un lieu dans un seul dossier retenu", None,
            trop="lieu {sujet} présent dans {valeur} dossiers retenus"),
)}

#: Families of rules on single dossiers (bounds, not rows), and the other reasons a
#: selection is refused or explained.
LIBELLES_REGLES: dict[str, str] = {
    **{nom: f.libelle for nom, f in FAMILLES.items()},
    "note_minimale": "note minimale",
    "eligibilite": "éligibilité",
    "decision_du_jury": "décision du jury",
    "montant": "montant accordé",
    "objectifs": "objectifs optionnels",
    "combinaison": "combinaison de règles",
    "departage": "départage à score total égal",
}

#: The families the price-of-rules table lifts one at a time.
FAMILLES_LEVABLES = ("max_par_an", *(f"rythme_{c}" for c in CATEGORIES), "departement_vague",
                     "departement_programme", "enveloppe", "lieux", "note_minimale")


@dataclass(frozen=True)
class Contrainte:
    """One row: ``bas ≤ Σ coefficients · x(membres) ≤ haut``.

    ``nom`` is unique and safe in an LP file; ``sujet`` names what the row is about in the
    secretariat's words (a department, a category, a place…); ``montant``: the
    coefficients are committed euros (a granted amount replaces them when known)."""

    nom: str
    famille: str
    sujet: str
    membres: tuple[str, ...]
    coefficients: tuple[float, ...]
    bas: float = -INFINI
    haut: float = INFINI
    montant: bool = False

    @property
    def relachable(self) -> bool:
        """True when the diagnosis may relax this row."""
        return FAMILLES[self.famille].poids is not None

    def message(self, valeur: float) -> str | None:
        """The French message when ``valeur`` breaks this row, else None."""
        famille = FAMILLES[self.famille]
        if valeur > self.haut + 1e-9:
            modele, borne = famille.trop, self.haut
        elif valeur < self.bas - 1e-9:
            modele, borne = famille.trop_peu, self.bas
        else:
            return None
        return modele.format(sujet=self.sujet, valeur=famille.nombre(valeur),
                             borne=famille.nombre(borne))

    def relaxation(self, sens: str, ecart: float) -> str:
        """The French advice to relax this row by ``ecart`` on side ``sens`` (min | max)."""
        famille = FAMILLES[self.famille]
        ecart = math.ceil(ecart - 1e-06) if famille.monetaire else round(ecart)
        if sens == "min":
            return famille.abaisser.format(
                sujet=self.sujet, borne=famille.nombre(self.bas), ecart=famille.nombre(ecart),
                nouvelle=famille.nombre(max(0, self.bas - ecart)))
        return famille.relever.format(
            sujet=self.sujet, borne=famille.nombre(self.haut), ecart=famille.nombre(ecart),
            nouvelle=famille.nombre(self.haut + ecart))


def engagement_minimal(probleme: ProblemeVague, dossier: Dossier) -> int:
    """What selecting ``dossier`` commits of the envelope: its request, or the minimum grant
    when amounts are variable (the envelope is then shared by a common ceiling)."""
    if probleme.regles.objectifs.montants_variables:
        return min(dossier.montant, probleme.regles.montant_min)
    return dossier.montant


# --------------------------------------------------------------------------- the rules


def regle_max_laureats(p: ProblemeVague) -> Iterator[Contrainte]:
    """At most ``max_laureats`` laureates in the wave (FAQ 3.1)."""
    tous = tuple(d.dossier for d in p.dossiers)
    yield Contrainte("max_laureats", "max_laureats", "la vague", tous, (1.0,) * len(tous),
                     haut=p.regles.max_laureats)


def regle_max_par_an(p: ProblemeVague) -> Iterator[Contrainte]:
    """At most ``max_par_an`` laureates in the wave's year, counting the history (cahier des
    charges: « 100 projets maximum seront sélectionnés chaque année »); applied when the
    wave's year is known."""
    if p.regles.max_par_an is None or p.regles.annee is None:
        return
    tous = tuple(d.dossier for d in p.dossiers)
    yield Contrainte("max_par_an", "max_par_an", str(p.regles.annee), tous,
                     (1.0,) * len(tous), haut=max(0, p.regles.max_par_an - p.deja_annee))


def regle_rythme(p: ProblemeVague) -> Iterator[Contrainte]:
    """Each category's count within its pace bounds (SPEC §4: 150 QPV, 150 hors QPV, 30
    Fabriques numériques spread over the waves)."""
    for categorie in CATEGORIES:
        membres = tuple(d.dossier for d in p.dossiers if categorie in d.categories())
        bornes = p.bornes[categorie]
        yield Contrainte(f"rythme_{categorie}", f"rythme_{categorie}",
                         LIBELLES_CATEGORIES[categorie], membres, (1.0,) * len(membres),
                         bas=bornes.minimum, haut=bornes.maximum)


def _par_departement(p: ProblemeVague) -> dict[str, tuple[str, ...]]:
    groupes: dict[str, list[str]] = defaultdict(list)
    for d in p.dossiers:
        groupes[d.departement].append(d.dossier)
    return {dep: tuple(ids) for dep, ids in sorted(groupes.items())}


def regle_plafond_departement_vague(p: ProblemeVague) -> Iterator[Contrainte]:
    """Per department, at most ``[vague] max_par_departement`` laureates in this wave
    (FAQ 7.5: « pas 10 fabriques dans un département et 0 dans un autre »)."""
    for departement, membres in _par_departement(p).items():
        yield Contrainte(f"departement_vague_{departement}", "departement_vague", departement,
                         membres, (1.0,) * len(membres), haut=p.regles.max_par_departement_vague)


def regle_plafond_departement_programme(p: ProblemeVague) -> Iterator[Contrainte]:
    """Per department, at most ``[programme] max_par_departement`` laureates counting the
    history: this wave may take what the history leaves."""
    for departement, membres in _par_departement(p).items():
        reste = max(0, p.regles.max_par_departement_programme
                    - p.deja_par_departement.get(departement, 0))
        yield Contrainte(f"departement_programme_{departement}", "departement_programme",
                         departement, membres, (1.0,) * len(membres), haut=reste)


def regle_enveloppes(p: ProblemeVague) -> Iterator[Contrainte]:
    """The amounts committed within the wave envelope and the remaining programme one."""
    membres = tuple(d.dossier for d in p.dossiers)
    montants = tuple(float(engagement_minimal(p, d)) for d in p.dossiers)
    yield Contrainte("enveloppe_vague", "enveloppe", "de la vague", membres, montants,
                     haut=p.enveloppe_vague, montant=True)
    yield Contrainte("enveloppe_programme", "enveloppe", "restante du programme", membres,
                     montants, haut=p.enveloppe_restante, montant=True)


def regle_lieu_unique(p: ProblemeVague) -> Iterator[Contrainte]:
    """At most one selected dossier per place (FAQ 6.5): a place shared by dossiers of the
    wave."""
    for index, (lieu, ids) in enumerate(sorted(p.lieux_partages.items())):
        yield Contrainte(f"lieu_{index:04d}_{nom_sur(lieu)}", "lieux", lieu, tuple(ids),
                         (1.0,) * len(ids), haut=1.0)


#: The rules of SPEC §4, in the order the models list them.
REGLES: tuple[Callable[[ProblemeVague], Iterable[Contrainte]], ...] = (
    regle_max_laureats, regle_max_par_an, regle_rythme, regle_plafond_departement_vague,
    regle_plafond_departement_programme, regle_enveloppes, regle_lieu_unique,
)


def contraintes(probleme: ProblemeVague) -> list[Contrainte]:
    """Every row of every rule of the catalogue, over all the problem's dossiers."""
    return [c for regle in REGLES for c in regle(probleme)]


# --------------------------------------------------------------------------- single dossiers


def plancher_respecte(scores: np.ndarray, regles: Regles | None) -> np.ndarray:
    """Per score: scored, and at or above the quality floor ``note_minimale`` (SPEC §4; no
    floor when ``regles`` is None, i.e. the rule is lifted)."""
    scores = np.asarray(scores, dtype=float)
    if regles is None:
        return ~np.isnan(scores)
    with np.errstate(invalid="ignore"):
        return ~np.isnan(scores) & (scores >= regles.note_minimale)


def interdits(probleme: ProblemeVague, dossier: Dossier) -> list[tuple[str, str]]:
    """Why ``dossier`` may not be selected at all, as (family, French message); empty when it
    may. These are column bounds in the models."""
    if dossier.dossier in probleme.exclus:
        return [("decision_du_jury", f"{dossier.dossier} écarté par le jury")]
    if not dossier.eligible or math.isnan(dossier.score):
        return [("eligibilite", f"{dossier.dossier} n'est pas éligible")]
    if not plancher_respecte(np.array([dossier.score]), probleme.regles)[0]:
        return [("note_minimale", f"{dossier.dossier} sous la note minimale")]
    return []


# --------------------------------------------------------------------------- optional goals


@dataclass(frozen=True)
class Terme:
    """An optional goal: one extra column ``y`` (``0 ≤ y ≤ haut``, integer or not) worth
    ``cout`` points, tied to the selection by ``bas ≤ Σ coefficients · x(membres) +
    coefficient_terme · y ≤ haut_ligne``."""

    nom: str
    cout: float
    entiere: bool
    haut: float
    membres: tuple[str, ...]
    coefficients: tuple[float, ...]
    coefficient_terme: float
    bas: float = -INFINI
    haut_ligne: float = INFINI


def objectif_couverture(p: ProblemeVague) -> Iterator[Terme]:
    """``couverture`` points for each department that gets its first Fabrique of the
    programme (FAQ 7.1, « couverture territoriale la plus large possible »):
    ``couvert ≤ Σ x``."""
    points = p.regles.objectifs.couverture
    if not points:
        return
    for departement, membres in _par_departement(p).items():
        if not p.deja_par_departement.get(departement, 0):
            yield Terme(f"couverture_{nom_sur(departement)}", points, True, 1.0, membres,
                        (1.0,) * len(membres), -1.0, bas=0.0)


def objectif_parts_population(p: ProblemeVague) -> Iterator[Terme]:
    """``parts_population`` points off per laureate a department holds beyond its population
    fair share to date: ``exces ≥ deja + Σ x − part``."""
    points = p.regles.objectifs.parts_population
    if not points:
        return
    for departement, membres in _par_departement(p).items():
        deja = p.deja_par_departement.get(departement, 0)
        part = p.parts_equitables.get(departement, 0.0)
        yield Terme(f"exces_{nom_sur(departement)}", -points, False, INFINI, membres,
                    (-1.0,) * len(membres), 1.0, bas=deja - part)


OBJECTIFS: tuple[Callable[[ProblemeVague], Iterable[Terme]], ...] = (
    objectif_couverture, objectif_parts_population)


def termes(probleme: ProblemeVague) -> list[Terme]:
    """Every optional goal's term (none by default)."""
    return [t for objectif in OBJECTIFS for t in objectif(probleme)]


# --------------------------------------------------------------------------- the checker


@dataclass(frozen=True)
class Violation:
    """One rule of SPEC §4 that a selection breaks; ``regle`` is the rule family."""

    regle: str
    message: str


def violations(
    probleme: ProblemeVague,
    laureats: tuple[str, ...] | list[str],
    montants: dict[str, int] | None = None,
) -> list[Violation]:
    """Every rule of SPEC §4 that ``laureats`` breaks (empty: all rules hold).

    ``montants`` are the granted amounts; without them each laureate commits its request (or
    the minimum grant when amounts are variable). Independent of any solver: tests run it on
    every allocation the suite produces.
    """
    par_id = {d.dossier: d for d in probleme.dossiers}
    choisis = set(laureats)
    trouvees = [Violation(famille, message) for i in sorted(choisis)
                for famille, message in interdits(probleme, par_id[i])]
    for c in contraintes(probleme):
        valeur = sum(
            (montants[i] if montants is not None and c.montant else k)
            for i, k in zip(c.membres, c.coefficients, strict=True) if i in choisis)
        message = c.message(valeur)
        if message:
            trouvees.append(Violation(c.famille, message))
    if montants is not None:
        plancher = probleme.regles.montant_min
        for i in sorted(choisis):
            d = par_id[i]
            if not min(d.montant, plancher) <= montants[i] <= d.montant:
                trouvees.append(Violation("montant", f"{i} : montant accordé "
                                                     f"{euros(montants[i])} hors bornes"))
    for identifiant in sorted(probleme.forces):
        if identifiant not in choisis:
            trouvees.append(Violation("decision_du_jury",
                                      f"{identifiant} imposé par le jury mais absent"))
    return trouvees


def verifier(
    probleme: ProblemeVague,
    laureats: tuple[str, ...] | list[str],
    montants: dict[str, int] | None = None,
) -> list[str]:
    """The messages of :func:`violations` (empty: every rule of SPEC §4 holds)."""
    return [v.message for v in violations(probleme, laureats, montants)]


class Echanges:
    """The catalogue's rows, checked incrementally for "laureate L withdraws, dossier R takes
    the place": each row's value for the current laureates is kept once, and an exchange
    touches only the rows holding L or R."""

    def __init__(self, probleme: ProblemeVague, laureats: Iterable[str]):
        self.probleme = probleme
        self.lignes = contraintes(probleme)
        choisis = set(laureats)
        self.valeurs = [sum(k for i, k in zip(c.membres, c.coefficients, strict=True)
                            if i in choisis) for c in self.lignes]
        self._admis: dict[str, bool] = {}  # dossier → no rule on it alone forbids it
        self.touche: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for r, c in enumerate(self.lignes):
            for i, k in zip(c.membres, c.coefficients, strict=True):
                self.touche[i].append((r, k))

    def possible(self, sortant: Dossier, entrant: Dossier) -> bool:
        """True when every rule of SPEC §4 holds after the exchange."""
        if entrant.dossier not in self._admis:
            self._admis[entrant.dossier] = not interdits(self.probleme, entrant)
        if sortant.dossier in self.probleme.forces or not self._admis[entrant.dossier]:
            return False
        return all(self.lignes[r].bas - 1e-9 <= valeur <= self.lignes[r].haut + 1e-9
                   for r, valeur in self._apres(sortant.dossier, entrant).items())

    def violations(self, sortant: str | None, entrant: Dossier) -> list[Violation]:
        """The rows broken once ``entrant`` joins the laureates and ``sortant`` (if any)
        leaves them, in catalogue order; the rules on ``entrant`` alone are not checked."""
        trouvees = []
        for r, valeur in sorted(self._apres(sortant, entrant).items()):
            message = self.lignes[r].message(valeur)
            if message:
                trouvees.append(Violation(self.lignes[r].famille, message))
        return trouvees

    def _apres(self, sortant: str | None, entrant: Dossier) -> dict[int, float]:
        """The value after the exchange of every row it touches."""
        apres: dict[int, float] = {}
        for r, k in self.touche[sortant] if sortant is not None else ():
            apres[r] = apres.get(r, self.valeurs[r]) - k
        for r, k in self.touche[entrant.dossier]:
            apres[r] = apres.get(r, self.valeurs[r]) + k
        return apres
