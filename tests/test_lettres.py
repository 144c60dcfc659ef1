"""One letter per dossier (``allocate --retours``): on a copy of the sample wave 6 (260
dossiers), a PDF per dossier named by its id, each saying its decision in words — the amount
of a laureate in French format, the rank on the reserve list, the very feedback paragraph
of the ``retours`` sheet for the others — with Typst markup in a name printed as written."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

from commun.francais import date_en_francais, euros
from commun.vocabulaire import STATUTS, code_de
from fabriques.cli import main
from lecture.modele import CRITERES_FAQ_3_3
from tests.factories import petite_vague

SAMPLES = Path(__file__).resolve().parents[1] / "sample_waves"
HOSTILE = "#set page(width: 1pt) *gras* $x$ @ref <lbl> \\ [crochets] _souligné_ `code` #{1+1}"


def _copie(tmp: Path) -> Path:
    """A copy of vague-06 and the programme beside it (the samples are never written)."""
    shutil.copytree(SAMPLES / "vague-06", tmp / "vague-06")
    shutil.copy(SAMPLES / "programme.toml", tmp / "programme.toml")
    return tmp / "vague-06"


def _allouer(vague: Path, sortie: Path) -> int:
    return main(["allocate", str(vague), "--out", str(sortie / "allocation.xlsx"),
                 "--retours", str(sortie / "retours.xlsx")])


def _feuille(chemin: Path, nom: str) -> list[dict[str, object]]:
    feuille = openpyxl.load_workbook(chemin, read_only=True)[nom]
    lignes = list(feuille.iter_rows(values_only=True))
    return [dict(zip(lignes[0], ligne, strict=True)) for ligne in lignes[1:]]


def _plat(texte: str) -> str:
    """Every run of spaces and line breaks made one space, the no-break spaces of French
    punctuation (« : », guillemets) included; a narrow no-break space (in a number) stays."""
    return re.sub(r"[ \u00a0\t\r\n]+", " ", texte).strip()


def _texte(pdf: Path) -> str:
    """The letter's text, as one line (:func:`_plat`)."""
    return _plat(" ".join(p.extract_text() or "" for p in PdfReader(pdf).pages))


