"""Dossier registries exported from « démarches-simplifiées » — the xlsx export (sheets
``Dossiers``, ``Etablissements``, ``Avis`` and one per repetition block) or the csv export —
translated into the sheet ``dossiers`` (:func:`traduire_export`).

Each démarche names its own form fields: the export's columns are found through the mapping
file (:mod:`lecture.correspondance`). Cells are read by what the platform writes in them (its
code is the reference: ``tests/ds/PROVENANCE.md``): a commune champ as « Nom (CP) » beside its
« (Code INSEE) » and « (Département) » columns, a department as « 01 – Ain » or as its name
beside a « (Code) » column, the applicant's SIRET and legal form on the « Dossier » row of
sheet ``Etablissements``, a list of places as the rows of a repetition block (those two
sheets: :mod:`lecture.annexes_ds`). An export is recognised by its content, whatever its file
name (:mod:`lecture.export_ds`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from commun.constats import Constats
from lecture import referentiel, valeurs
from lecture.annexes_ds import depuis_les_blocs, lire_demandeurs
from lecture.conteneurs import Feuille
from lecture.correspondance import Correspondance, colonnes_de_l_entete, positions_de_l_entete
from lecture.export_ds import ExportDS

_REQUISES = ("dossier", "montant", "etp")
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


def _vide_d_export(valeur: Any) -> bool:
    """A cell the export fills for a blank champ: empty, 0 (a number), « off » (a box)."""
    return valeurs.est_vide(valeur) or valeur == 0 or valeur == "off"


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
    colonnes_de = colonnes_de_l_entete(entete, correspondance)
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
    depuis_blocs, intitules_blocs = depuis_les_blocs(export.blocs, manquantes, correspondance)
    positions_etab, demandeurs = lire_demandeurs(export.etablissements, correspondance, constats)
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
    sur_dossiers = colonnes_de_l_entete(dossiers.lignes[0][1], correspondance, du_siege=True)
    sur_etab = positions_de_l_entete(etablissements.lignes[0][1], correspondance,
                                     du_siege=True) if (
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
