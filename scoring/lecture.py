"""Reading a wave from the files the secretariat receives (SPEC §3).

Two forms, and one entry point, :func:`lire_vague`:

- a workbook ``vague-NN.xlsx`` with sheets ``dossiers``, ``jury``, ``criteres``,
  ``deports`` (optional), and the notes as a long sheet ``notes`` or one sheet per juror;
- a folder ``vague-NN/`` with ``dossiers.xlsx`` (or a démarches-simplifiées export, xlsx or
  csv), ``jury.xlsx`` (sheets ``jury``, ``criteres``, ``deports``) and ``notes/`` holding one
  workbook per juror, named by the juror id (``J03.xlsx``, or any name containing it).

Every problem becomes a located finding (:mod:`scoring.constats`); nothing is raised. The
wave is returned only when there is no error.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from scoring import referentiel, valeurs
from scoring.classeur import sha256_fichier
from scoring.constats import Constats
from scoring.conteneurs import Feuille, lire_classeur, lire_csv
from scoring.demarches import (
    charger_correspondance,
    est_export_demarches,
    traduire_export,
)
from scoring.modele import COLLEGES_FAQ_3_2, Critere, Jure, LectureVague, Source, Vague

_CLES_FEUILLES = ("dossiers", "jury", "criteres", "deports", "notes")
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
#: Other spellings accepted for a column, as header keys (see :func:`valeurs.cle`).
ALIAS_COLONNES: dict[str, tuple[str, ...]] = {
    "dossier": ("dossier", "ndossier", "numerodossier", "iddossier"),
    "jure": ("jure", "membre", "idjure"),
    "critere": ("critere", "idcritere"),
    "commentaire": ("commentaire", "commentaires", "observations", "remarques"),
}


@dataclass
class Table:
    """A sheet whose header row was found: canonical column → position and header text."""

    feuille: Feuille
    colonnes: dict[str, tuple[int, str]]
    lignes: list[tuple[int, tuple[Any, ...]]]
    autres_colonnes: dict[str, tuple[int, str]] = field(default_factory=dict)

    def valeur(self, ligne: tuple[Any, ...], colonne: str) -> Any:
        """The cell of ``colonne`` in ``ligne`` (None when the column is absent)."""
        position = self.colonnes.get(colonne)
        if position is None or position[0] >= len(ligne):
            return None
        return ligne[position[0]]

    def lieu(self, numero: int, colonne: str | None = None, valeur: Any = None) -> dict[str, Any]:
        """Location keywords for a finding about a cell of this table."""
        entete = self.colonnes.get(colonne, (0, colonne))[1] if colonne else None
        return {
            "fichier": self.feuille.fichier,
            "feuille": self.feuille.nom,
            "ligne": numero,
            "colonne": entete,
            "valeur": valeur,
        }


def trouver_table(
    feuille: Feuille,
    requises: Sequence[str],
    optionnelles: Sequence[str],
    constats: Constats,
    cle_colonne: str,
) -> Table | None:
    """Locate the header row (the first of the first 20 rows holding ``cle_colonne``) and
    map each expected column; record one error per missing required column."""
    attendues = list(requises) + list(optionnelles)
    alias_cle = ALIAS_COLONNES.get(cle_colonne, (valeurs.cle(cle_colonne),))
    def est_entete(ligne: tuple[Any, ...]) -> bool:
        return any(not valeurs.est_vide(v) and valeurs.cle(v) in alias_cle for v in ligne)

    position = next(
        (i for i, (_, ligne) in enumerate(feuille.lignes[:20]) if est_entete(ligne)), None
    )
    if position is None:
        constats.erreur(
            "colonne_manquante",
            f"colonne « {cle_colonne} » introuvable (ligne d'en-tête absente)",
            fichier=feuille.fichier, feuille=feuille.nom, colonne=cle_colonne,
        )
        return None
    numero_entete, ligne = feuille.lignes[position]
    cles = [valeurs.cle(v) if not valeurs.est_vide(v) else "" for v in ligne]
    colonnes: dict[str, tuple[int, str]] = {}
    autres: dict[str, tuple[int, str]] = {}
    for index, (cle, brut) in enumerate(zip(cles, ligne, strict=True)):
        if not cle:
            continue
        nom = next(
            (a for a in attendues if cle in ALIAS_COLONNES.get(a, (valeurs.cle(a),))), None
        )
        cible = colonnes if nom else autres
        nom = nom or cle
        if nom in cible:
            constats.erreur(
                "colonne_en_double", f"la colonne « {brut} » apparaît deux fois",
                fichier=feuille.fichier, feuille=feuille.nom, ligne=numero_entete,
                colonne=str(brut),
            )
            continue
        cible[nom] = (index, str(brut).strip())
    manquantes = [c for c in requises if c not in colonnes]
    for colonne in manquantes:
        constats.erreur(
            "colonne_manquante", f"colonne obligatoire « {colonne} » absente",
            fichier=feuille.fichier, feuille=feuille.nom, ligne=numero_entete, colonne=colonne,
        )
    if manquantes:
        return None
    return Table(feuille, colonnes, feuille.lignes[position + 1 :], autres)


# --------------------------------------------------------------------------- dossiers

COLONNES_DOSSIERS = (
    "dossier", "nom", "porteur", "siret", "forme_juridique", "commune", "code_commune",
    "departement", "qpv", "numerique", "montant", "montant_annuel", "etp", "video", "lieux",
)
_REQUISES_DOSSIERS = ("dossier", "nom", "departement", "qpv", "montant", "etp", "video")


def _euros(table: Table, numero: int, colonne: str, brut: Any, constats: Constats) -> int | None:
    lu = valeurs.nombre(brut)
    lieu = table.lieu(numero, colonne, brut)
    if not lu.ok or (lu.valeur is not None and lu.valeur < 0):
        constats.erreur("montant_invalide", "montant en euros attendu", **lieu)
        return None
    if lu.valeur is None:
        return None
    if not float(lu.valeur).is_integer():
        constats.avertissement(
            "montant_arrondi", "montant arrondi à l'euro (les montants sont en euros entiers)",
            **lieu,
        )
    return round(lu.valeur)


def lire_dossiers(table: Table, constats: Constats) -> pd.DataFrame:
    """The ``dossiers`` sheet as a typed table indexed by dossier id."""
    communes = referentiel.communes()
    departements = referentiel.departements()
    enregistrements: list[dict[str, Any]] = []
    vus: dict[str, int] = {}
    for numero, ligne in table.lignes:
        brut_id = table.valeur(ligne, "dossier")
        identifiant = valeurs.texte(brut_id)
        if identifiant is None:
            constats.erreur(
                "identifiant_manquant", "ligne sans identifiant de dossier",
                **table.lieu(numero, "dossier"),
            )
            continue
        if identifiant in vus:
            constats.erreur(
                "dossier_en_double",
                f"identifiant déjà utilisé ligne {vus[identifiant]}",
                **table.lieu(numero, "dossier", identifiant),
            )
            continue
        vus[identifiant] = numero
        dossier: dict[str, Any] = {"dossier": identifiant, "ligne": numero,
                                   "fichier": table.feuille.fichier}
        for colonne in ("nom", "porteur", "forme_juridique", "commune"):
            dossier[colonne] = valeurs.texte(table.valeur(ligne, colonne)) or ""

        lu_siret = valeurs.siret(table.valeur(ligne, "siret"))
        dossier["siret"] = lu_siret.valeur
        if lu_siret.repare:
            constats.avertissement("siret_repare", lu_siret.repare,
                                   **table.lieu(numero, "siret", table.valeur(ligne, "siret")))

        brut_commune = table.valeur(ligne, "code_commune")
        lu_commune = valeurs.code_commune(brut_commune)
        if not lu_commune.ok:
            constats.erreur("commune_invalide", str(lu_commune.probleme),
                            **table.lieu(numero, "code_commune", brut_commune))
        elif lu_commune.repare:
            constats.avertissement("commune_reparee", str(lu_commune.repare),
                                   **table.lieu(numero, "code_commune", brut_commune))
        code = lu_commune.valeur
        dossier["code_commune"] = code
        departement_commune = communes["departement"].get(code) if code else None
        if code is not None and code not in communes.index:
            constats.avertissement(
                "commune_inconnue",
                "code commune absent du référentiel INSEE : vérifiez-le (la règle des "
                "villes-centres s'applique au code tel qu'il est écrit)",
                **table.lieu(numero, "code_commune", code),
            )

        brut_dep = table.valeur(ligne, "departement")
        if valeurs.est_vide(brut_dep) and departement_commune is not None:
            dossier["departement"] = str(departement_commune)
            constats.avertissement(
                "departement_deduit", "département vide, déduit du code commune",
                **table.lieu(numero, "departement", dossier["departement"]),
            )
        else:
            lu_dep = valeurs.code_departement(brut_dep)
            if not lu_dep.ok:
                constats.erreur("departement_invalide", str(lu_dep.probleme),
                                **table.lieu(numero, "departement", brut_dep))
            elif lu_dep.valeur not in departements.index:
                constats.erreur("departement_inconnu", "département inconnu",
                                **table.lieu(numero, "departement", brut_dep))
            elif lu_dep.repare:
                constats.avertissement(
                    "departement_repare",
                    f"{lu_dep.repare} : Excel a sans doute effacé le zéro initial ; "
                    "saisissez les codes de département en texte",
                    **table.lieu(numero, "departement", brut_dep),
                )
            dossier["departement"] = lu_dep.valeur
            if lu_dep.ok and departement_commune not in (None, lu_dep.valeur):
                constats.avertissement(
                    "commune_hors_departement",
                    f"la commune {code} est dans le département "
                    f"{departement_commune}, pas {lu_dep.valeur}",
                    **table.lieu(numero, "departement", brut_dep),
                )

        for colonne in ("qpv", "numerique", "video"):
            brut = table.valeur(ligne, colonne)
            lu_bool = valeurs.booleen(brut)
            if not lu_bool.ok:
                constats.erreur("booleen_invalide", str(lu_bool.probleme),
                                **table.lieu(numero, colonne, brut))
            dossier[colonne] = bool(lu_bool.valeur)

        brut_montant = table.valeur(ligne, "montant")
        dossier["montant"] = _euros(table, numero, "montant", brut_montant, constats)
        if valeurs.est_vide(brut_montant):
            constats.erreur("valeur_manquante", "montant demandé manquant",
                            **table.lieu(numero, "montant"))
        dossier["montant_annuel"] = _euros(
            table, numero, "montant_annuel", table.valeur(ligne, "montant_annuel"), constats
        )
        brut_etp = table.valeur(ligne, "etp")
        lu_etp = valeurs.nombre(brut_etp)
        if not lu_etp.ok or lu_etp.valeur is None or lu_etp.valeur < 0:
            constats.erreur("etp_invalide", "nombre d'ETP attendu (ex. 1 ou 1,5)",
                            **table.lieu(numero, "etp", brut_etp))
        dossier["etp"] = lu_etp.valeur
        dossier["lieux"] = valeurs.lieux(table.valeur(ligne, "lieux")) or (identifiant,)
        if dossier["numerique"] and not dossier["qpv"]:
            constats.avertissement(
                "numerique_hors_qpv",
                "Fabrique numérique hors QPV : elle ne compte pas comme numérique",
                **table.lieu(numero, "numerique", table.valeur(ligne, "numerique")),
            )
        enregistrements.append(dossier)
    colonnes = [*COLONNES_DOSSIERS, "ligne", "fichier"]
    frame = pd.DataFrame(enregistrements, columns=colonnes).set_index("dossier")
    return frame.astype({"montant": "Int64", "montant_annuel": "Int64", "etp": "float"})


# --------------------------------------------------------------------------- jury, criteria


def lire_jury(table: Table, constats: Constats) -> list[Jure]:
    """The ``jury`` sheet; warns when the composition differs from FAQ 3.2."""
    jury: list[Jure] = []
    vus: dict[str, int] = {}
    for numero, ligne in table.lignes:
        identifiant = valeurs.texte(table.valeur(ligne, "jure"))
        if identifiant is None:
            constats.erreur("identifiant_manquant", "ligne sans identifiant de juré",
                            **table.lieu(numero, "jure"))
            continue
        if identifiant in vus:
            constats.erreur("jure_en_double", f"juré déjà déclaré ligne {vus[identifiant]}",
                            **table.lieu(numero, "jure", identifiant))
            continue
        vus[identifiant] = numero
        brut_college = table.valeur(ligne, "college")
        college = _COLLEGES.get(valeurs.cle(brut_college or ""))
        if college is None:
            constats.erreur(
                "college_inconnu",
                "collège attendu : administration, cntl, chercheur ou laureat",
                **table.lieu(numero, "college", brut_college),
            )
        departement = None
        brut_dep = table.valeur(ligne, "departement")
        if not valeurs.est_vide(brut_dep):
            lu = valeurs.code_departement(brut_dep)
            if not lu.ok or lu.valeur not in referentiel.departements().index:
                constats.erreur("departement_inconnu", "département inconnu",
                                **table.lieu(numero, "departement", brut_dep))
            else:
                departement = lu.valeur
                if lu.repare:
                    constats.avertissement("departement_repare", str(lu.repare),
                                           **table.lieu(numero, "departement", brut_dep))
        nom = valeurs.texte(table.valeur(ligne, "nom")) or identifiant
        jury.append(Jure(identifiant, nom, college or "", departement))
    composition = {c: sum(j.college == c for j in jury) for c in COLLEGES_FAQ_3_2}
    if jury and (composition != COLLEGES_FAQ_3_2 or len(jury) != 10):
        attendu = ", ".join(f"{n} {c}" for c, n in COLLEGES_FAQ_3_2.items())
        obtenu = ", ".join(f"{n} {c}" for c, n in composition.items())
        constats.avertissement(
            "composition_jury",
            f"composition du jury différente de la FAQ 3.2 (attendu : {attendu} ; "
            f"lu : {obtenu}, {len(jury)} membres)",
            fichier=table.feuille.fichier, feuille=table.feuille.nom,
        )
    return jury


def lire_criteres(table: Table, constats: Constats) -> list[Critere]:
    """The ``criteres`` sheet: weights (default 1) and the bounds of the notes."""
    criteres: list[Critere] = []
    vus: set[str] = set()
    for numero, ligne in table.lignes:
        identifiant = valeurs.texte(table.valeur(ligne, "critere"))
        if identifiant is None:
            constats.erreur("identifiant_manquant", "ligne sans identifiant de critère",
                            **table.lieu(numero, "critere"))
            continue
        if valeurs.cle(identifiant) in vus:
            constats.erreur("critere_en_double", "critère déjà déclaré",
                            **table.lieu(numero, "critere", identifiant))
            continue
        vus.add(valeurs.cle(identifiant))
        nombres: dict[str, float | None] = {}
        for colonne, defaut in (("poids", 1.0), ("note_min", None), ("note_max", None)):
            brut = table.valeur(ligne, colonne)
            lu = valeurs.nombre(brut)
            if not lu.ok or (lu.valeur is None and defaut is None):
                constats.erreur("nombre_invalide", "nombre attendu",
                                **table.lieu(numero, colonne, brut))
            nombres[colonne] = lu.valeur if lu.valeur is not None else defaut
        poids, bas, haut = nombres["poids"], nombres["note_min"], nombres["note_max"]
        if poids is not None and poids < 0:
            constats.erreur("poids_invalide", "un poids ne peut pas être négatif",
                            **table.lieu(numero, "poids", poids))
        if bas is not None and haut is not None and bas >= haut:
            constats.erreur("bornes_invalides", "note_min doit être inférieure à note_max",
                            **table.lieu(numero, "note_max", haut))
        libelle = valeurs.texte(table.valeur(ligne, "libelle")) or identifiant
        criteres.append(Critere(identifiant, libelle, poids or 0.0, bas or 0.0, haut or 0.0))
    if criteres and sum(c.poids for c in criteres) <= 0:
        constats.erreur("poids_invalide", "la somme des poids doit être positive",
                        fichier=table.feuille.fichier, feuille=table.feuille.nom)
    return criteres


def lire_deports(
    table: Table, dossiers: pd.DataFrame, jures: set[str], constats: Constats
) -> set[tuple[str, str]]:
    """Explicit conflicts of interest: (juror, dossier) pairs."""
    paires: set[tuple[str, str]] = set()
    for numero, ligne in table.lignes:
        jure = valeurs.texte(table.valeur(ligne, "jure"))
        dossier = valeurs.texte(table.valeur(ligne, "dossier"))
        if jure not in jures:
            constats.erreur("jure_inconnu", "juré absent de la feuille jury",
                            **table.lieu(numero, "jure", jure))
        if dossier not in dossiers.index:
            constats.erreur("dossier_inconnu", "dossier absent de la feuille dossiers",
                            **table.lieu(numero, "dossier", dossier))
        if jure and dossier:
            paires.add((jure, dossier))
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
    feuille: Feuille, jure: str, criteres: Sequence[Critere], constats: Constats
) -> list[_Note]:
    """One juror's grid: a row per dossier, a column per criterion, an optional comment."""
    ids = [c.critere for c in criteres]
    table = trouver_table(feuille, ["dossier", *ids], ["commentaire"], constats, "dossier")
    if table is None:
        return []
    notes: list[_Note] = []
    for numero, ligne in table.lignes:
        dossier = valeurs.texte(table.valeur(ligne, "dossier"))
        cellules = {c: table.valeur(ligne, c) for c in ids}
        if dossier is None:
            if any(not valeurs.est_vide(v) for v in cellules.values()):
                constats.erreur("identifiant_manquant", "notes sans identifiant de dossier",
                                **table.lieu(numero, "dossier"))
            continue
        commentaire = valeurs.texte(table.valeur(ligne, "commentaire"))
        if all(valeurs.est_vide(v) for v in cellules.values()):
            constats.avertissement(
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
    deports: set[tuple[str, str]],
    constats: Constats,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Check every note; split those that count from those given despite a déport."""
    bornes = {c.critere: (c.note_min, c.note_max) for c in criteres}
    jures = {j.jure for j in jury}
    vues: dict[tuple[str, str, str], int] = {}
    deports_signales: set[tuple[str, str]] = set()
    comptees, ecartees = [], []
    for note in notes:
        lieu = {"fichier": note.fichier, "feuille": note.feuille, "ligne": note.ligne,
                "colonne": note.colonne}
        valide = True
        if note.dossier not in dossiers.index:
            constats.erreur("dossier_inconnu", "dossier absent de la feuille dossiers",
                            **{**lieu, "valeur": note.dossier})
            valide = False
        if note.jure not in jures:
            constats.erreur("jure_inconnu", "juré absent de la feuille jury",
                            **{**lieu, "valeur": note.jure})
            valide = False
        if note.critere not in bornes:
            constats.erreur("critere_inconnu", "critère absent de la feuille criteres",
                            **{**lieu, "valeur": note.critere})
            valide = False
        lu = valeurs.nombre(note.note)
        if not lu.ok:
            constats.erreur("note_invalide", "note non numérique", **{**lieu, "valeur": note.note})
            continue
        if lu.valeur is None:
            if valide:
                constats.avertissement(
                    "note_manquante",
                    f"le juré {note.jure} n'a pas noté le critère « {note.critere} »",
                    **{**lieu, "valeur": note.dossier},
                )
            continue
        if note.critere in bornes:
            bas, haut = bornes[note.critere]
            if not bas <= lu.valeur <= haut:
                constats.erreur(
                    "note_hors_bornes", f"note hors de l'échelle [{bas:g} ; {haut:g}]",
                    **{**lieu, "valeur": note.note},
                )
                valide = False
        cle = (note.dossier, note.jure, note.critere)
        if cle in vues:
            constats.erreur(
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
                constats.avertissement(
                    "note_malgre_deport",
                    f"le juré {note.jure} est déporté de ce dossier : ses notes ne comptent pas",
                    **{**lieu, "valeur": note.dossier},
                )
            continue
        comptees.append(enregistrement)
    colonnes = ["dossier", "jure", "critere", "note", "commentaire"]
    return pd.DataFrame(comptees, columns=colonnes), pd.DataFrame(ecartees, columns=colonnes)


# --------------------------------------------------------------------------- assembling


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
    jury: Feuille | None = None
    criteres: Feuille | None = None
    deports: Feuille | None = None
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
            constats.erreur("feuille_manquante", f"feuille « {cle_feuille} » absente",
                            fichier=chemin.name, feuille=cle_feuille)
    morceaux.dossiers = par_cle.get("dossiers")
    morceaux.jury = par_cle.get("jury")
    morceaux.criteres = par_cle.get("criteres")
    morceaux.deports = par_cle.get("deports")
    morceaux.notes_longues = par_cle.get("notes")
    for nom, feuille in feuilles.items():
        if valeurs.cle(nom) not in _CLES_FEUILLES:
            morceaux.grilles.append((nom, feuille, chemin.name))
    return morceaux


def _morceaux_dossier(chemin: Path, constats: Constats) -> _Morceaux:
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
            constats.erreur(
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
    fichier_jury = chemin / "jury.xlsx"
    morceaux.sources.append(fichier_jury)
    feuilles_jury = lire_classeur(fichier_jury, "jury.xlsx", constats)
    if feuilles_jury is not None:
        par_cle = _par_cle(feuilles_jury)
        for cle_feuille in ("jury", "criteres"):
            if cle_feuille not in par_cle:
                constats.erreur("feuille_manquante", f"feuille « {cle_feuille} » absente",
                                fichier="jury.xlsx", feuille=cle_feuille)
        morceaux.jury = par_cle.get("jury")
        morceaux.criteres = par_cle.get("criteres")
        morceaux.deports = par_cle.get("deports")
    dossier_notes = chemin / "notes"
    grilles = sorted(
        p for p in dossier_notes.glob("*.xlsx") if not p.name.startswith(("~$", "."))
    ) if dossier_notes.is_dir() else []
    if not grilles:
        constats.erreur("fichier_manquant", "aucune grille de juré dans le sous-dossier notes/",
                        fichier=f"{chemin.name}/notes")
    for grille in grilles:
        affichage = f"notes/{grille.name}"
        morceaux.sources.append(grille)
        feuilles = lire_classeur(grille, affichage, constats)
        visibles = list((feuilles or {}).values())
        if visibles:
            morceaux.grilles.append((None, visibles[0], grille.stem))
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


def lire_vague(chemin: Path | str, correspondance: Path | None = None) -> LectureVague:
    """Read and validate a wave (workbook or folder); never raises on bad input.

    ``correspondance`` is an optional mapping file for démarches-simplifiées exports
    (default: ``scoring/data/correspondance_ds.toml``).
    """
    chemin = Path(chemin)
    constats = Constats()
    try:
        return _lire_vague(chemin, correspondance, constats)
    except Exception as exc:  # a bug, not a bad file: still reported, never a traceback
        constats.erreur(
            "erreur_inattendue",
            f"erreur inattendue en lisant la vague ({type(exc).__name__} : {exc})",
            fichier=chemin.name,
        )
        return LectureVague(None, constats)


def _lire_vague(chemin: Path, correspondance: Path | None, constats: Constats) -> LectureVague:
    if chemin.is_dir():
        morceaux = _morceaux_dossier(chemin, constats)
    elif chemin.exists():
        morceaux = _morceaux_classeur(chemin, constats)
    else:
        constats.erreur("fichier_introuvable", "vague introuvable (ni classeur ni dossier)",
                        fichier=str(chemin))
        return LectureVague(None, constats)

    dossiers = pd.DataFrame(columns=[*COLONNES_DOSSIERS[1:], "ligne", "fichier"])
    if morceaux.dossiers is not None:
        feuille = morceaux.dossiers
        erreurs_avant = len(constats.erreurs)
        if est_export_demarches(feuille):
            feuille = traduire_export(feuille, charger_correspondance(correspondance), constats)
        table = None
        if len(constats.erreurs) == erreurs_avant:
            table = trouver_table(feuille, _REQUISES_DOSSIERS,
                                  [c for c in COLONNES_DOSSIERS if c not in _REQUISES_DOSSIERS],
                                  constats, "dossier")
        if table is not None:
            dossiers = lire_dossiers(table, constats)

    jury: list[Jure] = []
    if morceaux.jury is not None:
        table = trouver_table(morceaux.jury, ["jure", "college"], ["nom", "departement"],
                              constats, "jure")
        jury = lire_jury(table, constats) if table else []
    criteres: list[Critere] = []
    if morceaux.criteres is not None:
        table = trouver_table(morceaux.criteres, ["critere", "note_min", "note_max"],
                              ["libelle", "poids"], constats, "critere")
        criteres = lire_criteres(table, constats) if table else []
    ids_jures = [j.jure for j in jury]
    deports: set[tuple[str, str]] = set()
    if morceaux.deports is not None and morceaux.deports.lignes:
        table = trouver_table(morceaux.deports, ["jure", "dossier"], [], constats, "jure")
        if table is not None:
            deports = lire_deports(table, dossiers, set(ids_jures), constats)
    for jure in jury:
        if jure.departement:
            concernes = dossiers.index[dossiers["departement"] == jure.departement]
            deports.update((jure.jure, d) for d in concernes)

    notes: list[_Note] = []
    if morceaux.notes_longues is not None:
        notes += lire_notes_longues(morceaux.notes_longues, criteres, constats)
    for nom_feuille, feuille, origine in morceaux.grilles:
        id_jure = _jure_de_fichier(nom_feuille or origine, ids_jures)
        if id_jure is None:
            if nom_feuille is not None:
                constats.avertissement(
                    "feuille_ignoree",
                    "feuille ignorée : son nom n'est ni une feuille attendue ni un juré",
                    fichier=feuille.fichier, feuille=feuille.nom,
                )
            else:
                constats.erreur(
                    "jure_inconnu",
                    "grille dont le nom de fichier ne désigne aucun juré de la feuille jury",
                    fichier=feuille.fichier,
                )
            continue
        if criteres:
            notes += lire_grille(feuille, id_jure, criteres, constats)
    if morceaux.lisible and morceaux.notes_longues is None and not morceaux.grilles:
        constats.erreur("feuille_manquante",
                        "aucune note : ni feuille « notes » ni feuille par juré",
                        fichier=chemin.name)

    comptees, ecartees = _valider_notes(notes, dossiers, jury, criteres, deports, constats)
    sans_note = dossiers.index.difference(list(comptees["dossier"].unique()))
    for dossier in sans_note:
        constats.avertissement(
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
        nom=chemin.stem,
        numero=numero_de_vague(chemin.name),
        chemin=chemin,
        dossiers=dossiers.sort_index(kind="stable"),
        jury=tuple(sorted(jury, key=lambda j: j.jure)),
        criteres=tuple(criteres),
        deports=frozenset(deports),
        notes=comptees.sort_values(ordre_notes, kind="stable").reset_index(drop=True),
        notes_ecartees=ecartees.sort_values(ordre_notes, kind="stable").reset_index(drop=True),
        sources=tuple(Source(str(p), sha256_fichier(p)) for p in morceaux.sources if p.is_file()),
    )
    return LectureVague(vague, constats)
