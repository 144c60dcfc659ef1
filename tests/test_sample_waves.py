"""The bundled sample waves: reproducible, readable, and faithful to the programme's rules."""

from collections import Counter
from pathlib import Path

import openpyxl
import pytest

from allocation.modele.rythme import bornes_rythme
from sample_waves import generate, programme

SAMPLES = Path(generate.__file__).parent
CRITERES = [c for c, _ in programme.CRITERES]
DOSSIER_COLUMNS = [
    "dossier", "nom", "porteur", "siret", "forme_juridique", "categorie_juridique", "commune",
    "code_commune", "departement", "qpv", "numerique", "montant", "montant_annuel", "etp",
    "embauche_prevue", "video", "lieux",
]
SAMPLE_FILES = sorted(
    str(p.relative_to(SAMPLES)) for p in SAMPLES.rglob("*") if p.suffix in {".xlsx", ".toml"}
)


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    out = tmp_path_factory.mktemp("samples")
    waves = generate.generer(out)
    return out, waves


def test_committed_samples_are_exactly_the_generator_output(regenerated):
    out, _ = regenerated
    produced = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert produced == SAMPLE_FILES
    for name in produced:
        assert (out / name).read_bytes() == (SAMPLES / name).read_bytes(), name


def test_generation_is_deterministic(tmp_path, regenerated):
    out, _ = regenerated
    generate.generer(tmp_path)
    assert (tmp_path / "vague-05.xlsx").read_bytes() == (out / "vague-05.xlsx").read_bytes()


def _rows(path, sheet=None):
    workbook = openpyxl.load_workbook(path, read_only=True)
    ws = workbook[sheet] if sheet else workbook.worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    workbook.close()
    return rows[0], rows[1:]


def test_wave_workbook_has_every_sheet_and_one_grid_per_juror():
    workbook = openpyxl.load_workbook(SAMPLES / "vague-05.xlsx", read_only=True)
    names = workbook.sheetnames
    workbook.close()
    jurors = [f"J{i:02d}" for i in range(1, 11)]
    assert names == ["dossiers", "jury", "criteres", "deports", *jurors]
    header, rows = _rows(SAMPLES / "vague-05.xlsx", "dossiers")
    assert list(header) == DOSSIER_COLUMNS
    assert 150 <= len(rows) <= 300
    header, _ = _rows(SAMPLES / "vague-05.xlsx", "J03")
    assert list(header) == ["dossier", *CRITERES, "commentaire"]


def test_wave_folder_has_dossiers_jury_and_ten_juror_workbooks():
    folder = SAMPLES / "vague-06"
    header, rows = _rows(folder / "dossiers.xlsx", "dossiers")
    assert list(header) == DOSSIER_COLUMNS and 150 <= len(rows) <= 300
    workbook = openpyxl.load_workbook(folder / "jury.xlsx", read_only=True)
    assert workbook.sheetnames == ["jury", "criteres", "deports"]
    workbook.close()
    grids = sorted(p.name for p in (folder / "notes").iterdir())
    assert grids == [f"J{i:02d}.xlsx" for i in range(1, 11)]
    header, rows = _rows(folder / "notes" / "J01.xlsx")
    assert list(header) == ["dossier", "nom", *CRITERES, "commentaire"]
    assert all(isinstance(row[2], int) for row in rows if row[2] is not None)


def test_codes_are_stored_as_text_cells():
    workbook = openpyxl.load_workbook(SAMPLES / "vague-05.xlsx", read_only=True)
    sheet = workbook["dossiers"]
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    columns = [header.index(name) for name in ("siret", "code_commune", "departement")]
    for row in sheet.iter_rows(min_row=2):
        for index in columns:
            if row[index].value is not None:  # a commune left without its code is planted
                assert row[index].data_type == "s", (row[0].value, header[index])
    workbook.close()


def test_jury_has_the_faq_3_2_composition_and_geographic_deports(regenerated):
    _, waves = regenerated
    for nom, wave in waves.items():
        colleges = Counter(j.college for j in wave.jury)
        assert colleges == {"administration": 2, "cntl": 3, "chercheur": 2, "laureat": 3}
        # vague-07 leaves the France Tiers-Lieux seat empty, on purpose (a warning).
        assert any(j.qualite == "France Tiers-Lieux" for j in wave.jury) == (nom != "vague-07")
        with_department = {j.jure: j.departement for j in wave.jury if j.departement}
        assert len(with_department) == 4
        scored = wave.notes[["jure", "dossier"]].drop_duplicates()
        departments = wave.dossiers.set_index("dossier")["departement"]
        for jure, departement in with_department.items():
            theirs = scored[scored["jure"] == jure]["dossier"]
            assert not (theirs.map(departments) == departement).any()


