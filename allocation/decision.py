"""From a solved wave to what the secretariat records: statut and motif of every dossier,
and the ordered reserve list (liste complémentaire)."""

from __future__ import annotations

import pandas as pd

from allocation.probleme import ProblemeVague
from allocation.solveur import Allocation, verifier

TAILLE_LISTE_COMPLEMENTAIRE = 10


def liste_complementaire(
    probleme: ProblemeVague, allocation: Allocation, taille: int = TAILLE_LISTE_COMPLEMENTAIRE
) -> list[tuple[str, str]]:
    """Eligible dossiers not selected, best score first, that can replace at least one
    laureate who withdraws with every rule still holding; with the laureate they would
    replace first (the lowest-scoring one such a swap allows)."""
    laureats = set(allocation.laureats)
    par_id = {d.dossier: d for d in probleme.dossiers}
    remplacables = sorted(laureats, key=lambda i: (par_id[i].score, i))
    reserve = []
    for dossier in sorted(
        (d for d in probleme.dossiers if probleme.candidat(d) and d.dossier not in laureats),
        key=lambda d: (-d.score, d.dossier),
    ):
        for sortant in remplacables:
            essai = sorted((laureats - {sortant}) | {dossier.dossier})
            if not verifier(probleme, essai):
                reserve.append((dossier.dossier, sortant))
                break
        if len(reserve) >= taille:
            break
    return reserve


def classement(probleme: ProblemeVague, allocation: Allocation) -> pd.DataFrame:
    """One row per dossier: SPEC §5 columns, best score first, statut and motif."""
    laureats = set(allocation.laureats)
    reserve = {d: (rang, sortant) for rang, (d, sortant) in
               enumerate(liste_complementaire(probleme, allocation), start=1)}
    plancher = probleme.regles.note_minimale
    lignes = []
    for d in probleme.dossiers:
        if not d.eligible:
            statut, motif = "ineligible", " ; ".join(d.motifs)
        elif d.dossier in laureats:
            statut = "laureat"
            motif = probleme.forces.get(d.dossier, "")
            motif = f"imposé par le jury : {motif}" if motif else ""
        elif d.dossier in reserve:
            rang, sortant = reserve[d.dossier]
            statut = "liste_complementaire"
            motif = f"rang {rang} ; remplacerait par exemple {sortant}"
        else:
            statut = "non_retenu"
            if d.dossier in probleme.exclus:
                motif = f"écarté par le jury : {probleme.exclus[d.dossier]}"
            elif pd.isna(d.score):
                motif = "aucune note"
            elif d.score < plancher:
                motif = f"note inférieure à la note minimale ({plancher:g})"
            else:
                motif = "classement insuffisant compte tenu des règles de la vague"
        lignes.append({"dossier": d.dossier, "nom": d.nom, "departement": d.departement,
                       "qpv": d.qpv, "numerique": d.numerique, "montant": d.montant,
                       "score": d.score, "statut": statut, "motif": motif})
    table = pd.DataFrame(lignes).sort_values(["score", "dossier"], ascending=[False, True],
                                             na_position="last")
    table.insert(list(table.columns).index("score") + 1, "rang",
                 table["score"].rank(ascending=False, method="min").astype("Int64"))
    return table.reset_index(drop=True)
