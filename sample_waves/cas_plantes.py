"""The cases planted in a sample wave's dossiers, so that the tool has something to find: the
inéligible dossiers of the issue, and the cases real files hold that eligibility must get
right (issue 13). ``sample_waves/README.md`` lists them; the tests take them as ground truth.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from lecture import referentiel
from sample_waves.dossiers import siret_invalide

#: Planted cases that leave the dossier eligible (the others make it inéligible).
CAS_ELIGIBLES = frozenset({
    "numerique_hors_qpv", "lieu_partage", "outre_mer", "embauche_prevue", "forme_par_code",
    "forme_a_verifier", "qpv_improbable", "montant_annuel_manquant",
    "montant_annuel_incoherent", "commune_deduite",
})

#: Where the overseas dossier of each sample wave is (FAQ 2.7: « y compris dans les
#: départements et collectivités d'outre-mer »): Papeete (987), Saint-Pierre (975).
OUTRE_MER = {5: "98735", 6: "97502"}


def planter_cas(
    rng: np.random.Generator,
    dossiers: list[dict[str, Any]],
    lieux_laureats: Sequence[str],
    numero: int,
) -> dict[str, str]:
    """Turn a handful of dossiers into the realistic inéligible cases of the issue, then plant
    the real files' cases; dossier → the case planted in it."""
    cibles = [int(i) for i in rng.choice(len(dossiers), size=9, replace=False)]
    defauts: dict[str, str] = {}

    def marquer(index: int, defaut: str) -> dict[str, Any]:
        defauts[dossiers[index]["dossier"]] = defaut
        return dossiers[index]

    # Hors QPV in a ville-centre, then in one of Lyon's or Marseille's arrondissements.
    for index, code in zip(cibles[:2], ("35238", "69383" if numero % 2 else "13205"), strict=True):
        row = referentiel.communes().loc[code]
        dossier = marquer(index, "ville_centre_hors_qpv")
        dossier.update(
            qpv="non", numerique="non", code_commune=code, commune=str(row["nom"]),
            departement=str(row["departement"]),
        )
    marquer(cibles[2], "siret_invalide")["siret"] = siret_invalide(rng)
    marquer(cibles[3], "etp_insuffisant")["etp"] = 0.5
    marquer(cibles[4], "video_absente")["video"] = "non"
    trop = marquer(cibles[5], "montant_trop_eleve")
    trop.update(montant=180_000, montant_annuel=60_000)
    # A laureate place typed in lower case with a trailing space: the same place (FAQ 6.5).
    deja = str(rng.choice(list(lieux_laureats)))
    marquer(cibles[6], "lieu_deja_laureat")["lieux"] = deja.lower() + " "
    # One place in two dossiers, once in capitals and once not: both are flagged, at most
    # one may be selected.
    partage = marquer(cibles[7], "lieu_partage")
    autre = marquer(cibles[8], "lieu_partage")
    autre["lieux"] = f"{autre['lieux']};{partage['lieux'].lower()}"
    # A form the AMI excludes (FAQ 2.5), on a dossier otherwise fine.
    libre = next(i for i in range(len(dossiers)) if dossiers[i]["dossier"] not in defauts)
    marquer(libre, "forme_juridique_exclue").update(forme_juridique="Entrepreneur individuel",
                                                    categorie_juridique=None)
    # A Fabrique numérique outside a QPV: a warning, it does not count as numérique.
    libre = next(
        i for i in range(len(dossiers))
        if dossiers[i]["dossier"] not in defauts and dossiers[i]["qpv"] == "non"
    )
    dossiers[libre]["numerique"] = "oui"
    defauts[dossiers[libre]["dossier"]] = "numerique_hors_qpv"
    _planter_cas_reels(rng, dossiers, defauts, numero)
    return defauts


def _planter_cas_reels(rng: np.random.Generator, dossiers: list[dict[str, Any]],
                       defauts: dict[str, str], numero: int) -> None:
    """The cases real files hold that eligibility must get right (issue 13). Each dossier
    gets one case; ``defauts`` records it (the eligible ones too: they are the ground truth
    of the tests)."""
    libres = iter([i for i in rng.permutation(len(dossiers))
                   if dossiers[int(i)]["dossier"] not in defauts
                   and dossiers[int(i)]["qpv"] == "non"])

    def suivant(cas: str) -> dict[str, Any]:
        dossier = dossiers[int(next(libres))]
        defauts[dossier["dossier"]] = cas
        return dossier

    outre_mer = referentiel.communes().loc[OUTRE_MER[numero]]
    suivant("outre_mer").update(commune=str(outre_mer["nom"]), code_commune=OUTRE_MER[numero],
                                departement=str(outre_mer["departement"]))
    suivant("embauche_prevue").update(etp=0.5, embauche_prevue="oui")
    suivant("forme_par_code").update(forme_juridique=None, categorie_juridique="9220")
    suivant("forme_exclue_par_code").update(
        forme_juridique="Lycée professionnel Jean Moulin", categorie_juridique="7331")
    suivant("forme_a_verifier").update(forme_juridique="Société civile immobilière",
                                       categorie_juridique="6540")
    suivant("forme_non_reconnue").update(forme_juridique="Collectif d'habitants",
                                         categorie_juridique=None)
    suivant("qpv_improbable").update(qpv="oui")
    suivant("montant_annuel_manquant").update(montant_annuel=None)
    suivant("montant_annuel_incoherent").update(montant=150_000, montant_annuel=40_000)
    deduite = next(d for d in (dossiers[int(i)] for i in libres)
                   if len(referentiel.codes_du_nom(d["commune"], d["departement"])) == 1)
    defauts[deduite["dossier"]] = "commune_deduite"
    deduite["code_commune"] = None
    # « Paris 11e » with no INSEE code: resolved to 75111, a ville-centre (hors QPV).
    suivant("ville_centre_sans_code").update(commune="Paris 11e", code_commune=None,
                                             departement="75")
