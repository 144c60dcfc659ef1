"""Reading a wave from the files the secretariat receives (SPEC §3).

Two forms, and one entry point, :func:`lire_vague`:

- a workbook ``vague-NN.xlsx`` with sheets ``dossiers``, ``jury``, ``criteres``,
  ``deports`` (optional), and the notes as a long sheet ``notes`` or one sheet per juror;
- a folder ``vague-NN/`` with ``dossiers.xlsx`` (or a démarches-simplifiées export, xlsx or
  csv), ``jury.xlsx`` (sheets ``jury``, ``criteres``, ``deports``) and ``notes/`` holding one
  workbook per juror, named by the juror id (``J03.xlsx``, or any name containing it).

Every problem becomes a located finding (:mod:`commun.constats`); nothing is raised. The
wave is returned only when there is no error. The notes and their checks are
:mod:`lecture.notes`'; the workbooks are read by :mod:`lecture.conteneurs`, each once.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from commun.constats import Constats
from commun.ecriture import probleme_de_nom, sha256_fichier
from commun.fichiers import DOSSIER_NOTES, FICHIER_DOSSIERS, FICHIER_JURY
from commun.francais import valeur_en_clair
from lecture import referentiel, valeurs
from lecture.conteneurs import Feuille, classeur_lu, lecture_unique, lire_classeur, lire_csv
from lecture.demarches import (
    CorrespondanceIllisible,
    ExportDS,
    charger_correspondance,
    est_export_demarches,
    export_des_feuilles,
    traduire_export,
)
from lecture.dossiers import COLONNES_DOSSIERS, REQUISES_DOSSIERS, lire_dossiers
from lecture.marque import Marque, empreinte_affectation, lire_marque, paires_affectation
from lecture.modele import (
    COLLEGES_FAQ_3_2,
    CRITERES_FAQ_3_3,
    SIEGES_FAQ_3_2,
    Critere,
    Jure,
    LectureVague,
    Source,
    Vague,
)
from lecture.notes import NotesLues, lire_grille, lire_notes_longues, resolveur, valider_notes
from lecture.tables import Table, trouver_table

_CLES_FEUILLES = ("dossiers", "jury", "criteres", "deports", "conflits", "notes")
_NUMERO_VAGUE = re.compile(r"vague[\s_-]*0*(\d+)", re.IGNORECASE)
_COLLEGES = {
    "administration": "administration",
    "cntl": "cntl",
    "conseilnationaldestierslieux": "cntl",
    "francetierslieux": "cntl",
    "chercheur": "chercheur",
    "chercheurs": "chercheur",
    "personnequalifiee": "chercheur",
    "laureat": "laureat",
    "laureats": "laureat",
}
# --------------------------------------------------------------------------- jury, criteria


def lire_jury(table: Table, constats: Constats) -> list[Jure]:
    """The ``jury`` sheet; warns when the composition differs from FAQ 3.2."""
    jury: list[Jure] = []
    for numero, ligne, identifiant in table.par_identifiant("jure", "juré", "jure_en_double",
                                                            constats):
        brut_college = table.valeur(ligne, "college")
        college = _COLLEGES.get(valeurs.cle(brut_college or ""))
        if college is None:
            constats.signaler(
                "college_inconnu",
                "collège attendu : administration, cntl, chercheur ou laureat",
                **table.lieu(numero, "college", brut_college),
            )
        departement = None
        brut_dep = table.valeur(ligne, "departement")
        if not valeurs.est_vide(brut_dep):
            lu = valeurs.code_departement(brut_dep)
            if not lu.ok or lu.valeur not in referentiel.departements().index:
                constats.signaler("departement_inconnu", "département inconnu",
                                  **table.lieu(numero, "departement", brut_dep))
            else:
                departement = lu.valeur
                if lu.repare:
                    constats.signaler("departement_repare", str(lu.repare),
                                      **table.lieu(numero, "departement", brut_dep))
        nom = valeurs.texte(table.valeur(ligne, "nom")) or identifiant
        jury.append(Jure(identifiant, nom, college or "", departement,
                         valeurs.texte(table.valeur(ligne, "qualite"))))
    composition = {c: sum(j.college == c for j in jury) for c in COLLEGES_FAQ_3_2}
    if jury and (composition != COLLEGES_FAQ_3_2 or len(jury) != 10):
        attendu = ", ".join(f"{n} {c}" for c, n in COLLEGES_FAQ_3_2.items())
        obtenu = ", ".join(f"{n} {c}" for c, n in composition.items())
        constats.signaler(
            "composition_jury",
            f"composition du jury différente de la FAQ 3.2 (attendu : {attendu} ; "
            f"lu : {obtenu}, {len(jury)} membres)",
            fichier=table.feuille.fichier, feuille=table.feuille.nom,
        )
    if jury and "qualite" in table.colonnes:
        _verifier_sieges(jury, table, constats)
    return jury


def _verifier_sieges(jury: list[Jure], table: Table, constats: Constats) -> None:
    """FAQ 3.2's named seats, read from the optional ``qualite`` column: one France
    Tiers-Lieux member among the CNTL, one collectivité among the laureates."""
    for college, mots, libelle in SIEGES_FAQ_3_2:
        if not any(j.college == college and mots.replace(" ", "") in valeurs.cle(j.qualite or "")
                   for j in jury):
            constats.signaler(
                "composition_jury", f"aucun membre ne représente {libelle} (FAQ 3.2) : "
                "vérifiez la colonne qualite", fichier=table.feuille.fichier,
                feuille=table.feuille.nom, colonne="qualite")


def _verifier_grille(criteres: list[Critere], table: Table, constats: Constats) -> None:
    """The grid of FAQ 3.3 is six criteria with equal weights: any other grid is allowed,
    and said."""
    attendus = [c for c, _ in CRITERES_FAQ_3_3]
    lus = [valeurs.cle(c.critere) for c in criteres]
    ecarts = []
    if sorted(lus) != sorted(valeurs.cle(c) for c in attendus):
        # criteria quoted as the jury's workbook spells them: the grids' columns
        ecarts.append(f"{len(criteres)} critère(s) ("
                      + ", ".join(f"« {c.critere} »" for c in criteres)
                      + ") au lieu des six de la FAQ 3.3 ("
                      + ", ".join(f"« {c} »" for c in attendus) + ")")
    if len({c.poids for c in criteres}) > 1:
        ecarts.append("poids inégaux (" + ", ".join(f"« {c.critere} » {valeur_en_clair(c.poids)}"
                                                    for c in criteres) + ")")
    if ecarts:
        constats.signaler("grille_inhabituelle", "grille différente de la FAQ 3.3 : "
                          + " ; ".join(ecarts) + ". C'est permis, mais à justifier.",
                          fichier=table.feuille.fichier, feuille=table.feuille.nom)


def lire_criteres(table: Table, constats: Constats) -> list[Critere]:
    """The ``criteres`` sheet: weights (default 1) and the bounds of the notes."""
    criteres: list[Critere] = []
    vus: set[str] = set()
    for numero, ligne in table.lignes:
        identifiant = valeurs.texte(table.valeur(ligne, "critere"))
        if identifiant is None:
            constats.signaler("identifiant_manquant", "ligne sans identifiant de critère",
                              **table.lieu(numero, "critere"))
            continue
        if valeurs.cle(identifiant) in vus:
            constats.signaler("critere_en_double", "critère déjà déclaré",
                              **table.lieu(numero, "critere", identifiant))
            continue
        vus.add(valeurs.cle(identifiant))
        nombres: dict[str, float | None] = {}
        for colonne, defaut in (("poids", 1.0), ("note_min", None), ("note_max", None)):
            brut = table.valeur(ligne, colonne)
            lu = valeurs.nombre(brut)
            if not lu.ok or (lu.valeur is None and defaut is None):
                constats.signaler("nombre_invalide", "nombre attendu",
                                  **table.lieu(numero, colonne, brut))
            nombres[colonne] = lu.valeur if lu.valeur is not None else defaut
        poids, bas, haut = nombres["poids"], nombres["note_min"], nombres["note_max"]
        if poids is not None and poids < 0:
            constats.signaler("poids_invalide", "un poids ne peut pas être négatif",
                              **table.lieu(numero, "poids", poids))
        if bas is not None and haut is not None and bas >= haut:
            constats.signaler("bornes_invalides", "note_min doit être inférieure à note_max",
                              **table.lieu(numero, "note_max", haut))
        libelle = valeurs.texte(table.valeur(ligne, "libelle")) or identifiant
        criteres.append(Critere(identifiant, libelle, poids or 0.0, bas or 0.0, haut or 0.0))
    if criteres and sum(c.poids for c in criteres) <= 0:
        constats.signaler("poids_invalide", "la somme des poids doit être positive",
                          fichier=table.feuille.fichier, feuille=table.feuille.nom)
    if criteres:
        _verifier_grille(criteres, table, constats)
    return criteres


def lire_deports(
    table: Table, dossiers: pd.DataFrame, jures: set[str], constats: Constats
) -> dict[tuple[str, str], str]:
    """Explicit conflicts of interest: (juror, dossier) pairs and why (the optional
    ``motif`` column, else « déport déclaré »)."""
    paires: dict[tuple[str, str], str] = {}
    dossier_de, jure_de = resolveur(set(dossiers.index), constats), resolveur(jures, constats)
    for numero, ligne in table.lignes:
        jure = valeurs.texte(table.valeur(ligne, "jure"))
        dossier = valeurs.texte(table.valeur(ligne, "dossier"))
        if jure:
            jure = jure_de(jure, table.lieu(numero, "jure"), "juré")
        if dossier:
            dossier = dossier_de(dossier, table.lieu(numero, "dossier"), "dossier")
        if jure not in jures:
            constats.signaler("jure_inconnu", "juré absent de la feuille jury",
                              **table.lieu(numero, "jure", jure))
        if dossier not in dossiers.index:
            constats.signaler("dossier_inconnu", "dossier absent de la feuille dossiers",
                              **table.lieu(numero, "dossier", dossier))
        if jure and dossier:
            paires[(jure, dossier)] = (valeurs.texte(table.valeur(ligne, "motif"))
                                       or "déport déclaré")
    return paires


def lire_conflits(
    table: Table, dossiers: pd.DataFrame, jures: set[str], constats: Constats
) -> dict[tuple[str, str], str]:
    """Declared conflicts of interest (sheet ``conflits``: ``jure`` and a ``dossier``, a
    ``porteur`` or a ``commune``, optional ``motif``), as the (juror, dossier) pairs they
    make déported: every dossier of that porteur (name folded) or of that commune (name or
    INSEE code); why is the ``motif``, else what the conflict names."""
    par_porteur: dict[str, list[str]] = {}
    par_commune: dict[str, list[str]] = {}
    for identifiant, porteur, commune, code in zip(
            dossiers.index, dossiers["porteur"], dossiers["commune"], dossiers["code_commune"],
            strict=True):
        if porteur:
            par_porteur.setdefault(valeurs.cle(porteur), []).append(identifiant)
        for nom in {valeurs.cle(commune) if commune else "", code or ""} - {""}:
            par_commune.setdefault(nom, []).append(identifiant)
    paires: dict[tuple[str, str], str] = {}
    dossier_de = resolveur(set(dossiers.index), constats)
    for numero, ligne in table.lignes:
        jure = valeurs.texte(table.valeur(ligne, "jure"))
        cibles = {colonne: valeurs.texte(table.valeur(ligne, colonne))
                  for colonne in ("dossier", "porteur", "commune")}
        if jure is None and not any(cibles.values()):
            continue
        if jure not in jures:
            constats.signaler("jure_inconnu", "juré absent de la feuille jury",
                              **table.lieu(numero, "jure", jure))
            continue
        if not any(cibles.values()):
            constats.signaler("conflit_incomplet",
                              "conflit sans dossier, porteur ni commune : il ne peut être appliqué",
                              **table.lieu(numero, "jure", jure))
            continue
        concernes: set[str] = set()
        if cibles["dossier"]:
            cibles["dossier"] = dossier_de(cibles["dossier"], table.lieu(numero, "dossier"),
                                           "dossier")
            if cibles["dossier"] in dossiers.index:
                concernes.add(cibles["dossier"])
            else:
                constats.signaler("dossier_inconnu", "dossier absent de la feuille dossiers",
                                  **table.lieu(numero, "dossier", cibles["dossier"]))
        if cibles["porteur"]:
            concernes.update(par_porteur.get(valeurs.cle(cibles["porteur"]), ()))
        if cibles["commune"]:
            commune = cibles["commune"]
            concernes.update(par_commune.get(commune, par_commune.get(valeurs.cle(commune), ())))
        if not concernes and (cibles["porteur"] or cibles["commune"]):
            colonne = "porteur" if cibles["porteur"] else "commune"
            constats.signaler("conflit_sans_effet",
                              f"aucun dossier de la vague n'a ce {colonne} : le conflit de "
                              f"{jure} ne déporte personne",
                              **table.lieu(numero, colonne, cibles[colonne]))
        motif = valeurs.texte(table.valeur(ligne, "motif")) or "conflit déclaré (" + ", ".join(
            f"{c} {v}" for c, v in cibles.items() if v) + ")"
        paires.update(((jure, d), motif) for d in concernes)
    return paires


# --------------------------------------------------------------------------- assembling


def nom_de_vague(chemin: Path) -> str:
    """A wave's name: its folder's name, or its workbook's without the extension (``.``
    and ``..`` are named after the folder they stand for)."""
    return Path(os.path.abspath(chemin)).stem


def numero_de_vague(nom: str) -> int | None:
    """The wave number written in a wave's name (``vague-06`` → 6), if any."""
    trouve = _NUMERO_VAGUE.search(nom)
    return int(trouve.group(1)) if trouve else None


