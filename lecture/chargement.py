"""Everything a decision needs, read and validated in one call: the wave, the programme's
rules and its history — from paths (command line) or from uploaded files (the app).

Uploaded files are never kept: they are unpacked into a temporary folder — in memory
(``/dev/shm``) where the system has one — read, and the folder is deleted before returning.
Zip archives are bounded (size, number of entries) and may not write outside that folder.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

import pandas as pd

from commun.chaine import Ancre
from commun.constats import Constats
from commun.fichiers import (
    DOSSIER_NOTES,
    FICHIER_DOSSIERS,
    FICHIER_HISTORIQUE,
    FICHIER_JURY,
    FICHIER_PROGRAMME,
)
from commun.provenance import AUCUN, Provenance, sha256_fichier
from lecture.conteneurs import ENTREES_MAX, TAILLE_MAX_DECOMPRESSEE, lecture_unique
from lecture.export_ds import est_export_demarches
from lecture.historique import lire_ancres, lire_historique, verifier_annees
from lecture.modele import LectureVague, Vague
from lecture.programme import Regles, lire_regles, trouver_fichier
from lecture.vague import lire_vague, numero_de_vague


@dataclass(frozen=True)
class Chargement:
    """A wave with its programme and history; ``vague``/``regles`` are None on error."""

    lecture: LectureVague
    regles: Regles | None
    historique: pd.DataFrame
    chemin_programme: Path | None
    chemin_historique: Path | None
    #: (file name, SHA-256) of every input, the wave's files first.
    empreintes: tuple[tuple[str, str], ...] = ()
    #: SHA-256 of the history ("aucun" without one) and its bytes, to record a wave into it.
    empreinte_historique: str = AUCUN
    historique_octets: bytes | None = None
    #: What the history says of each recorded wave's journal (wave number → anchor).
    ancres: Mapping[int, Ancre] = field(default_factory=dict)

    @property
    def constats(self) -> Constats:
        """Every finding of the wave, the programme and the history."""
        return self.lecture.constats

    @property
    def vague(self) -> Vague | None:
        """The validated wave, or None when it could not be read."""
        return self.lecture.vague

    def fichiers_lus(self) -> list[Path]:
        """Every file read: the wave's, the programme, the history (never to be replaced
        by an output of the run)."""
        return self.lecture.fichiers_lus() + [p for p in (self.chemin_programme,
                                                          self.chemin_historique) if p]

    def ancres_du_journal(self) -> tuple[Ancre, ...]:
        """What the history says of this wave's journal (nothing before it is recorded)."""
        numero = self.regles.numero if self.regles else (
            self.vague.numero if self.vague else None)
        ancre = self.ancres.get(numero) if numero is not None else None
        return (ancre,) if ancre else ()

    def provenance(self) -> Provenance:
        """What a decision on this wave is computed from (every input's fingerprint, the
        history's), for sheet ``parametres``."""
        return Provenance(self.vague.nom if self.vague else "", self.empreintes,
                          self.empreinte_historique)

    @property
    def valide(self) -> bool:
        """True when nothing stops a decision."""
        return (self.vague is not None and self.regles is not None
                and not self.constats.a_des_erreurs)


def charger(vague: Path, programme: Path | None = None, historique: Path | None = None,
            correspondance: Path | None = None, avec_notes: bool = True,
            sans_historique: bool = False) -> Chargement:
    """Read a wave and, when not given, the programme and history found inside the wave
    folder or beside it. ``avec_notes=False``: a wave being prepared, before its notes.

    The wave's state is explicit: a wave numbered above 1 without a history is an error
    unless ``sans_historique`` says it is meant (the paces, caps and places already laureate
    would be decided as if no wave had been); a wave already in the history is decided on
    the history without it, and that is said."""
    with lecture_unique():  # the history is read once, for its laureates and its anchors
        return _charger(vague, programme, historique, correspondance, avec_notes,
                        sans_historique)


