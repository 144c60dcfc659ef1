"""Seeded, deterministic generator of the bundled sample waves.

Run ``python -m sample_waves.generate`` to rewrite ``sample_waves/`` byte for byte. The
committed files are its output; a test regenerates them and compares.

What it makes (see ``sample_waves/README.md`` for the ground truth a test can rely on):

- ``programme.toml`` — the programme rules, no wave number (read from each wave's name);
- ``laureats.xlsx`` — the laureates of waves 1–4, drawn so that they obey the paces, the
  department caps and the one-place rule;
- ``vague-05.xlsx`` — one workbook, one score sheet per juror;
- ``vague-06/`` — a folder: ``dossiers.xlsx``, ``jury.xlsx``, ``notes/J01.xlsx`` … ``J10.xlsx``,
  and ``laureats.xlsx``: waves 1–4 plus the jury's decision of wave 5 (the history the
  secretariat has when wave 6 is decided).
- ``vague-07/`` — a démarches-simplifiées xlsx export as the platform writes it
  (:mod:`sample_waves.plateforme_ds`) with ``jury.xlsx``, ``notes/``, its own
  ``programme.toml`` (2022) and the history of waves 1–6; a dossier filed before the form asked
  the commune makes ``check`` stop on it, as a received export would.

Dossiers are placed in real communes: QPV dossiers in communes that have a QPV, weighted by
population; hors-QPV dossiers in communes under 100,000 inhabitants outside the excluded
ville-centres, weighted by the square root of population (tiers-lieux are mostly in small
towns). Jurors have personalities — severe, lenient, narrow range, erratic — so that the
normalisation method changes the ranking.
"""

from __future__ import annotations

import argparse
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from stdnum import luhn

from allocation.modele.rythme import bornes_rythme
from commun.classeur import ecrire_atomiquement, workbook_bytes
from lecture import referentiel
from lecture.modele import CRITERES_FAQ_3_3
from sample_waves import plateforme_ds

SEED = 20_200_215  # the day the first 80 Fabriques were announced
SAMPLE_DIR = Path(__file__).resolve().parent

CRITERES = CRITERES_FAQ_3_3
NOTE_MIN, NOTE_MAX = 0, 10

PROGRAMME = {
    "cible_total": 300,
    "cible_qpv": 150,
    "cible_hors_qpv": 150,
    "cible_numeriques": 30,
    "nombre_vagues": 10,
    "enveloppe_totale": 45_000_000,
    "montant_min": 75_000,
    "montant_max": 150_000,
    "montant_annuel_max": 50_000,
    "max_par_departement": 8,
    "max_par_an": 100,
}


def annee_de_la_vague(numero: int) -> int:
    """The year wave ``numero`` of the samples is decided in (three waves a year)."""
    return 2020 + (numero - 1) // 3


#: The rules of waves 5 and 6 (the shared ``programme.toml``; ``vague-07`` and ``vague-08``
#: have their own year).
VAGUE = {"annee": annee_de_la_vague(5), "max_laureats": 30, "tolerance_rythme": 2,
         "max_par_departement": 2, "note_minimale": 0}



@dataclass(frozen=True)
class Personnalite:
    """How a juror turns a dossier's true quality into a note."""

    libelle: str
    decalage: float  # severity (<0) or leniency (>0), in points
    echelle: float  # how much of the quality difference the juror expresses
    bruit: float  # standard deviation of the juror's noise


PERSONNALITES: tuple[Personnalite, ...] = (
    Personnalite("neutre", 0.0, 1.0, 0.7),
    Personnalite("sévère", -1.8, 1.0, 0.7),
    Personnalite("indulgent", 1.6, 1.0, 0.7),
    Personnalite("resserré", 0.4, 0.35, 0.4),
    Personnalite("erratique", 0.0, 0.3, 2.4),
    Personnalite("neutre", 0.3, 1.1, 0.8),
    Personnalite("neutre", -0.4, 0.9, 0.7),
    Personnalite("neutre", 0.2, 1.2, 0.8),
    Personnalite("neutre", -0.2, 1.0, 0.9),
    Personnalite("neutre", 0.1, 0.9, 0.7),
)

#: FAQ 3.2: 2 administration, 3 CNTL (incl. France Tiers-Lieux), 2 researchers or qualified
#: persons, 3 earlier laureates (incl. one collectivité).
COLLEGES: tuple[tuple[str, str], ...] = (
    ("administration", "ANCT"),
    ("administration", "Préfecture de région"),
    ("cntl", "France Tiers-Lieux"),
    ("cntl", "Conseil national des tiers-lieux"),
    ("cntl", "Conseil national des tiers-lieux"),
    ("chercheur", "Université"),
    ("chercheur", "Personne qualifiée"),
    ("laureat", "Fabrique lauréate"),
    ("laureat", "Fabrique lauréate"),
    ("laureat", "Collectivité lauréate"),
)

