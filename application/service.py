"""The one application service: load → score → problem → validate the jury's decisions →
solve → decision → outputs, and the programme's progress. The command line, the app and
the bench only collect parameters and show what this returns; none of them repeats a step.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pandas as pd

from allocation.analyses.decision import Decision, decider
from allocation.analyses.incertitude import Incertitude, incertitude, tirage_partiel
from allocation.modele.probleme import ProblemeVague, construire_probleme
from allocation.modele.regles_dossier import valider_decisions
from allocation.resolution.solveur import Allocation, resoudre
from allocation.sorties.export import (
    classeur_allocation,
    classeur_public,
    classeur_retours,
    parametres_de,
)
from allocation.sorties.lettres import (
    chemins_lettres,
    classeur_des_retours,
    dossier_des_lettres,
    lettres_pdf,
)
from allocation.sorties.retours import table_retours
from commun.chaine import Ancre
from commun.constats import Constats
from commun.ecriture import Ecriture
from lecture.chargement import Chargement
from lecture.modele import Vague
from lecture.programme import Regles
from lecture.revisions import Revision, reviser_notes, valider_revision
from notation.normalisation import METHODE_PAR_DEFAUT, ScoresVague, modele_jures, noter


@dataclass(frozen=True)
class Parametres:
    """Everything the secretariat can change; one value identifies one decision."""

    methode: str = METHODE_PAR_DEFAUT
    poids: tuple[tuple[str, float], ...] = ()  # empty: the criteria sheet's weights
    regles: Regles | None = None  # None: the programme file's
    forces: tuple[tuple[str, str], ...] = ()  # (dossier, reason) forced in by the jury
    exclus: tuple[tuple[str, str], ...] = ()  # (dossier, reason) kept out by the jury
    revisions: tuple[Revision, ...] = ()  # notes revised in the meeting, with reasons
    #: (dossier, where its decision was taken: « --forcer », « séance (journal) »…), for the
    #: messages that refuse one; a decision without is « décision du jury ».
    origines: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Resultat:
    """One decision and the steps that led to it; ``decision`` is None when no allocation
    satisfies the rules (``allocation.relaxations`` says what to relax) or when it was not
    asked for."""

    parametres: Parametres
    scores: ScoresVague
    probleme: ProblemeVague
    allocation: Allocation
    decision: Decision | None
    #: The wave decided: the one loaded, with the meeting's revised notes in place.
    vague: Vague
    #: With the partial lottery on: the dossiers of the zone, in the order drawn.
    ordre_tire: tuple[str, ...] = ()


@dataclass(frozen=True)
class Refus:
    """The input errors that stop a decision (nothing is computed or written)."""

    parametres: Parametres
    erreurs: Constats


def noter_vague(vague: Vague, parametres: Parametres) -> tuple[Vague, ScoresVague] | Refus:
    """The wave's scores as the meeting stands: its revised notes checked and put in place,
    then scored with the method and weights — what ``score``, ``tradeoffs``, ``allocate``,
    ``seance``, the app and the procès-verbal all score from. Returns the revised wave and
    its scores."""
    erreurs = Constats()
    for r in parametres.revisions:
        erreurs.etendre(valider_revision(vague, r.jure, r.dossier, r.critere, r.apres,
                                         r.raison).erreurs)
    if erreurs.a_des_erreurs:
        return Refus(parametres, erreurs)
    revisee = reviser_notes(vague, parametres.revisions)
    return revisee, noter(revisee, parametres.methode, dict(parametres.poids) or None)


def decider_vague(chargement: Chargement, parametres: Parametres,
                  avec_decision: bool = True) -> Resultat | Refus:
    """The decision for a loaded wave and the secretariat's parameters (``avec_decision``
    False: the allocation only, without reserve list and explanations)."""
    vague, regles = chargement.vague, parametres.regles or chargement.regles
    if vague is None or regles is None or chargement.constats.a_des_erreurs:
        erreurs = Constats()
        erreurs.etendre(chargement.constats.erreurs)
        return Refus(parametres, erreurs)
    notees = noter_vague(vague, parametres)
    if isinstance(notees, Refus):
        return notees
    vague, scores = notees
    probleme = construire_probleme(vague.dossiers, scores.score, regles,
                                   chargement.historique, dict(parametres.forces),
                                   dict(parametres.exclus))
    erreurs = valider_decisions(probleme, dict(parametres.origines))
    if erreurs.a_des_erreurs:
        return Refus(parametres, erreurs)
    allocation = resoudre(probleme)
    ordre_tire: tuple[str, ...] = ()
    if regles.graine_tirage is not None and allocation.optimale:
        probleme, ordre_tire = tirage_partiel(probleme, modele_jures(vague), scores.poids,
                                              allocation, regles.graine_tirage)
        if ordre_tire:
            allocation = resoudre(probleme)
    resultat = Resultat(parametres, scores, probleme, allocation, None, vague, ordre_tire)
    return completer_decision(resultat) if avec_decision else resultat


def incertitude_de(resultat: Resultat,
                   progression: Callable[[int, int], None] | None = None) -> Incertitude:
    """The uncertainty of a decision's scores, ranks and selection (sheet ``incertitude``);
    ``progression`` is told ``(draws decided, draws)`` as the draws are decided."""
    return incertitude(resultat.probleme, resultat.allocation, modele_jures(resultat.vague),
                       resultat.scores.poids, progression=progression)


@contextmanager
def incertitude_a_cote(resultat: Resultat,
                       progression: Callable[[int, int], None] | None = None
                       ) -> Iterator[Callable[[], Incertitude]]:
    """The decision's uncertainty (:func:`incertitude_de`) computed beside what the caller
    does next — its decision, its workbook: the draws' engines solve in threads of their own
    (HiGHS releases the GIL), so both cores work. Yields the function that waits for it;
    ``progression`` is told from the draws' thread."""
    with ThreadPoolExecutor(1) as fond:
        yield fond.submit(incertitude_de, resultat, progression).result


