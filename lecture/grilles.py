"""The jurors' grids of a wave: whose each one is (its mark, else its file or sheet name),
which dossiers the assignment gave that juror, and every juror's notes read from them — a
grid of another assignment, two copies of one juror's grid, a missing grid said."""

from __future__ import annotations

import re
from collections.abc import Sequence

from commun.constats import Constats
from lecture import valeurs
from lecture.modele import Critere
from lecture.morceaux import Grille, Morceaux
from lecture.notes import NotesLues, lire_grille


def _jure_de_fichier(nom_fichier: str, jures: Sequence[str]) -> str | None:
    """The juror a grid file belongs to: its name, or the one juror id it contains."""
    cle_fichier = valeurs.cle(nom_fichier)
    exacts = [j for j in jures if valeurs.cle(j) == cle_fichier]
    if exacts:
        return exacts[0]
    jetons = {valeurs.cle(t) for t in re.split(r"[\s_\-.]+", nom_fichier)}
    contenus = [j for j in jures if valeurs.cle(j) in jetons]
    return contenus[0] if len(contenus) == 1 else None


def _jures_des_grilles(morceaux: Morceaux, ids_jures: Sequence[str], constats: Constats
                       ) -> list[tuple[str, Grille, frozenset[str] | None]]:
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


def lire_grilles(morceaux: Morceaux, ids_jures: Sequence[str], criteres: Sequence[Critere],
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
