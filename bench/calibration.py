"""Simulation study: which scoring method recovers the true best dossiers?

``python -m bench.calibration [--graines 10] [--dossiers 240]`` simulates waves whose truth
is known — each dossier's quality per criterion — scored by 10 jurors on 0–10, each dossier
read by 3, 4 or 6 of them (a balanced, random incomplete design), for three kinds of jury:

- ``égaux``: jurors who differ only by noise of the same size (σ = 0.8);
- ``mixte``: the personalities of real panels (Wang & Shah 2019, « Your 2 is my 1 »): one
  severe (−1.8 points), one lenient (+1.6), one narrow (scale 0.35), one erratic (σ = 2.4)
  and six near the panel with their own small bias, scale and noise;
- ``un erratique``: nine equal jurors and one erratic (σ = 2.4, scale 0.3).

For every method (``auto`` included) it prints the share of the true top 30 that the
method's top 30 holds and the rank correlation with the truth (Spearman), averaged over the
seeds, with the standard error of the mean. The truth of a dossier is the mean of its true
criterion qualities; notes are rounded to whole points and clipped to the scale, as jurors
write them.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from application.entrees import Critere, Jure, Vague
from application.methodes import METHODES
from application.notation import ScoresVague
from application.service import Parametres, Refus, noter_vague

CRITERES = ("offre", "competences", "modele_economique", "gouvernance", "ancrage",
            "robustesse")
NOMBRE_JURES = 10
TOP = 30


@dataclass(frozen=True)
class Personnalite:
    """How one juror turns a quality into a note: shift, scale around 6, noise."""

    biais: float
    echelle: float
    bruit: float


JURYS: dict[str, tuple[Personnalite, ...]] = {
    "égaux": tuple(Personnalite(0.0, 1.0, 0.8) for _ in range(NOMBRE_JURES)),
    "mixte": (
        Personnalite(0.0, 1.0, 0.7), Personnalite(-1.8, 1.0, 0.7),
        Personnalite(1.6, 1.0, 0.7), Personnalite(0.4, 0.35, 0.4),
        Personnalite(0.0, 0.3, 2.4), Personnalite(0.3, 1.1, 0.8),
        Personnalite(-0.4, 0.9, 0.7), Personnalite(0.2, 1.2, 0.8),
        Personnalite(-0.2, 1.0, 0.9), Personnalite(0.1, 0.9, 0.7),
    ),
    "un erratique": (*(Personnalite(0.0, 1.0, 0.8) for _ in range(NOMBRE_JURES - 1)),
                     Personnalite(0.0, 0.3, 2.4)),
}


def simuler(jury: str, lecteurs: int, graine: int, dossiers: int = 240
            ) -> tuple[Vague, pd.Series]:
    """A wave scored by the ``jury`` kind, each dossier read by ``lecteurs`` jurors, and the
    true score of each dossier."""
    rng = np.random.default_rng(graine)
    ids = [f"D{i:03d}" for i in range(dossiers)]
    niveau = rng.normal(6.0, 1.3, dossiers)
    qualite = niveau[:, None] + rng.normal(0.0, 0.9, (dossiers, len(CRITERES)))
    charge = np.zeros(NOMBRE_JURES)
    lignes = []
    for d in range(dossiers):
        ordre = rng.permutation(NOMBRE_JURES)
        choisis = sorted(ordre[np.argsort(charge[ordre], kind="stable")][:lecteurs])
        charge[choisis] += 1
        for j in choisis:
            p = JURYS[jury][j]
            brutes = (6.0 + p.biais + p.echelle * (qualite[d] - 6.0)
                      + rng.normal(0.0, p.bruit, len(CRITERES)))
            for c, note in zip(CRITERES, np.clip(np.rint(brutes), 0, 10), strict=True):
                lignes.append((ids[d], f"J{j + 1:02d}", c, float(note)))
    notes = pd.DataFrame(lignes, columns=["dossier", "jure", "critere", "note"])
    notes["commentaire"] = None
    registre = pd.DataFrame({"nom": ids, "departement": "35", "qpv": False, "numerique": False},
                            index=pd.Index(ids, name="dossier"))
    vague = Vague(
        nom=f"simulation-{jury}-{lecteurs}-{graine}", numero=1, chemin=Path("simulation"),
        dossiers=registre,
        jury=tuple(Jure(f"J{j + 1:02d}", f"Juré {j + 1}", "cntl") for j in range(NOMBRE_JURES)),
        criteres=tuple(Critere(c, c, 1.0, 0.0, 10.0) for c in CRITERES),
        deports=frozenset(), notes=notes, notes_ecartees=notes.iloc[0:0], sources=())
    return vague, pd.Series(qualite.mean(axis=1), index=ids)


def _noter(vague: Vague, methode: str) -> ScoresVague:
    """``vague`` scored by ``methode`` through the application service, as the tool does."""
    notee = noter_vague(vague, Parametres(methode=methode))
    assert not isinstance(notee, Refus)  # no note revised in a meeting: nothing to refuse
    return notee[1]


def mesurer(vague: Vague, verite: pd.Series, methode: str) -> tuple[float, float]:
    """(share of the true top 30 in the method's top 30, Spearman correlation)."""
    score = _noter(vague, methode).score.reindex(verite.index)
    vrais = set(verite.sort_values(ascending=False, kind="stable").index[:TOP])
    ordre = score.sort_values(ascending=False, kind="stable")
    trouves = set(ordre.index[:TOP])
    return len(vrais & trouves) / TOP, float(score.rank().corr(verite.rank()))


def etude(graines: int = 10, dossiers: int = 240,
          lecteurs: tuple[int, ...] = (3, 4, 6)) -> pd.DataFrame:
    """Every jury kind × readers per dossier × method, averaged over ``graines`` seeds."""
    lignes = []
    for jury in JURYS:
        for k in lecteurs:
            for graine in range(graines):
                vague, verite = simuler(jury, k, 1000 + graine, dossiers)
                choix = _noter(vague, "auto").choix
                for methode in METHODES:
                    part, rho = mesurer(vague, verite, methode)
                    lignes.append({"jury": jury, "lecteurs": k, "graine": graine,
                                   "methode": methode, "top30": part, "spearman": rho,
                                   "choix_auto": choix.methode if choix else ""})
    return pd.DataFrame(lignes)


def tableau(resultats: pd.DataFrame) -> pd.DataFrame:
    """Mean (± standard error) of the top-30 recovery per jury, readers and method."""
    groupes = resultats.groupby(["jury", "lecteurs", "methode"], sort=False)
    resume = groupes.agg(top30=("top30", "mean"), et=("top30", "sem"),
                         spearman=("spearman", "mean"))
    return resume.reset_index()


def comparaison(resultats: pd.DataFrame, par: tuple[str, ...] = ("jury", "lecteurs")
                ) -> pd.DataFrame:
    """``auto`` against the best single method of each group (``par``: a row of the table,
    or a jury type over its three designs), paired over the seeds and designs.

    The best single method is the one with the highest mean recovery in that row; the
    difference ``auto − best`` is taken seed by seed (same waves for both), so its standard
    error is that of a paired difference. A 95 % interval that holds zero means the study
    cannot tell the two apart.
    """
    lignes = []
    for groupe, bloc in resultats.groupby(list(par), sort=False):
        parts = bloc.pivot_table(index=["lecteurs", "graine"], columns="methode",
                                 values="top30")
        seules = parts.drop(columns="auto").mean().sort_values(ascending=False, kind="stable")
        meilleure = str(seules.index[0])
        meilleure_part = float(seules.to_numpy()[0])
        ecarts = parts["auto"] - parts[meilleure]
        # the standard error of the mean (pandas' ``sem``)
        marge = (1.96 * float(ecarts.std(ddof=1)) / len(ecarts) ** 0.5 if len(ecarts) > 1
                 else float("nan"))
        lignes.append({**dict(zip(par, groupe, strict=True)), "meilleure": meilleure,
                       "auto": float(parts["auto"].mean()),
                       "meilleure_part": meilleure_part,
                       "ecart": float(ecarts.mean()), "marge95": marge})
    return pd.DataFrame(lignes)


def main(argv: list[str] | None = None) -> int:
    """Run the study and print its table."""
    parser = argparse.ArgumentParser(description="Étude par simulation des méthodes de notation")
    parser.add_argument("--graines", type=int, default=10)
    parser.add_argument("--dossiers", type=int, default=240)
    parser.add_argument("--csv", type=Path, help="résultats par graine et méthode (CSV)")
    args = parser.parse_args(argv)
    debut = time.perf_counter()
    resultats = etude(args.graines, args.dossiers)
    table = tableau(resultats)
    for (jury, k), bloc in table.groupby(["jury", "lecteurs"], sort=False):
        du_bloc = resultats[(resultats["jury"] == jury) & (resultats["lecteurs"] == k)]
        choix = du_bloc.drop_duplicates("graine")["choix_auto"].value_counts()
        print(f"\njury {jury}, {k} lecteurs par dossier — auto a choisi : "
              + ", ".join(f"{m} ×{n}" for m, n in choix.items()))
        print("| méthode | top 30 retrouvé | rang (Spearman) |")
        print("|---|---|---|")
        for ligne in bloc.itertuples():
            print(f"| {ligne.methode} | {ligne.top30:.1%} ± {ligne.et:.1%} | "
                  f"{ligne.spearman:.3f} |")
    print("\n| jury, lecteurs | meilleure méthode seule | auto | auto − meilleure "
          "(IC 95 % apparié) |")
    print("|---|---|---|---|")
    for ligne in comparaison(resultats).itertuples():
        print(f"| {ligne.jury}, {ligne.lecteurs} | {ligne.meilleure} {ligne.meilleure_part:.1%} "
              f"| {ligne.auto:.1%} | {ligne.ecart:+.1%} ± {ligne.marge95:.1%} |")
    for ligne in comparaison(resultats, ("jury",)).itertuples():
        print(f"| {ligne.jury}, 3 + 4 + 6 | {ligne.meilleure} {ligne.meilleure_part:.1%} "
              f"| {ligne.auto:.1%} | {ligne.ecart:+.1%} ± {ligne.marge95:.1%} |")
    if args.csv:
        resultats.to_csv(args.csv, index=False)
    print(f"\n{args.graines} graines × {len(JURYS)} jurys × 3 plans, {args.dossiers} dossiers : "
          f"{time.perf_counter() - debut:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
