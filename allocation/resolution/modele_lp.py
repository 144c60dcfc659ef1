"""The named PuLP model of one wave, generated from the rule catalogue
(:mod:`allocation.modele.regles`): every constraint carries its rule's name, every variable its
dossier's id. ``fabriques allocate --modele modele.lp`` writes it for audit — the exact model
the engine solves first (best total), readable by any LP solver.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulp

from allocation.modele.departage import au_micro_point
from allocation.modele.objectifs import termes
from allocation.modele.probleme import ProblemeVague
from allocation.modele.regles import INFINI
from allocation.resolution.moteur import MoteurVague
from allocation.resolution.solveur import candidats_utiles
from commun.highs import nom_sur


def modele_pulp(probleme: ProblemeVague, reduit: bool = True) -> pulp.LpProblem:
    """The PuLP model of the wave: maximise the selected scores (rounded to 1e-6) under the
    catalogue's rows; the jury's forcings and exclusions, the quality floor and the missing
    scores are variable bounds. ``reduit``: on the candidates
    :func:`~allocation.resolution.solveur.resoudre` solves (the
    dominated ones left out), as the engine does."""
    from dataclasses import replace

    base = replace(probleme, dossiers=tuple(candidats_utiles(probleme))) if reduit else probleme
    moteur = MoteurVague(base, depart=False)
    pb = pulp.LpProblem("vague", pulp.LpMaximize)
    bornes = moteur.bornes_colonnes()
    x = {}
    for k, (identifiant, (bas, haut)) in enumerate(zip(moteur.ids, bornes, strict=True)):
        x[identifiant] = pb.add_variable(f"x_{k:04d}_{nom_sur(identifiant)}", lowBound=bas,
                                         upBound=haut, cat=pulp.LpInteger)
    objectif: list[Any] = [au_micro_point(float(moteur.scores[k])) * x[i]
                           for k, i in enumerate(moteur.ids) if bornes[k][1] > 0]
    for ligne in moteur.lignes:
        somme = pulp.lpSum(k * x[i] for i, k in zip(ligne.membres, ligne.coefficients,
                                                    strict=True))
        _borner(pb, somme, ligne.bas, ligne.haut, ligne.nom)
    for terme in termes(base):
        y = pb.add_variable(terme.nom, lowBound=0,
                            upBound=None if terme.haut == INFINI else terme.haut,
                            cat=pulp.LpInteger if terme.entiere else pulp.LpContinuous)
        objectif.append(terme.cout * y)
        somme = pulp.lpSum(k * x[i] for i, k in zip(terme.membres, terme.coefficients,
                                                    strict=True) if i in x)
        _borner(pb, somme + terme.coefficient_terme * y, terme.bas, terme.haut_ligne,
                f"lien_{terme.nom}")
    pb += pulp.lpSum(objectif)
    return pb


def _borner(pb: pulp.LpProblem, somme: Any, bas: float, haut: float, nom: str) -> None:
    if bas == haut:
        pb += somme == bas, nom
        return
    if bas > -INFINI:
        pb += somme >= bas, f"{nom}_min" if haut < INFINI else nom
    if haut < INFINI:
        pb += somme <= haut, f"{nom}_max" if bas > -INFINI else nom


def texte_modele(probleme: ProblemeVague) -> bytes:
    """The model as an LP file with named constraints (PuLP writes it in a private
    temporary folder, deleted at once)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="fabriques-") as dossier:
        chemin = Path(dossier) / "modele.lp"
        modele_pulp(probleme).writeLP(str(chemin))
        return chemin.read_bytes()

