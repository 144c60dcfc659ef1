"""The application service of the assignment (``fabriques repartir`` and the app's page
« Répartition »): prepared wave → problem → assignment → workbook and grids. The command
line and the app only collect K, the seed and paths, and show what this returns.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from allocation.analyses.incertitude import zone_incertitude
from allocation.modele.regles_dossier import candidat
from application.service import Parametres, Refus, decider_vague
from commun.constats import Constats
from commun.ecriture import Ecriture
from commun.noms import probleme_de_nom, sous
from commun.provenance import Provenance
from lecture.chargement import Chargement
from lecture.marque import empreinte_affectation
from notation.incertitude import ecarts_types
from notation.normalisation import modele_jures
from repartition.grilles import classeur_affectation, grille_jure
from repartition.probleme import probleme_complement, probleme_repartition
from repartition.solveur import Repartition, repartir


@dataclass(frozen=True)
class ResultatRepartition:
    """An assignment and what it was made from."""

    repartition: Repartition
    #: Dossiers not assigned because already known to be inéligibles, with their reasons.
    ineligibles: dict[str, list[str]]
    par_dossier: int | None = None
    supplement: int | None = None
    #: Second phase: the dossiers by decreasing need of another reading (zone first).
    priorites: tuple[str, ...] = ()
    #: Second phase: readings that could not be placed (every free juror already reads).
    non_placees: int = 0


def _refus(chargement: Chargement, message: str | None = None) -> Refus:
    erreurs = Constats()
    erreurs.etendre(chargement.constats.erreurs)
    if message:
        erreurs.signaler("lectures_invalides", message)
    return Refus(Parametres(), erreurs)


def repartir_vague(chargement: Chargement, par_dossier: int, graine: int = 0
                   ) -> ResultatRepartition | Refus:
    """Assign every eligible dossier of a prepared wave (``chargement`` read without notes)
    to ``par_dossier`` jurors."""
    vague, regles = chargement.vague, chargement.regles
    if vague is None or regles is None or chargement.constats.a_des_erreurs:
        return _refus(chargement)
    if not 1 <= par_dossier <= len(vague.jury):
        return _refus(chargement, f"lecteurs par dossier : {par_dossier} ; entre 1 et "
                                  f"{len(vague.jury)} (le nombre de jurés)")
    probleme, ineligibles = probleme_repartition(vague, regles, chargement.historique,
                                                 par_dossier, graine)
    return ResultatRepartition(repartir(probleme), ineligibles, par_dossier=par_dossier)


def completer_vague(chargement: Chargement, supplement: int, graine: int = 0,
                    parametres: Parametres | None = None) -> ResultatRepartition | Refus:
    """The second phase: ``supplement`` extra readings where they change the most, once a
    first round of notes is in (``chargement`` read with its notes)."""
    vague, regles = chargement.vague, chargement.regles
    if vague is None or regles is None or chargement.constats.a_des_erreurs:
        return _refus(chargement)
    if supplement < 1:
        return _refus(chargement, f"lectures supplémentaires : {supplement} ; au moins 1")
    resultat = decider_vague(chargement, parametres or Parametres(), avec_decision=False)
    if isinstance(resultat, Refus):
        return resultat
    ecarts = ecarts_types(modele_jures(vague), resultat.scores.poids, vague.dossiers.index)
    zone, seuil = zone_incertitude(resultat.probleme, resultat.allocation, ecarts)
    candidats = [d for d in resultat.probleme.dossiers if candidat(resultat.probleme, d)]

    def distance(identifiant: str, score: float) -> float:
        ecart = float(np.nan_to_num(ecarts.get(identifiant, np.nan), nan=np.inf))
        ecart_a_la_ligne = abs(score - seuil) / ecart if ecart > 0 else np.inf
        return np.inf if np.isnan(ecart_a_la_ligne) else ecart_a_la_ligne  # no laureate

    # The zone of uncertainty first, then the nearest to the line in standard deviations.
    dans_zone = set(zone)
    priorites = tuple(d.dossier for d in sorted(
        candidats, key=lambda d: (d.dossier not in dans_zone, distance(d.dossier, d.score),
                                  d.dossier)))
    initial, ineligibles = probleme_repartition(vague, regles, chargement.historique,
                                                par_dossier=0, graine=graine)
    lues = frozenset(zip(vague.notes["jure"], vague.notes["dossier"], strict=True))
    repartissables = set(initial.dossiers)
    retenues = [d for d in priorites if d in repartissables]
    probleme, non_placees = probleme_complement(initial, lues, retenues, supplement)
    return ResultatRepartition(repartir(probleme), ineligibles, supplement=supplement,
                               priorites=tuple(retenues), non_placees=non_placees)


def grilles(chargement: Chargement, resultat: ResultatRepartition) -> dict[str, bytes]:
    """One score sheet per juror with dossiers to read (file name → bytes): ``Jxx.xlsx``,
    ``Jxx-complement.xlsx`` for a second phase's readings."""
    vague = chargement.vague
    assert vague is not None
    suffixe = "-complement" if resultat.supplement is not None else ""
    par_jure: dict[str, list[str]] = {}
    for jure, dossier in resultat.repartition.nouvelles():
        par_jure.setdefault(jure, []).append(dossier)
    # Juror ids were checked when read (a plain file name): checked again where they
    # become one, so that no grid is ever named outside its folder.
    assert all(probleme_de_nom(f"{jure}{suffixe}") is None for jure in par_jure), par_jure
    empreinte = empreinte_affectation(resultat.repartition.paires)
    return {f"{jure}{suffixe}.xlsx": grille_jure(vague, jure, dossiers, empreinte)
            for jure, dossiers in sorted(par_jure.items())}