def _charger(vague: Path, programme: Path | None, historique: Path | None,
             correspondance: Path | None, avec_notes: bool,
             sans_historique: bool) -> Chargement:
    lecture = lire_vague(vague, correspondance, avec_notes)
    chemin_programme = programme or trouver_fichier(vague, FICHIER_PROGRAMME)
    chemin_historique = historique or trouver_fichier(vague, FICHIER_HISTORIQUE)
    # A wave that could not be read still has its number in its name: the programme and
    # the history are checked all the same, every finding at once.
    numero = lecture.vague.numero if lecture.vague else numero_de_vague(Path(vague).stem)
    regles = lire_regles(chemin_programme, numero, lecture.constats)
    historique_lu = lire_historique(chemin_historique, lecture.constats)
    if regles is not None:
        historique_lu = _etat_de_la_vague(regles, historique_lu, chemin_historique,
                                          sans_historique, lecture.constats)
        verifier_annees(regles, historique_lu,
                        chemin_programme.name if chemin_programme else FICHIER_PROGRAMME,
                        lecture.constats)
    empreintes = [(Path(s.chemin).name, s.sha256) for s in lecture.vague.sources] if (
        lecture.vague) else []
    if chemin_programme is not None and chemin_programme.is_file():
        empreintes.append((chemin_programme.name, sha256_fichier(chemin_programme)))
    octets = chemin_historique.read_bytes() if chemin_historique and chemin_historique.is_file() \
        else None
    empreinte_historique = hashlib.sha256(octets).hexdigest() if octets is not None else AUCUN
    if octets is not None and chemin_historique is not None:
        empreintes.append((chemin_historique.name, empreinte_historique))
    return Chargement(lecture, regles, historique_lu, chemin_programme, chemin_historique,
                      tuple(empreintes), empreinte_historique, octets,
                      lire_ancres(chemin_historique, lecture.constats))


def _etat_de_la_vague(regles: Regles, historique: pd.DataFrame, chemin: Path | None,
                      sans_historique: bool, constats: Constats) -> pd.DataFrame:
    """The history the wave is decided on: an error when it is missing and the wave is not
    the first (unless meant); without the wave itself when it is already recorded."""
    if chemin is None and regles.numero > 1 and not sans_historique:
        constats.signaler(
            "historique_manquant",
            f"vague {regles.numero} sans historique des lauréats ({FICHIER_HISTORIQUE} ni "
            "dans la vague ni à côté) : les rythmes, les plafonds, l'enveloppe et les lieux "
            "déjà lauréats seraient décidés comme si aucune vague n'avait eu lieu ; joignez "
            f"l'historique ({FICHIER_HISTORIQUE} parmi les fichiers, ou --history en ligne "
            "de commande), ou décidez sans historique si c'est voulu (la case prévue dans "
            "l'application, --sans-historique en ligne de commande)",
            fichier=FICHIER_HISTORIQUE)
    deja = historique["vague"] == regles.numero
    if deja.any():
        constats.signaler(
            "vague_deja_dans_historique",
            f"la vague {regles.numero} est déjà enregistrée dans l'historique "
            f"({int(deja.sum())} lauréats) : elle est décidée sur l'historique sans elle "
            "(fabriques record refusera de l'enregistrer une seconde fois)",
            fichier=chemin.name if chemin else FICHIER_HISTORIQUE, feuille="laureats",
            colonne="vague", valeur=regles.numero)
        return historique[~deja].reset_index(drop=True)
    return historique


def charger_televersement(fichiers: Mapping[str, bytes], avec_notes: bool = True,
                          sans_historique: bool = False) -> Chargement:
    """Read uploaded files: a wave workbook, a zip of a wave folder, or the files of a
    folder (dossiers or a démarches-simplifiées export, ``jury.xlsx``, one grid per juror);
    ``programme.toml`` and ``laureats.xlsx`` may come along."""
    racine_memoire = Path("/dev/shm") if Path("/dev/shm").is_dir() else None
    dossier = Path(tempfile.mkdtemp(prefix="fabriques-", dir=racine_memoire))
    try:
        # the registry, told from the other files by its content, is then read once
        with lecture_unique():
            constats = Constats()
            chemin = _deposer(fichiers, dossier, constats)
            if chemin is None:
                lecture = LectureVague(None, constats)
                return Chargement(lecture, None, lire_historique(None, constats), None, None)
            chargement = charger(chemin, avec_notes=avec_notes, sans_historique=sans_historique)
            chargement.constats.etendre(constats)
            return replace(chargement, chemin_programme=None, chemin_historique=None)
    finally:
        shutil.rmtree(dossier, ignore_errors=True)


