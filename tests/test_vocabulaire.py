"""The guard of issue 29 on the documents and the command line: every workbook the commands
write on a sample wave, the procès-verbal and what the commands print are read as the
secretariat reads them, and fail on a code where a word is due, an English word, a number
with a decimal point in French text, or ``None``/``nan``/``True``/``False``.

Sheet names and column headers are the contract's (SPEC §5) and are not read; the
``parametres`` keys are read back by the tool and are not read either — their values are.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

from allocation.modele.regles import FAMILLES as FAMILLES_DE_REGLES
from commun import vocabulaire
from commun.constats import CODES
from commun.vocabulaire import FAMILLES, STATUTS, Terme, code_de
from fabriques.cli import main

VAGUE_06 = Path(__file__).resolve().parents[1] / "sample_waves" / "vague-06"

#: Codes that are also plain French words a text may hold (« stable », « calibre »…).
MOTS_FRANCAIS = {"stable", "calibre", "auto", "administration", "chercheur", "erreur",
                 "avertissement", "enveloppe", "lieux", "combinaison", "montant", "objectifs",
                 "eligibilite", "departage", "median",
                 # the column of the secretariat's own registry a message names
                 "qpv"}
#: Words a French reader should never meet.
ANGLAIS = {"True", "False", "None", "nan", "NaN", "inf", "Upload", "Download", "Choose",
           "options", "Search", "Fullscreen", "usage", "error", "warning", "Running",
           "Copyright", "borderline", "depends_on_method", "frontier"}
#: A decimal point in a number; a section of the FAQ (« FAQ 6.5 ») is a reference.
POINT_DECIMAL = re.compile(r"(?<![\w.])(?<!FAQ )\d+\.\d+(?![\w.])")


def codes_interdits() -> set[str]:
    """The codes a person must not read: every vocabulary family's, the rules' and the
    findings', except those that are French words as they are."""
    # a statistic's label may end with its usual name, « accord d'un juré (ICC1) »
    codes = {code for famille in FAMILLES.values() for code, terme in famille.items()
             if code != terme.libelle and f"({code})" not in terme.libelle}
    codes |= set(FAMILLES_DE_REGLES) | set(CODES)
    return {c for c in codes if c not in MOTS_FRANCAIS}


#: A finding's line on the command line ends with its reference code, in brackets, after
#: the message in words (kept for support and for searching the documentation).
REFERENCE = re.compile(r" \[[a-z_]+\]$", re.MULTILINE)


def fautes(texte: str, codes: set[str]) -> list[str]:
    """What is wrong in one text a person reads."""
    texte = REFERENCE.sub("", texte)
    trouvees = [f"code « {mot} »" for mot in re.findall(r"[\w]+", texte) if mot in codes]
    trouvees += [f"anglais « {mot} »" for mot in re.findall(r"\w+", texte)
                 if mot in ANGLAIS]
    trouvees += [f"point décimal « {n} »" for n in POINT_DECIMAL.findall(texte)]
    return trouvees


def textes_du_classeur(chemin: Path) -> Iterator[tuple[str, str]]:
    """(where, text) of every text cell below the header rows, parametres keys left out."""
    classeur = openpyxl.load_workbook(chemin, read_only=True)
    try:
        for feuille in classeur.worksheets:
            for numero, ligne in enumerate(feuille.iter_rows(values_only=True), start=1):
                if numero == 1:
                    continue
                cellules = ligne[1:] if feuille.title == "parametres" else ligne
                for valeur in cellules:
                    if isinstance(valeur, str) and valeur.strip():
                        yield f"{chemin.name}!{feuille.title} ligne {numero}", valeur
    finally:
        classeur.close()


def textes_du_pdf(chemin: Path) -> Iterator[tuple[str, str]]:
    for numero, page in enumerate(PdfReader(chemin).pages, start=1):
        yield f"{chemin.name} page {numero}", page.extract_text()


def relever(textes: Iterator[tuple[str, str]], codes: set[str]) -> list[str]:
    return [f"{ou} : {faute} dans « {texte[:80]} »" for ou, texte in textes
            for faute in fautes(texte, codes)]


