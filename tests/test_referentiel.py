"""The bundled reference data: complete, codes kept as text, consistent across files."""

from lecture import referentiel


def test_101_departements_and_6_collectivites_with_text_codes_and_population():
    table = referentiel.departements()
    assert len(table) == 101 + 6
    assert {"01", "2A", "2B", "971", "972", "973", "974", "976"} <= set(table.index)
    # FAQ 2.7: « y compris dans les départements et collectivités d'outre-mer »
    assert {"975", "977", "978", "986", "987", "988"} <= set(table.index)
    assert (table["zone"] == "com").sum() == 6
    assert "20" not in table.index and "1" not in table.index
    assert table.loc["2A", "nom"] == "Corse-du-Sud"
    assert (table["population"] > 0).all()


def test_communes_include_the_municipal_arrondissements():
    communes = referentiel.communes()
    arrondissements = communes[communes["type"] == "arrondissement-municipal"]
    assert len(arrondissements) == 20 + 9 + 16
    assert communes.loc["01001", "departement"] == "01"
    assert communes.loc["75118", "nom"].startswith("Paris 18e")


def test_excluded_ville_centres_are_the_23_communes_plus_45_arrondissements():
    exclues = referentiel.communes_villes_centres_exclues()
    assert len(referentiel.VILLES_CENTRES_METROPOLES) == 23
    assert len(exclues) == 23 + 45
    assert {"13001", "13055", "75056", "75101", "75120", "69381", "69389", "13216"} <= exclues
    assert "75121" not in exclues and "69390" not in exclues
    assert exclues <= set(referentiel.communes().index)


def test_every_metropole_ville_centre_is_excluded():
    # The open data names each métropole's most populous commune: the AMI's list must
    # contain all 22 of them (plus Aix-en-Provence, which the AMI adds).
    metropoles = referentiel.metropoles()
    assert len(metropoles) == 22
    centres = set(metropoles["commune_la_plus_peuplee_code"])
    assert centres <= set(referentiel.VILLES_CENTRES_METROPOLES)
    assert set(referentiel.VILLES_CENTRES_METROPOLES) - centres == {"13001"}


def test_qpv_communes_and_map_match_the_department_list():
    assert len(referentiel.qpv()) == 1584
    assert "93066" in referentiel.communes_avec_qpv()  # Saint-Denis (93)
    geojson = referentiel.departements_geojson()
    codes = {feature["properties"]["code"] for feature in geojson["features"]}
    table = referentiel.departements()
    assert codes == set(table.index[table["zone"] != "com"])


def test_every_bundled_table_is_read_as_pandas_own_reader_reads_it(monkeypatch):
    """``_read_csv`` parses with Arrow for speed: every table the loaders read equals, in
    values, types, missing values and column order, what ``pd.read_csv`` gives."""
    import pandas as pd

    lu = referentiel._read_csv
    comparees: list[str] = []

    def compare(name, text_columns, usecols=None):
        table = lu(name, text_columns, usecols)
        with (referentiel._DATA / name).open("rb") as handle:
            attendue = pd.read_csv(handle, encoding="utf-8", usecols=usecols,
                                   dtype=dict.fromkeys(text_columns, "string"))
        pd.testing.assert_frame_equal(table, attendue, check_exact=True)
        comparees.append(name)
        return table

    monkeypatch.setattr(referentiel, "_read_csv", compare)
    chargeurs = [referentiel.departements, referentiel.communes, referentiel.qpv,
                 referentiel.metropoles]
    for chargeur in chargeurs:
        chargeur.cache_clear()
    try:
        for chargeur in chargeurs:
            chargeur()
    finally:
        for chargeur in chargeurs:
            chargeur.cache_clear()
    assert sorted(comparees) == ["communes.csv", "departements.csv", "metropoles.csv",
                                 "qpv2024.csv"]
