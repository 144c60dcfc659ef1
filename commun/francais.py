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


#: What a setting left unset reads as.
NON_FIXE = "non fixé"


def valeur_en_clair(valeur: object) -> str:
    """A setting's value as a person reads it: « oui » / « non », whole numbers as they are
    (no separator: sheet ``parametres`` is also read back), other numbers with a decimal
    comma (``0.5`` → ``0,5``), :data:`NON_FIXE` for None."""
    if valeur is None:
        return NON_FIXE
    if isinstance(valeur, bool):
        return "oui" if valeur else "non"
    if isinstance(valeur, int):
        return str(valeur)
    if isinstance(valeur, float):
        return f"{valeur:g}".replace(".", ",") if valeur != int(valeur) else str(int(valeur))
    return str(valeur)


#: Months as the secretariat abbreviates them (« 7 déc. 2026 »).
MOIS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
        "nov.", "déc.")


def horodatage(iso: str, fuseau: str = "Europe/Paris") -> str:
    """An ISO 8601 instant (``2026-12-07T20:05:00+00:00``) as read in Paris:
    ``7 déc. 2026 21:05``; a text that is no instant is returned as given."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    try:
        moment = datetime.fromisoformat(iso)
    except (TypeError, ValueError):
        return str(iso)
    if moment.tzinfo is not None:
        moment = moment.astimezone(ZoneInfo(fuseau))
    return f"{moment.day} {MOIS[moment.month - 1]} {moment.year} {moment:%H:%M}"


#: Months in full (« 7 décembre 2026 »).
MOIS_ENTIERS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
                "septembre", "octobre", "novembre", "décembre")


def date_en_francais(jour: date) -> str:
    """``2026-12-05`` → ``5 décembre 2026``; the first of the month is ``1er``."""
    return f"{'1er' if jour.day == 1 else jour.day} {MOIS_ENTIERS[jour.month - 1]} {jour.year}"