PRENOMS = (
    "Camille", "Nadia", "Julien", "Sophie", "Karim", "Élise", "Thomas", "Aïcha", "Mathieu",
    "Claire", "Yann", "Léa", "Olivier", "Fatou", "Benoît", "Inès", "Hugo", "Marion", "Samir",
    "Anne", "Pierre", "Laure", "Malik", "Chloé",
)
NOMS = (
    "Martin", "Bernard", "Lefèvre", "Moreau", "Girard", "Benali", "Roux", "Fontaine",
    "Diallo", "Chevalier", "Lambert", "Mercier", "Le Gall", "Garnier", "Rousseau", "Haddad",
    "Faure", "Blanc", "Guérin", "Muller", "Perrin", "Morel", "Nguyen", "Da Silva",
)
LIEUX_NOMS = (
    "La Ruche", "L'Établi", "La Coopérative", "Le Hangar", "La Filature", "L'Atelier",
    "La Manufacture", "Le Quai", "La Passerelle", "Les Communs", "Le Moulin", "La Gare",
    "La Forge", "Le Bocal", "La Cordée", "Le Local", "La Base", "Le Carré", "La Friche",
    "Le Labo", "La Fabrique", "Le Phare", "La Grange", "Le Tiers-Temps",
)
QUALIFICATIFS = (
    "tiers-lieu solidaire", "espace de coworking", "recyclerie créative", "café associatif",
    "atelier partagé", "pôle d'économie sociale", "lieu culturel et citoyen", "ferme urbaine",
)
QUALIFICATIFS_NUMERIQUES = ("fablab", "médiation numérique", "campus numérique", "makerspace")
#: Legal forms as candidates write them, with their INSEE catégorie juridique and weight.
FORMES = (
    ("Association loi 1901", "9220", 0.6),
    ("Société coopérative d'intérêt collectif (SCIC)", "5560", 0.14),
    ("Société coopérative et participative (SCOP)", "5458", 0.05),
    ("Société par actions simplifiée (SAS)", "5710", 0.05),
    ("Commune", "7210", 0.08),
    ("Établissement public de coopération intercommunale", "7346", 0.05),
    ("Société à responsabilité limitée (SARL)", "5499", 0.03),
)
COMMENTAIRES_FORTS = (
    "Diagnostic territorial solide",
    "Ancrage fort, partenariats nombreux",
    "Projet très structurant pour le territoire",
    "Équipe expérimentée",
)
COMMENTAIRES_FAIBLES = (
    "Modèle économique à consolider",
    "Gouvernance peu ouverte aux usagers",
    "Diagnostic trop général",
    "Comptes prévisionnels fragiles",
)
COMMENTAIRES_MOYENS = ("Projet cohérent", "À suivre", "Offre à préciser", "Bon potentiel")

SCORERS_PER_DOSSIER = 6


# --------------------------------------------------------------------------- places


@dataclass
class _Territoire:
    """Weighted draws of real communes, prepared once per generation."""

    qpv_communes: pd.DataFrame
    qpv_poids: np.ndarray
    hors_communes: pd.DataFrame
    hors_poids: np.ndarray
    arrondissements: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def charger(cls) -> _Territoire:
        communes = referentiel.communes()
        # Only the 101 departments: the collectivités d'outre-mer (975-989) are outside the AMI.
        actuelles = communes[
            (communes["type"] == "commune-actuelle")
            & communes["departement"].isin(referentiel.departements().index)
        ]
        avec_qpv = actuelles[actuelles.index.isin(referentiel.communes_avec_qpv())]
        exclues = referentiel.communes_villes_centres_exclues()
        hors = actuelles[
            ~actuelles.index.isin(exclues)
            & (actuelles["population"] > 300)
            & (actuelles["population"] < 100_000)
        ]
        arrondissements = {
            ville: [f"{code:05d}" for code in codes]
            for ville, codes in referentiel.ARRONDISSEMENTS_MUNICIPAUX.items()
        }
        qpv_poids = avec_qpv["population"].to_numpy(dtype=float)
        hors_poids = np.sqrt(hors["population"].to_numpy(dtype=float))
        return cls(
            qpv_communes=avec_qpv,
            qpv_poids=qpv_poids / qpv_poids.sum(),
            hors_communes=hors,
            hors_poids=hors_poids / hors_poids.sum(),
            arrondissements=arrondissements,
        )

    def tirer(self, rng: np.random.Generator, qpv: bool) -> tuple[str, str, str]:
        """(INSEE code, commune name, department) of a commune drawn for a dossier."""
        table, poids = (
            (self.qpv_communes, self.qpv_poids) if qpv else (self.hors_communes, self.hors_poids)
        )
        code = str(table.index[rng.choice(len(table), p=poids)])
        if code in self.arrondissements:
            code = str(rng.choice(self.arrondissements[code]))
        row = referentiel.communes().loc[code]
        return code, str(row["nom"]), str(row["departement"])


# --------------------------------------------------------------------------- identifiers


def _completer_luhn(prefix: str) -> str:
    return prefix + luhn.calc_check_digit(prefix)


def siret_valide(rng: np.random.Generator) -> str:
    """A SIRET whose SIREN and whole 14 digits both pass the Luhn check."""
    siren = _completer_luhn("".join(str(d) for d in rng.integers(0, 10, 8)))
    if siren.startswith("356000000"):  # La Poste follows its own rule: stay clear of it
        siren = "1" + siren[1:]
        siren = _completer_luhn(siren[:8])
    return _completer_luhn(siren + "".join(str(d) for d in rng.integers(0, 10, 4)))


def siret_invalide(rng: np.random.Generator) -> str:
    """A 14-digit number that fails the Luhn check (one digit mistyped)."""
    siret = siret_valide(rng)
    wrong = str((int(siret[6]) + 1) % 10)
    return siret[:6] + wrong + siret[7:]


# --------------------------------------------------------------------------- jury


@dataclass(frozen=True)
class Jure:
    """One jury member of one wave, with the personality that drives their notes."""

    jure: str
    nom: str
    college: str
    qualite: str
    departement: str | None
    personnalite: Personnalite


