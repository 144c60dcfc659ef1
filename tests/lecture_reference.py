"""The reader's formulations before issue 30 made them fast, kept verbatim (their names
prefixed by nothing but this module's) so that tests compare the fast code with them on
generated inputs: the rows of a sheet, how far a sheet's XML reaches, the notes of a grid
and their checks, and what counts as an empty cell."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from commun.constats import Constats
from lecture import conteneurs, valeurs
from lecture.conteneurs import Feuille
from lecture.modele import Critere, Jure
from lecture.tables import trouver_table

_ESPACES = re.compile(r"[\s\u00a0\u202f]+")


def est_vide(value: Any) -> bool:
    """True for an empty cell: None, NaN, or only white space."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not _ESPACES.sub("", value)


# --------------------------------------------------------------------------- containers


def _cellule(valeur: Any) -> Any:
    """calamine's value as openpyxl gave it: empty → None, 4.0 → 4."""
    if valeur == "":
        return None
    if isinstance(valeur, float) and valeur.is_integer() and abs(valeur) < 2**53:
        return int(valeur)
    return valeur


def lignes(cellules: list[list[Any]], titre: str, affichage: str,
           constats: Constats) -> list[tuple[int, tuple[Any, ...]]]:
    """The non-empty rows of a sheet (Excel numbering), bounded in columns and in empty
    rows in a row."""
    lignes = []
    vides = 0
    for numero, ligne in enumerate(cellules, start=1):
        valeurs_ligne = tuple(_cellule(v) for v in ligne[:conteneurs.COLONNES_MAX])
        if any(not est_vide(v) for v in valeurs_ligne):
            lignes.append((numero, valeurs_ligne))
            vides = 0
            if len(lignes) > conteneurs.LIGNES_MAX:
                break  # the caller refuses the sheet
        else:
            vides += 1
            if vides >= conteneurs.LIGNES_VIDES_MAX:
                constats.signaler(
                    "feuille_tronquee", f"plus de {conteneurs.LIGNES_VIDES_MAX} lignes vides "
                    "à la suite : la suite de la feuille n'est pas lue", fichier=affichage,
                    feuille=titre, ligne=numero)
                break
    return lignes


def etendue(blocs: Iterable[bytes]) -> tuple[int, int, int]:
    """(last row, last column, cells written) of a sheet's XML read in these blocks, as
    ``_Etendue.lire`` read them: a reference cut by a block's end is read whole in the next
    window."""
    derniere_ligne = derniere_colonne = cellules = 0
    reste = b""
    for bloc in blocs:
        fenetre = reste + bloc
        for lettres, numero in conteneurs._REFERENCE_CELLULE.findall(fenetre):
            derniere_colonne = max(derniere_colonne, conteneurs._colonne(lettres))
            derniere_ligne = max(derniere_ligne, int(numero))
        for numero in conteneurs._REFERENCE_LIGNE.findall(fenetre):
            derniere_ligne = max(derniere_ligne, int(numero))
        cellules += bloc.count(b"<c ") + bloc.count(b"<c>") + bloc.count(b"<c/>")
        reste = bloc[-64:]
    return derniere_ligne, derniere_colonne, cellules


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
    assignes: Collection[str] | None = None,
) -> list[_Note]:
    """One juror's grid: a row per dossier, a column per criterion, an optional comment and
    an optional ``conflit`` column: ``oui`` there makes the juror déported from that dossier
    (added to ``conflits`` with its reason), whatever notes the row holds. ``assignes``: the
    dossiers the assignment gave this juror — a row for another dossier is an error."""
    ids = [c.critere for c in criteres]
    formes_assignees = None if assignes is None else {valeurs.forme_normale(d)
                                                      for d in assignes}
    table = trouver_table(feuille, ["dossier", *ids], ["commentaire", "conflit"], constats,
                          "dossier")
    if table is None:
        return []
    notes: list[_Note] = []
    for numero, ligne in table.lignes:
        dossier = valeurs.texte(table.valeur(ligne, "dossier"))
        cellules = {c: table.valeur(ligne, c) for c in ids}
        if dossier is None:
            if any(not est_vide(v) for v in cellules.values()):
                constats.signaler("identifiant_manquant", "notes sans identifiant de dossier",
                                  **table.lieu(numero, "dossier"))
            continue
        if formes_assignees is not None \
                and valeurs.forme_normale(dossier) not in formes_assignees:
            if any(not est_vide(v) for v in cellules.values()):
                constats.signaler(
                    "dossier_non_affecte",
                    f"le juré {jure} a noté le dossier {dossier}, que l'affectation ne lui a "
                    "pas donné à lire : ces notes ne sont pas lues (un dossier en trop, ou la "
                    "grille d'un autre juré ?)", **table.lieu(numero, "dossier", dossier))
            continue
        commentaire = valeurs.texte(table.valeur(ligne, "commentaire"))
        conflit = valeurs.booleen(table.valeur(ligne, "conflit"))
        if not conflit.ok:
            constats.signaler("booleen_invalide", conflit.probleme or "",
                              **table.lieu(numero, "conflit", table.valeur(ligne, "conflit")))
        elif conflit.valeur:
            if conflits is not None:
                conflits[(jure, dossier)] = "conflit déclaré dans sa grille"
            notees = any(not est_vide(v) for v in cellules.values())
            constats.signaler(
                "conflit_declare",
                f"le juré {jure} déclare un conflit d'intérêts avec le dossier {dossier} : il "
                "en est déporté" + (" et ses notes sur ce dossier ne comptent pas"
                                    if notees else ""),
                **table.lieu(numero, "conflit", dossier))
            continue
        if all(est_vide(v) for v in cellules.values()):
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


def _resolveur(connus: Collection[str], constats: Constats
               ) -> Callable[[str, dict[str, Any], str], str]:
    """A reference to one of ``connus`` written differently (« v06-001 », a non-breaking
    hyphen, a full-width letter: the same :func:`valeurs.forme_normale`) → the identifier as
    declared, said once per file and spelling; anything else is returned as written."""
    par_forme = {valeurs.forme_normale(i): i for i in connus}
    dits: set[tuple[Any, str]] = set()

    def resoudre(ecrit: str, lieu: dict[str, Any], quoi: str) -> str:
        if ecrit in connus or not ecrit:
            return ecrit
        declare = par_forme.get(valeurs.forme_normale(ecrit))
        if declare is None:
            return ecrit
        if (lieu.get("fichier"), ecrit) not in dits:
            dits.add((lieu.get("fichier"), ecrit))
            constats.signaler("identifiant_ecrit_autrement",
                              f"« {ecrit} » lu comme le {quoi} « {declare} » (même identifiant "
                              "écrit autrement)", **{**lieu, "valeur": ecrit})
        return declare

    return resoudre


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
    dossier_de, jure_de = _resolveur(connus, constats), _resolveur(jures, constats)
    for note in notes:
        lieu = {"fichier": note.fichier, "feuille": note.feuille, "ligne": note.ligne,
                "colonne": note.colonne}
        note.dossier = dossier_de(note.dossier, lieu, "dossier")
        note.jure = jure_de(note.jure, lieu, "juré")
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
