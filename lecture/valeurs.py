"""Cell values as the secretariat types them, read the French way.

Each parser returns a :class:`Lu` — the value, or the French reason it could not be read —
so that the caller records a located finding instead of raising.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

T = TypeVar("T")

_VRAI = {"oui", "o", "yes", "y", "1", "x", "vrai", "true", "on"}
_FAUX = {"non", "n", "no", "0", "", "faux", "false", "off", "-"}
_ESPACES = re.compile(r"[\s\u00a0\u202f]+")
_NOMBRE = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")
_DEPARTEMENT = re.compile(r"^(\d{2,3}|2[AB])$")
#: « 7,32829E+13 »: a long number a spreadsheet wrote in scientific notation.
_NOTATION_SCIENTIFIQUE = re.compile(r"^\d+([.,]\d+)?[eE][+-]?\d+$")
#: Largest number read from a cell, in absolute value: far beyond any amount, note or count
#: of the programme, and small enough for every integer type downstream.
NOMBRE_MAX = 1e12


@dataclass(frozen=True)
class Lu(Generic[T]):
    """A parsed cell: ``valeur`` when it could be read, else ``probleme`` says why.

    ``repare`` is set when the value was read after an automatic repair the secretariat
    should know about (a department ``1`` read as ``01``).
    """

    valeur: T | None = None
    probleme: str | None = None
    repare: str | None = None

    @property
    def ok(self) -> bool:
        """True when the cell was read."""
        return self.probleme is None


def cle(texte: object) -> str:
    """Header key: case-, accent-, space- and punctuation-insensitive.

    ``"Code commune"``, ``"code_commune"`` and ``"CODE-COMMUNE "`` all give ``codecommune``.
    """
    decomposed = unicodedata.normalize("NFKD", str(texte))
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(c for c in ascii_only.lower() if c.isalnum())


#: Characters that draw nothing (zero-width spaces and joiners, the byte-order mark).
_INVISIBLES = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
#: Every dash and minus sign, and every space.
_TIRETS = re.compile(r"[\u2010-\u2015\u2212\ufe58\ufe63\uff0d-]")


def forme_normale(identifiant: object) -> str:
    """The one normal form identifiers (dossiers, jurors, places) are compared in: Unicode
    NFKC (« Ｖ06 » → « V06 »), invisible characters dropped, case folded, every dash made
    « - » (a non-breaking hyphen, an en dash, a minus sign) and spaces removed. Two
    identifiers with the same normal form are the same one, written differently."""
    texte = unicodedata.normalize("NFKC", str(identifiant)).translate(_INVISIBLES)
    return _ESPACES.sub("", _TIRETS.sub("-", texte)).casefold()


def est_vide(value: Any) -> bool:
    """True for an empty cell: None, NaN, or only white space (``str.isspace`` is the
    ``\\s`` of :data:`_ESPACES`, its no-break spaces included, without building a string:
    this runs for every cell)."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and (not value or value.isspace())


def texte(value: Any) -> str | None:
    """A text cell; whole numbers typed as numbers come back without ``.0``."""
    if est_vide(value):
        return None
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def lieux(value: Any) -> tuple[str, ...]:
    """A cell listing places (``;``, ``,`` or line breaks between them) → the distinct
    places, sorted; empty when the cell is. The one place parser, for the wave and the
    history alike."""
    brut = texte(value) or ""
    return tuple(sorted({p.strip() for p in re.split(r"[;,\n]", brut) if p.strip()}))


def texte_lu(value: Any) -> Lu[str]:
    """:func:`texte` as a :class:`Lu` (None for an empty cell), for table schemas."""
    return Lu(texte(value))


def lieux_lu(value: Any) -> Lu[tuple[str, ...]]:
    """:func:`lieux` as a :class:`Lu`, for table schemas."""
    return Lu(lieux(value))


def entier(value: Any) -> Lu[int]:
    """A whole number (rounded); an empty cell is a problem."""
    lu = nombre(value)
    if not lu.ok:
        return Lu(probleme=lu.probleme)
    if lu.valeur is None:
        return Lu(probleme="valeur manquante")
    return Lu(round(lu.valeur))


