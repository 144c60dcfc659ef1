"""The app in a real browser: ``streamlit run`` on localhost, driven by Playwright with
Debian's Chromium (``/usr/bin/chromium``; Playwright never downloads a browser). Used by the
bench (first load, click to updated figures) and by the real-browser test.

Measured:
- **first load**: from the moment the server answers its health check to the data page
  drawn (title and figures) in a new browser page;
- **click to updated figures**: on « Sélection », from pressing Enter in « Lauréats au
  plus » to the « Lauréats » and « Score total » figures showing the new decision. Every
  value is new, so every click is a fresh solve (no cached decision).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

RACINE = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
#: Chromium's options on a machine with no screen and a closed network.
OPTIONS_CHROMIUM = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update",
                    "--no-first-run", "--disable-sync"]


def _port_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serveur(attente: float = 90.0) -> Iterator[tuple[str, float]]:
    """``streamlit run app_streamlit.py`` on 127.0.0.1 (journals in a temporary folder
    unless ``FABRIQUES_JOURNAUX`` is set); yields its address and the monotonic time it
    first answered its health check; stopped on exit."""
    port = _port_libre()
    with tempfile.TemporaryDirectory(prefix="fabriques-journaux-") as journaux:
        env = {**os.environ, "FABRIQUES_JOURNAUX": os.environ.get("FABRIQUES_JOURNAUX",
                                                                   journaux)}
        processus = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(RACINE / "app_streamlit.py"),
             "--server.headless", "true", "--server.address", "127.0.0.1",
             "--server.port", str(port), "--browser.gatherUsageStats", "false"],
            cwd=RACINE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        adresse = f"http://127.0.0.1:{port}"
        try:
            limite = time.monotonic() + attente
            while True:
                try:
                    with urllib.request.urlopen(f"{adresse}/_stcore/health", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    if time.monotonic() > limite:
                        raise RuntimeError(f"le serveur Streamlit n'a pas démarré en "
                                           f"{attente:.0f} s") from None
                    time.sleep(0.05)
            yield adresse, time.monotonic()
        finally:
            processus.terminate()
            try:
                processus.wait(timeout=10)
            except subprocess.TimeoutExpired:
                processus.kill()


@contextmanager
def chromium() -> Iterator[Any]:
    """A headless Debian Chromium driven by Playwright."""
    from playwright.sync_api import sync_playwright  # a test extra: only for the browser

    with sync_playwright() as p:
        navigateur = p.chromium.launch(executable_path=str(CHROMIUM), args=OPTIONS_CHROMIUM)
        try:
            yield navigateur
        finally:
            navigateur.close()


def nouvelle_page(navigateur: Any) -> Any:
    """A French page, tall enough for the whole Sélection page."""
    return navigateur.new_page(viewport={"width": 1400, "height": 2200}, locale="fr-FR")


def attendre_page_dessinee(page: Any, titre: str, delai_ms: int = 90_000) -> None:
    """Wait for a page of the app: its title, its first figure, and Streamlit idle."""
    from playwright.sync_api import expect  # a test extra: only for the browser

    expect(page.get_by_role("heading", name=titre)).to_be_visible(timeout=delai_ms)
    expect(page.locator('[data-testid="stMetricValue"]').first).to_be_visible(timeout=delai_ms)
    attendre_inactif(page, delai_ms)


def attendre_inactif(page: Any, delai_ms: int = 90_000) -> None:
    """Wait until Streamlit has finished running the page's script."""
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"stApp\"]')"
        "?.getAttribute('data-test-script-state') === 'notRunning'", timeout=delai_ms)


def premier_chargement(navigateur: Any) -> float:
    """Seconds from a new server's first health answer to the data page drawn."""
    with serveur() as (adresse, pret):
        page = nouvelle_page(navigateur)
        try:
            page.goto(adresse, timeout=90_000)
            attendre_page_dessinee(page, "Données de la vague")
            return time.monotonic() - pret
        finally:
            page.close()


def _chiffres(page: Any) -> str:
    return str(page.evaluate(
        "() => [...document.querySelectorAll('[data-testid=\"stMetric\"]')]"
        ".map(m => m.innerText).join('|')"))


#: Rule changes on « Sélection », each giving parameters not seen before in the session
#: (so each is a fresh decision): (widget label, value).
CHANGEMENTS: tuple[tuple[str, int], ...] = (
    ("Lauréats au plus", 29), ("Lauréats au plus", 28), ("Lauréats au plus", 27),
    ("Par département (vague)", 1), ("Lauréats au plus", 28), ("Lauréats au plus", 29),
    ("Lauréats au plus", 30), ("Par département (vague)", 3), ("Lauréats au plus", 29),
    ("Lauréats au plus", 28), ("Lauréats au plus", 27),
)


def clics_vers_chiffres(navigateur: Any, adresse: str,
                        changements: tuple[tuple[str, int], ...] = CHANGEMENTS) -> list[float]:
    """Seconds from Enter in a rule's field to the new figures, once per change."""
    page = nouvelle_page(navigateur)
    try:
        page.goto(adresse, timeout=90_000)
        attendre_page_dessinee(page, "Données de la vague")
        page.get_by_role("link", name="Sélection").click()
        attendre_page_dessinee(page, "Sélection des lauréats")
        durees = []
        for libelle, valeur in changements:
            champ = page.get_by_label(libelle)
            avant = _chiffres(page)
            champ.fill(str(valeur))
            debut = time.monotonic()
            champ.press("Enter")
            page.wait_for_function(
                "avant => [...document.querySelectorAll('[data-testid=\"stMetric\"]')]"
                ".map(m => m.innerText).join('|') !== avant",
                arg=avant, polling="raf", timeout=60_000)
            durees.append(time.monotonic() - debut)
            attendre_page_dessinee(page, "Sélection des lauréats")
            page.wait_for_timeout(500)  # the browser finishes drawing (map, tables)
        return durees
    finally:
        page.close()
