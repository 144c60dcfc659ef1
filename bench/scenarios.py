"""The benchmark scenarios of issue 8, each with its target on a 2-core machine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from application.entrees import charger, lire_vague
from application.service import Parametres, Resultat, decider_vague
from application.tables import classement
from bench import micro
from bench.contexte import RACINE, Chrono, Contexte, Mesure


@dataclass(frozen=True)
class Scenario:
    nom: str
    cible: str
    mesurer: Callable[[Contexte, int, bool, Chrono], Mesure]


def _lecture(c: Contexte, n: int, rapide: bool, chrono: Chrono) -> Mesure:
    durees = chrono(lambda: lire_vague(c.vague_300), n)
    return Mesure(durees, detail="calamine ; 11 classeurs",
                  atteinte=float(np.median(durees)) <= 1.5)


def _what_if(c: Contexte, n: int, rapide: bool, chrono: Chrono) -> Mesure:
    vague = c.chargement_300.vague
    assert vague is not None
    jeux = [{k: 1.0 + ((i + j) % 3) for j, k in enumerate(vague.poids)} for i in range(5)]
    compteur = iter(range(10**9))

    def cycle() -> object:
        resultat = c.resultat_300(jeux[next(compteur) % len(jeux)], avec_decision=True)
        assert resultat.decision is not None
        return classement(resultat.decision)

    durees = chrono(cycle, max(n, 5))
    return Mesure(durees, detail="service : poids → notes → problème → résolution → "
                                 "décision → classement",
                  atteinte=float(np.median(durees)) <= 0.150)


def _commande(*arguments: str | Path) -> Callable[[], object]:
    """A process to time as a user runs it: with its modules' bytecode cached (the warm-up
    run writes it even where PYTHONDONTWRITEBYTECODE is set, as on the CI machines)."""
    commande = [sys.executable, "-m", *map(str, arguments)]
    environnement = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return lambda: subprocess.run(commande, check=True, capture_output=True, cwd=RACINE,
                                  env=environnement)


def _allocate(c: Contexte, n: int, rapide: bool, chrono: Chrono) -> Mesure:
    durees = chrono(_commande("fabriques.cli", "allocate", c.vague_300, "--out",
                              c.dossier / "allocation.xlsx"), n)
    return Mesure(durees, detail="processus complet, écriture du classeur comprise",
                  atteinte=float(np.median(durees)) <= 3.0)


def _repartir(c: Contexte, n: int, rapide: bool, chrono: Chrono) -> Mesure:
    """``fabriques repartir`` on the 300-dossier wave, K = 4, grids written."""
    durees = chrono(_commande("fabriques.cli", "repartir", c.vague_300, "--par-dossier", "4",
                              "--out", c.dossier / "affectation.xlsx", "--grilles",
                              c.dossier / "grilles"), n)
    return Mesure(durees, detail="processus complet : lecture, ILP, échanges, classeur et 10 "
                                 "grilles", atteinte=float(np.median(durees)) <= 5.0)


def _allocate_contre_minimal(vague: Path, n: int, chrono: Chrono) -> Mesure:
    """``fabriques allocate`` as a whole process on ``vague``, against the minimal pipeline
    of :mod:`bench.minimal` on the same files, both timed here in alternation: the ratio is
    the median of the paired runs' ratios."""
    allocate = _commande("fabriques.cli", "allocate", vague, "--out",
                         vague.parent / "allocation.xlsx")
    reference = _commande("bench.minimal", vague, vague.parent / "programme.toml",
                          vague.parent / "minimal.xlsx")
    durees, minimal = [], []
    for _ in range(max(n, 5)):  # alternated, so that both see the same machine
        durees += chrono(allocate, 1)
        minimal += chrono(reference, 1)
    ratio = float(np.median([a / b for a, b in zip(durees, minimal, strict=True)]))
    resultat = decider_vague(charger(vague), Parametres())
    assert isinstance(resultat, Resultat) and resultat.decision is not None
    expliques = len(resultat.decision.explications)
    return Mesure(durees, ratio, f"minimal (lecture → moyenne → ILP → écriture) : "
                                 f"{float(np.median(minimal)):.2f} s ; {len(durees)} paires ; "
                                 f"{expliques} mieux notés non retenus expliqués", ratio <= 2.0)


def _allocate_serre(c: Contexte, n: int, rapide: bool, chrono: Chrono) -> Mesure:
    """``fabriques allocate`` on the tight-cap wave, against the minimal pipeline."""
    return _allocate_contre_minimal(c.serre, n, chrono)


def _allocate_difficile(c: Contexte, n: int, rapide: bool, chrono: Chrono) -> Mesure:
    """``fabriques allocate`` on issue 30's hard wave, against the minimal pipeline."""
    return _allocate_contre_minimal(c.difficile, n, chrono)


