"""What the pages of the workbench share: the loaded wave, the parameters the secretariat
chose (kept outside the widgets, so that they survive a change of page), and the decision they
give. Display helpers format numbers the French way. No domain logic: every result comes from
the application service."""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from application.entrees import (
    Chargement,
    Regles,
    Vague,
    charger,
    charger_televersement,
    departements,
    departements_geojson,
)
from application.seance import Seance, journal_de, seance_de
from application.service import Parametres, Refus, Resultat, decider_vague, incertitude_de
from application.tables import Incertitude
from commun.chaine import Ancre
from commun.francais import ESPACE_FINE, decimal, euros, valeur_en_clair
from commun.journal import Journal
from commun.vocabulaire import (
    STATISTIQUES,
    entete,
    oui_non,
    pour_lecteur,
)

RACINE = Path(__file__).resolve().parents[1]
VAGUE_EXEMPLE = RACINE / "sample_waves" / "vague-06"
#: The type of the workbooks offered for download.
TABLEUR = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Etat:
    """The session's wave and parameters (kept in ``st.session_state``)."""

    source: str
    chargement: Chargement
    parametres: Parametres = field(default_factory=Parametres)
    resultats: dict[Parametres, Resultat | Refus] = field(default_factory=dict)
    #: Allocations without reserve list and explanations, for the figures.
    allocations: dict[Parametres, Resultat | Refus] = field(default_factory=dict)
    incertitudes: dict[Parametres, Incertitude] = field(default_factory=dict)
    #: The uploaded files (empty for the sample), to read the wave again before its notes.
    fichiers: tuple[tuple[str, bytes], ...] = ()
    #: Assignments made on page « Répartition », by (K or extra readings, seed, phase).
    repartitions: dict[tuple[int, int, str], Any] = field(default_factory=dict)


@st.cache_resource(show_spinner="Lecture de la vague…")
def _charger_exemple(chemin: str) -> Chargement:
    return charger(Path(chemin))


@st.cache_resource(show_spinner="Lecture des fichiers déposés…", max_entries=8)
def _charger_fichiers(_fichiers: tuple[tuple[str, bytes], ...], empreinte: str,
                      avec_notes: bool = True, sans_historique: bool = False) -> Chargement:
    return charger_televersement(dict(_fichiers), avec_notes=avec_notes,
                                 sans_historique=sans_historique)


@st.cache_resource(show_spinner="Lecture de la vague (avant les notes)…")
def _preparer_exemple(chemin: str) -> Chargement:
    return charger(Path(chemin), avec_notes=False)


def preparation() -> Chargement:
    """The session's wave read as before its notes (dossiers, jury, déports, conflicts):
    what page « Répartition » assigns, whether the notes are in or not."""
    courant = etat()
    if not courant.fichiers:
        return _preparer_exemple(str(VAGUE_EXEMPLE))
    empreinte = courant.source.removeprefix("televersement:").removesuffix(":sans-historique")
    return _charger_fichiers(courant.fichiers, empreinte, avec_notes=False,
                             sans_historique=courant.source.endswith(":sans-historique"))


def charger_source(fichiers: list[tuple[str, bytes]] | None,
                   sans_historique: bool = False) -> Etat:
    """The session's state for the sample wave (no files) or for uploaded files
    (``sans_historique``: a wave after the first decided without a history, on purpose); a
    new source resets the parameters."""
    if fichiers:
        empreinte = hashlib.sha256(b"".join(n.encode() + c for n, c in fichiers)).hexdigest()
        source = f"televersement:{empreinte}" + (":sans-historique" if sans_historique else "")
        chargement = _charger_fichiers(tuple(fichiers), empreinte,
                                       sans_historique=sans_historique)
    else:
        source = f"exemple:{VAGUE_EXEMPLE}"
        chargement = _charger_exemple(str(VAGUE_EXEMPLE))
    etat: Etat | None = st.session_state.get("etat")
    if etat is None or etat.source != source:
        etat = Etat(source, chargement, fichiers=tuple(fichiers or ()))
        st.session_state["etat"] = etat
    return etat


def etat() -> Etat:
    """The current session state (set by the entry script)."""
    courant: Etat = st.session_state["etat"]
    return courant


