"""Recording a decided wave into the programme history (``laureats.xlsx``, sheet
``laureats``), so that the next wave sees its laureates, places, departments and money.

The write never loses the previous history: the old file is kept beside it
(``laureats.avant-vague-06.xlsx``) and the new one replaces it, both in one set of files
(:class:`commun.ecriture.Ecriture`), under the history folder's lock from reading to
writing. Recording the same wave twice, a dossier twice, or a place already laureate is
refused. The history also keeps, in sheet ``journaux``, the anchor of each recorded wave's
journal (its last entry's hash and number of entries).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
from openpyxl import Workbook

from commun import parametres as schema
from commun.chaine import Ancre
from commun.classeur import ecrire_table, texte_sur, workbook_bytes
from commun.constats import Constats
from commun.ecriture import Ecriture
from commun.fichiers import FICHIER_HISTORIQUE, nom_de_sauvegarde
from commun.provenance import AUCUN, Provenance
from commun.verrous import verrous
from lecture import valeurs
from lecture.conteneurs import lire_classeur
from lecture.dossiers import compte_comme_numerique
from lecture.historique import COLONNES_ANCRES, COLONNES_HISTORIQUE, FEUILLE_ANCRES, lire_historique
from lecture.modele import Vague
from lecture.tables import trouver_table


@dataclass(frozen=True)
class DecisionLue:
    """A decided wave as read back from its allocation workbook."""

    numero: int
    montants: dict[str, int]  # laureate → amount granted
    empreinte_historique: str  # SHA-256 of the history it was decided on, or "aucun"
    annee: int | None = None  # the year it was decided in, when the rules gave one
    #: The journal's last entry when the decision was written (None: no journal then).
    ancre_journal: Ancre | None = None
    #: Sheet ``parametres`` as parametre → valeur.
    parametres: Mapping[str, object] = field(default_factory=dict)


def lire_decision(chemin: Path, vague: Vague, constats: Constats) -> DecisionLue | None:
    """The wave number and the laureates with their granted amounts, from an allocation
    workbook written by ``fabriques allocate`` — after checking that it was computed from
    these very wave files (same SHA-256), so that a decision taken on other data can never
    enter the history (the history's own fingerprint is checked by
    :func:`enregistrer_vague`)."""
    fichier = chemin.name
    feuilles = lire_classeur(chemin, fichier, constats)
    if feuilles is None:
        return None
    par_cle = {valeurs.cle(nom): f for nom, f in feuilles.items()}
    for nom in ("laureats", "parametres"):
        if nom not in par_cle:
            constats.signaler("feuille_manquante", f"feuille « {nom} » absente : ce classeur "
                              "n'a pas été écrit par fabriques allocate", fichier=fichier,
                              feuille=nom)
    if constats.a_des_erreurs:
        return None
    table = trouver_table(par_cle["parametres"], ["parametre", "valeur"], [], constats,
                          "parametre")
    laureats = trouver_table(par_cle["laureats"], ["dossier", "montant"], ["montant_accorde"],
                             constats, "dossier")
    if table is None or laureats is None:
        return None
    parametres = {str(table.valeur(ligne, "parametre")): table.valeur(ligne, "valeur")
                  for _, ligne in table.lignes}
    provenance = Provenance.lire(parametres)
    numero_vague = schema.NUMERO.lire(parametres)
    if numero_vague is None:
        constats.signaler("valeur_invalide", "numéro de la vague absent ou illisible : ce "
                          "classeur n'a pas été écrit par fabriques allocate", fichier=fichier,
                          feuille="parametres", colonne="valeur", valeur=schema.NUMERO.cle)
    attendues = [(Path(s.chemin).name, s.sha256) for s in vague.sources]
    for nom in provenance.fichiers_differents(attendues):
        constats.signaler("decision_perimee",
                          f"« {nom} » n'est plus celui sur lequel l'allocation a été "
                          "calculée : relancez fabriques allocate", fichier=fichier,
                          feuille="parametres", colonne="valeur", valeur=f"sha256 {nom}")
    if provenance.vague != vague.nom:
        constats.signaler("decision_autre_vague", f"allocation de la vague "
                          f"« {provenance.vague} », pas de « {vague.nom} »",
                          fichier=fichier, feuille="parametres", colonne="valeur",
                          valeur=provenance.vague)
    montants: dict[str, int] = {}
    for numero, ligne in laureats.lignes:
        dossier = valeurs.texte(laureats.valeur(ligne, "dossier")) or ""
        accorde = laureats.valeur(ligne, "montant_accorde")
        montant = valeurs.nombre(accorde if accorde is not None
                                 else laureats.valeur(ligne, "montant"))
        if dossier not in vague.dossiers.index:
            constats.signaler("dossier_inconnu", "dossier absent de la vague",
                              **laureats.lieu(numero, "dossier", dossier))
        elif not montant.ok or montant.valeur is None:
            constats.signaler("valeur_invalide", montant.probleme or "montant manquant",
                              **laureats.lieu(numero, "montant", accorde))
        else:
            montants[dossier] = round(montant.valeur)
    if constats.a_des_erreurs:
        return None
    annee = dict(schema.REGLE.sujets(parametres)).get("annee", "")
    journal = schema.JOURNAL.lire(parametres)
    ancre = Ancre(journal, schema.JOURNAL_ENTREES.lire(parametres),
                  f"le classeur d'allocation {fichier}") if journal else None
    assert numero_vague is not None  # an error above otherwise
    return DecisionLue(numero_vague, montants, provenance.empreinte_historique or AUCUN,
                       int(annee) if annee.isdigit() else None, ancre, parametres)


def lignes_historique(dossiers: pd.DataFrame, montants: dict[str, int],
                      numero: int, annee: int | None = None) -> pd.DataFrame:
    """The history rows of a decided wave: its laureates (``montants``: laureate → amount
    granted) with their places, department and labels, from the wave's ``dossiers`` table,
    and the year it was decided in (for the yearly cap)."""
    lignes = []
    for identifiant in sorted(montants):
        d = dossiers.loc[identifiant]
        lignes.append({
            "dossier": identifiant, "nom": d["nom"], "lieux": ";".join(d["lieux"]),
            "departement": d["departement"], "qpv": bool(d["qpv"]),
            "numerique": compte_comme_numerique(d["numerique"], d["qpv"]),
            "montant": int(montants[identifiant]), "vague": numero, "annee": annee,
        })
    return pd.DataFrame(lignes, columns=COLONNES_HISTORIQUE)


@dataclass(frozen=True)
class Enregistrement:
    """A wave about to be recorded: checked against the history as it is, not yet written."""

    chemin: Path
    nouvelles: pd.DataFrame
    ancien: bytes | None  # the history's bytes (None: no history yet)

    @property
    def sauvegarde(self) -> Path | None:
        """Where the previous history is kept (None: there was none)."""
        return None if self.ancien is None else nom_de_sauvegarde(
            self.chemin, int(self.nouvelles["vague"].iloc[0]))

    def contenu(self, ancre: Ancre | None = None) -> bytes:
        """The new history, with the wave's journal anchor when it has one."""
        if self.ancien is None:
            classeur = Workbook()
            classeur.remove(classeur.active)  # type: ignore[arg-type]
            ecrire_table(classeur, "laureats", _pour_excel(self.nouvelles),
                         {"montant": '#,##0 "€"'})
        else:
            classeur = _ajouter(self.ancien, self.nouvelles)
        if ancre is not None:
            _ancrer(classeur, int(self.nouvelles["vague"].iloc[0]), ancre)
        return workbook_bytes(classeur)

    def planifier(self, ecriture: Ecriture, ancre: Ancre | None = None) -> Path | None:
        """Add the new history and the backup of the old one to a set of files; returns the
        backup."""
        ecriture.ajouter(self.chemin, self.contenu(ancre), remplace_entree=True)
        sauvegarde = self.sauvegarde
        if sauvegarde is not None and self.ancien is not None:
            ecriture.ajouter(sauvegarde, self.ancien, mode_de=self.chemin)
        return sauvegarde


