"""One sample dossier as a candidate files it: its place, its name, its legal form and
carrier, a SIRET, the amounts asked and its places' codes (SPEC §3 ``dossiers`` columns)."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import numpy as np
from stdnum import luhn

from lecture import referentiel
from sample_waves.territoire import Territoire

#: The words a place's name and its description are drawn from.
LIEUX_NOMS = (
    "La Ruche", "L'Établi", "La Coopérative", "Le Hangar", "La Filature", "L'Atelier",
    "La Manufacture", "Le Quai", "La Passerelle", "Les Communs", "Le Moulin", "La Gare",
    "La Forge", "Le Bocal", "La Cordée", "Le Local", "La Base", "Le Carré", "La Friche",
    "Le Labo", "La Fabrique", "Le Phare", "La Grange", "Le Tiers-Temps",
)
QUALIFICATIFS = (
    "tiers-lieu solidaire", "espace de coworking", "recyclerie créative", "café associatif",
    "atelier partagé", "pôle d'économie sociale", "lieu culturel et citoyen", "ferme urbaine",
)
QUALIFICATIFS_NUMERIQUES = ("fablab", "médiation numérique", "campus numérique", "makerspace")
#: Legal forms as candidates write them, with their INSEE catégorie juridique and weight.
FORMES = (
    ("Association loi 1901", "9220", 0.6),
    ("Société coopérative d'intérêt collectif (SCIC)", "5560", 0.14),
    ("Société coopérative et participative (SCOP)", "5458", 0.05),
    ("Société par actions simplifiée (SAS)", "5710", 0.05),
    ("Commune", "7210", 0.08),
    ("Établissement public de coopération intercommunale", "7346", 0.05),
    ("Société à responsabilité limitée (SARL)", "5499", 0.03),
)


def _completer_luhn(prefix: str) -> str:
    """``prefix`` followed by its Luhn check digit."""
    return prefix + luhn.calc_check_digit(prefix)


def siret_valide(rng: np.random.Generator) -> str:
    """A SIRET whose SIREN and whole 14 digits both pass the Luhn check."""
    siren = _completer_luhn("".join(str(d) for d in rng.integers(0, 10, 8)))
    if siren.startswith("356000000"):  # La Poste follows its own rule: stay clear of it
        siren = "1" + siren[1:]
        siren = _completer_luhn(siren[:8])
    return _completer_luhn(siren + "".join(str(d) for d in rng.integers(0, 10, 4)))


def siret_invalide(rng: np.random.Generator) -> str:
    """A 14-digit number that fails the Luhn check (one digit mistyped)."""
    siret = siret_valide(rng)
    wrong = str((int(siret[6]) + 1) % 10)
    return siret[:6] + wrong + siret[7:]


def _porteur(forme: str, nom_lieu: str, code_commune: str) -> str:
    """The carrier's name: the commune or its EPCI for a collectivité, else the form's short
    name and the place's."""
    commune = referentiel.communes().loc[code_commune]
    if forme == "Commune":
        return f"Commune de {commune['nom']}"
    if forme.startswith("Établissement public") and isinstance(commune["epci_nom"], str):
        return str(commune["epci_nom"])
    prefix = {
        "Association loi 1901": "Association",
        "Société coopérative d'intérêt collectif (SCIC)": "SCIC",
        "Société coopérative et participative (SCOP)": "SCOP",
        "Société par actions simplifiée (SAS)": "SAS",
        "Société à responsabilité limitée (SARL)": "SARL",
    }.get(forme, "Association")
    return f"{prefix} {nom_lieu}"


def tirer_montants(rng: np.random.Generator) -> tuple[int, int]:
    """(amount over 3 years, yearly maximum) a candidate asks: the ceiling more than half the
    time, else a multiple of 5,000 € with a yearly amount near a third of it."""
    if rng.random() < 0.55:
        return 150_000, 50_000
    montant = int(rng.integers(15, 30)) * 5_000  # 75 000 … 145 000
    annuel = math.ceil(montant / 3 / 1_000) * 1_000 + int(rng.choice([0, 0, 2_000, 5_000]))
    return montant, min(annuel, 50_000)


def tirer_dossier(
    rng: np.random.Generator,
    territoire: Territoire,
    identifiant: str,
    qpv: bool,
    numerique: bool,
    compteur: Counter[str],
) -> dict[str, Any]:
    """A plain ``dossiers`` row, placed in a commune of ``territoire`` (QPV or not); its place
    gets the next code of ``compteur``."""
    code, commune, departement = territoire.tirer(rng, qpv)
    nom_lieu = str(rng.choice(LIEUX_NOMS))
    qualificatif = str(rng.choice(QUALIFICATIFS_NUMERIQUES if numerique else QUALIFICATIFS))
    formes, codes, poids = zip(*FORMES, strict=True)
    rang = int(rng.choice(len(formes), p=np.array(poids) / sum(poids)))
    forme = formes[rang]
    # A third of the candidates give the INSEE code too (démarches-simplifiées fills it in).
    categorie = codes[rang] if rng.random() < 0.33 else None
    montant, annuel = tirer_montants(rng)
    return {
        "dossier": identifiant,
        "nom": f"{nom_lieu} — {qualificatif} ({commune})",
        "porteur": _porteur(forme, nom_lieu, code),
        "siret": siret_valide(rng),
        "forme_juridique": forme,
        "categorie_juridique": categorie,
        "commune": commune,
        "code_commune": code,
        "departement": departement,
        "qpv": "oui" if qpv else "non",
        "numerique": "oui" if numerique else "non",
        "montant": montant,
        "montant_annuel": annuel,
        "etp": float(rng.choice([1.0, 1.0, 1.5, 2.0, 2.0, 2.5, 3.0, 4.0])),
        "embauche_prevue": "non",
        "video": "oui",
        "lieux": code_lieu(f"{identifiant[:3]}-{departement}", compteur),
    }


def code_lieu(departement: str, compteur: Counter[str]) -> str:
    """The next place code under ``departement`` (any prefix), counted in ``compteur``."""
    compteur[departement] += 1
    return f"LIEU-{departement}-{compteur[departement]:04d}"
