"""The names of the files the tool finds by name — one place, for the readers that look
for them and for the writers that must never put another file in their place."""

from __future__ import annotations

import re
from pathlib import Path

#: A wave folder's plain registry of dossiers (démarches-simplifiées exports are
#: recognised by their content, whatever their name).
FICHIER_DOSSIERS = "dossiers.xlsx"
#: A wave folder's jury, criteria, déports and conflicts.
FICHIER_JURY = "jury.xlsx"
#: The jurors' grids of a wave folder, one workbook per juror.
DOSSIER_NOTES = "notes"
#: The programme's rules, in the wave folder or beside the wave.
FICHIER_PROGRAMME = "programme.toml"
#: The history of the laureates, in the wave folder or beside the wave.
FICHIER_HISTORIQUE = "laureats.xlsx"
#: The meeting's journal of a wave.
FICHIER_JOURNAL = "journal.jsonl"

#: The lock of a folder (a wave's state: its journal, its intentions).
FICHIER_VERROU = ".fabriques.verrou"
#: The intention of the set being written in a folder (at most one: under the lock), and
#: the temporary files of one being written.
FICHIER_INTENTION = ".fabriques-ecriture.json"

#: The files a run reads by their name alone, and what it reads them as.
NOMS_LUS = {FICHIER_DOSSIERS: "le registre des dossiers d'une vague",
            FICHIER_JURY: "la composition du jury d'une vague",
            FICHIER_PROGRAMME: "les règles du programme",
            FICHIER_HISTORIQUE: "l'historique des lauréats",
            FICHIER_JOURNAL: "le journal d'une séance"}
#: The copies of a history ``record`` keeps (:func:`nom_de_sauvegarde`).
_SAUVEGARDE = re.compile(r".+\.avant-vague-\d+(-\d+)?\.xlsx", re.IGNORECASE)


def nom_de_sauvegarde(historique: Path, numero: int) -> Path:
    """Where ``record`` keeps ``historique`` before recording wave ``numero``
    (``laureats.avant-vague-06.xlsx``, then ``-2``, ``-3``…): never an existing file."""
    base = f"{historique.stem}.avant-vague-{numero:02d}"
    candidat, rang = historique.with_name(f"{base}{historique.suffix}"), 1
    while candidat.exists():
        rang += 1
        candidat = historique.with_name(f"{base}-{rang}{historique.suffix}")
    return candidat


def role_reserve(chemin: Path) -> str | None:
    """What the tool would take ``chemin`` for if an output were written there, said to
    follow « l'outil lirait ce fichier comme … »: an input it reads by name, a grid of the
    jury (any file in a wave's ``notes/``), the history's backup; None for a free name. The
    comparison ignores case (Windows and macOS disks do)."""
    nom = chemin.name.casefold()
    role = next((r for n, r in NOMS_LUS.items() if n.casefold() == nom), None)
    if role is not None:
        return role
    if nom in (FICHIER_VERROU, FICHIER_INTENTION):
        return "un fichier de travail de l'outil (verrou, écriture en cours)"
    if _SAUVEGARDE.fullmatch(chemin.name):
        return "la copie de l'historique gardée par « fabriques record »"
    if chemin.parent.name.casefold() == DOSSIER_NOTES and (
            (chemin.parent.parent / FICHIER_JURY).exists()
            or (chemin.parent.parent / FICHIER_DOSSIERS).exists()):
        return f"une grille de juré (dossier « {DOSSIER_NOTES} » d'une vague)"
    return None
