"""The procès-verbal: a PDF (A4, numbered pages, embedded fonts) whose text holds every
laureate, every déport, the decisions with their reasons and every input's hash; refused for
a workbook of other files or a broken journal; data printed as written, never as markup."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader

from allocation.sorties.proces_verbal import rendre_proces_verbal
from application.proces_verbal import donnees_proces_verbal
from commun.journal import Journal
from commun.vocabulaire import METHODES, code_de, libelle
from fabriques.cli import main
from lecture.chargement import charger

SAMPLES = Path(__file__).resolve().parents[1] / "sample_waves"


@pytest.fixture(scope="module")
def seance(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """vague-06 decided after a meeting: one dossier retained, one set aside, one note
    revised; its allocation workbook, journal and procès-verbal."""
    racine = tmp_path_factory.mktemp("pv")
    shutil.copytree(SAMPLES / "vague-06", racine / "vague-06")
    shutil.copy(SAMPLES / "programme.toml", racine / "programme.toml")
    vague, journal = racine / "vague-06", racine / "journal.jsonl"
    options = ["--journal", str(journal)]
    assert main(["seance", str(vague), *options, "--retenir", "V06-217:projet exemplaire",
                 "--ecarter", "V06-125:budget irréaliste",
                 "--reviser", "J01:V06-001:ancrage:6:relecture du diagnostic"]) == 0
    assert main(["allocate", str(vague), "--out", str(racine / "a.xlsx"), *options]) == 0
    assert main(["proces-verbal", str(vague), "--allocation", str(racine / "a.xlsx"),
                 "--out", str(racine / "pv.pdf"), *options]) == 0
    return {"vague": vague, "journal": journal, "allocation": racine / "a.xlsx",
            "pdf": racine / "pv.pdf"}


def _texte(pdf: bytes | Path) -> str:
    lecteur = PdfReader(io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf)
    # Typst sets French apostrophes (’): compare with the typed ones.
    return "\n".join(page.extract_text() for page in lecteur.pages).replace("’", "'")


def test_the_minutes_hold_every_laureate_deport_decision_and_hash(seance) -> None:
    texte = _texte(seance["pdf"])
    classeur = pd.read_excel(seance["allocation"], sheet_name=None, engine="calamine")
    for ligne in classeur["laureats"].itertuples():
        assert ligne.dossier in texte
    for dossier in classeur["liste_complementaire"]["dossier"]:
        assert dossier in texte
    vague = charger(seance["vague"]).vague
    assert vague is not None and vague.deports
    for jure, dossier in vague.deports:
        assert jure in texte and dossier in texte
    assert "même département" in texte and "déport déclaré" in texte
    parametres = classeur["parametres"]
    empreintes = parametres[parametres["parametre"].str.startswith("sha256 ")]["valeur"]
    assert len(empreintes) >= 3
    for empreinte in empreintes:
        assert empreinte in texte
    assert Journal(seance["journal"]).verifier().derniere_empreinte in texte
    for attendu in ("projet exemplaire", "budget irréaliste", "relecture du diagnostic",
                    "5 → 6", "Liste complémentaire", "Zone d'incertitude", "Signature",
                    "ont changé de sort par la discussion", "Dossiers inéligibles",
                    "Représentants du Conseil national des tiers-lieux"):
        assert attendu in " ".join(texte.split()), attendu


def test_the_minutes_are_a4_numbered_with_embedded_fonts(seance) -> None:
    lecteur = PdfReader(seance["pdf"])
    pages = len(lecteur.pages)
    assert pages >= 2
    for numero, page in enumerate(lecteur.pages, start=1):
        largeur, hauteur = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(largeur), round(hauteur)) == (595, 842)  # A4 in points
        assert f"page {numero} / {pages}" in page.extract_text()
        for police in page["/Resources"]["/Font"].values():
            police = police.get_object()
            descendantes = police.get("/DescendantFonts")
            cible = descendantes[0].get_object() if descendantes else police
            descripteur = cible["/FontDescriptor"].get_object()
            assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descripteur), police


def test_a_page_renders_as_an_image(seance) -> None:
    donnees, constats = donnees_proces_verbal(charger(seance["vague"]), seance["allocation"],
                                              Journal(seance["journal"]))
    assert donnees is not None and not constats.a_des_erreurs
    pages = rendre_proces_verbal(donnees, "png", ppi=40)
    assert len(pages) == len(PdfReader(seance["pdf"]).pages)
    assert pages[0][:8] == b"\x89PNG\r\n\x1a\n" and len(pages[0]) > 5_000


def test_data_is_printed_as_written_never_as_markup(seance) -> None:
    donnees, _ = donnees_proces_verbal(charger(seance["vague"]), seance["allocation"],
                                       Journal(seance["journal"]))
    assert donnees is not None
    piege = '#set page(width: 2cm) *gras* _penche_ $x$ [crochets] @ref <label> \\ // fin'
    donnees["laureats"][0]["nom"] = piege
    texte = _texte(rendre_proces_verbal(donnees)[0])
    assert "#set page(width: 2cm)" in texte and "*gras*" in texte and "$x$" in texte
    assert "[crochets]" in texte and "// fin" in texte


def test_the_minutes_refuse_another_waves_decision_or_a_broken_journal(
        seance, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    autre = tmp_path / "autre.xlsx"
    assert main(["allocate", str(SAMPLES / "vague-05.xlsx"), "--out", str(autre)]) == 0
    sortie = tmp_path / "pv.pdf"
    options = ["--journal", str(seance["journal"])]
    assert main(["proces-verbal", str(seance["vague"]), "--allocation", str(autre),
                 "--out", str(sortie), *options]) == 2
    assert not sortie.exists()
    casse = tmp_path / "journal.jsonl"
    lignes = seance["journal"].read_text().splitlines()
    casse.write_text("\n".join(lignes[:1] + lignes[2:]) + "\n")
    capsys.readouterr()
    assert main(["proces-verbal", str(seance["vague"]), "--allocation",
                 str(seance["allocation"]), "--out", str(sortie), "--journal", str(casse)]) == 2
    assert "altéré" in capsys.readouterr().err and not sortie.exists()
    assert main(["proces-verbal", str(seance["vague"]), "--allocation",
                 str(seance["allocation"]), "--out", str(sortie), "--journal", str(casse),
                 "--ignorer-journal", "copie de travail"]) == 0
    assert "Journal altéré, passé outre" in _texte(sortie)


def test_the_minutes_state_the_method_choice_as_it_is_applied(seance) -> None:
    """« auto » chooses among nested models only: the minutes say so, name the candidates,
    and the method retained has the least error among them (a non-candidate may have less)."""
    from notation.choix import CANDIDATS

    donnees, constats = donnees_proces_verbal(charger(seance["vague"]), seance["allocation"],
                                              Journal(seance["journal"]))
    assert donnees is not None, [str(c) for c in constats]
    methode = donnees["methode"]
    assert "emboîtés" in methode["texte"] and "ne sont pas candidates" in methode["texte"]
    assert all(f"« {libelle(METHODES, m)} »" in methode["texte"] for m in CANDIDATS)
    assert "prédit le mieux" not in methode["texte"]
    erreurs = {v["methode"].removesuffix(" (candidate)"):
               float(v["erreur"].split("±")[0].replace(",", ".").strip())
               for v in methode["validation"]}
    # the minutes name methods by their label
    candidates = {m: e for m, e in erreurs.items() if code_de(METHODES, m) in CANDIDATS}
    retenue = methode["texte"].rsplit("Retenue : « ", 1)[1].split(" »")[0]
    assert candidates[retenue] == min(candidates.values())
    assert all(v["methode"].endswith(" (candidate)") == (
        code_de(METHODES, v["methode"].removesuffix(" (candidate)")) in CANDIDATS)
               for v in methode["validation"])
