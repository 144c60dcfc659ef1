"""The one provenance type: written as sheet rows, read back identical."""

from hypothesis import given
from hypothesis import strategies as st

from commun.provenance import AUCUN, BIBLIOTHEQUES, Provenance

noms = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1,
               max_size=20).filter(lambda n: n != "historique")
empreintes = st.lists(st.tuples(noms, st.text("0123456789abcdef", min_size=64, max_size=64)),
                      unique_by=lambda e: e[0], max_size=6)


@given(st.text(min_size=1, max_size=30), empreintes,
       st.one_of(st.none(), st.just(AUCUN), st.text("0123456789abcdef", min_size=64,
                                                    max_size=64)),
       st.lists(st.text(min_size=1, max_size=12), min_size=1 + len(BIBLIOTHEQUES),
                max_size=1 + len(BIBLIOTHEQUES)))
def test_provenance_reads_back_what_it_writes(vague, fichiers, historique, versions):
    """The software versions too: read back, they are the run's, not this machine's."""
    logiciels = tuple(zip(("python", *BIBLIOTHEQUES), versions, strict=True))
    ecrite = Provenance(vague, tuple(fichiers), historique, "1.2.3", "2026-12-04 10:00 UTC",
                        logiciels)
    assert Provenance.lire(dict(ecrite.lignes())) == ecrite


def test_changed_or_missing_files_are_named():
    ecrite = Provenance("vague-06", (("a.xlsx", "1" * 64), ("b.xlsx", "2" * 64)), AUCUN)
    attendues = [("a.xlsx", "1" * 64), ("b.xlsx", "3" * 64), ("c.xlsx", "4" * 64)]
    assert ecrite.fichiers_differents(attendues) == ["b.xlsx", "c.xlsx"]


def test_library_versions_read_from_the_modules_are_the_installed_ones():
    from importlib.metadata import version

    from commun.provenance import BIBLIOTHEQUES, version_de

    assert {n: version_de(n) for n in BIBLIOTHEQUES} == {n: version(n) for n in BIBLIOTHEQUES}
