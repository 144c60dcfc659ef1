"""Conflicts of interest declared in a wave's jury workbook: sheet ``deports`` (a juror and a
dossier) and sheet ``conflits`` (a juror and a dossier, a porteur or a commune), as the
(juror, dossier) pairs they make déported, each with why."""

from __future__ import annotations

import pandas as pd

from commun.constats import Constats
from lecture import valeurs
from lecture.notes import resolveur
from lecture.tables import Table


def lire_deports(
    table: Table, dossiers: pd.DataFrame, jures: set[str], constats: Constats
) -> dict[tuple[str, str], str]:
    """Explicit conflicts of interest: (juror, dossier) pairs and why (the optional
    ``motif`` column, else « déport déclaré »)."""
    paires: dict[tuple[str, str], str] = {}
    dossier_de, jure_de = resolveur(set(dossiers.index), constats), resolveur(jures, constats)
    for numero, ligne in table.lignes:
        jure = valeurs.texte(table.valeur(ligne, "jure"))
        dossier = valeurs.texte(table.valeur(ligne, "dossier"))
        if jure:
            jure = jure_de(jure, table.lieu(numero, "jure"), "juré")
        if dossier:
            dossier = dossier_de(dossier, table.lieu(numero, "dossier"), "dossier")
        if jure not in jures:
            constats.signaler("jure_inconnu", "juré absent de la feuille jury",
                              **table.lieu(numero, "jure", jure))
        if dossier not in dossiers.index:
            constats.signaler("dossier_inconnu", "dossier absent de la feuille dossiers",
                              **table.lieu(numero, "dossier", dossier))
        if jure and dossier:
            paires[(jure, dossier)] = (valeurs.texte(table.valeur(ligne, "motif"))
                                       or "déport déclaré")
    return paires


def lire_conflits(
    table: Table, dossiers: pd.DataFrame, jures: set[str], constats: Constats
) -> dict[tuple[str, str], str]:
    """Declared conflicts of interest (sheet ``conflits``: ``jure`` and a ``dossier``, a
    ``porteur`` or a ``commune``, optional ``motif``), as the (juror, dossier) pairs they
    make déported: every dossier of that porteur (name folded) or of that commune (name or
    INSEE code); why is the ``motif``, else what the conflict names."""
    par_porteur: dict[str, list[str]] = {}
    par_commune: dict[str, list[str]] = {}
    for identifiant, porteur, commune, code in zip(
            dossiers.index, dossiers["porteur"], dossiers["commune"], dossiers["code_commune"],
            strict=True):
        if porteur:
            par_porteur.setdefault(valeurs.cle(porteur), []).append(identifiant)
        for nom in {valeurs.cle(commune) if commune else "", code or ""} - {""}:
            par_commune.setdefault(nom, []).append(identifiant)
    paires: dict[tuple[str, str], str] = {}
    dossier_de = resolveur(set(dossiers.index), constats)
    for numero, ligne in table.lignes:
        jure = valeurs.texte(table.valeur(ligne, "jure"))
        cibles = {colonne: valeurs.texte(table.valeur(ligne, colonne))
                  for colonne in ("dossier", "porteur", "commune")}
        if jure is None and not any(cibles.values()):
            continue
        if jure not in jures:
            constats.signaler("jure_inconnu", "juré absent de la feuille jury",
                              **table.lieu(numero, "jure", jure))
            continue
        if not any(cibles.values()):
            constats.signaler("conflit_incomplet",
                              "conflit sans dossier, porteur ni commune : il ne peut être appliqué",
                              **table.lieu(numero, "jure", jure))
            continue
        concernes: set[str] = set()
        if cibles["dossier"]:
            cibles["dossier"] = dossier_de(cibles["dossier"], table.lieu(numero, "dossier"),
                                           "dossier")
            if cibles["dossier"] in dossiers.index:
                concernes.add(cibles["dossier"])
            else:
                constats.signaler("dossier_inconnu", "dossier absent de la feuille dossiers",
                                  **table.lieu(numero, "dossier", cibles["dossier"]))
        if cibles["porteur"]:
            concernes.update(par_porteur.get(valeurs.cle(cibles["porteur"]), ()))
        if cibles["commune"]:
            commune = cibles["commune"]
            concernes.update(par_commune.get(commune, par_commune.get(valeurs.cle(commune), ())))
        if not concernes and (cibles["porteur"] or cibles["commune"]):
            colonne = "porteur" if cibles["porteur"] else "commune"
            constats.signaler("conflit_sans_effet",
                              f"aucun dossier de la vague n'a ce {colonne} : le conflit de "
                              f"{jure} ne déporte personne",
                              **table.lieu(numero, colonne, cibles[colonne]))
        motif = valeurs.texte(table.valeur(ligne, "motif")) or "conflit déclaré (" + ", ".join(
            f"{c} {v}" for c, v in cibles.items() if v) + ")"
        paires.update(((jure, d), motif) for d in concernes)
    return paires