def tirer_jury(rng: np.random.Generator, departements: Sequence[str]) -> list[Jure]:
    """A new 10-member jury with the FAQ 3.2 composition.

    The three laureates' representatives and one administration member (a préfecture) have a
    department, so they are déported from every dossier of it (geographic conflict).
    """
    prenoms = rng.permutation(len(PRENOMS))
    noms = rng.permutation(len(NOMS))
    jury_departements = list(rng.choice(list(departements), size=4, replace=False))
    jury: list[Jure] = []
    for index, ((college, qualite), personnalite) in enumerate(
        zip(COLLEGES, PERSONNALITES, strict=True)
    ):
        departement = None
        if college == "laureat" or qualite == "Préfecture de région":
            departement = str(jury_departements.pop())
        jury.append(
            Jure(
                jure=f"J{index + 1:02d}",
                nom=f"{PRENOMS[prenoms[index]]} {NOMS[noms[index]]}",
                college=college,
                qualite=qualite,
                departement=departement,
                personnalite=personnalite,
            )
        )
    return jury


# --------------------------------------------------------------------------- dossiers


@dataclass
class Vague:
    """The tables of one generated wave, in the SPEC §3 shapes."""

    numero: int
    dossiers: pd.DataFrame
    jury: list[Jure]
    deports: pd.DataFrame
    notes: pd.DataFrame  # long form: dossier, jure, critere, note, commentaire
    qualite: pd.Series  # true quality of each dossier (ground truth, not written)
    ineligibles: dict[str, str]  # dossier -> the defect planted in it


def _porteur(forme: str, nom_lieu: str, code_commune: str) -> str:
    commune = referentiel.communes().loc[code_commune]
    if forme == "Commune":
        return f"Commune de {commune['nom']}"
    if forme.startswith("Établissement public") and isinstance(commune["epci_nom"], str):
        return str(commune["epci_nom"])
    prefix = {
        "Association loi 1901": "Association",
        "Société coopérative d'intérêt collectif (SCIC)": "SCIC",
        "Société coopérative et participative (SCOP)": "SCOP",
        "Société par actions simplifiée (SAS)": "SAS",
        "Société à responsabilité limitée (SARL)": "SARL",
    }.get(forme, "Association")
    return f"{prefix} {nom_lieu}"


def _montants(rng: np.random.Generator) -> tuple[int, int]:
    if rng.random() < 0.55:
        return 150_000, 50_000
    montant = int(rng.integers(15, 30)) * 5_000  # 75 000 … 145 000
    annuel = math.ceil(montant / 3 / 1_000) * 1_000 + int(rng.choice([0, 0, 2_000, 5_000]))
    return montant, min(annuel, 50_000)


def _dossier(
    rng: np.random.Generator,
    territoire: _Territoire,
    identifiant: str,
    qpv: bool,
    numerique: bool,
    compteur: Counter[str],
) -> dict[str, Any]:
    code, commune, departement = territoire.tirer(rng, qpv)
    nom_lieu = str(rng.choice(LIEUX_NOMS))
    qualificatif = str(rng.choice(QUALIFICATIFS_NUMERIQUES if numerique else QUALIFICATIFS))
    formes, codes, poids = zip(*FORMES, strict=True)
    rang = int(rng.choice(len(formes), p=np.array(poids) / sum(poids)))
    forme = formes[rang]
    # A third of the candidates give the INSEE code too (démarches-simplifiées fills it in).
    categorie = codes[rang] if rng.random() < 0.33 else None
    montant, annuel = _montants(rng)
    return {
        "dossier": identifiant,
        "nom": f"{nom_lieu} — {qualificatif} ({commune})",
        "porteur": _porteur(forme, nom_lieu, code),
        "siret": siret_valide(rng),
        "forme_juridique": forme,
        "categorie_juridique": categorie,
        "commune": commune,
        "code_commune": code,
        "departement": departement,
        "qpv": "oui" if qpv else "non",
        "numerique": "oui" if numerique else "non",
        "montant": montant,
        "montant_annuel": annuel,
        "etp": float(rng.choice([1.0, 1.0, 1.5, 2.0, 2.0, 2.5, 3.0, 4.0])),
        "embauche_prevue": "non",
        "video": "oui",
        "lieux": _code_lieu(f"{identifiant[:3]}-{departement}", compteur),
    }


def _code_lieu(departement: str, compteur: Counter[str]) -> str:
    compteur[departement] += 1
    return f"LIEU-{departement}-{compteur[departement]:04d}"


def _planter_ineligibles(
    rng: np.random.Generator,
    dossiers: list[dict[str, Any]],
    lieux_laureats: Sequence[str],
    numero: int,
) -> dict[str, str]:
    """Turn a handful of dossiers into the realistic inéligible cases of the issue."""
    cibles = [int(i) for i in rng.choice(len(dossiers), size=9, replace=False)]
    defauts: dict[str, str] = {}

    def marquer(index: int, defaut: str) -> dict[str, Any]:
        defauts[dossiers[index]["dossier"]] = defaut
        return dossiers[index]

    # Hors QPV in a ville-centre, then in one of Lyon's or Marseille's arrondissements.
    for index, code in zip(cibles[:2], ("35238", "69383" if numero % 2 else "13205"), strict=True):
        row = referentiel.communes().loc[code]
        dossier = marquer(index, "ville_centre_hors_qpv")
        dossier.update(
            qpv="non", numerique="non", code_commune=code, commune=str(row["nom"]),
            departement=str(row["departement"]),
        )
    marquer(cibles[2], "siret_invalide")["siret"] = siret_invalide(rng)
    marquer(cibles[3], "etp_insuffisant")["etp"] = 0.5
    marquer(cibles[4], "video_absente")["video"] = "non"
    trop = marquer(cibles[5], "montant_trop_eleve")
    trop.update(montant=180_000, montant_annuel=60_000)
    # A laureate place typed in lower case with a trailing space: the same place (FAQ 6.5).
    deja = str(rng.choice(list(lieux_laureats)))
    marquer(cibles[6], "lieu_deja_laureat")["lieux"] = deja.lower() + " "
    # One place in two dossiers, once in capitals and once not: both are flagged, at most
    # one may be selected.
    partage = marquer(cibles[7], "lieu_partage")
    autre = marquer(cibles[8], "lieu_partage")
    autre["lieux"] = f"{autre['lieux']};{partage['lieux'].lower()}"
    # A form the AMI excludes (FAQ 2.5), on a dossier otherwise fine.
    libre = next(i for i in range(len(dossiers)) if dossiers[i]["dossier"] not in defauts)
    marquer(libre, "forme_juridique_exclue").update(forme_juridique="Entrepreneur individuel",
                                                    categorie_juridique=None)
    # A Fabrique numérique outside a QPV: a warning, it does not count as numérique.
    libre = next(
        i for i in range(len(dossiers))
        if dossiers[i]["dossier"] not in defauts and dossiers[i]["qpv"] == "non"
    )
    dossiers[libre]["numerique"] = "oui"
    defauts[dossiers[libre]["dossier"]] = "numerique_hors_qpv"
    _planter_cas_reels(rng, dossiers, defauts, numero)
    return defauts


