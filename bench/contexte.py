"""What every bench scenario works from: the waves, made once (:class:`Contexte`), and what
a scenario measures (:class:`Mesure`)."""

from __future__ import annotations

import compileall
import shutil
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from application.entrees import Chargement, Vague, charger, lire_vague
from application.service import Parametres, Resultat, decider_vague
from sample_waves import difficile
from sample_waves.ecriture import ecrire_vague_dossier
from sample_waves.generate import SEED
from sample_waves.programme import programme_toml
from sample_waves.territoire import Territoire
from sample_waves.vague import generer_vague

RACINE = Path(__file__).resolve().parents[1]
#: The project's packages (import-linter's list), whose bytecode the bench compiles before
#: timing commands.
PAQUETS = tomllib.loads((RACINE / "pyproject.toml").read_text("utf-8"))[
    "tool"]["importlinter"]["root_packages"]
Chrono = Callable[[Callable[[], object], int], list[float]]


@dataclass
class Mesure:
    """Durations of one scenario, and what to say about them."""

    durees: list[float]
    ratio: float | None = None
    detail: str = ""
    atteinte: bool | None = None


#: The tight-cap wave of issue 12: the sample's vague-06 (260 dossiers, 6 of 10 jurors per
#: dossier, its anomalies and ineligible dossiers, its history) with one laureate per
#: department in the wave and two over the programme: about a hundred eligible dossiers
#: score above the lowest laureate and must each be explained.
PLAFONDS_SERRES = ({"max_par_departement": 2}, {"max_par_departement": 1})


@dataclass
class Contexte:
    """The waves every scenario uses, made once."""

    dossier: Path
    vague_300: Path
    vague_3000: Vague
    chargement_300: Chargement
    serre: Path
    difficile: Path

    @classmethod
    def preparer(cls, dossier: Path) -> Contexte:
        """Generate a 300-dossier folder wave (every juror scores every dossier) beside the
        sample programme and history, a 3,000-dossier wave read once, and the tight-cap
        wave and issue 30's hard wave (:mod:`sample_waves.difficile`) in folders of their own.

        The project's bytecode is compiled first, as an installation does: the commands are
        timed as they run for a user, not as the first run after an edit on a machine that
        never writes bytecode (``PYTHONDONTWRITEBYTECODE``, this one's) — where compiling
        the changed modules at every start added 55 ms to each ``allocate``."""
        for paquet in PAQUETS:
            compileall.compile_dir(RACINE / paquet, quiet=1)
        rng = np.random.default_rng(SEED)
        territoire = Territoire.charger()
        for taille, numero in ((300, 6), (3000, 7)):
            vague = generer_vague(rng, numero, taille, [], territoire,
                                  jures_par_dossier=None, planter_ineligibles=False)
            ecrire_vague_dossier(vague, dossier / f"vague-{numero:02d}")
        shutil.copy(RACINE / "sample_waves" / "programme.toml", dossier / "programme.toml")
        shutil.copy(RACINE / "sample_waves" / "vague-06" / "laureats.xlsx",
                    dossier / "laureats.xlsx")
        serre = dossier / "serre"
        shutil.copytree(RACINE / "sample_waves" / "vague-06", serre / "vague-06")
        (serre / "programme.toml").write_text(programme_toml(*PLAFONDS_SERRES), "utf-8")
        grande = lire_vague(dossier / "vague-07").vague
        chargement = charger(dossier / "vague-06")
        assert grande is not None and chargement.valide, chargement.constats.codes()
        difficile_ = difficile.generer_vague_difficile(dossier / "difficile")
        return cls(dossier, dossier / "vague-06", grande, chargement, serre / "vague-06",
                   difficile_)

    def resultat_300(self, poids: dict[str, float] | None = None,
                     avec_decision: bool = False) -> Resultat:
        """The 300-dossier wave decided through the application service."""
        resultat = decider_vague(self.chargement_300, Parametres(
            poids=tuple(sorted((poids or {}).items()))), avec_decision=avec_decision)
        assert isinstance(resultat, Resultat)
        return resultat
