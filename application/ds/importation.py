"""``fabriques ds importer``: a wave's dossiers straight from démarches-simplifiées.

The API's answer is first laid out as the platform's own spreadsheet export would be (the
fixed columns « ID », « État du dossier », « Établissement SIRET »…, then one column per
champ named by its label, a commune champ adding its « (Code INSEE) » and « (Département) »
columns), then translated by :func:`lecture.demarches.traduire_export` with the same
``correspondance_ds.toml``: one mapping, two sources. The translated rows are checked by
the wave reader's own dossier checks before anything is written.

Every page is fetched before anything is written: a fault halfway leaves the previous
import whole. ``dossiers.xlsx`` (sheets ``dossiers`` and ``parametres``) and ``ds-brut.json``
(the raw answer, for audit; its SHA-256 in ``parametres``) are then each replaced
atomically, the raw answer last, so that the next ``--depuis`` starts from a complete one.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pandas as pd
from openpyxl import Workbook

from application.ds.client import VERSION_SCHEMA, ClientDS
from application.ds.requetes import DOSSIERS, DOSSIERS_SUPPRIMES
from application.seance import journal_de
from commun.classeur import ecrire_table, workbook_bytes
from commun.constats import Constats
from commun.ecriture import ecrire_atomiquement
from commun.fichiers import FICHIER_DOSSIERS
from commun.journal import Journal
from lecture import valeurs
from lecture.conteneurs import Feuille
from lecture.correspondance import charger_correspondance
from lecture.demarches import A_DECIDER, ETATS, traduire_export
from lecture.dossiers import COLONNES_DOSSIERS, REQUISES_DOSSIERS, lire_dossiers
from lecture.export_ds import ExportDS
from lecture.tables import trouver_table

FICHIER_BRUT = "ds-brut.json"
#: Dossiers per page (the API's maximum is 100).
PAR_PAGE = 100


@dataclass(frozen=True)
class RapportImport:
    """What an import read, changed and wrote, and every finding on the rows."""

    demarche: int
    lus: int
    importes: tuple[str, ...]
    deja_decides: tuple[str, ...]
    ajoutes: tuple[str, ...] = ()
    modifies: tuple[str, ...] = ()
    retires: tuple[str, ...] = ()
    depuis: str | None = None
    empreinte_brut: str = ""
    ecrits: tuple[Path, ...] = ()
    constats: Constats = field(default_factory=Constats)

    def lignes(self) -> list[str]:
        """The report in French, one line per fact."""
        lignes = [f"Démarche {self.demarche} : {self.lus} dossier(s) lu(s)"
                  + (f" modifiés depuis le {self.depuis}" if self.depuis else "") + "."]
        lignes.append(f"{len(self.importes)} dossier(s) à décider dans {FICHIER_DOSSIERS} ; "
                      f"{len(self.deja_decides)} déjà décidé(s) sur la plateforme (acceptés, "
                      "refusés ou classés sans suite), non importé(s).")
        if self.depuis is not None:
            for libelle, numeros in (("Ajoutés", self.ajoutes), ("Modifiés", self.modifies),
                                     ("Retirés", self.retires)):
                lignes.append(f"{libelle} depuis le dernier import : {len(numeros)}"
                              + (f" ({', '.join(numeros)})" if numeros else ""))
        if self.ecrits:
            lignes.append("Écrit : " + ", ".join(str(p) for p in self.ecrits)
                          + f" (SHA-256 de {FICHIER_BRUT} : {self.empreinte_brut}).")
        else:
            lignes.append("Rien n'a été écrit : le précédent import est conservé.")
        return lignes


def lire_pages(client: ClientDS, document: str, demarche: int, liste: str,
               depuis: str | None, progression: Callable[[int], None] | None
               ) -> list[dict[str, Any]]:
    """Every node of the démarche's connection ``liste`` (``dossiers``, ``deletedDossiers``),
    page after page; ``progression`` is told how many were read after each page."""
    noeuds: list[dict[str, Any]] = []
    apres: str | None = None
    while True:
        data = client.executer(document, {"demarche": demarche, "premiers": PAR_PAGE,
                                          "apres": apres, "depuis": depuis})
        if data.get("demarche") is None:
            raise ValueError(f"démarche {demarche} introuvable, ou le jeton n'y donne pas "
                             "accès")
        connexion = data["demarche"][liste]
        noeuds.extend(n for n in connexion["nodes"] if n is not None)
        if progression is not None:
            progression(len(noeuds))
        if not connexion["pageInfo"]["hasNextPage"]:
            return noeuds
        apres = connexion["pageInfo"]["endCursor"]


#: What the export leaves out: repetition blocks (their own sheets), a form's section
#: headers and explanations (not fillable: ``TypeDeChamp.fillable``).
_NON_EXPORTES = frozenset({"RepetitionChamp", "HeaderSectionChamp", "ExplicationChamp"})


def _colonnes_du_champ(champ: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """One champ of the API's answer → its columns in the platform's export, written from its
    structured fields as the platform's ``champ_value_for_export`` writes them
    (tests/ds/PROVENANCE.md): a commune « Nom (CP) », « (Code INSEE) », « (Département) »
    as « 01 – Ain »; a department's name and « (Code) »; « Oui »/« Non », « on »/« off »;
    numbers as numbers; attachments as their file names. ``stringValue`` (the platform's
    text for people) is read only when a champ comes without its structured field. A champ
    with no value gives the export's blank, ``champ_default_export_value``: 0 for a number,
    « off » for a checkbox, empty otherwise."""
    libelle, type_ = champ["label"], champ.get("__typename")
    texte = champ.get("stringValue") or None
    if type_ == "CommuneChamp":
        commune, departement = champ.get("commune"), champ.get("departement")
        if not commune:
            return [(libelle, texte), (f"{libelle} (Code INSEE)", None),
                    (f"{libelle} (Département)", None)]
        nom = commune.get("name") or ""
        postal = commune.get("postalCode")
        return [(libelle, f"{nom} ({postal})" if postal else nom),
                (f"{libelle} (Code INSEE)", commune.get("code") or ""),
                (f"{libelle} (Département)", f"{departement['code']} – {departement['name']}"
                 if departement else "")]
    if type_ == "DepartementChamp":
        departement = champ.get("departement")
        if not departement:
            return [(libelle, texte), (f"{libelle} (Code)", None)]
        return [(libelle, departement.get("name")), (f"{libelle} (Code)", departement["code"])]
    if type_ in ("YesNoChamp", "CheckboxChamp"):
        oui = champ.get("ouiNon" if type_ == "YesNoChamp" else "coche")
        if oui is None and texte in ("true", "false"):
            oui = texte == "true"
        if type_ == "CheckboxChamp":
            return [(libelle, "on" if oui else "off")]
        return [(libelle, "" if oui is None else ("Oui" if oui else "Non"))]
    if type_ in ("IntegerNumberChamp", "DecimalNumberChamp"):
        nombre = champ.get("entier" if type_ == "IntegerNumberChamp" else "decimal")
        if nombre in (None, ""):
            return [(libelle, texte if texte is not None else 0)]
        lu = int(nombre) if type_ == "IntegerNumberChamp" else float(nombre)
        # the legacy « number » champ is typed IntegerNumberChamp and its value cut to an
        # integer (« 150 000 » → 150): its stored text, as the export writes it, is the truth
        stocke = valeurs.nombre(texte).valeur if texte is not None else None
        if stocke is not None and stocke != lu:
            return [(libelle, texte)]
        return [(libelle, lu)]
    if type_ == "DateChamp":
        return [(libelle, champ.get("date") or texte)]
    if type_ == "PieceJustificativeChamp":
        noms = [f["filename"] for f in champ.get("files") or [] if f.get("filename")]
        return [(libelle, ", ".join(noms) or None)]
    structure = champ.get("texte" if type_ == "TextChamp" else "option")
    return [(libelle, structure if structure not in (None, "") else texte)]


#: A column of the export: a champ's label and which of the champs bearing it (0 first).
Emplacement = tuple[str, int]


def _champs_exportes(noeud: Mapping[str, Any]) -> dict[Emplacement, Mapping[str, Any]]:
    """The dossier's champs the export has a column for, by (label, occurrence)."""
    vus: dict[str, int] = defaultdict(int)
    places: dict[Emplacement, Mapping[str, Any]] = {}
    for champ in noeud.get("champs") or []:
        if champ.get("__typename") in _NON_EXPORTES:
            continue
        places[(champ["label"], vus[champ["label"]])] = champ
        vus[champ["label"]] += 1
    return places