def vague() -> Vague:
    """The validated wave; a page without one stops here and points to « Données »."""
    chargement = etat().chargement
    if not chargement.valide or chargement.vague is None:
        st.warning("Corrigez d'abord les erreurs de la page Données.")
        st.stop()
    return chargement.vague


def selection_possible() -> Resultat:
    """The current decision; a page without one stops here and points to « Sélection »."""
    courant = resultat()
    if courant.decision is None:
        st.error("Aucune sélection ne respecte les règles : voyez la page Sélection.")
        st.stop()
    return courant


def regles() -> Regles:
    """The rules in force: the secretariat's, else the programme file's."""
    courant = etat()
    assert courant.chargement.regles is not None
    return courant.parametres.regles or courant.chargement.regles


def changer(**modifications: Any) -> None:
    """Change some parameters (the decision is recomputed when next asked for)."""
    courant = etat()
    courant.parametres = replace(courant.parametres, **modifications)


def journal() -> Journal:
    """The session wave's journal: beside the wave folder for the bundled sample, in the
    journals' folder for uploaded files (``FABRIQUES_JOURNAUX`` when set)."""
    courant = etat()
    vague_ = courant.chargement.vague
    nom = vague_.nom if vague_ is not None else "vague"
    return journal_de(None if courant.fichiers else VAGUE_EXEMPLE, nom,
                      ancres=courant.chargement.ancres_du_journal())


def seance() -> Seance:
    """The meeting as the journal holds it. A broken journal stops the page with a blocking
    error, as the command line refuses it: a decision or an export without the meeting's
    decisions would look right and be wrong."""
    courant = journal()
    lu = courant.lire()
    if lu.verification.intact:
        return seance_de(lu.entrees)
    st.error(f"Le journal de la séance est altéré : {lu.verification.message} Aucune "
             "décision ne peut y être ajoutée, et aucune sélection ni aucun export n'est "
             f"proposé sans les décisions qu'il porte : vérifiez {courant.chemin} (page "
             "« Séance », ou `fabriques journal VAGUE --verifier`).")
    st.stop()
    raise AssertionError("st.stop() ends the run")  # pragma: no cover


def ancre_journal() -> Ancre | None:
    """The journal's last entry and number of entries (None without a journal), for the
    decision's workbook."""
    return journal().ancre()


def resultat(parametres: Parametres | None = None, avec_seance: bool = True,
             avec_decision: bool = True) -> Resultat:
    """The decision for ``parametres`` (default: the current ones) with the meeting's
    decisions and revised notes (unless ``avec_seance`` is False: the proposal), computed
    once; ``avec_decision`` False: the allocation alone, without reserve list and
    explanations (what the figures need, several times faster). A page whose parameters are
    refused shows why and stops."""
    courant = etat()
    parametres = parametres or courant.parametres
    if avec_seance:
        parametres = seance().appliquer(parametres)
    trouve = courant.resultats.get(parametres)
    if trouve is None and not avec_decision:
        trouve = courant.allocations.get(parametres)
        if trouve is None:
            if len(courant.allocations) > 64:
                courant.allocations.clear()
            with st.spinner("Calcul de la sélection…"):
                trouve = courant.allocations[parametres] = decider_vague(
                    courant.chargement, parametres, avec_decision=False)
    if trouve is None:
        if len(courant.resultats) > 32:
            courant.resultats.clear()
        with st.spinner("Sélection, liste complémentaire et explications…"):
            trouve = courant.resultats[parametres] = decider_vague(courant.chargement,
                                                                   parametres)
    if isinstance(trouve, Refus):
        st.error("Ces paramètres ne peuvent pas être appliqués :")
        for constat in trouve.erreurs.erreurs:
            st.markdown(f"- {constat.message}")
        st.stop()
    assert isinstance(trouve, Resultat)
    return trouve


def incertitude(resultat: Resultat) -> Incertitude:
    """The uncertainty of a decision (intervals, ranks, selection probabilities), computed
    once per set of parameters: it takes a few hundred solves (a spinner meanwhile)."""
    courant = etat()
    if resultat.parametres in courant.incertitudes:
        return courant.incertitudes[resultat.parametres]
    with st.spinner("Incertitude des notes et des rangs…"):
        return incertitude_de_la_session(courant, resultat)


