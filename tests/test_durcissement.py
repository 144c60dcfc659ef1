"""Hostile and broken files give located French findings, never a crash: zip bomb, XML
entity bomb, a million empty rows, merged headers, formulas, hidden sheets, encrypted
workbooks. And the same inputs always give a byte-identical ``classement``."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl

from fabriques.cli import main
from lecture.vague import lire_vague
from tests.factories import NOTES_MINIMALES, vague_minimale, variante

SAMPLES = Path(__file__).resolve().parents[1] / "sample_waves"


def _reecrire(chemin: Path, remplacements: dict[str, bytes], ajouts: dict[str, bytes]
              | None = None) -> Path:
    """Copy the workbook's zip entries, replacing or adding some."""
    source = chemin.with_suffix(".orig.xlsx")
    chemin.rename(source)
    with zipfile.ZipFile(source) as entree, zipfile.ZipFile(chemin, "w",
                                                            zipfile.ZIP_DEFLATED) as sortie:
        for info in entree.infolist():
            contenu = remplacements.get(info.filename, entree.read(info.filename))
            sortie.writestr(info.filename, contenu)
        for nom, contenu in (ajouts or {}).items():
            sortie.writestr(nom, contenu)
    source.unlink()
    return chemin


def _feuille_xml(chemin: Path, titre: str) -> str:
    """The zip entry of the sheet called ``titre``."""
    classeur = openpyxl.load_workbook(chemin)
    index = classeur.sheetnames.index(titre) + 1
    return f"xl/worksheets/sheet{index}.xml"


def _codes(chemin: Path) -> list[str]:
    codes = lire_vague(chemin).constats.codes()
    assert "erreur_inattendue" not in codes
    return codes


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path):
    chemin = variante(tmp_path)
    _reecrire(chemin, {}, {"xl/media/bombe.bin": b"\0" * (260 * 1024 * 1024)})
    assert chemin.stat().st_size < 2_000_000  # tiny on disk, 260 MB unpacked
    assert _codes(chemin) == ["classeur_trop_volumineux"]


def test_an_xml_entity_bomb_is_refused(tmp_path):
    chemin = variante(tmp_path)
    entree = _feuille_xml(chemin, "J01")
    with zipfile.ZipFile(chemin) as archive:
        xml = archive.read(entree).decode()
    entites = '<!DOCTYPE bombe [<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8)) + "]>"
    xml = re.sub(r"^<\?xml[^>]*\?>", "", xml)
    xml = '<?xml version="1.0"?>' + entites + xml.replace("<sheetData>", "<sheetData>&i;", 1)
    _reecrire(chemin, {entree: xml.encode()})
    assert "classeur_dangereux" in _codes(chemin)


def test_a_million_empty_rows_are_not_read_and_the_data_is(tmp_path):
    chemin = variante(tmp_path)
    entree = _feuille_xml(chemin, "J01")
    with zipfile.ZipFile(chemin) as archive:
        xml = archive.read(entree).decode()
    # Formatted but empty cells, then one stray value a million rows down: the sheet's
    # range spans a million rows for the reader to walk through.
    vides = "".join(f'<row r="{r}"><c r="A{r}" s="0"/></row>' for r in range(20, 100_020))
    vides += '<row r="1000020"><c r="A1000020" t="inlineStr"><is><t>V99</t></is></c></row>'
    xml, remplacees = re.subn(r'<dimension ref="[^"]*"\s*/>',
                              '<dimension ref="A1:XFD1048576"/>', xml)
    assert remplacees == 1
    xml = xml.replace("</sheetData>", vides + "</sheetData>")
    _reecrire(chemin, {entree: xml.encode()})
    lecture = lire_vague(chemin)
    assert lecture.constats.codes() == ["feuille_tronquee"]
    assert lecture.vague is not None and len(lecture.vague.notes) == NOTES_MINIMALES


def test_merged_header_cells_give_findings_not_a_crash(tmp_path):
    chemin = variante(tmp_path)
    classeur = openpyxl.load_workbook(chemin)
    classeur["dossiers"].merge_cells("A1:B1")  # « dossier » spreads over « nom »
    classeur.save(chemin)
    codes = _codes(chemin)
    assert "colonne_manquante" in codes


def test_formula_cells_are_reported(tmp_path):
    feuilles = vague_minimale()
    feuilles["J01"][1][1] = "=2+3"  # a formula never computed: no cached value
    chemin = variante(tmp_path, J01=feuilles["J01"])
    codes = _codes(chemin)
    assert "formules" in codes
    assert "note_manquante" in codes  # and the cell is read as empty, said where


def test_hidden_sheets_are_reported(tmp_path):
    chemin = variante(tmp_path)
    classeur = openpyxl.load_workbook(chemin)
    classeur["J02"].sheet_state = "hidden"
    classeur.save(chemin)
    lecture = lire_vague(chemin)
    constat = next(c for c in lecture.constats if c.code == "feuille_masquee")
    assert constat.feuille == "J02" and lecture.vague is not None


def test_an_encrypted_workbook_says_how_to_fix_it(tmp_path):
    chemin = tmp_path / "vague-07.xlsx"  # Excel saves a password-protected .xlsx as OLE
    chemin.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4096)
    lecture = lire_vague(chemin)
    assert lecture.constats.codes() == ["fichier_illisible"]
    assert "mot de passe" in lecture.constats.erreurs[0].message


def test_the_classement_sheet_is_byte_identical_across_runs(tmp_path):
    contenus = []
    for nom in ("1.xlsx", "2.xlsx"):
        sortie = tmp_path / nom
        assert main(["allocate", str(SAMPLES / "vague-06"), "--out", str(sortie)]) == 0
        entree = _feuille_xml(sortie, "classement")
        with zipfile.ZipFile(sortie) as archive:
            contenus.append(archive.read(entree))
    assert contenus[0] == contenus[1]
