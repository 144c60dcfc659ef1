"""Notes revised during the jury's meeting: a juror changes a note after discussion, with a
reason. The first value is kept (``avant``) so the minutes can show before against after;
only the last revision of a note counts."""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, replace

from commun.constats import Constats
from commun.francais import decimal
from lecture.modele import Vague


@dataclass(frozen=True)
class Revision:
    """One note changed in the meeting: ``avant`` is the note as first given."""

    jure: str
    dossier: str
    critere: str
    avant: float
    apres: float
    raison: str

    @property
    def cle(self) -> tuple[str, str, str]:
        """(juror, dossier, criterion): the note revised."""
        return (self.jure, self.dossier, self.critere)

    @property
    def sujet(self) -> str:
        """The note revised as sheet ``parametres`` names it: « juror dossier criterion »
        (read back by :func:`note_du_sujet`)."""
        return f"{self.jure} {self.dossier} {self.critere}"

    @property
    def changement(self) -> str:
        """Before, after and why, as sheet ``parametres`` writes it (« 4 → 6 : raison »)."""
        return f"{self.avant:g} → {self.apres:g} : {self.raison}"


def note_du_sujet(sujet: str, vague: Vague) -> tuple[str, str, str]:
    """The (juror, dossier, criterion) of a :attr:`Revision.sujet`. An id may hold spaces,
    so the cut kept is the one whose three parts are this wave's juror, dossier and
    criterion; else the first two spaces cut it."""
    jures, criteres = {j.jure for j in vague.jury}, set(vague.ids_criteres)
    dossiers = set(vague.dossiers.index.astype(str))
    espaces = [k for k, c in enumerate(sujet) if c == " "]
    for premier, second in itertools.combinations(espaces, 2):
        jure, dossier, critere = sujet[:premier], sujet[premier + 1:second], sujet[second + 1:]
        if jure in jures and dossier in dossiers and critere in criteres:
            return jure, dossier, critere
    jure, dossier, critere = [*sujet.split(" ", 2), "", ""][:3]
    return jure, dossier, critere


def valider_revision(vague: Vague, jure: str, dossier: str, critere: str, note: float,
                     raison: str) -> Constats:
    """Why this revision cannot be made (empty when it can): the note must exist, the
    juror not be déported, the new value lie within the criterion's scale and a reason be
    given."""
    constats = Constats()
    lieu = {"colonne": f"{jure} / {dossier} / {critere}", "valeur": note}
    criteres = {c.critere: c for c in vague.criteres}
    if not raison.strip():
        constats.signaler("revision_invalide", "Une note révisée doit être motivée.", **lieu)
    if (jure, dossier) in vague.deports:
        constats.signaler("revision_invalide", f"{jure} est déporté de {dossier} : sa note ne "
                          "peut pas être révisée.", **lieu)
        return constats
    existe = vague.notes[(vague.notes["jure"] == jure) & (vague.notes["dossier"] == dossier)
                         & (vague.notes["critere"] == critere)]
    if existe.empty:
        constats.signaler("revision_invalide", f"{jure} n'a pas noté {dossier} sur le critère "
                          f"« {critere} » : il n'y a pas de note à réviser.", **lieu)
    elif critere in criteres:
        c = criteres[critere]
        if not (isinstance(note, int | float) and math.isfinite(note)
                and c.note_min <= note <= c.note_max):
            constats.signaler("revision_invalide", f"La note révisée doit être comprise entre "
                              f"{decimal(c.note_min)} et {decimal(c.note_max)}.", **lieu)
    return constats


def reviser_notes(vague: Vague, revisions: tuple[Revision, ...]) -> Vague:
    """The wave with the revised notes in place of the first ones (each revision must have
    passed :func:`valider_revision`). The revised rows keep their comment."""
    if not revisions:
        return vague
    notes = vague.notes.copy()
    cles = list(zip(notes["jure"], notes["dossier"], notes["critere"], strict=True))
    position = {cle: k for k, cle in enumerate(cles)}
    for revision in revisions:
        notes.at[notes.index[position[revision.cle]], "note"] = float(revision.apres)
    return replace(vague, notes=notes)