def _deposer(fichiers: Mapping[str, bytes], dossier: Path, constats: Constats) -> Path | None:
    """Lay the uploaded files out as a wave the readers know; return its path. An uploaded
    ``programme.toml`` or ``laureats.xlsx`` goes beside the wave (one inside a zipped
    folder still wins, as on disk)."""
    noms = {PurePosixPath(nom).name: contenu for nom, contenu in fichiers.items()}
    annexes = {n: c for n, c in noms.items()
               if n.lower() in (FICHIER_PROGRAMME, FICHIER_HISTORIQUE)}
    vague = _deposer_vague({n: c for n, c in noms.items() if n not in annexes}, dossier,
                           constats)
    if vague is not None:
        for nom, contenu in annexes.items():
            (vague.parent / nom.lower()).write_bytes(contenu)
    return vague


def _deposer_vague(noms: Mapping[str, bytes], dossier: Path, constats: Constats) -> Path | None:
    archives = [n for n in noms if n.lower().endswith(".zip")]
    if archives:
        vague = dossier / Path(archives[0]).stem
        if not _extraire(noms[archives[0]], vague, archives[0], constats):
            return None
        enfants = [p for p in vague.iterdir() if not p.name.startswith(("__MACOSX", "."))]
        if len(enfants) == 1 and enfants[0].is_dir():  # the zip holds the folder itself
            vague = enfants[0]
        return vague
    classeurs = [n for n in noms if n.lower().endswith(".xlsx")]
    if len(noms) == 1 and classeurs:
        chemin = dossier / classeurs[0]
        chemin.write_bytes(noms[classeurs[0]])
        return chemin
    if not noms:
        constats.signaler("televersement_vide", "aucun fichier de vague : déposez un classeur "
                          "de vague, une archive zip du dossier de la vague, ou ses fichiers")
        return None
    vague = dossier / "vague"
    (vague / DOSSIER_NOTES).mkdir(parents=True)
    for nom, contenu in noms.items():
        cle = nom.lower()
        chemin = vague / nom
        chemin.write_bytes(contenu)
        # a démarches-simplifiées export is known by its content, whatever its name
        est_base = cle in (FICHIER_JURY, FICHIER_DOSSIERS) or cle.endswith(".csv") \
            or est_export_demarches(chemin)
        if not est_base:
            chemin.rename(vague / DOSSIER_NOTES / nom)
    return vague


def _extraire(contenu: bytes, cible: Path, nom: str, constats: Constats) -> bool:
    """Unpack a zip into ``cible``, refusing bombs and paths that leave it."""
    import io

    try:
        with zipfile.ZipFile(io.BytesIO(contenu)) as archive:
            entrees = archive.infolist()
            taille = sum(e.file_size for e in entrees)
            if len(entrees) > ENTREES_MAX or taille > TAILLE_MAX_DECOMPRESSEE:
                constats.signaler("archive_trop_grande", f"archive de {len(entrees)} fichiers "
                                  f"et {taille // 1_000_000} Mo décompressés : limite "
                                  f"{ENTREES_MAX} fichiers et "
                                  f"{TAILLE_MAX_DECOMPRESSEE // 1_000_000} Mo", fichier=nom)
                return False
            for entree in entrees:
                chemin = (cible / entree.filename).resolve()
                if not chemin.is_relative_to(cible.resolve()):
                    constats.signaler("archive_invalide", "chemin hors de l'archive refusé",
                                      fichier=nom, valeur=entree.filename)
                    return False
            archive.extractall(cible)
    except (zipfile.BadZipFile, OSError, ValueError) as erreur:
        constats.signaler("archive_illisible", f"archive zip illisible : {erreur}", fichier=nom)
        return False
    return True