#: Planted cases that leave the dossier eligible (the others make it inéligible).
CAS_ELIGIBLES = frozenset({
    "numerique_hors_qpv", "lieu_partage", "outre_mer", "embauche_prevue", "forme_par_code",
    "forme_a_verifier", "qpv_improbable", "montant_annuel_manquant",
    "montant_annuel_incoherent", "commune_deduite",
})

#: Where the overseas dossier of each sample wave is (FAQ 2.7: « y compris dans les
#: départements et collectivités d'outre-mer »): Papeete (987), Saint-Pierre (975).
OUTRE_MER = {5: "98735", 6: "97502"}


def _planter_cas_reels(rng: np.random.Generator, dossiers: list[dict[str, Any]],
                       defauts: dict[str, str], numero: int) -> None:
    """The cases real files hold that eligibility must get right (issue 13). Each dossier
    gets one case; ``defauts`` records it (the eligible ones too: they are the ground truth
    of the tests)."""
    libres = iter([i for i in rng.permutation(len(dossiers))
                   if dossiers[int(i)]["dossier"] not in defauts
                   and dossiers[int(i)]["qpv"] == "non"])

    def suivant(cas: str) -> dict[str, Any]:
        dossier = dossiers[int(next(libres))]
        defauts[dossier["dossier"]] = cas
        return dossier

    outre_mer = referentiel.communes().loc[OUTRE_MER[numero]]
    suivant("outre_mer").update(commune=str(outre_mer["nom"]), code_commune=OUTRE_MER[numero],
                                departement=str(outre_mer["departement"]))
    suivant("embauche_prevue").update(etp=0.5, embauche_prevue="oui")
    suivant("forme_par_code").update(forme_juridique=None, categorie_juridique="9220")
    suivant("forme_exclue_par_code").update(
        forme_juridique="Lycée professionnel Jean Moulin", categorie_juridique="7331")
    suivant("forme_a_verifier").update(forme_juridique="Société civile immobilière",
                                       categorie_juridique="6540")
    suivant("forme_non_reconnue").update(forme_juridique="Collectif d'habitants",
                                         categorie_juridique=None)
    suivant("qpv_improbable").update(qpv="oui")
    suivant("montant_annuel_manquant").update(montant_annuel=None)
    suivant("montant_annuel_incoherent").update(montant=150_000, montant_annuel=40_000)
    deduite = next(d for d in (dossiers[int(i)] for i in libres)
                   if len(referentiel.codes_du_nom(d["commune"], d["departement"])) == 1)
    defauts[deduite["dossier"]] = "commune_deduite"
    deduite["code_commune"] = None
    # « Paris 11e » with no INSEE code: resolved to 75111, a ville-centre (hors QPV).
    suivant("ville_centre_sans_code").update(commune="Paris 11e", code_commune=None,
                                             departement="75")


def generer_vague(
    rng: np.random.Generator,
    numero: int,
    nombre_dossiers: int,
    lieux_laureats: Sequence[str],
    territoire: _Territoire | None = None,
    jures_par_dossier: int | None = SCORERS_PER_DOSSIER,
    planter_ineligibles: bool = True,
    pas: float = 1.0,
) -> Vague:
    """One wave: dossiers, a new jury, déports and every juror's notes.

    ``jures_par_dossier=None`` makes every juror score every dossier (the benchmark design);
    the default gives each dossier to 6 of the 10 jurors, so the jurors score different
    subsets and raw means depend on who scored what. ``pas`` is the grid's step (0.5: half
    points).
    """
    territoire = territoire or _Territoire.charger()
    compteur: Counter[str] = Counter()
    dossiers: list[dict[str, Any]] = []
    for index in range(nombre_dossiers):
        qpv = rng.random() < 0.52
        numerique = qpv and rng.random() < 0.22
        identifiant = f"V{numero:02d}-{index + 1:03d}"
        dossier = _dossier(rng, territoire, identifiant, qpv, numerique, compteur)
        if rng.random() < 0.06:  # a consortium: several places in one dossier
            for _ in range(int(rng.integers(1, 3))):
                lieu = _code_lieu(f"V{numero:02d}-{dossier['departement']}", compteur)
                dossier["lieux"] += ";" + lieu
        dossiers.append(dossier)
    ineligibles = (
        _planter_ineligibles(rng, dossiers, lieux_laureats, numero)
        if planter_ineligibles
        else {}
    )
    table = pd.DataFrame(dossiers)

    departements = sorted(set(table["departement"]))
    jury = tirer_jury(rng, departements)
    qualite = pd.Series(rng.normal(6.0, 1.3, len(table)), index=table["dossier"])
    # Strong territories and strong Fabriques numériques, as in real waves: the department
    # caps and the paces then bind, and the explanations have something to explain.
    comptes = table["departement"].value_counts().sort_index(kind="stable")
    forts = set(comptes.sort_values(ascending=False, kind="stable").index[:4])
    bonus = (table["departement"].isin(forts).to_numpy() * 1.2
             + (table["numerique"] == "oui").to_numpy() * 0.6)
    qualite = qualite + bonus
    deports = _deports(rng, table, jury)
    notes = _notes(rng, table, jury, qualite, deports, jures_par_dossier, pas)
    return Vague(numero, table, jury, deports, notes, qualite, ineligibles)


