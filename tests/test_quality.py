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
