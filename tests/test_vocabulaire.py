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
from collections.abc import Iterable, Iterator
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

from commun import vocabulaire
from commun.vocabulaire import STATUTS, Terme, code_de
from fabriques.cli import main
from tests.francais import fautes

VAGUE_06 = Path(__file__).resolve().parents[1] / "sample_waves" / "vague-06"

def textes_du_classeur(chemin: Path) -> Iterator[tuple[str, str]]:
    """(where, text) of every text cell below the header rows, parametres keys left out."""
    classeur = openpyxl.load_workbook(chemin, read_only=True)
    try:
        for feuille in classeur.worksheets:
            entete: tuple[object, ...] = ()
            for numero, ligne in enumerate(feuille.iter_rows(values_only=True), start=1):
                if numero == 1:
                    entete = ligne
                    continue
                for position, valeur in enumerate(ligne):
                    if feuille.title == "parametres" and position == 0:
                        continue  # the keys the tool reads back
                    if position < len(entete) and entete[position] == "colonne":
                        continue  # a column of the secretariat's file, as the file spells it
                    if isinstance(valeur, str) and valeur.strip():
                        yield f"{chemin.name}!{feuille.title} ligne {numero}", valeur
    finally:
        classeur.close()


def textes_du_pdf(chemin: Path) -> Iterator[tuple[str, str]]:
    for numero, page in enumerate(PdfReader(chemin).pages, start=1):
        yield f"{chemin.name} page {numero}", page.extract_text()


def relever(textes: Iterable[tuple[str, str]]) -> list[str]:
    """The guard's findings (:func:`tests.francais.fautes`), each with where it was read."""
    return [f"{ou} : {faute}" for ou, texte in textes for faute in fautes([texte])]


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
                 "--public", str(s / "public.xlsx"), "--retours", str(s / "lettres")],
                capsys),
        _lancer(["tradeoffs", str(vague), "--out", str(s / "arbitrages.xlsx"),
                 "--tirages", "20"], capsys),
        _lancer(["proces-verbal", str(vague), "--allocation", str(s / "allocation.xlsx"),
                 "--out", str(s / "pv.pdf")], capsys),
        _lancer(["repartir", str(vague), "--par-dossier", "4", "--graine", "8",
                 "--out", str(s / "affectation.xlsx"), "--grilles", str(s / "grilles")],
                capsys),
        _lancer(["seance", str(vague), "--retenir", "V06-012:projet pilote"], capsys),
        _lancer(["journal", str(vague)], capsys),
    ]
    textes: list[tuple[str, str]] = [("sortie de la commande", t) for t in imprime]
    for classeur in sorted(s.rglob("*.xlsx")):
        textes += textes_du_classeur(classeur)
    lettres = sorted((s / "lettres").glob("*.pdf"))  # --retours DIR: letters inside
    assert len(lettres) == 260  # one letter per dossier of vague-06, read like the rest
    assert (s / "lettres" / "retours.xlsx").exists()
    for pdf in sorted(s.rglob("*.pdf")):
        textes += textes_du_pdf(pdf)
    assert len({ou.split("!")[0].split(" ")[0] for ou, _ in textes}) >= 6
    releve = relever(textes)
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
    releve = relever(textes_du_classeur(tmp_path / "allocation.xlsx"))
    assert any("code « laureat »" in r for r in releve)


def test_the_status_is_read_back_in_words_or_as_an_older_code() -> None:
    for ecrit, code in (("lauréat", "laureat"), ("LAURÉAT", "laureat"), ("laureat", "laureat"),
                        ("Liste complémentaire", "liste_complementaire"),
                        ("liste_complementaire", "liste_complementaire"),
                        ("non retenu", "non_retenu"), ("Inéligible", "ineligible")):
        assert code_de(STATUTS, ecrit) == code
    assert code_de(STATUTS, "retenu") is None and code_de(STATUTS, None) is None


def test_the_guard_sees_codes_english_and_dot_decimals() -> None:
    assert fautes(["statut : liste_complementaire"]) and fautes(["méthode zscore"])
    assert fautes(["score total 244.75"]) and fautes(["valeur : None"])
    assert fautes(["une règle max_par_an"]) and fautes(["statut « laureat »"])
    assert not fautes(["score total 244,75 ; version 0.1.0 ; V06-012 ; 2026-12-07 ; FAQ 6.5",
                       "note inférieure ; colonne « code_commune »",
                       "[AVERTISSEMENT] note absente [note_manquante]"])
