"""The workbook written by ``fabriques score``: scores, ranking, jurors, agreement, findings."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from commun import parametres as schema
from commun.chaine import Ancre
from commun.classeur import ecrire_table, workbook_bytes
from commun.constats import CODES, Constats
from commun.provenance import Provenance
from lecture.modele import Vague
from lecture.revisions import Revision
from notation.diagnostics import FORMATS_JURY, diagnostic_jures, fiabilite_par_libelle
from notation.incertitude import (
    FORMATS_INCERTITUDE,
    ecarts_types,
    table_incertitude,
    tirer_scores,
)
from notation.normalisation import ScoresVague, modele_jures


def table_scores(vague: Vague, scores: ScoresVague) -> pd.DataFrame:
    """One row per dossier, best first: identity, criterion scores, score, rank."""
    classement = scores.classement()
    identite = vague.dossiers.loc[classement.index, ["nom", "departement", "qpv", "numerique"]]
    table = pd.concat([identite, classement], axis=1).reset_index()
    return table.rename(columns={"index": "dossier"})


def table_constats(constats: Constats) -> pd.DataFrame:
    """Every finding, one row each, with its location: its kind in words (the code's
    title), not its code."""
    return pd.DataFrame(
        [
            {"gravite": c.gravite.value, "constat": CODES[c.code].titre if c.code in CODES
             else c.code, "fichier": c.fichier,
             "feuille": c.feuille, "ligne": c.ligne, "colonne": c.colonne,
             "valeur": None if c.valeur is None else str(c.valeur), "message": c.message}
            for c in constats
        ],
        columns=["gravite", "constat", "fichier", "feuille", "ligne", "colonne", "valeur",
                 "message"],
    )


def lignes_de_seance(revisions: Sequence[Revision] = (), ancre: Ancre | None = None
                     ) -> list[tuple[str, str]]:
    """The rows of sheet ``parametres`` that say which meeting a workbook was computed
    from: the notes revised in it and the journal's last entry (every workbook has them)."""
    lignes = [schema.NOTE_REVISEE.ecrire(r.changement, r.sujet) for r in revisions]
    if ancre:
        lignes += [schema.JOURNAL.ecrire(ancre.empreinte),
                   schema.JOURNAL_ENTREES.ecrire(ancre.entrees)]
    return lignes


def rapport_scores(vague: Vague, scores: ScoresVague, constats: Constats,
                   revisions: Sequence[Revision] = (), ancre: Ancre | None = None) -> bytes:
    """The scoring workbook (``vague`` with the meeting's revised notes in place,
    ``revisions`` and the journal's ``ancre`` recorded in ``parametres``)."""
    classeur = Workbook()
    classeur.remove(classeur.active)  # type: ignore[arg-type]
    deux_decimales = {c: "0.00" for c in [*vague.ids_criteres, "score"]}
    ecrire_table(classeur, "notes_dossiers", table_scores(vague, scores), deux_decimales)
    ecrire_table(classeur, "jures", diagnostic_jures(vague), FORMATS_JURY)
    ecarts = ecarts_types(modele_jures(vague), scores.poids, scores.score.index)
    incertaines = table_incertitude(scores.score, ecarts, tirer_scores(scores.score, ecarts))
    ecrire_table(classeur, "incertitude",
                 incertaines.sort_values(["score", "dossier"], ascending=[False, True],
                                         na_position="last"), FORMATS_INCERTITUDE)
    ecrire_table(classeur, "fiabilite", fiabilite_par_libelle(vague).round(4))
    ecrire_table(classeur, "constats", table_constats(constats))
    if not scores.biais.empty:
        ecrire_table(classeur, "biais_jures",
                     scores.biais.rename_axis("jure").reset_index().round(4))
    provenance = Provenance(vague.nom, tuple((Path(s.chemin).name, s.sha256)
                                             for s in vague.sources))
    lignes = [
        *provenance.lignes(),
        *scores.lignes_parametres(),
        *[schema.AVERTISSEMENT.ecrire(a) for a in scores.avertissements],
        *lignes_de_seance(revisions, ancre),
    ]
    ecrire_table(classeur, "parametres", pd.DataFrame(lignes, columns=["parametre", "valeur"]))
    return workbook_bytes(classeur)
