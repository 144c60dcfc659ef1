"""Reading a wave from the files the secretariat receives (SPEC §3).

Two forms, and one entry point, :func:`lire_vague`:

- a workbook ``vague-NN.xlsx`` with sheets ``dossiers``, ``jury``, ``criteres``,
  ``deports`` (optional), and the notes as a long sheet ``notes`` or one sheet per juror;
- a folder ``vague-NN/`` with ``dossiers.xlsx`` (or a démarches-simplifiées export, xlsx or
  csv), ``jury.xlsx`` (sheets ``jury``, ``criteres``, ``deports``) and ``notes/`` holding one
  workbook per juror, named by the juror id (``J03.xlsx``, or any name containing it).

Every problem becomes a located finding (:mod:`commun.constats`); nothing is raised. The
wave is returned only when there is no error. Here the pieces are assembled and checked
against each other: they are found by :mod:`lecture.morceaux`; the jury and the criteria are
:mod:`lecture.jury`'s, the déports and conflicts :mod:`lecture.deports`', the grids
:mod:`lecture.grilles`', the notes and their checks :mod:`lecture.notes`'; the workbooks are
read by :mod:`lecture.conteneurs`, each once.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd

from commun.constats import Constats
from commun.noms import probleme_de_nom
from commun.provenance import sha256_fichier
from lecture.conteneurs import Feuille, lecture_unique
from lecture.correspondance import CorrespondanceIllisible, charger_correspondance
from lecture.demarches import traduire_export
from lecture.deports import lire_conflits, lire_deports
from lecture.dossiers import COLONNES_DOSSIERS, REQUISES_DOSSIERS, lire_dossiers
from lecture.export_ds import ExportDS, est_export_demarches
from lecture.grilles import lire_grilles
from lecture.jury import lire_criteres, lire_jury
from lecture.modele import Critere, Jure, LectureVague, Source, Vague
from lecture.morceaux import morceaux_classeur, morceaux_dossier
from lecture.notes import NotesLues, lire_notes_longues, valider_notes
from lecture.tables import trouver_table

_NUMERO_VAGUE = re.compile(r"vague[\s_-]*0*(\d+)", re.IGNORECASE)


def nom_de_vague(chemin: Path) -> str:
    """A wave's name: its folder's name, or its workbook's without the extension (``.``
    and ``..`` are named after the folder they stand for)."""
    return Path(os.path.abspath(chemin)).stem


def numero_de_vague(nom: str) -> int | None:
    """The wave number written in a wave's name (``vague-06`` → 6), if any."""
    trouve = _NUMERO_VAGUE.search(nom)
    return int(trouve.group(1)) if trouve else None


def lire_vague(chemin: Path | str, correspondance: Path | None = None,
               avec_notes: bool = True) -> LectureVague:
    """Read and validate a wave (workbook or folder); never raises on bad input.

    ``correspondance`` is an optional mapping file for démarches-simplifiées exports
    (default: ``lecture/data/correspondance_ds.toml``). ``avec_notes=False`` reads a wave
    being prepared (dossiers, jury, criteria, déports and conflicts; no notes yet, none
    expected): what ``fabriques repartir`` assigns.
    """
    chemin = Path(chemin)
    constats = Constats()
    probleme = probleme_de_nom(nom_de_vague(chemin))
    if probleme is not None:
        constats.signaler("identifiant_invalide", f"nom de la vague : {probleme}",
                          fichier=str(chemin), valeur=nom_de_vague(chemin))
        return LectureVague(None, constats)
    try:
        with lecture_unique():  # each workbook read once, whoever asks for it
            return _lire_vague(chemin, correspondance, constats, avec_notes)
    except Exception as exc:  # a bug, not a bad file: still reported, never a traceback
        constats.signaler(
            "erreur_inattendue",
            f"erreur inattendue en lisant la vague ({type(exc).__name__} : {exc})",
            fichier=chemin.name,
        )
        return LectureVague(None, constats)


