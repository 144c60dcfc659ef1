"""The workbooks as they print: every workbook the tool writes on the sample wave, converted
to PDF by LibreOffice headless (Debian's ``libreoffice-calc-nogui``, installed by
``.ci/run``) in one call, then read back page by page with pypdf. On every page no two
texts overlap or touch (the runs of two cells keep at least half an em between them), no
text is smaller than 7 points; a juror's grid prints landscape, one page wide; and every
row of ``classement`` keeps its whole motif inside its own band."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream

from commun.mise_en_page import lignes_enroulees
from fabriques.cli import main

SAMPLES = Path(__file__).resolve().parents[1] / "sample_waves"
SOFFICE = shutil.which("soffice")
IDENTIFIANT = re.compile(r"V\d\d-\d{3}")
#: Below this height (points from the bottom of the page) is the footer, « Page n / N »;
#: the page header is as far from the top.
PIED_DE_PAGE = 40
#: Smallest text wanted on paper, in points.
TAILLE_MIN = 7.0
#: Least room between the texts of two cells on a line, in ems of the smaller text.
ECART_MIN = 0.5



@pytest.fixture(scope="module")
def imprimes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """Every workbook the commands write on a copy of vague-06, and its PDF: name →
    (workbook, PDF). One LibreOffice call converts them all."""
    if SOFFICE is None:
        if os.environ.get("CI"):
            pytest.fail("CI must install LibreOffice (libreoffice-calc-nogui)")
        pytest.skip("LibreOffice absent (installed by .ci/run in CI)")
    dossier = tmp_path_factory.mktemp("impression")
    vague = dossier / "vague-06"
    shutil.copytree(SAMPLES / "vague-06", vague)
    sortie = {nom: dossier / f"{nom}.xlsx" for nom in (
        "allocation", "public", "retours", "scores", "arbitrages", "affectation")}
    for commande in (
        ["allocate", str(vague), "--out", str(sortie["allocation"]), "--public",
         str(sortie["public"]), "--retours", str(sortie["retours"])],
        ["score", str(vague), "--out", str(sortie["scores"])],
        ["tradeoffs", str(vague), "--out", str(sortie["arbitrages"]), "--tirages", "20"],
        ["repartir", str(vague), "--par-dossier", "6", "--out", str(sortie["affectation"]),
         "--grilles", str(dossier / "grilles")],
    ):
        assert main(commande) == 0, commande[0]
    sortie |= {grille.stem: grille for grille in sorted((dossier / "grilles").glob("J*.xlsx"))}
    assert len(sortie) == 6 + 10
    pdf = dossier / "pdf"
    subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation=file://{dossier}/lo",
                    "--convert-to", "pdf", "--outdir", str(pdf), *map(str, sortie.values())],
                   check=True, capture_output=True, timeout=600)
    return {nom: (classeur, pdf / f"{nom}.pdf") for nom, classeur in sortie.items()}


def test_wrapped_lines_are_counted_on_the_tall_side() -> None:
    assert lignes_enroulees("", 60) == 1
    assert lignes_enroulees("court", 60) == 1
    assert lignes_enroulees("mot " * 30, 21) == 6  # 20 characters a line: 5 words of 3
    assert lignes_enroulees("a\nb\nc", 60) == 3
    assert lignes_enroulees("x" * 100, 11) == 10  # a word longer than the column is cut


def _fragments(page) -> list[tuple[float, float, str]]:
    fragments: list[tuple[float, float, str]] = []

    def visiteur(texte, cm, tm, _police, _taille) -> None:
        if texte.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            fragments.append((x, y, texte.strip()))

    page.extract_text(visitor_text=visiteur)
    return fragments


def test_the_printed_ranking_keeps_each_motif_in_its_row(
        imprimes: dict[str, tuple[Path, Path]]) -> None:
    classeur, imprime = imprimes["allocation"]
    motifs = dict(pd.read_excel(classeur, sheet_name="classement", engine="calamine")
                  [["dossier", "motif"]].itertuples(index=False))
    enroules = {d for d, m in motifs.items() if len(m) > 60}
    assert enroules, "the sample should hold motifs long enough to wrap"
    vus: dict[str, str] = {}
    for page in PdfReader(imprime).pages:
        fragments = _fragments(page)
        entetes = {t: x for x, _, t in fragments if t in ("dossier", "motif")}
        if set(entetes) != {"dossier", "motif"}:
            continue
        lignes = sorted(((y, t) for x, y, t in fragments
                         if abs(x - entetes["dossier"]) < 1 and IDENTIFIANT.fullmatch(t)),
                        reverse=True)
        if not lignes or lignes[0][1] not in motifs:
            continue  # another sheet with a dossier column
        textes: dict[str, list[str]] = {d: [] for _, d in lignes}
        for x, y, texte in sorted(fragments, key=lambda f: (-f[1], f[0])):
            if x < entetes["motif"] - 1 or texte == "motif" or y < PIED_DE_PAGE:
                continue
            # the row a fragment is drawn in: the lowest row that starts at or above it
            au_dessus = [d for haut, d in lignes if haut >= y - 1]
            assert au_dessus, (texte, y)
            textes[au_dessus[-1]].append(texte)
        for dossier, morceaux in textes.items():
            # LibreOffice may break a line at a hyphen (« V06- » / « 005 »): spaces aside
            vus[dossier] = "".join("".join(morceaux).split())
    assert enroules <= set(vus)
    for dossier, texte in vus.items():
        assert texte == "".join(motifs[dossier].split()), dossier


@dataclass(frozen=True)
class Texte:
    """One text-showing operation of a page (LibreOffice draws each line of a cell with
    one), its inked extent in page coordinates: from its first to its last visible glyph."""

    x0: float
    x1: float
    y: float  # baseline
    taille: float
    texte: str

    @property
    def bas(self) -> float:
        return self.y - 0.2 * self.taille

    @property
    def haut(self) -> float:
        return self.y + 0.75 * self.taille


class _Police:
    """Glyph widths and Unicode of a font's codes (simple fonts: one byte a code)."""

    def __init__(self, police) -> None:
        assert police["/Subtype"] != "/Type0", "LibreOffice writes simple TrueType subsets"
        premier = int(police.get("/FirstChar", 0))
        self.largeurs = {premier + i: float(w) for i, w in enumerate(police.get("/Widths", []))}
        self.unicode: dict[int, str] = {}
        if "/ToUnicode" in police:
            cmap = police["/ToUnicode"].get_object().get_data()
            for bloc in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
                for a, b, c in re.findall(rb"<(\w+)>\s*<(\w+)>\s*<(\w+)>", bloc):
                    for code in range(int(a, 16), int(b, 16) + 1):
                        self.unicode[code] = chr(int(c, 16) + code - int(a, 16))
            for bloc in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
                for a, b in re.findall(rb"<(\w+)>\s*<(\w+)>", bloc):
                    self.unicode[int(a, 16)] = bytes.fromhex(b.decode()).decode("utf-16-be")


