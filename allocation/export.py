"""The allocation workbook of SPEC §5: ``classement``, ``laureats``, ``parametres``."""

from __future__ import annotations

import platform
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from allocation.probleme import ProblemeVague
from allocation.solveur import Allocation
from fabriques import __version__
from scoring.classeur import ecrire_atomiquement, ecrire_table, workbook_bytes
from scoring.modele import Vague
from scoring.normalisation import ScoresVague

FORMATS = {"montant": '#,##0 "€"', "score": "0.00"}


def table_parametres(vague: Vague, scores: ScoresVague, probleme: ProblemeVague,
                     allocation: Allocation, sources: list[tuple[str, str]]) -> pd.DataFrame:
    """Everything needed to redo the decision."""
    lignes = [("vague", vague.nom), ("numero", str(probleme.regles.numero)),
              ("methode", scores.methode)]
    lignes += [(f"poids {c}", f"{p:g}") for c, p in scores.poids.items()]
    lignes += [(f"regle {k}", str(v)) for k, v in asdict(probleme.regles).items()]
    lignes += [(f"rythme {c}", f"{b.minimum} à {b.maximum} (rythme {b.rythme:.2f})")
               for c, b in probleme.bornes.items()]
    lignes += [("enveloppe de la vague", str(probleme.enveloppe_vague)),
               ("enveloppe restante du programme", str(probleme.enveloppe_restante))]
    lignes += [(f"imposé {d}", r) for d, r in probleme.forces.items()]
    lignes += [(f"écarté {d}", r) for d, r in probleme.exclus.items()]
    lignes += [(f"sha256 {nom}", empreinte) for nom, empreinte in sources]
    lignes += [("solveur", allocation.solveur), ("score total", f"{allocation.score_total:.6f}"),
               ("fabriques", __version__), ("python", platform.python_version()),
               ("pandas", pd.__version__),
               ("date", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))]
    return pd.DataFrame(lignes, columns=["parametre", "valeur"])


def ecrire_allocation(chemin: Path, classement: pd.DataFrame, parametres: pd.DataFrame) -> None:
    """Write the allocation workbook atomically."""
    classeur = Workbook()
    classeur.remove(classeur.active)  # type: ignore[arg-type]
    ecrire_table(classeur, "classement", classement, FORMATS)
    ecrire_table(classeur, "laureats", classement[classement["statut"] == "laureat"], FORMATS)
    ecrire_table(classeur, "parametres", parametres)
    ecrire_atomiquement(chemin, workbook_bytes(classeur))


COLONNES_PUBLIQUES = {"nom": "nom", "porteur": "porteur", "commune": "commune",
                      "departement": "departement", "label": "label", "montant": "montant"}


def ecrire_liste_publique(chemin: Path, dossiers: pd.DataFrame, laureats: tuple[str, ...]) -> None:
    """Laureates only, public fields only (FAQ 7.6–7.7): nothing about other candidates."""
    choisis = dossiers.loc[list(laureats)]
    label = choisis.apply(
        lambda d: "Fabrique numérique (QPV)" if d["qpv"] and d["numerique"]
        else ("QPV" if d["qpv"] else "hors QPV"), axis=1)
    table = choisis.assign(label=label)[["nom", "porteur", "commune", "departement", "label",
                                         "montant"]]
    table = table.sort_values(["departement", "nom"]).reset_index(drop=True)
    classeur = Workbook()
    classeur.remove(classeur.active)  # type: ignore[arg-type]
    ecrire_table(classeur, "laureats", table, {"montant": '#,##0 "€"'})
    ecrire_atomiquement(chemin, workbook_bytes(classeur))