def _colonnes_du_dossier(noeud: Mapping[str, Any],
                         presents: Mapping[Emplacement, Mapping[str, Any]],
                         types: Mapping[Emplacement, str]) -> list[tuple[str, Any]]:
    """One dossier as the export's row, (header, value) in column order, from its champs
    (``presents``, :func:`_champs_exportes`); ``types`` gives each column's GraphQL type, so
    that a champ this dossier's revision lacks gets the export's blank. Two champs with one
    label are two columns, as in the export."""
    demandeur = noeud.get("demandeur") or {}
    entreprise = demandeur.get("entreprise") or {}
    adresse = demandeur.get("address") or {}
    ligne: list[tuple[str, Any]] = [
        ("ID", str(noeud["number"])),
        ("Email", (noeud.get("usager") or {}).get("email")),
        ("État du dossier", ETATS.get(noeud["state"], noeud["state"])),
        ("Déposé le", noeud.get("dateDepot")),
        ("Dernière mise à jour du dossier le", noeud.get("dateDerniereModification")),
        ("Établissement SIRET", demandeur.get("siret")),
        ("Entreprise raison sociale", entreprise.get("raisonSociale")),
        ("Entreprise forme juridique", entreprise.get("formeJuridique")),
        ("Entreprise forme juridique code", entreprise.get("formeJuridiqueCode")),
        ("Établissement localité", adresse.get("cityName")),
        ("Établissement code INSEE localité", adresse.get("cityCode")),
    ]
    for place, type_ in types.items():
        ligne += _colonnes_du_champ(presents.get(place)
                                    or {"label": place[0], "__typename": type_})
    return ligne