def _par_cle(feuilles: dict[str, Feuille]) -> dict[str, Feuille]:
    return {valeurs.cle(nom): feuille for nom, feuille in feuilles.items()}


@dataclass(frozen=True)
class _Grille:
    """A juror's grid as found: a sheet of the wave workbook (named by the juror) or a file of
    ``notes/`` (``origine``: its name without extension), with its mark when
    ``fabriques repartir`` wrote it (``desaccord``: why its two marks disagree)."""

    feuille: Feuille
    origine: str
    nom_feuille: str | None = None
    marque: Marque | None = None
    desaccord: str | None = None


@dataclass
class _Morceaux:
    """The pieces of a wave as found in its files, before cross-checks."""

    dossiers: Feuille | None = None
    #: A démarches-simplifiées export, when the registry is one.
    export: ExportDS | None = None
    jury: Feuille | None = None
    criteres: Feuille | None = None
    deports: Feuille | None = None
    conflits: Feuille | None = None
    notes_longues: Feuille | None = None
    grilles: list[_Grille] = field(default_factory=list)
    #: The assignments written by ``fabriques repartir`` found in the wave folder:
    #: fingerprint → (file name, (juror, dossier) pairs).
    affectations: dict[str, tuple[str, frozenset[tuple[str, str]]]] = field(
        default_factory=dict)
    sources: list[Path] = field(default_factory=list)
    lisible: bool = True  # False when the wave workbook itself could not be opened


