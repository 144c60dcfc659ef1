"""``fabriques ds publier``: the jury's decision written back to démarches-simplifiées.

For each dossier of the allocation workbook it prepares what to do, and does nothing until
asked: the score, rank and statut into the démarche's private annotations (their labels come
from ``correspondance_ds.toml``, section ``[annotations]``), then the laureates accepted and
the dossiers not retained or ineligible refused, with their feedback letter's paragraph as
motivation (FAQ 8.5; the ``retours`` workbook of ``allocate --retours``). Reserve-list
dossiers keep their state: they may still be called.

It is idempotent: what the platform already holds is not written again, so a second run
prepares nothing. A dossier whose champs or state changed on the platform since the import
(``ds-brut.json``) is skipped and reported: the decision was taken on other data. Every call
made is journalled in the wave's journal.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from allocation.sorties.historique import lire_decision
from application.ds.client import ClientDS, ErreurDS
from application.ds.importation import FICHIER_BRUT, lire_pages
from application.ds.requetes import (
    ACCEPTER,
    ANNOTER,
    DOSSIERS,
    INSTRUCTION,
    PASSER_EN_INSTRUCTION,
    REFUSER,
)
from commun.constats import Constats
from commun.francais import decimal
from commun.journal import Journal
from commun.vocabulaire import STATUTS, code_de, libelle
from lecture import valeurs
from lecture.chargement import charger
from lecture.conteneurs import lire_classeur
from lecture.correspondance import charger_correspondance
from lecture.tables import Table, trouver_table

#: The platform state each statut leads to (None: unchanged, the reserve may be called).
ETAT_CIBLE = {"laureat": "accepte", "liste_complementaire": None, "non_retenu": "refuse",
              "ineligible": "refuse"}
#: Annotation descriptor type → the key of ``AnnotationValueInput`` that writes it.
_VALEUR_PAR_TYPE = {"TextChampDescriptor": "text", "TextareaChampDescriptor": "textarea",
                    "IntegerNumberChampDescriptor": "integerNumber",
                    "DecimalNumberChampDescriptor": "decimalNumber"}


@dataclass(frozen=True)
class Operation:
    """One call to make: what it does in French, and the GraphQL document with its
    variables."""

    description: str
    nom: str
    document: str
    variables: Mapping[str, Any]


@dataclass(frozen=True)
class ActionDossier:
    """What publication would do for one dossier; ``ecarte``: why it is skipped."""

    dossier: str
    numero: int | None
    statut: str
    operations: tuple[Operation, ...] = ()
    ecarte: str | None = None


@dataclass(frozen=True)
class PlanPublication:
    """Every dossier's action, and what stops the publication (errors in ``constats``)."""

    demarche: int
    actions: tuple[ActionDossier, ...] = ()
    constats: Constats = field(default_factory=Constats)

    @property
    def a_publier(self) -> tuple[ActionDossier, ...]:
        """The dossiers with something to write."""
        return tuple(a for a in self.actions if a.ecarte is None and a.operations)

    @property
    def ecartes(self) -> tuple[ActionDossier, ...]:
        return tuple(a for a in self.actions if a.ecarte is not None)

    def lignes(self) -> list[str]:
        """The plan in French, dossier by dossier, then its count."""
        lignes = []
        for action in self.actions:
            statut = libelle(STATUTS, action.statut)
            tete = f"{action.dossier} (n° {action.numero}, {statut})"
            if action.ecarte is not None:
                lignes.append(f"{tete} : écarté — {action.ecarte}")
            elif action.operations:
                lignes.append(f"{tete} : " + " ; ".join(o.description for o in action.operations))
        a_jour = len(self.actions) - len(self.a_publier) - len(self.ecartes)
        lignes.append(f"{len(self.a_publier)} dossier(s) à modifier, {a_jour} déjà à jour, "
                      f"{len(self.ecartes)} écarté(s).")
        return lignes


