"""The programme's history of laureates (``laureats.xlsx``, SPEC §3): sheet ``laureats``, the
laureates of the earlier waves, and sheet ``journaux``, each recorded wave's journal anchor;
and the yearly cap's need of every laureate's year.

Found beside the wave as ``programme.toml`` is (:func:`lecture.programme.trouver_fichier`).
Problems are located findings, as for the wave itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from commun.chaine import Ancre
from commun.constats import Constats
from commun.fichiers import FICHIER_HISTORIQUE
from lecture import valeurs
from lecture.conteneurs import lire_classeur
from lecture.dossiers import compte_comme_numerique
from lecture.programme import Regles
from lecture.tables import Cellules, Colonne, trouver_table


def _annee(brut: Any) -> valeurs.Lu[int]:
    return valeurs.Lu(None) if valeurs.est_vide(brut) else valeurs.entier(brut)


#: Sheet ``laureats`` of the history (SPEC §3); ``annee`` is required only when the yearly
#: cap applies (:func:`verifier_annees`).
SCHEMA_HISTORIQUE: tuple[Colonne, ...] = (
    Colonne("dossier", valeurs.texte_lu, requise=True),
    Colonne("nom", valeurs.texte_lu, requise=True, defaut=""),
    Colonne("lieux", valeurs.lieux_lu, requise=True,
            vide=("valeur_manquante", "lieu du lauréat manquant : un lieu déjà lauréat ne "
                                      "peut pas l'être de nouveau (FAQ 6.5)")),
    Colonne("departement", valeurs.code_departement, requise=True, invalide="valeur_invalide"),
    Colonne("qpv", valeurs.booleen, requise=True, invalide="valeur_invalide", defaut=False),
    Colonne("numerique", valeurs.booleen, requise=True, invalide="valeur_invalide",
            defaut=False),
    Colonne("montant", valeurs.entier, requise=True, invalide="valeur_invalide", defaut=0),
    Colonne("vague", valeurs.entier, requise=True, invalide="valeur_invalide", defaut=0),
    Colonne("annee", _annee, invalide="valeur_invalide"),
)
COLONNES_HISTORIQUE = tuple(c.nom for c in SCHEMA_HISTORIQUE)
#: Sheet ``journaux`` of the history: for each recorded wave, the hash of its journal's last
#: entry and the number of entries when it was recorded (the journal's outside anchor).
FEUILLE_ANCRES = "journaux"
SCHEMA_ANCRES: tuple[Colonne, ...] = (
    Colonne("vague", valeurs.entier, requise=True, invalide="valeur_invalide", defaut=0),
    Colonne("derniere_empreinte", valeurs.texte_lu, requise=True, defaut=""),
    Colonne("entrees", valeurs.entier, requise=True, invalide="valeur_invalide", defaut=0),
)
COLONNES_ANCRES = tuple(c.nom for c in SCHEMA_ANCRES)


def verifier_annees(regles: Regles, historique: pd.DataFrame, affichage: str,
                    constats: Constats) -> None:
    """The yearly cap (``max_par_an``) needs the wave's year and every earlier laureate's:
    without ``[vague] annee`` it is not applied (said); with it, a history laureate with no
    ``annee`` is an error."""
    if regles.max_par_an is None:
        return
    if regles.annee is None:
        constats.signaler("annee_manquante", f"[vague] annee absente : le plafond de "
                          f"{regles.max_par_an} lauréats par an n'est pas appliqué",
                          fichier=affichage, feuille="[vague]", colonne="annee")
        return
    for vague, dossier in historique.loc[historique["annee"].isna(), ["vague", "dossier"]] \
            .itertuples(index=False):
        constats.signaler("valeur_manquante", f"année du lauréat {dossier} (vague {vague}) "
                          f"absente : elle est requise pour le plafond de {regles.max_par_an} "
                          "lauréats par an", fichier=FICHIER_HISTORIQUE, feuille="laureats",
                          colonne="annee", valeur=dossier)


def historique_vide() -> pd.DataFrame:
    """A history with no laureate yet (first wave)."""
    return pd.DataFrame(columns=COLONNES_HISTORIQUE)


def lire_historique(chemin: Path | None, constats: Constats) -> pd.DataFrame:
    """Sheet ``laureats`` of the history workbook, typed; empty when there is no file."""
    if chemin is None:
        return historique_vide()
    feuilles = lire_classeur(chemin, chemin.name, constats)
    if feuilles is None:
        return historique_vide()
    par_cle = {valeurs.cle(n): f for n, f in feuilles.items()}
    if "laureats" not in par_cle:
        constats.signaler("feuille_manquante", "feuille « laureats » absente",
                          fichier=chemin.name, feuille="laureats")
        return historique_vide()
    table = trouver_table(par_cle["laureats"], [c.nom for c in SCHEMA_HISTORIQUE if c.requise],
                          [c.nom for c in SCHEMA_HISTORIQUE if not c.requise], constats,
                          "dossier")
    if table is None:
        return historique_vide()
    lignes = []
    for numero, ligne in table.lignes:
        cellules = Cellules(table, numero, ligne)
        laureat = {c.nom: cellules.lire(c, constats) for c in SCHEMA_HISTORIQUE}
        laureat["numerique"] = compte_comme_numerique(laureat["numerique"], laureat["qpv"])
        lignes.append(laureat)
    # Canonical order: no decision may depend on the order of the history's rows.
    return pd.DataFrame(lignes, columns=COLONNES_HISTORIQUE).sort_values(
        ["vague", "dossier"], kind="stable").reset_index(drop=True)


def lire_ancres(chemin: Path | None, constats: Constats) -> dict[int, Ancre]:
    """Sheet ``journaux`` of the history: wave number → what it says of that wave's journal
    (none for a history without the sheet, written before journals were anchored)."""
    if chemin is None or not chemin.is_file():
        return {}
    feuilles = lire_classeur(chemin, chemin.name, Constats())  # its faults: lire_historique's
    feuille = {valeurs.cle(n): f for n, f in (feuilles or {}).items()}.get(FEUILLE_ANCRES)
    if feuille is None:
        return {}
    table = trouver_table(feuille, COLONNES_ANCRES, [], constats, "vague")
    if table is None:
        return {}
    ancres = {}
    for numero, ligne in table.lignes:
        lu = {c.nom: Cellules(table, numero, ligne).lire(c, constats) for c in SCHEMA_ANCRES}
        ancres[int(lu["vague"])] = Ancre(str(lu["derniere_empreinte"]), int(lu["entrees"]),
                                         f"l'historique {chemin.name} (vague {lu['vague']})")
    return ancres