def _arbitrages(vague: Path, rapide: bool, chrono: Chrono) -> Mesure:
    sortie = vague.parent / "arbitrages.xlsx"
    durees = chrono(_commande("fabriques.cli", "tradeoffs", vague, "--out", sortie,
                              "--tirages", "1000"), 1 if rapide else 3)
    return Mesure(durees, detail="processus complet : prix, 3 frontières, 1 000 tirages",
                  atteinte=float(np.median(durees)) <= 15.0)


def _arbitrages_serre(c: Contexte, n: int, rapide: bool, chrono: Chrono) -> Mesure:
    return _arbitrages(c.serre, rapide, chrono)


def _arbitrages_difficile(c: Contexte, n: int, rapide: bool, chrono: Chrono) -> Mesure:
    return _arbitrages(c.difficile, rapide, chrono)


def _stress(c: Contexte, n: int, rapide: bool, chrono: Chrono) -> Mesure:
    taille = 20_000 if rapide else 100_000
    sortie = subprocess.run(
        [sys.executable, "-c", f"from bench.micro import stress; stress({taille})"],
        check=True, capture_output=True, text=True, cwd=RACINE)
    mesure = json.loads(sortie.stdout.strip().splitlines()[-1])
    return Mesure([mesure["duree"]],
                  detail=f"{taille:,} dossiers ; notes {mesure['notes_s']:.1f} s, résolution "
                         f"{mesure['resolution_s']:.1f} s ; pic mémoire "
                         f"{mesure['pic_mo']:,} Mo".replace(",", " "),
                  atteinte=mesure["duree"] <= 60 and mesure["pic_mo"] <= 4096)


def _premier_chargement(c: Contexte, n: int, rapide: bool, chrono: Chrono) -> Mesure:
    # Playwright (a test extra) is loaded only by the browser scenarios
    from bench.navigateur import CHROMIUM, chromium, premier_chargement

    if not CHROMIUM.exists():
        return Mesure([float("nan")], detail="Chromium absent")
    with chromium() as navigateur:
        durees = [premier_chargement(navigateur) for _ in range(min(n, 3))]
    return Mesure(durees, detail="serveur neuf à chaque fois ; vague d'exemple",
                  atteinte=float(np.median(durees)) <= 3.0)


def _clics(c: Contexte, n: int, rapide: bool, chrono: Chrono) -> Mesure:
    # Playwright (a test extra) is loaded only by the browser scenarios
    from bench.navigateur import CHANGEMENTS, CHROMIUM, chromium, clics_vers_chiffres, serveur

    if not CHROMIUM.exists():
        return Mesure([float("nan")], detail="Chromium absent")
    with chromium() as navigateur, serveur() as (adresse, _):
        durees = clics_vers_chiffres(navigateur, adresse)
    return Mesure(durees, detail=f"{len(CHANGEMENTS)} changements de règle, chacun nouveau",
                  atteinte=float(np.median(durees)) <= 0.25)


SCENARIOS = [
    Scenario("lecture d'une vague dossier (10 grilles × 300 × 6)", "≤ 1,5 s", _lecture),
    Scenario("normalisation bias (3 000 × 10 × 6)", "≤ 1 s", micro.biais),
    Scenario("résolution d'une vague de 300 (resoudre)", "≤ 2 × solve HiGHS nu", micro.resolution),
    Scenario("résolution d'une vague de 300 (moteur)", "≤ 2 × solve HiGHS nu", micro.moteur),
    Scenario("what-if (poids → classement), 300", "médiane ≤ 150 ms", _what_if),
    Scenario("fabriques allocate, 300 dossiers", "≤ 3 s", _allocate),
    Scenario("robustesse, 1 000 tirages, 300", "≤ 15 s", micro.robustesse_1000),
    Scenario("fabriques allocate, vague serrée de 260", "≤ 2 × pipeline minimal",
             _allocate_serre),
    Scenario("fabriques tradeoffs, vague serrée, 1 000 tirages", "≤ 15 s", _arbitrages_serre),
    Scenario("fabriques allocate, vague difficile de 260", "≤ 2 × pipeline minimal",
             _allocate_difficile),
    Scenario("fabriques tradeoffs, vague difficile, 1 000 tirages", "≤ 15 s",
             _arbitrages_difficile),
    Scenario("stress : notes + résolution", "≤ 60 s, ≤ 4 Go", _stress),
    Scenario("fabriques repartir, 300 dossiers, K = 4", "≤ 5 s", _repartir),
    Scenario("navigateur : premier chargement", "≤ 3 s", _premier_chargement),
    Scenario("navigateur : clic → chiffres (Sélection)", "médiane ≤ 250 ms", _clics),
]