@dataclass(frozen=True)
class RapportPublication:
    """What was done: dossiers written, and failures with the platform's message."""

    publies: tuple[str, ...]
    echecs: tuple[tuple[str, str], ...]

    def lignes(self) -> list[str]:
        lignes = [f"{len(self.publies)} dossier(s) publié(s) sur démarches-simplifiées."]
        lignes += [f"Échec pour {d} : {m}" for d, m in self.echecs]
        return lignes


def _table(chemin: Path, feuille: str, requises: list[str], optionnelles: list[str],
           constats: Constats) -> Table | None:
    feuilles = lire_classeur(chemin, chemin.name, constats)
    if feuilles is None:
        return None
    par_cle = {valeurs.cle(n): f for n, f in feuilles.items()}
    if feuille not in par_cle:
        constats.signaler("feuille_manquante", f"feuille « {feuille} » absente",
                          fichier=chemin.name, feuille=feuille)
        return None
    return trouver_table(par_cle[feuille], requises, optionnelles, constats, "dossier")


def _valeur_annotation(type_: str, valeur: Any) -> dict[str, Any] | None:
    cle = _VALEUR_PAR_TYPE.get(type_)
    if cle is None:
        return None
    if cle == "integerNumber":
        return {cle: int(valeur)}
    if cle == "decimalNumber":
        return {cle: round(float(str(valeur).replace(",", ".")), 2)}
    return {cle: str(valeur)}


def _deja_ecrite(actuelle: str | None, voulue: Mapping[str, Any]) -> bool:
    """True when the platform already holds the value (numbers compared as numbers)."""
    if actuelle is None:
        return False
    cle, valeur = next(iter(voulue.items()))
    if cle in ("integerNumber", "decimalNumber"):
        lu = valeurs.nombre(actuelle)
        return lu.ok and lu.valeur is not None and abs(lu.valeur - float(valeur)) < 1e-9
    return actuelle == str(valeur)


def preparer(client: ClientDS, demarche: int, allocation: Path, retours: Path,
             dossier_vague: Path, instructeur: str | None = None,
             correspondance: Path | None = None) -> PlanPublication:
    """What publishing ``allocation`` (with the letters of ``retours``) to the démarche
    would do, read from the platform's present state; nothing is written."""
    constats = Constats()
    chargement = charger(dossier_vague)
    vague = chargement.vague
    if vague is None:
        constats.etendre(chargement.constats.erreurs)
        return PlanPublication(demarche, (), constats)
    if lire_decision(allocation, vague, constats) is None:
        return PlanPublication(demarche, (), constats)
    classement = _table(allocation, "classement", ["dossier", "statut"], ["score", "rang"],
                        constats)
    lettres = _table(retours, "retours", ["dossier", "statut", "message"], [], constats)
    chemin_brut = dossier_vague / FICHIER_BRUT
    if not chemin_brut.exists():
        constats.signaler("fichier_manquant", f"{FICHIER_BRUT} absent : la vague n'a pas été "
                          "importée par fabriques ds importer", fichier=str(chemin_brut))
    if classement is None or lettres is None or constats.a_des_erreurs:
        return PlanPublication(demarche, (), constats)
    brut = json.loads(chemin_brut.read_text("utf-8"))
    if brut.get("demarche") != demarche:
        constats.signaler("demarche_differente", f"la vague a été importée de la démarche "
                          f"{brut.get('demarche')}, pas de la démarche {demarche}",
                          fichier=FICHIER_BRUT, valeur=str(brut.get("demarche")))
        return PlanPublication(demarche, (), constats)
    importes = {int(n["number"]): n for n in brut["dossiers"]}
    messages: dict[str, tuple[str, str]] = {}
    for _, ligne in lettres.lignes:
        dossier = valeurs.texte(lettres.valeur(ligne, "dossier")) or ""
        lu = valeurs.texte(lettres.valeur(ligne, "statut")) or ""
        messages[dossier] = (code_de(STATUTS, lu) or lu,
                             valeurs.texte(lettres.valeur(ligne, "message")) or "")

    instruction = client.executer(INSTRUCTION, {"demarche": demarche})["demarche"]
    if instruction is None:
        raise ErreurDS(f"démarche {demarche} introuvable, ou le jeton n'y donne pas accès.")
    profils = {p["email"]: p["id"] for g in instruction["groupeInstructeurs"]
               for p in g["instructeurs"]}
    if instructeur is None and len(profils) == 1:
        instructeur = next(iter(profils))
    if instructeur not in profils:
        constats.signaler("instructeur_inconnu", "indiquez par --instructeur l'adresse d'un "
                          f"instructeur de la démarche ({', '.join(sorted(profils))})",
                          valeur=instructeur or "")
        return PlanPublication(demarche, (), constats)
    id_instructeur = profils[instructeur]
    annotations = _descripteurs(instruction["activeRevision"]["annotationDescriptors"],
                                correspondance, constats)
    actuels = {int(n["number"]): n
               for n in lire_pages(client, DOSSIERS, demarche, "dossiers", None, None)}
    actions = []
    for numero_ligne, ligne in sorted(classement.lignes,
                                      key=lambda nl: valeurs.texte(
                                          classement.valeur(nl[1], "dossier")) or ""):
        dossier = valeurs.texte(classement.valeur(ligne, "dossier")) or ""
        # the word the workbook shows, or the code an older workbook holds
        ecrit = valeurs.texte(classement.valeur(ligne, "statut")) or ""
        statut = code_de(STATUTS, ecrit) or ecrit
        lettre = messages.get(dossier)
        if statut != "laureat" and (lettre is None or lettre[0] != statut):
            constats.signaler("retours_differents", "le classeur de retours ne correspond pas "
                              "à cette allocation (dossier absent ou statut différent) : "
                              "relancez allocate --retours",
                              **classement.lieu(numero_ligne, "statut", statut))
            continue
        actions.append(_action(dossier, statut, classement, ligne, lettre, importes, actuels,
                               annotations, id_instructeur, vague.dossiers))
    return PlanPublication(demarche, tuple(actions), constats)


