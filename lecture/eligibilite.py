"""Eligibility (SPEC §2): one function per rule of the cahier des charges and the FAQ.

Each rule returns ``None`` when the dossier satisfies it, else the French reason (motif)
shown to the secretariat. An inéligible dossier is never selected and always listed with
every reason that applies.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
from stdnum.fr import siret as stdnum_siret

from commun.francais import euros, valeur_en_clair
from lecture import formes_juridiques, referentiel
from lecture.programme import Regles
from lecture.valeurs import cle

#: A SIREN of nine zeros passes the Luhn check but is never issued (SPEC §2).
SIREN_NUL = "000000000"


def siret_valide(siret: str | None) -> bool:
    """14 digits, a valid SIREN and a valid SIRET as python-stdnum checks them (Luhn on both;
    La Poste's establishments, SIREN 356000000 except the head office 35600000000048, use the
    digit sum divisible by 5, as INSEE defines it); a SIREN of all zeros is refused."""
    return (siret is not None and not siret.startswith(SIREN_NUL)
            and stdnum_siret.is_valid(siret))


def siret_conforme(dossier: dict[str, Any], regles: Regles) -> str | None:
    """Personne morale identified by a valid SIRET (FAQ 2.5)."""
    if siret_valide(dossier.get("siret")):
        return None
    return f"SIRET invalide ({dossier.get('siret') or 'absent'})"


def forme_juridique_admise(dossier: dict[str, Any], regles: Regles) -> str | None:
    """A personne morale dotée d'une capacité commerciale: not an entreprise individuelle,
    micro- or auto-entrepreneur, nor an établissement public local (FAQ 2.5), decided from the
    INSEE catégorie juridique when known, else from the label (:mod:`lecture.formes_juridiques`).
    A blank or unrecognised form is never eligible in silence."""
    libelle = dossier.get("forme_juridique") or ""
    forme = formes_juridiques.reconnaitre(dossier.get("categorie_juridique"), libelle)
    if forme is None:
        return (f"forme juridique non reconnue ({libelle}) : indiquez la catégorie juridique "
                "INSEE" if libelle else "forme juridique absente")
    if forme.decision == "exclue":
        return f"forme juridique exclue par l'AMI : {forme.libelle} ({forme.code}), {forme.motif}"
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
    """At least one full-time equivalent mobilised, or a planned hire of one (cahier des
    charges: « au moins 1 poste en ETP ou présenter un modèle avec embauche d'un ETP »)."""
    etp = dossier.get("etp")
    if etp is None or pd.isna(etp):
        return "ETP absent"
    if etp < 1 and not dossier.get("embauche_prevue"):
        return (f"moins d'un ETP mobilisé ({valeur_en_clair(float(etp))} ETP) et aucune "
                "embauche prévue")
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
    """No place of the dossier is already laureate in an earlier wave (FAQ 6.5); places are
    compared by their folded key (``lieux_laureats`` holds keys)."""
    deja = sorted(lieu for lieu in dossier.get("lieux") or () if cle(lieu) in lieux_laureats)
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
    lieux_laureats = frozenset(cle(lieu) for lieux in historique["lieux"] for lieu in lieux)
    motifs: dict[str, list[str]] = {}
    enregistrements: list[dict[str, Any]] = dossiers.to_dict("records")  # type: ignore[assignment]
    for identifiant, dossier in zip(dossiers.index, enregistrements, strict=True):
        raisons = [r for regle in REGLES_ELIGIBILITE if (r := regle(dossier, regles))]
        if raison := lieux_jamais_laureats(dossier, regles, lieux_laureats):
            raisons.append(raison)
        motifs[str(identifiant)] = raisons
    return motifs
