"""The sheets of a démarches-simplifiées export beside « Dossiers » (xlsx only): the
applicant's row of sheet « Etablissements » (SIRET, legal form) and the repetition blocks
(the places, or the place's commune given in a block), each read into SPEC columns."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from commun.constats import Constats
from lecture import valeurs
from lecture.conteneurs import Feuille
from lecture.correspondance import Correspondance, positions_de_l_entete


def lire_demandeurs(etablissements: Feuille | None, correspondance: Correspondance,
                    constats: Constats) -> tuple[dict[str, int], dict[str, tuple[Any, ...]]]:
    """From sheet « Etablissements »: its column positions, and each dossier's applicant row
    (« Champ » reads « Dossier » — ``Etablissement#libelle_for_export`` — or, in files
    retouched by hand, is empty; other rows are the SIRET champs of the form). A dossier
    with no such row — a démarche « pour particuliers », whose structure is given by a SIRET
    champ — takes its one SIRET champ's row, and that is said."""
    if etablissements is None or not etablissements.lignes:
        return {}, {}
    _, entete = etablissements.lignes[0]
    cles = [valeurs.cle(v) if not valeurs.est_vide(v) else "" for v in entete]
    if "dossierid" not in cles:
        return {}, {}
    identifiant, champ = cles.index("dossierid"), cles.index("champ") if "champ" in cles else None
    lignes: dict[str, tuple[Any, ...]] = {}
    d_un_champ: dict[str, list[tuple[int, str, tuple[Any, ...]]]] = defaultdict(list)
    for numero, ligne in etablissements.lignes[1:]:
        cle = valeurs.texte(ligne[identifiant]) if identifiant < len(ligne) else None
        if not cle:
            continue
        libelle = ligne[champ] if champ is not None and champ < len(ligne) else None
        if valeurs.est_vide(libelle) or valeurs.cle(libelle) == "dossier":
            lignes.setdefault(cle, ligne)
        else:
            d_un_champ[cle].append((numero, str(libelle), ligne))
    for cle, rangees in sorted(d_un_champ.items()):
        if cle in lignes or len(rangees) != 1:
            continue
        numero, libelle, ligne = rangees[0]
        lignes[cle] = ligne
        constats.signaler(
            "etablissement_d_un_champ",
            f"le dossier {cle} n'a pas d'établissement demandeur (démarche pour particuliers) : "
            f"le SIRET et la forme juridique sont lus du champ « {libelle} »",
            fichier=etablissements.fichier, feuille=etablissements.nom, ligne=numero,
            colonne="Champ", valeur=libelle)
    positions = {c: i for c, i in positions_de_l_entete(entete, correspondance).items()
                 if c != "dossier"}
    return positions, lignes


def depuis_les_blocs(blocs: tuple[Feuille, ...], colonnes: list[str],
                      correspondance: Correspondance
                      ) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """For each SPEC column absent from « Dossiers » and found in a repetition block: dossier
    → its value — for a list column (the places) every row's, in « Ligne » order, joined by
    « ; »; for any other (the place's commune given in a block « Lieux ») the first row's —
    and the header it was read under."""
    trouvees: dict[str, dict[str, Any]] = {}
    intitules: dict[str, str] = {}
    for colonne in colonnes:
        for bloc in blocs:
            _, entete = bloc.lignes[0]
            position = positions_de_l_entete(entete, correspondance).get(colonne)
            if position is None:
                continue
            par_dossier: dict[str, list[tuple[float, Any]]] = defaultdict(list)
            for _, ligne in bloc.lignes[1:]:
                identifiant = valeurs.texte(ligne[0])
                valeur = ligne[position] if position < len(ligne) else None
                if identifiant and not valeurs.est_vide(valeur):
                    rang = valeurs.nombre(ligne[1] if len(ligne) > 1 else None).valeur
                    par_dossier[identifiant].append((rang if rang is not None else 0.0, valeur))
            if colonne in correspondance.listes:
                trouvees[colonne] = {i: ";".join(str(valeurs.texte(v)) for _, v in sorted(lus))
                                     for i, lus in par_dossier.items()}
            else:
                trouvees[colonne] = {i: sorted(lus, key=lambda r: r[0])[0][1]
                                     for i, lus in par_dossier.items()}
            intitules[colonne] = f"{entete[position]} (feuille {bloc.nom})"
            break
    return trouvees, intitules