def _lancer(arguments: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    code = main(arguments)
    sortie = capsys.readouterr()
    assert code == 0, sortie.err
    return sortie.out + sortie.err


def test_every_document_and_message_is_in_the_secretariats_words(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    vague = tmp_path / "vague-06"
    shutil.copytree(VAGUE_06, vague)
    s = tmp_path / "sorties"
    s.mkdir()
    imprime = [
        _lancer(["check", str(vague)], capsys),
        _lancer(["score", str(vague), "--out", str(s / "scores.xlsx")], capsys),
        _lancer(["allocate", str(vague), "--out", str(s / "allocation.xlsx"),
                 "--public", str(s / "public.xlsx"), "--retours", str(s / "retours")],
                capsys),
        _lancer(["tradeoffs", str(vague), "--out", str(s / "arbitrages.xlsx"),
                 "--tirages", "20"], capsys),
        _lancer(["proces-verbal", str(vague), "--allocation", str(s / "allocation.xlsx"),
                 "--out", str(s / "pv.pdf")], capsys),
        _lancer(["repartir", str(vague), "--par-dossier", "4", "--graine", "8",
                 "--out", str(s / "affectation.xlsx"), "--grilles", str(s / "grilles")],
                capsys),
    ]
    codes = codes_interdits()
    textes: list[tuple[str, str]] = [("sortie de la commande", t) for t in imprime]
    for classeur in sorted(s.rglob("*.xlsx")):
        textes += textes_du_classeur(classeur)
    lettres = sorted((s / "retours-lettres").glob("*.pdf"))
    assert len(lettres) == 260  # one letter per dossier of vague-06, read like the rest
    for pdf in sorted(s.rglob("*.pdf")):
        textes += textes_du_pdf(pdf)
    assert len({ou.split("!")[0].split(" ")[0] for ou, _ in textes}) >= 6
    releve = relever(iter(textes), codes)
    assert not releve, "\n".join(releve[:40])
    # a department code keeps its zero where the minutes print it
    pv = "\n".join(t for ou, t in textes if ou.startswith("pv.pdf"))
    laureats = openpyxl.load_workbook(s / "allocation.xlsx", read_only=True)["laureats"]
    lignes = list(laureats.iter_rows(values_only=True))
    dossier, departement = (lignes[0].index(c) for c in ("dossier", "departement"))
    a_zero = [(r[dossier], r[departement]) for r in lignes[1:] if str(r[departement])[0] == "0"]
    assert a_zero and all(re.search(rf"{d}\b.*\s{dep}\s", pv) for d, dep in a_zero)


def test_the_guard_fails_when_one_label_is_reverted_to_its_code(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The guard can fail: with « lauréat » written back as ``laureat``, the allocation
    workbook holds the code and the guard names it."""
    monkeypatch.setitem(vocabulaire.STATUTS, "laureat", Terme("laureat", "laureat"))
    vague = tmp_path / "vague-06"
    shutil.copytree(VAGUE_06, vague)
    _lancer(["allocate", str(vague), "--out", str(tmp_path / "allocation.xlsx")], capsys)
    releve = relever(textes_du_classeur(tmp_path / "allocation.xlsx"), codes_interdits())
    assert any("code « laureat »" in r for r in releve)


def test_the_status_is_read_back_in_words_or_as_an_older_code() -> None:
    for ecrit, code in (("lauréat", "laureat"), ("LAURÉAT", "laureat"), ("laureat", "laureat"),
                        ("Liste complémentaire", "liste_complementaire"),
                        ("liste_complementaire", "liste_complementaire"),
                        ("non retenu", "non_retenu"), ("Inéligible", "ineligible")):
        assert code_de(STATUTS, ecrit) == code
    assert code_de(STATUTS, "retenu") is None and code_de(STATUTS, None) is None


def test_the_guard_sees_codes_english_and_dot_decimals() -> None:
    codes = codes_interdits()
    assert fautes("statut : liste_complementaire", codes)
    assert fautes("méthode zscore", codes)
    assert fautes("score total 244.75", codes)
    assert fautes("valeur : None", codes)
    assert not fautes("score total 244,75 ; version 0.1.0 ; V06-012 ; 2026-12-07 ; FAQ 6.5 ; "
                      "note inférieure", codes)
