"""The secretariat's words for the tool's codes — one table, read by every surface.

The tool computes with short codes (``laureat``, ``cntl``, ``zscore``, ``borderline``); a
person reads French words. Each family below maps a code to its label (singular and plural)
and, for a statistic or a method, a one-sentence explanation in plain French. Workbooks,
the app, the procès-verbal, the letters and the command line take their words from here;
readers of the tool's own workbooks accept the word or the code (:func:`code_de`, accents
and case folded), so that a file written before the words changed still reads.

The rules' labels are the rule catalogue's (``allocation.modele.regles``), the findings'
are their codes' (``commun.constats``): they are written once, where the rule or the
finding is defined.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Terme:
    """One code in the secretariat's words."""

    code: str
    libelle: str
    pluriel: str = ""
    #: One sentence for a person who is not a statistician (empty when the label says it).
    explication: str = ""

    @property
    def libelles(self) -> str:
        """The plural (the singular plus « s » when none is given)."""
        return self.pluriel or f"{self.libelle}s"


def _famille(*termes: Terme) -> dict[str, Terme]:
    return {t.code: t for t in termes}


#: A dossier's outcome (sheet ``classement``, column ``statut``; SPEC §5).
STATUTS = _famille(
    Terme("laureat", "lauréat", "lauréats"),
    Terme("liste_complementaire", "liste complémentaire", "liste complémentaire"),
    Terme("non_retenu", "non retenu", "non retenus"),
    Terme("ineligible", "inéligible", "inéligibles"),
)

#: The jury's colleges (FAQ 3.2), short labels for tables.
COLLEGES = _famille(
    Terme("administration", "administration", "administration",
          "Représentants de l'administration"),
    Terme("cntl", "Conseil national des tiers-lieux", "Conseil national des tiers-lieux",
          "Représentants du Conseil national des tiers-lieux"),
    Terme("chercheur", "chercheurs et personnalités qualifiées",
          "chercheurs et personnalités qualifiées",
          "Chercheurs et personnalités qualifiées"),
    Terme("laureat", "fabriques lauréates", "fabriques lauréates",
          "Représentants de fabriques lauréates de précédentes vagues"),
)

#: How a dossier's selection holds when the jurors or the method change (trade-offs).
ROBUSTESSE = _famille(
    Terme("stable", "stable", "stables",
          "Le dossier a le même sort dans presque tous les tirages de jurés et avec toutes "
          "les méthodes."),
    Terme("borderline", "à la limite", "à la limite",
          "Le sort du dossier change quand on retire ou remplace quelques jurés : il est "
          "près de la barre."),
    Terme("depends_on_method", "dépend de la méthode", "dépendent de la méthode",
          "Le dossier est retenu avec certaines méthodes de correction des notes et pas "
          "avec d'autres."),
)

#: The scoring methods: label and what each does to the jurors' notes.
METHODES = _famille(
    Terme("auto", "choix automatique", "choix automatiques",
          "L'outil essaie chaque méthode sur une partie des notes cachée, et garde celle qui "
          "prédit le mieux les notes cachées (validation croisée)."),
    Terme("raw", "moyenne brute", "moyennes brutes",
          "La moyenne des notes telles que les jurés les ont données, sans correction."),
    Terme("median", "médiane", "médianes",
          "La note du milieu : une note isolée, très haute ou très basse, ne la déplace pas."),
    Terme("trimmed", "moyenne tronquée", "moyennes tronquées",
          "La moyenne sans la note la plus haute ni la plus basse de chaque dossier."),
    Terme("bias", "correction de la sévérité", "corrections de la sévérité",
          "On estime de combien chaque juré note plus haut ou plus bas que les autres sur "
          "les mêmes dossiers, et on retire cet écart (moindres carrés)."),
    Terme("zscore", "notes centrées-réduites", "notes centrées-réduites",
          "Les notes de chaque juré sont ramenées à une même moyenne et un même étalement "
          "(centrage-réduction)."),
    Terme("minmax", "étirement min–max", "étirements min–max",
          "Les notes de chaque juré sont étirées pour aller de sa note la plus basse à sa "
          "note la plus haute."),
    Terme("rank", "rangs", "rangs",
          "Chaque juré classe ses dossiers ; seul le rang compte, pas l'écart entre les "
          "notes."),
    Terme("calibre", "modèle de jurés", "modèles de jurés",
          "On estime pour chaque juré sa sévérité, son étalement et sa part de hasard, et "
          "on corrige ses notes en conséquence."),
)

