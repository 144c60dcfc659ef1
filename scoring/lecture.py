"""Reading a wave from the files the secretariat receives (SPEC §3).

Two forms, and one entry point, :func:`lire_vague`:

- a workbook ``vague-NN.xlsx`` with sheets ``dossiers``, ``jury``, ``criteres``,
  ``deports`` (optional), and the notes as a long sheet ``notes`` or one sheet per juror;
- a folder ``vague-NN/`` with ``dossiers.xlsx`` (or a démarches-simplifiées export, xlsx or
  csv), ``jury.xlsx`` (sheets ``jury``, ``criteres``, ``deports``) and ``notes/`` holding one
  workbook per juror, named by the juror id (``J03.xlsx``, or any name containing it).

Every problem becomes a located finding (:mod:`commun.constats`); nothing is raised. The
wave is returned only when there is no error.
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from commun.classeur import sha256_fichier
from commun.constats import Constats
from commun.ecriture import probleme_de_nom
from scoring import referentiel, valeurs
from scoring.conteneurs import Feuille, lire_classeur, lire_csv
from scoring.demarches import (
    charger_correspondance,
    est_export_demarches,
    traduire_export,
)
from scoring.dossiers import COLONNES_DOSSIERS, REQUISES_DOSSIERS, lire_dossiers
from scoring.modele import (
    COLLEGES_FAQ_3_2,
    CRITERES_FAQ_3_3,
    SIEGES_FAQ_3_2,
    Critere,
    Jure,
    LectureVague,
    Source,
    Vague,
)
from scoring.tables import Table, trouver_table

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
        ecarts.append(f"{len(criteres)} critère(s) ({', '.join(c.critere for c in criteres)}) "
                      f"au lieu des six de la FAQ 3.3 ({', '.join(attendus)})")
    if len({c.poids for c in criteres}) > 1:
        ecarts.append("poids inégaux (" + ", ".join(f"{c.critere} {c.poids:g}"
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
    for numero, ligne in table.lignes:
        jure = valeurs.texte(table.valeur(ligne, "jure"))
        dossier = valeurs.texte(table.valeur(ligne, "dossier"))
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


# --------------------------------------------------------------------------- notes


@dataclass
class _Note:
    dossier: str
    jure: str
    critere: str
    note: float | None
    commentaire: str | None
    fichier: str
    feuille: str
    ligne: int
    colonne: str


def _critere_par_entete(criteres: Sequence[Critere]) -> dict[str, str]:
    correspondance = {valeurs.cle(c.libelle): c.critere for c in criteres}
    correspondance.update({valeurs.cle(c.critere): c.critere for c in criteres})
    return correspondance


def lire_grille(
    feuille: Feuille, jure: str, criteres: Sequence[Critere], constats: Constats,
    conflits: dict[tuple[str, str], str] | None = None,
) -> list[_Note]:
    """One juror's grid: a row per dossier, a column per criterion, an optional comment and
    an optional ``conflit`` column: ``oui`` there makes the juror déported from that dossier
    (added to ``conflits`` with its reason), whatever notes the row holds."""
    ids = [c.critere for c in criteres]
    table = trouver_table(feuille, ["dossier", *ids], ["commentaire", "conflit"], constats,
                          "dossier")
    if table is None:
        return []
    notes: list[_Note] = []
    for numero, ligne in table.lignes:
        dossier = valeurs.texte(table.valeur(ligne, "dossier"))
        cellules = {c: table.valeur(ligne, c) for c in ids}
        if dossier is None:
            if any(not valeurs.est_vide(v) for v in cellules.values()):
                constats.signaler("identifiant_manquant", "notes sans identifiant de dossier",
                                  **table.lieu(numero, "dossier"))
            continue
        commentaire = valeurs.texte(table.valeur(ligne, "commentaire"))
        conflit = valeurs.booleen(table.valeur(ligne, "conflit"))
        if not conflit.ok:
            constats.signaler("booleen_invalide", conflit.probleme or "",
                              **table.lieu(numero, "conflit", table.valeur(ligne, "conflit")))
        elif conflit.valeur:
            if conflits is not None:
                conflits[(jure, dossier)] = "conflit déclaré dans sa grille"
            notees = any(not valeurs.est_vide(v) for v in cellules.values())
            constats.signaler(
                "conflit_declare",
                f"le juré {jure} déclare un conflit d'intérêts avec le dossier {dossier} : il "
                "en est déporté" + (" et ses notes sur ce dossier ne comptent pas"
                                    if notees else ""),
                **table.lieu(numero, "conflit", dossier))
            continue
        if all(valeurs.est_vide(v) for v in cellules.values()):
            constats.signaler(
                "dossier_non_note", f"le juré {jure} n'a noté ce dossier sur aucun critère",
                **table.lieu(numero, "dossier", dossier),
            )
            continue
        for critere, brut in cellules.items():
            notes.append(_Note(dossier, jure, critere, brut, commentaire, feuille.fichier,
                               feuille.nom, numero, table.colonnes[critere][1]))
    return notes


def lire_notes_longues(feuille: Feuille, criteres: Sequence[Critere],
                       constats: Constats) -> list[_Note]:
    """The long ``notes`` sheet: one row per (dossier, juror, criterion)."""
    table = trouver_table(
        feuille, ["dossier", "jure", "critere", "note"], ["commentaire"], constats, "dossier"
    )
    if table is None:
        return []
    par_entete = _critere_par_entete(criteres)
    notes = []
    for numero, ligne in table.lignes:
        brut_critere = table.valeur(ligne, "critere")
        critere = par_entete.get(valeurs.cle(brut_critere or ""), valeurs.texte(brut_critere))
        notes.append(_Note(
            valeurs.texte(table.valeur(ligne, "dossier")) or "",
            valeurs.texte(table.valeur(ligne, "jure")) or "",
            critere or "",
            table.valeur(ligne, "note"),
            valeurs.texte(table.valeur(ligne, "commentaire")),
            feuille.fichier, feuille.nom, numero, table.colonnes["note"][1],
        ))
    return notes


def _valider_notes(
    notes: Iterable[_Note],
    dossiers: pd.DataFrame,
    jury: Sequence[Jure],
    criteres: Sequence[Critere],
    deports: Collection[tuple[str, str]],
    constats: Constats,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Check every note; split those that count from those given despite a déport."""
    bornes = {c.critere: (c.note_min, c.note_max) for c in criteres}
    jures = {j.jure for j in jury}
    connus = set(dossiers.index)
    vues: dict[tuple[str, str, str], int] = {}
    deports_signales: set[tuple[str, str]] = set()
    comptees, ecartees = [], []
    for note in notes:
        lieu = {"fichier": note.fichier, "feuille": note.feuille, "ligne": note.ligne,
                "colonne": note.colonne}
        valide = True
        if note.dossier not in connus:
            constats.signaler("dossier_inconnu", "dossier absent de la feuille dossiers",
                              **{**lieu, "valeur": note.dossier})
            valide = False
        if note.jure not in jures:
            constats.signaler("jure_inconnu", "juré absent de la feuille jury",
                              **{**lieu, "valeur": note.jure})
            valide = False
        if note.critere not in bornes:
            constats.signaler("critere_inconnu", "critère absent de la feuille criteres",
                              **{**lieu, "valeur": note.critere})
            valide = False
        lu = valeurs.nombre(note.note)
        if not lu.ok:
            constats.signaler("note_invalide", "note non numérique",
                              **{**lieu, "valeur": note.note})
            continue
        if lu.valeur is None:
            if valide:
                constats.signaler(
                    "note_manquante",
                    f"le juré {note.jure} n'a pas noté le critère « {note.critere} »",
                    **{**lieu, "valeur": note.dossier},
                )
            continue
        if note.critere in bornes:
            bas, haut = bornes[note.critere]
            if not bas <= lu.valeur <= haut:
                constats.signaler(
                    "note_hors_bornes", f"note hors de l'échelle [{bas:g} ; {haut:g}]",
                    **{**lieu, "valeur": note.note},
                )
                valide = False
        cle = (note.dossier, note.jure, note.critere)
        if cle in vues:
            constats.signaler(
                "note_en_double",
                f"note déjà donnée pour ce dossier, ce juré et ce critère (ligne {vues[cle]})",
                **{**lieu, "valeur": note.note},
            )
            continue
        vues[cle] = note.ligne
        if not valide:
            continue
        enregistrement = {"dossier": note.dossier, "jure": note.jure, "critere": note.critere,
                          "note": lu.valeur, "commentaire": note.commentaire}
        if (note.jure, note.dossier) in deports:
            ecartees.append(enregistrement)
            if (note.jure, note.dossier) not in deports_signales:
                deports_signales.add((note.jure, note.dossier))
                constats.signaler(
                    "note_malgre_deport",
                    f"le juré {note.jure} est déporté de ce dossier : ses notes ne comptent pas",
                    **{**lieu, "valeur": note.dossier},
                )
            continue
        comptees.append(enregistrement)
    colonnes = ["dossier", "jure", "critere", "note", "commentaire"]
    return pd.DataFrame(comptees, columns=colonnes), pd.DataFrame(ecartees, columns=colonnes)


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


