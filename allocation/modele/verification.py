"""The rules checked on a selection, generated from the catalogue: the invariant checker
(:func:`violations`, independent of any solver: the tests run it on every allocation), and
the rows' running totals (:class:`Totaux`) that the reserve's exchanges and the engine's
proofs without a solve keep as dossiers enter and leave."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from allocation.modele.probleme import Dossier, ProblemeVague
from allocation.modele.regles import Contrainte, contraintes
from allocation.modele.regles_dossier import DECISION_DU_JURY, candidat, interdits
from commun.francais import euros


@dataclass(frozen=True)
class Violation:
    """One rule of SPEC §4 that a selection breaks; ``regle`` is the rule family."""

    regle: str
    message: str


def violations(
    probleme: ProblemeVague,
    laureats: tuple[str, ...] | list[str],
    montants: dict[str, int] | None = None,
) -> list[Violation]:
    """Every rule of SPEC §4 that ``laureats`` breaks (empty: all rules hold).

    ``montants`` are the granted amounts; without them each laureate commits its request (or
    the minimum grant when amounts are variable). Independent of any solver: tests run it on
    every allocation the suite produces.
    """
    par_id = {d.dossier: d for d in probleme.dossiers}
    choisis = set(laureats)
    trouvees = [Violation(famille, message) for i in sorted(choisis)
                for famille, message in interdits(probleme, par_id[i])]
    for c in contraintes(probleme):
        valeur = sum(
            (montants[i] if montants is not None and c.montant else k)
            for i, k in zip(c.membres, c.coefficients, strict=True) if i in choisis)
        message = c.message(valeur)
        if message:
            trouvees.append(Violation(c.famille, message))
    if montants is not None:
        plancher = probleme.regles.montant_min
        for i in sorted(choisis):
            d = par_id[i]
            if not min(d.montant, plancher) <= montants[i] <= d.montant:
                trouvees.append(Violation("montant", f"{i} : montant accordé "
                                                     f"{euros(montants[i])} hors bornes"))
    for identifiant in sorted(probleme.forces):
        if identifiant not in choisis:
            trouvees.append(Violation(DECISION_DU_JURY,
                                      f"{identifiant} imposé par le jury mais absent"))
    return trouvees


def verifier(
    probleme: ProblemeVague,
    laureats: tuple[str, ...] | list[str],
    montants: dict[str, int] | None = None,
) -> list[str]:
    """The messages of :func:`violations` (empty: every rule of SPEC §4 holds)."""
    return [v.message for v in violations(probleme, laureats, montants)]


class Totaux:
    """Each row's value Σ coefficients · x for a selection, kept as dossiers enter and leave:
    the one running check of the catalogue's rows. ``touche``: dossier → its (row,
    coefficient) pairs, so that a change touches only its rows."""

    def __init__(self, lignes: Sequence[Contrainte], selection: Iterable[str] = ()):
        self.lignes = list(lignes)
        self.bas = np.array([c.bas for c in self.lignes], dtype=float)
        self.haut = np.array([c.haut for c in self.lignes], dtype=float)
        self.touche: dict[str, list[tuple[int, float]]] = defaultdict(list)
        #: per row, its smallest possible value (the sum of its negative coefficients)
        self.plancher = np.zeros(len(self.lignes))
        for r, c in enumerate(self.lignes):
            for i, k in zip(c.membres, c.coefficients, strict=True):
                self.touche[i].append((r, k))
                self.plancher[r] += min(k, 0.0)
        self.valeurs = np.zeros(len(self.lignes))
        for identifiant in selection:
            self.ajouter(self.valeurs, identifiant)

    def ajouter(self, valeurs: np.ndarray, identifiant: str, signe: float = 1.0) -> None:
        """Add (``signe`` -1: remove) ``identifiant``'s coefficients to ``valeurs``."""
        for r, k in self.touche.get(identifiant, ()):
            valeurs[r] += signe * k

    def apres(self, sortant: str | None, entrant: str) -> dict[int, float]:
        """The value of every row the exchange touches once ``entrant`` joins the selection
        and ``sortant`` (if any) leaves it."""
        apres: dict[int, float] = {}
        for r, k in self.touche.get(sortant, ()) if sortant is not None else ():
            apres[r] = apres.get(r, self.valeurs[r]) - k
        for r, k in self.touche.get(entrant, ()):
            apres[r] = apres.get(r, self.valeurs[r]) + k
        return apres

    def tiennent(self, valeurs: np.ndarray, haut: np.ndarray | None = None) -> bool:
        """True when every row's value is within its bounds (``haut``: other upper ones)."""
        haut = self.haut if haut is None else haut
        return bool(np.all(valeurs <= haut + 1e-9) and np.all(valeurs >= self.bas - 1e-9))

    def depassements(self, imposes: Iterable[str]) -> dict[int, float]:
        """Rows that ``imposes`` break whatever else is selected: row → by how much its
        smallest possible value with them exceeds its upper bound."""
        minimum: dict[int, float] = {}
        for identifiant in imposes:
            for r, k in self.touche.get(identifiant, ()):
                minimum[r] = minimum.get(r, self.plancher[r]) + max(k, 0.0)
        return {r: valeur - self.haut[r] for r, valeur in sorted(minimum.items())
                if valeur > self.haut[r] + 1e-9}


class Echanges:
    """The catalogue's rows, checked incrementally for "laureate L withdraws, dossier R takes
    the place" (:class:`Totaux` of the laureates)."""

    def __init__(self, probleme: ProblemeVague, laureats: Iterable[str]):
        self.probleme = probleme
        self.totaux = Totaux(contraintes(probleme), laureats)
        self._admis: dict[str, bool] = {}  # dossier → no rule on it alone forbids it

    def possible(self, sortant: Dossier, entrant: Dossier) -> bool:
        """True when every rule of SPEC §4 holds after the exchange."""
        if entrant.dossier not in self._admis:
            self._admis[entrant.dossier] = candidat(self.probleme, entrant)
        if sortant.dossier in self.probleme.forces or not self._admis[entrant.dossier]:
            return False
        t = self.totaux
        return all(t.bas[r] - 1e-9 <= valeur <= t.haut[r] + 1e-9
                   for r, valeur in t.apres(sortant.dossier, entrant.dossier).items())

    def violations(self, sortant: str | None, entrant: Dossier) -> list[Violation]:
        """The rows broken once ``entrant`` joins the laureates and ``sortant`` (if any)
        leaves them, in catalogue order; the rules on ``entrant`` alone are not checked."""
        trouvees = []
        for r, valeur in sorted(self.totaux.apres(sortant, entrant.dossier).items()):
            message = self.totaux.lignes[r].message(valeur)
            if message:
                trouvees.append(Violation(self.totaux.lignes[r].famille, message))
        return trouvees