def _produit(a: list[float], b: list[float]) -> list[float]:
    return [a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3],
            a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3],
            a[4] * b[0] + a[5] * b[2] + b[4], a[4] * b[1] + a[5] * b[3] + b[5]]


def _textes(page) -> list[Texte]:
    """Every text run of ``page``, measured with its fonts' widths (pypdf's text visitor
    gives where a run starts, not where it ends)."""
    polices = {nom: _Police(police.get_object())
               for nom, police in page["/Resources"].get("/Font", {}).items()}
    textes: list[Texte] = []
    identite = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
    cm, pile, tm, tlm = identite, [], identite, identite
    police, taille, tc, tw, tz = None, 0.0, 0.0, 0.0, 1.0

    def montrer(elements) -> None:
        nonlocal tm
        avance, glyphes = 0.0, []
        for element in elements:
            if isinstance(element, int | float):
                avance -= float(element) / 1000 * taille * tz
                continue
            for code in getattr(element, "original_bytes", element):
                largeur = police.largeurs.get(code, 0.0) / 1000 * taille
                glyphes.append((avance, avance + largeur * tz, police.unicode.get(code, "?")))
                avance += (largeur + tc + (tw if code == 32 else 0)) * tz
        visibles = [g for g in glyphes if g[2].strip()]
        if visibles:
            debut = _produit([1, 0, 0, 1, visibles[0][0], 0], _produit(tm, cm))
            fin = _produit([1, 0, 0, 1, visibles[-1][1], 0], _produit(tm, cm))
            textes.append(Texte(min(debut[4], fin[4]), max(debut[4], fin[4]), debut[5],
                                taille * (debut[2] ** 2 + debut[3] ** 2) ** 0.5,
                                "".join(g[2] for g in glyphes)))
        tm = _produit([1, 0, 0, 1, avance, 0], tm)

    for operandes, operateur in ContentStream(page.get_contents(), page.pdf).operations:
        if operateur == b"q":
            pile.append(cm)
        elif operateur == b"Q":
            cm = pile.pop()
        elif operateur == b"cm":
            cm = _produit([float(v) for v in operandes], cm)
        elif operateur == b"BT":
            tm = tlm = identite
        elif operateur in (b"Td", b"TD"):
            tm = tlm = _produit([1, 0, 0, 1, float(operandes[0]), float(operandes[1])], tlm)
        elif operateur == b"Tm":
            tm = tlm = [float(v) for v in operandes]
        elif operateur == b"Tf":
            police, taille = polices[operandes[0]], float(operandes[1])
        elif operateur in (b"Tc", b"Tw", b"Tz"):
            valeur = float(operandes[0])
            tc, tw, tz = ((valeur, tw, tz) if operateur == b"Tc" else (tc, valeur, tz)
                          if operateur == b"Tw" else (tc, tw, valeur / 100))
        elif operateur == b"Tj":
            montrer([operandes[0]])
        elif operateur == b"TJ":
            montrer(operandes[0])
        else:
            assert operateur not in (b"'", b'"'), "a text operator LibreOffice does not use"
    return textes