def test_jurors_have_the_personalities_that_make_normalisation_matter(regenerated):
    _, waves = regenerated
    notes = waves["vague-06"].notes
    by_juror = notes.groupby("jure")["note"]
    mean, spread = by_juror.mean(), by_juror.std()
    assert mean["J02"] < mean.median() - 1  # severe
    assert mean["J03"] > mean.median() + 1  # lenient
    assert spread["J04"] < spread.median() * 0.7  # narrow range
    # Each dossier is scored by 6 of the 10 jurors: an incomplete design.
    per_dossier = notes.drop_duplicates(["dossier", "jure"]).groupby("dossier").size()
    assert per_dossier.median() == 6


def test_planted_ineligible_cases_are_present(regenerated):
    _, waves = regenerated
    for name in ("vague-05", "vague-06"):
        wave = waves[name]
        defects = Counter(wave.ineligibles.values())
        for defect in ("ville_centre_hors_qpv", "siret_invalide", "etp_insuffisant",
                       "video_absente", "montant_trop_eleve", "lieu_deja_laureat",
                       "forme_juridique_exclue", "numerique_hors_qpv",
                       # the cases real files hold (issue 13)
                       "outre_mer", "embauche_prevue", "forme_par_code",
                       "forme_exclue_par_code", "forme_a_verifier", "forme_non_reconnue",
                       "qpv_improbable", "montant_annuel_manquant",
                       "montant_annuel_incoherent", "commune_deduite",
                       "ville_centre_sans_code"):
            assert defects[defect] == (2 if defect == "ville_centre_hors_qpv" else 1), defect
        assert defects["lieu_partage"] == 2
        assert any(code.startswith(("132", "693")) for code in wave.dossiers.loc[
            wave.dossiers["dossier"].isin(
                [d for d, x in wave.ineligibles.items() if x == "ville_centre_hors_qpv"]
            ), "code_commune"])


def test_qpv_dossiers_are_in_communes_with_a_qpv(regenerated):
    from lecture import referentiel

    _, waves = regenerated
    with_qpv = referentiel.communes_avec_qpv()
    parents = {f"{a:05d}": v for v, r in referentiel.ARRONDISSEMENTS_MUNICIPAUX.items() for a in r}
    wave = waves["vague-05"]
    dossiers = wave.dossiers
    improbable = [d for d, cas in wave.ineligibles.items() if cas == "qpv_improbable"]
    qpv = dossiers[(dossiers["qpv"] == "oui") & ~dossiers["dossier"].isin(improbable)]
    assert all(parents.get(code, code) in with_qpv for code in qpv["code_commune"])
    assert dossiers["montant"].between(75_000, 150_000).mean() > 0.95


@pytest.mark.parametrize("history_file", ["laureats.xlsx", "vague-06/laureats.xlsx",
                                          "vague-07/laureats.xlsx"])
def test_history_obeys_paces_caps_and_places(history_file):
    header, rows = _rows(SAMPLES / history_file, "laureats")
    assert list(header) == ["dossier", "nom", "lieux", "departement", "qpv", "numerique",
                            "montant", "vague", "annee"]
    records = [dict(zip(header, row, strict=True)) for row in rows]
    assert len({r["lieux"] for r in records}) == len(records)
    cumulative: Counter[str] = Counter()
    found = Counter()
    for wave in sorted({r["vague"] for r in records}):
        current = [r for r in records if r["vague"] == wave]
        assert len(current) <= 30
        counts = {
            "qpv": sum(r["qpv"] == "oui" for r in current),
            "hors_qpv": sum(r["qpv"] == "non" for r in current),
            "numeriques": sum(r["qpv"] == "oui" and r["numerique"] == "oui" for r in current),
        }
        targets = {"qpv": 150, "hors_qpv": 150, "numeriques": 30}
        for category, count in counts.items():
            bounds = bornes_rythme(targets[category], found[category], 10, wave, 2)
            assert bounds.contient(count), (wave, category, count, bounds)
            found[category] += count
        per_department = Counter(r["departement"] for r in current)
        assert max(per_department.values()) <= 2
        cumulative.update(per_department)
        assert max(cumulative.values()) <= 8
        assert all(75_000 <= r["montant"] <= 150_000 for r in current)
    per_year = Counter(r["annee"] for r in records)
    assert max(per_year.values()) <= 100  # cahier des charges: 100 a year at most
    assert all(r["annee"] == programme.annee_de_la_vague(r["vague"]) for r in records)
    waves = {r["vague"] for r in records}
    assert waves == {"laureats.xlsx": {1, 2, 3, 4}, "vague-06/laureats.xlsx": {1, 2, 3, 4, 5},
                     "vague-07/laureats.xlsx": {1, 2, 3, 4, 5, 6}}[history_file]
    if history_file == "laureats.xlsx":
        assert 110 <= len(records) <= 125
