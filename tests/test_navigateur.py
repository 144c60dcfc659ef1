"""One end-to-end test in a real browser: ``streamlit run`` on localhost, driven by Playwright
with Debian's Chromium (``/usr/bin/chromium``; Playwright never downloads a browser). The
laureates table and the department map must render; a screenshot is saved.

Without Chromium the test is skipped on a developer's machine, and fails under CI, where
``.ci/run`` installs the ``chromium`` package.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image

from bench import navigateur


@pytest.fixture
def serveur():
    """``streamlit run app_streamlit.py`` on 127.0.0.1, stopped after the test."""
    with navigateur.serveur() as (adresse, _):
        yield adresse


def test_laureates_table_and_map_render_in_chromium(serveur, tmp_path):
    if not navigateur.CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium absent : .ci/run doit installer le paquet chromium")
        pytest.skip("Chromium absent (apt-get install chromium)")
    from playwright.sync_api import expect

    with navigateur.chromium() as chromium:
        page = navigateur.nouvelle_page(chromium)
        try:
            page.goto(serveur, timeout=90_000)
            expect(page.get_by_text("Données de la vague")).to_be_visible(timeout=90_000)
            page.get_by_role("link", name="Sélection").click()
            expect(page.get_by_role("heading", name="Sélection des lauréats")).to_be_visible(
                timeout=90_000)
            expect(page.get_by_role("heading", name="Lauréats", exact=True)).to_be_visible(
                timeout=90_000)
            tables = page.locator('[data-testid="stDataFrame"]')
            expect(tables.first).to_be_visible(timeout=90_000)
            carte = page.locator('[data-testid="stVegaLiteChart"]').first
            expect(carte).to_be_visible(timeout=90_000)
            expect(carte.locator("canvas, svg").first).to_be_visible(timeout=90_000)
            carte.scroll_into_view_if_needed()
            page.wait_for_timeout(1500)  # let Vega finish drawing
            image = Image.open(io.BytesIO(carte.screenshot()))
            if os.environ.get("FABRIQUES_CAPTURES"):
                image.save(Path(os.environ["FABRIQUES_CAPTURES"]) / "carte.png")
            # A drawn map has departments in several shades of green, none covering much of
            # the picture; a broken projection (wrong ring winding) fills one flat shape
            # over half of it.
            couleurs = image.convert("RGB").getcolors(maxcolors=1_000_000) or []
            surface = image.width * image.height
            parts = sorted((n / surface for n, c in couleurs if min(c) <= 245), reverse=True)
            assert parts and parts[0] < 0.35, parts[:3]
            assert sum(p > 0.005 for p in parts) >= 3, parts[:5]
            metrique = page.locator('[data-testid="stMetricValue"]').first
            expect(metrique).to_have_text("30", timeout=90_000)
            capture = tmp_path / "selection.png"
            page.screenshot(path=str(capture), full_page=True)
            assert capture.stat().st_size > 20_000
            destination = os.environ.get("FABRIQUES_CAPTURES")
            if destination:
                Path(destination).mkdir(parents=True, exist_ok=True)
                (Path(destination) / "selection.png").write_bytes(capture.read_bytes())
        finally:
            page.close()
