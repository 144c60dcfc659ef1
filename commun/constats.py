"""Findings about the input files: errors (blocking) and warnings, each located exactly.

Readers never stop at the first problem: they collect every finding, so the secretariat
fixes a file once. A finding names the file, the sheet, the Excel row number (1-based, as
Excel shows it), the column as written in the file, the value, a stable code and a French
message. Every code is declared once, with its gravity and its meaning, in :data:`CODES`
at the end of this module. Readers raise nothing: an unexpected exception becomes an
``erreur_inattendue`` finding.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Gravite(StrEnum):
    """How a finding affects the wave."""

    ERREUR = "erreur"  # the wave cannot be scored or allocated until it is fixed
    AVERTISSEMENT = "avertissement"  # the wave goes on; the secretariat should look


@dataclass(frozen=True)
class Constat:
    """One located finding."""

    gravite: Gravite
    code: str
    message: str
    fichier: str | None = None
    feuille: str | None = None
    ligne: int | None = None
    colonne: str | None = None
    valeur: Any = None

    @property
    def est_erreur(self) -> bool:
        """True for a blocking finding."""
        return self.gravite is Gravite.ERREUR

    def lieu(self) -> str:
        """Where the finding is, in the secretariat's words: fichier › feuille › ligne › colonne."""
        parts = []
        if self.fichier:
            parts.append(self.fichier)
        if self.feuille:
            parts.append(f"feuille « {self.feuille} »")
        if self.ligne is not None:
            parts.append(f"ligne {self.ligne}")
        if self.colonne:
            parts.append(f"colonne « {self.colonne} »")
        return " › ".join(parts)

    def __str__(self) -> str:
        label = "ERREUR" if self.est_erreur else "AVERTISSEMENT"
        lieu = self.lieu()
        valeur = "" if self.valeur is None else f" (valeur : « {self.valeur} »)"
        prefix = f"{lieu} : " if lieu else ""
        return f"[{label}] {prefix}{self.message}{valeur} [{self.code}]"


#: A finding repeated on more rows of one file than this is summarised for a person.
REGROUPER_AU_DELA = 5
#: How many of its rows a summarised finding shows.
MONTRES_PAR_GROUPE = 3


@dataclass
class Constats:
    """An ordered collection of findings, with the location of the file being read."""

    elements: list[Constat] = field(default_factory=list)

    def ajouter(self, constat: Constat) -> None:
        """Record one finding."""
        self.elements.append(constat)

    def signaler(self, code: str, message: str, **lieu: Any) -> None:
        """Record a finding of a registered ``code`` (its gravity comes from :data:`CODES`)
        with its French message and where it is (fichier, feuille, ligne, colonne, valeur).
        """
        if code not in CODES:
            raise KeyError(f"code de constat non déclaré dans commun.constats.CODES : {code}")
        self.ajouter(Constat(CODES[code].gravite, code, message, **lieu))

    def etendre(self, autres: Iterable[Constat]) -> None:
        """Record several findings."""
        self.elements.extend(autres)

    @property
    def erreurs(self) -> list[Constat]:
        """The blocking findings."""
        return [c for c in self.elements if c.est_erreur]

    @property
    def avertissements(self) -> list[Constat]:
        """The warnings."""
        return [c for c in self.elements if not c.est_erreur]

    @property
    def a_des_erreurs(self) -> bool:
        """True when at least one finding blocks the wave."""
        return any(c.est_erreur for c in self.elements)

    def lignes(self, detail: bool = False) -> list[str]:
        """Every finding as a line for a person; without ``detail``, a finding repeated on
        more than :data:`REGROUPER_AU_DELA` rows of one file (same code) is shown by its first
        rows and one summary line with the count."""
        groupes: dict[tuple[str, str | None], list[Constat]] = {}
        for constat in self.elements:
            groupes.setdefault((constat.code, constat.fichier), []).append(constat)
        lignes: list[str] = []
        vus: set[tuple[str, str | None]] = set()
        for constat in self.elements:
            cle = (constat.code, constat.fichier)
            groupe = groupes[cle]
            if detail or len(groupe) <= REGROUPER_AU_DELA:
                lignes.append(str(constat))
                continue
            if cle in vus:
                continue
            vus.add(cle)
            lignes.extend(str(c) for c in groupe[:MONTRES_PAR_GROUPE])
            reste = len(groupe) - MONTRES_PAR_GROUPE
            quoi = CODES[constat.code].titre if constat.code in CODES else constat.code
            ou = constat.fichier or "la vague"
            lignes.append(f"  … et {reste} autre(s) du même constat dans {ou} ({quoi}), "
                          f"{len(groupe)} en tout : le détail avec --detail")
        return lignes

    def codes(self) -> list[str]:
        """The codes of every finding, in order (handy in tests and logs)."""
        return [c.code for c in self.elements]

    def __iter__(self) -> Iterator[Constat]:
        return iter(self.elements)

    def __len__(self) -> int:
        return len(self.elements)


