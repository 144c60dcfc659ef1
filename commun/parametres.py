"""Sheet ``parametres``, written once: each row's key (the French words of its first
column), what it holds, and how its value reads back. Every workbook that carries the sheet
(scores, allocation, trade-offs) writes its rows through :meth:`Ligne.ecrire`; ``record``,
the procès-verbal and the provenance read them back through :meth:`Ligne.lire` and
:meth:`Ligne.sujets` — never through a key typed again."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


def _texte(valeur: object) -> str:
    """A cell as text (an empty one, None or NaN, as « »)."""
    return "" if valeur is None or (isinstance(valeur, float) and valeur != valeur) else str(
        valeur)


def _nombre(valeur: object) -> float | None:
    """A finite number as the sheet writes it (French: « 1 234,5 », thin or non-breaking
    spaces), or as a spreadsheet re-saved it (a number cell); None otherwise."""
    if isinstance(valeur, bool):
        return None
    if isinstance(valeur, int | float):
        nombre = float(valeur)
    else:
        try:
            nombre = float("".join(_texte(valeur).split()).replace(",", "."))
        except ValueError:
            return None
    return nombre if math.isfinite(nombre) else None


def _entier(valeur: object) -> int | None:
    """A whole number (« 6 », « 6,0 », a number cell 6.0), or None."""
    nombre = _nombre(valeur)
    return int(nombre) if nombre is not None and nombre.is_integer() else None


@dataclass(frozen=True)
class Ligne(Generic[T]):
    """One row of sheet ``parametres`` — or, with ``famille``, one row per subject, keyed
    ``« cle sujet »`` (a criterion's weight, a rule, a dossier imposed…). ``sens``: what the
    row says, for the reader of this code; ``lire``: the value as written → its type."""

    cle: str
    sens: str
    lire_valeur: Callable[[object], T]
    famille: bool = False

    def ecrire(self, valeur: object, sujet: str = "") -> tuple[str, str]:
        """The row (key, value as text) of ``valeur`` (about ``sujet`` for a family)."""
        assert bool(sujet) == self.famille, self.cle
        return (f"{self.cle} {sujet}" if self.famille else self.cle), str(valeur)

    def lire(self, parametres: Mapping[str, object]) -> T | None:
        """This row's value in a sheet read as key → value (None when it is absent)."""
        valeur = parametres.get(self.cle)
        return None if _texte(valeur) == "" else self.lire_valeur(valeur)

    def sujets(self, parametres: Mapping[str, object]) -> list[tuple[str, T]]:
        """A family's rows: (subject, value), in the sheet's order."""
        prefixe = f"{self.cle} "
        return [(cle.removeprefix(prefixe), self.lire_valeur(valeur))
                for cle, valeur in parametres.items()
                if cle.startswith(prefixe) and _texte(valeur) != ""]


NUMERO = Ligne("numero", "numéro de la vague", _entier)
METHODE = Ligne("methode", "méthode de notation demandée (son libellé)", _texte)
METHODE_CHOISIE = Ligne("methode choisie", "méthode retenue par le choix automatique",
                        _texte)
VALIDATION_CROISEE = Ligne("validation croisée",
                           "erreur de validation croisée de chaque méthode", _texte,
                           famille=True)
POIDS = Ligne("poids", "poids de chaque critère", _texte, famille=True)
REGLE = Ligne("regle", "chaque réglage du programme pour la vague", _texte, famille=True)
OBJECTIF = Ligne("objectif", "chaque objectif optionnel", _texte, famille=True)
RYTHME = Ligne("rythme", "bornes de la vague pour chaque catégorie", _texte, famille=True)
ENVELOPPE_VAGUE = Ligne("enveloppe de la vague", "enveloppe de la vague (euros)",
                        _nombre)
ENVELOPPE_RESTANTE = Ligne("enveloppe restante du programme",
                           "enveloppe restante du programme (euros)", _nombre)
TIRAGE_GRAINE = Ligne("tirage au sort partiel : graine", "graine du tirage au sort", _entier)
TIRAGE_ORDRE = Ligne("tirage au sort partiel : zone et ordre tiré",
                     "dossiers de la zone d'incertitude, dans l'ordre tiré", _texte)
IMPOSE = Ligne("imposé", "dossier imposé par le jury, et sa raison", _texte, famille=True)
ECARTE = Ligne("écarté", "dossier écarté par le jury, et sa raison", _texte, famille=True)
NOTE_REVISEE = Ligne("note révisée", "note révisée en séance (juré dossier critère)", _texte,
                     famille=True)
JOURNAL = Ligne("journal : dernière empreinte", "empreinte de la dernière entrée du journal",
                _texte)
JOURNAL_ENTREES = Ligne("journal : nombre d'entrées", "nombre d'entrées du journal",
                        _entier)
AVERTISSEMENT = Ligne("avertissement", "avertissement de la notation (une ligne chacun)",
                      _texte)
SOLVEUR = Ligne("solveur", "solveur et sa version", _texte)
SCORE_TOTAL = Ligne("score total", "score total de la sélection", _nombre)
