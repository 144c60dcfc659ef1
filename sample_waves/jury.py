"""The sample waves' juries: who sits (the FAQ 3.2 colleges), and the personality that turns
a dossier's true quality into each juror's notes and comments.

Jurors have personalities — severe, lenient, narrow range, erratic — so that the
normalisation method changes the ranking.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Personnalite:
    """How a juror turns a dossier's true quality into a note."""

    libelle: str
    decalage: float  # severity (<0) or leniency (>0), in points
    echelle: float  # how much of the quality difference the juror expresses
    bruit: float  # standard deviation of the juror's noise


#: The personalities of J01 … J10, in order: J02 severe, J03 lenient, J04 narrow, J05
#: erratic, the others close to the panel.
PERSONNALITES: tuple[Personnalite, ...] = (
    Personnalite("neutre", 0.0, 1.0, 0.7),
    Personnalite("sévère", -1.8, 1.0, 0.7),
    Personnalite("indulgent", 1.6, 1.0, 0.7),
    Personnalite("resserré", 0.4, 0.35, 0.4),
    Personnalite("erratique", 0.0, 0.3, 2.4),
    Personnalite("neutre", 0.3, 1.1, 0.8),
    Personnalite("neutre", -0.4, 0.9, 0.7),
    Personnalite("neutre", 0.2, 1.2, 0.8),
    Personnalite("neutre", -0.2, 1.0, 0.9),
    Personnalite("neutre", 0.1, 0.9, 0.7),
)

#: FAQ 3.2: 2 administration, 3 CNTL (incl. France Tiers-Lieux), 2 researchers or qualified
#: persons, 3 earlier laureates (incl. one collectivité).
COLLEGES: tuple[tuple[str, str], ...] = (
    ("administration", "ANCT"),
    ("administration", "Préfecture de région"),
    ("cntl", "France Tiers-Lieux"),
    ("cntl", "Conseil national des tiers-lieux"),
    ("cntl", "Conseil national des tiers-lieux"),
    ("chercheur", "Université"),
    ("chercheur", "Personne qualifiée"),
    ("laureat", "Fabrique lauréate"),
    ("laureat", "Fabrique lauréate"),
    ("laureat", "Collectivité lauréate"),
)

#: Jurors' first names and surnames, each drawn once per jury.
PRENOMS = (
    "Camille", "Nadia", "Julien", "Sophie", "Karim", "Élise", "Thomas", "Aïcha", "Mathieu",
    "Claire", "Yann", "Léa", "Olivier", "Fatou", "Benoît", "Inès", "Hugo", "Marion", "Samir",
    "Anne", "Pierre", "Laure", "Malik", "Chloé",
)
NOMS = (
    "Martin", "Bernard", "Lefèvre", "Moreau", "Girard", "Benali", "Roux", "Fontaine",
    "Diallo", "Chevalier", "Lambert", "Mercier", "Le Gall", "Garnier", "Rousseau", "Haddad",
    "Faure", "Blanc", "Guérin", "Muller", "Perrin", "Morel", "Nguyen", "Da Silva",
)

#: What jurors write beside strong, weak and middling notes.
COMMENTAIRES_FORTS = (
    "Diagnostic territorial solide",
    "Ancrage fort, partenariats nombreux",
    "Projet très structurant pour le territoire",
    "Équipe expérimentée",
)
COMMENTAIRES_FAIBLES = (
    "Modèle économique à consolider",
    "Gouvernance peu ouverte aux usagers",
    "Diagnostic trop général",
    "Comptes prévisionnels fragiles",
)
COMMENTAIRES_MOYENS = ("Projet cohérent", "À suivre", "Offre à préciser", "Bon potentiel")


@dataclass(frozen=True)
class Jure:
    """One jury member of one wave, with the personality that drives their notes."""

    jure: str
    nom: str
    college: str
    qualite: str
    departement: str | None
    personnalite: Personnalite


def tirer_jury(rng: np.random.Generator, departements: Sequence[str]) -> list[Jure]:
    """A new 10-member jury with the FAQ 3.2 composition.

    The three laureates' representatives and one administration member (a préfecture) have a
    department, so they are déported from every dossier of it (geographic conflict).
    """
    prenoms = rng.permutation(len(PRENOMS))
    noms = rng.permutation(len(NOMS))
    jury_departements = list(rng.choice(list(departements), size=4, replace=False))
    jury: list[Jure] = []
    for index, ((college, qualite), personnalite) in enumerate(
        zip(COLLEGES, PERSONNALITES, strict=True)
    ):
        departement = None
        if college == "laureat" or qualite == "Préfecture de région":
            departement = str(jury_departements.pop())
        jury.append(
            Jure(
                jure=f"J{index + 1:02d}",
                nom=f"{PRENOMS[prenoms[index]]} {NOMS[noms[index]]}",
                college=college,
                qualite=qualite,
                departement=departement,
                personnalite=personnalite,
            )
        )
    return jury


def tirer_commentaire(rng: np.random.Generator, moyenne: float) -> str | None:
    """The comment a juror writes beside notes whose mean is ``moyenne``, three times in ten:
    praise for a strong dossier, a reservation for a weak one, a word otherwise."""
    if rng.random() > 0.3:
        return None
    if moyenne >= 7:
        return str(rng.choice(COMMENTAIRES_FORTS))
    if moyenne <= 4.5:
        return str(rng.choice(COMMENTAIRES_FAIBLES))
    return str(rng.choice(COMMENTAIRES_MOYENS))
