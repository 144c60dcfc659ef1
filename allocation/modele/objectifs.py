"""The optional goals of the objective (:class:`~lecture.programme.Objectifs`, off by
default): each is one function yielding :class:`Terme` entries — an extra column worth some
points, tied to the selection by one row. The engine, the audit model and the pruning are
generated from :func:`termes`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from allocation.modele.probleme import ProblemeVague
from allocation.modele.regles import INFINI, par_departement
from commun.highs import nom_sur


@dataclass(frozen=True)
class Terme:
    """An optional goal: one extra column ``y`` (``0 ≤ y ≤ haut``, integer or not) worth
    ``cout`` points, tied to the selection by ``bas ≤ Σ coefficients · x(membres) +
    coefficient_terme · y ≤ haut_ligne``."""

    nom: str
    cout: float
    entiere: bool
    haut: float
    membres: tuple[str, ...]
    coefficients: tuple[float, ...]
    coefficient_terme: float
    bas: float = -INFINI
    haut_ligne: float = INFINI


def objectif_couverture(p: ProblemeVague) -> Iterator[Terme]:
    """``couverture`` points for each department that gets its first Fabrique of the
    programme (FAQ 7.1, « couverture territoriale la plus large possible »):
    ``couvert ≤ Σ x``."""
    points = p.regles.objectifs.couverture
    if not points:
        return
    for departement, membres in par_departement(p).items():
        if not p.deja_par_departement.get(departement, 0):
            yield Terme(f"couverture_{nom_sur(departement)}", points, True, 1.0, membres,
                        (1.0,) * len(membres), -1.0, bas=0.0)


def objectif_parts_population(p: ProblemeVague) -> Iterator[Terme]:
    """``parts_population`` points off per laureate a department holds beyond its population
    fair share to date: ``exces ≥ deja + Σ x − part``."""
    points = p.regles.objectifs.parts_population
    if not points:
        return
    for departement, membres in par_departement(p).items():
        deja = p.deja_par_departement.get(departement, 0)
        part = p.parts_equitables.get(departement, 0.0)
        yield Terme(f"exces_{nom_sur(departement)}", -points, False, INFINI, membres,
                    (-1.0,) * len(membres), 1.0, bas=deja - part)


OBJECTIFS: tuple[Callable[[ProblemeVague], Iterable[Terme]], ...] = (
    objectif_couverture, objectif_parts_population)


def termes(probleme: ProblemeVague) -> list[Terme]:
    """Every optional goal's term (none by default)."""
    return [t for objectif in OBJECTIFS for t in objectif(probleme)]