def preparer_enregistrement(chemin: Path, nouvelles: pd.DataFrame, constats: Constats,
                            empreinte_attendue: str | None = None) -> Enregistrement | None:
    """Check that ``nouvelles`` (from :func:`lignes_historique`) may be appended to the
    history at ``chemin``. None, with the reasons in ``constats``, when it is refused.

    ``empreinte_attendue`` is the SHA-256 of the history the wave was decided on ("aucun"
    for none): a history changed since is refused, as the decision may no longer hold.
    """
    fichier = chemin.name
    # Read once: the content checked is the content backed up and extended.
    ancien = chemin.read_bytes() if chemin.exists() else None
    existant = lire_historique(chemin if ancien is not None else None, constats)
    if constats.a_des_erreurs:
        return None
    for numero in sorted(set(nouvelles["vague"]) & set(existant["vague"])):
        constats.signaler("vague_deja_enregistree",
                          f"la vague {numero} est déjà dans l'historique : elle ne peut pas être "
                          "enregistrée deux fois", fichier=fichier, feuille="laureats",
                          colonne="vague", valeur=numero)
        return None  # its dossiers and places are there too: saying so would only be noise
    for dossier in sorted(set(nouvelles["dossier"]) & set(existant["dossier"])):
        constats.signaler("dossier_deja_enregistre", "dossier déjà lauréat dans l'historique",
                          fichier=fichier, feuille="laureats", colonne="dossier", valeur=dossier)
    anciens_lieux = {valeurs.cle(lieu) for lieux in existant["lieux"] for lieu in lieux}
    for ligne in nouvelles.itertuples():
        for lieu in sorted(lieu for lieu in str(ligne.lieux).split(";")
                           if valeurs.cle(lieu) in anciens_lieux):
            constats.signaler("lieu_deja_laureat", f"le lieu {lieu} est déjà lauréat "
                              "d'une vague précédente", fichier=fichier, feuille="laureats",
                              colonne="lieux", valeur=ligne.dossier)
    actuelle = hashlib.sha256(ancien).hexdigest() if ancien is not None else AUCUN
    if not constats.a_des_erreurs and empreinte_attendue not in (None, actuelle):
        constats.signaler("decision_perimee", "l'historique a changé depuis le calcul de "
                          "l'allocation : relancez fabriques allocate", fichier=fichier)
    return None if constats.a_des_erreurs else Enregistrement(chemin, nouvelles, ancien)