def _trop_pres(textes: list[Texte], hauteur: float) -> list[str]:
    """Two runs drawn on overlapping bands that overlap or come closer than ECART_MIN."""
    problemes = []
    tries = sorted(textes, key=lambda t: t.bas)
    for rang, a in enumerate(tries):
        for b in tries[rang + 1:]:
            if b.bas >= a.haut:
                break
            if all(t.y < PIED_DE_PAGE or t.y > hauteur - PIED_DE_PAGE for t in (a, b)):
                continue  # header and footer: « Page 3 / 21 » is drawn in pieces
            gauche, droite = (a, b) if a.x0 <= b.x0 else (b, a)
            if droite.x0 - gauche.x1 < ECART_MIN * min(a.taille, b.taille):
                problemes.append(f"« {gauche.texte} » touche « {droite.texte} »")
    return problemes


def test_every_printed_page_reads(imprimes: dict[str, tuple[Path, Path]]) -> None:
    problemes = []
    for nom, (_, imprime) in imprimes.items():
        for numero, page in enumerate(PdfReader(imprime).pages, start=1):
            textes = _textes(page)
            assert textes, (nom, numero)
            petits = sorted({round(t.taille, 1) for t in textes if t.taille < TAILLE_MIN})
            if petits:
                problemes.append(f"{nom} p. {numero} : texte en {petits} pt")
            problemes += [f"{nom} p. {numero} : {p}"
                          for p in _trop_pres(textes, float(page.mediabox.height))[:3]]
    assert not problemes, "\n".join(problemes[:40])


def test_a_juror_grid_prints_landscape_one_page_wide(
        imprimes: dict[str, tuple[Path, Path]]) -> None:
    grilles = {nom: chemins for nom, chemins in imprimes.items() if re.fullmatch(r"J\d\d", nom)}
    assert len(grilles) == 10
    for nom, (classeur, imprime) in grilles.items():
        dossiers = set(pd.read_excel(classeur, sheet_name="grille", engine="calamine",
                                     dtype=str)["dossier"])
        entetes = set(pd.read_excel(classeur, sheet_name="grille", engine="calamine",
                                    nrows=0).columns)
        pages = PdfReader(imprime).pages
        vus: set[str] = set()
        for numero, page in enumerate(pages, start=1):
            assert page.mediabox.width > page.mediabox.height, (nom, numero, "portrait")
            textes = _textes(page)
            if not any(t.texte.startswith("Grille de notation") and
                       t.y > float(page.mediabox.height) - PIED_DE_PAGE for t in textes):
                continue  # sheet « instructions »
            ligne = {t.texte for t in textes if IDENTIFIANT.fullmatch(t.texte)}
            assert ligne, (nom, numero, "a grid page without dossiers")
            vus |= ligne
            # every page holds the whole width: its first column and its last one (a
            # column on a second page across would leave one of them out)
            assert {"dossier", "conflit"} <= {t.texte for t in textes}, (nom, numero)
        assert vus == dossiers, nom
        assert {"dossier", "nom", "commentaire", "conflit"} <= entetes
