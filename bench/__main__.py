"""Benchmarks: ``python -m bench [--quick] [--json resultats.json]``.

Each scenario is timed several times; the table gives the median, the spread (min–max) and
the target; the solver-bound rows also give their ratio to the bare HiGHS solve of the same
model measured in the same run. Waves are made by the sample generator at scale
(``sample_waves.vague.generer_vague``) in a temporary folder; the stress wave of 100,000
dossiers is built in memory. Speed is measured here, never asserted in the tests.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from bench import scenarios


@dataclass
class Ligne:
    """One scenario's measurements."""

    scenario: str
    cible: str
    mediane_s: float
    min_s: float
    max_s: float
    repetitions: int
    ratio: float | None = None  # to the bare HiGHS solve, for solver-bound rows
    detail: str = ""
    atteinte: bool | None = None


def chronometrer(fonction: Callable[[], object], repetitions: int) -> list[float]:
    """Wall-clock durations of ``repetitions`` calls (after one warm-up call)."""
    fonction()
    durees = []
    for _ in range(repetitions):
        debut = time.perf_counter()
        fonction()
        durees.append(time.perf_counter() - debut)
    return durees


def main(argv: list[str] | None = None) -> int:
    """Run every scenario, print the table, write the JSON."""
    parseur = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parseur.add_argument("--quick", action="store_true",
                         help="moins de répétitions, vague de stress de 20 000 dossiers")
    parseur.add_argument("--json", type=Path, default=None, help="résultats en JSON")
    parseur.add_argument("--seulement", default="",
                         help="seulement les scénarios dont le nom contient ce texte")
    args = parseur.parse_args(argv)
    repetitions = 3 if args.quick else 7
    lignes: list[Ligne] = []
    with tempfile.TemporaryDirectory(prefix="fabriques-bench-") as dossier:
        contexte = scenarios.Contexte.preparer(Path(dossier))
        for scenario in (s for s in scenarios.SCENARIOS if args.seulement in s.nom):
            print(f"… {scenario.nom}", file=sys.stderr, flush=True)
            resultat = scenario.mesurer(contexte, repetitions, args.quick, chronometrer)
            lignes.append(Ligne(scenario.nom, scenario.cible, statistics.median(resultat.durees),
                                min(resultat.durees), max(resultat.durees),
                                len(resultat.durees), resultat.ratio, resultat.detail,
                                resultat.atteinte))
    largeur = max(len(ligne.scenario) for ligne in lignes)
    print(f"{'scénario':<{largeur}}  {'médiane':>9}  {'min–max':>15}  {'ratio':>6}  "
          f"{'cible':<28} atteinte  détail")
    for ligne in lignes:
        ratio = f"{ligne.ratio:.2f}" if ligne.ratio is not None else ""
        atteinte = {True: "oui", False: "NON", None: "?"}[ligne.atteinte]
        print(f"{ligne.scenario:<{largeur}}  {ligne.mediane_s:8.3f}s  "
              f"{ligne.min_s:6.3f}–{ligne.max_s:6.3f}s  {ratio:>6}  {ligne.cible:<28} "
              f"{atteinte:<8}  {ligne.detail}")
    if args.json:
        args.json.write_text(json.dumps({
            "machine": {"python": platform.python_version(), "processeur": platform.machine(),
                        "coeurs": __import__("os").cpu_count()},
            "rapide": args.quick, "lignes": [asdict(ligne) for ligne in lignes]},
            ensure_ascii=False, indent=2), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