def _morceaux_classeur(chemin: Path, constats: Constats) -> _Morceaux:
    morceaux = _Morceaux(sources=[chemin])
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
            morceaux.grilles.append(_Grille(feuille, chemin.name, nom_feuille=nom))
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


def _morceaux_dossier(chemin: Path, constats: Constats, avec_notes: bool) -> _Morceaux:
    morceaux = _Morceaux()
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
            morceaux.grilles.append(_Grille(feuille, grille.stem, marque=marque,
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
    :func:`lire_vague`); openpyxl's when our reader cannot read it (it may still be an
    assignment, whose faults that read then says). None for a file neither can open."""
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


def _jure_de_fichier(nom_fichier: str, jures: Sequence[str]) -> str | None:
    """The juror a grid file belongs to: its name, or the one juror id it contains."""
    cle_fichier = valeurs.cle(nom_fichier)
    exacts = [j for j in jures if valeurs.cle(j) == cle_fichier]
    if exacts:
        return exacts[0]
    jetons = {valeurs.cle(t) for t in re.split(r"[\s_\-.]+", nom_fichier)}
    contenus = [j for j in jures if valeurs.cle(j) in jetons]
    return contenus[0] if len(contenus) == 1 else None


def _jures_des_grilles(morceaux: _Morceaux, ids_jures: Sequence[str], constats: Constats
                       ) -> list[tuple[str, _Grille, frozenset[str] | None]]:
    """Whose each grid is — its mark when ``fabriques repartir`` wrote it, else its file or
    sheet name — and the dossiers that juror was assigned (None without an assignment in
    the wave). A grid whose mark and name name two jurors, or that comes from another
    assignment, is an error and is not read."""
    affectations = morceaux.affectations
    attribuees = []
    for grille in morceaux.grilles:
        fichier = grille.feuille.fichier
        par_nom = _jure_de_fichier(grille.nom_feuille or grille.origine, ids_jures)
        if grille.desaccord:
            constats.signaler("grille_marque_incoherente", f"grille illisible comme telle : "
                              f"{grille.desaccord}", fichier=fichier)
            continue
        marque = grille.marque
        if marque is None:
            if par_nom is None:
                if grille.nom_feuille is not None:
                    constats.signaler(
                        "feuille_ignoree",
                        "feuille ignorée : son nom n'est ni une feuille attendue ni un juré",
                        fichier=fichier, feuille=grille.feuille.nom)
                else:
                    constats.signaler(
                        "jure_inconnu",
                        "grille dont le nom de fichier ne désigne aucun juré de la feuille jury",
                        fichier=fichier)
                continue
            assignes = frozenset(d for paires in (a[1] for a in affectations.values())
                                 for j, d in paires if j == par_nom) if affectations else None
            attribuees.append((par_nom, grille, assignes))
            continue
        if marque.jure not in ids_jures:
            constats.signaler("jure_inconnu", f"grille écrite pour le juré {marque.jure}, "
                              "absent de la feuille jury", fichier=fichier, valeur=marque.jure)
            continue
        if par_nom is not None and par_nom != marque.jure:
            constats.signaler(
                "grille_mal_rangee",
                f"ce fichier porte le nom du juré {par_nom}, mais c'est la grille du juré "
                f"{marque.jure} (marquée par fabriques repartir) : ses notes ne sont pas "
                f"lues ; rangez la grille de {marque.jure} sous {marque.jure}.xlsx et celle "
                f"de {par_nom} sous {par_nom}.xlsx", fichier=fichier, valeur=marque.jure)
            continue
        assignes = None
        if affectations:
            trouvee = affectations.get(marque.empreinte)
            if trouvee is None:
                constats.signaler(
                    "grille_autre_affectation",
                    f"cette grille du juré {marque.jure} vient d'une autre répartition que "
                    f"celle de la vague ({', '.join(n for n, _ in affectations.values())}) : "
                    "ses notes ne sont pas lues ; placez dans la vague le classeur "
                    "d'affectation qui l'a écrite, ou renvoyez au juré la bonne grille",
                    fichier=fichier, valeur=marque.empreinte[:12])
                continue
            assignes = frozenset(d for j, d in trouvee[1] if j == marque.jure)
        attribuees.append((marque.jure, grille, assignes))
    return attribuees


def _lire_grilles(morceaux: _Morceaux, ids_jures: Sequence[str], criteres: Sequence[Critere],
                  deports: dict[tuple[str, str], str], constats: Constats) -> list[NotesLues]:
    """Every juror's notes from their grids. Two grids of one juror that note the same
    dossiers (a second copy of a file) are one error naming both files, not a finding per
    note; a juror the assignment gives dossiers to who sent no grid is said."""
    attribuees = _jures_des_grilles(morceaux, ids_jures, constats)
    # the file named exactly after its juror first: a copy « J03 (1) » is the one set aside
    attribuees.sort(key=lambda a: (a[0], valeurs.cle(a[1].nom_feuille or a[1].origine)
                                   != valeurs.cle(a[0]), a[1].feuille.fichier))
    notes: list[NotesLues] = []
    lues: dict[str, list[tuple[str, set[str]]]] = {}
    for jure, grille, assignes in attribuees:
        constats_grille = Constats()
        conflits: dict[tuple[str, str], str] = {}
        siennes = lire_grille(grille.feuille, jure, criteres, constats_grille, conflits,
                              assignes)
        dossiers = {r.dossier for r in siennes} | {d for _, d in conflits}
        doublon = next(((f, communs) for f, d in lues.get(jure, [])
                        if (communs := d & dossiers)), None)
        if doublon is not None:
            constats.signaler(
                "grilles_en_double",
                f"deux grilles du juré {jure} notent les mêmes {len(doublon[1])} dossier(s) : "
                f"{doublon[0]} et {grille.feuille.fichier} (une copie ?) ; gardez-en une "
                "seule dans notes/", fichier=grille.feuille.fichier, valeur=jure)
            continue
        lues.setdefault(jure, []).append((grille.feuille.fichier, dossiers))
        constats.etendre(constats_grille)
        deports.update(conflits)
        notes += siennes
    for jure in sorted({j for _, paires in morceaux.affectations.values() for j, _ in paires}
                       - set(lues)) if lues else ():  # no grid at all is said once, elsewhere
        constats.signaler(
            "grille_absente", f"aucune grille du juré {jure} dans notes/, alors que "
            "l'affectation lui donne des dossiers à lire", fichier="notes", valeur=jure)
    return notes


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
        morceaux = _morceaux_dossier(chemin, constats, avec_notes)
    elif chemin.exists():
        morceaux = _morceaux_classeur(chemin, constats)
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
        notes += _lire_grilles(morceaux, ids_jures, criteres, deports, constats)
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
