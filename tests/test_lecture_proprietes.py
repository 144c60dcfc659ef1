"""Property-based tests: whatever a cell holds, readers answer with findings, never a crash."""

import copy
import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lecture import valeurs
from lecture.vague import lire_vague
from tests.factories import ecrire, vague_minimale

cellules = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-10**15, 10**15),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["oui", "NON", "x", "2A", "7,5", "1 234,5 €", "=1+1", "  ", "01", "987"]),
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 1, 1)),
)


@settings(max_examples=300)
@given(cellules)
def test_value_parsers_never_raise(value):
    for parser in (valeurs.booleen, valeurs.nombre, valeurs.code_departement,
                   valeurs.code_commune, valeurs.siret):
        result = parser(value)
        assert result.ok or isinstance(result.probleme, str)
    valeurs.texte(value)
    valeurs.cle(value)


# openpyxl refuses some characters in cells (control characters): keep them out of what we
# write, since an xlsx file cannot hold them at all.
cellules_ecrivables = cellules.filter(
    lambda v: not (isinstance(v, str) and any(ord(c) < 32 and c not in "\t\n\r" for c in v))
)


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow,
                                                  HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.tuples(st.sampled_from(["dossiers", "jury", "criteres", "J01", "J02"]),
                       st.integers(0, 5), st.integers(0, 15), cellules_ecrivables),
             min_size=1, max_size=6)
)
def test_wave_reader_answers_with_findings_whatever_the_cells(tmp_path_factory, edits):
    sheets = copy.deepcopy(vague_minimale())
    for sheet, row, column, value in edits:
        rows = sheets[sheet]
        row = min(row, len(rows) - 1)
        while len(rows[row]) <= column:
            rows[row].append(None)
        rows[row][column] = value
    path = ecrire(tmp_path_factory.mktemp("fuzz") / "vague-03.xlsx", sheets)
    lecture = lire_vague(path)
    assert "erreur_inattendue" not in lecture.constats.codes(), [
        str(c) for c in lecture.constats]
    assert (lecture.vague is None) == lecture.constats.a_des_erreurs
    for constat in lecture.constats:
        assert constat.code and constat.message and constat.fichier
