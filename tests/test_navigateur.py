"""End-to-end tests in a real browser: ``streamlit run`` on localhost, driven by Playwright
with Debian's Chromium (``/usr/bin/chromium``; Playwright never downloads a browser):
- the laureates table and the department map render; a screenshot is saved;
- every page of the app, found from its navigation (so a new page is checked too), passes
  axe-core's WCAG 2.1 AA rules (RGAA) with no violation at all, and its drawn text holds no
  code, no English and no decimal point (:mod:`tests.francais`);
- the jury's meeting is run from page « Séance »: a decision with its reason, the figures,
  the journal on disk, the procès-verbal downloaded and read.

Without Chromium the test is skipped on a developer's machine, and fails under CI, where
``.ci/run`` installs the ``chromium`` package.
"""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import pytest
from PIL import Image

from bench import navigateur
from tests.francais import fautes


@pytest.fixture(scope="module")
def serveur():
    """``streamlit run app_streamlit.py`` on 127.0.0.1, shared by the module's tests (each
    test opens its own browser context: its own Streamlit session), stopped after them."""
    with navigateur.serveur() as (adresse, _):
        yield adresse


@pytest.fixture(scope="module")
def chromium():
    """One headless Debian Chromium for the module (each test opens its own pages)."""
    _exiger_chromium()
    with navigateur.chromium() as lance:
        yield lance


def _exiger_chromium() -> None:
    if not navigateur.CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium absent : .ci/run doit installer le paquet chromium")
        pytest.skip("Chromium absent (apt-get install chromium)")


#: The text the page draws, without the names of its icons (Material Symbols are drawn from
#: a ligature, « keyboard_double_arrow_left », that nobody reads).
TEXTE_DESSINE = """() => {
  const icones = [...document.querySelectorAll('[data-testid="stIconMaterial"]')];
  icones.forEach((icone) => { icone.dataset.affichage = icone.style.display;
                              icone.style.display = "none"; });
  const texte = document.body.innerText;
  icones.forEach((icone) => { icone.style.display = icone.dataset.affichage; });
  return texte;
}"""


def _violations_axe(page) -> list[str]:
    """axe-core's violations on the page as drawn, one line each (rule, impact, elements)."""
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    return [f"{v['id']} ({v['impact']}) : {[n['target'] for n in v['nodes'][:5]]}"
            for v in violations]


def _titre(page) -> str:
    return str(page.evaluate("() => document.querySelector('h1')?.innerText ?? ''"))


def test_every_page_passes_axe_core(serveur, chromium):
    page = navigateur.nouvelle_page(chromium)
    try:
        page.goto(serveur, timeout=90_000)
        navigateur.attendre_page_dessinee(page, "Données de la vague")
        # The page says it is French (interface.langue), and Streamlit's English is gone.
        assert page.evaluate("() => document.documentElement.lang") == "fr"
        depot = page.locator('[data-testid="stFileUploader"]').inner_text()
        assert "Parcourir" in depot and "Mo par fichier" in depot, depot
        assert "MB" not in depot and "Browse" not in depot, depot
        assert page.locator('[data-testid="stElementToolbar"]:visible').count() == 0
        liens = page.locator('[data-testid="stSidebarNav"] a')
        noms = [liens.nth(i).inner_text().strip() for i in range(liens.count())]
        assert {"Données", "Répartition", "Séance", "Export"} <= set(noms), noms
        constats: dict[str, list[str]] = {}
        for nom in noms:
            avant = _titre(page)
            page.get_by_role("link", name=nom, exact=True).click()
            if nom != "Données":  # the page already shown
                page.wait_for_function(
                    "avant => (document.querySelector('h1')?.innerText ?? '') !== avant",
                    arg=avant, timeout=90_000)
            navigateur.attendre_inactif(page)
            page.wait_for_timeout(1000)  # charts and tables finish drawing
            constats[nom] = _violations_axe(page)
            # what the browser draws, read as the secretariat reads it (issue 29's guard)
            constats[nom] += fautes([str(page.evaluate(TEXTE_DESSINE))])
        assert not any(constats.values()), {n: v for n, v in constats.items() if v}
    finally:
        page.close()


