"""A grid knows whose it is: the mark ``fabriques repartir`` puts in every grid it writes —
the juror's id and the assignment's fingerprint — and how the wave reader finds it.

The mark is written twice: in the protected sheet ``instructions`` (two labelled rows, which
survive any spreadsheet program) and in the workbook's custom properties (which survive a
deleted sheet). The assignment's fingerprint is the SHA-256 of its (juror, dossier) pairs,
computed from the pairs themselves, so that the reader recomputes it from ``affectation.xlsx``
rather than trusting a written value. A grid written by hand has no mark: its file name
says whose it is, as before.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from lecture import valeurs
from lecture.conteneurs import Feuille

#: The labels of the mark's rows in sheet ``instructions``.
LIBELLE_JURE = "Identifiant du juré"
LIBELLE_EMPREINTE = "Empreinte de l'affectation"
#: The workbook's custom properties holding the same.
PROPRIETE_JURE = "fabriques.jure"
PROPRIETE_EMPREINTE = "fabriques.affectation"
#: Sheets of a workbook written by ``fabriques repartir`` (``affectation.xlsx``).
FEUILLE_AFFECTATION = "affectation"


@dataclass(frozen=True)
class Marque:
    """Whose grid it is, and from which assignment."""

    jure: str
    empreinte: str


def empreinte_affectation(paires: Iterable[tuple[str, str]]) -> str:
    """The assignment's fingerprint: SHA-256 of its (juror, dossier) pairs, sorted, one per
    line — whatever the order they are listed in."""
    texte = "".join(f"{j}\t{d}\n" for j, d in sorted(set(paires)))
    return hashlib.sha256(texte.encode("utf-8")).hexdigest()


def _proprietes(chemin: Path) -> dict[str, str]:
    """The workbook's custom properties (``docProps/custom.xml``), name → text."""
    try:
        with zipfile.ZipFile(chemin) as archive:
            if "docProps/custom.xml" not in archive.namelist():
                return {}
            xml = archive.read("docProps/custom.xml").decode("utf-8", errors="replace")
    except (OSError, zipfile.BadZipFile):
        return {}
    trouvees = re.findall(r'<property[^>]*\sname="([^"]+)"[^>]*>\s*<vt:\w+>([^<]*)</vt:\w+>',
                          xml)
    return dict(trouvees)


def _rangees(feuille: Feuille | None) -> dict[str, str]:
    """Sheet ``instructions``' labelled rows: folded label → the value beside it."""
    if feuille is None:
        return {}
    rangees: dict[str, str] = {}
    for _, ligne in feuille.lignes:
        if len(ligne) >= 2 and not valeurs.est_vide(ligne[0]) and not valeurs.est_vide(ligne[1]):
            rangees.setdefault(valeurs.cle(ligne[0]), str(valeurs.texte(ligne[1])))
    return rangees


def lire_marque(chemin: Path, feuilles: Mapping[str, Feuille]) -> tuple[Marque | None, str | None]:
    """The grid's mark, or None for a grid without one; and, when its sheet and its properties
    disagree (a hand-edited mark), why."""
    par_cle = {valeurs.cle(nom): f for nom, f in feuilles.items()}
    rangees = _rangees(par_cle.get("instructions"))
    dans_la_feuille = (rangees.get(valeurs.cle(LIBELLE_JURE)),
                       rangees.get(valeurs.cle(LIBELLE_EMPREINTE)))
    proprietes = _proprietes(chemin)
    dans_les_proprietes = (proprietes.get(PROPRIETE_JURE), proprietes.get(PROPRIETE_EMPREINTE))
    lues = [m for m in (dans_la_feuille, dans_les_proprietes) if m[0]]
    if not lues:
        return None, None
    if len(lues) == 2 and lues[0] != lues[1]:
        return None, (f"la marque de la feuille « instructions » ({lues[0][0]}) et celle des "
                      f"propriétés du classeur ({lues[1][0]}) diffèrent")
    jure, empreinte = lues[0]
    return Marque(str(jure), str(empreinte or "")), None


def paires_affectation(feuilles: Mapping[str, Feuille]) -> frozenset[tuple[str, str]] | None:
    """The (juror, dossier) pairs of a workbook written by ``fabriques repartir`` (sheet
    ``affectation``: columns ``dossier`` and ``jure``), None when it is not one."""
    par_cle = {valeurs.cle(nom): f for nom, f in feuilles.items()}
    feuille = par_cle.get(FEUILLE_AFFECTATION)
    if feuille is None or "parametres" not in par_cle or not feuille.lignes:
        return None
    entete = [valeurs.cle(v) if not valeurs.est_vide(v) else "" for v in feuille.lignes[0][1]]
    if "dossier" not in entete or "jure" not in entete:
        return None
    i_dossier, i_jure = entete.index("dossier"), entete.index("jure")
    paires = set()
    for _, ligne in feuille.lignes[1:]:
        dossier = valeurs.texte(ligne[i_dossier]) if i_dossier < len(ligne) else None
        jure = valeurs.texte(ligne[i_jure]) if i_jure < len(ligne) else None
        if dossier and jure:
            paires.add((jure, dossier))
    return frozenset(paires)