#: The agreement and error figures of sheet « Notation » and the scores workbook.
STATISTIQUES = _famille(
    Terme("ICC1", "accord d'un juré (ICC1)", "accords d'un juré (ICC1)",
          "À quel point la note d'un seul juré suffit à classer les dossiers (1 : accord "
          "parfait, 0 : aucun)."),
    Terme("ICC2", "accord d'un juré, sévérités comprises (ICC2)",
          "accords d'un juré, sévérités comprises (ICC2)",
          "Comme l'accord d'un juré, en comptant comme désaccord qu'un juré note plus "
          "sévèrement qu'un autre."),
    Terme("ICC3", "accord d'un juré, sévérités corrigées (ICC3)",
          "accords d'un juré, sévérités corrigées (ICC3)",
          "Comme l'accord d'un juré, une fois retirée la sévérité propre à chacun."),
    Terme("ICC1k", "fiabilité de la moyenne (ICC1k)", "fiabilités de la moyenne (ICC1k)",
          "À quel point la moyenne de tous les jurés d'un dossier classerait de même avec "
          "d'autres jurés (1 : tout à fait, 0 : pas du tout)."),
    Terme("ICC2k", "fiabilité de la moyenne, sévérités comprises (ICC2k)",
          "fiabilités de la moyenne, sévérités comprises (ICC2k)",
          "La fiabilité de la moyenne en comptant les différences de sévérité entre jurés."),
    Terme("ICC3k", "fiabilité de la moyenne, sévérités corrigées (ICC3k)",
          "fiabilités de la moyenne, sévérités corrigées (ICC3k)",
          "La fiabilité de la moyenne une fois les sévérités corrigées."),
    Terme("kendall_w", "concordance des classements (W de Kendall)",
          "concordances des classements (W de Kendall)",
          "À quel point les jurés classent les dossiers dans le même ordre (1 : même ordre "
          "pour tous, 0 : aucun ordre commun)."),
    Terme("alpha_nominal", "accord sur les notes exactes (alpha de Krippendorff)",
          "accords sur les notes exactes (alpha de Krippendorff)",
          "À quel point les jurés donnent exactement la même note, au-delà du hasard."),
    Terme("alpha_ordinal", "accord sur l'ordre des notes (alpha de Krippendorff)",
          "accords sur l'ordre des notes (alpha de Krippendorff)",
          "À quel point les jurés s'accordent sur l'ordre des notes, au-delà du hasard."),
    Terme("alpha_interval", "accord sur les écarts de notes (alpha de Krippendorff)",
          "accords sur les écarts de notes (alpha de Krippendorff)",
          "À quel point les jurés s'accordent sur les écarts entre notes, au-delà du "
          "hasard."),
    Terme("alpha_ratio", "accord sur les rapports de notes (alpha de Krippendorff)",
          "accords sur les rapports de notes (alpha de Krippendorff)",
          "À quel point les jurés s'accordent sur les rapports entre notes, au-delà du "
          "hasard."),
    Terme("erreur_de_prediction", "erreur de prédiction", "erreurs de prédiction",
          "L'écart moyen entre une note cachée et ce que la méthode en prédit : plus "
          "petit, mieux la méthode rend compte des notes."),
    Terme("biais_calibre", "sévérité estimée", "sévérités estimées",
          "De combien ce juré note plus haut (positif) ou plus bas (négatif) que le jury "
          "sur les mêmes dossiers."),
)

#: The programme's categories of Fabriques.
CATEGORIES = _famille(
    Terme("qpv", "Fabriques en QPV", "Fabriques en QPV",
          "Fabriques situées dans un quartier prioritaire de la politique de la ville."),
    Terme("hors_qpv", "Fabriques hors QPV", "Fabriques hors QPV"),
    Terme("numeriques", "Fabriques numériques", "Fabriques numériques"),
)

#: The severity of a finding.
GRAVITES = _famille(
    Terme("erreur", "erreur", "erreurs", "Bloque la décision tant qu'elle n'est pas corrigée."),
    Terme("avertissement", "avertissement", "avertissements",
          "À vérifier ; la décision reste possible."),
)

#: The events of the meeting's journal (``commun.journal``), as a person reads its listing.
EVENEMENTS = _famille(
    Terme("chargement", "fichiers chargés", "fichiers chargés"),
    Terme("methode", "méthode de notation", "méthodes de notation"),
    Terme("retenir", "dossier retenu par le jury", "dossiers retenus par le jury"),
    Terme("ecarter", "dossier écarté par le jury", "dossiers écartés par le jury"),
    Terme("annuler", "décision annulée", "décisions annulées"),
    Terme("reviser", "note révisée", "notes révisées"),
    Terme("allocation", "décision écrite", "décisions écrites"),
    Terme("enregistrement", "vague enregistrée dans l'historique",
          "vagues enregistrées dans l'historique"),
    Terme("journal_ignore", "journal altéré, passé outre", "journaux altérés, passés outre"),
    Terme("import_ds", "import de démarches-simplifiées", "imports de démarches-simplifiées"),
    Terme("ds_publication", "publication sur démarches-simplifiées",
          "publications sur démarches-simplifiées"),
)

#: The columns whose values are codes of a family: the tables a person reads show the
#: label instead (:func:`pour_lecteur`).
COLONNES_CODEES: dict[str, Mapping[str, Terme]] = {
    "statut": STATUTS,
    "college": COLLEGES,
    "methode": METHODES,
    "methode_choisie": METHODES,
    "gravite": GRAVITES,
    "statistique": STATISTIQUES,
}