def test_meeting_runs_from_the_seance_page(tmp_path, monkeypatch, chromium):
    """A decision with its reason on the first dossier of the agenda and a revised note: they
    count, the decision changes the proposal, both are in the journal (chain intact) and in
    the downloaded procès-verbal; the page after them still passes axe-core."""
    _exiger_chromium()
    from playwright.sync_api import expect
    from pypdf import PdfReader

    from commun.journal import Journal

    monkeypatch.setenv("FABRIQUES_JOURNAUX", str(tmp_path / "journaux"))
    raison = "Ancrage local confirmé par le rapporteur en séance"
    raison_note = "Erreur de saisie relevée par le juré en séance"
    with navigateur.serveur() as (adresse, _):  # its own server: its own journals' folder
        page = navigateur.nouvelle_page(chromium)
        try:
            page.goto(adresse, timeout=90_000)
            navigateur.attendre_page_dessinee(page, "Données de la vague")
            page.get_by_role("link", name="Séance", exact=True).click()
            navigateur.attendre_page_dessinee(page, "Séance du jury")
            decisions = page.locator('[data-testid="stMetric"]').filter(
                has_text="Décisions du jury").locator('[data-testid="stMetricValue"]')
            expect(decisions).to_have_text("0")
            choisi = page.get_by_label("Dossier", exact=True).input_value()
            dossier = choisi.split(" — ")[0]
            champ = page.get_by_label("Raison de la décision (obligatoire)")
            champ.fill(raison)
            champ.press("Enter")
            # The reason reaches the server: one of « Retenir », « Écarter » is enabled.
            page.wait_for_function(
                "() => [...document.querySelectorAll('button')].some(b => !b.disabled && "
                "['Retenir', 'Écarter'].includes(b.innerText.trim()))", timeout=90_000)
            retenir = page.get_by_role("button", name="Retenir", exact=True)
            ecarter = page.get_by_role("button", name="Écarter", exact=True)
            bouton = retenir if retenir.is_enabled() else ecarter
            expect(bouton).to_be_enabled()
            bouton.click()
            expect(decisions).to_have_text("1", timeout=90_000)
            change = page.locator('[data-testid="stMetric"]').filter(
                has_text="Sort changé par la discussion").locator(
                '[data-testid="stMetricValue"]')
            expect(change).not_to_have_text("0", timeout=90_000)
            navigateur.attendre_inactif(page)

            revisees = page.locator('[data-testid="stMetric"]').filter(
                has_text="Notes révisées").locator('[data-testid="stMetricValue"]')
            expect(revisees).to_have_text("0")
            formulaire = page.locator('[data-testid="stForm"]')
            note = formulaire.get_by_label("Nouvelle note")
            note.fill("1")
            formulaire.get_by_label("Raison de la révision (obligatoire)").fill(raison_note)
            formulaire.get_by_role("button", name="Réviser la note").click()
            expect(revisees).to_have_text("1", timeout=90_000)
            navigateur.attendre_inactif(page)
            assert _violations_axe(page) == []

            page.get_by_role("button", name="Arrêter la décision et préparer le "
                                            "procès-verbal").click()
            lien_pv = page.get_by_role("button", name="Télécharger le procès-verbal (PDF)")
            expect(lien_pv).to_be_visible(timeout=120_000)
            with page.expect_download(timeout=60_000) as telechargement:
                lien_pv.click()
            pdf = Path(telechargement.value.path())
            texte = " ".join((p.extract_text() or "") for p in PdfReader(pdf).pages)
            texte = " ".join(texte.split())
            assert raison in texte
            assert raison_note in texte
            assert dossier in texte
        finally:
            page.close()

    journaux = list((tmp_path / "journaux").rglob("journal.jsonl"))
    assert len(journaux) == 1
    journal = Journal(journaux[0])
    assert journal.verifier().intact
    entrees = [e for e in journal.entrees() if e.donnees.get("raison") == raison]
    assert [e.donnees.get("dossier") for e in entrees] == [dossier]
    revisions = [e for e in journal.entrees() if e.donnees.get("raison") == raison_note]
    assert [(e.donnees.get("dossier"), e.donnees.get("apres")) for e in revisions] == [
        (dossier, 1.0)]


def test_laureates_table_and_map_render_in_chromium(serveur, chromium, tmp_path):
    _exiger_chromium()
    from playwright.sync_api import expect

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


def _statut(url: str, cookie: str | None = None) -> int:
    """The HTTP status of a plain GET (no browser), with or without a cookie."""
    import urllib.error
    import urllib.request

    requete = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(requete, timeout=30) as reponse:
            return int(reponse.status)
    except urllib.error.HTTPError as erreur:
        return erreur.code


def test_a_download_is_served_to_its_session_only_and_not_after_it(serveur, chromium):
    """Issue 27, point 10: the public list downloaded from page « Export » is at a
    ``/media/`` address; a request without the browser's cookie gets 403, the browser gets
    the file, and once its session is closed even its cookie gets 403."""
    _exiger_chromium()
    from playwright.sync_api import expect

    from interface.acces import COOKIE

    contexte = chromium.new_context(viewport={"width": 1400, "height": 2200},
                                    locale="fr-FR")
    page = contexte.new_page()
    page.goto(serveur, timeout=90_000)
    navigateur.attendre_page_dessinee(page, "Données de la vague")
    page.get_by_role("link", name="Export", exact=True).click()
    bouton = page.get_by_role("button", name="Télécharger la liste publique des lauréats")
    expect(bouton).to_be_visible(timeout=90_000)
    with page.expect_download(timeout=90_000) as telechargement:
        bouton.click()
    url = telechargement.value.url
    assert "/media/" in url and Path(telechargement.value.path()).stat().st_size > 1000
    cookie = next(f"{c['name']}={c['value']}" for c in contexte.cookies()
                  if c["name"] == COOKIE)
    assert _statut(url) == 403
    assert _statut(url, f"{COOKIE}=un-jeton-invente") == 403
    assert _statut(url, cookie) == 200
    page.close()
    contexte.close()
    for _ in range(100):  # until the server has noticed the closed connection
        if _statut(url, cookie) == 403:
            break
        time.sleep(0.1)
    assert _statut(url, cookie) == 403