# --------------------------------------------------------------------------- the codes


@dataclass(frozen=True)
class Code:
    """One kind of finding: its gravity and what it means, in the secretariat's words."""

    gravite: Gravite
    titre: str


E, A = Gravite.ERREUR, Gravite.AVERTISSEMENT

#: Every finding code, the one place its gravity is decided. A reader reports a code with
#: :meth:`Constats.signaler`; an unregistered code is a programming error.
CODES: dict[str, Code] = {
    # containers and files
    "fichier_introuvable": Code(E, "fichier introuvable"),
    "fichier_illisible": Code(E, "fichier illisible"),
    "fichier_manquant": Code(E, "fichier attendu absent de la vague"),
    "registres_multiples": Code(E, "plusieurs registres de dossiers dans la vague"),
    "format_non_pris_en_charge": Code(E, "format de fichier non pris en charge"),
    "classeur_dangereux": Code(E, "classeur refusé (déclarations XML, chemins suspects)"),
    "classeur_trop_volumineux": Code(E, "classeur trop volumineux une fois décompressé"),
    "fichier_trop_volumineux": Code(E, "fichier trop volumineux ou trop long : non lu"),
    "archive_illisible": Code(E, "archive zip illisible"),
    "archive_invalide": Code(E, "archive zip refusée (chemin hors du dossier)"),
    "archive_trop_grande": Code(E, "archive zip trop grande ou trop d'entrées"),
    "televersement_vide": Code(E, "aucun fichier téléversé"),
    "feuille_manquante": Code(E, "feuille attendue absente"),
    "feuille_ignoree": Code(A, "feuille inconnue, ignorée"),
    "feuille_masquee": Code(A, "feuille masquée dans le classeur"),
    "feuille_tronquee": Code(A, "feuille lue en partie (trop de lignes)"),
    "formules": Code(A, "formules présentes : seules les valeurs calculées sont lues"),
    "erreur_inattendue": Code(E, "erreur inattendue pendant la lecture"),
    # table structure
    "colonne_manquante": Code(E, "colonne obligatoire absente"),
    "colonne_en_double": Code(E, "colonne présente deux fois"),
    "identifiant_manquant": Code(E, "identifiant absent"),
    "identifiant_invalide": Code(E, "identifiant inutilisable comme nom de fichier"),
    "valeur_manquante": Code(E, "valeur obligatoire absente"),
    "valeur_invalide": Code(E, "valeur illisible"),
    "nombre_invalide": Code(E, "nombre illisible"),
    "booleen_invalide": Code(E, "oui/non illisible"),
    # dossiers
    "dossier_en_double": Code(E, "dossier présent deux fois"),
    "dossier_inconnu": Code(E, "dossier absent du registre"),
    "departement_invalide": Code(E, "code de département mal formé"),
    "departement_inconnu": Code(E, "département inconnu"),
    "departement_repare": Code(A, "code de département corrigé (zéro initial perdu)"),
    "departement_deduit": Code(A, "département déduit de la commune"),
    "commune_invalide": Code(E, "code commune mal formé"),
    "commune_inconnue": Code(A, "code commune inconnu du référentiel"),
    "commune_reparee": Code(A, "code commune corrigé (zéro initial perdu)"),
    "commune_hors_departement": Code(A, "commune hors du département déclaré"),
    "siret_repare": Code(A, "SIRET corrigé (zéros initiaux perdus)"),
    "montant_invalide": Code(E, "montant illisible ou hors bornes"),
    "montant_arrondi": Code(A, "montant arrondi à l'euro"),
    "etp_invalide": Code(E, "ETP illisible"),
    "numerique_hors_qpv": Code(A, "Fabrique numérique hors QPV"),
    "commune_code_postal": Code(E, "code postal saisi à la place du code INSEE"),
    "commune_incoherente": Code(E, "nom de commune et code INSEE discordants"),
    "commune_introuvable": Code(E, "commune sans code INSEE ni nom reconnu"),
    "commune_manquante": Code(E, "ni commune ni code INSEE"),
    "commune_deduite": Code(A, "code INSEE déduit du nom de la commune"),
    "commune_du_siege": Code(E, "commune du siège du porteur à la place de celle du lieu"),
    "siret_illisible": Code(E, "SIRET illisible (notation scientifique d'un tableur)"),
    "commune_renommee": Code(A, "commune nommée par la plateforme autrement que le COG"),
    "dossiers_deja_decides": Code(A, "dossiers de l'export déjà décidés sur la plateforme"),
    "champ_en_double": Code(E, "deux champs de même intitulé donnent deux valeurs"),
    "etablissement_d_un_champ": Code(A, "établissement lu d'un champ SIRET du formulaire"),
    "code_postal_incoherent": Code(A, "code postal qui ne dessert pas la commune"),
    "lieux_non_lus": Code(A, "lieux absents de l'export : chaque dossier est son propre lieu"),
    "qpv_improbable": Code(A, "QPV déclaré dans une commune sans QPV"),
    "forme_juridique_non_reconnue": Code(A, "forme juridique absente ou non reconnue"),
    "forme_juridique_a_verifier": Code(A, "forme juridique à vérifier"),
    "forme_juridique_discordante": Code(A, "libellé et code de forme juridique discordants"),
    "categorie_juridique_inconnue": Code(A, "code de catégorie juridique inconnu de l'INSEE"),
    "lieu_partage": Code(A, "lieu présent dans plusieurs dossiers de la vague"),
    "montant_annuel_incoherent": Code(A, "montant annuel incompatible avec le montant sur 3 ans"),
    "montant_annuel_manquant": Code(A, "montant annuel absent"),
    "colonne_vide": Code(E, "colonne nécessaire à l'éligibilité vide pour tous les dossiers"),
    # jury, criteria, notes
    "jure_en_double": Code(E, "juré présent deux fois"),
    "grille_mal_rangee": Code(E, "grille rangée sous le nom d'un autre juré"),
    "grille_autre_affectation": Code(E, "grille d'une autre répartition que celle de la vague"),
    "grille_marque_incoherente": Code(E, "marque de la grille modifiée"),
    "grilles_en_double": Code(E, "deux grilles d'un juré pour les mêmes dossiers"),
    "grille_absente": Code(A, "juré sans grille alors que l'affectation lui donne des dossiers"),
    "dossier_non_affecte": Code(E, "note sur un dossier que l'affectation ne donne pas au juré"),
    "identifiants_semblables": Code(E, "deux identifiants égaux à la casse, un tiret ou une "
                                    "espace près"),
    "identifiant_ecrit_autrement": Code(A, "identifiant lu malgré une autre écriture"),
    "jure_inconnu": Code(E, "juré absent de la liste du jury"),
    "college_inconnu": Code(E, "collège inconnu"),
    "composition_jury": Code(A, "composition du jury inhabituelle"),
    "grille_inhabituelle": Code(A, "grille différente des six critères à poids égaux"),
    "critere_en_double": Code(E, "critère présent deux fois"),
    "critere_inconnu": Code(E, "critère inconnu"),
    "poids_invalide": Code(E, "poids de critère invalide"),
    "bornes_invalides": Code(E, "bornes de critère invalides"),
    "note_invalide": Code(E, "note illisible"),
    "note_hors_bornes": Code(E, "note hors des bornes du critère"),
    "note_en_double": Code(E, "note donnée deux fois"),
    "note_manquante": Code(A, "note absente dans une grille"),
    "note_malgre_deport": Code(A, "note d'un juré déporté, écartée"),
    "dossier_non_note": Code(A, "dossier noté par aucun juré"),
    "dossier_sans_note": Code(A, "dossier sans aucune note"),
    "aucune_note": Code(E, "aucune note dans toute la vague"),
    "conflit_declare": Code(A, "conflit d'intérêts déclaré par un juré dans sa grille"),
    "conflit_sans_effet": Code(A, "conflit déclaré qui ne concerne aucun dossier de la vague"),
    "conflit_incomplet": Code(E, "conflit sans dossier, porteur ni commune"),
    "lectures_invalides": Code(E, "nombre de lectures demandé impossible"),
    "correspondance_incomplete": Code(E, "correspondance démarches-simplifiées incomplète"),
    # programme and history
    "correspondance_illisible": Code(E, "fichier de correspondance illisible"),
    "programme_illisible": Code(E, "fichier programme illisible"),
    "parametre_inconnu": Code(E, "paramètre du programme inconnu"),
    "parametre_invalide": Code(E, "paramètre du programme invalide"),
    "numero_vague_manquant": Code(E, "numéro de vague introuvable"),
    "historique_manquant": Code(E, "vague au-delà de la première sans historique"),
    "vague_deja_dans_historique": Code(A, "vague déjà dans l'historique, décidée sans elle"),
    "annee_manquante": Code(A, "année de la vague absente : plafond annuel non appliqué"),
    "numero_vague_invalide": Code(E, "numéro de vague invalide"),
    "allocation_hors_journal": Code(E, "classeur d'allocation qu'allocate n'a pas écrit"),
    "vague_deja_enregistree": Code(E, "vague déjà enregistrée dans l'historique"),
    "dossier_deja_enregistre": Code(E, "dossier déjà lauréat dans l'historique"),
    "lieu_deja_laureat": Code(E, "lieu déjà lauréat"),
    "decision_autre_vague": Code(E, "classeur de décision d'une autre vague"),
    "decision_perimee": Code(E, "décision prise sur un autre historique"),
    # the jury's decisions
    "decision_dossier_inconnu": Code(E, "décision du jury sur un dossier inconnu"),
    "decision_sans_raison": Code(E, "décision du jury sans raison"),
    "decision_contradictoire": Code(E, "dossier à la fois imposé et écarté"),
    "forcage_ineligible": Code(E, "dossier inéligible imposé"),
    "forcage_sans_note": Code(E, "dossier sans note imposé"),
    "forcage_sous_note_minimale": Code(E, "dossier sous la note minimale imposé"),
    "revision_invalide": Code(E, "note révisée en séance impossible"),
    "journal_altere": Code(E, "journal de la vague altéré"),
    # démarches-simplifiées
    "demarche_differente": Code(E, "vague importée d'une autre démarche"),
    "instructeur_inconnu": Code(E, "instructeur absent de la démarche"),
    "retours_differents": Code(E, "classeur de retours d'une autre allocation"),
    "annotation_absente": Code(A, "annotation privée absente de la démarche : non écrite"),
}
del E, A
