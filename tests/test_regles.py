"""The rule catalogue and everything generated from it.

An oracle written here, straight from SPEC §4 and independent of the catalogue, judges
random selections of random waves (history, quality floor, variable grants, programme-wide
caps, shared places, jury decisions). The four generated forms — the HiGHS model, the named
PuLP model, the checker and the swap checks — must agree with it on every selection; a
deliberate mutation of any one rule of the catalogue must be caught; the diagnosis must be
the smallest relaxation, against brute force.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pulp
import pytest

import allocation.modele.regles as catalogue
from allocation.analyses.arbitrages import prix_des_regles
from allocation.analyses.decision import decider
from allocation.modele.probleme import ProblemeVague, construire_probleme
from allocation.modele.regles import FAMILLES, contraintes
from allocation.modele.regles_dossier import interdits
from allocation.modele.verification import Echanges, violations
from allocation.resolution.modele_lp import modele_pulp
from allocation.resolution.moteur import MoteurVague
from allocation.resolution.solveur import candidats_utiles, resoudre
from commun.highs import nom_sur
from lecture.historique import historique_vide
from lecture.programme import Objectifs
from tests.factories import regles, table

DEPARTEMENTS = ("35", "29", "22", "56")


def vague_aleatoire(rng: np.random.Generator, n: int | None = None) -> ProblemeVague:
    """A small random wave with a history, a floor, maybe variable grants and jury
    decisions: every rule of SPEC §4 has a chance to bind."""
    n = n or int(rng.integers(3, 9))
    lignes, notes = [], {}
    for i in range(n):
        qpv = bool(rng.integers(2))
        lieux = ["COMMUN"] if rng.random() < 0.2 else [f"L{i}"]
        ineligible = rng.random() < 0.1
        lignes.append((f"D{i}", str(rng.choice(DEPARTEMENTS)), qpv,
                       qpv and bool(rng.integers(2)),
                       int(rng.choice([75_000, 100_000, 150_000])), lieux))
        notes[f"D{i}"] = float(rng.integers(0, 21)) / 2
        if ineligible:
            notes[f"D{i}"] = float("nan")
    historique = pd.DataFrame({
        "dossier": [f"H{k}" for k in range(int(rng.integers(0, 6)))],
    })
    k = len(historique)
    historique = historique.assign(
        nom="", lieux=[(f"X{j}",) for j in range(k)],
        departement=[str(rng.choice(DEPARTEMENTS)) for _ in range(k)],
        qpv=[bool(rng.integers(2)) for _ in range(k)],
        numerique=[bool(rng.integers(2)) for _ in range(k)],
        montant=[int(rng.choice([75_000, 150_000])) for _ in range(k)], vague=1,
        annee=[int(rng.choice([2020, 2021])) for _ in range(k)])
    rules = regles(
        max_laureats=int(rng.integers(1, 5)), tolerance_rythme=int(rng.integers(0, 3)),
        cible_qpv=int(rng.integers(0, 8)), cible_hors_qpv=int(rng.integers(0, 8)),
        cible_numeriques=int(rng.integers(0, 4)), nombre_vagues=3, numero=2,
        max_par_departement_vague=int(rng.integers(1, 3)),
        max_par_departement_programme=int(rng.integers(1, 4)),
        enveloppe_vague=[None, 200_000, 300_000][int(rng.integers(3))],
        enveloppe_totale=int(rng.choice([700_000, 45_000_000])),
        note_minimale=float(rng.choice([0, 3])),
        objectifs=Objectifs(montants_variables=bool(rng.random() < 0.3)),
        max_par_an=[None, 3, 6][int(rng.integers(3))], annee=2021,
    )
    ids = [f"D{i}" for i in range(n)]
    admissibles = [i for i in ids if notes[i] >= rules.note_minimale]  # as validated
    forces = ({str(rng.choice(admissibles)): "jury"} if admissibles and rng.random() < 0.2
              else {})
    exclus = {i: "jury" for i in ids if rng.random() < 0.1 and i not in forces}
    probleme = construire_probleme(table(lignes), pd.Series(notes), rules, historique,
                                   forces, exclus)
    motifs = {i: ("pas de SIRET",) for i in ids if math.isnan(notes[i])}
    return replace(probleme, dossiers=tuple(
        replace(d, motifs=motifs.get(d.dossier, ()), score=0.0 if d.dossier in motifs
                else d.score) for d in probleme.dossiers))


# --------------------------------------------------------------------------- the oracle


def oracle_lignes(p: ProblemeVague, selection: set[str]) -> bool:
    """SPEC §4's rules on the whole selection, written plainly from the problem's fields."""
    r = p.regles
    choisis = [d for d in p.dossiers if d.dossier in selection]
    if len(choisis) > r.max_laureats:
        return False
    if r.max_par_an is not None and r.annee is not None and choisis and \
            len(choisis) + p.deja_annee > r.max_par_an:
        return False  # a year already over its cap closes it: no laureate, no more
    comptes = {"qpv": sum(d.qpv for d in choisis),
               "hors_qpv": sum(not d.qpv for d in choisis),
               "numeriques": sum(d.qpv and d.numerique for d in choisis)}
    for categorie, nombre in comptes.items():
        if not p.bornes[categorie].minimum <= nombre <= p.bornes[categorie].maximum:
            return False
    for departement in {d.departement for d in choisis}:
        nombre = sum(d.departement == departement for d in choisis)
        if nombre > r.max_par_departement_vague:
            return False
        if nombre + p.deja_par_departement.get(departement, 0) > \
                r.max_par_departement_programme:
            return False
    variable = r.objectifs.montants_variables
    depense = sum(min(d.montant, r.montant_min) if variable else d.montant for d in choisis)
    if depense > p.enveloppe_vague or depense > p.enveloppe_restante:
        return False
    lieux = [lieu for d in choisis for lieu in d.lieux]
    return len(lieux) == len(set(lieux))


def oracle_dossiers(p: ProblemeVague, selection: set[str]) -> bool:
    """The rules on single dossiers: eligible, scored, above the floor, not excluded, and
    every forced dossier in."""
    for d in p.dossiers:
        if d.dossier in selection and (not d.eligible or math.isnan(d.score)
                                       or d.score < p.regles.note_minimale
                                       or d.dossier in p.exclus):
            return False
    return set(p.forces) <= selection


# --------------------------------------------------------------------------- the forms


def moteur_admet(moteur: MoteurVague, selection: set[str]) -> bool:
    """The HiGHS model accepts the selection's rows: selected columns at 1, others at 0."""
    scores = np.array([1.0 if i in selection else np.nan for i in moteur.ids])
    forces = [i for i in moteur.ids if i in selection]
    return moteur.resoudre(scores, forces=forces, leves=("note_minimale",),
                           departage=False).optimale


