"""Readers: both wave forms, démarches-simplifiées exports, and every validation finding
located exactly (file, sheet, Excel row, column, code)."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import openpyxl
import pytest

from commun.constats import Gravite
from lecture.vague import lire_vague
from tests.factories import (
    DOSSIERS_HEADER,
    NOTES_MINIMALES,
    dossier,
    ecrire,
    vague_minimale,
    variante,
)

SAMPLES = Path(__file__).resolve().parents[1] / "sample_waves"


def only(constats, code):
    found = [c for c in constats if c.code == code]
    assert len(found) == 1, (code, [str(c) for c in constats])
    return found[0]


def test_minimal_wave_reads_without_findings(tmp_path):
    lecture = lire_vague(variante(tmp_path))
    assert lecture.constats.codes() == []
    vague = lecture.vague
    assert vague is not None and vague.numero == 7
    assert len(vague.notes) == NOTES_MINIMALES
    assert vague.dossiers.loc["D1", "departement"] == "35"
    assert vague.dossiers.loc["D1", "lieux"] == ("L-D1",)
    assert vague.dossiers["montant"].dtype.name == "Int64"


@pytest.mark.parametrize("wave", ["vague-05.xlsx", "vague-06"])
def test_sample_waves_read_with_only_the_planted_warnings(wave):
    lecture = lire_vague(SAMPLES / wave)
    assert lecture.vague is not None
    assert sorted(lecture.constats.codes()) == [
        "commune_deduite", "commune_deduite", "forme_juridique_a_verifier",
        "forme_juridique_non_reconnue", "lieu_partage", "lieu_partage",
        "montant_annuel_incoherent", "montant_annuel_manquant", "note_malgre_deport",
        "note_manquante", "numerique_hors_qpv", "qpv_improbable"]
    assert all(c.gravite is Gravite.AVERTISSEMENT for c in lecture.constats)


def test_workbook_and_folder_forms_of_one_wave_give_the_same_tables(tmp_path):
    folder = lire_vague(SAMPLES / "vague-06").vague
    # Rebuild vague-06 as one workbook with a long ``notes`` sheet.
    sheets = {}
    for source, names in (("dossiers.xlsx", ["dossiers"]),
                          ("jury.xlsx", ["jury", "criteres", "deports"])):
        workbook = openpyxl.load_workbook(SAMPLES / "vague-06" / source)
        for name in names:
            sheets[name] = [list(r) for r in workbook[name].iter_rows(values_only=True)]
    long_rows = [["dossier", "jure", "critere", "note", "commentaire"]]
    for grid in sorted((SAMPLES / "vague-06" / "notes").glob("*.xlsx")):
        rows = list(openpyxl.load_workbook(grid).active.iter_rows(values_only=True))
        header = rows[0]
        for row in rows[1:]:
            for index, name in enumerate(header):
                if name not in ("dossier", "nom", "commentaire"):
                    long_rows.append([row[0], grid.stem, name, row[index], row[-1]])
    sheets["notes"] = long_rows
    workbook_form = lire_vague(ecrire(tmp_path / "vague-06.xlsx", sheets)).vague
    assert workbook_form is not None and folder is not None
    key = ["dossier", "jure", "critere"]
    left = folder.notes.sort_values(key).reset_index(drop=True)
    right = workbook_form.notes.sort_values(key).reset_index(drop=True)
    assert left[[*key, "note"]].equals(right[[*key, "note"]])
    assert folder.dossiers.drop(columns=["ligne", "fichier"]).equals(
        workbook_form.dossiers.drop(columns=["ligne", "fichier"]))
    assert folder.deports == workbook_form.deports


def test_all_errors_are_reported_at_once(tmp_path):
    sheets = copy.deepcopy(vague_minimale())
    sheets["dossiers"][2][10] = "beaucoup"  # D2 montant
    sheets["J03"][1][1] = 14  # out of [0, 10]
    sheets["J05"][3][0] = "D99"  # unknown dossier
    lecture = lire_vague(ecrire(tmp_path / "vague-07.xlsx", sheets))
    assert lecture.vague is None
    # D99 is reported once per note of its row (six criteria).
    assert sorted(lecture.constats.codes()) == [
        *["dossier_inconnu"] * 6, "montant_invalide", "note_hors_bornes"]


def test_missing_sheet(tmp_path):
    sheets = vague_minimale()
    del sheets["jury"]
    found = [c for c in lire_vague(ecrire(tmp_path / "v.xlsx", sheets)).constats
             if c.code == "feuille_manquante"]
    assert [(c.fichier, c.feuille) for c in found] == [("v.xlsx", "jury")]


def test_missing_column_names_the_column_and_header_row(tmp_path):
    rows = [[c for c in r if True] for r in vague_minimale()["dossiers"]]
    index = DOSSIERS_HEADER.index("montant")
    rows = [r[:index] + r[index + 1:] for r in rows]
    found = only(lire_vague(variante(tmp_path, dossiers=rows)).constats, "colonne_manquante")
    assert (found.feuille, found.ligne, found.colonne) == ("dossiers", 1, "montant")


def test_headers_match_case_accent_and_space_insensitively_below_a_title(tmp_path):
    rows = copy.deepcopy(vague_minimale()["dossiers"])
    rows[0] = [h.upper().replace("_", " ") for h in rows[0]]
    rows[0][DOSSIERS_HEADER.index("numerique")] = "Numérique"
    rows = [["Registre des dossiers — vague 7"], *rows]  # a title row above the header
    lecture = lire_vague(variante(tmp_path, dossiers=rows))
    assert lecture.vague is not None
    assert lecture.vague.dossiers.loc["D1", "ligne"] == 3  # Excel numbering kept


def test_note_out_of_bounds_and_not_a_number(tmp_path):
    sheets = copy.deepcopy(vague_minimale())
    sheets["J02"][2][2] = 11  # D2, ancrage: Excel row 3, column C
    sheets["J04"][4][1] = "bien"  # D4, offre: Excel row 5
    constats = lire_vague(ecrire(tmp_path / "v.xlsx", sheets)).constats
    hors = only(constats, "note_hors_bornes")
    assert (hors.feuille, hors.ligne, hors.colonne, hors.valeur) == ("J02", 3, "ancrage", 11)
    invalide = only(constats, "note_invalide")
    assert (invalide.feuille, invalide.ligne, invalide.colonne, invalide.valeur) == (
        "J04", 5, "offre", "bien")


def test_decimal_comma_notes_are_read(tmp_path):
    sheets = copy.deepcopy(vague_minimale())
    sheets["J02"][1][1] = "7,5"
    vague = lire_vague(ecrire(tmp_path / "v.xlsx", sheets)).vague
    notes = vague.notes
    assert notes[(notes.jure == "J02") & (notes.dossier == "D1")
                 & (notes.critere == "offre")]["note"].item() == 7.5


def test_unknown_dossier_juror_and_criterion_in_long_notes(tmp_path):
    sheets = copy.deepcopy(vague_minimale())
    for i in range(1, 11):
        del sheets[f"J{i:02d}"]
    sheets["notes"] = [["dossier", "jure", "critere", "note"],
                       ["D1", "J01", "offre", 5], ["D9", "J01", "offre", 5],
                       ["D1", "J77", "offre", 5], ["D1", "J01", "beaute", 5]]
    constats = lire_vague(ecrire(tmp_path / "v.xlsx", sheets)).constats
    assert (only(constats, "dossier_inconnu").ligne, only(constats, "jure_inconnu").ligne,
            only(constats, "critere_inconnu").ligne) == (3, 4, 5)
    assert only(constats, "critere_inconnu").colonne == "note"


def test_same_note_twice_is_an_error_pointing_to_both_rows(tmp_path):
    sheets = copy.deepcopy(vague_minimale())
    sheets["J01"].append(["D2", 3, 4, None])  # D2 again, Excel row 6: one error per cell
    constats = lire_vague(ecrire(tmp_path / "v.xlsx", sheets)).constats
    found = [c for c in constats if c.code == "note_en_double"]
    assert [(c.feuille, c.ligne, c.colonne) for c in found] == [
        ("J01", 6, "offre"), ("J01", 6, "ancrage")]
    assert all("ligne 3" in c.message for c in found)


def test_unscored_dossier_and_missing_note_are_warnings(tmp_path):
    sheets = copy.deepcopy(vague_minimale())
    sheets["J06"][3][1:7] = [None] * 6  # D3 left entirely blank
    sheets["J07"][1][2] = None  # D1, ancrage blank
    lecture = lire_vague(ecrire(tmp_path / "v.xlsx", sheets))
    assert lecture.vague is not None
    blank = only(lecture.constats, "dossier_non_note")
    assert (blank.feuille, blank.ligne, blank.valeur) == ("J06", 4, "D3")
    missing = only(lecture.constats, "note_manquante")
    assert (missing.feuille, missing.ligne, missing.colonne) == ("J07", 2, "ancrage")
    assert not blank.est_erreur and not missing.est_erreur


def test_notes_despite_a_deport_never_count(tmp_path):
    sheets = copy.deepcopy(vague_minimale())
    sheets["deports"].append(["J03", "D2"])
    sheets["jury"][9][3] = "35"  # J09 has department 35: every dossier here is in 35
    lecture = lire_vague(ecrire(tmp_path / "v.xlsx", sheets))
    vague = lecture.vague
    assert vague is not None
    warned = sorted((c.feuille, c.valeur) for c in lecture.constats
                    if c.code == "note_malgre_deport")
    assert warned == [("J03", "D2"), ("J09", "D1"), ("J09", "D2"), ("J09", "D3"), ("J09", "D4")]
    assert not ((vague.notes.jure == "J03") & (vague.notes.dossier == "D2")).any()
    assert not (vague.notes.jure == "J09").any()
    assert len(vague.notes_ecartees) == (1 + 4) * 6  # J03 on D2, J09 on D1–D4
    assert ("J09", "D4") in vague.deports


def test_duplicate_dossier_ids(tmp_path):
    rows = copy.deepcopy(vague_minimale()["dossiers"])
    rows.append(dossier("D2"))
    found = only(lire_vague(variante(tmp_path, dossiers=rows)).constats, "dossier_en_double")
    assert (found.feuille, found.ligne, found.colonne, found.valeur) == (
        "dossiers", 6, "dossier", "D2")


def test_department_codes_unknown_and_repaired(tmp_path):
    rows = copy.deepcopy(vague_minimale()["dossiers"])
    rows[1] = dossier("D1", departement=1, code="01053")  # Excel turned "01" into 1
    rows[2] = dossier("D2", departement="20")  # Corsica is 2A / 2B
    constats = lire_vague(variante(tmp_path, dossiers=rows)).constats
    repaired = only(constats, "departement_repare")
    assert (repaired.ligne, repaired.colonne, repaired.valeur, repaired.est_erreur) == (
        2, "departement", 1, False)
    unknown = only(constats, "departement_inconnu")
    assert (unknown.ligne, unknown.valeur, unknown.est_erreur) == (3, "20", True)


def test_unknown_commune_and_commune_department_mismatch_are_warnings(tmp_path):
    rows = copy.deepcopy(vague_minimale()["dossiers"])
    rows[1] = dossier("D1", code="35999")
    rows[2] = dossier("D2", code="75056", commune="Paris")  # Paris, said to be in 35
    constats = lire_vague(variante(tmp_path, dossiers=rows)).constats
    assert only(constats, "commune_inconnue").ligne == 2
    assert only(constats, "commune_hors_departement").ligne == 3


def test_jury_composition_differing_from_faq_3_2_is_a_warning(tmp_path):
    sheets = copy.deepcopy(vague_minimale())
    sheets["jury"][3][2] = "administration"  # a third administration member, two CNTL
    lecture = lire_vague(ecrire(tmp_path / "v.xlsx", sheets))
    found = only(lecture.constats, "composition_jury")
    assert found.feuille == "jury" and not found.est_erreur and lecture.vague is not None


def test_unknown_college_is_an_error(tmp_path):
    sheets = copy.deepcopy(vague_minimale())
    sheets["jury"][1][2] = "ministre"
    found = only(lire_vague(ecrire(tmp_path / "v.xlsx", sheets)).constats, "college_inconnu")
    assert (found.feuille, found.ligne, found.colonne) == ("jury", 2, "college")


def test_unreadable_and_unsupported_files_are_findings(tmp_path):
    fake = tmp_path / "vague-08.xlsx"
    fake.write_bytes(b"this is not a zip file")
    assert lire_vague(fake).constats.codes() == ["fichier_illisible"]
    old = tmp_path / "vague-09.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    assert lire_vague(old).constats.codes() == ["format_non_pris_en_charge"]
    assert lire_vague(tmp_path / "absent.xlsx").constats.codes() == ["fichier_introuvable"]


def _folder_with_registry(tmp_path: Path, registry: Path) -> Path:
    folder = tmp_path / "vague-06"
    shutil.copytree(SAMPLES / "vague-06", folder)
    (folder / "dossiers.xlsx").unlink()
    shutil.copy(registry, folder / registry.name)
    return folder


def _ds_rows(header_variant: str) -> list[list[str]]:
    from lecture import referentiel

    fixed = referentiel.entetes_demarches_simplifiees()[header_variant]
    fixed = [h for h in fixed if not h.startswith("<")]
    fields = ["Nom du projet", "Commune du lieu", "Commune du lieu (Code INSEE)",
              "Le lieu est-il situé dans un QPV ou à moins de 300 m d'un QPV ?",
              "Candidature Fabrique numérique de territoire",
              "Montant de la subvention demandée sur 3 ans", "Montant annuel maximum demandé",
              "Nombre d'ETP mobilisés", "Vidéo de présentation", "Identifiants des lieux"]
    workbook = openpyxl.load_workbook(SAMPLES / "vague-06" / "dossiers.xlsx")
    source = list(workbook["dossiers"].iter_rows(values_only=True))
    index = {name: i for i, name in enumerate(source[0])}
    rows = [fixed + fields]
    for record in source[1:]:
        base = dict.fromkeys(fixed, "")
        base.update({"ID": record[index["dossier"]], "Email": "contact@example.org",
                     "État du dossier": "En instruction", "Déposé le": "2021-03-01",
                     "Établissement SIRET": record[index["siret"]],
                     "Entreprise raison sociale": record[index["porteur"]],
                     "Entreprise forme juridique": record[index["forme_juridique"]]})
        video = "presentation.mp4" if record[index["video"]] == "oui" else ""
        annuel = record[index["montant_annuel"]]
        values = [record[index["nom"]], record[index["commune"]],
                  record[index["code_commune"]] or "",
                  "Oui" if record[index["qpv"]] == "oui" else "Non",
                  "on" if record[index["numerique"]] == "oui" else "off",
                  str(record[index["montant"]]), "" if annuel is None else str(annuel),
                  str(record[index["etp"]]).replace(".", ","), video, record[index["lieux"]]]
        rows.append([base[h] for h in fixed] + values)
    return rows


def test_demarches_simplifiees_csv_export_2020_in_cp1252_with_semicolons(tmp_path):
    rows = _ds_rows("dossiers_csv_personne_morale_2020")
    registry = tmp_path / "export_dossiers.csv"
    text = "\n".join(";".join(f'"{v}"' for v in row) for row in rows)
    registry.write_bytes(text.encode("cp1252"))
    lecture = lire_vague(_folder_with_registry(tmp_path, registry))
    assert lecture.vague is not None, [str(c) for c in lecture.constats.erreurs]
    reference = lire_vague(SAMPLES / "vague-06").vague
    columns = ["departement", "qpv", "numerique", "montant", "etp", "video", "lieux", "siret"]
    assert lecture.vague.dossiers[columns].equals(reference.dossiers[columns])


def test_demarches_simplifiees_xlsx_export_current_headers(tmp_path):
    rows = _ds_rows("dossiers_csv_personne_morale_current")
    registry = ecrire(tmp_path / "export.xlsx", {"Dossiers": rows, "Etablissements": [["x"]]})
    lecture = lire_vague(_folder_with_registry(tmp_path, registry))
    assert lecture.vague is not None, [str(c) for c in lecture.constats.erreurs]
    assert lecture.vague.dossiers.loc["V06-001", "montant"] > 0


def test_demarches_simplifiees_export_with_unmapped_fields_says_what_to_edit(tmp_path):
    rows = _ds_rows("dossiers_csv_personne_morale_current")
    header = rows[0]
    header[header.index("Montant de la subvention demandée sur 3 ans")] = "Budget sollicité"
    registry = ecrire(tmp_path / "export.xlsx", {"Dossiers": rows})
    found = only(lire_vague(_folder_with_registry(tmp_path, registry)).constats,
                 "correspondance_incomplete")
    assert found.colonne == "montant" and "correspondance_ds.toml" in found.message
