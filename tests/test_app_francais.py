"""The app in the secretariat's words: every page, run on the bundled sample wave, shows
French words, not the tool's codes, no English, and numbers with a decimal comma.

The guard collects every text a person reads (titles, markdown, captions, alerts, metric
labels and values, widget labels, options and placeholders, table headers and cells, chart
titles) and fails on a code of the vocabulary (statuts, collèges, robustesse, méthodes,
statistiques, règles), on an English word, on ``None``/``nan``/``True``/``False`` and on a
number written with a decimal point."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.francais import fautes

RACINE = Path(__file__).resolve().parents[1]
APP = str(RACINE / "app_streamlit.py")
PAGES = ["interface/repartition.py", "interface/donnees.py", "interface/notation.py",
         "interface/selection.py", "interface/arbitrages.py", "interface/seance.py",
         "interface/programme.py", "interface/export.py"]

def _textes(noeud: object) -> Iterator[str]:
    """Every text a person reads in an element of the AppTest tree (and its children)."""
    type_ = getattr(noeud, "type", "")
    proto = getattr(noeud, "proto", None)
    if type_ == "html":  # the page's own style and script (interface.langue), not text
        return
    if type_ in ("dataframe", "table"):
        valeur = noeud.value  # type: ignore[attr-defined]
        if isinstance(valeur, pd.DataFrame):
            yield from (str(c) for c in valeur.columns)
            for colonne in valeur.columns:
                if colonne == "colonne":  # a place in a file, spelled as the file spells it
                    continue
                yield from (str(v) for v in valeur[colonne].tolist())
        return
    if type_ == "arrow_vega_lite_chart" and proto is not None:
        spec = json.loads(proto.spec)
        yield from _titres_de_graphique(spec)
        return
    for attribut in ("label", "value", "body", "help", "placeholder", "options", "caption",
                     "delta"):
        try:
            valeur = getattr(noeud, attribut, None)
        except Exception:  # some elements have no value outside a session
            continue
        if isinstance(valeur, str):
            yield valeur
        elif isinstance(valeur, list | tuple) and all(isinstance(v, str) for v in valeur):
            yield from valeur
    if type_ in ("selectbox", "multiselect", "radio") and proto is not None:
        yield from (str(o) for o in proto.options)
    for enfant in getattr(noeud, "children", {}).values():
        yield from _textes(enfant)


def _titres_de_graphique(spec: object) -> Iterator[str]:
    if isinstance(spec, dict):
        for cle, valeur in spec.items():
            if cle == "title" and isinstance(valeur, str):
                yield valeur
            elif cle in ("data", "datasets"):
                continue
            else:
                yield from _titres_de_graphique(valeur)
    elif isinstance(spec, list):
        for element in spec:
            yield from _titres_de_graphique(element)


def textes_de(app: AppTest) -> list[str]:
    """What a person reads on the page and in the sidebar."""
    return [t for racine in (app.main, app.sidebar) for t in _textes(racine) if t]


def ouvrir(page: str) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=180).run()
    assert not app.exception, app.exception
    app.switch_page(page).run()
    assert not app.exception, app.exception
    return app


@pytest.mark.parametrize("page", PAGES)
def test_every_page_speaks_the_secretariats_words(page):
    app = ouvrir(page)
    if page == "interface/repartition.py":
        app.button(key="repartir").click().run()
    if page == "interface/arbitrages.py":
        app.number_input(key="tirages").set_value(10).run()
        app.button(key="lancer_robustesse").click().run()
    if page == "interface/selection.py":
        app.number_input(key="tolerance").set_value(1).run()
    assert not app.exception, app.exception
    assert fautes(textes_de(app)) == []


def test_the_guard_sees_a_code_an_english_word_and_a_decimal_point():
    assert fautes(["statut : laureat"]) == ["code « laureat » : 'statut : laureat'"]
    assert fautes(["liste_complementaire"]) and fautes(["borderline"])
    assert fautes(["probabilite_selection"]) and not fautes(["laureats.xlsx"])
    assert fautes(["Download as CSV"]) and fautes(["None"]) and fautes(["nan"])
    assert fautes(["score total 244.75"]) and fautes(["1.1689 ± 0.0159"])
    assert fautes(["V06-012, vague-06, 244,75, 2026-12-07, 1.67.0"]) == []