def classeur(chargement: Chargement, resultat: ResultatRepartition,
             provenance: Provenance | None = None) -> bytes:
    """The workbook ``affectation.xlsx`` (``provenance``: the loaded files' by default)."""
    assert chargement.vague is not None
    return classeur_affectation(chargement.vague, resultat.repartition, resultat.ineligibles,
                                provenance or chargement.provenance(), resultat.par_dossier,
                                resultat.supplement)


def grilles_zip(chargement: Chargement, resultat: ResultatRepartition) -> bytes:
    """Every grid and the workbook in one zip (the app's download)."""
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("affectation.xlsx", classeur(chargement, resultat))
        for nom, contenu in grilles(chargement, resultat).items():
            archive.writestr(f"grilles/{nom}", contenu)
    return tampon.getvalue()


def grilles_et_classeur(chargement: Chargement, resultat: ResultatRepartition,
                        sortie: Path | None, dossier_grilles: Path | None,
                        provenance: Provenance | None = None) -> dict[Path, bytes]:
    """The files of an assignment: the workbook at ``sortie`` and one grid per juror inside
    ``dossier_grilles`` (each path checked to stay in it: :func:`commun.noms.sous`)."""
    fichiers = {}
    if sortie is not None:
        fichiers[sortie] = classeur(chargement, resultat, provenance)
    if dossier_grilles is not None:
        for nom, contenu in grilles(chargement, resultat).items():
            fichiers[sous(dossier_grilles, nom)] = contenu
    return fichiers


def ecrire_repartition(chargement: Chargement, resultat: ResultatRepartition,
                       sortie: Path | None, dossier_grilles: Path | None,
                       provenance: Provenance | None = None) -> list[Path]:
    """Write the workbook and the grids as one set (outside a wave's lock: the sample
    generator's way; ``fabriques repartir`` writes them under it); the paths written."""
    ecriture = Ecriture(chargement.fichiers_lus())
    for chemin, contenu in grilles_et_classeur(chargement, resultat, sortie, dossier_grilles,
                                               provenance).items():
        ecriture.ajouter(chemin, contenu)
    return ecriture.ecrire()