def pulp_admet(p: ProblemeVague, selection: set[str]) -> bool:
    """The named PuLP model accepts the selection's rows."""
    pb = modele_pulp(replace(p, forces={}, exclus={}), reduit=False)
    ids = sorted(d.dossier for d in p.dossiers if d.eligible)
    variables = {v.name: v for v in pb.variables()}
    for k, i in enumerate(ids):
        nom = next(n for n in variables if n.startswith(f"x_{k:04d}_"))
        valeur = 1 if i in selection else 0
        variables[nom].lowBound = variables[nom].upBound = valeur
    pb.solve(pulp.HiGHS(msg=False))
    return pulp.LpStatus[pb.status] == "Optimal"


def checker_lignes(p: ProblemeVague, selection: set[str]) -> bool:
    simples = {"decision_du_jury", "eligibilite", "note_minimale"}
    return not [v for v in violations(p, sorted(selection)) if v.regle not in simples]


def comparer_formes(p: ProblemeVague, rng: np.random.Generator, tirages: int,
                    avec_pulp: bool) -> list[str]:
    """Disagreements between the oracle and the generated forms on random selections."""
    desaccords = []
    moteur = MoteurVague(replace(p, forces={}, exclus={}), depart=False)
    eligibles = [d.dossier for d in p.dossiers if d.eligible]
    tous = [d.dossier for d in p.dossiers]
    for _ in range(tirages):
        selection = {i for i in eligibles if rng.random() < 0.45}
        attendu = oracle_lignes(p, selection)
        formes = {"verificateur": checker_lignes(p, selection),
                  "highs": moteur_admet(moteur, selection)}
        if avec_pulp:
            formes["pulp"] = pulp_admet(p, selection)
        desaccords += [f"{nom} {sorted(selection)}" for nom, ok in formes.items()
                       if ok != attendu]
        choisis = {i for i in tous if rng.random() < 0.45}
        complet = oracle_lignes(p, choisis) and oracle_dossiers(p, choisis)
        if complet != (not violations(p, sorted(choisis))):
            desaccords.append(f"verificateur complet {sorted(choisis)}")
        # Swaps are checked from a selection that keeps every rule, as the laureates do.
        admis = {i for i in selection if oracle_dossiers(replace(p, forces={}), {i})}
        if admis and oracle_lignes(p, admis):
            selection = admis
            echanges = Echanges(p, selection)
            par_id = {d.dossier: d for d in p.dossiers}
            for sortant in sorted(selection):
                for entrant in tous:
                    if entrant in selection:
                        continue
                    apres = (selection - {sortant}) | {entrant}
                    vrai = (oracle_lignes(p, apres) and sortant not in p.forces
                            and oracle_dossiers(replace(p, forces={}), apres))
                    if echanges.possible(par_id[sortant], par_id[entrant]) != vrai:
                        desaccords.append(f"echange {sortant}->{entrant} {sorted(selection)}")
    return desaccords