def completer_decision(resultat: Resultat) -> Resultat:
    """``resultat`` with its decision (reserve list, replacements, explanations), for one
    decided without it (``decider_vague(…, avec_decision=False)``)."""
    if resultat.decision is not None or not resultat.allocation.optimale:
        return resultat
    return replace(resultat, decision=decider(resultat.probleme, resultat.allocation))


@dataclass(frozen=True)
class Sorties:
    """Where to write a decision: the workbook, and the optional public list, letters and
    audit model."""

    classeur: Path
    public: Path | None = None
    retours: Path | None = None
    modele: Path | None = None

    def lettres(self, dossiers: Iterable[str]) -> dict[str, Path]:
        """With ``retours``, each dossier's letter (beside the workbook,
        :func:`allocation.sorties.lettres.chemins_lettres`); an id that cannot be a file
        name is refused there."""
        return chemins_lettres(self.retours, dossiers) if self.retours else {}

    def chemins(self, dossiers: Iterable[str] = ()) -> list[Path]:
        """Every path to write (the letters of ``dossiers`` included)."""
        retours = classeur_des_retours(self.retours) if self.retours else None
        return ([p for p in (self.classeur, self.public, retours, self.modele) if p]
                + list(self.lettres(dossiers).values()))


def lettres_zip(resultat: Resultat, jour: date | None = None) -> bytes:
    """Every dossier's letter (:mod:`allocation.sorties.lettres`) in one zip, ``<id>.pdf``
    each: the app's download of what ``allocate --retours`` writes beside the workbook."""
    import io
    import zipfile

    from allocation.sorties.lettres import donnees_lettres, rendre_lettres

    assert resultat.decision is not None
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        donnees = donnees_lettres(resultat.decision, resultat.vague, resultat.scores, jour)
        for dossier, pdf in sorted(rendre_lettres(donnees).items()):
            archive.writestr(f"{dossier}.pdf", pdf)
    return tampon.getvalue()


def classeur_decision(chargement: Chargement, resultat: Resultat,
                      ancre_journal: Ancre | None = None,
                      incertitude_calculee: Incertitude | Callable[[], Incertitude] | None = None
                      ) -> bytes:
    """The allocation workbook of a decided wave (its ``parametres`` anchor the journal's
    last entry when there is one; ``incertitude_calculee``: the decision's uncertainty when
    the caller already holds it, or the function that waits for it,
    :func:`incertitude_a_cote`)."""
    decision = resultat.decision
    assert decision is not None
    parametres = parametres_de(chargement, resultat.scores, decision.probleme,
                               decision.allocation, resultat.parametres.revisions,
                               ancre_journal)
    return classeur_allocation(decision, parametres, resultat.vague,
                               incertitude_calculee or incertitude_de(resultat))


