"""A démarches-simplifiées export recognised by its content, whatever its file name: a header
with the dossier number (``ID``) and the platform's fixed columns, on sheet « Dossiers » (the
csv's only one), beside sheet « Etablissements » and the repetition blocks' sheets (xlsx)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from lecture import valeurs
from lecture.conteneurs import ClasseurLu, Feuille, classeur_lu, separateur_csv

#: The dossier number's header: « ID » in the default export, « N° dossier » in an export
#: made from an export template (config/locales/models/procedure_presentation/fr.yml).
_IDENTIFIANTS = {valeurs.cle(h) for h in ("ID", "N° dossier")}
#: Fixed columns of the default export and of an export template.
_FIXES = {valeurs.cle(h) for h in (
    "Email", "État du dossier", "Déposé le", "Dernière mise à jour le", "Adresse électronique",
    "Date de dépôt", "Date de création", "Date du dernier évènement",
    "Date de passage en instruction")}


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
    return bool(cles & _IDENTIFIANTS) and "dossier" not in cles and bool(cles & _FIXES)


def _fichier_est_export(chemin: Path) -> bool:
    try:
        if chemin.suffix.lower() == ".csv":
            with chemin.open("rb") as flux:
                debut = flux.read(16384).decode("utf-8-sig", errors="replace")
            premiere = next(iter(debut.splitlines()), "")
            champs = next(csv.reader(io.StringIO(premiere),
                                     delimiter=separateur_csv(premiere)), [])
            return _est_entete_d_export({valeurs.cle(c) for c in champs if c.strip()})
    except Exception:  # an unreadable file is not an export; the reader reports it
        return False
    try:
        entete = _premiere_ligne_des_dossiers(classeur_lu(chemin, chemin.name))
    except Exception:  # said by the reader when it reads the file; openpyxl decides
        entete = None
    if entete is not None:
        return _est_entete_d_export(entete)
    return _fichier_est_export_openpyxl(chemin)


def _premiere_ligne_des_dossiers(lu: ClasseurLu) -> set[str] | None:
    """The header keys of sheet « dossiers »'s first row (row 1 of the sheet), empty when
    there is no such sheet, from the workbook as :func:`~lecture.conteneurs.lire_classeur`
    read it (it is read anyway: once in a :func:`~lecture.conteneurs.lecture_unique` block).
    None when that read cannot tell what openpyxl would: the workbook is unreadable to it,
    holds formulas (openpyxl gives a formula's text, calamine its last value) or the sheet is
    cut at
    :data:`~lecture.conteneurs.COLONNES_MAX` columns."""
    if lu.feuilles is None or lu.formules:
        return None
    noms = {valeurs.cle(n): n for n in lu.feuilles}
    if "dossiers" not in noms:
        return set()
    if noms["dossiers"] in lu.larges:
        return None
    lignes = lu.feuilles[noms["dossiers"]].lignes
    entete = lignes[0][1] if lignes and lignes[0][0] == 1 else ()
    return {valeurs.cle(v) for v in entete if v is not None}


def _fichier_est_export_openpyxl(chemin: Path) -> bool:
    """The first row of sheet « dossiers » as openpyxl reads it: what decides a workbook
    :func:`~lecture.conteneurs.lire_classeur` cannot read, or cannot read as openpyxl does."""
    try:
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
