"""The rule catalogue of SPEC §4: every rule of the wave problem written once, as data.

A rule of the cahier des charges is one function named after it (``regle_max_laureats``,
``regle_rythme``, ``regle_plafond_departement_vague``…) that yields :class:`Contrainte` rows —
members, coefficients, bounds — of one :class:`Famille`, which holds the rule's French
wording and its price in the infeasibility diagnosis. Rules on a single dossier
(eligibility, quality floor, the jury's decisions) are
:data:`~allocation.modele.regles_dossier.REGLES_DOSSIER`; the optional goals are
:data:`~allocation.modele.objectifs.OBJECTIFS`.

Everything else is generated from these entries, never written again:

- the HiGHS model solved, re-solved and relaxed (:mod:`allocation.resolution.moteur`);
- the named PuLP model written for audit (:mod:`allocation.resolution.modele_lp`);
- the pruning of dominated dossiers (:func:`allocation.resolution.solveur.candidats_utiles`);
- the invariant checker, the running totals and the swap checks of the reserve list
  (:mod:`allocation.modele.verification`);
- the explanations (:mod:`allocation.analyses.decision`).

A new rule is one function added to :data:`REGLES` (and its :class:`Famille` to
:data:`FAMILLES`); ``tests/test_regles.py`` adds one and checks that every form honours it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from allocation.modele.probleme import CATEGORIES, LIBELLES_CATEGORIES, Dossier, ProblemeVague
from allocation.modele.regles_dossier import REGLES_DOSSIER
from commun.francais import euros
from commun.highs import nom_sur

INFINI = math.inf


@dataclass(frozen=True)
class Famille:
    """A family of rules: its wording, and what relaxing it by one unit costs.

    ``poids``: the price of one unit of relaxation in the diagnosis (None: never relaxed).
    The message templates take ``sujet``, ``valeur``, ``borne``, ``nouvelle`` and ``ecart``.
    ``capacite``: the rule counts every laureate alike (the wave's places): a selection full
    on it is « complète », and the explanations say so rather than name it as broken.
    ``levable``: the price-of-rules table lifts it (not the FAQ's 30 per wave).
    """

    nom: str
    libelle: str
    poids: float | None
    trop: str
    trop_peu: str = ""
    relever: str = ""
    abaisser: str = ""
    monetaire: bool = False
    capacite: bool = False
    levable: bool = True

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
            relever="porter le nombre maximum de lauréats de {borne} à {nouvelle}",
            capacite=True, levable=False),
    Famille("max_par_an", "nombre maximum de lauréats par an", 2.0,
            trop="{valeur} lauréats cette année ({sujet}) pour {borne} place(s) restante(s) "
                 "sous le plafond annuel",
            relever="autoriser {ecart} lauréat(s) de plus en {sujet} au-delà du plafond "
                    "annuel", capacite=True),
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

#: Every family's label: the rows', the rules on single dossiers' (bounds, not rows), and
#: the other reasons a selection is refused or explained.
LIBELLES_REGLES: dict[str, str] = {
    **{nom: f.libelle for nom, f in FAMILLES.items()},
    **{r.famille: r.libelle for r in REGLES_DOSSIER},
    "montant": "montant accordé",
    "objectifs": "objectifs optionnels",
    "combinaison": "combinaison de règles",
    "departage": "départage à score total égal",
}

def familles_levables() -> tuple[str, ...]:
    """The families the price-of-rules table lifts one at a time, in catalogue order: never
    the 30-per-wave cap (FAQ 3.1), eligibility or the jury's decisions."""
    return (*(nom for nom, f in FAMILLES.items() if f.levable),
            *dict.fromkeys(r.famille for r in REGLES_DOSSIER if r.levable))


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


def par_departement(p: ProblemeVague) -> dict[str, tuple[str, ...]]:
    """The problem's dossiers by department (departments and ids in order)."""
    groupes: dict[str, list[str]] = defaultdict(list)
    for d in p.dossiers:
        groupes[d.departement].append(d.dossier)
    return {dep: tuple(ids) for dep, ids in sorted(groupes.items())}


def regle_plafond_departement_vague(p: ProblemeVague) -> Iterator[Contrainte]:
    """Per department, at most ``[vague] max_par_departement`` laureates in this wave
    (FAQ 7.5: « pas 10 fabriques dans un département et 0 dans un autre »)."""
    for departement, membres in par_departement(p).items():
        yield Contrainte(f"departement_vague_{departement}", "departement_vague", departement,
                         membres, (1.0,) * len(membres), haut=p.regles.max_par_departement_vague)


def regle_plafond_departement_programme(p: ProblemeVague) -> Iterator[Contrainte]:
    """Per department, at most ``[programme] max_par_departement`` laureates counting the
    history: this wave may take what the history leaves."""
    for departement, membres in par_departement(p).items():
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