def _deports(rng: np.random.Generator, dossiers: pd.DataFrame, jury: list[Jure]) -> pd.DataFrame:
    """Explicit conflicts of interest (sheet ``deports``), on top of the geographic ones."""
    paires = []
    for jure in rng.choice(len(jury), size=4, replace=False):
        for dossier in rng.choice(dossiers["dossier"].to_numpy(), size=2, replace=False):
            paires.append({"jure": jury[int(jure)].jure, "dossier": str(dossier)})
    return pd.DataFrame(paires).sort_values(["jure", "dossier"]).reset_index(drop=True)


def _notes(
    rng: np.random.Generator,
    dossiers: pd.DataFrame,
    jury: list[Jure],
    qualite: pd.Series,
    deports: pd.DataFrame,
    jures_par_dossier: int | None,
    pas: float = 1.0,
) -> pd.DataFrame:
    deportes = {(row.jure, row.dossier) for row in deports.itertuples()}
    charge = Counter({jure.jure: 0 for jure in jury})
    lignes = []
    effets = rng.normal(0.0, 0.9, size=(len(dossiers), len(CRITERES)))
    for position, (dossier, departement) in enumerate(
        zip(dossiers["dossier"], dossiers["departement"], strict=True)
    ):
        possibles = [
            jure
            for jure in jury
            if jure.departement != departement and (jure.jure, dossier) not in deportes
        ]
        if jures_par_dossier is not None:
            # Least-loaded jurors first, ties broken at random: a balanced design.
            ordre = rng.permutation(len(possibles))
            possibles = sorted(
                (possibles[i] for i in ordre), key=lambda jure: charge[jure.jure]
            )[:jures_par_dossier]
        for jure in sorted(possibles, key=lambda j: j.jure):
            charge[jure.jure] += 1
            p = jure.personnalite
            vraies = qualite[dossier] + effets[position]
            brutes = 6.0 + p.decalage + p.echelle * (vraies - 6.0) + rng.normal(0, p.bruit, 6)
            valeurs = np.clip(np.rint(brutes / pas) * pas, NOTE_MIN, NOTE_MAX)
            commentaire = _commentaire(rng, float(np.mean(valeurs)))
            for (critere, _), valeur in zip(CRITERES, valeurs, strict=True):
                lignes.append(
                    {
                        "dossier": dossier,
                        "jure": jure.jure,
                        "critere": critere,
                        "note": int(valeur) if pas == 1 else float(valeur),
                        "commentaire": commentaire,
                    }
                )
    return pd.DataFrame(lignes)


def _commentaire(rng: np.random.Generator, moyenne: float) -> str | None:
    if rng.random() > 0.3:
        return None
    if moyenne >= 7:
        return str(rng.choice(COMMENTAIRES_FORTS))
    if moyenne <= 4.5:
        return str(rng.choice(COMMENTAIRES_FAIBLES))
    return str(rng.choice(COMMENTAIRES_MOYENS))


def ajouter_anomalies_benignes(rng: np.random.Generator, vague: Vague) -> None:
    """The slips a real wave has and that ``check`` reports as warnings, not errors.

    One juror leaves one criterion blank; one juror scores a dossier despite an explicit
    déport (those notes never count).
    """
    notes = vague.notes.astype({"note": "float"})
    notes.loc[int(rng.integers(len(notes))), "note"] = float("nan")
    deport = vague.deports.iloc[0]
    extra = notes[notes["dossier"] == deport["dossier"]].head(len(CRITERES)).copy()
    extra["jure"] = deport["jure"]
    extra["commentaire"] = "Je connais bien ce projet"
    vague.notes = pd.concat([notes, extra], ignore_index=True)


# --------------------------------------------------------------------------- history


def _compter(historique: pd.DataFrame) -> dict[str, int]:
    qpv = historique["qpv"] == "oui"
    return {
        "qpv": int(qpv.sum()),
        "hors_qpv": int((~qpv).sum()),
        "numeriques": int((qpv & (historique["numerique"] == "oui")).sum()),
    }


def _bornes(historique: pd.DataFrame, numero: int) -> dict[str, Any]:
    deja = _compter(historique)
    cibles = {
        "qpv": PROGRAMME["cible_qpv"],
        "hors_qpv": PROGRAMME["cible_hors_qpv"],
        "numeriques": PROGRAMME["cible_numeriques"],
    }
    return {
        categorie: bornes_rythme(
            cibles[categorie], deja[categorie], PROGRAMME["nombre_vagues"], numero,
            VAGUE["tolerance_rythme"], VAGUE["max_laureats"],
        )
        for categorie in cibles
    }


_HISTORY_COLUMNS = [
    "dossier", "nom", "lieux", "departement", "qpv", "numerique", "montant", "vague", "annee",
]


