"""Static checks run with the suite, so CI enforces them: ruff everywhere, mypy on packages."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_finds_nothing():
    beside = Path(sys.executable).parent / "ruff"
    ruff = str(beside) if beside.exists() else shutil.which("ruff")
    if ruff is None:
        pytest.fail("ruff is part of the [test] extra")
    result = subprocess.run([ruff, "check", str(ROOT)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_finds_nothing():
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml")],
        capture_output=True, text=True, cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_import_linter_contracts_hold():
    """The layers of pyproject.toml: no lower layer imports a higher one, the domain never
    imports streamlit, and no package has an import cycle."""
    beside = Path(sys.executable).parent / "lint-imports"
    commande = str(beside) if beside.exists() else shutil.which("lint-imports")
    if commande is None:
        pytest.fail("import-linter is part of the [test] extra")
    result = subprocess.run([commande, "--config", str(ROOT / "pyproject.toml")],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def _codes_signales() -> dict[str, list[str]]:
    """Every finding code the sources report, with where (a code must be a literal)."""
    import ast

    trouves: dict[str, list[str]] = {}
    for paquet in ("commun", "scoring", "allocation", "application", "fabriques", "interface"):
        for chemin in sorted((ROOT / paquet).glob("**/*.py")):
            for noeud in ast.walk(ast.parse(chemin.read_text("utf-8"))):
                if not isinstance(noeud, ast.Call):
                    continue
                lieu = f"{chemin}:{noeud.lineno}"
                if isinstance(noeud.func, ast.Name) and noeud.func.id == "ColonneDossier":
                    # a column of the dossiers schema names its codes as data
                    for mot in noeud.keywords:
                        if mot.arg in ("invalide", "reparee"):
                            trouves.setdefault(ast.literal_eval(mot.value), []).append(lieu)
                        elif mot.arg == "vide":
                            trouves.setdefault(ast.literal_eval(mot.value)[0], []).append(lieu)
                elif isinstance(noeud.func, ast.Attribute) and noeud.func.attr == "signaler":
                    premier = noeud.args[0]
                    if isinstance(premier, ast.Constant):
                        trouves.setdefault(premier.value, []).append(lieu)
                    else:  # only the schema's reader passes a code it holds as data
                        assert ast.unparse(premier).startswith("colonne."), lieu
    return trouves


def test_every_finding_code_is_declared_once_and_used():
    from commun.constats import CODES

    signales = _codes_signales()
    assert sorted(set(signales) - set(CODES)) == []
    assert sorted(set(CODES) - set(signales)) == []


def test_an_undeclared_finding_code_is_refused():
    from commun.constats import Constats

    with pytest.raises(KeyError):
        Constats().signaler("code_invente", "message")
