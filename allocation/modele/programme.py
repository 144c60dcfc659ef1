"""The programme's rules (``programme.toml``) and its history of laureates (``laureats.xlsx``).

Both are found beside the wave when not given: a file inside a wave folder overrides the
one beside it (SPEC §3). Problems are located findings, as for the wave itself.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from commun.constats import Constats
from scoring import valeurs
from scoring.conteneurs import lire_classeur
from scoring.tables import Cellules, Colonne, trouver_table

#: Sheet ``laureats`` of the history (SPEC §3), every column required.
SCHEMA_HISTORIQUE: tuple[Colonne, ...] = (
    Colonne("dossier", valeurs.texte_lu),
    Colonne("nom", valeurs.texte_lu, defaut=""),
    Colonne("lieux", valeurs.lieux_lu),
    Colonne("departement", valeurs.code_departement, invalide="valeur_invalide"),
    Colonne("qpv", valeurs.booleen, invalide="valeur_invalide", defaut=False),
    Colonne("numerique", valeurs.booleen, invalide="valeur_invalide", defaut=False),
    Colonne("montant", valeurs.entier, invalide="valeur_invalide", defaut=0),
    Colonne("vague", valeurs.entier, invalide="valeur_invalide", defaut=0),
)
COLONNES_HISTORIQUE = tuple(c.nom for c in SCHEMA_HISTORIQUE)


@dataclass(frozen=True)
class Objectifs:
    """Optional goals on top of SPEC §4, all off by default (section ``[objectifs]``).

    ``couverture``: score points added for each department that gets its first Fabrique of
    the programme (FAQ 7.1, « couverture territoriale la plus large possible »).
    ``parts_population``: score points taken off for each laureate a department holds beyond
    its population fair share of the laureates expected by the end of this wave.
    ``montants_variables``: a laureate may be granted less than requested, down to
    ``montant_min``, so that more dossiers fit the envelope; the amounts are then cut by one
    common ceiling (see :func:`allocation.resolution.solveur.montants_accordes`).
    """

    couverture: float = 0.0
    parts_population: float = 0.0
    montants_variables: bool = False

    @property
    def actifs(self) -> bool:
        """True when at least one optional goal is on."""
        return bool(self.couverture or self.parts_population or self.montants_variables)


@dataclass(frozen=True)
class Regles:
    """Everything SPEC §4 needs to decide one wave (money in integer euros)."""

    cible_total: int
    cible_qpv: int
    cible_hors_qpv: int
    cible_numeriques: int
    nombre_vagues: int
    enveloppe_totale: int
    montant_min: int
    montant_max: int
    montant_annuel_max: int
    max_par_departement_programme: int
    numero: int
    max_laureats: int
    tolerance_rythme: int
    max_par_departement_vague: int
    enveloppe_vague: int | None  # None: remaining envelope pro rata of remaining places
    note_minimale: float
    objectifs: Objectifs = field(default_factory=Objectifs)


_PROGRAMME = {
    "cible_total": 300, "cible_qpv": 150, "cible_hors_qpv": 150, "cible_numeriques": 30,
    "nombre_vagues": 10, "enveloppe_totale": 45_000_000, "montant_min": 75_000,
    "montant_max": 150_000, "montant_annuel_max": 50_000, "max_par_departement": 8,
}
_VAGUE = {"max_laureats": 30, "tolerance_rythme": 2, "max_par_departement": 2,
          "note_minimale": 0}


def trouver_fichier(vague: Path, nom: str) -> Path | None:
    """``nom`` inside a wave folder, else beside the wave, else None."""
    candidats = ([vague / nom] if vague.is_dir() else []) + [vague.parent / nom]
    return next((c for c in candidats if c.is_file()), None)


def lire_regles(chemin: Path | None, numero_vague: int | None, constats: Constats) -> Regles | None:
    """Read ``programme.toml`` (defaults of SPEC §3 for what it leaves out)."""
    donnees: dict[str, Any] = {}
    affichage = chemin.name if chemin else "programme.toml"
    if chemin is not None:
        try:
            donnees = tomllib.loads(chemin.read_text("utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as erreur:
            constats.signaler("programme_illisible", f"fichier programme illisible : {erreur}",
                              fichier=affichage)
            return None
    programme = {**_PROGRAMME, **donnees.get("programme", {})}
    vague = {**_VAGUE, **donnees.get("vague", {})}
    numero = vague.get("numero", numero_vague)
    if numero is None:
        constats.signaler(
            "numero_vague_manquant",
            "numéro de vague introuvable : nommez la vague vague-NN ou donnez [vague] numero",
            fichier=affichage,
        )
        return None
    entiers: dict[str, int] = {}
    for section, table in (("programme", programme), ("vague", vague)):
        for cle, valeur in table.items():
            if cle in ("enveloppe", "note_minimale"):
                continue
            if not isinstance(valeur, int) or isinstance(valeur, bool) or valeur < 0:
                constats.signaler("parametre_invalide", "entier positif attendu",
                                  fichier=affichage, feuille=f"[{section}]", colonne=cle,
                                  valeur=valeur)
            else:
                entiers[f"{section}.{cle}"] = valeur
    enveloppe = vague.get("enveloppe")
    if enveloppe is not None and (not isinstance(enveloppe, int) or enveloppe < 0):
        constats.signaler("parametre_invalide", "montant en euros attendu", fichier=affichage,
                          feuille="[vague]", colonne="enveloppe", valeur=enveloppe)
    note_minimale = vague.get("note_minimale", 0)
    if not isinstance(note_minimale, int | float) or isinstance(note_minimale, bool):
        constats.signaler("parametre_invalide", "nombre attendu", fichier=affichage,
                          feuille="[vague]", colonne="note_minimale", valeur=note_minimale)
    objectifs = _lire_objectifs(donnees.get("objectifs", {}), affichage, constats)
    if constats.a_des_erreurs:
        return None
    if not 1 <= numero <= entiers["programme.nombre_vagues"]:
        constats.signaler(
            "numero_vague_invalide",
            f"vague {numero} hors du programme (1 à {entiers['programme.nombre_vagues']})",
            fichier=affichage, colonne="numero", valeur=numero,
        )
        return None
    return Regles(
        cible_total=entiers["programme.cible_total"],
        cible_qpv=entiers["programme.cible_qpv"],
        cible_hors_qpv=entiers["programme.cible_hors_qpv"],
        cible_numeriques=entiers["programme.cible_numeriques"],
        nombre_vagues=entiers["programme.nombre_vagues"],
        enveloppe_totale=entiers["programme.enveloppe_totale"],
        montant_min=entiers["programme.montant_min"],
        montant_max=entiers["programme.montant_max"],
        montant_annuel_max=entiers["programme.montant_annuel_max"],
        max_par_departement_programme=entiers["programme.max_par_departement"],
        numero=int(numero),
        max_laureats=entiers["vague.max_laureats"],
        tolerance_rythme=entiers["vague.tolerance_rythme"],
        max_par_departement_vague=entiers["vague.max_par_departement"],
        enveloppe_vague=enveloppe,
        note_minimale=float(note_minimale),
        objectifs=objectifs,
    )


def _lire_objectifs(table: dict[str, Any], affichage: str, constats: Constats) -> Objectifs:
    connus = {"couverture", "parts_population", "montants_variables"}
    for cle in sorted(set(table) - connus):
        constats.signaler("parametre_inconnu",
                          f"objectif inconnu (connus : {', '.join(sorted(connus))})",
                          fichier=affichage, feuille="[objectifs]", colonne=cle, valeur=table[cle])
    poids = {}
    for cle in ("couverture", "parts_population"):
        valeur = table.get(cle, 0)
        if not isinstance(valeur, int | float) or isinstance(valeur, bool) or valeur < 0:
            constats.signaler("parametre_invalide",
                              "nombre positif attendu (0 : objectif désactivé)",
                              fichier=affichage, feuille="[objectifs]", colonne=cle, valeur=valeur)
            valeur = 0
        poids[cle] = float(valeur)
    variables = table.get("montants_variables", False)
    if not isinstance(variables, bool):
        constats.signaler("parametre_invalide", "true ou false attendu", fichier=affichage,
                          feuille="[objectifs]", colonne="montants_variables", valeur=variables)
        variables = False
    return Objectifs(poids["couverture"], poids["parts_population"], variables)


def historique_vide() -> pd.DataFrame:
    """A history with no laureate yet (first wave)."""
    return pd.DataFrame(columns=COLONNES_HISTORIQUE)


def lire_historique(chemin: Path | None, constats: Constats) -> pd.DataFrame:
    """Sheet ``laureats`` of the history workbook, typed; empty when there is no file."""
    if chemin is None:
        return historique_vide()
    feuilles = lire_classeur(chemin, chemin.name, constats)
    if feuilles is None:
        return historique_vide()
    par_cle = {valeurs.cle(n): f for n, f in feuilles.items()}
    if "laureats" not in par_cle:
        constats.signaler("feuille_manquante", "feuille « laureats » absente",
                          fichier=chemin.name, feuille="laureats")
        return historique_vide()
    table = trouver_table(par_cle["laureats"], COLONNES_HISTORIQUE, [], constats, "dossier")
    if table is None:
        return historique_vide()
    lignes = []
    for numero, ligne in table.lignes:
        cellules = Cellules(table, numero, ligne)
        laureat = {c.nom: cellules.lire(c, constats) for c in SCHEMA_HISTORIQUE}
        # A Fabrique numérique counts as one only in a QPV.
        laureat["numerique"] = laureat["numerique"] and laureat["qpv"]
        lignes.append(laureat)
    # Canonical order: no decision may depend on the order of the history's rows.
    return pd.DataFrame(lignes, columns=COLONNES_HISTORIQUE).sort_values(
        ["vague", "dossier"], kind="stable").reset_index(drop=True)
