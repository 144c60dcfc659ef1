"""What ``fabriques repartir`` writes: the workbook ``affectation.xlsx`` and one score sheet
per juror, locked, validated and ready to send.

A grid is read back by the wave reader as it is (sheet ``grille``: a header row with
``dossier``, ``nom``, one column per criterion id, ``commentaire``, ``conflit``; the other
columns help the juror find the dossier and are ignored). Only the notes, the comment and
``conflit`` can be edited: the sheet is protected (without a password, against slips, not
against a determined user), each note is checked by Excel against the criterion's scale, and
``conflit`` takes ``oui`` or ``non``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict

import pandas as pd
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.packaging.custom import StringProperty
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from commun import parametres as schema
from commun.classeur import ecrire_table, texte_sur, workbook_bytes
from commun.mise_en_page import (
    HAUTEUR_LIGNE,
    Bloc,
    a_mettre_en_page,
    lignes_enroulees,
    mettre_en_page,
)
from commun.provenance import Provenance
from lecture.marque import (
    LIBELLE_EMPREINTE,
    LIBELLE_JURE,
    PROPRIETE_EMPREINTE,
    PROPRIETE_JURE,
    empreinte_affectation,
)
from lecture.modele import Critere, Vague
from repartition.solveur import Repartition

#: What a juror sees of each dossier besides its id and name (when the wave has it).
COLONNES_REPERES = ("porteur", "commune", "departement", "numero_ds")
_SAISIE = PatternFill("solid", start_color="FFF7D6")
#: Narrowest the comment column gets, in characters (a grid may be printed and filled in).
LARGEUR_COMMENTAIRE = 16
_DEVERROUILLEE = Protection(locked=False)


def table_affectation(vague: Vague, repartition: Repartition) -> pd.DataFrame:
    """Sheet ``affectation``: one row per (dossier, juror), by dossier then juror."""
    jury = {j.jure: j for j in vague.jury}
    lignes = [{"dossier": d, "jure": j, "nom_jure": jury[j].nom, "college": jury[j].college,
               "nom": vague.dossiers.loc[d, "nom"],
               "departement": vague.dossiers.loc[d, "departement"],
               "nouvelle": (j, d) not in repartition.probleme.deja}
              for j, d in sorted(repartition.paires, key=lambda p: (p[1], p[0]))]
    return pd.DataFrame(lignes, columns=["dossier", "jure", "nom_jure", "college", "nom",
                                         "departement", "nouvelle"])


def table_charges(vague: Vague, repartition: Repartition) -> pd.DataFrame:
    """Sheet ``charges``: per juror, the dossiers to read and what they cover."""
    dossiers = vague.dossiers
    lignes = []
    nouvelles = repartition.charges(nouvelles_seulement=True)
    for jure in vague.jury:
        lus = [d for j, d in repartition.paires if j == jure.jure]
        table = dossiers.loc[lus]
        lignes.append({
            "jure": jure.jure, "nom": jure.nom, "college": jure.college,
            "dossiers": len(lus), "nouveaux": nouvelles.get(jure.jure, 0),
            "departements_distincts": int(table["departement"].nunique()),
            "numeriques": int(table["numerique"].sum()), "qpv": int(table["qpv"].sum()),
            "deportes": sum(1 for j, _ in repartition.probleme.interdits if j == jure.jure),
        })
    return pd.DataFrame(lignes)


def table_parametres(repartition: Repartition, provenance: Provenance,
                     par_dossier: int | None, supplement: int | None) -> pd.DataFrame:
    """Sheet ``parametres``: inputs' SHA-256, K, seed, rules and what was reached."""
    probleme = repartition.probleme
    lignes = provenance.lignes()
    lignes += [
        ("lecteurs par dossier", "" if par_dossier is None else str(par_dossier)),
        ("lectures supplémentaires", "" if supplement is None else str(supplement)),
        ("graine", str(probleme.graine)),
        ("collèges par dossier (au moins)", str(probleme.colleges_par_dossier)),
        ("dossiers répartis", str(len(probleme.dossiers))),
        ("paires interdites (déports et conflits)", str(len(probleme.interdits))),
        ("écart de charges", str(repartition.ecart_charges)),
        ("recouvrement minimal entre deux jurés", str(repartition.recouvrement_min)),
        ("borne du recouvrement minimal", str(repartition.borne_recouvrement)),
        ("lectures hors de la part de chaque strate", str(repartition.ecarts_strates)),
        ("statut", str(repartition.statut)),
        schema.SOLVEUR.ecrire(repartition.solveur),
        (LIBELLE_EMPREINTE.lower(), empreinte_affectation(repartition.paires)),
    ]
    lignes += [("avis", a) for a in repartition.avis]
    return pd.DataFrame(lignes, columns=["parametre", "valeur"])