def test_every_generated_form_agrees_with_the_oracle_on_random_selections():
    rng = np.random.default_rng(12)
    desaccords = []
    for k in range(120):
        desaccords += comparer_formes(vague_aleatoire(rng), rng, 6, avec_pulp=k < 40)
    assert desaccords == []


def _mutee(regle):
    """``regle`` with every row's bound tightened by one unit of its family."""
    def mutation(p):
        for c in regle(p):
            pas = 25_000 if FAMILLES[c.famille].monetaire else 1
            if c.haut < math.inf:
                yield replace(c, haut=c.haut - pas)
            else:
                yield replace(c, bas=c.bas + pas)
    return mutation


@pytest.mark.parametrize("regle", catalogue.REGLES, ids=lambda r: r.__name__)
def test_a_mutated_rule_is_caught(regle, monkeypatch):
    mutees = tuple(_mutee(r) if r is regle else r for r in catalogue.REGLES)
    monkeypatch.setattr(catalogue, "REGLES", mutees)
    rng = np.random.default_rng(12)
    desaccords = []
    for _ in range(120):
        desaccords += comparer_formes(vague_aleatoire(rng), rng, 6, avec_pulp=False)
        if desaccords:
            break
    assert desaccords, f"la mutation de {regle.__name__} est passée inaperçue"


def test_single_dossier_rules_agree_with_the_oracle():
    rng = np.random.default_rng(3)
    for _ in range(200):
        p = vague_aleatoire(rng)
        for d in p.dossiers:
            assert (not interdits(p, d)) == oracle_dossiers(replace(p, forces={}), {d.dossier})


# --------------------------------------------------------------------------- diagnosis


def cout_minimal(p: ProblemeVague) -> float | None:
    """Brute force: the least weighted relaxation over every selection holding the forced
    dossiers and only candidates, places kept (None: no such selection)."""
    lignes = contraintes(p)
    candidats = [d.dossier for d in p.dossiers if not interdits(p, d)]
    meilleur = None
    for taille in range(len(candidats) + 1):
        for selection in itertools.combinations(candidats, taille):
            choisis = set(selection)
            if not set(p.forces) <= choisis:
                continue
            cout = 0.0
            for c in lignes:
                valeur = sum(k for i, k in zip(c.membres, c.coefficients, strict=True)
                             if i in choisis)
                depassement = max(0.0, c.bas - valeur) + max(0.0, valeur - c.haut)
                poids = FAMILLES[c.famille].poids
                if depassement and poids is None:
                    cout = math.inf
                    break
                cout += (poids or 0.0) * depassement
            if meilleur is None or cout < meilleur:
                meilleur = cout
    return None if meilleur is None or meilleur == math.inf else meilleur