def incertitude_de_la_session(courant: Etat, resultat: Resultat) -> Incertitude:
    """:func:`incertitude` for the session ``courant``, without a word to the page: what a
    download's function may call — Streamlit runs it outside the page's run, where neither
    ``st.session_state`` nor a spinner exists (the Export page's workbook failed so)."""
    if resultat.parametres not in courant.incertitudes:
        if len(courant.incertitudes) > 8:
            courant.incertitudes.clear()
        courant.incertitudes[resultat.parametres] = incertitude_de(resultat)
    return courant.incertitudes[resultat.parametres]


# --------------------------------------------------------------------------- display


#: Vega's number format in French: decimal comma, narrow no-break space between thousands,
#: euros after the number (every chart of the app is configured with it, :func:`graphique`).
LOCALE_VEGA: dict[str, Any] = {"number": {"decimal": ",", "thousands": ESPACE_FINE,
                                          "grouping": [3], "currency": ["", "\u00a0€"],
                                          "percent": "\u202f%"}}


def en_francais(table: pd.DataFrame, euros_: tuple[str, ...] = ("montant", "cumul_montant"),
                decimales: dict[str, int] | None = None,
                entetes: dict[str, str] | None = None) -> pd.DataFrame:
    """A copy for a person to read: codes as words (:func:`commun.vocabulaire.pour_lecteur`),
    booleans as oui/non, money as ``150 000 €``, every decimal number with a comma (two
    decimals unless ``decimales`` says otherwise; whole numbers without), department codes
    as text with their zero, nothing shown for a missing value, and French headers
    (:data:`commun.vocabulaire.COLONNES`, then ``entetes``)."""
    decimales = decimales or {}
    copie = pour_lecteur(table)
    for colonne in copie.columns:
        serie = copie[colonne]
        if colonne in euros_:
            copie[colonne] = serie.map(lambda v: "" if _vide(v) else euros(v))
        elif colonne == "departement":
            copie[colonne] = serie.map(lambda v: "" if _vide(v) else str(v))
        elif serie.dtype == bool or _booleens(serie):
            copie[colonne] = serie.map(oui_non)
        elif pd.api.types.is_float_dtype(serie) or colonne in decimales:
            chiffres = decimales.get(str(colonne), 2)
            entiers = colonne not in decimales and all(
                float(v).is_integer() for v in serie if not _vide(v))
            copie[colonne] = serie.map(
                lambda v, c=chiffres, e=entiers: "" if _vide(v) else decimal(float(v), 0 if e
                                                                             else c))
        elif serie.dtype == object or pd.api.types.is_string_dtype(serie):
            copie[colonne] = serie.map(_cellule)
    return copie.rename(columns=lambda c: (entetes or {}).get(str(c), entete(c)))


def _cellule(valeur: object) -> object:
    """A cell of a mixed column: a number with a decimal comma, nothing for a missing
    value, oui/non for a boolean."""
    if _vide(valeur):
        return ""
    if isinstance(valeur, bool):
        return oui_non(valeur)
    if isinstance(valeur, float):
        return valeur_en_clair(valeur)
    if isinstance(valeur, str) and _NOMBRE_A_POINT.fullmatch(valeur):
        return _cellule(float(valeur))
    return valeur


#: A number written as text with a decimal point (« 7.0 »): shown with a comma.
_NOMBRE_A_POINT = re.compile(r"-?\d+\.\d+")


def _vide(valeur: object) -> bool:
    return valeur is None or (isinstance(valeur, float) and math.isnan(valeur))


def _booleens(serie: pd.Series) -> bool:
    valeurs = [v for v in serie if not _vide(v)]
    return bool(valeurs) and serie.dtype == object and all(
        isinstance(v, bool) for v in valeurs)


