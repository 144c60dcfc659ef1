"""Tables inside sheets: the header row found wherever it is, columns mapped by name
(whatever their spelling or order), cells located for findings."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from commun.constats import Constats
from commun.noms import probleme_de_nom
from lecture import valeurs
from lecture.conteneurs import Feuille

#: Other spellings accepted for a column, as header keys (see :func:`valeurs.cle`).
ALIAS_COLONNES: dict[str, tuple[str, ...]] = {
    "dossier": ("dossier", "ndossier", "numerodossier", "iddossier"),
    "jure": ("jure", "membre", "idjure"),
    "critere": ("critere", "idcritere"),
    "commentaire": ("commentaire", "commentaires", "observations", "remarques"),
}


@dataclass
class Table:
    """A sheet whose header row was found: canonical column → position and header text."""

    feuille: Feuille
    colonnes: dict[str, tuple[int, str]]
    lignes: list[tuple[int, tuple[Any, ...]]]
    autres_colonnes: dict[str, tuple[int, str]] = field(default_factory=dict)

    def valeur(self, ligne: tuple[Any, ...], colonne: str) -> Any:
        """The cell of ``colonne`` in ``ligne`` (None when the column is absent)."""
        position = self.colonnes.get(colonne)
        if position is None or position[0] >= len(ligne):
            return None
        return ligne[position[0]]

    def par_identifiant(self, colonne: str, quoi: str, code_double: str,
                        constats: Constats) -> Iterator[tuple[int, tuple[Any, ...], str]]:
        """(row number, row, identifier) of each row with an identifier in ``colonne``
        not seen before; a row without one, or repeating one, is reported and skipped
        (``quoi`` names what the identifier is of, in French). Identifiers may become file
        names (a juror's grid): one that cannot (:func:`commun.noms.probleme_de_nom`)
        is an error."""
        vus: dict[str, int] = {}
        formes: dict[str, tuple[int, str]] = {}
        for numero, ligne in self.lignes:
            identifiant = valeurs.texte(self.valeur(ligne, colonne))
            probleme = probleme_de_nom(identifiant) if identifiant is not None else None
            autre = (formes.get(valeurs.forme_normale(identifiant))
                     if identifiant is not None and identifiant not in vus else None)
            if identifiant is None:
                constats.signaler("identifiant_manquant", f"ligne sans identifiant de {quoi}",
                                  **self.lieu(numero, colonne))
            elif autre is not None:
                # the same id written differently (case, a non-breaking hyphen, a full-width
                # letter, an invisible character): an error at both rows
                for ici, la, valeur in ((autre[0], numero, autre[1]),
                                        (numero, autre[0], identifiant)):
                    constats.signaler(
                        "identifiants_semblables",
                        f"identifiant de {quoi} qui ne diffère de celui de la ligne {la} que "
                        "par la casse, un tiret, une espace ou un caractère invisible : "
                        "deux identifiants ou un seul ?", **self.lieu(ici, colonne, valeur))
            elif probleme is not None:
                constats.signaler("identifiant_invalide", f"identifiant de {quoi} : {probleme}",
                                  **self.lieu(numero, colonne, identifiant))
            elif identifiant in vus:
                constats.signaler(code_double, f"identifiant de {quoi} déjà utilisé ligne "
                                  f"{vus[identifiant]}", **self.lieu(numero, colonne, identifiant))
            else:
                vus[identifiant] = numero
                formes[valeurs.forme_normale(identifiant)] = (numero, identifiant)
                yield numero, ligne, identifiant

    def lieu(self, numero: int, colonne: str | None = None, valeur: Any = None) -> dict[str, Any]:
        """Location keywords for a finding about a cell of this table."""
        entete = self.colonnes.get(colonne, (0, colonne))[1] if colonne else None
        return {
            "fichier": self.feuille.fichier,
            "feuille": self.feuille.nom,
            "ligne": numero,
            "colonne": self.feuille.intitules.get(entete, entete) if entete else entete,
            "valeur": valeur,
        }


def trouver_table(
    feuille: Feuille,
    requises: Sequence[str],
    optionnelles: Sequence[str],
    constats: Constats,
    cle_colonne: str,
) -> Table | None:
    """Locate the header row (the first of the first 20 rows holding ``cle_colonne``) and
    map each expected column; record one error per missing required column."""
    attendues = list(requises) + list(optionnelles)
    alias_cle = ALIAS_COLONNES.get(cle_colonne, (valeurs.cle(cle_colonne),))
    def est_entete(ligne: tuple[Any, ...]) -> bool:
        return any(not valeurs.est_vide(v) and valeurs.cle(v) in alias_cle for v in ligne)

    position = next(
        (i for i, (_, ligne) in enumerate(feuille.lignes[:20]) if est_entete(ligne)), None
    )
    if position is None:
        constats.signaler(
            "colonne_manquante",
            f"colonne « {cle_colonne} » introuvable (ligne d'en-tête absente)",
            fichier=feuille.fichier, feuille=feuille.nom, colonne=cle_colonne,
        )
        return None
    numero_entete, ligne = feuille.lignes[position]
    cles = [valeurs.cle(v) if not valeurs.est_vide(v) else "" for v in ligne]
    colonnes: dict[str, tuple[int, str]] = {}
    autres: dict[str, tuple[int, str]] = {}
    for index, (cle, brut) in enumerate(zip(cles, ligne, strict=True)):
        if not cle:
            continue
        nom = next(
            (a for a in attendues if cle in ALIAS_COLONNES.get(a, (valeurs.cle(a),))), None
        )
        cible = colonnes if nom else autres
        nom = nom or cle
        if nom in cible:
            constats.signaler(
                "colonne_en_double", f"la colonne « {brut} » apparaît deux fois",
                fichier=feuille.fichier, feuille=feuille.nom, ligne=numero_entete,
                colonne=str(brut),
            )
            continue
        cible[nom] = (index, str(brut).strip())
    manquantes = [c for c in requises if c not in colonnes]
    for colonne in manquantes:
        constats.signaler(
            "colonne_manquante", f"colonne obligatoire « {colonne} » absente",
            fichier=feuille.fichier, feuille=feuille.nom, ligne=numero_entete, colonne=colonne,
        )
    if manquantes:
        return None
    return Table(feuille, colonnes, feuille.lignes[position + 1 :], autres)


@dataclass(frozen=True)
class Colonne:
    """One column of a table schema: how its cells are read and what they report.

    ``lire`` turns a cell into a :class:`~lecture.valeurs.Lu`; a cell it cannot read is
    reported under ``invalide`` with the parser's reason, one it read after a repair under
    ``reparee``; an empty cell under ``vide`` = (code, message) when set. The value stored
    is ``defaut`` when the cell gives none. Checks across columns are the reader's own."""

    nom: str
    lire: Callable[[Any], valeurs.Lu[Any]]
    requise: bool = False
    invalide: str | None = None
    reparee: str | None = None
    vide: tuple[str, str] | None = None
    defaut: Any = None


@dataclass(frozen=True)
class Cellules:
    """One row of a table, to locate findings about its cells."""

    table: Table
    numero: int
    ligne: tuple[Any, ...]

    def lieu(self, colonne: str, *valeur: Any) -> dict[str, Any]:
        """Where the cell of ``colonne`` is, with its raw value (or ``valeur``)."""
        return self.table.lieu(self.numero, colonne,
                               valeur[0] if valeur else self.table.valeur(self.ligne, colonne))

    def lire(self, colonne: Colonne, constats: Constats) -> Any:
        """The value of ``colonne``'s cell in this row, its findings recorded (the cell's
        location is built only for a finding: this runs for every cell of a table)."""
        brut = self.table.valeur(self.ligne, colonne.nom)
        if colonne.vide and valeurs.est_vide(brut):
            constats.signaler(colonne.vide[0], colonne.vide[1], **self.lieu(colonne.nom, brut))
            return colonne.defaut
        lu = colonne.lire(brut)
        if not lu.ok:
            if colonne.invalide:
                constats.signaler(colonne.invalide, str(lu.probleme),
                                  **self.lieu(colonne.nom, brut))
            return colonne.defaut
        if lu.repare and colonne.reparee:
            constats.signaler(colonne.reparee, lu.repare, **self.lieu(colonne.nom, brut))
        return colonne.defaut if lu.valeur is None else lu.valeur
