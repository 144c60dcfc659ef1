"""One letter per dossier of a decided wave (FAQ 8.5), rendered by Typst as the
procès-verbal is: a letter of award with the amount granted, the reserve list with its rank,
not selected or ineligible with the very paragraph of the ``retours`` sheet (its reason, the
points to strengthen, what comes next).

Confidentiality (FAQ 7.7) is that of :mod:`allocation.sorties.retours`: a letter speaks of
its own dossier only; the laureates' median per criterion is the only figure of others.

Every piece of text reaches the template (``modeles/lettre.typ``) as JSON through
``sys.inputs``: a porteur named ``#set page(…) *gras* $x$`` is printed as written, never
interpreted. One compiler (its fonts loaded once) renders every letter, one PDF each.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import typst

from allocation.analyses.decision import Decision
from allocation.sorties.retours import table_retours
from commun.francais import date_en_francais, decimal, euros
from commun.noms import sous
from commun.vocabulaire import STATUTS, libelle
from lecture.modele import Vague
from notation.normalisation import ScoresVague

MODELE = Path(__file__).parent / "modeles" / "lettre.typ"

AGENCE = "Agence nationale de la cohésion des territoires"
PROGRAMME = "Programme « Nouveaux lieux, nouveaux liens »"
APPEL = "Appel à manifestation d'intérêt « Fabriques de Territoire »"
#: Who answers when the programme names no contact (never an invented address).
CONTACT_PAR_DEFAUT = "Le secrétariat du jury"
SALUTATIONS = ("vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations "
               "distinguées.")


def _est_un_classeur(retours: Path) -> bool:
    return retours.suffix.lower() == ".xlsx"


def classeur_des_retours(retours: Path) -> Path:
    """The mail-merge workbook ``--retours`` asks for: the workbook named
    (``travail/retours.xlsx``), or ``retours.xlsx`` inside the folder named
    (``--retours travail/lettres``, a name without ``.xlsx``)."""
    return retours if _est_un_classeur(retours) else retours / "retours.xlsx"


def dossier_des_lettres(retours: Path) -> Path:
    """Where the letters go: a folder beside the ``retours`` workbook, named after it
    (``travail/retours.xlsx`` → ``travail/retours-lettres/``), or the folder named
    (``--retours travail/lettres`` → ``travail/lettres/V06-001.pdf``…)."""
    return retours.with_name(f"{retours.stem}-lettres") if _est_un_classeur(retours) else retours


def chemins_lettres(retours: Path, dossiers: Iterable[str]) -> dict[str, Path]:
    """Each dossier's letter, ``<dossier>.pdf`` in :func:`dossier_des_lettres`; an id that
    cannot be a file name there is refused (:class:`commun.erreurs.ErreurEcriture`,
    nothing written)."""
    dossier = dossier_des_lettres(retours)
    return {str(d): sous(dossier, f"{d}.pdf") for d in dossiers}


def _texte(valeur: object) -> str:
    if valeur is None or (isinstance(valeur, float) and pd.isna(valeur)):
        return ""
    return str(valeur).strip()


#: French typography: no line starts with « : », « ; », « ? », « ! » or « » », none ends
#: with « « » (the space beside them does not break).
_INSECABLES = ((" :", "\u00a0:"), (" ;", "\u00a0;"), (" ?", "\u00a0?"), (" !", "\u00a0!"),
               ("« ", "«\u00a0"), (" »", "\u00a0»"))


def _insecables(valeur: Any) -> Any:
    """Every string of a letter's data with the no-break spaces of French typography."""
    if isinstance(valeur, str):
        for espace, insecable in _INSECABLES:
            valeur = valeur.replace(espace, insecable)
        return valeur
    if isinstance(valeur, list):
        return [_insecables(v) for v in valeur]
    if isinstance(valeur, dict):
        return {k: _insecables(v) for k, v in valeur.items()}
    return valeur


def _majuscule(texte: str) -> str:
    return texte[:1].upper() + texte[1:]


def _notes(ligne: Mapping[str, Any], criteres: list[str],
           libelles: Mapping[str, str]) -> list[list[str]]:
    """The dossier's score per criterion against the laureates' median (empty when it was
    not scored)."""
    lignes = []
    for critere in criteres:
        note, mediane = ligne.get(f"note_{critere}"), ligne.get(f"mediane_laureats_{critere}")
        if note is None or pd.isna(note):
            return []
        lignes.append([libelles[critere], decimal(float(note), 1),
                       "" if mediane is None or pd.isna(mediane) else decimal(float(mediane), 1)])
    return lignes