def _lignes_des_blocs(noeuds: Sequence[Mapping[str, Any]]
                      ) -> dict[str, list[list[tuple[str, Any]]]]:
    """Each repetition block's rows as its export sheet holds them: « Dossier ID »,
    « Ligne » (from 1), then the children's columns."""
    blocs: dict[str, list[list[tuple[str, Any]]]] = {}
    for noeud in noeuds:
        for champ in noeud.get("champs") or []:
            if champ.get("__typename") != "RepetitionChamp":
                continue
            lignes = blocs.setdefault(champ["label"], [])
            for rang, rangee in enumerate(champ.get("rows") or [], start=1):
                ligne: list[tuple[str, Any]] = [("Dossier ID", str(noeud["number"])),
                                                ("Ligne", rang)]
                for enfant in rangee.get("champs") or []:
                    if enfant.get("__typename") not in _NON_EXPORTES:
                        ligne += _colonnes_du_champ(enfant)
                lignes.append(ligne)
    return blocs


def _feuille(fichier: str, nom: str, lignes: Sequence[Sequence[tuple[str, Any]]]) -> Feuille:
    """Rows of (header, value) as a sheet: columns in order of first appearance, a header
    borne twice in a row (two champs with one label) making two columns."""
    entete: list[str] = []
    for ligne in lignes:
        comptes: dict[str, int] = defaultdict(int)
        for colonne, _ in ligne:
            comptes[colonne] += 1
            if entete.count(colonne) < comptes[colonne]:
                entete.append(colonne)
    rangees = []
    for numero, ligne in enumerate(lignes, start=2):
        par_entete: dict[str, list[Any]] = defaultdict(list)
        for colonne, valeur in ligne:
            par_entete[colonne].append(valeur)
        vus: dict[str, int] = defaultdict(int)
        cellules = []
        for colonne in entete:
            valeurs_ = par_entete.get(colonne, [])
            cellules.append(valeurs_[vus[colonne]] if vus[colonne] < len(valeurs_) else None)
            vus[colonne] += 1
        rangees.append((numero, tuple(cellules)))
    return Feuille(fichier, nom, [(1, tuple(entete)), *rangees])


