"""Dossier registries exported from « démarches-simplifiées »: the xlsx export (sheets
``Dossiers``, ``Etablissements``, ``Avis`` and one per repetition block) or the csv export.

The export's fixed columns are known (``data/ds_export_headers.json``), but each démarche
names its own form fields, so the mapping from export columns to SPEC columns is an editable
TOML file (``data/correspondance_ds.toml`` by default). Cells are read by what the platform
writes in them (its code is the reference: ``tests/ds/PROVENANCE.md``): a commune champ as
« Nom (CP) » beside its « (Code INSEE) » and « (Département) » columns, a department as
« 01 – Ain » or as its name beside a « (Code) » column, the applicant's SIRET and legal form
on the « Dossier » row of sheet ``Etablissements``, a list of places as the rows of a
repetition block. An export is recognised by its content, whatever its file name.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from commun.constats import Constats
from commun.syntaxe_toml import erreur_toml, erreur_utf8
from lecture import referentiel, valeurs
from lecture.conteneurs import ClasseurLu, Feuille, classeur_lu, separateur_csv

_REQUISES = ("dossier", "montant", "etp")
#: The dossier number's header: « ID » in the default export, « N° dossier » in an export
#: made from an export template (config/locales/models/procedure_presentation/fr.yml).
_IDENTIFIANTS = {valeurs.cle(h) for h in ("ID", "N° dossier")}
#: Fixed columns of the default export and of an export template.
_FIXES = {valeurs.cle(h) for h in (
    "Email", "État du dossier", "Déposé le", "Dernière mise à jour le", "Adresse électronique",
    "Date de dépôt", "Date de création", "Date du dernier évènement",
    "Date de passage en instruction")}
#: « État du dossier » as the platform writes it (config/locales/models/dossier/fr.yml).
ETATS = {"brouillon": "Brouillon", "en_construction": "En construction",
         "en_instruction": "En instruction", "accepte": "Accepté", "refuse": "Refusé",
         "sans_suite": "Classé sans suite"}
#: The states of a dossier still to be decided; the others were decided at an earlier wave
#: (the platform's default export holds every state).
A_DECIDER = ("en_construction", "en_instruction")
_ETATS_A_DECIDER = {valeurs.cle(ETATS[e]) for e in A_DECIDER}
#: « Belley (01300) »: a commune champ's value when it has a postcode (commune_type_de_champ.rb).
_COMMUNE_ET_CODE_POSTAL = re.compile(r"^(?P<nom>.*\S)\s*\((?P<cp>\d{5})\)$")
#: « 01 – Ain », « 2A - Corse-du-Sud »: a code, any dash, a name.
_CODE_ET_NOM = re.compile(r"^(?P<code>\d{2,3}|2[AaBb])\s*[-\u2010-\u2015\u2212]\s*(?P<nom>.+)$")


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


@dataclass(frozen=True)
class ExportDS:
    """A démarches-simplifiées export as read: its sheet « Dossiers » (the csv's only one),
    « Etablissements » (xlsx) and the repetition blocks' sheets (xlsx)."""

    dossiers: Feuille
    etablissements: Feuille | None = None
    blocs: tuple[Feuille, ...] = ()


def _entete(feuille: Feuille) -> set[str]:
    if not feuille.lignes:
        return set()
    return {valeurs.cle(v) for v in feuille.lignes[0][1] if not valeurs.est_vide(v)}


def est_export_demarches(source: Path | Feuille) -> bool:
    """True for a démarches-simplifiées export: a header with ``ID`` and the fixed columns
    (a file is judged by its content, whatever its name)."""
    if isinstance(source, Path):
        return _fichier_est_export(source)
    return _est_entete_d_export(_entete(source))


def _est_entete_d_export(cles: set[str]) -> bool:
    return bool(cles & _IDENTIFIANTS) and "dossier" not in cles and bool(cles & _FIXES)


def _fichier_est_export(chemin: Path) -> bool:
    try:
        if chemin.suffix.lower() == ".csv":
            with chemin.open("rb") as flux:
                debut = flux.read(16384).decode("utf-8-sig", errors="replace")
            premiere = next(iter(debut.splitlines()), "")
            champs = next(csv.reader(io.StringIO(premiere),
                                     delimiter=separateur_csv(premiere)), [])
            return _est_entete_d_export({valeurs.cle(c) for c in champs if c.strip()})
    except Exception:  # an unreadable file is not an export; the reader reports it
        return False
    try:
        entete = _premiere_ligne_des_dossiers(classeur_lu(chemin, chemin.name))
    except Exception:  # said by the reader when it reads the file; openpyxl decides
        entete = None
    if entete is not None:
        return _est_entete_d_export(entete)
    return _fichier_est_export_openpyxl(chemin)


def _premiere_ligne_des_dossiers(lu: ClasseurLu) -> set[str] | None:
    """The header keys of sheet « dossiers »'s first row (row 1 of the sheet), empty when
    there is no such sheet, from the workbook as :func:`lire_classeur` read it (it is read
    anyway: once in a :func:`~lecture.conteneurs.lecture_unique` block). None when that
    read cannot tell what openpyxl would: the workbook is unreadable to it, holds formulas
    (openpyxl gives a formula's text, calamine its last value) or the sheet is cut at
    :data:`~lecture.conteneurs.COLONNES_MAX` columns."""
    if lu.feuilles is None or lu.formules:
        return None
    noms = {valeurs.cle(n): n for n in lu.feuilles}
    if "dossiers" not in noms:
        return set()
    if noms["dossiers"] in lu.larges:
        return None
    lignes = lu.feuilles[noms["dossiers"]].lignes
    entete = lignes[0][1] if lignes and lignes[0][0] == 1 else ()
    return {valeurs.cle(v) for v in entete if v is not None}


def _fichier_est_export_openpyxl(chemin: Path) -> bool:
    """The first row of sheet « dossiers » as openpyxl reads it: what decides a workbook
    :func:`lire_classeur` cannot read, or cannot read as openpyxl does."""
    try:
        import openpyxl

        classeur = openpyxl.load_workbook(chemin, read_only=True)
        try:
            noms = {valeurs.cle(n): n for n in classeur.sheetnames}
            if "dossiers" not in noms:
                return False
            entete = next(classeur[noms["dossiers"]].iter_rows(max_row=1, values_only=True), ())
            return _est_entete_d_export({valeurs.cle(v) for v in entete if v is not None})
        finally:
            classeur.close()
    except Exception:  # an unreadable file is not an export; the reader reports it
        return False


def _est_bloc(feuille: Feuille) -> bool:
    """A repetition block's sheet: « Dossier ID », « Ligne », then the block's champs."""
    if not feuille.lignes:
        return False
    tete = [valeurs.cle(v) for v in feuille.lignes[0][1][:2]]
    return tete == ["dossierid", "ligne"]


def export_des_feuilles(feuilles: dict[str, Feuille]) -> ExportDS | None:
    """The export among a workbook's sheets (or a csv's one sheet); None when it is not one."""
    par_cle = {valeurs.cle(nom): feuille for nom, feuille in feuilles.items()}
    dossiers = par_cle.get("dossiers")
    if dossiers is None and len(feuilles) == 1:
        dossiers = next(iter(feuilles.values()))
    if dossiers is None or not est_export_demarches(dossiers):
        return None
    blocs = tuple(f for f in feuilles.values() if _est_bloc(f))
    return ExportDS(dossiers, par_cle.get("etablissements"), blocs)


def _positions(entete: tuple[Any, ...], correspondance: Correspondance,
               du_siege: bool = False) -> dict[str, int]:
    """SPEC column → index of the first header of ``entete`` among its candidates (see
    :func:`_colonnes` for ``du_siege``)."""
    return {c: indices[0] for c, indices in _colonnes(entete, correspondance, du_siege).items()}


def _colonnes(entete: tuple[Any, ...], correspondance: Correspondance, du_siege: bool = False
              ) -> dict[str, list[int]]:
    """SPEC column → every index of ``entete`` holding its first candidate header found (a
    label used by two champs — one deleted and made again in a later revision of the form —
    is two columns). The headers of the porteur's seat are left out, or with ``du_siege``
    are the only ones looked for: the seat is the place's commune only when nothing else
    gives it (:func:`traduire_export`)."""
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


def _vide_d_export(valeur: Any) -> bool:
    """A cell the export fills for a blank champ: empty, 0 (a number), « off » (a box)."""
    return valeurs.est_vide(valeur) or valeur == 0 or valeur == "off"


def _demandeurs(etablissements: Feuille | None, correspondance: Correspondance,
                constats: Constats) -> tuple[dict[str, int], dict[str, tuple[Any, ...]]]:
    """From sheet « Etablissements »: its column positions, and each dossier's applicant row
    (« Champ » reads « Dossier » — ``Etablissement#libelle_for_export`` — or, in files
    retouched by hand, is empty; other rows are the SIRET champs of the form). A dossier
    with no such row — a démarche « pour particuliers », whose structure is given by a SIRET
    champ — takes its one SIRET champ's row, and that is said."""
    if etablissements is None or not etablissements.lignes:
        return {}, {}
    _, entete = etablissements.lignes[0]
    cles = [valeurs.cle(v) if not valeurs.est_vide(v) else "" for v in entete]
    if "dossierid" not in cles:
        return {}, {}
    identifiant, champ = cles.index("dossierid"), cles.index("champ") if "champ" in cles else None
    lignes: dict[str, tuple[Any, ...]] = {}
    d_un_champ: dict[str, list[tuple[int, str, tuple[Any, ...]]]] = defaultdict(list)
    for numero, ligne in etablissements.lignes[1:]:
        cle = valeurs.texte(ligne[identifiant]) if identifiant < len(ligne) else None
        if not cle:
            continue
        libelle = ligne[champ] if champ is not None and champ < len(ligne) else None
        if valeurs.est_vide(libelle) or valeurs.cle(libelle) == "dossier":
            lignes.setdefault(cle, ligne)
        else:
            d_un_champ[cle].append((numero, str(libelle), ligne))
    for cle, rangees in sorted(d_un_champ.items()):
        if cle in lignes or len(rangees) != 1:
            continue
        numero, libelle, ligne = rangees[0]
        lignes[cle] = ligne
        constats.signaler(
            "etablissement_d_un_champ",
            f"le dossier {cle} n'a pas d'établissement demandeur (démarche pour particuliers) : "
            f"le SIRET et la forme juridique sont lus du champ « {libelle} »",
            fichier=etablissements.fichier, feuille=etablissements.nom, ligne=numero,
            colonne="Champ", valeur=libelle)
    positions = {c: i for c, i in _positions(entete, correspondance).items() if c != "dossier"}
    return positions, lignes


def _depuis_les_blocs(blocs: tuple[Feuille, ...], colonnes: list[str],
                      correspondance: Correspondance
                      ) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """For each SPEC column absent from « Dossiers » and found in a repetition block: dossier
    → its value — for a list column (the places) every row's, in « Ligne » order, joined by
    « ; »; for any other (the place's commune given in a block « Lieux ») the first row's —
    and the header it was read under."""
    trouvees: dict[str, dict[str, Any]] = {}
    intitules: dict[str, str] = {}
    for colonne in colonnes:
        for bloc in blocs:
            _, entete = bloc.lignes[0]
            position = _positions(entete, correspondance).get(colonne)
            if position is None:
                continue
            par_dossier: dict[str, list[tuple[float, Any]]] = defaultdict(list)
            for _, ligne in bloc.lignes[1:]:
                identifiant = valeurs.texte(ligne[0])
                valeur = ligne[position] if position < len(ligne) else None
                if identifiant and not valeurs.est_vide(valeur):
                    rang = valeurs.nombre(ligne[1] if len(ligne) > 1 else None).valeur
                    par_dossier[identifiant].append((rang if rang is not None else 0.0, valeur))
            if colonne in correspondance.listes:
                trouvees[colonne] = {i: ";".join(str(valeurs.texte(v)) for _, v in sorted(lus))
                                     for i, lus in par_dossier.items()}
            else:
                trouvees[colonne] = {i: sorted(lus, key=lambda r: r[0])[0][1]
                                     for i, lus in par_dossier.items()}
            intitules[colonne] = f"{entete[position]} (feuille {bloc.nom})"
            break
    return trouvees, intitules


def lire_commune(valeur: Any) -> tuple[Any, str | None]:
    """A commune champ's cell → (name, postcode): « Belley (01300) » → (« Belley », « 01300 »);
    a name without postcode, or anything else, is kept as it is."""
    texte = valeurs.texte(valeur)
    if texte is None:
        return valeur, None
    trouve = _COMMUNE_ET_CODE_POSTAL.match(texte)
    return (trouve["nom"], trouve["cp"]) if trouve else (valeur, None)


def lire_departement(valeur: Any) -> Any:
    """A department cell → its code: « 01 – Ain », « 2A - Corse-du-Sud » (any dash), a
    department's name (« Ain », the value column of a département champ), or a code as it is;
    anything else is kept for the reader to report."""
    texte = valeurs.texte(valeur)
    if texte is None or not isinstance(valeur, str):
        return valeur
    if trouve := _CODE_ET_NOM.match(texte.strip()):
        return trouve["code"].upper()
    return referentiel.code_du_departement(texte) or valeur


def traduire_export(export: ExportDS, correspondance: Correspondance, constats: Constats
                    ) -> Feuille:
    """The export's rows under SPEC column names, keeping their Excel row numbers.

    Only the dossiers still to be decided are kept (« En construction », « En
    instruction »: the export holds every state), and those left out are counted in a
    finding. The columns sheet « Dossiers » lacks are taken from a repetition block (the
    places; the place's commune when the form asks it there) or from the applicant's row of
    sheet « Etablissements » (SIRET, legal form). A commune « Nom (CP) » gives the name and a
    ``code_postal`` column; a department is read as its code; the department, when the
    export has none, comes from the INSEE commune code. The porteur's seat is never taken for
    the place: when nothing else gives the commune, it is an error.
    """
    feuille = export.dossiers
    numero_entete, entete = feuille.lignes[0]
    colonnes_de = _colonnes(entete, correspondance)
    for colonne in _REQUISES:
        if colonne not in colonnes_de:
            constats.signaler(
                "correspondance_incomplete",
                f"aucune colonne de l'export ne correspond à « {colonne} » (intitulés "
                f"cherchés : {', '.join(correspondance.colonnes.get(colonne, ()))}) : "
                f"complétez {correspondance.source}",
                fichier=feuille.fichier, feuille=feuille.nom, ligne=numero_entete,
                colonne=colonne,
            )
    manquantes = [c for c in correspondance.colonnes if c not in colonnes_de
                  and c in correspondance.listes | correspondance.premiere_ligne]
    depuis_blocs, intitules_blocs = _depuis_les_blocs(export.blocs, manquantes, correspondance)
    positions_etab, demandeurs = _demandeurs(export.etablissements, correspondance, constats)
    depuis_etab = {c: i for c, i in positions_etab.items()
                   if c not in colonnes_de and c not in depuis_blocs}
    siege_dossier, siege_etab = _lieu_du_siege(
        export, correspondance, colonnes_de.keys() | depuis_blocs.keys() | depuis_etab.keys(),
        constats)
    colonnes_de |= siege_dossier
    depuis_etab |= siege_etab
    lues = colonnes_de.keys() | depuis_etab.keys() | depuis_blocs.keys()
    _signaler_listes_absentes(feuille, numero_entete,
                              [c for c in correspondance.listes if c not in lues],
                              export, constats)
    a_deduire = "departement" not in lues
    code_postal = "code_postal" not in lues
    colonnes = [*colonnes_de, *depuis_etab, *depuis_blocs,
                *(["departement"] if a_deduire else []), *(["code_postal"] if code_postal else [])]
    entete_etab = export.etablissements.lignes[0][1] if export.etablissements else ()
    intitules = {c: str(entete[i[0]]) for c, i in colonnes_de.items()}
    intitules |= {c: f"{entete_etab[i]} (feuille {export.etablissements.nom})"
                  for c, i in depuis_etab.items() if export.etablissements is not None}
    intitules |= intitules_blocs
    meme_champ = _commune_et_code_d_un_champ(intitules)
    etat = next((i for i, v in enumerate(entete) if valeurs.cle(v) == "etatdudossier"), None)
    communes = referentiel.communes()
    lignes: list[tuple[int, tuple[Any, ...]]] = [(numero_entete, tuple(colonnes))]
    decides: dict[str, int] = defaultdict(int)
    for numero, ligne in feuille.lignes[1:]:
        if etat is not None and etat < len(ligne) and not valeurs.est_vide(ligne[etat]) \
                and valeurs.cle(ligne[etat]) not in _ETATS_A_DECIDER:
            decides[str(ligne[etat]).strip()] += 1
            continue
        traduite: dict[str, Any] = {}
        for colonne, indices in colonnes_de.items():
            traduite[colonne] = _une_valeur(ligne, indices, feuille, numero, entete, colonne,
                                            constats)
        identifiant = valeurs.texte(traduite.get("dossier")) or ""
        demandeur = demandeurs.get(identifiant, ())
        for colonne, position in depuis_etab.items():
            traduite[colonne] = demandeur[position] if position < len(demandeur) else None
        for colonne, par_dossier in depuis_blocs.items():
            traduite[colonne] = par_dossier.get(identifiant)
        postal = None
        for colonne in colonnes:
            valeur = traduite.get(colonne)
            if colonne in correspondance.presence_vaut_oui:
                lu = valeurs.booleen(valeur)
                traduite[colonne] = "oui" if (not lu.ok or lu.valeur) else "non"
            elif colonne in correspondance.zero_vaut_vide and valeurs.nombre(valeur).valeur == 0:
                traduite[colonne] = None
            elif colonne == "commune":
                traduite[colonne], postal = lire_commune(valeur)
            elif colonne == "departement" and not a_deduire:
                traduite[colonne] = lire_departement(valeur)
        if meme_champ:
            _nom_de_la_plateforme(traduite, feuille, numero, intitules, constats)
        if a_deduire:
            code = valeurs.code_commune(traduite.get("code_commune")).valeur
            traduite["departement"] = communes["departement"].get(code) if code else None
        if code_postal:
            traduite["code_postal"] = postal
        lignes.append((numero, tuple(traduite.get(c) for c in colonnes)))
    if decides:
        constats.signaler(
            "dossiers_deja_decides",
            f"{sum(decides.values())} dossier(s) de l'export déjà décidé(s) sur la plateforme "
            f"({', '.join(f'{n} {e.lower()}' for e, n in sorted(decides.items()))}) ne sont "
            "pas lus : seuls les dossiers en construction ou en instruction sont à décider",
            fichier=feuille.fichier, feuille=feuille.nom, colonne="État du dossier")
    if code_postal and "commune" in intitules:
        intitules["code_postal"] = intitules["commune"]
    return Feuille(feuille.fichier, feuille.nom, lignes, intitules)


def _une_valeur(ligne: tuple[Any, ...], indices: list[int], feuille: Feuille, numero: int,
                entete: tuple[Any, ...], colonne: str, constats: Constats) -> Any:
    """The cell of a SPEC column; when its header is two columns (a champ made again in a
    later revision of the form), the one filled for this dossier — both filled with
    different values is an error."""
    cellules = [ligne[i] if i < len(ligne) else None for i in indices]
    if len(cellules) == 1:
        return cellules[0]
    remplies = [c for c in cellules if not _vide_d_export(c)]
    if len({str(c) for c in remplies}) > 1:
        constats.signaler(
            "champ_en_double",
            f"deux champs de la démarche portent l'intitulé « {entete[indices[0]]} » et "
            f"donnent deux valeurs à ce dossier ({' ; '.join(str(c) for c in remplies)}) : "
            "renommez l'un des deux dans la démarche ou la correspondance",
            fichier=feuille.fichier, feuille=feuille.nom, ligne=numero,
            colonne=str(entete[indices[0]]), valeur=remplies[0])
    return remplies[0] if remplies else cellules[0]


def _commune_et_code_d_un_champ(intitules: dict[str, str]) -> bool:
    """True when the commune and its INSEE code are one commune champ's columns (« X » and
    « X (Code INSEE) »): the platform chose the name from the code."""
    commune, code = intitules.get("commune"), intitules.get("code_commune")
    return bool(commune and code and valeurs.cle(code) == valeurs.cle(f"{commune} (Code INSEE)"))


def _nom_de_la_plateforme(traduite: dict[str, Any], feuille: Feuille, numero: int,
                          intitules: dict[str, str], constats: Constats) -> None:
    """A commune champ's name comes from the platform's own commune list, which may predate
    a renaming (« Cransac » for 12083): the champ's INSEE code is what the applicant chose,
    so the name is taken from the INSEE code, and the difference said."""
    code = valeurs.code_commune(traduite.get("code_commune")).valeur
    nom = valeurs.texte(traduite.get("commune"))
    if not code or not nom or code not in referentiel.communes().index \
            or referentiel.nom_correspond(code, nom):
        return
    officiel = referentiel.nom_commune(code)
    constats.signaler(
        "commune_renommee",
        f"la plateforme nomme la commune {code} « {nom} » ; le code officiel géographique "
        f"l'appelle « {officiel} » : le code INSEE, choisi par le porteur, est retenu",
        fichier=feuille.fichier, feuille=feuille.nom, ligne=numero,
        colonne=intitules.get("commune"), valeur=nom)
    traduite["commune"] = officiel


def _signaler_listes_absentes(feuille: Feuille, numero_entete: int, manquantes: list[str],
                              export: ExportDS, constats: Constats) -> None:
    """A list column (the places) found nowhere: each dossier is then its own place, and the
    places already laureate cannot be checked — said, never silent."""
    for colonne in manquantes:
        pourquoi = ("un export csv ne contient pas les blocs répétables : prenez l'export "
                    "xlsx" if not export.blocs and export.etablissements is None
                    else "ajoutez l'intitulé du champ dans la correspondance")
        constats.signaler(
            "lieux_non_lus",
            f"aucune colonne de l'export ne donne « {colonne} » : chaque dossier compte comme "
            f"son propre lieu, et les lieux déjà lauréats ne peuvent pas être reconnus "
            f"({pourquoi})", fichier=feuille.fichier, feuille=feuille.nom,
            ligne=numero_entete, colonne=colonne)


def _lieu_du_siege(export: ExportDS, correspondance: Correspondance, lues: Iterable[str],
                   constats: Constats) -> tuple[dict[str, list[int]], dict[str, int]]:
    """The place's commune columns, when no champ gives the place, read from the porteur's
    registered seat — on sheet « Dossiers » (as the csv export and the API import write it),
    else on sheet « Etablissements » — each an error: the seat may be elsewhere than the
    tiers-lieu, and the ville-centre rule would be decided on it."""
    lieu = {"commune", "code_commune"}
    if lieu & set(lues):  # the form gives the place (its code is then found from its name)
        return {}, {}
    manquantes = sorted(lieu)
    dossiers, etablissements = export.dossiers, export.etablissements
    sur_dossiers = _colonnes(dossiers.lignes[0][1], correspondance, du_siege=True)
    sur_etab = _positions(etablissements.lignes[0][1], correspondance, du_siege=True) if (
        etablissements is not None and etablissements.lignes) else {}
    du_dossier = {c: sur_dossiers[c] for c in manquantes if c in sur_dossiers}
    de_l_etab = {c: sur_etab[c] for c in manquantes if c not in du_dossier and c in sur_etab}
    lues_au_siege = [(dossiers, i[0]) for i in du_dossier.values()]
    lues_au_siege += [(etablissements, i) for i in de_l_etab.values()
                      if etablissements is not None]
    for feuille, indice in lues_au_siege:
        numero, entete = feuille.lignes[0]
        constats.signaler(
            "commune_du_siege",
            f"aucun champ lu ne donne la commune du lieu : « {entete[indice]} » est celle du "
            "siège du porteur, qui peut être ailleurs que le tiers-lieu (la règle des "
            "villes-centres serait décidée sur elle) ; ajoutez l'intitulé du champ de la "
            f"démarche qui donne la commune du lieu dans {correspondance.source}",
            fichier=feuille.fichier, feuille=feuille.nom, ligne=numero,
            colonne=str(entete[indice]))
    return du_dossier, de_l_etab
