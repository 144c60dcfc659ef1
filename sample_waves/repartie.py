"""The sample wave whose assignment and grids were made by ``fabriques repartir``
(``vague-08/``), and whose notes the generator types into those very grids.

The sequence is the secretariat's: the wave's dossiers and jury (with a ``conflits`` sheet)
are written without notes; the application service assigns each eligible dossier to
:data:`LECTEURS` jurors and writes ``affectation.xlsx`` and one locked grid per juror; each
juror then fills their grid (the jurors' personalities of :mod:`sample_waves.jury`), one
of them answering ``conflit = oui`` on one dossier.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import load_workbook

from application.repartition import ResultatRepartition, ecrire_repartition, repartir_vague
from commun.classeur import workbook_bytes
from commun.ecriture import ecrire_atomiquement
from commun.provenance import logiciels_installes
from lecture.chargement import charger
from sample_waves.ecriture import ecrire_classeur, table_criteres, table_jury
from sample_waves.jury import tirer_commentaire
from sample_waves.programme import CRITERES, NOTE_MAX, NOTE_MIN
from sample_waves.territoire import Territoire
from sample_waves.vague import Vague, generer_vague

LECTEURS = 4
GRAINE_REPARTITION = 8
NOMBRE_DOSSIERS = 200
#: What the sample says instead of a date or a version (both change with the day it is made).
EXEMPLE = "vague d'exemple"
VERSION_NON_NOTEE = "non notée (vague d'exemple)"


def ecrire_preparation(vague: Vague, dossier: Path, conflits: pd.DataFrame) -> None:
    """A wave before its notes: ``dossiers.xlsx`` and ``jury.xlsx`` (with ``conflits``)."""
    ecrire_classeur(dossier / "dossiers.xlsx", [("dossiers", vague.dossiers)])
    ecrire_classeur(dossier / "jury.xlsx", [
        ("jury", table_jury(vague)), ("criteres", table_criteres()),
        ("deports", vague.deports), ("conflits", conflits)])


def remplir_grilles(dossier_notes: Path, vague: Vague, rng: np.random.Generator,
                    conflit: tuple[str, str] | None = None) -> None:
    """Type each juror's notes into their grid, as they would (whole points, the juror's
    bias, scale and noise around the dossier's true quality; a comment now and then);
    ``conflit`` = (juror, dossier) answered « oui » in the ``conflit`` column instead."""
    personnalites = {j.jure: j.personnalite for j in vague.jury}
    criteres = [c for c, _ in CRITERES]
    effets = {d: rng.normal(0.0, 0.9, len(criteres)) for d in sorted(vague.qualite.index)}
    for chemin in sorted(dossier_notes.glob("J*.xlsx")):
        jure = chemin.stem.split("-")[0]
        classeur = load_workbook(chemin)
        feuille = classeur["grille"]
        entetes = [c.value for c in feuille[1]]
        colonne = {nom: entetes.index(nom) + 1 for nom in entetes}
        p = personnalites[jure]
        for ligne in range(2, feuille.max_row + 1):
            dossier = str(feuille.cell(ligne, 1).value)
            if conflit == (jure, dossier):
                feuille.cell(ligne, colonne["conflit"]).value = "oui"
                continue
            vraies = vague.qualite[dossier] + effets[dossier]
            brutes = 6.0 + p.decalage + p.echelle * (vraies - 6.0) + rng.normal(0, p.bruit, 6)
            notes = np.clip(np.rint(brutes), NOTE_MIN, NOTE_MAX)
            for critere, note in zip(criteres, notes, strict=True):
                feuille.cell(ligne, colonne[critere]).value = int(note)
            commentaire = tirer_commentaire(rng, float(np.mean(notes)))
            if commentaire:
                feuille.cell(ligne, colonne["commentaire"]).value = commentaire
        ecrire_atomiquement(chemin, workbook_bytes(classeur))


def generer_vague_08(rng: np.random.Generator, territoire: Territoire,
                     lieux_laureats: Sequence[str], dossier: Path) -> ResultatRepartition:
    """Prepare, assign and fill ``vague-08`` under ``dossier`` (its history must already
    be there); the assignment made."""
    vague = generer_vague(rng, 8, NOMBRE_DOSSIERS, lieux_laureats, territoire,
                          planter_ineligibles=False)
    porteur = str(vague.dossiers.loc[7, "porteur"])
    conflits = pd.DataFrame([{"jure": "J04", "dossier": None, "porteur": porteur,
                              "commune": None, "motif": "ancien salarié du porteur"}])
    ecrire_preparation(vague, dossier, conflits)
    chargement = charger(dossier, avec_notes=False)
    resultat = repartir_vague(chargement, LECTEURS, GRAINE_REPARTITION)
    if isinstance(resultat, ResultatRepartition) and resultat.repartition.trouvee:
        # No date nor library version: the committed samples are exactly the generator's
        # output whatever the day and whatever release PyPI serves.
        provenance = replace(chargement.provenance(), date=EXEMPLE,
                             logiciels=tuple((nom, VERSION_NON_NOTEE)
                                             for nom, _ in logiciels_installes()))
        sans_version = replace(resultat, repartition=replace(resultat.repartition,
                                                             solveur="HiGHS"))
        ecrire_repartition(chargement, sans_version, dossier / "affectation.xlsx",
                           dossier / "notes", provenance)
    else:  # the sample is the project's own: a failure here is a bug
        raise RuntimeError(f"répartition de la vague d'exemple impossible : {resultat}")
    premiere = sorted(resultat.repartition.paires)[0]
    remplir_grilles(dossier / "notes", vague, rng, conflit=premiere)
    return resultat


def classeur_depuis_dossier(dossier: Path) -> bytes:
    """The one-workbook form of a folder wave (sheets ``dossiers``, ``jury``, ``criteres``,
    ``deports``, ``conflits``, then each juror's grid as a sheet named by the juror): the
    same wave for the workbook reader."""
    from openpyxl import Workbook

    sortie = Workbook()
    sortie.remove(sortie.worksheets[0])
    sources = [dossier / "dossiers.xlsx", dossier / "jury.xlsx",
               *sorted((dossier / "notes").glob("*.xlsx"))]
    for chemin in sources:
        classeur = load_workbook(io.BytesIO(chemin.read_bytes()))
        feuilles = ([classeur["grille"]] if "grille" in classeur.sheetnames
                    else classeur.worksheets)
        for feuille in feuilles:
            titre = chemin.stem if feuille.title == "grille" else feuille.title
            copie = sortie.create_sheet(titre)
            for ligne in feuille.iter_rows(values_only=True):
                copie.append(list(ligne))
    return workbook_bytes(sortie)
