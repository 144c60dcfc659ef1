"""The verbs of the ``fabriques`` command before a decision: ``check`` (every finding of
the wave at once), ``score`` (the scoring workbook) and ``repartir`` (the dossiers assigned
to the jurors, and their grids). Each verb imports what it uses in its own function (why:
:mod:`fabriques.cli`)."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from commun.francais import decimal
from commun.vocabulaire import METHODES, libelle
from fabriques.attente import etape
from fabriques.verbes import (
    EXIT_ENTREE,
    EXIT_INFAISABLE,
    EXIT_OK,
    acces_au_journal,
    afficher_constats,
    charger_vague,
    ecrire_sorties,
    fichiers_lus,
    lire,
    mettre_de_cote,
    refuser,
)


def commande_repartir(args: argparse.Namespace) -> int:
    """``fabriques repartir``: assign the dossiers to jurors (or add a second round of
    readings) and write the workbook and the grids."""
    from application.repartition import (
        completer_vague,
        grilles_et_classeur,
        repartir_vague,
    )
    from application.service import Refus
    from commun.sorties import verifier_sorties

    premier_tour = args.par_dossier is not None
    chargement = charger_vague(args, avec_notes=not premier_tour)
    if not chargement.valide or chargement.vague is None:
        return refuser(chargement.constats)
    sortie = args.out or Path(f"affectation-{chargement.vague.nom}.xlsx")
    lus = fichiers_lus(args, chargement)
    verifier_sorties([sortie], lus)
    with etape("Répartition des lectures entre les jurés"):
        resultat = (repartir_vague(chargement, args.par_dossier, args.graine) if premier_tour
                    else completer_vague(chargement, args.complement, args.graine))
    if isinstance(resultat, Refus):
        return refuser(resultat.erreurs)
    repartition = resultat.repartition
    if not repartition.trouvee:
        print("Aucune répartition ne respecte toutes les règles. À modifier :", file=sys.stderr)
        for relaxation in repartition.relaxations:
            print(f"  - {relaxation.message}", file=sys.stderr)
        print("Rien n'a été écrit.", file=sys.stderr)
        return EXIT_INFAISABLE
    with etape("Préparation des grilles"):
        fichiers = grilles_et_classeur(chargement, resultat, sortie, args.grilles)
    # a grid may already hold a juror's notes: never overwritten
    existantes = [chemin for chemin in fichiers if chemin != sortie and chemin.exists()]
    if existantes:
        print("Refus d'écraser des grilles existantes (elles contiennent peut-être déjà des "
              "notes) : " + ", ".join(str(p) for p in existantes) + ". Choisissez un autre "
              "dossier --grilles. Rien n'a été écrit.", file=sys.stderr)
        return EXIT_ENTREE
    if len(chargement.constats):
        afficher_constats(chargement.constats)
    ecrits = ecrire_sorties(args, chargement.vague.nom, lus, fichiers)
    charges = repartition.charges(nouvelles_seulement=True)
    print(f"{len(repartition.probleme.dossiers)} dossiers répartis "
          f"({len(repartition.nouvelles())} lectures), {len(resultat.ineligibles)} inéligibles "
          f"non répartis ; charges de {min(charges.values())} à {max(charges.values())} ; "
          f"recouvrement minimal entre deux jurés : {repartition.recouvrement_min} "
          f"(borne {repartition.borne_recouvrement}) ; {repartition.statut}.")
    if resultat.non_placees:
        print(f"{resultat.non_placees} lecture(s) n'ont pu être placées : tous les jurés "
              "libres lisent déjà ces dossiers.")
    for avis in repartition.avis:
        print(f"[AVIS] {avis}")
    print("Écrit : " + ", ".join(str(p) for p in ecrits[:3])
          + (f" et {len(ecrits) - 3} autres" if len(ecrits) > 3 else ""))
    return EXIT_OK


def commande_check(args: argparse.Namespace) -> int:
    """``fabriques check``: every finding of the wave, its programme and its history at
    once — the very findings ``allocate`` reads them with; exit 2 when one is an error."""

    chargement = charger_vague(args)
    afficher_constats(chargement.constats, detail=args.detail)
    return EXIT_OK if chargement.valide else EXIT_ENTREE


def commande_score(args: argparse.Namespace) -> int:
    """``fabriques score``: write the scoring workbook, the meeting's revised notes in place
    (read from the wave's journal, as every verb does)."""
    from application.notation import rapport_scores
    from application.seance import journal_de
    from application.service import Parametres, Refus, noter_vague
    from commun.sorties import verifier_sorties

    mettre_de_cote()
    lecture = lire(args)
    if lecture.vague is None:
        return refuser(lecture.constats)
    vague = lecture.vague
    sortie = args.out or Path(f"scores-{vague.nom}.xlsx")
    journal = journal_de(args.vague, vague.nom, args.journal)
    lus = [*fichiers_lus(args, lecture), journal.chemin]
    verifier_sorties([sortie], lus)
    poids = vague.poids
    if args.poids:
        try:
            poids = {**poids, **_lire_poids(args.poids, set(poids))}
        except ValueError as erreur:
            print(f"[ERREUR] --poids : {erreur}", file=sys.stderr)
            return EXIT_ENTREE
    acces = acces_au_journal(args, journal, vague.nom)
    if acces is None:
        return EXIT_ENTREE
    parametres = acces.seance.appliquer(Parametres(methode=args.methode,
                                                   poids=tuple(sorted(poids.items()))))
    with etape("Notation"):
        notees = noter_vague(vague, parametres)
    if isinstance(notees, Refus):
        return refuser(notees.erreurs)
    revisee, scores = notees
    for avertissement in scores.avertissements:
        print(f"[AVERTISSEMENT] {avertissement}")
    with etape("Préparation du classeur"):
        contenu = rapport_scores(revisee, scores, lecture.constats, parametres.revisions,
                                 acces.journal.ancre() if acces.journal.existe else None)
    ecrire_sorties(args, vague.nom, lus, {sortie: contenu})
    meilleurs = scores.classement().head(5).join(vague.dossiers[["nom"]])
    methode = libelle(METHODES, scores.methode_effective)
    print(f"{len(vague.dossiers)} dossiers notés (méthode : {methode}"
          + (", choisie automatiquement" if scores.choix is not None else "") + ")"
          + (f", {len(parametres.revisions)} note(s) révisée(s) en séance"
             if parametres.revisions else "")
          + f" ; {len(lecture.constats.avertissements)} avertissement(s). Écrit : {sortie}")
    for rang, (identifiant, score, nom) in enumerate(
            zip(meilleurs.index, meilleurs["score"], meilleurs["nom"], strict=True), start=1):
        print(f"  {rang}. {identifiant}  {decimal(score)}  {nom}")
    return EXIT_OK


_PAIRE_POIDS = re.compile(r"\s*([^=,;\s]+)\s*=\s*(\d+(?:[.,]\d+)?)\s*(?:[,;]|$)")


def _lire_poids(texte: str, criteres: set[str]) -> dict[str, float]:
    """``offre=2,ancrage=1,5`` → weights (a decimal comma is accepted)."""
    poids: dict[str, float] = {}
    position = 0
    while position < len(texte):
        trouve = _PAIRE_POIDS.match(texte, position)
        if trouve is None:
            raise ValueError(f"« {texte[position:]} » : attendu critere=poids")
        critere, valeur = trouve.groups()
        if critere not in criteres:
            connus = ", ".join(sorted(criteres))
            raise ValueError(f"critère inconnu « {critere} » (connus : {connus})")
        poids[critere] = float(valeur.replace(",", "."))
        position = trouve.end()
    return poids
