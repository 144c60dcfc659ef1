"""The pieces of a wave as found in its files, before any cross-check (SPEC §3).

- the workbook form: one ``vague-NN.xlsx`` whose sheets are ``dossiers``, ``jury``,
  ``criteres``, ``deports``, ``conflits``, ``notes``, and any other sheet a juror's grid;
- the folder form: the registry of dossiers (``dossiers.xlsx`` or a démarches-simplifiées
  export, xlsx or csv), ``jury.xlsx``, one grid per juror in ``notes/`` (with its mark when
  ``fabriques repartir`` wrote it) and the assignment workbooks that wrote them.

What is missing or unreadable is a located finding; :mod:`lecture.vague` reads the pieces.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from commun.constats import Constats
from commun.fichiers import DOSSIER_NOTES, FICHIER_DOSSIERS, FICHIER_JURY
from lecture import valeurs
from lecture.conteneurs import Feuille, classeur_lu, lire_classeur, lire_csv
from lecture.export_ds import ExportDS, est_export_demarches, export_des_feuilles
from lecture.marque import Marque, empreinte_affectation, lire_marque, paires_affectation

_CLES_FEUILLES = ("dossiers", "jury", "criteres", "deports", "conflits", "notes")


def _par_cle(feuilles: dict[str, Feuille]) -> dict[str, Feuille]:
    return {valeurs.cle(nom): feuille for nom, feuille in feuilles.items()}


@dataclass(frozen=True)
class Grille:
    """A juror's grid as found: a sheet of the wave workbook (named by the juror) or a file of
    ``notes/`` (``origine``: its name without extension), with its mark when
    ``fabriques repartir`` wrote it (``desaccord``: why its two marks disagree)."""

    feuille: Feuille
    origine: str
    nom_feuille: str | None = None
    marque: Marque | None = None
    desaccord: str | None = None


@dataclass
class Morceaux:
    """The pieces of a wave as found in its files, before cross-checks."""

    dossiers: Feuille | None = None
    #: A démarches-simplifiées export, when the registry is one.
    export: ExportDS | None = None
    jury: Feuille | None = None
    criteres: Feuille | None = None
    deports: Feuille | None = None
    conflits: Feuille | None = None
    notes_longues: Feuille | None = None
    grilles: list[Grille] = field(default_factory=list)
    #: The assignments written by ``fabriques repartir`` found in the wave folder:
    #: fingerprint → (file name, (juror, dossier) pairs).
    affectations: dict[str, tuple[str, frozenset[tuple[str, str]]]] = field(
        default_factory=dict)
    sources: list[Path] = field(default_factory=list)
    lisible: bool = True  # False when the wave workbook itself could not be opened


def morceaux_classeur(chemin: Path, constats: Constats) -> Morceaux:
    """The pieces of a wave workbook: its named sheets, and every other sheet as a juror's
    grid."""
    morceaux = Morceaux(sources=[chemin])
    feuilles = lire_classeur(chemin, chemin.name, constats)
    if feuilles is None:
        morceaux.lisible = False
        return morceaux
    par_cle = _par_cle(feuilles)
    for cle_feuille in ("dossiers", "jury", "criteres"):
        if cle_feuille not in par_cle:
            constats.signaler("feuille_manquante", f"feuille « {cle_feuille} » absente",
                              fichier=chemin.name, feuille=cle_feuille)
    morceaux.dossiers = par_cle.get("dossiers")
    morceaux.jury = par_cle.get("jury")
    morceaux.criteres = par_cle.get("criteres")
    morceaux.deports = par_cle.get("deports")
    morceaux.conflits = par_cle.get("conflits")
    morceaux.notes_longues = par_cle.get("notes")
    for nom, feuille in feuilles.items():
        if valeurs.cle(nom) not in _CLES_FEUILLES:
            morceaux.grilles.append(Grille(feuille, chemin.name, nom_feuille=nom))
    return morceaux


def _registres(chemin: Path) -> list[Path]:
    """The dossier registries of a wave folder: ``dossiers.xlsx`` and every démarches-
    simplifiées export (xlsx or csv, recognised by its content whatever its name, an export
    saved as ``dossiers.xlsx`` included), the plain sheet first."""
    fichiers = sorted(p for p in chemin.iterdir()
                      if p.is_file() and p.suffix.lower() in {".csv", ".xlsx"}
                      and not p.name.startswith(("~$", ".")))
    exports = [p for p in fichiers if est_export_demarches(p)]
    simple = chemin / FICHIER_DOSSIERS
    return ([simple] if simple.is_file() and simple not in exports else []) + exports


def morceaux_dossier(chemin: Path, constats: Constats, avec_notes: bool) -> Morceaux:
    """The pieces of a wave folder: its registry, ``jury.xlsx`` and, ``avec_notes``, the
    grids of ``notes/`` and the assignment workbooks beside them."""
    morceaux = Morceaux()
    registres = _registres(chemin)
    if not registres:
        autres = sorted(p.name for p in chemin.iterdir() if p.is_file() and p.suffix.lower()
                        in {".ods", ".xls", ".xlsb", ".numbers"})
        constats.signaler(
            "fichier_manquant",
            "ni dossiers.xlsx ni export démarches-simplifiées (csv ou xlsx) dans le dossier"
            + (f" ; {', '.join(autres)} : format non lu, enregistrez-le au format .xlsx (ou "
               "téléchargez l'export xlsx de la plateforme)" if autres else ""),
            fichier=chemin.name,
        )
    elif len(registres) > 1:
        constats.signaler(
            "registres_multiples",
            f"{len(registres)} registres de dossiers dans la vague ("
            + ", ".join(p.name for p in registres) + ") : gardez-en un seul, l'autre "
            "pourrait être une version plus ancienne", fichier=chemin.name)
    if registres:
        registre = registres[0]
        morceaux.sources.append(registre)
        lecteur = lire_csv if registre.suffix.lower() == ".csv" else lire_classeur
        feuilles = lecteur(registre, registre.name, constats)
        if feuilles:
            morceaux.export = export_des_feuilles(feuilles)
            if morceaux.export is None:
                morceaux.dossiers = _par_cle(feuilles).get("dossiers") or next(
                    iter(feuilles.values()), None)
    fichier_jury = chemin / FICHIER_JURY
    morceaux.sources.append(fichier_jury)
    feuilles_jury = lire_classeur(fichier_jury, FICHIER_JURY, constats)
    if feuilles_jury is not None:
        par_cle = _par_cle(feuilles_jury)
        for cle_feuille in ("jury", "criteres"):
            if cle_feuille not in par_cle:
                constats.signaler("feuille_manquante", f"feuille « {cle_feuille} » absente",
                                  fichier=FICHIER_JURY, feuille=cle_feuille)
        morceaux.jury = par_cle.get("jury")
        morceaux.criteres = par_cle.get("criteres")
        morceaux.deports = par_cle.get("deports")
        morceaux.conflits = par_cle.get("conflits")
    if not avec_notes:
        return morceaux
    dossier_notes = chemin / DOSSIER_NOTES
    grilles = sorted(
        p for p in dossier_notes.glob("*.xlsx") if not p.name.startswith(("~$", "."))
    ) if dossier_notes.is_dir() else []
    if not grilles:
        constats.signaler("fichier_manquant", "aucune grille de juré dans le sous-dossier notes/",
                          fichier=f"{chemin.name}/{DOSSIER_NOTES}")
    for grille in grilles:
        affichage = f"{DOSSIER_NOTES}/{grille.name}"
        morceaux.sources.append(grille)
        feuilles = lire_classeur(grille, affichage, constats) or {}
        # The sheet « grille » of a grid written by ``fabriques repartir`` (beside its
        # instructions), else the first sheet.
        feuille = _par_cle(feuilles).get("grille") or next(iter(feuilles.values()), None)
        if feuille is not None:
            marque, desaccord = lire_marque(grille, feuilles)
            morceaux.grilles.append(Grille(feuille, grille.stem, marque=marque,
                                            desaccord=desaccord))
    morceaux.affectations = _affectations(chemin, registres, constats)
    return morceaux


def _affectations(chemin: Path, exclus: Sequence[Path], constats: Constats
                  ) -> dict[str, tuple[str, frozenset[tuple[str, str]]]]:
    """The assignment workbooks ``fabriques repartir`` wrote that lie in the wave folder
    (sheets ``affectation`` and ``parametres``), by fingerprint."""
    trouvees: dict[str, tuple[str, frozenset[tuple[str, str]]]] = {}
    for fichier in sorted(chemin.glob("*.xlsx")):
        if fichier in exclus or fichier.name.startswith(("~$", ".")) \
                or fichier.name == FICHIER_JURY:
            continue
        noms = _noms_des_feuilles(fichier)
        if noms is None:  # not a workbook this reader needs; others report it
            continue
        if {"affectation", "parametres"} <= noms:
            feuilles = lire_classeur(fichier, fichier.name, constats) or {}
            paires = paires_affectation(feuilles)
            if paires:
                trouvees[empreinte_affectation(paires)] = (fichier.name, paires)
    return trouvees


def _noms_des_feuilles(fichier: Path) -> set[str] | None:
    """A workbook's sheet names (folded), as the read that follows sees them (read once in
    :func:`lecture.vague.lire_vague`); openpyxl's when our reader cannot read it (it may
    still be an assignment, whose faults that read then says). None for a file neither can
    open."""
    try:
        lu = classeur_lu(fichier, fichier.name)
    except Exception:  # said by the read that follows, if any
        lu = None
    if lu is not None and lu.feuilles is not None:
        return {valeurs.cle(n) for n in lu.feuilles}
    try:
        import openpyxl

        classeur = openpyxl.load_workbook(fichier, read_only=True)
        noms = {valeurs.cle(n) for n in classeur.sheetnames}
        classeur.close()
    except Exception:
        return None
    return noms
