"""The programme's rules the sample waves are drawn under, and the programme file that
writes them down (``programme.toml``): targets, caps, the criteria grid and the year of each
wave."""

from __future__ import annotations

from typing import Any

from lecture.modele import CRITERES_FAQ_3_3

#: The six criteria of FAQ 3.3, each scored from ``NOTE_MIN`` to ``NOTE_MAX``.
CRITERES = CRITERES_FAQ_3_3
NOTE_MIN, NOTE_MAX = 0, 10

#: The ``[programme]`` section of the samples' ``programme.toml``.

PROGRAMME = {
    "cible_total": 300,
    "cible_qpv": 150,
    "cible_hors_qpv": 150,
    "cible_numeriques": 30,
    "nombre_vagues": 10,
    "enveloppe_totale": 45_000_000,
    "montant_min": 75_000,
    "montant_max": 150_000,
    "montant_annuel_max": 50_000,
    "max_par_departement": 8,
    "max_par_an": 100,
}


def annee_de_la_vague(numero: int) -> int:
    """The year wave ``numero`` of the samples is decided in (three waves a year)."""
    return 2020 + (numero - 1) // 3


#: The rules of waves 5 and 6 (the shared ``programme.toml``; ``vague-07`` and ``vague-08``
#: have their own year).
VAGUE = {"annee": annee_de_la_vague(5), "max_laureats": 30, "tolerance_rythme": 2,
         "max_par_departement": 2, "note_minimale": 0}


def programme_toml(programme: dict[str, Any] | None = None,
                   vague: dict[str, Any] | None = None) -> str:
    """The programme file shared by the sample waves (no wave number: read from the name),
    with some keys of either section changed (the bench's tight-cap wave)."""
    lines = ["# Règles du programme « Fabriques de Territoire » (SPEC §3).", "[programme]"]
    lines += [f"{key} = {value}" for key, value in (PROGRAMME | (programme or {})).items()]
    lines += ["", "[vague]", "# numero : lu dans le nom de la vague (vague-05 → 5)."]
    lines += [f"{key} = {value}" for key, value in (VAGUE | (vague or {})).items()]
    return "\n".join(lines) + "\n"