def generer_historique(
    rng: np.random.Generator, territoire: _Territoire, vagues: Iterable[int]
) -> pd.DataFrame:
    """Laureates of earlier waves that obey the paces, department caps and places."""
    historique = pd.DataFrame(columns=_HISTORY_COLUMNS)
    compteur: Counter[str] = Counter()
    for numero in vagues:
        bornes = _bornes(historique, numero)
        n_num = int(np.clip(round(bornes["numeriques"].rythme) + rng.integers(-1, 2),
                            bornes["numeriques"].minimum, bornes["numeriques"].maximum))
        n_qpv = int(np.clip(round(bornes["qpv"].rythme) + rng.integers(-1, 2),
                            max(bornes["qpv"].minimum, n_num), bornes["qpv"].maximum))
        n_hors = int(np.clip(round(bornes["hors_qpv"].rythme) + rng.integers(-2, 1),
                             bornes["hors_qpv"].minimum,
                             min(bornes["hors_qpv"].maximum, VAGUE["max_laureats"] - n_qpv)))
        cumul = Counter(historique["departement"])
        vague: Counter[str] = Counter()
        lignes = []
        for rang, (qpv, numerique) in enumerate(
            [(True, True)] * n_num + [(True, False)] * (n_qpv - n_num) + [(False, False)] * n_hors
        ):
            while True:
                _, commune, departement = territoire.tirer(rng, qpv)
                if (vague[departement] < VAGUE["max_par_departement"]
                        and cumul[departement] + vague[departement]
                        < PROGRAMME["max_par_departement"]):
                    break
            vague[departement] += 1
            montant, _ = _montants(rng)
            nom_lieu = str(rng.choice(LIEUX_NOMS))
            lignes.append({
                "dossier": f"V{numero:02d}-L{rang + 1:02d}",
                "nom": f"{nom_lieu} ({commune})",
                "lieux": _code_lieu(f"H{numero:02d}-{departement}", compteur),
                "departement": departement,
                "qpv": "oui" if qpv else "non",
                "numerique": "oui" if numerique else "non",
                "montant": montant,
                "vague": numero,
                "annee": annee_de_la_vague(numero),
            })
        _verifier_rythme(pd.DataFrame(lignes), bornes)
        historique = pd.concat([historique, pd.DataFrame(lignes)], ignore_index=True)
    return historique.astype({"montant": int, "vague": int, "annee": int})


def decider_vague(vague: Vague, historique: pd.DataFrame) -> pd.DataFrame:
    """The jury's recorded decision for a wave: best true quality first, within every rule.

    This stands in for the decision the jury took (the generator knows each dossier's true
    quality); it keeps the paces, the department caps, the one-place rule and eligibility,
    so the history it extends stays valid.
    """
    bornes = _bornes(historique, vague.numero)
    table = vague.dossiers.assign(qualite=vague.qualite.to_numpy())
    table = table[~table["dossier"].isin(vague.ineligibles)]
    table = table.sort_values(["qualite", "dossier"], ascending=[False, True])
    cumul = Counter(historique["departement"])
    pris: Counter[str] = Counter()
    lieux_pris = {lieu for lieux in historique["lieux"] for lieu in str(lieux).split(";")}
    objectifs = {
        "numeriques": bornes["numeriques"].maximum - VAGUE["tolerance_rythme"],
        "qpv": bornes["qpv"].maximum - VAGUE["tolerance_rythme"],
        "hors_qpv": bornes["hors_qpv"].maximum - VAGUE["tolerance_rythme"],
    }
    choisis: list[pd.Series] = []
    comptes: Counter[str] = Counter()
    for categorie in ("numeriques", "qpv", "hors_qpv"):
        for _, row in table.iterrows():
            if comptes[categorie] >= objectifs[categorie]:
                break
            est_qpv, est_num = row["qpv"] == "oui", row["numerique"] == "oui"
            if categorie == "numeriques" and not (est_qpv and est_num):
                continue
            if categorie == "qpv" and not (est_qpv and not est_num):
                continue
            if categorie == "hors_qpv" and est_qpv:
                continue
            lieux = set(str(row["lieux"]).split(";"))
            dep = row["departement"]
            if (lieux & lieux_pris or pris[dep] >= VAGUE["max_par_departement"]
                    or cumul[dep] + pris[dep] >= PROGRAMME["max_par_departement"]
                    or len(choisis) >= VAGUE["max_laureats"]):
                continue
            lieux_pris |= lieux
            pris[dep] += 1
            comptes[categorie] += 1
            if categorie == "numeriques":
                comptes["qpv"] += 1
            choisis.append(row)
    decision = pd.DataFrame(choisis)[_HISTORY_COLUMNS[:-2]].assign(
        vague=vague.numero, annee=annee_de_la_vague(vague.numero))
    _verifier_rythme(decision, bornes)
    return pd.concat([historique, decision], ignore_index=True).astype({"montant": int})


def _verifier_rythme(decision: pd.DataFrame, bornes: dict[str, Any]) -> None:
    comptes = _compter(decision)
    for categorie, borne in bornes.items():
        if not borne.contient(comptes[categorie]):
            raise AssertionError(f"{categorie}: {comptes[categorie]} hors de {borne}")


# --------------------------------------------------------------------------- writing