@pytest.fixture(scope="module")
def vague_06(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    dossier = tmp_path_factory.mktemp("lettres")
    vague = _copie(dossier)
    sortie = dossier / "sorties"
    sortie.mkdir()
    assert _allouer(vague, sortie) == 0
    return {"vague": vague, "sortie": sortie, "lettres": sortie / "retours-lettres"}


def test_one_letter_per_dossier_named_by_its_id(vague_06):
    registre = _feuille(vague_06["vague"] / "dossiers.xlsx", "dossiers")
    ids = {str(ligne["dossier"]) for ligne in registre}
    assert len(ids) == 260
    assert {p.name for p in vague_06["lettres"].iterdir()} == {f"{i}.pdf" for i in ids}
    premiere = PdfReader(vague_06["lettres"] / f"{min(ids)}.pdf")
    assert len(premiere.pages) == 1
    texte = _texte(vague_06["lettres"] / f"{min(ids)}.pdf")
    for attendu in ("Agence nationale de la cohésion des territoires",
                    "Programme « Nouveaux lieux, nouveaux liens »", "vague 6",
                    f"Le {date_en_francais(date.today())}", "Madame, Monsieur,",
                    "Contact : Le secrétariat du jury", f"Dossier {min(ids)}"):
        assert attendu in texte


def test_a_letter_not_selected_holds_the_feedback_paragraph_of_the_sheet(vague_06):
    retours = {r["dossier"]: {**r, "statut": code_de(STATUTS, r["statut"])}
               for r in _feuille(vague_06["sortie"] / "retours.xlsx", "retours")}
    registre = {r["dossier"]: r for r in _feuille(vague_06["vague"] / "dossiers.xlsx",
                                                  "dossiers")}
    non_retenus = [r for r in retours.values() if r["statut"] == "non_retenu"
                   and r["points_a_renforcer"]]
    assert non_retenus
    for ligne in non_retenus[:3]:
        texte = _texte(vague_06["lettres"] / f"{ligne['dossier']}.pdf")
        assert "Décision : Non retenu" in texte
        assert _plat(str(ligne["message"])) in texte
        assert "Points à renforcer" in texte
        source = registre[ligne["dossier"]]
        assert _plat(f"{source['porteur']} {source['nom']} {source['commune']}") in texte
        # the criteria by their French label, in the table too
        assert "Robustesse : expérience, partenariats, comptes prévisionnels" in texte
        assert "Médiane des lauréats" in texte
    for statut, mots in (("ineligible", "Décision : Inéligible"),
                         ("liste_complementaire", "Décision : Liste complémentaire, rang")):
        ligne = next(r for r in retours.values() if r["statut"] == statut)
        texte = _texte(vague_06["lettres"] / f"{ligne['dossier']}.pdf")
        assert mots in texte and _plat(str(ligne["message"])) in texte


def test_the_feedback_names_criteria_by_their_label_never_their_id(vague_06):
    retours = _feuille(vague_06["sortie"] / "retours.xlsx", "retours")
    libelles = dict(CRITERES_FAQ_3_3)
    vus = set()
    for ligne in retours:
        points = str(ligne["points_a_renforcer"] or "")
        for critere, libelle in libelles.items():
            if f"« {libelle} »" in points:
                vus.add(critere)
            # an id appears only inside its label (« Robustesse : … »), never on its own
            assert f" {critere} " not in f" {points.replace('« ', '').lower()} " \
                or libelle.lower().startswith(critere), (critere, points)
        assert points.count("«") == points.count("»")
    assert "robustesse" in vus
    assert not any(str(r["points_a_renforcer"] or "").startswith("robustesse")
                   for r in retours)


def test_a_laureate_letter_holds_its_amount_in_french(vague_06):
    laureats = _feuille(vague_06["sortie"] / "allocation.xlsx", "laureats")
    assert len(laureats) == 30
    for ligne in laureats[:3]:
        texte = _texte(vague_06["lettres"] / f"{ligne['dossier']}.pdf")
        montant = euros(int(ligne.get("montant_accorde") or ligne["montant"]))
        assert "\u202f" in montant  # « 150 000 € », a narrow no-break space
        assert "Décision : Lauréat" in texte
        assert f"Une subvention de {montant} vous est accordée" in texte
        assert "Points à renforcer" not in texte


def _petite(tmp_path: Path, porteur: str | None = None) -> tuple[Path, Path]:
    """The eight-dossier wave of the factories (faster than wave 6), D1's porteur and name
    replaced by ``porteur`` when given; returns (wave, output folder)."""
    vague = petite_vague(tmp_path, {"D1": f"Fabrique {porteur}"} if porteur else None)
    if porteur:
        classeur = openpyxl.load_workbook(vague)
        feuille = classeur["dossiers"]
        entetes = [c.value for c in feuille[1]]
        ligne = next(r for r in feuille.iter_rows(min_row=2)
                     if r[entetes.index("dossier")].value == "D1")
        ligne[entetes.index("porteur")].value = porteur
        ligne[entetes.index("porteur")].data_type = "s"
        classeur.save(vague)
    sortie = tmp_path / "sorties"
    sortie.mkdir()
    return vague, sortie


def test_a_second_run_replaces_the_letters_with_the_programme_contact(tmp_path):
    vague, sortie = _petite(tmp_path)
    assert _allouer(vague, sortie) == 0
    lettres = sortie / "retours-lettres"
    avant = {p.name: p.read_bytes() for p in lettres.iterdir()}
    assert sorted(avant) == [f"D{i}.pdf" for i in range(1, 9)]
    programme = vague.parent / "programme.toml"
    programme.write_text(programme.read_text("utf-8")
                         + '\n[lettres]\ncontact = "secretariat.fabriques@exemple.fr"\n',
                         "utf-8")
    assert _allouer(vague, sortie) == 0
    apres = {p.name: p.read_bytes() for p in lettres.iterdir()}
    assert apres.keys() == avant.keys()  # no temporary file left, none missing
    assert all(apres[n] != avant[n] for n in avant)
    texte = _texte(lettres / "D1.pdf")
    assert "Contact : secretariat.fabriques@exemple.fr" in texte
    assert "Le secrétariat du jury" in texte  # the signature stays


def test_typst_markup_in_a_name_is_printed_as_written(tmp_path):
    vague, sortie = _petite(tmp_path, HOSTILE)
    assert _allouer(vague, sortie) == 0
    pdf = sortie / "retours-lettres" / "D1.pdf"
    lecteur = PdfReader(pdf)
    assert len(lecteur.pages) == 1
    assert round(float(lecteur.pages[0].mediabox.width)) == 595  # A4, not 1pt wide
    texte = _texte(pdf)
    assert HOSTILE in texte
    assert f"Fabrique {HOSTILE}" in texte


def test_the_contact_of_the_programme_must_be_text(tmp_path):
    from commun.constats import Constats
    from lecture.programme import lire_regles

    for valeur, attendu in (('"  Secrétariat   FdT  "', "Secrétariat FdT"), ("3", None),
                            ('""', None)):
        programme = tmp_path / "programme.toml"
        programme.write_text(f"[lettres]\ncontact = {valeur}\n", "utf-8")
        constats = Constats()
        regles = lire_regles(programme, 6, constats)
        if attendu is None:
            assert regles is None
            assert [c.code for c in constats.erreurs] == ["parametre_invalide"]
        else:
            assert regles is not None and regles.contact == attendu


def test_the_app_offers_the_same_letters_in_one_zip(tmp_path: Path) -> None:
    """Page « Export » downloads application.service.lettres_zip: one PDF per dossier of the
    small wave, each the letter allocate writes for it."""
    import io
    import zipfile

    from application.service import Parametres, Resultat, decider_vague, lettres_zip
    from lecture.chargement import charger

    vague = petite_vague(tmp_path)
    chargement = charger(vague)
    resultat = decider_vague(chargement, Parametres())
    assert isinstance(resultat, Resultat)
    archive = zipfile.ZipFile(io.BytesIO(lettres_zip(resultat, date(2026, 12, 7))))
    assert sorted(archive.namelist()) == sorted(f"{d}.pdf" for d in resultat.vague.dossiers.index)
    premiere = PdfReader(io.BytesIO(archive.read(archive.namelist()[0]))).pages[0].extract_text()
    assert "Décision" in premiere and "7 décembre 2026" in premiere


@pytest.mark.parametrize("forme", ["dossier existant", "nom sans .xlsx"])
def test_retours_given_a_folder_writes_the_workbook_and_the_letters_inside(tmp_path: Path,
                                                                          forme: str) -> None:
    """``allocate --retours DIR`` (the issue's words): ``DIR/retours.xlsx`` and one
    ``DIR/<dossier>.pdf`` per dossier; ``--retours name.xlsx`` keeps the letters beside it in
    ``name-lettres/`` (the tests above)."""
    vague = petite_vague(tmp_path)
    dossier = tmp_path / "courriers"
    if forme == "dossier existant":
        dossier.mkdir()
    assert main(["allocate", str(vague), "--out", str(tmp_path / "allocation.xlsx"),
                 "--retours", str(dossier)]) == 0
    ids = {str(r["dossier"]) for r in _feuille(tmp_path / "allocation.xlsx", "classement")}
    assert {p.stem for p in dossier.glob("*.pdf")} == ids
    assert (dossier / "retours.xlsx").exists()
    assert not (tmp_path / "courriers-lettres").exists()