def tableau(table: pd.DataFrame, *, euros_: tuple[str, ...] = ("montant", "cumul_montant"),
            decimales: dict[str, int] | None = None, entetes: dict[str, str] | None = None,
            aides: dict[str, str] | None = None, telecharger: str | None = None,
            **options: Any) -> None:
    """Show ``table`` in French (:func:`en_francais`): each statistic's header explains
    itself on hover (its sentence of :data:`commun.vocabulaire.STATISTIQUES`, or ``aides``
    by column code), and ``telecharger`` names a CSV offered below it (« ; » between
    columns and decimal commas, as a French spreadsheet reads it)."""
    lisible = en_francais(table, euros_, decimales, entetes)
    explications = {**{c: t.explication for c, t in STATISTIQUES.items()}, **(aides or {})}
    configuration = {
        nouvelle: st.column_config.Column(help=explications[str(ancienne)])
        for ancienne, nouvelle in zip(table.columns, lisible.columns, strict=True)
        if explications.get(str(ancienne))}
    options.setdefault("hide_index", True)
    options.setdefault("width", "stretch")
    st.dataframe(lisible, column_config=configuration or None, **options)
    if telecharger:
        bouton_telechargement(
            "Télécharger ce tableau (CSV)",
            lisible.to_csv(sep=";", index=False).encode("utf-8-sig"),
            nom=telecharger, mime="text/csv",
            cle=f"csv_{telecharger}_{options.get('key', '')}")


def bouton_telechargement(libelle: str, contenu: bytes | Callable[[], bytes], *, nom: str,
                          mime: str, cle: str, zone: Any = st) -> None:
    """The workbench's one kind of download button: ``contenu`` is the file, or the
    function that makes it when the button is pressed — Streamlit runs that function
    outside the page's run, so it may neither read ``st.session_state`` nor draw (take
    from the session beforehand what it needs); ``zone`` is where it is drawn (a column,
    say).

    A click never reruns the page (``on_click="ignore"``). With Streamlit's default, the
    click both asks the server for a deferred file and reruns the script, and the start of
    that rerun clears the session's outgoing queue: when the file's address was still
    waiting there, it was dropped, and the button spun for ever with nothing downloaded
    (Streamlit 1.67, ``ForwardMsgQueue.clear`` keeps only the run's lifecycle messages). A
    rerun caused by another widget at that very instant can still drop it."""
    zone.download_button(libelle, contenu, file_name=nom, mime=mime, key=cle,
                         on_click="ignore")


def constats_lisibles(table: pd.DataFrame) -> pd.DataFrame:
    """A findings table (``notation.rapport.table_constats``, which names each finding by its
    title) with no missing value shown as a word."""
    return table.assign(
        valeur=table["valeur"].map(lambda v: "" if v in (None, "nan", "None") else v))


def graphique(chart: Any, ou: Any = st, **options: Any) -> Any:
    """Draw an Altair chart with French numbers (:data:`LOCALE_VEGA`) in ``ou`` (a column,
    say); returns what ``st.altair_chart`` returns (the selection, for a chart that has
    one)."""
    options.setdefault("width", "stretch")
    return ou.altair_chart(chart.configure(locale=LOCALE_VEGA), **options)


@st.cache_data(show_spinner=False)
def geometries_metropole() -> list[dict[str, Any]]:
    """The mainland departments' features, rings wound for the map renderer (computed
    once per server)."""
    outre_mer = set(departements().index[departements()["zone"] != "metro"])
    return [{**f, "geometry": sens_d3(f["geometry"])}
            for f in departements_geojson()["features"]
            if f["properties"]["code"] not in outre_mer]


def sens_d3(geometrie: dict[str, Any]) -> dict[str, Any]:
    """The geometry with its rings reversed: GeoJSON (RFC 7946) winds exterior rings
    counter-clockwise, the map renderer (d3-geo, behind Vega) clockwise — unreversed, each
    department would be drawn as the whole sphere minus itself."""
    def polygone(anneaux: list[Any]) -> list[Any]:
        return [list(reversed(anneau)) for anneau in anneaux]

    if geometrie["type"] == "Polygon":
        return {**geometrie, "coordinates": polygone(geometrie["coordinates"])}
    if geometrie["type"] == "MultiPolygon":
        return {**geometrie, "coordinates": [polygone(p) for p in geometrie["coordinates"]]}
    return geometrie