@dataclass
class _Morceaux:
    """The pieces of a wave as found in its files, before cross-checks."""

    dossiers: Feuille | None = None
    #: Sheet « Etablissements » of a démarches-simplifiées xlsx export (SIRET, legal form).
    etablissements: Feuille | None = None
    jury: Feuille | None = None
    criteres: Feuille | None = None
    deports: Feuille | None = None
    conflits: Feuille | None = None
    notes_longues: Feuille | None = None
    grilles: list[tuple[str | None, Feuille, str]] = field(default_factory=list)
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
            morceaux.grilles.append((nom, feuille, chemin.name))
    return morceaux


def _morceaux_dossier(chemin: Path, constats: Constats, avec_notes: bool) -> _Morceaux:
    morceaux = _Morceaux()
    fichier_dossiers = chemin / "dossiers.xlsx"
    if fichier_dossiers.exists():
        feuilles = lire_classeur(fichier_dossiers, "dossiers.xlsx", constats)
        morceaux.sources.append(fichier_dossiers)
        if feuilles:
            par_cle = _par_cle(feuilles)
            morceaux.dossiers = par_cle.get("dossiers") or next(iter(feuilles.values()), None)
    else:
        export = next(
            (p for p in sorted(chemin.iterdir())
             if p.suffix.lower() in {".csv", ".xlsx"} and est_export_demarches(p)),
            None,
        )
        if export is None:
            constats.signaler(
                "fichier_manquant",
                "ni dossiers.xlsx ni export démarches-simplifiées (csv ou xlsx) dans le dossier",
                fichier=chemin.name,
            )
        else:
            morceaux.sources.append(export)
            lecteur = lire_csv if export.suffix.lower() == ".csv" else lire_classeur
            feuilles = lecteur(export, export.name, constats)
            if feuilles:
                par_cle = _par_cle(feuilles)
                morceaux.dossiers = par_cle.get("dossiers") or next(iter(feuilles.values()))
                morceaux.etablissements = par_cle.get("etablissements")
    fichier_jury = chemin / "jury.xlsx"
    morceaux.sources.append(fichier_jury)
    feuilles_jury = lire_classeur(fichier_jury, "jury.xlsx", constats)
    if feuilles_jury is not None:
        par_cle = _par_cle(feuilles_jury)
        for cle_feuille in ("jury", "criteres"):
            if cle_feuille not in par_cle:
                constats.signaler("feuille_manquante", f"feuille « {cle_feuille} » absente",
                                  fichier="jury.xlsx", feuille=cle_feuille)
        morceaux.jury = par_cle.get("jury")
        morceaux.criteres = par_cle.get("criteres")
        morceaux.deports = par_cle.get("deports")
        morceaux.conflits = par_cle.get("conflits")
    if not avec_notes:
        return morceaux
    dossier_notes = chemin / "notes"
    grilles = sorted(
        p for p in dossier_notes.glob("*.xlsx") if not p.name.startswith(("~$", "."))
    ) if dossier_notes.is_dir() else []
    if not grilles:
        constats.signaler("fichier_manquant", "aucune grille de juré dans le sous-dossier notes/",
                          fichier=f"{chemin.name}/notes")
    for grille in grilles:
        affichage = f"notes/{grille.name}"
        morceaux.sources.append(grille)
        feuilles = lire_classeur(grille, affichage, constats) or {}
        # The sheet « grille » of a grid written by ``fabriques repartir`` (beside its
        # instructions), else the first sheet.
        feuille = _par_cle(feuilles).get("grille") or next(iter(feuilles.values()), None)
        if feuille is not None:
            morceaux.grilles.append((None, feuille, grille.stem))
    return morceaux


