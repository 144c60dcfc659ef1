"""The README's two set-up commands are the ones CI and users actually run."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)```", text, flags=re.S)
    return [block.strip() for block in blocks[:2]]


def test_readme_has_an_app_command_and_a_test_command():
    app, tests = _commands()
    assert "streamlit run app_streamlit.py" in app and "pip install -e ." in app
    assert 'pip install -e ".[test]"' in tests and "pytest" in tests


def test_ci_runs_the_readme_test_command_word_for_word():
    _, tests = _commands()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert tests in ci.splitlines()


# ----------------------------------------------------- the secretariat's sequence, twice
import hashlib  # noqa: E402
import shlex  # noqa: E402
import shutil  # noqa: E402

import pytest  # noqa: E402

SEQUENCE = "### Toute la séquence du secrétariat"


def _sequence() -> list[list[str]]:
    """The commands of the README's sequence block, continuation lines joined, comments
    left out, ``&&`` chains split."""
    texte = (ROOT / "README.md").read_text(encoding="utf-8")
    bloc = re.search(r"```bash\n(.*?)```", texte.split(SEQUENCE, 1)[1], flags=re.S)
    assert bloc is not None
    lignes = bloc.group(1).replace("\\\n", " ").splitlines()
    commandes = []
    for ligne in lignes:
        if ligne.strip() and not ligne.lstrip().startswith("#"):
            commandes += [shlex.split(morceau) for morceau in ligne.split("&&")]
    return commandes


def _jouer(commande: list[str]) -> int:
    """One command of the sequence: ``fabriques`` in process, the few shell commands it
    uses done by Python (nothing else is allowed in the block)."""
    from fabriques.cli import main

    programme, *arguments = commande
    if programme.endswith("/fabriques"):
        return main(arguments)
    if programme == "rm" and arguments[0] == "-rf":
        for cible in arguments[1:]:
            shutil.rmtree(cible, ignore_errors=True)
        return 0
    if programme == "mkdir":
        for cible in (a for a in arguments if not a.startswith("-")):
            Path(cible).mkdir(parents=True, exist_ok=True)
        return 0
    if programme == "cp" and arguments[0] == "-r":
        *sources, cible = arguments[1:]
        for source in map(Path, sources):
            destination = Path(cible) / source.name
            (shutil.copytree if source.is_dir() else shutil.copy)(source, destination)
        return 0
    raise AssertionError(f"commande non prise en charge par le test : {commande}")


def _empreintes(dossier: Path) -> dict[str, str]:
    return {str(p.relative_to(dossier)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(dossier.rglob("*")) if p.is_file()
            and "__pycache__" not in p.parts}


@pytest.fixture
def copie_du_depot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder where the README's relative paths resolve: ``sample_waves`` is the
    repository's own (linked, so that a command writing into it would be caught)."""
    (tmp_path / "sample_waves").symlink_to(ROOT / "sample_waves")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_secretariats_sequence_runs_twice_and_leaves_the_samples_intact(copie_du_depot):
    avant = _empreintes(ROOT / "sample_waves")
    commandes = _sequence()
    assert any("record" in c for c in commandes) and any("seance" in c for c in commandes)
    for tour in (1, 2):
        for commande in commandes:
            assert _jouer(commande) == 0, (tour, commande)
    assert _empreintes(ROOT / "sample_waves") == avant
    assert (copie_du_depot / "travail" / "proces-verbal.pdf").stat().st_size > 0


def test_the_sequence_with_a_grid_filed_under_another_juror_stops_at_check(copie_du_depot,
                                                                          capsys):
    """J02's grid saved as J01's: check stops on one located error naming both jurors."""
    commandes = _sequence()
    verification = next(i for i, c in enumerate(commandes) if "check" in c)
    for commande in commandes[:verification]:
        assert _jouer(commande) == 0, commande
    notes = copie_du_depot / "travail" / "vague-08" / "notes"
    shutil.copy(notes / "J02.xlsx", notes / "J01.xlsx")
    capsys.readouterr()
    assert _jouer(commandes[verification]) == 2
    erreurs = [ligne for ligne in capsys.readouterr().out.splitlines()
               if ligne.startswith("[ERREUR]")]
    assert len(erreurs) == 1
    assert "notes/J01.xlsx" in erreurs[0] and "J01" in erreurs[0] and "J02" in erreurs[0]