def test_the_diagnosis_is_the_smallest_relaxation_against_brute_force():
    rng = np.random.default_rng(7)
    infaisables = 0
    for _ in range(400):
        p = vague_aleatoire(rng)
        allocation = resoudre(p)
        if allocation.optimale:
            continue
        infaisables += 1
        attendu = cout_minimal(p)
        if attendu is None:
            assert [r.regle for r in allocation.relaxations] == ["forcages"]
            continue
        assert cout_de(p, allocation.relaxations) == pytest.approx(attendu, abs=1e-6)
    assert infaisables > 40


def cout_de(p: ProblemeVague, relaxations) -> float:
    """The weighted size of a diagnosis."""
    lignes = {c.nom: c for c in contraintes(p)}
    cout = 0.0
    for r in relaxations:
        nom = r.regle.removesuffix("_min").removesuffix("_max")
        poids = FAMILLES[lignes[nom if nom in lignes else r.regle].famille].poids
        cout += (poids or 0.0) * r.ecart
    return cout


def meilleure_avec(p: ProblemeVague, impose: str) -> float | None:
    """Brute force: the best total score of a selection holding ``impose`` and the jury's
    forced dossiers with every rule holding (None: there is none)."""
    lignes = contraintes(p)
    candidats = [d.dossier for d in p.dossiers if not interdits(p, d) or d.dossier == impose]
    scores = {d.dossier: d.score for d in p.dossiers}
    meilleur = None
    for taille in range(len(candidats) + 1):
        for selection in itertools.combinations(candidats, taille):
            choisis = set(selection)
            if not {*p.forces, impose} <= choisis or any(c.message(sum(
                    k for i, k in zip(c.membres, c.coefficients, strict=True) if i in choisis))
                    for c in lignes):
                continue
            total = sum(scores[i] for i in choisis)
            meilleur = total if meilleur is None else max(meilleur, total)
    return meilleur


def test_forcing_one_dossier_is_exact_with_every_shortcut():
    """The explanations' forced solves take shortcuts — rows a forced dossier breaks on its
    own prove infeasibility, one exchange from the base selection proves that the necessary
    relaxation suffices and warm-starts the solve. Against brute force: the same optimum,
    and the smallest relaxation when none exists."""
    rng = np.random.default_rng(21)
    forces_infaisables = forces_possibles = 0
    for _ in range(300):
        p = vague_aleatoire(rng)
        moteur = MoteurVague(p)
        base = moteur.resoudre()
        if not base.optimale:
            continue
        for d in p.dossiers:
            if d.dossier in base.laureats or interdits(p, d):
                continue
            attendu = meilleure_avec(p, d.dossier)
            force = moteur.resoudre(forces=(d.dossier,))
            if attendu is None:
                forces_infaisables += 1
                assert not force.optimale
                relaxations = moteur.diagnostiquer(forces=(d.dossier,))
                minimal = cout_minimal(replace(p, forces={**p.forces, d.dossier: "essai"}))
                if minimal is None:
                    assert relaxations is None
                else:
                    assert relaxations is not None
                    assert cout_de(p, relaxations) == pytest.approx(minimal, abs=1e-6)
            else:
                forces_possibles += 1
                assert force.optimale and d.dossier in force.laureats
                assert force.score_total == pytest.approx(attendu, abs=1e-6)
    assert forces_infaisables > 30 and forces_possibles > 30


# --------------------------------------------------------------------------- LP export