def _jure_de_fichier(nom_fichier: str, jures: Sequence[str]) -> str | None:
    """The juror a grid file belongs to: its name, or the one juror id it contains."""
    cle_fichier = valeurs.cle(nom_fichier)
    exacts = [j for j in jures if valeurs.cle(j) == cle_fichier]
    if exacts:
        return exacts[0]
    jetons = {valeurs.cle(t) for t in re.split(r"[\s_\-.]+", nom_fichier)}
    contenus = [j for j in jures if valeurs.cle(j) in jetons]
    return contenus[0] if len(contenus) == 1 else None


def lire_vague(chemin: Path | str, correspondance: Path | None = None,
               avec_notes: bool = True) -> LectureVague:
    """Read and validate a wave (workbook or folder); never raises on bad input.

    ``correspondance`` is an optional mapping file for démarches-simplifiées exports
    (default: ``scoring/data/correspondance_ds.toml``). ``avec_notes=False`` reads a wave
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
    if morceaux.dossiers is not None:
        feuille = morceaux.dossiers
        erreurs_avant = len(constats.erreurs)
        if est_export_demarches(feuille):
            feuille = traduire_export(feuille, charger_correspondance(correspondance), constats,
                                      morceaux.etablissements)
        table = None
        if len(constats.erreurs) == erreurs_avant:
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

    notes: list[_Note] = []
    if morceaux.notes_longues is not None:
        notes += lire_notes_longues(morceaux.notes_longues, criteres, constats)
    for nom_feuille, feuille, origine in morceaux.grilles:
        id_jure = _jure_de_fichier(nom_feuille or origine, ids_jures)
        if id_jure is None:
            if nom_feuille is not None:
                constats.signaler(
                    "feuille_ignoree",
                    "feuille ignorée : son nom n'est ni une feuille attendue ni un juré",
                    fichier=feuille.fichier, feuille=feuille.nom,
                )
            else:
                constats.signaler(
                    "jure_inconnu",
                    "grille dont le nom de fichier ne désigne aucun juré de la feuille jury",
                    fichier=feuille.fichier,
                )
            continue
        if criteres:
            notes += lire_grille(feuille, id_jure, criteres, constats, deports)
    if (avec_notes and morceaux.lisible and morceaux.notes_longues is None
            and not morceaux.grilles):
        constats.signaler("feuille_manquante",
                          "aucune note : ni feuille « notes » ni feuille par juré",
                          fichier=chemin.name)

    comptees, ecartees = _valider_notes(notes, dossiers, jury, criteres, deports, constats)
    if avec_notes and morceaux.lisible and not constats.a_des_erreurs and comptees.empty:
        constats.signaler("aucune_note", "aucune note dans les grilles du jury : rien à noter "
                          "(les grilles sont-elles remplies ?)", fichier=chemin.name)
    sans_note = dossiers.index.difference(list(comptees["dossier"].unique()))
    for dossier in sans_note if avec_notes else ():
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
