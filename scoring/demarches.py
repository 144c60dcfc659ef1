"""Dossier registries exported from « démarches-simplifiées » (xlsx sheet ``Dossiers``, or csv).

The export's fixed columns are known (``data/ds_export_headers.json``, 2020 and current
versions) but each procedure names its own form fields, so the mapping from export columns
to SPEC columns is an editable TOML file (``data/correspondance_ds.toml`` by default).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

from commun.constats import Constats
from scoring import referentiel, valeurs
from scoring.conteneurs import Feuille

_REQUISES = ("dossier", "montant", "etp")
_FIXES = {valeurs.cle(h) for h in ("ID", "Email", "État du dossier", "Déposé le")}


@dataclass(frozen=True)
class Correspondance:
    """SPEC column → candidate export headers; columns where any value means « oui »."""

    colonnes: dict[str, tuple[str, ...]]
    presence_vaut_oui: frozenset[str]
    source: str


def charger_correspondance(chemin: Path | None = None) -> Correspondance:
    """Load a mapping file (default: the bundled one)."""
    if chemin is None:
        texte = (files("scoring") / "data" / "correspondance_ds.toml").read_text("utf-8")
        source = "correspondance_ds.toml (par défaut)"
    else:
        texte = Path(chemin).read_text("utf-8")
        source = str(chemin)
    donnees: dict[str, Any] = tomllib.loads(texte)
    colonnes = {k: tuple(v) for k, v in donnees.get("colonnes", {}).items()}
    presence = frozenset(donnees.get("presence_vaut_oui", {}).get("colonnes", []))
    return Correspondance(colonnes, presence, source)


def est_export_demarches(source: Path | Feuille) -> bool:
    """True for a démarches-simplifiées export: a header with ``ID`` and the fixed columns."""
    if isinstance(source, Path):
        return _fichier_est_export(source)
    if not source.lignes:
        return False
    entete = {valeurs.cle(v) for v in source.lignes[0][1] if not valeurs.est_vide(v)}
    return "id" in entete and "dossier" not in entete and len(entete & _FIXES) >= 2


def _fichier_est_export(chemin: Path) -> bool:
    try:
        if chemin.suffix.lower() == ".csv":
            premiere = chemin.read_bytes()[:4096].decode("utf-8-sig", errors="replace")
            champs = premiere.splitlines()[0].replace(";", ",").split(",") if premiere else []
            cles = {valeurs.cle(c.strip('"')) for c in champs}
            return "id" in cles and len(cles & _FIXES) >= 2
        import openpyxl

        classeur = openpyxl.load_workbook(chemin, read_only=True)
        try:
            noms = {valeurs.cle(n): n for n in classeur.sheetnames}
            if "dossiers" not in noms:
                return False
            entete = next(classeur[noms["dossiers"]].iter_rows(max_row=1, values_only=True), ())
            cles = {valeurs.cle(v) for v in entete if v is not None}
            return "id" in cles and "dossier" not in cles and len(cles & _FIXES) >= 2
        finally:
            classeur.close()
    except Exception:  # an unreadable file is not an export; the reader reports it
        return False


def traduire_export(
    feuille: Feuille, correspondance: Correspondance, constats: Constats
) -> Feuille:
    """The export's rows under SPEC column names, keeping their Excel row numbers.

    The department, when the export has none, is taken from the INSEE commune code.
    """

    numero_entete, entete = feuille.lignes[0]
    par_cle = {valeurs.cle(v): i for i, v in enumerate(entete) if not valeurs.est_vide(v)}
    positions: dict[str, int] = {}
    for colonne, candidats in correspondance.colonnes.items():
        trouve = next((par_cle[valeurs.cle(c)] for c in candidats if valeurs.cle(c) in par_cle),
                      None)
        if trouve is not None:
            positions[colonne] = trouve
        elif colonne in _REQUISES:
            constats.signaler(
                "correspondance_incomplete",
                f"aucune colonne de l'export ne correspond à « {colonne} » (intitulés "
                f"cherchés : {', '.join(candidats)}) : complétez {correspondance.source}",
                fichier=feuille.fichier, feuille=feuille.nom, ligne=numero_entete,
                colonne=colonne,
            )
    deduire_departement = "departement" not in positions and "code_commune" in positions
    colonnes = list(positions) + (["departement"] if deduire_departement else [])
    communes = referentiel.communes()
    lignes: list[tuple[int, tuple[Any, ...]]] = [(numero_entete, tuple(colonnes))]
    for numero, ligne in feuille.lignes[1:]:
        traduite: list[Any] = []
        for colonne, position in positions.items():
            valeur = ligne[position] if position < len(ligne) else None
            if colonne in correspondance.presence_vaut_oui:
                lu = valeurs.booleen(valeur)
                valeur = "oui" if (not lu.ok or lu.valeur) else "non"
            elif colonne == "departement" and isinstance(valeur, str) and " - " in valeur:
                valeur = valeur.split(" - ", 1)[0]  # « 75 - Paris »
            traduite.append(valeur)
        if deduire_departement:
            code = valeurs.code_commune(ligne[positions["code_commune"]]).valeur
            traduite.append(communes["departement"].get(code) if code else None)
        lignes.append((numero, tuple(traduite)))
    return Feuille(feuille.fichier, feuille.nom, lignes)
