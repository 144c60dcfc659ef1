"""The mapping from a démarches-simplifiées export's columns to SPEC columns.

The export's fixed columns are known (``data/ds_export_headers.json``), but each démarche
names its own form fields, so the mapping is an editable TOML file
(``data/correspondance_ds.toml`` by default): read here (:func:`charger_correspondance`),
and applied to a header row (:func:`colonnes_de_l_entete`: where each SPEC column is).
"""

from __future__ import annotations

import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from commun.syntaxe_toml import erreur_toml, erreur_utf8
from lecture import valeurs


@dataclass(frozen=True)
class Correspondance:
    """SPEC column → candidate export headers; columns where any value means « oui »."""

    colonnes: dict[str, tuple[str, ...]]
    presence_vaut_oui: frozenset[str]
    source: str
    #: Headers that describe the porteur's registered seat, not the place (« Établissement
    #: localité »): used for the commune only as a last resort, and said.
    siege: frozenset[str] = frozenset()
    #: What ``fabriques ds publier`` writes (``score``, ``rang``, ``statut``) → the candidate
    #: labels of the démarche's private annotations.
    annotations: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: Columns a repetition block may give, one value per row (the places).
    listes: frozenset[str] = frozenset()
    #: Columns where the export's 0 means « not given » (a blank number champ is exported
    #: as 0).
    zero_vaut_vide: frozenset[str] = frozenset()
    #: Columns a repetition block of places may give by its first row (the place's commune).
    premiere_ligne: frozenset[str] = frozenset()


class CorrespondanceIllisible(ValueError):
    """A mapping file that is not TOML, or not UTF-8: said in French at its line and column
    (tomllib says it in English)."""

    def __init__(self, fichier: str, ligne: int | None, colonne: int | None, message: str):
        self.fichier, self.ligne, self.colonne, self.message = fichier, ligne, colonne, message
        lieu = f", ligne {ligne}, colonne {colonne}" if ligne is not None else ""
        super().__init__(f"{fichier}{lieu} : fichier de correspondance illisible : {message}")


def charger_correspondance(chemin: Path | None = None) -> Correspondance:
    """Load a mapping file (default: the bundled one); :class:`CorrespondanceIllisible`
    when it is not a TOML file."""
    if chemin is None:
        brut = (files("lecture") / "data" / "correspondance_ds.toml").read_bytes()
        source = "correspondance_ds.toml (par défaut)"
    else:
        brut = Path(chemin).read_bytes()
        source = str(chemin)
    texte = ""
    try:
        texte = brut.decode("utf-8")
        donnees: dict[str, Any] = tomllib.loads(texte)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as erreur:
        lue = (erreur_utf8(erreur, brut) if isinstance(erreur, UnicodeDecodeError)
               else erreur_toml(erreur, texte))
        raise CorrespondanceIllisible(source, lue.ligne, lue.colonne, lue.message) from None
    except RecursionError:
        raise CorrespondanceIllisible(source, None, None, "tables ou listes imbriquées sur "
                                      "des milliers de niveaux") from None
    colonnes = {k: tuple(v) for k, v in donnees.get("colonnes", {}).items()}
    presence = frozenset(donnees.get("presence_vaut_oui", {}).get("colonnes", []))
    siege = frozenset(valeurs.cle(h) for h in donnees.get("siege", {}).get("intitules", []))
    annotations = {k: tuple(v) for k, v in donnees.get("annotations", {}).items()}
    blocs = donnees.get("blocs_repetables", {})
    listes = frozenset(blocs.get("colonnes", []))
    premiere = frozenset(blocs.get("premiere_ligne", []))
    zero = frozenset(donnees.get("zero_vaut_vide", {}).get("colonnes", []))
    return Correspondance(colonnes, presence, source, siege, annotations, listes, zero,
                          premiere)


def positions_de_l_entete(entete: tuple[Any, ...], correspondance: Correspondance,
                          du_siege: bool = False) -> dict[str, int]:
    """SPEC column → index of the first header of ``entete`` among its candidates (see
    :func:`colonnes_de_l_entete` for ``du_siege``)."""
    return {c: indices[0]
            for c, indices in colonnes_de_l_entete(entete, correspondance, du_siege).items()}


def colonnes_de_l_entete(entete: tuple[Any, ...], correspondance: Correspondance,
                         du_siege: bool = False) -> dict[str, list[int]]:
    """SPEC column → every index of ``entete`` holding its first candidate header found (a
    label used by two champs — one deleted and made again in a later revision of the form —
    is two columns). The headers of the porteur's seat are left out, or with ``du_siege``
    are the only ones looked for: the seat is the place's commune only when nothing else
    gives it (:func:`lecture.demarches.traduire_export`)."""
    par_cle: dict[str, list[int]] = defaultdict(list)
    for i, v in enumerate(entete):
        if not valeurs.est_vide(v):
            par_cle[valeurs.cle(v)].append(i)
    colonnes: dict[str, list[int]] = {}
    for colonne, candidats in correspondance.colonnes.items():
        trouve = next((par_cle[valeurs.cle(c)] for c in candidats if valeurs.cle(c) in par_cle
                       and (valeurs.cle(c) in correspondance.siege) == du_siege), None)
        if trouve is not None:
            colonnes[colonne] = trouve
    return colonnes