def classeur_affectation(vague: Vague, repartition: Repartition,
                         ineligibles: Mapping[str, list[str]], provenance: Provenance,
                         par_dossier: int | None = None, supplement: int | None = None
                         ) -> bytes:
    """The workbook ``affectation.xlsx`` (sheets ``affectation``, ``charges``,
    ``recouvrements``, ``non_repartis``, ``parametres``)."""
    classeur = Workbook()
    classeur.remove(classeur.worksheets[0])
    ecrire_table(classeur, "affectation", table_affectation(vague, repartition))
    ecrire_table(classeur, "charges", table_charges(vague, repartition))
    ecrire_table(classeur, "recouvrements", repartition.recouvrements().reset_index())
    non_repartis = pd.DataFrame(
        [{"dossier": d, "nom": vague.dossiers.loc[d, "nom"], "motif": " ; ".join(m)}
         for d, m in sorted(ineligibles.items())], columns=["dossier", "nom", "motif"])
    ecrire_table(classeur, "non_repartis", non_repartis)
    ecrire_table(classeur, "parametres",
                 table_parametres(repartition, provenance, par_dossier, supplement))
    return workbook_bytes(classeur)


def _entete(feuille: Worksheet, colonne: int, texte: str, note: str | None = None) -> None:
    cellule = feuille.cell(1, colonne)
    texte_sur(cellule, texte)
    cellule.font = Font(bold=True)
    cellule.fill = PatternFill("solid", start_color="DDE4EE")
    if note:
        cellule.comment = Comment(note, "fabriques")


def grille_jure(vague: Vague, jure: str, dossiers: list[str], empreinte: str) -> bytes:
    """The score sheet of ``jure`` for ``dossiers``: sheet ``grille`` then ``instructions``,
    marked with the juror's id and the assignment's fingerprint ``empreinte``
    (:mod:`lecture.marque`)."""
    classeur = Workbook()
    classeur.remove(classeur.worksheets[0])
    classeur.properties.title = f"Grille de notation — {vague.nom} — {jure}"
    for propriete, marque in ((PROPRIETE_JURE, jure), (PROPRIETE_EMPREINTE, empreinte)):
        # openpyxl's custom properties (3.1); its type stubs do not declare them yet
        classeur.custom_doc_props.append(  # type: ignore[attr-defined]
            StringProperty(name=propriete, value=marque))
    feuille = classeur.create_sheet("grille")
    feuille.oddHeader.center.text = classeur.properties.title
    reperes = [c for c in COLONNES_REPERES if c in vague.dossiers.columns]
    criteres = list(vague.criteres)
    colonnes = ["dossier", "nom", *reperes, *(c.critere for c in criteres), "commentaire",
                "conflit"]
    libelles = {c.critere: f"{c.libelle} — note de {c.note_min:g} à {c.note_max:g}"
                for c in criteres}
    for numero, nom in enumerate(colonnes, start=1):
        _entete(feuille, numero, nom, libelles.get(nom))
    for ligne, dossier in enumerate(sorted(dossiers), start=2):
        valeurs = vague.dossiers.loc[dossier]
        texte_sur(feuille.cell(ligne, 1), dossier)
        texte_sur(feuille.cell(ligne, 2), str(valeurs["nom"] or ""))
        for decalage, colonne in enumerate(reperes, start=3):
            valeur = valeurs[colonne]
            texte_sur(feuille.cell(ligne, decalage),
                      "" if valeur is None or pd.isna(valeur) else str(valeur))
        for numero in range(3 + len(reperes), len(colonnes) + 1):
            cellule = feuille.cell(ligne, numero)
            cellule.protection = _DEVERROUILLEE
            cellule.fill = _SAISIE
    derniere = len(dossiers) + 1
    premiere_note = 3 + len(reperes)
    for decalage, critere in enumerate(criteres):
        lettre = get_column_letter(premiere_note + decalage)
        _valider_note(feuille, critere, f"{lettre}2:{lettre}{max(derniere, 2)}")
    lettre_conflit = get_column_letter(len(colonnes))
    conflit = DataValidation(type="list", formula1='"oui,non"', allow_blank=True,
                             showErrorMessage=True, errorTitle="Conflit d'intérêts",
                             error="Répondez oui ou non.", promptTitle="Conflit d'intérêts",
                             prompt="oui si vous avez un lien avec ce dossier : ne le notez pas.")
    conflit.add(f"{lettre_conflit}2:{lettre_conflit}{max(derniere, 2)}")
    feuille.add_data_validation(conflit)
    # printed: one landscape page wide, the header repeated, room to write a comment
    a_mettre_en_page(feuille, Bloc(1, derniere, len(colonnes)),
                     {len(colonnes) - 1: LARGEUR_COMMENTAIRE}, paysage=True)
    feuille.freeze_panes = "C2"
    _proteger(feuille)
    _instructions(classeur.create_sheet("instructions"), vague, jure, empreinte)
    return workbook_bytes(classeur)