def _feuille(workbook: Workbook, titre: str, table: pd.DataFrame) -> None:
    sheet = workbook.create_sheet(titre)
    sheet.append(list(table.columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.itertuples(index=False):
        sheet.append([_cellule(value) for value in row])
    sheet.freeze_panes = "A2"
    for index, column in enumerate(table.columns, start=1):
        width = max([len(str(column))] + [len(str(v)) for v in table[column].head(200)])
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = min(width + 2, 60)


def _cellule(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        # Notes and ETP that are whole numbers are written as Excel integers, as typed.
        return int(value) if float(value).is_integer() else float(value)
    return value


def _ecrire(path: Path, feuilles: Sequence[tuple[str, pd.DataFrame]]) -> None:
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    for titre, table in feuilles:
        _feuille(workbook, titre, table)
    ecrire_atomiquement(path, workbook_bytes(workbook))


def table_jury(vague: Vague) -> pd.DataFrame:
    """Sheet ``jury``: who sits, their college, and their department when they have one."""
    return pd.DataFrame(
        [
            {"jure": j.jure, "nom": j.nom, "college": j.college, "qualite": j.qualite,
             "departement": j.departement}
            for j in vague.jury
        ]
    )


def table_criteres(poids: dict[str, int] | None = None) -> pd.DataFrame:
    """Sheet ``criteres``: the six criteria of FAQ 3.3, equal weights unless ``poids``."""
    return pd.DataFrame(
        [
            {"critere": c, "libelle": libelle, "poids": (poids or {}).get(c, 1),
             "note_min": NOTE_MIN, "note_max": NOTE_MAX}
            for c, libelle in CRITERES
        ]
    )


def grille(vague: Vague, jure: str, avec_nom: bool = False) -> pd.DataFrame:
    """One juror's grid: one row per dossier they scored, one column per criterion."""
    notes = vague.notes[vague.notes["jure"] == jure]
    large = notes.pivot(index="dossier", columns="critere", values="note")
    large = large[[c for c, _ in CRITERES]].astype(object)
    large = large.where(large.notna(), None)
    commentaires = notes.groupby("dossier", sort=False)["commentaire"].first()
    large["commentaire"] = commentaires.reindex(large.index)
    large = large.reset_index()
    if avec_nom:
        noms = vague.dossiers.set_index("dossier")["nom"]
        large.insert(1, "nom", large["dossier"].map(noms))
    return large


def ecrire_vague_classeur(vague: Vague, path: Path) -> None:
    """The one-workbook form: ``dossiers``, ``jury``, ``criteres``, ``deports``, J01…J10."""
    feuilles = [
        ("dossiers", vague.dossiers),
        ("jury", table_jury(vague)),
        ("criteres", table_criteres()),
        ("deports", vague.deports),
    ]
    feuilles += [(j.jure, grille(vague, j.jure)) for j in vague.jury]
    _ecrire(path, feuilles)


def ecrire_vague_dossier(vague: Vague, folder: Path) -> None:
    """The folder form: ``dossiers.xlsx``, ``jury.xlsx`` and one workbook per juror."""
    _ecrire(folder / "dossiers.xlsx", [("dossiers", vague.dossiers)])
    _ecrire(
        folder / "jury.xlsx",
        [("jury", table_jury(vague)), ("criteres", table_criteres()), ("deports", vague.deports)],
    )
    for jure in vague.jury:
        grid = grille(vague, jure.jure, avec_nom=True)
        _ecrire(folder / "notes" / f"{jure.jure}.xlsx", [("grille", grid)])


def ecrire_export_demarches(vague: Vague, folder: Path) -> None:
    """The folder form with the dossiers as the platform's own xlsx export
    (:mod:`sample_waves.plateforme_ds`, read from its code): ``Dossiers`` (fixed columns, then
    the démarche's champs, a commune as « Nom (CP) » with its « (Code INSEE) » and
    « (Département) » columns), ``Etablissements`` (the applicant's SIRET and legal form on its
    « Dossier » row; a partner's SIRET champ on its own row), ``Avis``, and the repetition
    block « Lieux », under the platform's download name."""
    dossiers = [dossier_ds_de_vague_07(i, ligne)
                for i, ligne in enumerate(vague.dossiers.to_dict("records"))]
    classeur = plateforme_ds.classeur_export(plateforme_ds.DEMARCHE_FABRIQUES, dossiers)
    ecrire_atomiquement(folder / f"{NOM_EXPORT_VAGUE_07}.xlsx", workbook_bytes(classeur))
    _ecrire(folder / "jury.xlsx", [("jury", table_jury(vague)),
                                    ("criteres", table_criteres(POIDS_VAGUE_07)),
                                    ("deports", vague.deports)])
    for jure in vague.jury:
        grid = grille(vague, jure.jure, avec_nom=True)
        _ecrire(folder / "notes" / f"{jure.jure}.xlsx", [("grille", grid)])


#: The name the platform gives the export it sends (procedure_export_service.rb).
NOM_EXPORT_VAGUE_07 = "dossiers_fabriques-de-territoire_2022-01-10_09-30"
#: What happened to some dossiers of ``vague-07`` on the platform (dossier index → the
#: finding it gives); the first stops ``check``, as a received export would.
CAS_VAGUE_07 = {
    # filed under an earlier revision of the form, before it asked the place's commune
    3: "commune_manquante",
    # filed while API Entreprise was down: the platform's degraded mode, SIRET only
    11: "forme_juridique_non_reconnue",
    # the optional yearly amount left blank: the platform exports a blank number as 0
    20: "montant_annuel_manquant",
    # a partner's SIRET in the form's SIRET champ: a second row of « Etablissements »
    25: "siret_partenaire",
}
#: ``vague-07``'s grid weighs ``ancrage`` twice (allowed by the FAQ, and said).
POIDS_VAGUE_07 = {"ancrage": 2}


def dossier_ds_de_vague_07(index: int, ligne: Mapping[Any, Any]) -> plateforme_ds.DossierDS:
    """Dossier ``index`` of ``vague-07`` as the platform holds it, with its planted case."""
    dossier = plateforme_ds.dossier_depuis_ligne(ligne, int(ligne["dossier"]), "en_instruction")
    cas = CAS_VAGUE_07.get(index)
    champs = plateforme_ds.DEMARCHE_FABRIQUES.champs
    par_libelle = {t.libelle: t.stable_id for t in champs}
    valeurs_ = dict(dossier.valeurs)
    demandeur = dossier.demandeur
    if cas == "commune_manquante":
        valeurs_.pop(par_libelle["Commune du lieu"])
        valeurs_.pop(par_libelle["Adresse du lieu"])
    elif cas == "forme_juridique_non_reconnue":
        demandeur = plateforme_ds.Etablissement(demandeur.siret, degrade=True)
    elif cas == "montant_annuel_manquant":
        valeurs_.pop(par_libelle["Montant annuel maximum demandé"])
    elif cas == "siret_partenaire":
        valeurs_[par_libelle["SIRET d'un partenaire"]] = plateforme_ds.Etablissement(
            "73282932000074", "Atelier Martin", "Entrepreneur individuel", "1000",
            demandeur.localite, demandeur.code_insee_localite, demandeur.code_postal)
    return replace(dossier, valeurs=valeurs_, demandeur=demandeur)


def generer_vague_07(rng: np.random.Generator, territoire: _Territoire,
                     lieux_laureats: Sequence[str]) -> Vague:
    """A small wave exported from démarches-simplifiées, as received: dossiers numbered by
    the platform (the cases of :data:`CAS_VAGUE_07` are planted when it is exported)."""
    vague = generer_vague(rng, 7, 90, lieux_laureats, territoire, planter_ineligibles=False)
    numeros = {d: str(7_104_200 + i) for i, d in enumerate(vague.dossiers["dossier"])}
    vague.dossiers["dossier"] = vague.dossiers["dossier"].map(numeros)
    vague.notes["dossier"] = vague.notes["dossier"].map(numeros)
    vague.deports["dossier"] = vague.deports["dossier"].map(numeros)
    vague.qualite.index = vague.qualite.index.map(numeros)
    # The generator's stand-in decision keeps these dossiers out.
    vague.ineligibles = {str(vague.dossiers.loc[i, "dossier"]): cas
                         for i, cas in CAS_VAGUE_07.items()}
    # The France Tiers-Lieux seat of FAQ 3.2 left empty: a warning from the jury sheet.
    vague.jury = [replace(j, qualite="Conseil national des tiers-lieux")
                  if j.qualite == "France Tiers-Lieux" else j for j in vague.jury]
    return vague


def programme_toml(programme: dict[str, Any] | None = None,
                   vague: dict[str, Any] | None = None) -> str:
    """The programme file shared by the sample waves (no wave number: read from the name),
    with some keys of either section changed (the bench's tight-cap wave)."""
    lines = ["# Règles du programme « Fabriques de Territoire » (SPEC §3).", "[programme]"]
    lines += [f"{key} = {value}" for key, value in (PROGRAMME | (programme or {})).items()]
    lines += ["", "[vague]", "# numero : lu dans le nom de la vague (vague-05 → 5)."]
    lines += [f"{key} = {value}" for key, value in (VAGUE | (vague or {})).items()]
    return "\n".join(lines) + "\n"


def generer(out_dir: Path = SAMPLE_DIR, seed: int = SEED) -> dict[str, Vague]:
    """Write every sample file under ``out_dir``; return the waves with their ground truth."""
    rng = np.random.default_rng(seed)
    territoire = _Territoire.charger()
    historique = generer_historique(rng, territoire, range(1, 5))
    lieux_laureats = sorted(historique["lieux"])

    vague5 = generer_vague(rng, 5, 220, lieux_laureats, territoire)
    ajouter_anomalies_benignes(rng, vague5)
    historique6 = decider_vague(vague5, historique)
    vague6 = generer_vague(rng, 6, 260, sorted(historique6["lieux"]), territoire)
    ajouter_anomalies_benignes(rng, vague6)

    ecrire_atomiquement(out_dir / "programme.toml", programme_toml().encode())
    _ecrire(out_dir / "laureats.xlsx", [("laureats", historique)])
    ecrire_vague_classeur(vague5, out_dir / "vague-05.xlsx")
    ecrire_vague_dossier(vague6, out_dir / "vague-06")
    _ecrire(out_dir / "vague-06" / "laureats.xlsx", [("laureats", historique6)])
    historique7 = decider_vague(vague6, historique6)
    vague7 = generer_vague_07(rng, territoire, sorted(historique7["lieux"]))
    ecrire_export_demarches(vague7, out_dir / "vague-07")
    _ecrire(out_dir / "vague-07" / "laureats.xlsx", [("laureats", historique7)])
    ecrire_atomiquement(out_dir / "vague-07" / "programme.toml",
                        programme_toml(vague={"annee": annee_de_la_vague(7)}).encode())
    # A wave assigned by ``fabriques repartir``, its notes typed into the grids it wrote.
    from sample_waves.repartie import generer_vague_08

    historique8 = decider_vague(vague7, historique7)
    _ecrire(out_dir / "vague-08" / "laureats.xlsx", [("laureats", historique8)])
    ecrire_atomiquement(out_dir / "vague-08" / "programme.toml",
                        programme_toml(vague={"annee": annee_de_la_vague(8)}).encode())
    generer_vague_08(rng, territoire, sorted(historique8["lieux"]), out_dir / "vague-08")
    return {"vague-05": vague5, "vague-06": vague6, "vague-07": vague7}


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: regenerate the sample waves (default: into this folder)."""
    parser = argparse.ArgumentParser(description="Régénère les vagues d'exemple.")
    parser.add_argument("--out", type=Path, default=SAMPLE_DIR)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    vagues = generer(args.out, args.seed)
    for nom, vague in vagues.items():
        print(f"{nom}: {len(vague.dossiers)} dossiers, {len(vague.notes)} notes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
