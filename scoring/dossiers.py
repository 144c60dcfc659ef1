"""Sheet ``dossiers`` (SPEC §3): a declarative column schema read by one loop, then the
checks across columns of each row."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from commun.constats import Constats
from scoring import referentiel, valeurs
from scoring.tables import Cellules, Table


def _texte(brut: Any) -> valeurs.Lu[str]:
    return valeurs.Lu(valeurs.texte(brut) or "")


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


def _brut(brut: Any) -> valeurs.Lu[Any]:
    return valeurs.Lu(brut)


@dataclass(frozen=True)
class ColonneDossier:
    """One column of sheet ``dossiers``: how its cells are read and what they report.

    ``lire`` turns a cell into a :class:`~scoring.valeurs.Lu`; a cell it cannot read is
    reported under ``invalide`` with the parser's reason, one it read after a repair under
    ``reparee``; an empty cell under ``vide`` = (code, message) when set. The value stored
    is ``defaut`` when the cell gives none. Checks across columns are the ``_verifier_*``
    functions run on each row after its cells."""

    nom: str
    lire: Callable[[Any], valeurs.Lu[Any]]
    requise: bool = False
    invalide: str | None = None
    reparee: str | None = None
    vide: tuple[str, str] | None = None
    defaut: Any = None


#: Sheet ``dossiers`` (SPEC §3), in column order; the identifier ``dossier`` comes first.
SCHEMA_DOSSIERS: tuple[ColonneDossier, ...] = (
    ColonneDossier("nom", _texte, requise=True, defaut=""),
    ColonneDossier("porteur", _texte, defaut=""),
    ColonneDossier("siret", valeurs.siret, reparee="siret_repare"),
    ColonneDossier("forme_juridique", _texte, defaut=""),
    ColonneDossier("commune", _texte, defaut=""),
    ColonneDossier("code_commune", valeurs.code_commune, invalide="commune_invalide",
                   reparee="commune_reparee"),
    ColonneDossier("departement", _brut, requise=True),  # read by _verifier_departement
    ColonneDossier("qpv", valeurs.booleen, requise=True, invalide="booleen_invalide",
                   defaut=False),
    ColonneDossier("numerique", valeurs.booleen, invalide="booleen_invalide", defaut=False),
    ColonneDossier("montant", _euros, requise=True, invalide="montant_invalide",
                   reparee="montant_arrondi",
                   vide=("valeur_manquante", "montant demandé manquant")),
    ColonneDossier("montant_annuel", _euros, invalide="montant_invalide",
                   reparee="montant_arrondi"),
    ColonneDossier("etp", _etp, requise=True, invalide="etp_invalide"),
    ColonneDossier("video", valeurs.booleen, requise=True, invalide="booleen_invalide",
                   defaut=False),
    ColonneDossier("lieux", lambda brut: valeurs.Lu(valeurs.lieux(brut))),
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
            dossier[colonne.nom] = _lire_cellule(cellules, colonne, constats)
        for verifier in _VERIFICATIONS_DOSSIER:
            verifier(dossier, cellules, constats)
        enregistrements.append(dossier)
    colonnes = [*COLONNES_DOSSIERS, "ligne", "fichier"]
    frame = pd.DataFrame(enregistrements, columns=colonnes).set_index("dossier")
    return frame.astype(_TYPES_DOSSIERS)


def _lire_cellule(cellules: Cellules, colonne: ColonneDossier, constats: Constats) -> Any:
    brut = cellules.table.valeur(cellules.ligne, colonne.nom)
    lieu = cellules.lieu(colonne.nom, brut)
    if colonne.vide and valeurs.est_vide(brut):
        constats.signaler(colonne.vide[0], colonne.vide[1], **lieu)
        return colonne.defaut
    lu = colonne.lire(brut)
    if not lu.ok:
        if colonne.invalide:
            constats.signaler(colonne.invalide, str(lu.probleme), **lieu)
        return colonne.defaut
    if lu.repare and colonne.reparee:
        constats.signaler(colonne.reparee, lu.repare, **lieu)
    return colonne.defaut if lu.valeur is None else lu.valeur


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
