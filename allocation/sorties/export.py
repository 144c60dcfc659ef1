"""The allocation workbook of SPEC §5: ``classement``, ``laureats``, ``parametres``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict

import pandas as pd
from openpyxl import Workbook

from allocation.analyses.decision import (
    Decision,
    classement,
    table_departements,
    table_explications,
    table_liste_complementaire,
)
from allocation.analyses.incertitude import Incertitude
from allocation.modele.probleme import CATEGORIES, LIBELLES_CATEGORIES, ProblemeVague
from allocation.modele.rythme import prevision_a_ce_rythme
from allocation.resolution.solveur import Allocation
from allocation.sorties.retours import table_retours
from commun import parametres as schema
from commun.chaine import Ancre
from commun.classeur import ajouter_table, ecrire_table, workbook_bytes
from commun.francais import ESPACE_FINE, decimal, euros, valeur_en_clair
from commun.provenance import Provenance
from commun.vocabulaire import ROBUSTESSE, entetes_en_clair, libelle
from lecture.chargement import Chargement
from lecture.modele import Vague
from lecture.revisions import Revision
from notation.diagnostics import FORMATS_JURY, diagnostic_jures, fiabilite_par_libelle
from notation.incertitude import FORMATS_INCERTITUDE
from notation.normalisation import ScoresVague
from notation.rapport import lignes_de_seance

FORMATS = {"montant": '#,##0 "€"', "score": "0.00"}


def parametres_de(chargement: Chargement, scores: ScoresVague, probleme: ProblemeVague,
                  allocation: Allocation, revisions: tuple[Revision, ...] = (),
                  ancre_journal: Ancre | None = None) -> pd.DataFrame:
    """Sheet ``parametres`` for a wave loaded by :mod:`lecture.chargement`."""
    return table_parametres(chargement.provenance(), scores, probleme, allocation, revisions,
                            ancre_journal)


def table_parametres(provenance: Provenance, scores: ScoresVague, probleme: ProblemeVague,
                     allocation: Allocation, revisions: tuple[Revision, ...] = (),
                     ancre_journal: Ancre | None = None) -> pd.DataFrame:
    """Everything needed to redo the decision: where it comes from, then its parameters
    (the notes revised in the meeting and the journal's last hash included)."""
    lignes = provenance.lignes()
    lignes += [schema.NUMERO.ecrire(probleme.regles.numero), *scores.lignes_parametres()]
    lignes += [schema.REGLE.ecrire(valeur_en_clair(v), k)
               for k, v in asdict(probleme.regles).items() if k not in ("objectifs", "contact")]
    lignes += [schema.OBJECTIF.ecrire(valeur_en_clair(v), k)
               for k, v in asdict(probleme.regles.objectifs).items()]
    lignes += [schema.RYTHME.ecrire(f"{b.minimum} à {b.maximum} (rythme {decimal(b.rythme)})", c)
               for c, b in probleme.bornes.items()]
    lignes += [schema.ENVELOPPE_VAGUE.ecrire(probleme.enveloppe_vague),
               schema.ENVELOPPE_RESTANTE.ecrire(probleme.enveloppe_restante)]
    if probleme.ordre_tire:
        ordre = sorted(probleme.ordre_tire, key=probleme.ordre_tire.__getitem__)
        lignes += [schema.TIRAGE_GRAINE.ecrire(probleme.regles.graine_tirage),
                   schema.TIRAGE_ORDRE.ecrire(" ; ".join(ordre))]
    lignes += [schema.IMPOSE.ecrire(r, d) for d, r in probleme.forces.items()]
    lignes += [schema.ECARTE.ecrire(r, d) for d, r in probleme.exclus.items()]
    lignes += lignes_de_seance(revisions, ancre_journal)
    lignes += [schema.SOLVEUR.ecrire(allocation.solveur),
               schema.SCORE_TOTAL.ecrire(
                   decimal(allocation.score_total, 6).replace(ESPACE_FINE, ""))]
    return pd.DataFrame(lignes, columns=["parametre", "valeur"])


#: Row colours of sheet ``classement`` by statut (light tints that print in grey too).
COULEURS_STATUT = ("statut", {"laureat": "C6EFCE", "liste_complementaire": "DDEBF7",
                              "non_retenu": "FFFFFF", "ineligible": "F8CBAD"})


def table_synthese(decision: Decision, zone: tuple[str, ...] = ()) -> pd.DataFrame:
    """Sheet ``synthese``: the zone of uncertainty first (the dossiers to discuss first),
    then this wave and the programme so far against its targets."""
    probleme, allocation = decision.probleme, decision.allocation
    regles = probleme.regles
    par_id = {d.dossier: d for d in probleme.dossiers}
    choisis = [par_id[i] for i in allocation.laureats]
    avant = sum(probleme.deja_par_departement.values())
    cibles = {"qpv": regles.cible_qpv, "hors_qpv": regles.cible_hors_qpv,
              "numeriques": regles.cible_numeriques}
    def prevision(cumul: int) -> int:
        return prevision_a_ce_rythme(cumul, regles.numero, regles.nombre_vagues)

    lignes: list[dict[str, object]] = [
        {"indicateur": "Zone d'incertitude : dossiers à discuter en premier",
         "vague": len(zone), "bornes_de_la_vague": ", ".join(zone) or "aucun"},
        {"indicateur": "Dossiers reçus", "vague": len(probleme.dossiers)},
        {"indicateur": "Dossiers éligibles",
         "vague": sum(d.eligible for d in probleme.dossiers)},
        {"indicateur": "Lauréats", "vague": len(choisis), "cumul": avant + len(choisis),
         "cible": regles.cible_total, "bornes_de_la_vague": f"au plus {regles.max_laureats}",
         "prevision_a_ce_rythme": prevision(avant + len(choisis))},
    ]
    for categorie in CATEGORIES:
        bornes = probleme.bornes[categorie]
        deja = cibles[categorie] - bornes.restant
        nombre = sum(categorie in d.categories() for d in choisis)
        lignes.append({"indicateur": f"dont {LIBELLES_CATEGORIES[categorie]}", "vague": nombre,
                       "cumul": deja + nombre, "cible": cibles[categorie],
                       "bornes_de_la_vague": f"{bornes.minimum} à {bornes.maximum}",
                       "prevision_a_ce_rythme": prevision(deja + nombre)})
    if regles.max_par_an is not None and regles.annee is not None:
        lignes.append({"indicateur": f"Lauréats de l'année {regles.annee}",
                       "vague": len(choisis), "cumul": probleme.deja_annee + len(choisis),
                       "cible": regles.max_par_an,
                       "bornes_de_la_vague": f"au plus {regles.max_par_an} par an"})
    montant = sum(allocation.montants.get(d.dossier, d.montant) for d in choisis)
    engage_avant = regles.enveloppe_totale - probleme.enveloppe_restante
    lignes.append({"indicateur": "Montant accordé (€)", "vague": montant,
                   "cumul": engage_avant + montant, "cible": regles.enveloppe_totale,
                   "bornes_de_la_vague":
                       f"enveloppe de la vague : {euros(probleme.enveloppe_vague)}"})
    couverts = {d.departement for d in choisis}
    cumul = couverts | {k for k, n in probleme.deja_par_departement.items() if n}
    lignes.append({"indicateur": "Départements avec au moins une Fabrique",
                   "vague": len(couverts), "cumul": len(cumul),
                   "cible": len(probleme.parts_equitables)})
    lignes.append({"indicateur": "Score total des lauréats", "vague": allocation.score_total})
    table = pd.DataFrame(lignes, columns=["indicateur", "vague", "cumul", "cible",
                                          "bornes_de_la_vague", "prevision_a_ce_rythme"])
    table.insert(5, "reste", table["cible"] - table["cumul"])
    return table


def classeur_allocation(decision: Decision, parametres: pd.DataFrame, vague: Vague,
                        incertitude: Incertitude | Callable[[], Incertitude]) -> bytes:
    """The allocation workbook: synthese, classement, laureats, liste_complementaire,
    incertitude, explications, departements, jury, parametres. ``incertitude`` may be the
    function that waits for draws still running: the sheets that need it are written last
    (in their places), the others while the draws run."""
    table = classement(decision)
    formats = {**FORMATS, "montant_accorde": FORMATS["montant"],
               "cout_pour_le_retenir": "0.00", "part_equitable": "0.00"}
    classeur = Workbook()
    classeur.remove(classeur.active)  # type: ignore[arg-type]
    ecrire_table(classeur, "classement", table, formats, COULEURS_STATUT)
    ecrire_table(classeur, "laureats", table[table["statut"] == "laureat"], formats)
    ecrire_table(classeur, "liste_complementaire", table_liste_complementaire(decision), formats)
    ecrire_table(classeur, "explications", table_explications(decision), formats)
    ecrire_table(classeur, "departements", table_departements(decision), formats)
    jury = ecrire_table(classeur, "jury", diagnostic_jures(vague),
                        FORMATS_JURY)
    ajouter_table(jury, "Accord du jury (fiabilité par critère)",
                  entetes_en_clair(fiabilite_par_libelle(vague).round(4)))
    ecrire_table(classeur, "parametres", parametres)
    if callable(incertitude):
        incertitude = incertitude()
    synthese = ecrire_table(classeur, "synthese", table_synthese(decision, incertitude.zone),
                            {"vague": "#,##0", "cumul": "#,##0", "cible": "#,##0",
                             "reste": "#,##0", "prevision_a_ce_rythme": "#,##0"}, position=0)
    for ligne in synthese.iter_rows(min_row=2):
        if str(ligne[0].value).startswith("Montant"):
            for cellule in ligne[1:4] + ligne[5:6]:
                cellule.number_format = FORMATS["montant"]
        elif str(ligne[0].value).startswith("Score"):
            ligne[1].number_format = "0.00"
    ecrire_table(classeur, "incertitude", incertitude.table, FORMATS_INCERTITUDE, position=4)
    return workbook_bytes(classeur)


def classeur_retours(decision: Decision, vague: Vague, scores: ScoresVague,
                     table: pd.DataFrame | None = None) -> bytes:
    """The feedback workbook: sheet ``retours``, one row per dossier not selected
    (``table``: :func:`table_retours`, when the caller already holds it)."""
    table = table_retours(decision, vague, scores) if table is None else table
    classeur = Workbook()
    classeur.remove(classeur.active)  # type: ignore[arg-type]
    deux = {c: "0.00" for c in table.columns if c.startswith(("note", "mediane"))}
    ecrire_table(classeur, "retours", table, deux)
    return workbook_bytes(classeur)


#: The only fields of a laureate that are public.
COLONNES_PUBLIQUES = ("nom", "porteur", "commune", "departement", "label", "montant")


def classeur_public(dossiers: pd.DataFrame, montants: dict[str, int]) -> bytes:
    """Laureates only, public fields only (FAQ 7.6–7.7): nothing about other candidates.

    ``montants``: laureate → amount granted.
    """
    choisis = dossiers.loc[sorted(montants)]
    label = choisis.apply(
        lambda d: "Fabrique numérique (QPV)" if d["qpv"] and d["numerique"]
        else ("QPV" if d["qpv"] else "hors QPV"), axis=1)
    table = choisis.assign(label=label, montant=[montants[i] for i in choisis.index])
    table = table[list(COLONNES_PUBLIQUES)]
    table = table.sort_values(["departement", "nom"]).reset_index(drop=True)
    classeur = Workbook()
    classeur.remove(classeur.active)  # type: ignore[arg-type]
    ecrire_table(classeur, "laureats", table, {"montant": FORMATS["montant"]})
    return workbook_bytes(classeur)


def classeur_tables(tables: dict[str, pd.DataFrame]) -> bytes:
    """One sheet per table (in order)."""
    classeur = Workbook()
    classeur.remove(classeur.active)  # type: ignore[arg-type]
    for titre, table in tables.items():
        if titre == "robustesse":  # its column « label » holds robustness codes
            table = table.assign(label=table["label"].map(lambda v: libelle(ROBUSTESSE, v)))
        formats = {c: "0.00" for c in ("gain", "score", "score_total")}
        formats |= {"probabilite": "0%", "sans_un_jure": "0%", "budget": FORMATS["montant"],
                    "qpv": "0%"}
        ecrire_table(classeur, titre, table, formats)
    return workbook_bytes(classeur)