def enregistrer_vague(chemin: Path, nouvelles: pd.DataFrame, constats: Constats,
                      empreinte_attendue: str | None = None) -> Path | None:
    """Append ``nouvelles`` to the history at ``chemin``, under its folder's lock, the old
    history kept beside it. Returns the backup (None when there was no history). On any
    refusal the reasons are added to ``constats`` and nothing is written."""
    with verrous([chemin.parent]):
        enregistrement = preparer_enregistrement(chemin, nouvelles, constats,
                                                 empreinte_attendue)
        if enregistrement is None:
            return None
        ecriture = Ecriture(etat=chemin.parent)
        sauvegarde = enregistrement.planifier(ecriture)
        ecriture.ecrire()
        return sauvegarde


def _pour_excel(table: pd.DataFrame) -> pd.DataFrame:
    return table.assign(qpv=table["qpv"].map({True: "oui", False: "non"}),
                        numerique=table["numerique"].map({True: "oui", False: "non"}))


def _ajouter(contenu: bytes, nouvelles: pd.DataFrame) -> Workbook:
    """The history workbook with ``nouvelles`` appended under the existing rows of sheet
    ``laureats``; other sheets, columns and formatting are kept."""
    classeur = openpyxl.load_workbook(io.BytesIO(contenu))
    feuille = next(f for f in classeur.worksheets if valeurs.cle(f.title) == "laureats")
    entete, colonnes = next(
        (numero, {valeurs.cle(c): i for i, c in enumerate(ligne, start=1) if c is not None})
        for numero, ligne in enumerate(feuille.iter_rows(values_only=True), start=1)
        if {"dossier", "vague"} <= {valeurs.cle(c) for c in ligne if c is not None}
    )
    derniere = max((c.row for ligne in feuille.iter_rows(min_row=entete) for c in ligne
                    if c.value is not None), default=entete)
    derniere = max([derniere, *(plage.max_row for plage in feuille.merged_cells.ranges)])
    if "annee" not in colonnes and nouvelles["annee"].notna().any():
        # A history written before the yearly cap: its column is added, not lost.
        colonnes["annee"] = max(colonnes.values()) + 1
        feuille.cell(row=entete, column=colonnes["annee"], value="annee")
    for decalage, ligne in enumerate(_pour_excel(nouvelles).to_dict("records"), start=1):
        for colonne in COLONNES_HISTORIQUE:
            position = colonnes.get(valeurs.cle(colonne))
            valeur = ligne[colonne]
            if position is None or valeur is None or pd.isna(valeur):
                continue
            cellule = feuille.cell(row=derniere + decalage, column=position)
            if isinstance(valeur, str):
                texte_sur(cellule, valeur)  # below every merged range: never a MergedCell
            else:
                cellule.value = int(valeur)
    return classeur


def _ancrer(classeur: Workbook, numero: int, ancre: Ancre) -> None:
    """Record the wave's journal anchor in sheet ``journaux`` (created when absent)."""
    feuille = next((f for f in classeur.worksheets if valeurs.cle(f.title) == FEUILLE_ANCRES),
                   None)
    if feuille is None:
        feuille = classeur.create_sheet(FEUILLE_ANCRES)
        for colonne, nom in enumerate(COLONNES_ANCRES, start=1):
            texte_sur(feuille.cell(1, colonne), nom)
    ligne: list[Any] = [numero, ancre.empreinte, ancre.entrees]
    feuille.append(ligne)


def historique_complete(contenu: bytes | None, nouvelles: pd.DataFrame,
                        constats: Constats) -> bytes | None:
    """The history workbook ``contenu`` (None: no history yet) with ``nouvelles`` recorded,
    as bytes — for a history the user downloads rather than one on this machine's disk.
    None, with the reasons in ``constats``, when the record is refused."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="fabriques-") as dossier:
        chemin = Path(dossier) / FICHIER_HISTORIQUE
        if contenu is not None:
            chemin.write_bytes(contenu)
        enregistrement = preparer_enregistrement(chemin, nouvelles, constats)
        return None if enregistrement is None else enregistrement.contenu()