#: Every family, for the guard that reads what the tool writes (no code where a word is due).
FAMILLES: dict[str, Mapping[str, Terme]] = {
    "statut": STATUTS, "college": COLLEGES, "robustesse": ROBUSTESSE, "methode": METHODES,
    "statistique": STATISTIQUES, "categorie": CATEGORIES, "gravite": GRAVITES,
    "evenement": EVENEMENTS,
}


def libelle(famille: Mapping[str, Terme], code: object) -> str:
    """The label of ``code`` in ``famille``; an unknown code is shown as given."""
    terme = famille.get(str(code)) if code is not None else None
    return terme.libelle if terme is not None else ("" if code is None else str(code))


def _plier(texte: str) -> str:
    sans_accents = unicodedata.normalize("NFKD", texte)
    sans_accents = "".join(c for c in sans_accents if not unicodedata.combining(c))
    return " ".join(sans_accents.casefold().replace("_", " ").split())


def code_de(famille: Mapping[str, Terme], texte: object) -> str | None:
    """The code a cell holds, read back: its label or its code, accents, case, underscores
    and spaces folded (« Lauréat », « LAUREAT », « laureat », « liste_complementaire »);
    None for anything else."""
    if not isinstance(texte, str) or not texte.strip():
        return None
    plie = _plier(texte)
    for terme in famille.values():
        if plie in (_plier(terme.code), _plier(terme.libelle), _plier(terme.libelles)):
            return terme.code
    return None


def oui_non(valeur: object) -> str:
    """A yes/no value as a person reads it: « oui », « non », or empty when unknown."""
    if valeur is None or (isinstance(valeur, float) and math.isnan(valeur)):
        return ""
    return "oui" if bool(valeur) else "non"


def pour_lecteur(table: Any) -> Any:
    """A copy of a DataFrame whose code columns (:data:`COLONNES_CODEES`) hold labels."""
    copie = table.copy()
    for colonne, famille in COLONNES_CODEES.items():
        if colonne in copie.columns:
            copie[colonne] = copie[colonne].map(
                lambda v, f=famille: libelle(f, v) if isinstance(v, str) else v)
    return copie


def entetes_en_clair(table: Any) -> Any:
    """A copy of a DataFrame headed by French headers (:data:`COLONNES`): for a table
    printed under another, where its header is read as text."""
    return table.rename(columns=lambda c: entete(c))


def libelles(famille: Mapping[str, Terme], codes: Any) -> str:
    """A list of codes (an iterable, or a text separated by « , ») in words, « , » between."""
    if isinstance(codes, str):
        codes = [c.strip() for c in codes.split(",") if c.strip()]
    return ", ".join(libelle(famille, c) for c in codes)


#: A table's column as a person reads its header: code → French header. Written once for
#: every table of the app (a column not listed keeps its name, already French); a
#: statistic's column takes its label from :data:`STATISTIQUES`.
COLONNES: dict[str, str] = {
    **{code: terme.libelle for code, terme in STATISTIQUES.items()},
    "bruit_calibre": "part de hasard estimée",
    "echelle_calibree": "étalement estimé",
    "erreur_type": "erreur type",
    "college": "collège",
    "critere": "critère",
    "cout_pour_le_retenir": "coût pour le retenir (points)",
    "cumul_hors_qpv": "cumul hors QPV",
    "cumul_laureats": "cumul des lauréats",
    "cumul_montant": "cumul des montants",
    "cumul_numeriques": "cumul des numériques",
    "cumul_qpv": "cumul en QPV",
    "departement": "département",
    "dossiers_deportes": "dossiers déportés",
    "dossiers_ecartes": "dossiers écartés",
    "dossiers_notes": "dossiers notés",
    "etp": "ETP",
    "gravite": "gravité",
    "hors_qpv": "hors QPV",
    "jure": "juré",
    "jures_decisifs": "jurés décisifs",
    "label": "robustesse",
    "laureats": "lauréats",
    "libelle": "règle",
    "methode": "méthode",
    "methodes": "méthodes qui le retiennent",
    "modele_economique": "modèle économique",
    "notes_par_dossier": "notes par dossier",
    "numerique": "numérique",
    "numeriques": "numériques",
    "peut_remplacer": "peut remplacer",
    "probabilite": "probabilité d'être retenu",
    "probabilite_selection": "probabilité d'être retenu",
    "qpv": "QPV",
    "regle": "règle",
    "sans_un_jure": "retenu sans un juré",
    "score": "note",
    "score_A": "note (A)",
    "score_B": "note (B)",
    "score_bas_90": "note basse (90 %)",
    "score_haut_90": "note haute (90 %)",
    "score_total": "score total",
    "selectionne": "retenu",
    "severite": "sévérité",
    "video": "vidéo",
    "zone_incertitude": "zone d'incertitude",
    "rang_attendu": "rang attendu",
    "gain": "gain de score total",
    "entrent": "entreraient",
    "sortent": "sortiraient",
}


def entete(colonne: object) -> str:
    """A column's header as a person reads it (:data:`COLONNES`; else its name)."""
    return COLONNES.get(str(colonne), str(colonne))
