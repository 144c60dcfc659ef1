"""Sheet ``dossiers`` (SPEC §3): a declarative column schema read by one loop, then the
checks across columns of each row."""

from __future__ import annotations

from typing import Any

import pandas as pd

from commun.constats import Constats
from scoring import referentiel, valeurs
from scoring.tables import Cellules, Colonne, Table


def _euros(brut: Any) -> valeurs.Lu[int]:
    """Whole euros; a fractional amount is rounded and the rounding reported."""
    lu = valeurs.nombre(brut)
    if not lu.ok or (lu.valeur is not None and lu.valeur < 0):
        return valeurs.Lu(probleme="montant en euros attendu")
    if lu.valeur is None:
        return valeurs.Lu(None)
    if not float(lu.valeur).is_integer():
        return valeurs.Lu(round(lu.valeur), repare="montant arrondi à l'euro (les montants "
                                                   "sont en euros entiers)")
    return valeurs.Lu(round(lu.valeur))


def _etp(brut: Any) -> valeurs.Lu[float]:
    lu = valeurs.nombre(brut)
    if not lu.ok or lu.valeur is None or lu.valeur < 0:
        return valeurs.Lu(probleme="nombre d'ETP attendu (ex. 1 ou 1,5)")
    return lu


#: Sheet ``dossiers`` (SPEC §3), in column order; the identifier ``dossier`` comes first.
SCHEMA_DOSSIERS: tuple[Colonne, ...] = (
    Colonne("nom", valeurs.texte_lu, requise=True, defaut=""),
    Colonne("porteur", valeurs.texte_lu, defaut=""),
    Colonne("siret", valeurs.siret, reparee="siret_repare"),
    Colonne("forme_juridique", valeurs.texte_lu, defaut=""),
    Colonne("commune", valeurs.texte_lu, defaut=""),
    Colonne("code_commune", valeurs.code_commune, invalide="commune_invalide",
                   reparee="commune_reparee"),
    Colonne("departement", valeurs.Lu, requise=True),  # read by _verifier_departement
    Colonne("qpv", valeurs.booleen, requise=True, invalide="booleen_invalide",
                   defaut=False),
    Colonne("numerique", valeurs.booleen, invalide="booleen_invalide", defaut=False),
    Colonne("montant", _euros, requise=True, invalide="montant_invalide",
                   reparee="montant_arrondi",
                   vide=("valeur_manquante", "montant demandé manquant")),
    Colonne("montant_annuel", _euros, invalide="montant_invalide",
                   reparee="montant_arrondi"),
    Colonne("etp", _etp, requise=True, invalide="etp_invalide"),
    Colonne("video", valeurs.booleen, requise=True, invalide="booleen_invalide",
                   defaut=False),
    Colonne("lieux", valeurs.lieux_lu),
)
COLONNES_DOSSIERS = ("dossier", *(c.nom for c in SCHEMA_DOSSIERS))
REQUISES_DOSSIERS = ("dossier", *(c.nom for c in SCHEMA_DOSSIERS if c.requise))
_TYPES_DOSSIERS = {"montant": "Int64", "montant_annuel": "Int64", "etp": "float"}


def lire_dossiers(table: Table, constats: Constats) -> pd.DataFrame:
    """The ``dossiers`` sheet as a typed table indexed by dossier id: each cell read by its
    column of :data:`SCHEMA_DOSSIERS`, then the checks across columns."""
    enregistrements: list[dict[str, Any]] = []
    for numero, ligne, identifiant in table.par_identifiant("dossier", "dossier",
                                                            "dossier_en_double", constats):
        dossier: dict[str, Any] = {"dossier": identifiant, "ligne": numero,
                                   "fichier": table.feuille.fichier}
        cellules = Cellules(table, numero, ligne)
        for colonne in SCHEMA_DOSSIERS:
            dossier[colonne.nom] = cellules.lire(colonne, constats)
        for verifier in _VERIFICATIONS_DOSSIER:
            verifier(dossier, cellules, constats)
        enregistrements.append(dossier)
    colonnes = [*COLONNES_DOSSIERS, "ligne", "fichier"]
    frame = pd.DataFrame(enregistrements, columns=colonnes).set_index("dossier")
    return frame.astype(_TYPES_DOSSIERS)


def _verifier_commune(dossier: dict[str, Any], cellules: Cellules,
                      constats: Constats) -> None:
    """A well-formed commune code that the INSEE reference does not know is reported."""
    code = dossier["code_commune"]
    if code is not None and code not in referentiel.communes().index:
        constats.signaler(
            "commune_inconnue",
            "code commune absent du référentiel INSEE : vérifiez-le (la règle des "
            "villes-centres s'applique au code tel qu'il est écrit)",
            **cellules.lieu("code_commune", code),
        )


def _verifier_departement(dossier: dict[str, Any], cellules: Cellules,
                          constats: Constats) -> None:
    """The department: deduced from the commune when empty; else read, known, and the
    commune's own."""
    brut = dossier["departement"]
    code = dossier["code_commune"]
    du_code = referentiel.communes()["departement"].get(code) if code else None
    lieu = cellules.lieu("departement")
    if valeurs.est_vide(brut) and du_code is not None:
        dossier["departement"] = str(du_code)
        constats.signaler("departement_deduit", "département vide, déduit du code commune",
                          **{**lieu, "valeur": dossier["departement"]})
        return
    lu = valeurs.code_departement(brut)
    dossier["departement"] = lu.valeur
    if not lu.ok:
        constats.signaler("departement_invalide", str(lu.probleme), **lieu)
        return
    if lu.valeur not in referentiel.departements().index:
        constats.signaler("departement_inconnu", "département inconnu", **lieu)
    elif lu.repare:
        constats.signaler("departement_repare", f"{lu.repare} : Excel a sans doute effacé le "
                          "zéro initial ; saisissez les codes de département en texte", **lieu)
    if du_code not in (None, lu.valeur):
        constats.signaler("commune_hors_departement", f"la commune {code} est dans le "
                          f"département {du_code}, pas {lu.valeur}", **lieu)


def _verifier_numerique(dossier: dict[str, Any], cellules: Cellules,
                        constats: Constats) -> None:
    """A Fabrique numérique counts as such only in a QPV."""
    if dossier["numerique"] and not dossier["qpv"]:
        constats.signaler(
            "numerique_hors_qpv",
            "Fabrique numérique hors QPV : elle ne compte pas comme numérique",
            **cellules.lieu("numerique"),
        )


def _verifier_lieux(dossier: dict[str, Any], cellules: Cellules,
                    constats: Constats) -> None:
    """A dossier that names no place is its own place."""
    dossier["lieux"] = dossier["lieux"] or (dossier["dossier"],)


_VERIFICATIONS_DOSSIER = (_verifier_commune, _verifier_departement, _verifier_numerique,
                          _verifier_lieux)