def liste_publique(resultat: Resultat) -> bytes:
    """The public list of a decided wave's laureates: public fields only (FAQ 7.7)."""
    assert resultat.decision is not None
    return classeur_public(resultat.vague.dossiers, resultat.decision.allocation.montants)


def retours_aux_candidats(resultat: Resultat) -> bytes:
    """The feedback workbook: one row per dossier not selected, ready for a mail merge."""
    assert resultat.decision is not None
    return classeur_retours(resultat.decision, resultat.vague, resultat.scores)


def planifier_decision(chargement: Chargement, resultat: Resultat, sorties: Sorties,
                       ecriture: Ecriture, ancre_journal: Ancre | None = None,
                       incertitude_calculee: Incertitude | Callable[[], Incertitude] | None = None,
                       jour: date | None = None) -> dict[str, str]:
    """Add a decided wave's outputs to a set of files (:class:`commun.ecriture.Ecriture`);
    returns each file's name and SHA-256, for the journal — the letters as one line, their
    folder and the SHA-256 of their names and SHA-256s (:func:`empreinte_des_lettres`).
    ``incertitude_calculee``: the decision's uncertainty when the caller already holds it,
    or the function that waits for it (:func:`incertitude_a_cote`)."""
    vague, decision = resultat.vague, resultat.decision
    assert decision is not None
    contenus = {sorties.classeur: classeur_decision(chargement, resultat, ancre_journal,
                                                    incertitude_calculee)}
    if sorties.public:
        contenus[sorties.public] = liste_publique(resultat)
    lettres: dict[Path, bytes] = {}
    if sorties.retours:
        retours = table_retours(decision, vague, resultat.scores)
        contenus[classeur_des_retours(sorties.retours)] = classeur_retours(
            decision, vague, resultat.scores, retours)
        lettres = lettres_pdf(decision, vague, resultat.scores, sorties.retours, jour, retours)
    if sorties.modele:
        # PuLP is loaded only when the audit model is asked for (a third of the decision's
        # own import time otherwise).
        from allocation.resolution.modele_lp import texte_modele

        contenus[sorties.modele] = texte_modele(decision.probleme)
    for chemin, contenu in [*contenus.items(), *lettres.items()]:
        ecriture.ajouter(chemin, contenu)
    empreintes = {chemin.name: hashlib.sha256(contenu).hexdigest()
                  for chemin, contenu in contenus.items()}
    if lettres and sorties.retours:
        empreintes[f"{dossier_des_lettres(sorties.retours).name}/"] = empreinte_des_lettres(
            lettres)
    return empreintes


def empreinte_des_lettres(lettres: Mapping[Path, bytes]) -> str:
    """One SHA-256 for a folder of letters: of the lines « name SHA-256 », in name order
    (``sha256sum``'s format: the folder checks with it, then this hash)."""
    lignes = sorted(f"{hashlib.sha256(contenu).hexdigest()}  {chemin.name}\n"
                    for chemin, contenu in lettres.items())
    return hashlib.sha256("".join(lignes).encode()).hexdigest()


def avancement_programme(historique: pd.DataFrame, regles: Regles,
                         resultat: Resultat | None = None) -> pd.DataFrame:
    """Laureates, QPV, hors QPV, numériques and money per wave and cumulated, the wave being
    decided (when it has a selection) included."""
    lignes = historique.assign(hors_qpv=~historique["qpv"].astype(bool))
    if resultat is not None and resultat.decision is not None:
        allocation = resultat.decision.allocation
        par_id = {d.dossier: d for d in resultat.decision.probleme.dossiers}
        courante = pd.DataFrame([
            {"vague": regles.numero, "qpv": par_id[i].qpv, "hors_qpv": not par_id[i].qpv,
             "numerique": par_id[i].numerique, "montant": allocation.montants[i]}
            for i in allocation.laureats])
        lignes = pd.concat([lignes, courante], ignore_index=True)
    par_vague = lignes.groupby("vague").agg(
        laureats=("qpv", "size"), qpv=("qpv", "sum"), hors_qpv=("hors_qpv", "sum"),
        numeriques=("numerique", "sum"), montant=("montant", "sum")).reset_index()
    for colonne in ("laureats", "qpv", "hors_qpv", "numeriques", "montant"):
        par_vague[f"cumul_{colonne}"] = par_vague[colonne].cumsum()
    par_vague["vague"] = par_vague["vague"].map(
        lambda n: f"vague {int(n)}" + (" (en cours)" if n == regles.numero else ""))
    return par_vague
