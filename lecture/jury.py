"""The jury and the grid of criteria: sheets ``jury`` and ``criteres`` of a wave (SPEC §3),
each row checked, and the composition of FAQ 3.2 and the grid of FAQ 3.3 compared with what
was read (a difference is said, never refused)."""

from __future__ import annotations

from commun.constats import Constats
from commun.francais import valeur_en_clair
from lecture import referentiel, valeurs
from lecture.modele import COLLEGES_FAQ_3_2, CRITERES_FAQ_3_3, SIEGES_FAQ_3_2, Critere, Jure
from lecture.tables import Table

_COLLEGES = {
    "administration": "administration",
    "cntl": "cntl",
    "conseilnationaldestierslieux": "cntl",
    "francetierslieux": "cntl",
    "chercheur": "chercheur",
    "chercheurs": "chercheur",
    "personnequalifiee": "chercheur",
    "laureat": "laureat",
    "laureats": "laureat",
}


def lire_jury(table: Table, constats: Constats) -> list[Jure]:
    """The ``jury`` sheet; warns when the composition differs from FAQ 3.2."""
    jury: list[Jure] = []
    for numero, ligne, identifiant in table.par_identifiant("jure", "juré", "jure_en_double",
                                                            constats):
        brut_college = table.valeur(ligne, "college")
        college = _COLLEGES.get(valeurs.cle(brut_college or ""))
        if college is None:
            constats.signaler(
                "college_inconnu",
                "collège attendu : administration, cntl, chercheur ou laureat",
                **table.lieu(numero, "college", brut_college),
            )
        departement = None
        brut_dep = table.valeur(ligne, "departement")
        if not valeurs.est_vide(brut_dep):
            lu = valeurs.code_departement(brut_dep)
            if not lu.ok or lu.valeur not in referentiel.departements().index:
                constats.signaler("departement_inconnu", "département inconnu",
                                  **table.lieu(numero, "departement", brut_dep))
            else:
                departement = lu.valeur
                if lu.repare:
                    constats.signaler("departement_repare", str(lu.repare),
                                      **table.lieu(numero, "departement", brut_dep))
        nom = valeurs.texte(table.valeur(ligne, "nom")) or identifiant
        jury.append(Jure(identifiant, nom, college or "", departement,
                         valeurs.texte(table.valeur(ligne, "qualite"))))
    composition = {c: sum(j.college == c for j in jury) for c in COLLEGES_FAQ_3_2}
    if jury and (composition != COLLEGES_FAQ_3_2 or len(jury) != 10):
        attendu = ", ".join(f"{n} {c}" for c, n in COLLEGES_FAQ_3_2.items())
        obtenu = ", ".join(f"{n} {c}" for c, n in composition.items())
        constats.signaler(
            "composition_jury",
            f"composition du jury différente de la FAQ 3.2 (attendu : {attendu} ; "
            f"lu : {obtenu}, {len(jury)} membres)",
            fichier=table.feuille.fichier, feuille=table.feuille.nom,
        )
    if jury and "qualite" in table.colonnes:
        _verifier_sieges(jury, table, constats)
    return jury


def _verifier_sieges(jury: list[Jure], table: Table, constats: Constats) -> None:
    """FAQ 3.2's named seats, read from the optional ``qualite`` column: one France
    Tiers-Lieux member among the CNTL, one collectivité among the laureates."""
    for college, mots, libelle in SIEGES_FAQ_3_2:
        if not any(j.college == college and mots.replace(" ", "") in valeurs.cle(j.qualite or "")
                   for j in jury):
            constats.signaler(
                "composition_jury", f"aucun membre ne représente {libelle} (FAQ 3.2) : "
                "vérifiez la colonne qualite", fichier=table.feuille.fichier,
                feuille=table.feuille.nom, colonne="qualite")


def _verifier_grille(criteres: list[Critere], table: Table, constats: Constats) -> None:
    """The grid of FAQ 3.3 is six criteria with equal weights: any other grid is allowed,
    and said."""
    attendus = [c for c, _ in CRITERES_FAQ_3_3]
    lus = [valeurs.cle(c.critere) for c in criteres]
    ecarts = []
    if sorted(lus) != sorted(valeurs.cle(c) for c in attendus):
        # criteria quoted as the jury's workbook spells them: the grids' columns
        ecarts.append(f"{len(criteres)} critère(s) ("
                      + ", ".join(f"« {c.critere} »" for c in criteres)
                      + ") au lieu des six de la FAQ 3.3 ("
                      + ", ".join(f"« {c} »" for c in attendus) + ")")
    if len({c.poids for c in criteres}) > 1:
        ecarts.append("poids inégaux (" + ", ".join(f"« {c.critere} » {valeur_en_clair(c.poids)}"
                                                    for c in criteres) + ")")
    if ecarts:
        constats.signaler("grille_inhabituelle", "grille différente de la FAQ 3.3 : "
                          + " ; ".join(ecarts) + ". C'est permis, mais à justifier.",
                          fichier=table.feuille.fichier, feuille=table.feuille.nom)


def lire_criteres(table: Table, constats: Constats) -> list[Critere]:
    """The ``criteres`` sheet: weights (default 1) and the bounds of the notes."""
    criteres: list[Critere] = []
    vus: set[str] = set()
    for numero, ligne in table.lignes:
        identifiant = valeurs.texte(table.valeur(ligne, "critere"))
        if identifiant is None:
            constats.signaler("identifiant_manquant", "ligne sans identifiant de critère",
                              **table.lieu(numero, "critere"))
            continue
        if valeurs.cle(identifiant) in vus:
            constats.signaler("critere_en_double", "critère déjà déclaré",
                              **table.lieu(numero, "critere", identifiant))
            continue
        vus.add(valeurs.cle(identifiant))
        nombres: dict[str, float | None] = {}
        for colonne, defaut in (("poids", 1.0), ("note_min", None), ("note_max", None)):
            brut = table.valeur(ligne, colonne)
            lu = valeurs.nombre(brut)
            if not lu.ok or (lu.valeur is None and defaut is None):
                constats.signaler("nombre_invalide", "nombre attendu",
                                  **table.lieu(numero, colonne, brut))
            nombres[colonne] = lu.valeur if lu.valeur is not None else defaut
        poids, bas, haut = nombres["poids"], nombres["note_min"], nombres["note_max"]
        if poids is not None and poids < 0:
            constats.signaler("poids_invalide", "un poids ne peut pas être négatif",
                              **table.lieu(numero, "poids", poids))
        if bas is not None and haut is not None and bas >= haut:
            constats.signaler("bornes_invalides", "note_min doit être inférieure à note_max",
                              **table.lieu(numero, "note_max", haut))
        libelle = valeurs.texte(table.valeur(ligne, "libelle")) or identifiant
        criteres.append(Critere(identifiant, libelle, poids or 0.0, bas or 0.0, haut or 0.0))
    if criteres and sum(c.poids for c in criteres) <= 0:
        constats.signaler("poids_invalide", "la somme des poids doit être positive",
                          fichier=table.feuille.fichier, feuille=table.feuille.nom)
    if criteres:
        _verifier_grille(criteres, table, constats)
    return criteres