def _descripteurs(descripteurs: list[dict[str, Any]], correspondance: Path | None,
                  constats: Constats) -> dict[str, dict[str, Any]]:
    """``score``/``rang``/``statut`` → the démarche's annotation descriptor for it."""
    par_cle = {valeurs.cle(d["label"]): d for d in descripteurs}
    trouves = {}
    for valeur, candidats in charger_correspondance(correspondance).annotations.items():
        descripteur = next((par_cle[valeurs.cle(c)] for c in candidats
                            if valeurs.cle(c) in par_cle), None)
        if descripteur is None:
            constats.signaler("annotation_absente", f"aucune annotation privée de la démarche "
                              f"pour « {valeur} » (intitulés cherchés : "
                              f"{', '.join(candidats)}) : elle ne sera pas écrite",
                              valeur=valeur)
        elif descripteur["__typename"] not in _VALEUR_PAR_TYPE:
            constats.signaler("annotation_absente", f"l'annotation « {descripteur['label']} » "
                              f"est de type {descripteur['__typename']}, que la publication "
                              "n'écrit pas", valeur=valeur)
        else:
            trouves[valeur] = descripteur
    return trouves


def _action(dossier: str, statut: str, classement: Table, ligne: tuple[Any, ...],
            lettre: tuple[str, str] | None, importes: Mapping[int, Any],
            actuels: Mapping[int, Any], annotations: Mapping[str, Mapping[str, Any]],
            instructeur: str, dossiers: Any) -> ActionDossier:
    numero_ds = dossiers.at[dossier, "numero_ds"] if "numero_ds" in dossiers.columns \
        and dossier in dossiers.index else None
    texte = valeurs.texte(numero_ds) if numero_ds is not None else None
    numero = int(texte) if texte and texte.isdigit() else (
        int(dossier) if dossier.isdigit() else None)
    if numero is None or numero not in importes:
        return ActionDossier(dossier, numero, statut, ecarte="aucun dossier importé de la "
                             "démarche sous ce numéro")
    importe, actuel = importes[numero], actuels.get(numero)
    if actuel is None:
        return ActionDossier(dossier, numero, statut, ecarte="n'est plus sur la démarche "
                             "(supprimé ou déplacé)")
    cible = ETAT_CIBLE.get(statut)
    if actuel["dateDerniereModificationChamps"] != importe["dateDerniereModificationChamps"]:
        return ActionDossier(dossier, numero, statut, ecarte="modifié sur la plateforme depuis "
                             f"l'import (le {actuel['dateDerniereModificationChamps']}) : la "
                             "décision a été prise sur d'autres données")
    if actuel["state"] not in {importe["state"], "en_instruction", cible}:
        return ActionDossier(dossier, numero, statut, ecarte=f"son état a changé sur la "
                             f"plateforme depuis l'import ({actuel['state']})")
    identifiant = actuel["id"]
    variables = {"dossier": identifiant, "instructeur": instructeur}
    operations = []
    score = classement.valeur(ligne, "score")
    rang = classement.valeur(ligne, "rang")
    a_ecrire = {"score": decimal(float(score), 2) if not valeurs.est_vide(score) else None,
                "rang": valeurs.texte(rang) if not valeurs.est_vide(rang) else None,
                "statut": libelle(STATUTS, statut)}
    existantes = {a["champDescriptorId"]: a.get("stringValue")
                  for a in actuel.get("annotations") or []}
    valeurs_annotations, noms = [], []
    for cle, descripteur in sorted(annotations.items()):
        if a_ecrire.get(cle) is None:
            continue
        voulue = _valeur_annotation(descripteur["__typename"], a_ecrire[cle])
        if voulue is None or _deja_ecrite(existantes.get(descripteur["id"]), voulue):
            continue
        valeurs_annotations.append({"id": descripteur["id"], "value": voulue})
        noms.append(f"{descripteur['label']} = {next(iter(voulue.values()))}")
    if valeurs_annotations:
        operations.append(Operation(f"annoter ({', '.join(noms)})", "Annoter", ANNOTER,
                                    {**variables, "annotations": valeurs_annotations}))
    if cible is not None and actuel["state"] != cible:
        if actuel["state"] == "en_construction":
            operations.append(Operation("passer en instruction", "PasserEnInstruction",
                                        PASSER_EN_INSTRUCTION, variables))
        if cible == "accepte":
            operations.append(Operation("accepter", "Accepter", ACCEPTER,
                                        {**variables, "motivation": None}))
        else:
            motivation = lettre[1] if lettre else ""
            operations.append(Operation(f"refuser, motivation : « {motivation[:80]}… »",
                                        "Refuser", REFUSER,
                                        {**variables, "motivation": motivation}))
    return ActionDossier(dossier, numero, statut, tuple(operations))


def appliquer(client: ClientDS, plan: PlanPublication, journal: Journal,
              progression: Callable[[int], None] | None = None) -> RapportPublication:
    """Make the plan's calls, dossier after dossier, journalling each one; a dossier's
    remaining calls are dropped at its first failure (the others go on). Mutations are not
    retried: running the publication again does what is missing, and only that."""
    publies, echecs = [], []
    for rang, action in enumerate(plan.a_publier, start=1):
        for operation in action.operations:
            try:
                donnees = client.executer(operation.document, operation.variables,
                                          reessayer=False)
                erreurs = [e["message"] for payload in donnees.values() if payload
                           for e in (payload.get("errors") or [])]
                message = "; ".join(erreurs)
            except ErreurDS as erreur:
                message = str(erreur)
            journal.ajouter("ds_publication", {
                "demarche": plan.demarche, "dossier": action.dossier, "numero": action.numero,
                "operation": operation.nom, "resultat": message or "ok"})
            if message:
                echecs.append((action.dossier, message))
                break
        else:
            publies.append(action.dossier)
        if progression is not None:
            progression(rang)
    return RapportPublication(tuple(publies), tuple(echecs))
