"""Eligibility (SPEC §2): one function per rule of the cahier des charges and the FAQ.

Each rule returns ``None`` when the dossier satisfies it, else the French reason (motif)
shown to the secretariat. An inéligible dossier is never selected and always listed with
every reason that applies.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd

from allocation.modele.programme import Regles
from commun.francais import euros
from scoring import referentiel, valeurs

_FORMES_EXCLUES = (
    "entrepriseindividuelle", "entrepreneurindividuel", "microentrepreneur",
    "microentreprise", "autoentrepreneur", "etablissementpubliclocaldenseignement", "eple",
)
SIREN_LA_POSTE = "356000000"


def luhn(chiffres: str) -> bool:
    """The Luhn checksum (SIREN and SIRET)."""
    total = 0
    for position, caractere in enumerate(reversed(chiffres)):
        valeur = int(caractere) * (2 if position % 2 else 1)
        total += valeur - 9 if valeur > 9 else valeur
    return total % 10 == 0


def siret_valide(siret: str | None) -> bool:
    """14 digits passing the Luhn check; La Poste (SIREN 356000000) uses its own rule: the
    sum of the digits is a multiple of 5."""
    if siret is None or len(siret) != 14 or not siret.isdigit():
        return False
    if siret.startswith(SIREN_LA_POSTE):
        return sum(int(c) for c in siret) % 5 == 0
    return luhn(siret)


def siret_conforme(dossier: dict[str, Any], regles: Regles) -> str | None:
    """Personne morale identified by a valid SIRET (FAQ 2.5)."""
    if siret_valide(dossier.get("siret")):
        return None
    return f"SIRET invalide ({dossier.get('siret') or 'absent'})"


def forme_juridique_admise(dossier: dict[str, Any], regles: Regles) -> str | None:
    """Not an entreprise individuelle / micro- or auto-entrepreneur, nor an EPLE (FAQ 2.5)."""
    cle = valeurs.cle(dossier.get("forme_juridique") or "")
    if any(exclue in cle for exclue in _FORMES_EXCLUES):
        return f"forme juridique exclue par l'AMI ({dossier.get('forme_juridique')})"
    return None


def hors_ville_centre_ou_en_qpv(dossier: dict[str, Any], regles: Regles) -> str | None:
    """Not in a ville-centre of the 22 métropoles (or its arrondissements) unless in a QPV
    (FAQ 2.7)."""
    code = dossier.get("code_commune")
    if code in referentiel.communes_villes_centres_exclues() and not dossier.get("qpv"):
        nom = referentiel.communes()["nom"].get(code, code)
        return f"ville-centre de métropole hors QPV ({nom})"
    return None


def etp_suffisant(dossier: dict[str, Any], regles: Regles) -> str | None:
    """At least one full-time equivalent mobilised."""
    etp = dossier.get("etp")
    if etp is None or pd.isna(etp) or etp < 1:
        return f"moins d'un ETP mobilisé ({etp:g} ETP)" if etp is not None else "ETP absent"
    return None


def video_fournie(dossier: dict[str, Any], regles: Regles) -> str | None:
    """The presentation video is provided."""
    return None if dossier.get("video") else "vidéo de présentation absente"


def montant_dans_les_bornes(dossier: dict[str, Any], regles: Regles) -> str | None:
    """Requested amount within [montant_min, montant_max] over 3 years."""
    montant = dossier.get("montant")
    if montant is None or pd.isna(montant):
        return "montant demandé absent"
    if not regles.montant_min <= montant <= regles.montant_max:
        return (f"montant demandé {euros(montant)} hors de {euros(regles.montant_min)} à "
                f"{euros(regles.montant_max)}")
    return None


def montant_annuel_plafonne(dossier: dict[str, Any], regles: Regles) -> str | None:
    """At most montant_annuel_max a year (when the yearly amount is given)."""
    annuel = dossier.get("montant_annuel")
    if annuel is not None and not pd.isna(annuel) and annuel > regles.montant_annuel_max:
        return f"montant annuel {euros(annuel)} au-delà de {euros(regles.montant_annuel_max)}"
    return None


def lieux_jamais_laureats(
    dossier: dict[str, Any], regles: Regles, lieux_laureats: frozenset[str] = frozenset()
) -> str | None:
    """No place of the dossier is already laureate in an earlier wave (FAQ 6.5)."""
    deja = sorted(set(dossier.get("lieux") or ()) & lieux_laureats)
    return f"lieu déjà lauréat d'une vague précédente ({', '.join(deja)})" if deja else None


REGLES_ELIGIBILITE: tuple[Callable[[dict[str, Any], Regles], str | None], ...] = (
    siret_conforme,
    forme_juridique_admise,
    hors_ville_centre_ou_en_qpv,
    etp_suffisant,
    video_fournie,
    montant_dans_les_bornes,
    montant_annuel_plafonne,
)


def motifs_ineligibilite(
    dossiers: pd.DataFrame, regles: Regles, historique: pd.DataFrame
) -> dict[str, list[str]]:
    """Every reason each dossier is inéligible (empty list: eligible)."""
    lieux_laureats = frozenset(lieu for lieux in historique["lieux"] for lieu in lieux)
    motifs: dict[str, list[str]] = {}
    enregistrements: list[dict[str, Any]] = dossiers.to_dict("records")  # type: ignore[assignment]
    for identifiant, dossier in zip(dossiers.index, enregistrements, strict=True):
        raisons = [r for regle in REGLES_ELIGIBILITE if (r := regle(dossier, regles))]
        if raison := lieux_jamais_laureats(dossier, regles, lieux_laureats):
            raisons.append(raison)
        motifs[str(identifiant)] = raisons
    return motifs


def lieux_partages(dossiers: Iterable[tuple[str, tuple[str, ...]]]) -> dict[str, list[str]]:
    """Places that appear in more than one dossier of the wave → those dossiers (sorted)."""
    par_lieu: dict[str, list[str]] = defaultdict(list)
    for identifiant, lieux in dossiers:
        for lieu in lieux:
            par_lieu[lieu].append(identifiant)
    return {lieu: sorted(ids) for lieu, ids in sorted(par_lieu.items()) if len(ids) > 1}
