"""The allocation workbook of SPEC §5: ``classement``, ``laureats``, ``parametres``."""

from __future__ import annotations

import platform
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from allocation.decision import (
    Decision,
    classement,
    table_departements,
    table_explications,
    table_liste_complementaire,
)
from allocation.probleme import ProblemeVague
from allocation.solveur import Allocation
from fabriques import __version__
from scoring.classeur import ecrire_atomiquement, ecrire_table, workbook_bytes
from scoring.modele import Vague
from scoring.normalisation import ScoresVague

FORMATS = {"montant": '#,##0 "€"', "score": "0.00"}


#: Row of sheet ``parametres`` holding the SHA-256 of the history the decision was taken on
#: ("aucun" for a first wave); ``fabriques record`` refuses a history that has changed since.
EMPREINTE_HISTORIQUE = "sha256 historique"


def table_parametres(vague: Vague, scores: ScoresVague, probleme: ProblemeVague,
                     allocation: Allocation, sources: list[tuple[str, str]],
                     empreinte_historique: str = "aucun") -> pd.DataFrame:
    """Everything needed to redo the decision."""
    lignes = [("vague", vague.nom), ("numero", str(probleme.regles.numero)),
              ("methode", scores.methode)]
    lignes += [(f"poids {c}", f"{p:g}") for c, p in scores.poids.items()]
    lignes += [(f"regle {k}", str(v)) for k, v in asdict(probleme.regles).items()
               if k != "objectifs"]
    lignes += [(f"objectif {k}", str(v))
               for k, v in asdict(probleme.regles.objectifs).items()]
    lignes += [(EMPREINTE_HISTORIQUE, empreinte_historique)]
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


def ecrire_allocation(chemin: Path, decision: Decision, parametres: pd.DataFrame) -> None:
    """Write the allocation workbook atomically: classement, laureats, liste_complementaire,
    explications, departements, parametres."""
    table = classement(decision)
    formats = {**FORMATS, "montant_accorde": FORMATS["montant"],
               "cout_pour_le_retenir": "0.00", "part_equitable": "0.00"}
    classeur = Workbook()
    classeur.remove(classeur.active)  # type: ignore[arg-type]
    ecrire_table(classeur, "classement", table, formats)
    ecrire_table(classeur, "laureats", table[table["statut"] == "laureat"], formats)
    ecrire_table(classeur, "liste_complementaire", table_liste_complementaire(decision), formats)
    ecrire_table(classeur, "explications", table_explications(decision), formats)
    ecrire_table(classeur, "departements", table_departements(decision), formats)
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