def feuille_export(noeuds: Sequence[Mapping[str, Any]], fichier: str = FICHIER_DOSSIERS
                   ) -> ExportDS:
    """The dossiers as the platform's export would hold them: sheet « Dossiers » (rows in
    dossier-number order, the applicant's établissement in the row as the csv export has
    it) and one sheet per repetition block."""
    ordonnes = sorted(noeuds, key=lambda n: int(n["number"]))
    presents = [_champs_exportes(noeud) for noeud in ordonnes]
    types: dict[Emplacement, str] = {}
    for champs in presents:
        for place, champ in champs.items():
            types.setdefault(place, champ.get("__typename") or "")
    lignes = [_colonnes_du_dossier(n, p, types) for n, p in zip(ordonnes, presents, strict=True)]
    blocs = tuple(_feuille(fichier, libelle, rangees)
                  for libelle, rangees in _lignes_des_blocs(ordonnes).items())
    return ExportDS(_feuille(fichier, "dossiers", lignes), blocs=blocs)


def traduire(noeuds: Sequence[Mapping[str, Any]], correspondance: Path | None,
             constats: Constats) -> pd.DataFrame | None:
    """The dossiers under SPEC's columns, through the spreadsheet export's mapping, checked
    by the wave reader's dossier checks (findings in ``constats``); None when the mapping
    misses a required column."""
    export = feuille_export(noeuds)
    avant = len(constats.erreurs)
    traduite = traduire_export(export, charger_correspondance(correspondance), constats)
    if len(constats.erreurs) > avant:
        return None
    table = trouver_table(traduite, REQUISES_DOSSIERS,
                          [c for c in COLONNES_DOSSIERS if c not in REQUISES_DOSSIERS],
                          constats, "dossier")
    if table is None:
        return None
    lire_dossiers(table, constats)
    entete = list(traduite.lignes[0][1])
    return pd.DataFrame([list(v) for _, v in traduite.lignes[1:]], columns=entete)


def _brut_precedent(dossier_vague: Path) -> dict[str, Any] | None:
    chemin = dossier_vague / FICHIER_BRUT
    if not chemin.exists():
        return None
    return dict(json.loads(chemin.read_text("utf-8")))


def _fusionner(precedents: Iterable[Mapping[str, Any]], nouveaux: Iterable[Mapping[str, Any]],
               supprimes: Iterable[int]) -> tuple[list[dict[str, Any]], list[str], list[str],
                                                  list[str]]:
    """The previous import brought up to date: (dossiers, added, changed, withdrawn)."""
    par_numero = {int(n["number"]): dict(n) for n in precedents}
    ajoutes, modifies, retires = [], [], []
    for noeud in nouveaux:
        numero = int(noeud["number"])
        ancien = par_numero.get(numero)
        if ancien is None:
            ajoutes.append(str(numero))
        elif ancien != noeud:
            if noeud["state"] == "sans_suite" and ancien["state"] != "sans_suite":
                retires.append(str(numero))
            else:
                modifies.append(str(numero))
        par_numero[numero] = dict(noeud)
    for numero in supprimes:
        if par_numero.pop(int(numero), None) is not None:
            retires.append(str(numero))
    return ([par_numero[n] for n in sorted(par_numero)], sorted(ajoutes, key=int),
            sorted(modifies, key=int), sorted(retires, key=int))


