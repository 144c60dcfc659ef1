"""Dossier registries exported from « démarches-simplifiées »: the xlsx export (sheets
``Dossiers``, ``Etablissements``, ``Avis`` and one per repetition block) or the csv export.

The export's fixed columns are known (``data/ds_export_headers.json``), but each démarche
names its own form fields, so the mapping from export columns to SPEC columns is an editable
TOML file (``data/correspondance_ds.toml`` by default). Cells are read by what the platform
writes in them (its code is the reference: ``tests/ds/PROVENANCE.md``): a commune champ as
« Nom (CP) » beside its « (Code INSEE) » and « (Département) » columns, a department as
« 01 – Ain » or as its name beside a « (Code) » column, the applicant's SIRET and legal form
on the « Dossier » row of sheet ``Etablissements``, a list of places as the rows of a
repetition block. An export is recognised by its content, whatever its file name.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from commun.constats import Constats
from scoring import referentiel, valeurs
from scoring.conteneurs import Feuille

_REQUISES = ("dossier", "montant", "etp")
_FIXES = {valeurs.cle(h) for h in ("ID", "Email", "État du dossier", "Déposé le")}
#: « Belley (01300) »: a commune champ's value when it has a postcode (commune_type_de_champ.rb).
_COMMUNE_ET_CODE_POSTAL = re.compile(r"^(?P<nom>.*\S)\s*\((?P<cp>\d{5})\)$")
#: « 01 – Ain », « 2A - Corse-du-Sud »: a code, any dash, a name.
_CODE_ET_NOM = re.compile(r"^(?P<code>\d{2,3}|2[AaBb])\s*[-\u2010-\u2015\u2212]\s*(?P<nom>.+)$")


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
    #: Columns a repetition block may give, one value per row (the places).
    listes: frozenset[str] = frozenset()
    #: Columns where the export's 0 means « not given » (a blank number champ is exported
    #: as 0).
    zero_vaut_vide: frozenset[str] = frozenset()


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
    listes = frozenset(donnees.get("blocs_repetables", {}).get("colonnes", []))
    zero = frozenset(donnees.get("zero_vaut_vide", {}).get("colonnes", []))
    return Correspondance(colonnes, presence, source, siege, annotations, listes, zero)


@dataclass(frozen=True)
class ExportDS:
    """A démarches-simplifiées export as read: its sheet « Dossiers » (the csv's only one),
    « Etablissements » (xlsx) and the repetition blocks' sheets (xlsx)."""

    dossiers: Feuille
    etablissements: Feuille | None = None
    blocs: tuple[Feuille, ...] = ()


def _entete(feuille: Feuille) -> set[str]:
    if not feuille.lignes:
        return set()
    return {valeurs.cle(v) for v in feuille.lignes[0][1] if not valeurs.est_vide(v)}


def est_export_demarches(source: Path | Feuille) -> bool:
    """True for a démarches-simplifiées export: a header with ``ID`` and the fixed columns
    (a file is judged by its content, whatever its name)."""
    if isinstance(source, Path):
        return _fichier_est_export(source)
    return _est_entete_d_export(_entete(source))


def _est_entete_d_export(cles: set[str]) -> bool:
    return "id" in cles and "dossier" not in cles and len(cles & _FIXES) >= 2


def _fichier_est_export(chemin: Path) -> bool:
    try:
        if chemin.suffix.lower() == ".csv":
            debut = chemin.read_bytes()[:16384].decode("utf-8-sig", errors="replace")
            premiere = next(iter(debut.splitlines()), "")
            separateur = max((";", ",", "\t"), key=premiere.count)
            champs = next(csv.reader(io.StringIO(premiere), delimiter=separateur), [])
            return _est_entete_d_export({valeurs.cle(c) for c in champs if c.strip()})
        import openpyxl

        classeur = openpyxl.load_workbook(chemin, read_only=True)
        try:
            noms = {valeurs.cle(n): n for n in classeur.sheetnames}
            if "dossiers" not in noms:
                return False
            entete = next(classeur[noms["dossiers"]].iter_rows(max_row=1, values_only=True), ())
            return _est_entete_d_export({valeurs.cle(v) for v in entete if v is not None})
        finally:
            classeur.close()
    except Exception:  # an unreadable file is not an export; the reader reports it
        return False


def _est_bloc(feuille: Feuille) -> bool:
    """A repetition block's sheet: « Dossier ID », « Ligne », then the block's champs."""
    if not feuille.lignes:
        return False
    tete = [valeurs.cle(v) for v in feuille.lignes[0][1][:2]]
    return tete == ["dossierid", "ligne"]


def export_des_feuilles(feuilles: dict[str, Feuille]) -> ExportDS | None:
    """The export among a workbook's sheets (or a csv's one sheet); None when it is not one."""
    par_cle = {valeurs.cle(nom): feuille for nom, feuille in feuilles.items()}
    dossiers = par_cle.get("dossiers")
    if dossiers is None and len(feuilles) == 1:
        dossiers = next(iter(feuilles.values()))
    if dossiers is None or not est_export_demarches(dossiers):
        return None
    blocs = tuple(f for f in feuilles.values() if _est_bloc(f))
    return ExportDS(dossiers, par_cle.get("etablissements"), blocs)


def _positions(entete: tuple[Any, ...], correspondance: Correspondance) -> dict[str, int]:
    """SPEC column → index of the first header of ``entete`` among its candidates."""
    par_cle: dict[str, int] = {}
    for i, v in enumerate(entete):
        if not valeurs.est_vide(v):
            par_cle.setdefault(valeurs.cle(v), i)
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
    (« Champ » reads « Dossier » — ``Etablissement#libelle_for_export`` — or, in files
    retouched by hand, is empty; other rows are the SIRET champs of the form)."""
    if etablissements is None or not etablissements.lignes:
        return {}, {}
    _, entete = etablissements.lignes[0]
    cles = [valeurs.cle(v) if not valeurs.est_vide(v) else "" for v in entete]
    if "dossierid" not in cles:
        return {}, {}
    identifiant, champ = cles.index("dossierid"), cles.index("champ") if "champ" in cles else None
    lignes: dict[str, tuple[Any, ...]] = {}
    for _, ligne in etablissements.lignes[1:]:
        libelle = ligne[champ] if champ is not None and champ < len(ligne) else None
        if not valeurs.est_vide(libelle) and valeurs.cle(libelle) != "dossier":
            continue
        cle = valeurs.texte(ligne[identifiant]) if identifiant < len(ligne) else None
        if cle:
            lignes.setdefault(cle, ligne)
    positions = {c: i for c, i in _positions(entete, correspondance).items() if c != "dossier"}
    return positions, lignes


def _listes_des_blocs(blocs: tuple[Feuille, ...], colonnes: list[str],
                      correspondance: Correspondance) -> dict[str, dict[str, str]]:
    """For each list column absent from « Dossiers » and found in a block: dossier → its
    values, one per row of the block in « Ligne » order, joined by « ; »."""
    trouvees: dict[str, dict[str, str]] = {}
    for colonne in colonnes:
        for bloc in blocs:
            _, entete = bloc.lignes[0]
            position = _positions(entete, correspondance).get(colonne)
            if position is None:
                continue
            par_dossier: dict[str, list[tuple[float, str]]] = defaultdict(list)
            for _, ligne in bloc.lignes[1:]:
                identifiant = valeurs.texte(ligne[0])
                valeur = valeurs.texte(ligne[position]) if position < len(ligne) else None
                if identifiant and valeur:
                    rang = valeurs.nombre(ligne[1] if len(ligne) > 1 else None).valeur
                    par_dossier[identifiant].append((rang if rang is not None else 0.0, valeur))
            trouvees[colonne] = {i: ";".join(v for _, v in sorted(lus))
                                 for i, lus in par_dossier.items()}
            break
    return trouvees


def lire_commune(valeur: Any) -> tuple[Any, str | None]:
    """A commune champ's cell → (name, postcode): « Belley (01300) » → (« Belley », « 01300 »);
    a name without postcode, or anything else, is kept as it is."""
    texte = valeurs.texte(valeur)
    if texte is None:
        return valeur, None
    trouve = _COMMUNE_ET_CODE_POSTAL.match(texte)
    return (trouve["nom"], trouve["cp"]) if trouve else (valeur, None)


def lire_departement(valeur: Any) -> Any:
    """A department cell → its code: « 01 – Ain », « 2A - Corse-du-Sud » (any dash), a
    department's name (« Ain », the value column of a département champ), or a code as it is;
    anything else is kept for the reader to report."""
    texte = valeurs.texte(valeur)
    if texte is None or not isinstance(valeur, str):
        return valeur
    if trouve := _CODE_ET_NOM.match(texte.strip()):
        return trouve["code"].upper()
    return referentiel.code_du_departement(texte) or valeur


def traduire_export(export: ExportDS, correspondance: Correspondance, constats: Constats
                    ) -> Feuille:
    """The export's rows under SPEC column names, keeping their Excel row numbers.

    The columns sheet « Dossiers » lacks are taken from the applicant's row of sheet
    « Etablissements » (SIRET, legal form) and, for a list column (the places), from a
    repetition block. A commune « Nom (CP) » gives the name and a ``code_postal`` column;
    a department is read as its code; the department, when the export has none, comes from
    the INSEE commune code. The commune of the place comes from the démarche's own field; the
    porteur's seat is used only when there is none, and that is reported.
    """
    feuille = export.dossiers
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
    positions_etab, demandeurs = _demandeurs(export.etablissements, correspondance)
    depuis_etab = {c: i for c, i in positions_etab.items() if c not in positions}
    if {"commune", "code_commune"} & set(positions) and export.etablissements is not None:
        # the place's commune comes from the form: never complete it with the seat's
        entete_etab = export.etablissements.lignes[0][1]
        depuis_etab = {c: i for c, i in depuis_etab.items()
                       if c not in ("commune", "code_commune")
                       or valeurs.cle(entete_etab[i]) not in correspondance.siege}
    _signaler_siege(feuille, numero_entete, entete, positions, export.etablissements,
                    positions_etab, depuis_etab, correspondance, constats)
    manquantes = sorted(c for c in correspondance.listes
                        if c not in positions and c not in depuis_etab)
    listes = _listes_des_blocs(export.blocs, manquantes, correspondance)
    _signaler_listes_absentes(feuille, numero_entete, manquantes, listes, export, constats)
    deduire_departement = ("departement" not in positions and "departement" not in depuis_etab
                           and ("code_commune" in positions or "code_commune" in depuis_etab))
    code_postal = "code_postal" not in positions and "code_postal" not in depuis_etab
    colonnes = list(positions) + list(depuis_etab) + list(listes) + (
        ["departement"] if deduire_departement else []) + (["code_postal"] if code_postal else [])
    communes = referentiel.communes()
    lignes: list[tuple[int, tuple[Any, ...]]] = [(numero_entete, tuple(colonnes))]
    for numero, ligne in feuille.lignes[1:]:
        identifiant = valeurs.texte(ligne[positions["dossier"]]) if "dossier" in positions \
            and positions["dossier"] < len(ligne) else None
        demandeur = demandeurs.get(identifiant or "", ())
        traduite: dict[str, Any] = {}
        postal = None
        for source, places in ((ligne, positions), (demandeur, depuis_etab)):
            for colonne, position in places.items():
                valeur = source[position] if position < len(source) else None
                if colonne in correspondance.presence_vaut_oui:
                    lu = valeurs.booleen(valeur)
                    valeur = "oui" if (not lu.ok or lu.valeur) else "non"
                elif colonne in correspondance.zero_vaut_vide and valeurs.nombre(
                        valeur).valeur == 0:
                    valeur = None
                elif colonne == "commune":
                    valeur, postal = lire_commune(valeur)
                elif colonne == "departement":
                    valeur = lire_departement(valeur)
                traduite[colonne] = valeur
        for colonne, par_dossier in listes.items():
            traduite[colonne] = par_dossier.get(identifiant or "")
        if deduire_departement:
            code = valeurs.code_commune(traduite.get("code_commune")).valeur
            traduite["departement"] = communes["departement"].get(code) if code else None
        if code_postal:
            traduite["code_postal"] = postal
        lignes.append((numero, tuple(traduite.get(c) for c in colonnes)))
    intitules = {c: str(entete[i]) for c, i in positions.items()}
    if export.etablissements is not None:
        entete_etab = export.etablissements.lignes[0][1]
        intitules |= {c: f"{entete_etab[i]} (feuille {export.etablissements.nom})"
                      for c, i in depuis_etab.items()}
    if code_postal and "commune" in intitules:
        intitules["code_postal"] = intitules["commune"]
    return Feuille(feuille.fichier, feuille.nom, lignes, intitules)


def _signaler_listes_absentes(feuille: Feuille, numero_entete: int, manquantes: list[str],
                              listes: dict[str, dict[str, str]], export: ExportDS,
                              constats: Constats) -> None:
    """A list column (the places) found nowhere: each dossier is then its own place, and the
    places already laureate cannot be checked — said, never silent."""
    for colonne in manquantes:
        if colonne in listes:
            continue
        pourquoi = ("un export csv ne contient pas les blocs répétables : prenez l'export "
                    "xlsx" if not export.blocs and export.etablissements is None
                    else "ajoutez l'intitulé du champ dans la correspondance")
        constats.signaler(
            "lieux_non_lus",
            f"aucune colonne de l'export ne donne « {colonne} » : chaque dossier compte comme "
            f"son propre lieu, et les lieux déjà lauréats ne peuvent pas être reconnus "
            f"({pourquoi})", fichier=feuille.fichier, feuille=feuille.nom,
            ligne=numero_entete, colonne=colonne)


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
