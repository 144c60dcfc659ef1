"""Sheet ``dossiers`` (SPEC §3): a declarative column schema read by one loop, then the
checks across columns of each row."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import pandas as pd

from commun.constats import Constats
from lecture import formes_juridiques, referentiel, valeurs
from lecture.tables import Cellules, Colonne, Table


def _euros(brut: Any) -> valeurs.Lu[int]:
    """Whole euros; a fractional amount is rounded and the rounding reported."""
    lu = valeurs.nombre(brut)
    if not lu.ok or (lu.valeur is not None and lu.valeur < 0):
        return valeurs.Lu(probleme="montant en euros attendu")
    if lu.valeur is None:
        return valeurs.Lu(None)
    if not float(lu.valeur).is_integer():
        return valeurs.Lu(round(lu.valeur), repare="montant arrondi à l'euro (les montants "
                                                   "sont en euros entiers)")
    return valeurs.Lu(round(lu.valeur))


def _etp(brut: Any) -> valeurs.Lu[float]:
    lu = valeurs.nombre(brut)
    if not lu.ok or lu.valeur is None or lu.valeur < 0:
        return valeurs.Lu(probleme="nombre d'ETP attendu (ex. 1 ou 1,5)")
    return lu


def _categorie(brut: Any) -> valeurs.Lu[str]:
    """An INSEE catégorie juridique: 4 digits (« 9220 »; a lost leading zero is restored)."""
    code = valeurs.texte(brut)
    if code is None:
        return valeurs.Lu(None)
    code = code.replace(" ", "")
    if code.isdigit() and len(code) < 4:
        code = code.zfill(4)
    if not (code.isdigit() and len(code) == 4):
        return valeurs.Lu(probleme="code de catégorie juridique INSEE à 4 chiffres attendu")
    return valeurs.Lu(code)


def _code_postal(brut: Any) -> valeurs.Lu[str]:
    """A postcode: 5 digits of text (a 4-digit number is one Excel stripped of its zero)."""
    code = valeurs.texte(brut)
    if code is None:
        return valeurs.Lu(None)
    code = code.replace(" ", "")
    if code.isdigit() and len(code) == 4:
        return valeurs.Lu(f"0{code}", repare=f"« {code} » a été lu comme « 0{code} »")
    if not (code.isdigit() and len(code) == 5):
        return valeurs.Lu(probleme="code postal à 5 chiffres attendu")
    return valeurs.Lu(code)


#: Sheet ``dossiers`` (SPEC §3), in column order; the identifier ``dossier`` comes first.
SCHEMA_DOSSIERS: tuple[Colonne, ...] = (
    Colonne("nom", valeurs.texte_lu, requise=True, defaut=""),
    Colonne("porteur", valeurs.texte_lu, defaut=""),
    Colonne("siret", valeurs.siret, invalide="siret_illisible", reparee="siret_repare"),
    Colonne("forme_juridique", valeurs.texte_lu, defaut=""),
    Colonne("categorie_juridique", _categorie, invalide="valeur_invalide"),
    Colonne("commune", valeurs.texte_lu, defaut=""),
    Colonne("code_commune", valeurs.code_commune, invalide="commune_invalide",
                   reparee="commune_reparee"),
    Colonne("code_postal", _code_postal, invalide="valeur_invalide",
                   reparee="commune_reparee"),
    Colonne("departement", valeurs.Lu, requise=True),  # read by _verifier_departement
    Colonne("qpv", valeurs.booleen, requise=True, invalide="booleen_invalide",
                   defaut=False),
    Colonne("numerique", valeurs.booleen, invalide="booleen_invalide", defaut=False),
    Colonne("montant", _euros, requise=True, invalide="montant_invalide",
                   reparee="montant_arrondi",
                   vide=("valeur_manquante", "montant demandé manquant")),
    Colonne("montant_annuel", _euros, invalide="montant_invalide",
                   reparee="montant_arrondi"),
    Colonne("etp", _etp, requise=True, invalide="etp_invalide"),
    Colonne("embauche_prevue", valeurs.booleen, invalide="booleen_invalide", defaut=False),
    Colonne("video", valeurs.booleen, requise=True, invalide="booleen_invalide",
                   defaut=False),
    Colonne("lieux", valeurs.lieux_lu),
    Colonne("numero_ds", valeurs.texte_lu),
)
COLONNES_DOSSIERS = ("dossier", *(c.nom for c in SCHEMA_DOSSIERS))
REQUISES_DOSSIERS = ("dossier", *(c.nom for c in SCHEMA_DOSSIERS if c.requise))
_TYPES_DOSSIERS = {"montant": "Int64", "montant_annuel": "Int64", "etp": "float"}


def lire_dossiers(table: Table, constats: Constats) -> pd.DataFrame:
    """The ``dossiers`` sheet as a typed table indexed by dossier id: each cell read by its
    column of :data:`SCHEMA_DOSSIERS`, then the checks across columns."""
    enregistrements: list[dict[str, Any]] = []
    for numero, ligne, identifiant in table.par_identifiant("dossier", "dossier",
                                                            "dossier_en_double", constats):
        dossier: dict[str, Any] = {"dossier": identifiant, "ligne": numero,
                                   "fichier": table.feuille.fichier}
        cellules = Cellules(table, numero, ligne)
        for colonne in SCHEMA_DOSSIERS:
            dossier[colonne.nom] = cellules.lire(colonne, constats)
        for verifier in _VERIFICATIONS_DOSSIER:
            verifier(dossier, cellules, constats)
        enregistrements.append(dossier)
    _signaler_lieux_partages(enregistrements, table, constats)
    _signaler_colonnes_vides(enregistrements, table, constats)
    colonnes = [*COLONNES_DOSSIERS, "ligne", "fichier"]
    frame = pd.DataFrame(enregistrements, columns=colonnes).set_index("dossier")
    return frame.astype(_TYPES_DOSSIERS)


#: Fields eligibility cannot do without: each group must be filled for some dossier, or the
#: export lost it (a démarches-simplifiées xlsx keeps the SIRET in another sheet).
_CHAMPS_D_ELIGIBILITE = (("siret",), ("forme_juridique", "categorie_juridique"),
                         ("commune", "code_commune"))


def _signaler_colonnes_vides(dossiers: list[dict[str, Any]], table: Table,
                             constats: Constats) -> None:
    """An eligibility field missing for every dossier is an error, not N ineligibilities."""
    if not dossiers:
        return
    for champs in _CHAMPS_D_ELIGIBILITE:
        if all(valeurs.est_vide(d[c]) for d in dossiers for c in champs):
            constats.signaler(
                "colonne_vide",
                f"« {' ou '.join(champs)} » vide pour les {len(dossiers)} dossiers : "
                "l'éligibilité ne peut pas être décidée (un export démarches-simplifiées xlsx "
                "garde le SIRET et la forme juridique dans sa feuille « Etablissements »)",
                fichier=table.feuille.fichier, feuille=table.feuille.nom, colonne=champs[0])


def lieux_partages(dossiers: Iterable[tuple[str, tuple[str, ...]]]) -> dict[str, list[str]]:
    """Places that appear in more than one dossier of the wave, compared by their folded key
    (FAQ 6.5) → those dossiers (sorted). A place is named as its first spelling in the
    order of dossier ids, so the name never depends on the order of rows."""
    par_cle: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for identifiant, lieux in dossiers:
        for lieu in lieux:
            par_cle[valeurs.cle(lieu)].append((identifiant, lieu))
    partages = {}
    for occurrences in par_cle.values():
        ids = sorted({identifiant for identifiant, _ in occurrences})
        if len(ids) > 1:
            partages[min(occurrences)[1]] = ids
    return dict(sorted(partages.items()))


def _signaler_lieux_partages(dossiers: list[dict[str, Any]], table: Table,
                             constats: Constats) -> None:
    """A place named by two dossiers of the wave: at most one of them can be laureate
    (FAQ 6.5); both are flagged."""
    par_id = {d["dossier"]: d for d in dossiers}
    for ids in lieux_partages((d["dossier"], d["lieux"]) for d in dossiers).values():
        for identifiant in ids:
            dossier = par_id[identifiant]
            autres = ", ".join(i for i in ids if i != identifiant)
            constats.signaler(
                "lieu_partage", f"lieu partagé avec {autres} : un seul de ces dossiers "
                "pourra être lauréat (FAQ 6.5)",
                **table.lieu(dossier["ligne"], "lieux", ";".join(dossier["lieux"])))


def _verifier_commune(dossier: dict[str, Any], cellules: Cellules,
                      constats: Constats) -> None:
    """The commune's name and INSEE code must agree (SPEC §3): a postcode typed as the code
    names the probable code; a missing code is resolved from the name (and department) when
    that is unique. On any disagreement the code is dropped, so that the ville-centre rule is
    never decided on it, and the wave stops on the error."""
    code, nom = dossier["code_commune"], dossier["commune"] or ""
    departement = valeurs.code_departement(dossier["departement"]).valeur
    communes = referentiel.communes()
    if code is None:
        if not nom:
            constats.signaler("commune_manquante", "ni commune ni code INSEE : la règle des "
                              "villes-centres (FAQ 2.7) ne peut pas être décidée ; indiquez la "
                              "commune du lieu", **cellules.lieu("commune"))
            return
        candidats = referentiel.codes_du_nom(nom, departement)
        if len(candidats) == 1:
            dossier["code_commune"] = candidats[0]
            constats.signaler("commune_deduite", f"code INSEE absent : {candidats[0]} déduit "
                              f"du nom « {nom} »", **cellules.lieu("code_commune", candidats[0]))
        else:
            quoi = (f"plusieurs communes portent ce nom ({', '.join(candidats)})" if candidats
                    else "nom de commune inconnu du référentiel INSEE")
            constats.signaler("commune_introuvable", f"code INSEE absent et {quoi} : "
                              "indiquez le code INSEE", **cellules.lieu("commune", nom))
        return
    if code in communes.index and (not nom or referentiel.nom_correspond(code, nom)):
        return
    probables = _codes_probables(code, nom)
    if code not in communes.index and not probables:
        constats.signaler(
            "commune_inconnue",
            "code commune absent du référentiel INSEE : vérifiez-le (la règle des "
            "villes-centres s'applique au code tel qu'il est écrit)",
            **cellules.lieu("code_commune", code),
        )
        return
    dossier["code_commune"] = None
    suggestion = ", ".join(f"{c} ({referentiel.nom_commune(c)})" for c in probables)
    if probables:
        constats.signaler(
            "commune_code_postal",
            f"« {code} » est le code postal de « {nom or referentiel.nom_commune(probables[0])} »"
            f", pas son code INSEE : code INSEE probable {suggestion}",
            **cellules.lieu("code_commune", code))
    else:
        constats.signaler(
            "commune_incoherente",
            f"le code INSEE {code} est celui de « {referentiel.nom_commune(code)} », pas de "
            f"« {nom} » : corrigez le nom ou le code (la règle des villes-centres n'est pas "
            "décidée sur des données discordantes)", **cellules.lieu("code_commune", code))


def _verifier_code_postal(dossier: dict[str, Any], cellules: Cellules,
                          constats: Constats) -> None:
    """A postcode given beside the commune (a démarches-simplifiées commune champ gives one,
    « Belley (01300) ») must serve it: a warning otherwise, the INSEE code being the one the
    rules read."""
    code, postal = dossier["code_commune"], dossier["code_postal"]
    if code is None or postal is None or code not in referentiel.communes().index:
        return
    servis = referentiel.codes_postaux(code)
    if postal not in servis:
        constats.signaler(
            "code_postal_incoherent",
            f"le code postal {postal} ne dessert pas {referentiel.nom_commune(code)} ({code}), "
            f"qui a {', '.join(servis) or 'aucun code postal connu'} : vérifiez la commune du "
            "lieu (les règles lisent le code INSEE)", **cellules.lieu("code_postal", postal))


def _codes_probables(code: str, nom: str) -> tuple[str, ...]:
    """The INSEE codes meant when ``code`` is a postcode: those it serves, narrowed to the
    ones ``nom`` names when a name is given."""
    servis = referentiel.codes_du_code_postal(code)
    if not nom:
        return servis
    cle = referentiel.cle_commune(nom)
    exacts = tuple(c for c in servis if referentiel.cle_commune(referentiel.nom_commune(c)) == cle)
    return exacts or tuple(c for c in servis if referentiel.nom_correspond(c, nom))


def _verifier_qpv(dossier: dict[str, Any], cellules: Cellules, constats: Constats) -> None:
    """A ``qpv = oui`` claim in a commune with no QPV in the 2024 list is plausible only near
    a boundary (the 300 m rule): warned, naming the nearest communes that have one; the
    declared value is kept (the AMI ran under the 2015 list)."""
    code = dossier["code_commune"]
    if not dossier["qpv"] or code is None or code not in referentiel.communes().index:
        return
    if {code, referentiel.commune_parente(code)} & referentiel.communes_avec_qpv():
        return  # the 2024 list places the QPV of Paris, Lyon and Marseille in the ville
    voisines = referentiel.communes_voisines_avec_qpv(code)
    noms = ", ".join(f"{referentiel.nom_commune(c)} ({c})" for c in voisines)
    proches = f" (communes proches avec QPV : {noms})" if noms else ""
    constats.signaler(
        "qpv_improbable",
        f"QPV déclaré, mais la commune {code} n'a aucun QPV dans la liste 2024 : vérifiez "
        f"que le lieu est à moins de 300 m d'un QPV{proches}",
        **cellules.lieu("qpv", "oui"))


def _verifier_forme_juridique(dossier: dict[str, Any], cellules: Cellules,
                              constats: Constats) -> None:
    """The legal form recognised from its INSEE code, else its label (FAQ 2.5); the code
    found is kept in ``categorie_juridique``. An unknown code, a blank or unrecognised form
    and a form the FAQ does not settle are reported (eligibility refuses the first two)."""
    code, libelle = dossier["categorie_juridique"], dossier["forme_juridique"]
    if code is not None and code not in formes_juridiques.categories():
        constats.signaler("categorie_juridique_inconnue", f"code {code} absent de la "
                          "nomenclature INSEE des catégories juridiques",
                          **cellules.lieu("categorie_juridique", code))
        return
    forme = formes_juridiques.reconnaitre(code, libelle)
    if forme is None:
        constats.signaler(
            "forme_juridique_non_reconnue",
            "forme juridique absente ou non reconnue : le dossier reste inéligible tant que "
            "la catégorie juridique INSEE (4 chiffres) n'est pas indiquée",
            **cellules.lieu("forme_juridique", libelle or ""))
        return
    # the code found is kept, unless the label's words make it to be checked (« École de
    # musique associative »): eligibility then decides from the label again
    selon_code = formes_juridiques.decider_code(forme.code) if forme.code else None
    dossier["categorie_juridique"] = (forme.code if selon_code is not None
                                      and selon_code.decision == forme.decision else code)
    selon_libelle = formes_juridiques.reconnaitre(None, libelle) if code and libelle else None
    if selon_libelle is not None and selon_libelle.decision != forme.decision:
        constats.signaler(
            "forme_juridique_discordante",
            f"le libellé « {libelle} » désigne {selon_libelle.libelle} ({selon_libelle.code}, "
            f"{selon_libelle.decision.replace('_', ' ')}), le code {forme.code} "
            f"{forme.libelle} ({forme.decision.replace('_', ' ')}) : le code INSEE l'emporte, "
            "vérifiez-le", **cellules.lieu("categorie_juridique", code))
    if forme.decision == "a_verifier":
        constats.signaler(
            "forme_juridique_a_verifier",
            f"{forme.libelle}" + (f" ({forme.code})" if forme.code else "")
            + f" : {forme.motif} ; {forme.faq}",
            **cellules.lieu("categorie_juridique" if code else "forme_juridique",
                            code or libelle))


def _verifier_montant_annuel(dossier: dict[str, Any], cellules: Cellules,
                             constats: Constats) -> None:
    """Over 3 years, the yearly amount times 3 covers the total; a missing yearly amount
    leaves the yearly cap unchecked."""
    annuel, montant = dossier["montant_annuel"], dossier["montant"]
    if annuel is None:
        constats.signaler("montant_annuel_manquant", "montant annuel absent : le plafond "
                          "annuel du programme ne peut pas être vérifié",
                          **cellules.lieu("montant_annuel"))
    elif montant is not None and annuel * 3 < montant:
        constats.signaler(
            "montant_annuel_incoherent",
            f"{annuel} € par an sur 3 ans ne couvrent pas les {montant} € demandés",
            **cellules.lieu("montant_annuel", annuel))


def _verifier_departement(dossier: dict[str, Any], cellules: Cellules,
                          constats: Constats) -> None:
    """The department: deduced from the commune when empty; else read, known, and the
    commune's own."""
    brut = dossier["departement"]
    code = dossier["code_commune"]
    du_code = referentiel.departement_de_commune(code) if code else None
    lieu = cellules.lieu("departement")
    if valeurs.est_vide(brut) and du_code is not None:
        dossier["departement"] = str(du_code)
        constats.signaler("departement_deduit", "département vide, déduit du code commune",
                          **{**lieu, "valeur": dossier["departement"]})
        return
    lu = valeurs.code_departement(brut)
    dossier["departement"] = lu.valeur
    if not lu.ok:
        constats.signaler("departement_invalide", str(lu.probleme), **lieu)
        return
    if lu.valeur not in referentiel.departements().index:
        constats.signaler("departement_inconnu", "département inconnu", **lieu)
    elif lu.repare:
        constats.signaler("departement_repare", f"{lu.repare} : Excel a sans doute effacé le "
                          "zéro initial ; saisissez les codes de département en texte", **lieu)
    if du_code not in (None, lu.valeur):
        constats.signaler("commune_hors_departement", f"la commune {code} est dans le "
                          f"département {du_code}, pas {lu.valeur}", **lieu)


def compte_comme_numerique(numerique: object, qpv: object) -> bool:
    """A Fabrique numérique counts as one only in a QPV (SPEC §2: the 30 numériques are
    among the 150 QPV) — the one place this rule is written."""
    return bool(numerique) and bool(qpv)


def _verifier_numerique(dossier: dict[str, Any], cellules: Cellules,
                        constats: Constats) -> None:
    """A Fabrique numérique outside a QPV is said: it does not count as numérique."""
    if dossier["numerique"] and not compte_comme_numerique(dossier["numerique"],
                                                           dossier["qpv"]):
        constats.signaler(
            "numerique_hors_qpv",
            "Fabrique numérique hors QPV : elle ne compte pas comme numérique",
            **cellules.lieu("numerique"),
        )


def _verifier_lieux(dossier: dict[str, Any], cellules: Cellules,
                    constats: Constats) -> None:
    """A dossier that names no place is its own place."""
    dossier["lieux"] = dossier["lieux"] or (dossier["dossier"],)


_VERIFICATIONS_DOSSIER = (_verifier_commune, _verifier_code_postal, _verifier_departement,
                          _verifier_qpv, _verifier_numerique, _verifier_forme_juridique,
                          _verifier_montant_annuel, _verifier_lieux)