def booleen(value: Any) -> Lu[bool]:
    """``oui/non``, ``o/n``, ``yes/no``, ``1/0``, ``x``/empty (and Excel TRUE/FALSE)."""
    if isinstance(value, bool):
        return Lu(value)
    if isinstance(value, int | float) and not isinstance(value, bool) and value in (0, 1):
        return Lu(bool(value))
    if est_vide(value):
        return Lu(False)
    key = _ESPACES.sub("", str(value)).lower()
    if key in _VRAI:
        return Lu(True)
    if key in _FAUX:
        return Lu(False)
    return Lu(probleme="valeur attendue : oui ou non")


def nombre(value: Any) -> Lu[float]:
    """A number; accepts a decimal comma, spaces as thousand separators and a ``€`` sign.

    An empty cell gives ``Lu(None)`` with no problem: the caller decides if it is required.
    """
    if isinstance(value, bool):
        return Lu(probleme="nombre attendu")
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            return Lu(None) if math.isnan(value) else Lu(probleme="nombre attendu")
        return _borne(value)
    if est_vide(value):
        return Lu(None)
    if not isinstance(value, str):
        return Lu(probleme="nombre attendu")
    compact = _ESPACES.sub("", value).replace("€", "").replace("EUR", "")
    if compact.count(",") == 1 and compact.count(".") >= 1:
        compact = compact.replace(".", "")  # 1.234,5: dots group thousands
    if not _NOMBRE.match(compact):
        return Lu(probleme="nombre attendu")
    return _borne(float(compact.replace(",", ".")))


def _borne(nombre: int | float) -> Lu[float]:
    if not abs(nombre) <= NOMBRE_MAX:  # NaN and infinities too
        return Lu(probleme="nombre hors limites (au plus mille milliards)")
    return Lu(float(nombre))


def code_departement(value: Any) -> Lu[str]:
    """A department code as text: ``01``, ``2A``, ``971``.

    Excel turns ``01`` into the number 1: such a value is repaired to ``01`` and the repair
    reported, because the secretariat's file is wrong even though we could read it.
    """
    if est_vide(value):
        return Lu(probleme="code de département manquant")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        if 1 <= value <= 9:
            return Lu(f"{value:02d}", repare=f"le nombre {value} a été lu comme « {value:02d} »")
        return Lu(str(value))
    code = _ESPACES.sub("", str(value)).upper()
    if re.fullmatch(r"\d", code):
        return Lu(f"0{code}", repare=f"« {code} » a été lu comme « 0{code} »")
    if not _DEPARTEMENT.match(code):
        return Lu(probleme="code de département attendu (01, 2A, 971…)")
    return Lu(code)


def code_commune(value: Any) -> Lu[str]:
    """An INSEE commune code as 5 characters (``01001``, ``2A004``, ``97411``).

    A 4-digit number is a code Excel stripped of its leading zero: repaired and reported.
    """
    if est_vide(value):
        return Lu(None)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    code = _ESPACES.sub("", str(value)).upper()
    if re.fullmatch(r"\d{4}", code):
        return Lu(f"0{code}", repare=f"« {code} » a été lu comme « 0{code} »")
    if not re.fullmatch(r"(\d{5}|2[AB]\d{3})", code):
        return Lu(probleme="code INSEE à 5 caractères attendu")
    return Lu(code)


def siret(value: Any) -> Lu[str]:
    """A SIRET as 14 digits of text; spaces are dropped, a lost leading zero is restored.

    Whether the number is valid (Luhn) is an eligibility question, not a reading one.
    """
    if est_vide(value):
        return Lu(None)
    if isinstance(value, str) and _NOTATION_SCIENTIFIQUE.match(_ESPACES.sub("", value)):
        return Lu(probleme="SIRET en notation scientifique : le tableur a perdu ses derniers "
                           "chiffres ; reprenez l'export d'origine, ou saisissez la colonne en "
                           "texte")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    digits = _ESPACES.sub("", str(value))
    if isinstance(value, int) and len(digits) == 13:
        return Lu(f"0{digits}", repare=f"le nombre {digits} a été lu comme « 0{digits} »")
    return Lu(digits)
