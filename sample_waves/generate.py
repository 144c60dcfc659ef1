"""Seeded, deterministic generator of the bundled sample waves.

Run ``python -m sample_waves.generate`` to rewrite ``sample_waves/`` byte for byte. The
committed files are its output; a test regenerates them and compares.

What it makes (see ``sample_waves/README.md`` for the ground truth a test can rely on):

- ``programme.toml`` — the programme rules, no wave number (read from each wave's name);
- ``laureats.xlsx`` — the laureates of waves 1–4, drawn so that they obey the paces, the
  department caps and the one-place rule;
- ``vague-05.xlsx`` — one workbook, one score sheet per juror;
- ``vague-06/`` — a folder: ``dossiers.xlsx``, ``jury.xlsx``, ``notes/J01.xlsx`` … ``J10.xlsx``,
  and ``laureats.xlsx``: waves 1–4 plus the jury's decision of wave 5 (the history the
  secretariat has when wave 6 is decided).
- ``vague-07/`` — a démarches-simplifiées xlsx export as the platform writes it
  (:mod:`sample_waves.plateforme_ds`) with ``jury.xlsx``, ``notes/``, its own
  ``programme.toml`` (2022) and the history of waves 1–6; a dossier filed before the form asked
  the commune makes ``check`` stop on it, as a received export would.
- ``vague-08/`` — a wave assigned by ``fabriques repartir``, its notes typed into the grids it
  wrote (:mod:`sample_waves.repartie`), with its own ``programme.toml`` and the history of
  waves 1–7.

This module only strings the sample set together; the building blocks are modules of their
own: the programme's rules and ``programme.toml`` (:mod:`sample_waves.programme`), where
dossiers are placed (:mod:`sample_waves.territoire`), a dossier (:mod:`sample_waves.dossiers`)
and the cases planted in them (:mod:`sample_waves.cas_plantes`), the juries and their
personalities (:mod:`sample_waves.jury`), a wave's draw (:mod:`sample_waves.vague`), the
history of laureates (:mod:`sample_waves.historique`), the workbooks
(:mod:`sample_waves.ecriture`) and the wave received from démarches-simplifiées
(:mod:`sample_waves.exportee`).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from commun.ecriture import ecrire_atomiquement
from sample_waves.ecriture import ecrire_classeur, ecrire_vague_classeur, ecrire_vague_dossier
from sample_waves.exportee import ecrire_export_demarches, generer_vague_07
from sample_waves.historique import decider_vague, generer_historique
from sample_waves.programme import annee_de_la_vague, programme_toml
from sample_waves.repartie import generer_vague_08
from sample_waves.territoire import Territoire
from sample_waves.vague import Vague, ajouter_anomalies_benignes, generer_vague

SEED = 20_200_215  # the day the first 80 Fabriques were announced
SAMPLE_DIR = Path(__file__).resolve().parent


def generer(out_dir: Path = SAMPLE_DIR, seed: int = SEED) -> dict[str, Vague]:
    """Write every sample file under ``out_dir``; return the waves with their ground truth."""
    rng = np.random.default_rng(seed)
    territoire = Territoire.charger()
    historique = generer_historique(rng, territoire, range(1, 5))
    lieux_laureats = sorted(historique["lieux"])

    vague5 = generer_vague(rng, 5, 220, lieux_laureats, territoire)
    ajouter_anomalies_benignes(rng, vague5)
    historique6 = decider_vague(vague5, historique)
    vague6 = generer_vague(rng, 6, 260, sorted(historique6["lieux"]), territoire)
    ajouter_anomalies_benignes(rng, vague6)

    ecrire_atomiquement(out_dir / "programme.toml", programme_toml().encode())
    ecrire_classeur(out_dir / "laureats.xlsx", [("laureats", historique)])
    ecrire_vague_classeur(vague5, out_dir / "vague-05.xlsx")
    ecrire_vague_dossier(vague6, out_dir / "vague-06")
    ecrire_classeur(out_dir / "vague-06" / "laureats.xlsx", [("laureats", historique6)])
    historique7 = decider_vague(vague6, historique6)
    vague7 = generer_vague_07(rng, territoire, sorted(historique7["lieux"]))
    ecrire_export_demarches(vague7, out_dir / "vague-07")
    ecrire_classeur(out_dir / "vague-07" / "laureats.xlsx", [("laureats", historique7)])
    ecrire_atomiquement(out_dir / "vague-07" / "programme.toml",
                        programme_toml(vague={"annee": annee_de_la_vague(7)}).encode())
    # A wave assigned by ``fabriques repartir``, its notes typed into the grids it wrote.
    historique8 = decider_vague(vague7, historique7)
    ecrire_classeur(out_dir / "vague-08" / "laureats.xlsx", [("laureats", historique8)])
    ecrire_atomiquement(out_dir / "vague-08" / "programme.toml",
                        programme_toml(vague={"annee": annee_de_la_vague(8)}).encode())
    generer_vague_08(rng, territoire, sorted(historique8["lieux"]), out_dir / "vague-08")
    return {"vague-05": vague5, "vague-06": vague6, "vague-07": vague7}


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: regenerate the sample waves (default: into this folder)."""
    parser = argparse.ArgumentParser(description="Régénère les vagues d'exemple.")
    parser.add_argument("--out", type=Path, default=SAMPLE_DIR)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    vagues = generer(args.out, args.seed)
    for nom, vague in vagues.items():
        print(f"{nom}: {len(vague.dossiers)} dossiers, {len(vague.notes)} notes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
