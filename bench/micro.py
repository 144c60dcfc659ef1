"""Micro-benchmarks of one domain function each — the scoring fit, the solver, the engine,
the robustness draws, a stress wave in memory: they time that function alone, so they name it
(the one exception to « the bench goes through the application service », written in the
import-linter contract)."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from allocation.analyses.arbitrages import robustesse
from allocation.modele.probleme import ProblemeVague, construire_probleme
from allocation.resolution.modele_lp import modele_pulp
from allocation.resolution.moteur import MoteurVague
from allocation.resolution.solveur import resoudre
from bench.contexte import Chrono, Contexte, Mesure
from lecture.historique import historique_vide
from lecture.modele import Critere, Jure, Vague
from lecture.programme import Regles
from notation.normalisation import noter


def biais(c: Contexte, n: int, rapide: bool, chrono: Chrono) -> Mesure:
    # A copy each time: the fits are cached per wave, and the fit itself is what is timed.
    durees = chrono(lambda: noter(replace(c.vague_3000), "bias"), n)
    return Mesure(durees, detail=f"{len(c.vague_3000.notes):,} notes".replace(",", " "),
                  atteinte=float(np.median(durees)) <= 1.0)


def solve_nu(probleme: ProblemeVague, repetitions: int) -> list[float]:
    """The bare HiGHS solve: the wave's phase-1 model written to MPS, read by highspy, and
    only ``Highs.run()`` timed (no Python model around it)."""
    import highspy  # the bare solver, outside the engine (the one scenario that needs it)

    chemin = Path(__file__).parent / ".modele-nu.mps"
    modele_pulp(probleme).writeMPS(str(chemin))
    durees = []
    try:
        for _ in range(repetitions + 1):
            h = highspy.Highs()
            h.setOptionValue("output_flag", False)
            h.setOptionValue("mip_rel_gap", 0.0)
            h.setOptionValue("threads", 1)
            h.readModel(str(chemin))
            debut = time.perf_counter()
            h.run()
            durees.append(time.perf_counter() - debut)
    finally:
        chemin.unlink(missing_ok=True)
    return durees[1:]


def resolution(c: Contexte, n: int, rapide: bool, chrono: Chrono) -> Mesure:
    probleme = c.resultat_300().probleme
    durees = chrono(lambda: resoudre(probleme), n)
    nu = float(np.median(solve_nu(probleme, n)))
    ratio = float(np.median(durees)) / nu
    return Mesure(durees, ratio, f"solve HiGHS nu : {nu * 1000:.1f} ms ; réduction + 2 phases",
                  ratio <= 2.0)


def moteur(c: Contexte, n: int, rapide: bool, chrono: Chrono) -> Mesure:
    probleme = c.resultat_300().probleme
    moteur = MoteurVague(probleme)
    durees = chrono(lambda: moteur.resoudre(), n)
    nu = float(np.median(solve_nu(probleme, n)))
    ratio = float(np.median(durees)) / nu
    return Mesure(durees, ratio, f"modèle highspy construit une fois ; nu {nu * 1000:.1f} ms",
                  ratio <= 2.0)


def robustesse_1000(c: Contexte, n: int, rapide: bool, chrono: Chrono) -> Mesure:
    vague = c.chargement_300.vague
    assert vague is not None
    probleme = c.resultat_300().probleme
    durees = chrono(lambda: robustesse(vague, probleme, tirages=1000), 1 if rapide else 3)
    return Mesure(durees, detail="1 000 tirages + 10 sans un juré + 7 méthodes, 2 processus",
                  atteinte=float(np.median(durees)) <= 15.0)


def vague_en_memoire(taille: int, graine: int = 1) -> Vague:
    """A wave of ``taille`` dossiers built with numpy (no file, no per-dossier loop): real
    departments, 6 of 10 jurors per dossier, one juror severe."""
    rng = np.random.default_rng(graine)
    codes = pd.Index([f"V09-{i:06d}" for i in range(taille)], name="dossier")
    departements = np.array([f"{d:02d}" for d in range(1, 96) if d != 20])
    departement = departements[rng.integers(0, len(departements), taille)]
    qpv = rng.random(taille) < 0.52
    dossiers = pd.DataFrame({
        "nom": "Fabrique", "porteur": "Association", "siret": "73282932000074",
        "forme_juridique": "Association loi 1901", "commune": "", "code_commune": "35047",
        "departement": departement, "qpv": qpv, "numerique": qpv & (rng.random(taille) < 0.2),
        "montant": pd.array(rng.integers(15, 31, taille) * 5000, dtype="Int64"),
        "montant_annuel": np.nan, "etp": 2.0, "video": True,
        "lieux": [(f"L{i}",) for i in range(taille)], "ligne": np.arange(taille) + 2,
        "fichier": "memoire",
    }, index=codes)
    jures = [f"J{j:02d}" for j in range(1, 11)]
    criteres = ["offre", "competences", "modele_economique", "gouvernance", "ancrage",
                "robustesse"]
    choix = np.argsort(rng.random((taille, len(jures))), axis=1)[:, :6]
    qualite = rng.normal(6, 1.3, taille)
    biais = np.array([0, -1.8, 1.6, 0, 0, 0, 0, 0, 0, 0])
    d = np.repeat(np.arange(taille), 6 * len(criteres))
    j = np.repeat(choix, len(criteres), axis=1).ravel()
    k = np.tile(np.arange(len(criteres)), taille * 6)
    note = np.clip(np.round(qualite[d] + biais[j] + rng.normal(0, 0.8, len(d))), 0, 10)
    notes = pd.DataFrame({"dossier": codes.to_numpy()[d], "jure": np.array(jures)[j],
                          "critere": np.array(criteres)[k], "note": note.astype(float),
                          "commentaire": None})
    return Vague(nom="vague-09", numero=9, chemin=Path("memoire"), dossiers=dossiers,
                 jury=tuple(Jure(x, x, "cntl") for x in jures),
                 criteres=tuple(Critere(x, x, 1.0, 0.0, 10.0) for x in criteres),
                 deports=frozenset(), notes=notes, notes_ecartees=notes.iloc[0:0], sources=())


def stress(taille: int) -> None:
    """Score and solve one in-memory wave; print duration and peak memory as JSON."""
    import resource  # Unix only: the stress run's own process

    vague = vague_en_memoire(taille)
    debut = time.perf_counter()
    scores = noter(vague, "raw")
    notes_s = time.perf_counter() - debut
    regles = Regles(cible_total=300, cible_qpv=150, cible_hors_qpv=150, cible_numeriques=30,
                    nombre_vagues=10, enveloppe_totale=45_000_000, montant_min=75_000,
                    montant_max=150_000, montant_annuel_max=50_000,
                    max_par_departement_programme=8, numero=1, max_laureats=30,
                    tolerance_rythme=2, max_par_departement_vague=2, enveloppe_vague=None,
                    note_minimale=0)
    milieu = time.perf_counter()
    probleme = construire_probleme(vague.dossiers, scores.score, regles, historique_vide())
    allocation = resoudre(probleme)
    fin = time.perf_counter()
    assert allocation.optimale and len(allocation.laureats) == 30
    pic = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(json.dumps({"duree": fin - debut, "notes_s": notes_s, "resolution_s": fin - milieu,
                      "pic_mo": int(pic)}))