def donnees_lettres(decision: Decision, vague: Vague, scores: ScoresVague,
                    jour: date | None = None, table: pd.DataFrame | None = None
                    ) -> dict[str, dict[str, Any]]:
    """What each dossier's letter prints, by dossier id (every dossier of the wave), dated
    ``jour`` (today by default); the contact is the programme's ``[lettres] contact``.
    ``table``: the ``retours`` sheet (:func:`table_retours`) when the caller holds it."""
    probleme, allocation = decision.probleme, decision.allocation
    numero = probleme.regles.numero
    retours: dict[str, dict[str, Any]] = {
        str(r["dossier"]): {str(k): v for k, v in r.items()}
        for r in (table_retours(decision, vague, scores) if table is None else table)
        .to_dict("records")}
    reserve = {r.dossier: rang for rang, r in enumerate(decision.reserve, start=1)}
    libelles = vague.libelles_criteres
    criteres = vague.ids_criteres
    quand = f"Le {date_en_francais(jour or date.today())}"
    appel = f"{APPEL} — vague {numero}"
    qui = probleme.regles.contact or CONTACT_PAR_DEFAUT
    lettres: dict[str, dict[str, Any]] = {}
    for dossier in probleme.dossiers:
        identifiant = dossier.dossier
        source = vague.dossiers.loc[identifiant]
        nom = _texte(dossier.nom) or identifiant
        commune, departement = _texte(source.get("commune")), _texte(dossier.departement)
        lieu = f"{commune} ({departement})" if commune and departement else (
            commune or (f"Département {departement}" if departement else ""))
        tableau: list[list[str]] = []
        if identifiant in allocation.laureats:
            statut = "laureat"
            accorde = allocation.montants.get(identifiant, dossier.montant)
            decision_en_mots = _majuscule(libelle(STATUTS, statut))
            montant = f"Une subvention de {euros(accorde)} vous est accordée"
            if accorde < dossier.montant:
                montant += f" (vous aviez demandé {euros(dossier.montant)})"
            paragraphes = [
                f"Nous avons le plaisir de vous informer que le jury a retenu votre dossier "
                f"« {nom} » : il est lauréat de la vague {numero} de l'appel à manifestation "
                "d'intérêt « Fabriques de Territoire ».",
                f"{montant}.",
                "Le secrétariat du programme reviendra prochainement vers vous pour les étapes "
                "suivantes (convention et versement de la subvention).",
            ]
            formule = f"Avec nos félicitations, nous {SALUTATIONS}"
        else:
            ligne = retours[identifiant]
            statut = str(ligne["statut"])
            decision_en_mots = _majuscule(libelle(STATUTS, statut))
            paragraphes = [str(ligne["message"])]
            if statut == "liste_complementaire":
                decision_en_mots += f", rang {reserve[identifiant]}"
                paragraphes.append(
                    "La liste complémentaire est ordonnée : si un lauréat se désiste, les "
                    "dossiers de la liste sont appelés dans l'ordre, chacun pour autant que les "
                    "règles du programme (équilibre entre territoires, enveloppe) le "
                    "permettent. Le secrétariat vous écrira si votre dossier est appelé ; vous "
                    "n'avez rien à faire d'ici là.")
            if statut != "ineligible":
                tableau = _notes(ligne, criteres, libelles)
            formule = ("En vous remerciant de l'intérêt que vous portez au programme, nous "
                       f"{SALUTATIONS}")
        lettres[identifiant] = _insecables({
            "entete": [AGENCE, PROGRAMME, appel],
            "destinataire": [t for t in (_texte(source.get("porteur")), nom, lieu) if t],
            "date": quand,
            "objet": f"Votre candidature à la vague {numero} de l'appel à manifestation "
                     "d'intérêt « Fabriques de Territoire »",
            "reference": f"Dossier {identifiant}",
            "decision": decision_en_mots,
            "paragraphes": paragraphes,
            "notes": {"introduction": "Notes de votre dossier par critère, face à la médiane "
                                      "des lauréats de la vague :",
                      "entetes": ["Critère", "Votre dossier", "Médiane des lauréats"],
                      "lignes": tableau} if tableau else None,
            "formule": formule,
            "signature": CONTACT_PAR_DEFAUT,
            "contact": f"Contact : {qui}",
            "pied": f"{AGENCE} — {PROGRAMME} — {appel}",
            "titre": f"Décision — dossier {identifiant} — vague {numero}",
        })
    return lettres


def rendre_lettres(lettres: Mapping[str, Mapping[str, Any]]) -> dict[str, bytes]:
    """Each letter as a PDF, by dossier id: one compiler (fonts loaded once) for all."""
    compilateur = typst.Compiler(str(MODELE), ignore_system_fonts=True)
    pdfs = {}
    for identifiant, donnees in lettres.items():
        rendu = compilateur.compile(
            format="pdf", sys_inputs={"lettre": json.dumps(donnees, ensure_ascii=False)})
        if not isinstance(rendu, bytes):  # a PDF is one document, never pages
            raise TypeError(f"Typst a rendu {type(rendu).__name__} au lieu d'un PDF")
        pdfs[identifiant] = rendu
    return pdfs


def lettres_pdf(decision: Decision, vague: Vague, scores: ScoresVague, retours: Path,
                jour: date | None = None, table: pd.DataFrame | None = None
                ) -> dict[Path, bytes]:
    """Every dossier's letter, by the path it is written to (:func:`chemins_lettres`)."""
    donnees = donnees_lettres(decision, vague, scores, jour, table)
    chemins = chemins_lettres(retours, donnees)
    return {chemins[i]: pdf for i, pdf in rendre_lettres(donnees).items()}
