"""The jurors' notes (SPEC §3): one grid per juror (a row per dossier, a column per
criterion) or the long sheet ``notes``, and every note checked against the dossiers, the
jury and the criteria's scales.

These loops run over every note of the wave (15,600 on 260 dossiers read by 10 jurors on
6 criteria): each cell is looked at once, a note's location is built only for a finding,
and a value already parsed is not parsed again. The rules are :mod:`lecture.valeurs`'.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from commun.constats import Constats
from lecture import valeurs
from lecture.conteneurs import Feuille
from lecture.modele import Critere, Jure
from lecture.tables import trouver_table

#: The columns of the notes' tables (those that count, those set aside by a déport).
COLONNES_NOTES = ["dossier", "jure", "critere", "note", "commentaire"]


@dataclass(slots=True)
class NotesLues:
    """The notes of one row as written, where they are written: a grid's row (a note per
    criterion) or a row of the long sheet (one note). A row's dossier and juror are
    resolved and checked once, its notes one by one."""

    dossier: str
    jure: str
    #: Per note: its criterion, its raw cell and the header of its column.
    criteres: Sequence[str]
    bruts: Sequence[Any]
    colonnes: Sequence[str]
    commentaire: str | None
    fichier: str
    feuille: str
    ligne: int

    def lieu(self, colonne: str, valeur: Any = None) -> dict[str, Any]:
        """Where a note of the row is, for a finding about it."""
        return {"fichier": self.fichier, "feuille": self.feuille, "ligne": self.ligne,
                "colonne": colonne, "valeur": valeur}


def _critere_par_entete(criteres: Sequence[Critere]) -> dict[str, str]:
    correspondance = {valeurs.cle(c.libelle): c.critere for c in criteres}
    correspondance.update({valeurs.cle(c.critere): c.critere for c in criteres})
    return correspondance


def lire_grille(
    feuille: Feuille, jure: str, criteres: Sequence[Critere], constats: Constats,
    conflits: dict[tuple[str, str], str] | None = None,
    assignes: Collection[str] | None = None,
) -> list[NotesLues]:
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
    # every criterion's column was found (they are required): its position and header
    positions = [table.colonnes[c][0] for c in ids]
    entetes = tuple(table.colonnes[c][1] for c in ids)
    criteres_lus = tuple(ids)
    est_vide = valeurs.est_vide
    rangees: list[NotesLues] = []
    for numero, ligne in table.lignes:
        dossier = valeurs.texte(table.valeur(ligne, "dossier"))
        largeur = len(ligne)
        bruts = [ligne[p] if p < largeur else None for p in positions]
        notee = not all(map(est_vide, bruts))  # a criterion holds something
        if dossier is None:
            if notee:
                constats.signaler("identifiant_manquant", "notes sans identifiant de dossier",
                                  **table.lieu(numero, "dossier"))
            continue
        if formes_assignees is not None \
                and valeurs.forme_normale(dossier) not in formes_assignees:
            if notee:
                constats.signaler(
                    "dossier_non_affecte",
                    f"le juré {jure} a noté le dossier {dossier}, que l'affectation ne lui a "
                    "pas donné à lire : ces notes ne sont pas lues (un dossier en trop, ou la "
                    "grille d'un autre juré ?)", **table.lieu(numero, "dossier", dossier))
            continue
        commentaire = valeurs.texte(table.valeur(ligne, "commentaire"))
        brut_conflit = table.valeur(ligne, "conflit")
        # an empty cell (None) reads as « non »: nothing to say, nothing to skip
        conflit = valeurs.booleen(brut_conflit) if brut_conflit is not None else None
        if conflit is not None and not conflit.ok:
            constats.signaler("booleen_invalide", conflit.probleme or "",
                              **table.lieu(numero, "conflit", brut_conflit))
        elif conflit is not None and conflit.valeur:
            if conflits is not None:
                conflits[(jure, dossier)] = "conflit déclaré dans sa grille"
            constats.signaler(
                "conflit_declare",
                f"le juré {jure} déclare un conflit d'intérêts avec le dossier {dossier} : il "
                "en est déporté" + (" et ses notes sur ce dossier ne comptent pas"
                                    if notee else ""),
                **table.lieu(numero, "conflit", dossier))
            continue
        if not notee:
            constats.signaler(
                "dossier_non_note", f"le juré {jure} n'a noté ce dossier sur aucun critère",
                **table.lieu(numero, "dossier", dossier),
            )
            continue
        rangees.append(NotesLues(dossier, jure, criteres_lus, bruts, entetes, commentaire,
                                 feuille.fichier, feuille.nom, numero))
    return rangees


def lire_notes_longues(feuille: Feuille, criteres: Sequence[Critere],
                       constats: Constats) -> list[NotesLues]:
    """The long ``notes`` sheet: one row per (dossier, juror, criterion)."""
    table = trouver_table(
        feuille, ["dossier", "jure", "critere", "note"], ["commentaire"], constats, "dossier"
    )
    if table is None:
        return []
    par_entete = _critere_par_entete(criteres)
    entete = (table.colonnes["note"][1],)
    notes = []
    for numero, ligne in table.lignes:
        brut_critere = table.valeur(ligne, "critere")
        critere = par_entete.get(valeurs.cle(brut_critere or ""), valeurs.texte(brut_critere))
        notes.append(NotesLues(
            valeurs.texte(table.valeur(ligne, "dossier")) or "",
            valeurs.texte(table.valeur(ligne, "jure")) or "",
            (critere or "",),
            (table.valeur(ligne, "note"),),
            entete,
            valeurs.texte(table.valeur(ligne, "commentaire")),
            feuille.fichier, feuille.nom, numero,
        ))
    return notes


def resolveur(connus: Collection[str], constats: Constats
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


def valider_notes(
    rangees: Iterable[NotesLues],
    dossiers: pd.DataFrame,
    jury: Sequence[Jure],
    criteres: Sequence[Critere],
    deports: Collection[tuple[str, str]],
    constats: Constats,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Check every note; split those that count from those given despite a déport.

    Each note's findings come in this order: how its dossier and its juror were written
    (once per file and spelling), an unknown dossier, juror or criterion, then its value
    (not a number, missing, off the scale), a second note for the same cell of the wave, a
    note despite a déport (once per juror and dossier)."""
    bornes = {c.critere: (c.note_min, c.note_max) for c in criteres}
    jures = {j.jure for j in jury}
    connus = set(dossiers.index)
    vues: dict[tuple[str, str, str], int] = {}
    deports_signales: set[tuple[str, str]] = set()
    comptees: list[tuple[Any, ...]] = []
    ecartees: list[tuple[Any, ...]] = []
    dossier_de, jure_de = resolveur(connus, constats), resolveur(jures, constats)
    # The same few values (0 to 10, by halves) fill the grids: each is parsed once. Not a
    # float zero (a memo would take -0.0 for 0.0) nor NaN (never equal to itself).
    lus: dict[tuple[type, Any], valeurs.Lu[float]] = {}
    for rangee in rangees:
        # The row's identifiers are resolved once, where its first note is: the resolver
        # says a spelling once per file, and gives the same answer to the next notes.
        dossier, jure = rangee.dossier, rangee.jure
        if dossier and dossier not in connus:
            dossier = dossier_de(dossier, rangee.lieu(rangee.colonnes[0]), "dossier")
        if jure and jure not in jures:
            jure = jure_de(jure, rangee.lieu(rangee.colonnes[0]), "juré")
        connu, jure_connu = dossier in connus, jure in jures
        deporte = (jure, dossier) in deports
        for critere, brut, colonne in zip(rangee.criteres, rangee.bruts, rangee.colonnes,
                                          strict=True):
            valide = connu and jure_connu
            if not connu:
                constats.signaler("dossier_inconnu", "dossier absent de la feuille dossiers",
                                  **rangee.lieu(colonne, dossier))
            if not jure_connu:
                constats.signaler("jure_inconnu", "juré absent de la feuille jury",
                                  **rangee.lieu(colonne, jure))
            borne = bornes.get(critere)
            if borne is None:
                constats.signaler("critere_inconnu", "critère absent de la feuille criteres",
                                  **rangee.lieu(colonne, critere))
                valide = False
            if brut.__class__ is int or brut.__class__ is str or (
                    brut.__class__ is float and brut == brut and brut != 0):
                cle_lu = (brut.__class__, brut)
                lu = lus.get(cle_lu)
                if lu is None:
                    lu = lus[cle_lu] = valeurs.nombre(brut)
            else:
                lu = valeurs.nombre(brut)
            if not lu.ok:
                constats.signaler("note_invalide", "note non numérique",
                                  **rangee.lieu(colonne, brut))
                continue
            valeur = lu.valeur
            if valeur is None:
                if valide:
                    constats.signaler(
                        "note_manquante",
                        f"le juré {jure} n'a pas noté le critère « {critere} »",
                        **rangee.lieu(colonne, dossier),
                    )
                continue
            if borne is not None and not borne[0] <= valeur <= borne[1]:
                constats.signaler(
                    "note_hors_bornes", f"note hors de l'échelle [{borne[0]:g} ; {borne[1]:g}]",
                    **rangee.lieu(colonne, brut),
                )
                valide = False
            cle = (dossier, jure, critere)
            if cle in vues:
                constats.signaler(
                    "note_en_double",
                    f"note déjà donnée pour ce dossier, ce juré et ce critère (ligne {vues[cle]})",
                    **rangee.lieu(colonne, brut),
                )
                continue
            vues[cle] = rangee.ligne
            if not valide:
                continue
            enregistrement = (dossier, jure, critere, valeur, rangee.commentaire)
            if deporte:
                ecartees.append(enregistrement)
                if (jure, dossier) not in deports_signales:
                    deports_signales.add((jure, dossier))
                    constats.signaler(
                        "note_malgre_deport",
                        f"le juré {jure} est déporté de ce dossier : ses notes ne comptent pas",
                        **rangee.lieu(colonne, dossier),
                    )
                continue
            comptees.append(enregistrement)
    return (pd.DataFrame(comptees, columns=COLONNES_NOTES),
            pd.DataFrame(ecartees, columns=COLONNES_NOTES))
