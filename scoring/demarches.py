"""Dossier registries exported from « démarches-simplifiées » (xlsx sheet ``Dossiers``, or csv).

The export's fixed columns are known (``data/ds_export_headers.json``, 2020 and current
versions) but each procedure names its own form fields, so the mapping from export columns
to SPEC columns is an editable TOML file (``data/correspondance_ds.toml`` by default).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
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
    #: Headers that describe the porteur's registered seat, not the place (« Établissement
    #: localité »): used for the commune only as a last resort, and said.
    siege: frozenset[str] = frozenset()
    #: What ``fabriques ds publier`` writes (``score``, ``rang``, ``statut``) → the candidate
    #: labels of the démarche's private annotations.
    annotations: dict[str, tuple[str, ...]] = field(default_factory=dict)


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
    siege = frozenset(valeurs.cle(h) for h in donnees.get("siege", {}).get("intitules", []))
    annotations = {k: tuple(v) for k, v in donnees.get("annotations", {}).items()}
    return Correspondance(colonnes, presence, source, siege, annotations)


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


def _positions(entete: tuple[Any, ...], correspondance: Correspondance) -> dict[str, int]:
    """SPEC column → index of the first header of ``entete`` among its candidates."""
    par_cle = {valeurs.cle(v): i for i, v in enumerate(entete) if not valeurs.est_vide(v)}
    positions: dict[str, int] = {}
    for colonne, candidats in correspondance.colonnes.items():
        trouve = next((par_cle[valeurs.cle(c)] for c in candidats if valeurs.cle(c) in par_cle),
                      None)
        if trouve is not None:
            positions[colonne] = trouve
    return positions


def _demandeurs(etablissements: Feuille | None, correspondance: Correspondance
                ) -> tuple[dict[str, int], dict[str, tuple[Any, ...]]]:
    """From sheet « Etablissements »: its column positions, and each dossier's applicant row
    (the row whose « Champ » is empty; other rows are SIRET fields of the form)."""
    if etablissements is None or not etablissements.lignes:
        return {}, {}
    _, entete = etablissements.lignes[0]
    cles = [valeurs.cle(v) if not valeurs.est_vide(v) else "" for v in entete]
    if "dossierid" not in cles:
        return {}, {}
    identifiant, champ = cles.index("dossierid"), cles.index("champ") if "champ" in cles else None
    lignes: dict[str, tuple[Any, ...]] = {}
    for _, ligne in etablissements.lignes[1:]:
        if champ is not None and champ < len(ligne) and not valeurs.est_vide(ligne[champ]):
            continue
        cle = valeurs.texte(ligne[identifiant]) if identifiant < len(ligne) else None
        if cle:
            lignes.setdefault(cle, ligne)
    positions = {c: i for c, i in _positions(entete, correspondance).items() if c != "dossier"}
    return positions, lignes


def traduire_export(
    feuille: Feuille, correspondance: Correspondance, constats: Constats,
    etablissements: Feuille | None = None,
) -> Feuille:
    """The export's rows under SPEC column names, keeping their Excel row numbers.

    An xlsx export keeps the applicant's SIRET and legal form in sheet ``etablissements``:
    the columns the ``Dossiers`` sheet lacks are taken from there. The department, when the
    export has none, is taken from the INSEE commune code. The commune of the place comes
    from the démarche's own field; the porteur's seat is used only when there is none, and
    that is reported.
    """

    numero_entete, entete = feuille.lignes[0]
    positions = _positions(entete, correspondance)
    for colonne in _REQUISES:
        if colonne not in positions:
            constats.signaler(
                "correspondance_incomplete",
                f"aucune colonne de l'export ne correspond à « {colonne} » (intitulés "
                f"cherchés : {', '.join(correspondance.colonnes.get(colonne, ()))}) : "
                f"complétez {correspondance.source}",
                fichier=feuille.fichier, feuille=feuille.nom, ligne=numero_entete,
                colonne=colonne,
            )
    positions_etab, demandeurs = _demandeurs(etablissements, correspondance)
    depuis_etab = {c: i for c, i in positions_etab.items() if c not in positions}
    _signaler_siege(feuille, numero_entete, entete, positions, etablissements, positions_etab,
                    depuis_etab, correspondance, constats)
    deduire_departement = ("departement" not in positions and "departement" not in depuis_etab
                           and ("code_commune" in positions or "code_commune" in depuis_etab))
    colonnes = list(positions) + list(depuis_etab) + (
        ["departement"] if deduire_departement else [])
    communes = referentiel.communes()
    lignes: list[tuple[int, tuple[Any, ...]]] = [(numero_entete, tuple(colonnes))]
    for numero, ligne in feuille.lignes[1:]:
        identifiant = valeurs.texte(ligne[positions["dossier"]]) if "dossier" in positions \
            and positions["dossier"] < len(ligne) else None
        demandeur = demandeurs.get(identifiant or "", ())
        sources = [(ligne, positions), (demandeur, depuis_etab)]
        traduite: list[Any] = []
        for source, places in sources:
            for colonne, position in places.items():
                valeur = source[position] if position < len(source) else None
                if colonne in correspondance.presence_vaut_oui:
                    lu = valeurs.booleen(valeur)
                    valeur = "oui" if (not lu.ok or lu.valeur) else "non"
                elif colonne == "departement" and isinstance(valeur, str) and " - " in valeur:
                    valeur = valeur.split(" - ", 1)[0]  # « 75 - Paris »
                traduite.append(valeur)
        if deduire_departement:
            code_brut = traduite[colonnes.index("code_commune")]
            code = valeurs.code_commune(code_brut).valeur
            traduite.append(communes["departement"].get(code) if code else None)
        lignes.append((numero, tuple(traduite)))
    return Feuille(feuille.fichier, feuille.nom, lignes)


def _signaler_siege(feuille: Feuille, numero_entete: int, entete: tuple[Any, ...],
                    positions: dict[str, int], etablissements: Feuille | None,
                    positions_etab: dict[str, int], depuis_etab: dict[str, int],
                    correspondance: Correspondance, constats: Constats) -> None:
    """Say so when the place's commune is read from the porteur's registered seat."""
    for colonne in ("commune", "code_commune"):
        if colonne in positions:
            intitule, ou = str(entete[positions[colonne]]), feuille
        elif colonne in depuis_etab and etablissements is not None:
            intitule = str(etablissements.lignes[0][1][positions_etab[colonne]])
            ou = etablissements
        else:
            continue
        if valeurs.cle(intitule) in correspondance.siege:
            constats.signaler(
                "commune_du_siege",
                f"aucun champ de la démarche ne donne la commune du lieu : « {intitule} » est "
                "celle du siège du porteur, qui peut être ailleurs que le tiers-lieu ; "
                f"ajoutez l'intitulé du champ du lieu dans {correspondance.source}",
                fichier=ou.fichier, feuille=ou.nom, ligne=numero_entete, colonne=intitule)
