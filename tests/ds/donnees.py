"""The tests' démarches-simplifiées dossiers, made from a sample wave by the platform's own
rules (``sample_waves/plateforme_ds/``, read from the platform's code: PROVENANCE.md): each
plain row becomes the dossier the « Fabriques de Territoire » démarche would hold, served by
the local API, written as the platform's xlsx and csv exports, and written back as the plain
SPEC sheet the exports and the API must agree with. And the rest of a wave folder (jury,
grids, rules, history) with the sample's dossier ids replaced by the platform's numbers."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import pandas as pd

from commun.classeur import workbook_bytes
from sample_waves.plateforme_ds.api import descripteurs_annotations, noeud_api
from sample_waves.plateforme_ds.demarche import (
    DEMARCHE_FABRIQUES,
    dossier_depuis_ligne,
    table_plate,
)
from sample_waves.plateforme_ds.export import classeur_export, csv_export
from sample_waves.plateforme_ds.modele import DossierDS
from tests.ds.serveur import PlateformeDS

RACINE = Path(__file__).resolve().parents[2]
VAGUE_06 = RACINE / "sample_waves" / "vague-06"
PREMIER_NUMERO = 40001
#: The name the platform gives its download (procedure_export_service.rb, ``base_filename``).
NOM_EXPORT = "dossiers_fabriques-de-territoire_2026-11-02_10-00"


def dossiers_de_vague(vague: Path = VAGUE_06) -> tuple[list[DossierDS], dict[str, int]]:
    """The sample wave's dossiers as the platform holds them, and sample id → number."""
    lignes = pd.read_excel(vague / "dossiers.xlsx", sheet_name="dossiers", engine="calamine",
                           dtype=str)
    numeros = {str(i): PREMIER_NUMERO + k for k, i in enumerate(lignes["dossier"])}
    dossiers = [dossier_depuis_ligne(ligne, numeros[str(ligne["dossier"])])
                for ligne in lignes.to_dict("records")]
    return dossiers, numeros


def plateforme_de_vague(demarche: int, jeton: str, vague: Path = VAGUE_06
                        ) -> tuple[PlateformeDS, dict[str, int]]:
    """The platform holding the sample wave's dossiers, and sample id → dossier number."""
    dossiers, numeros = dossiers_de_vague(vague)
    plateforme = PlateformeDS(demarche, jeton)
    for dossier in dossiers:
        plateforme.dossiers[dossier.numero] = noeud_api(DEMARCHE_FABRIQUES, dossier)
    plateforme.annotations = descripteurs_annotations(DEMARCHE_FABRIQUES)
    plateforme.instructeurs = [{"id": "Instructeur-7", "email": "secretariat@anct.gouv.fr"}]
    return plateforme, numeros


def ecrire_export_xlsx(dossiers: Sequence[DossierDS], chemin: Path) -> Path:
    """The platform's xlsx export of ``dossiers`` at ``chemin``."""
    chemin.parent.mkdir(parents=True, exist_ok=True)
    chemin.write_bytes(workbook_bytes(classeur_export(DEMARCHE_FABRIQUES, dossiers)))
    return chemin


def ecrire_export_csv(dossiers: Sequence[DossierDS], chemin: Path) -> Path:
    """The platform's csv export of ``dossiers`` at ``chemin``."""
    chemin.parent.mkdir(parents=True, exist_ok=True)
    chemin.write_text(csv_export(DEMARCHE_FABRIQUES, dossiers), "utf-8")
    return chemin


def ecrire_feuille_simple(dossiers: Sequence[DossierDS], chemin: Path) -> Path:
    """The same dossiers in the SPEC's plain ``dossiers`` sheet."""
    chemin.parent.mkdir(parents=True, exist_ok=True)
    classeur = openpyxl.Workbook()
    feuille = classeur.active
    assert feuille is not None
    feuille.title = "dossiers"
    table = table_plate(dossiers)
    feuille.append(list(table.columns))
    for ligne in table.itertuples(index=False):
        feuille.append([None if pd.isna(v) else v for v in ligne])
    chemin.write_bytes(workbook_bytes(classeur))
    return chemin


def _remplacer_ids(source: Path, cible: Path, numeros: dict[str, int]) -> None:
    classeur = openpyxl.load_workbook(source)
    for feuille in classeur.worksheets:
        for ligne in feuille.iter_rows():
            for cellule in ligne:
                if isinstance(cellule.value, str) and cellule.value in numeros:
                    cellule.value = str(numeros[cellule.value])
    cible.parent.mkdir(parents=True, exist_ok=True)
    classeur.save(cible)


def completer_vague(dossier: Path, numeros: dict[str, int], vague: Path = VAGUE_06) -> None:
    """Put beside an imported ``dossiers.xlsx`` the sample wave's jury, grids, rules and
    history, with its dossier ids replaced by the platform's numbers."""
    _remplacer_ids(vague / "jury.xlsx", dossier / "jury.xlsx", numeros)
    for grille in sorted((vague / "notes").glob("*.xlsx")):
        _remplacer_ids(grille, dossier / "notes" / grille.name, numeros)
    shutil.copy(vague / "laureats.xlsx", dossier / "laureats.xlsx")
    shutil.copy(vague.parent / "programme.toml", dossier / "programme.toml")