def importer(client: ClientDS, demarche: int, dossier_vague: Path,
             depuis: datetime | None = None, correspondance: Path | None = None,
             progression: Callable[[int], None] | None = None) -> RapportImport:
    """Import the démarche's dossiers into the wave folder ``dossier_vague``; ``depuis``:
    only what changed since then, merged into the previous import. Raises
    :class:`~application.ds.client.ErreurDS` (network, token) or ``ValueError`` (no such
    démarche, no previous import for ``depuis``) before writing anything."""
    depuis_iso = depuis.astimezone(UTC).isoformat() if depuis is not None else None
    precedent = _brut_precedent(dossier_vague) if depuis is not None else None
    if depuis is not None and (precedent is None or precedent.get("demarche") != demarche):
        raise ValueError(f"--depuis complète un import précédent de la démarche {demarche} : "
                         f"aucun dans {dossier_vague / FICHIER_BRUT}. Importez d'abord tout.")
    lus = lire_pages(client, DOSSIERS, demarche, "dossiers", depuis_iso, progression)
    supprimes: list[dict[str, Any]] = []
    if precedent is not None:
        supprimes = lire_pages(client, DOSSIERS_SUPPRIMES, demarche, "deletedDossiers",
                               depuis_iso, None)
        dossiers, ajoutes, modifies, retires = _fusionner(
            precedent["dossiers"], lus, [int(s["number"]) for s in supprimes])
    else:
        dossiers = sorted(lus, key=lambda n: int(n["number"]))
        ajoutes = modifies = retires = []
    a_decider = [n for n in dossiers if n["state"] in A_DECIDER]
    deja = tuple(str(n["number"]) for n in dossiers if n["state"] not in A_DECIDER)
    constats = Constats()
    table = traduire(a_decider, correspondance, constats)
    rapport = RapportImport(demarche, len(lus), tuple(str(n["number"]) for n in a_decider),
                            deja, tuple(ajoutes), tuple(modifies), tuple(retires),
                            depuis_iso, constats=constats)
    if table is None:
        return rapport
    maintenant = datetime.now(UTC).isoformat(timespec="seconds")
    brut = {"demarche": demarche, "importe_le": maintenant, "depuis": depuis_iso,
            "source": _hote(client.url), "schema": VERSION_SCHEMA, "dossiers": dossiers,
            "supprimes_depuis": supprimes}
    contenu_brut = json.dumps(brut, ensure_ascii=False, sort_keys=True, indent=1).encode()
    empreinte = hashlib.sha256(contenu_brut).hexdigest()
    parametres = pd.DataFrame([
        ("source", f"démarches-simplifiées, API GraphQL v2 ({_hote(client.url)})"),
        ("demarche", demarche), ("importe_le", maintenant), ("depuis", depuis_iso or ""),
        ("dossiers_lus", len(lus)), ("dossiers_importes", len(a_decider)),
        ("dossiers_deja_decides", len(deja)), (f"sha256 {FICHIER_BRUT}", empreinte),
        ("schema", VERSION_SCHEMA),
        ("correspondance", str(correspondance or "correspondance_ds.toml (par défaut)")),
    ], columns=["parametre", "valeur"])
    classeur = Workbook()
    classeur.remove(classeur.worksheets[0])
    ecrire_table(classeur, "dossiers", table)
    ecrire_table(classeur, "parametres", parametres)
    dossier_vague.mkdir(parents=True, exist_ok=True)
    ecrire_atomiquement(dossier_vague / FICHIER_DOSSIERS, workbook_bytes(classeur))
    ecrire_atomiquement(dossier_vague / FICHIER_BRUT, contenu_brut)
    journal_de_vague(dossier_vague).ajouter("import_ds", {
        "demarche": demarche, "depuis": depuis_iso or "", "dossiers_lus": len(lus),
        "dossiers_importes": len(a_decider), "ajoutes": list(ajoutes),
        "modifies": list(modifies), "retires": list(retires), "sha256_brut": empreinte})
    return replace(rapport, empreinte_brut=empreinte,
                   ecrits=(dossier_vague / FICHIER_DOSSIERS, dossier_vague / FICHIER_BRUT))


def journal_de_vague(dossier_vague: Path) -> Journal:
    """The journal an import and a publication write to: the wave folder's."""
    return journal_de(dossier_vague, dossier_vague.name)


def _hote(url: str) -> str:
    """The endpoint's host (the path and any query string left out)."""
    morceaux = urlsplit(url)
    return f"{morceaux.scheme}://{morceaux.netloc}"
