"""French number and date formats for everything the secretariat reads: ``150 000 €``,
``12,5``, ``7 décembre 2026``."""

from __future__ import annotations

from datetime import date

ESPACE_FINE = "\u202f"  # narrow no-break space: the French thousands separator


def euros(montant: float) -> str:
    """``150000`` → ``150 000 €`` (whole euros)."""
    return f"{entier(round(montant))} €"


def entier(valeur: int) -> str:
    """``8388608`` → ``8 388 608``."""
    return f"{valeur:,}".replace(",", ESPACE_FINE)


def decimal(valeur: float, chiffres: int = 2) -> str:
    """``12.5`` → ``12,50`` with ``chiffres`` decimals and French separators."""
    texte = f"{valeur:,.{chiffres}f}"
    return texte.replace(",", ESPACE_FINE).replace(".", ",")


MOIS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
        "octobre", "novembre", "décembre")


def date_en_francais(jour: date) -> str:
    """``2026-12-05`` → ``5 décembre 2026``; the first of the month is ``1er``."""
    return f"{'1er' if jour.day == 1 else jour.day} {MOIS[jour.month - 1]} {jour.year}"