def _lire_vague(chemin: Path, correspondance: Path | None, constats: Constats,
                avec_notes: bool = True) -> LectureVague:
    if chemin.is_dir():
        morceaux = morceaux_dossier(chemin, constats, avec_notes)
    elif chemin.exists():
        morceaux = morceaux_classeur(chemin, constats)
    else:
        constats.signaler("fichier_introuvable", "vague introuvable (ni classeur ni dossier)",
                          fichier=str(chemin))
        return LectureVague(None, constats)

    dossiers = pd.DataFrame(columns=[*COLONNES_DOSSIERS[1:], "ligne", "fichier"])
    if morceaux.export is None and morceaux.dossiers is not None \
            and est_export_demarches(morceaux.dossiers):
        morceaux.export = ExportDS(morceaux.dossiers)
    if morceaux.export is not None or morceaux.dossiers is not None:
        erreurs_avant = len(constats.erreurs)
        feuille: Feuille | None
        if morceaux.export is not None:
            try:
                lue = charger_correspondance(correspondance)
            except CorrespondanceIllisible as erreur:  # said; the rest is still read
                constats.signaler("correspondance_illisible",
                                  f"colonne {erreur.colonne} : {erreur.message}"
                                  if erreur.colonne is not None else erreur.message,
                                  fichier=erreur.fichier, ligne=erreur.ligne)
                feuille = None
            else:
                feuille = traduire_export(morceaux.export, lue, constats)
        else:
            assert morceaux.dossiers is not None
            feuille = morceaux.dossiers
        table = None
        if feuille is not None and len(constats.erreurs) == erreurs_avant:
            table = trouver_table(feuille, REQUISES_DOSSIERS,
                                  [c for c in COLONNES_DOSSIERS if c not in REQUISES_DOSSIERS],
                                  constats, "dossier")
        if table is not None:
            dossiers = lire_dossiers(table, constats)

    jury: list[Jure] = []
    if morceaux.jury is not None:
        table = trouver_table(morceaux.jury, ["jure", "college"], ["nom", "departement", "qualite"],
                              constats, "jure")
        jury = lire_jury(table, constats) if table else []
    criteres: list[Critere] = []
    if morceaux.criteres is not None:
        table = trouver_table(morceaux.criteres, ["critere", "note_min", "note_max"],
                              ["libelle", "poids"], constats, "critere")
        criteres = lire_criteres(table, constats) if table else []
    ids_jures = [j.jure for j in jury]
    deports: dict[tuple[str, str], str] = {}
    if morceaux.deports is not None and morceaux.deports.lignes:
        table = trouver_table(morceaux.deports, ["jure", "dossier"], ["motif"], constats, "jure")
        if table is not None:
            deports = lire_deports(table, dossiers, set(ids_jures), constats)
    if morceaux.conflits is not None and morceaux.conflits.lignes:
        table = trouver_table(morceaux.conflits, ["jure"], ["dossier", "porteur", "commune",
                                                            "motif"], constats, "jure")
        if table is not None:
            deports |= lire_conflits(table, dossiers, set(ids_jures), constats)
    for jure in jury:
        if jure.departement:
            concernes = dossiers.index[dossiers["departement"] == jure.departement]
            for d in concernes:
                deports.setdefault((jure.jure, d), f"même département ({jure.departement})")
    if not avec_notes:
        morceaux.notes_longues, morceaux.grilles = None, []

    notes: list[NotesLues] = []
    if morceaux.notes_longues is not None:
        notes += lire_notes_longues(morceaux.notes_longues, criteres, constats)
    if criteres:
        notes += lire_grilles(morceaux, ids_jures, criteres, deports, constats)
    if (avec_notes and morceaux.lisible and morceaux.notes_longues is None
            and not morceaux.grilles and not chemin.is_dir()):  # a folder: said above
        constats.signaler("feuille_manquante",
                          "aucune note : ni feuille « notes » ni feuille par juré",
                          fichier=chemin.name)

    comptees, ecartees = valider_notes(notes, dossiers, jury, criteres, deports, constats)
    if avec_notes and morceaux.lisible and not constats.a_des_erreurs and comptees.empty:
        constats.signaler("aucune_note", "aucune note dans les grilles du jury : rien à noter "
                          "(les grilles sont-elles remplies ?)", fichier=chemin.name)
    sans_note = dossiers.index.difference(list(comptees["dossier"].unique()))
    # no note at all (the grids not back yet): said once, by the missing notes' finding
    for dossier in sans_note if avec_notes and not comptees.empty else ():
        constats.signaler(
            "dossier_sans_note", "aucun juré n'a noté ce dossier : il n'a pas de note",
            fichier=dossiers.loc[dossier, "fichier"], ligne=int(dossiers.loc[dossier, "ligne"]),
            valeur=dossier,
        )
    if constats.a_des_erreurs:
        return LectureVague(None, constats)
    # One canonical order at the boundary: nothing downstream — a mean, a tie, a sheet —
    # can depend on the order of the rows in the files.
    ordre_notes = ["dossier", "jure", "critere"]
    vague = Vague(
        nom=nom_de_vague(chemin),
        numero=numero_de_vague(nom_de_vague(chemin)),
        chemin=chemin,
        dossiers=dossiers.sort_index(kind="stable"),
        jury=tuple(sorted(jury, key=lambda j: j.jure)),
        criteres=tuple(criteres),
        deports=frozenset(deports),
        motifs_deports=dict(sorted(deports.items())),
        notes=comptees.sort_values(ordre_notes, kind="stable").reset_index(drop=True),
        notes_ecartees=ecartees.sort_values(ordre_notes, kind="stable").reset_index(drop=True),
        sources=tuple(Source(str(p), sha256_fichier(p)) for p in morceaux.sources if p.is_file()),
    )
    return LectureVague(vague, constats)