def test_the_lp_file_reads_back_with_the_same_optimum(tmp_path):
    from allocation.resolution.modele_lp import texte_modele
    from tests.factories import optimum_lp

    rng = np.random.default_rng(5)
    verifies = 0
    for _ in range(60):
        p = vague_aleatoire(rng, n=8)
        allocation = resoudre(p)
        if not allocation.optimale:
            continue
        chemin = tmp_path / "modele.lp"
        chemin.write_bytes(texte_modele(p))
        texte = chemin.read_text()
        assert "max_laureats" in texte and "rythme_qpv" in texte
        assert optimum_lp(chemin) == pytest.approx(allocation.score_total, abs=1e-6)
        verifies += 1
    assert verifies > 20


def regle_une_par_structure(p: ProblemeVague):
    """A rule the catalogue does not have: at most one laureate per structure (dossiers
    filed under one name)."""
    par_nom: dict[str, list[str]] = {}
    for d in p.dossiers:
        par_nom.setdefault(d.nom, []).append(d.dossier)
    for nom, ids in sorted(par_nom.items()):
        if len(ids) > 1:
            yield catalogue.Contrainte(f"structure_{nom_sur(nom)}", "une_par_structure", nom,
                                       tuple(ids), (1.0,) * len(ids), haut=1.0)


def test_a_rule_added_to_the_catalogue_alone_is_honoured_everywhere(monkeypatch):
    """One function in REGLES and its family: the solver, the pruning of dominated
    dossiers, the checker, the explanations, the price-of-rules table and the diagnosis all
    follow it."""
    famille = catalogue.Famille(
        "une_par_structure", "un seul lauréat par structure", 1.0,
        trop="structure {sujet} : {valeur} lauréats pour {borne} permis",
        relever="autoriser {nouvelle} lauréats pour la structure {sujet}")
    monkeypatch.setitem(catalogue.FAMILLES, famille.nom, famille)
    monkeypatch.setitem(catalogue.LIBELLES_REGLES, famille.nom, famille.libelle)
    monkeypatch.setattr(catalogue, "REGLES", (*catalogue.REGLES, regle_une_par_structure))
    # A and B: one structure. A, B, C: one department that takes two, one category. Without
    # the rule, C would be dominated by A and B; with it, A and B are never chosen together.
    dossiers = table([("A", "35", False, False, 75_000), ("B", "35", False, False, 75_000),
                      ("C", "35", False, False, 75_000), ("D", "29", False, False, 75_000)])
    dossiers.loc[["A", "B"], "nom"] = "Tiers-lieu du Port"
    probleme = construire_probleme(
        dossiers, pd.Series({"A": 9.0, "B": 8.0, "C": 7.0, "D": 1.0}),
        regles(max_laureats=3, tolerance_rythme=200, max_par_departement_vague=2),
        historique_vide())

    assert "C" in {d.dossier for d in candidats_utiles(probleme)}  # the pruning
    allocation = resoudre(probleme)  # the solver
    assert allocation.laureats == ("A", "C", "D")
    assert violations(probleme, allocation.laureats) == []  # the checker
    assert [v.regle for v in violations(probleme, ("A", "B", "D"))] == ["une_par_structure"]
    explication = next(e for e in decider(probleme, allocation).explications
                       if e.dossier == "B")  # the explanations, in the rule's words
    assert "une_par_structure" in explication.regles
    assert "structure Tiers-lieu du Port : 2 lauréats pour 1 permis" in explication.raison
    prix = {p.regle: p for p in prix_des_regles(probleme)}  # the price-of-rules table
    # lifted: A, B and D (18) rather than A, C and D (17)
    assert (prix["une_par_structure"].entrent, prix["une_par_structure"].sortent) == (
        ("B",), ("C",))
    assert prix["une_par_structure"].gain == 1.0
    impose = resoudre(replace(probleme, forces={"A": "jury", "B": "jury"}))  # the diagnosis
    assert [r.message for r in impose.relaxations] == [
        "autoriser 2 lauréats pour la structure Tiers-lieu du Port"]