def _valider_note(feuille: Worksheet, critere: Critere, plage: str) -> None:
    regle = DataValidation(
        type="decimal", operator="between", formula1=f"{critere.note_min:g}",
        formula2=f"{critere.note_max:g}", allow_blank=True, showErrorMessage=True,
        showInputMessage=True, errorStyle="stop", errorTitle="Note hors de l'échelle",
        error=(f"« {critere.critere} » se note de {critere.note_min:g} à "
               f"{critere.note_max:g} (décimales permises)."),
        promptTitle=critere.critere[:32],
        prompt=f"{critere.libelle[:200]} : de {critere.note_min:g} à {critere.note_max:g}.")
    regle.add(plage)
    feuille.add_data_validation(regle)


def _proteger(feuille: Worksheet) -> None:
    """Lock every cell but the unlocked ones; columns may still be widened."""
    protection = feuille.protection
    protection.sheet = True
    protection.formatColumns = False
    protection.formatRows = False
    protection.selectLockedCells = False
    protection.selectUnlockedCells = False


#: The conflict-of-interest rule as the instructions state it (FAQ 3.2, cahier des charges).
CONSIGNE_CONFLIT = (
    "Conflit d'intérêts : si vous avez un lien avec un dossier (porteur, partenaire, "
    "financeur, élu ou agent de la collectivité, lien personnel), écrivez « oui » dans la "
    "colonne « conflit » de sa ligne et ne le notez pas. Vous en serez déporté : vous ne le "
    "noterez pas et ne prendrez pas part à sa discussion ; le secrétariat le consigne.")


def _instructions(feuille: Worksheet, vague: Vague, jure: str, empreinte: str) -> None:
    membre = next((j for j in vague.jury if j.jure == jure), None)
    lignes = [
        f"Grille de notation — {vague.nom} — {jure}" + (f" ({membre.nom})" if membre else ""),
        "",
        "Notez chaque dossier sur chacun des critères ci-dessous, dans les cellules jaunes de "
        "la feuille « grille ». Une note hors de l'échelle est refusée à la saisie ; les "
        "décimales sont permises. Un commentaire court aide la délibération.",
        "Ne modifiez ni les identifiants ni l'ordre des colonnes ; la feuille est protégée "
        "(sans mot de passe) pour éviter les erreurs de saisie.",
        CONSIGNE_CONFLIT,
        "",
        "Critères (FAQ 3.3 de l'appel à manifestation d'intérêt) :",
    ]
    for numero, texte in enumerate(lignes, start=1):
        texte_sur(feuille.cell(numero, 1), texte)
    feuille.cell(1, 1).font = Font(bold=True, size=13)
    debut = len(lignes) + 1
    for colonne, titre in enumerate(("critère", "colonne de la grille", "poids",
                                     "note minimale", "note maximale"), start=1):
        texte_sur(feuille.cell(debut, colonne), titre)
        feuille.cell(debut, colonne).font = Font(bold=True)
    libelles = vague.libelles_criteres
    for ligne, critere in enumerate(vague.criteres, start=debut + 1):
        # the label first; the grid's column it is noted in, quoted as the grid spells it
        valeurs = {**asdict(critere), "libelle": libelles[critere.critere],
                   "critere": f"« {critere.critere} »"}
        for colonne, cle in enumerate(("libelle", "critere", "poids", "note_min", "note_max"),
                                      start=1):
            valeur = valeurs[cle]
            if isinstance(valeur, str):
                texte_sur(feuille.cell(ligne, colonne), valeur)
            else:
                feuille.cell(ligne, colonne).value = float(valeur)
    # The mark: whose grid this is and from which assignment (read back by the wave reader).
    marque = debut + len(vague.criteres) + 2
    for decalage, (libelle, valeur) in enumerate(((LIBELLE_JURE, jure),
                                                  (LIBELLE_EMPREINTE, empreinte))):
        texte_sur(feuille.cell(marque + decalage, 1), libelle)
        texte_sur(feuille.cell(marque + decalage, 2), valeur)
        feuille.cell(marque + decalage, 1).font = Font(bold=True)
    # The criteria's table sets the columns (wide enough for the mark's label and
    # fingerprint); each sentence above it spans the table's width, as tall as its lines.
    mettre_en_page(feuille, [Bloc(debut, debut + len(vague.criteres), 5)],
                   {1: len(LIBELLE_EMPREINTE) + 2, 2: len(empreinte) + 2}, paysage=True)
    largeur = sum(feuille.column_dimensions[get_column_letter(c)].width for c in range(1, 6))
    for numero, texte in enumerate(lignes, start=1):
        feuille.merge_cells(start_row=numero, start_column=1, end_row=numero, end_column=5)
        feuille.cell(numero, 1).alignment = Alignment(wrap_text=True, vertical="top")
        hauteur = 20.0 if numero == 1 else HAUTEUR_LIGNE * lignes_enroulees(texte, largeur)
        feuille.row_dimensions[numero].height = hauteur
    feuille.protection.sheet = True
