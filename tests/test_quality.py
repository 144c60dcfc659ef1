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


def _contrats() -> dict:
    import tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["importlinter"]


def test_the_app_script_reaches_the_domain_only_through_the_pages():
    """app_streamlit.py is a module, which import-linter cannot take as a root: its imports
    are held here to the front ends' contract (the application service and commun only)."""
    import ast

    contrat = next(c for c in _contrats()["contracts"]
                   if c["type"] == "forbidden" and "interface" in c["source_modules"])
    arbre = ast.parse((ROOT / "app_streamlit.py").read_text("utf-8"))
    importes = {n.module for n in ast.walk(arbre) if isinstance(n, ast.ImportFrom) and n.module}
    importes |= {a.name for n in ast.walk(arbre) if isinstance(n, ast.Import) for a in n.names}
    assert "interface" in {m.split(".")[0] for m in importes}
    assert not {m.split(".")[0] for m in importes} & set(contrat["forbidden_modules"])


def _sources() -> list[tuple[Path, object]]:
    """Every module of the tool (the packages import-linter checks, without the bench and
    the sample generator), parsed."""
    import ast

    paquets = [p for p in _contrats()["root_packages"] if p not in ("bench", "sample_waves")]
    return [(chemin, ast.parse(chemin.read_text("utf-8")))
            for paquet in paquets for chemin in sorted((ROOT / paquet).glob("**/*.py"))]


def test_every_finding_code_is_declared_once_and_used():
    """A code reported as a literal is declared in commun.constats.CODES (a code held as
    data, as the dossiers schema holds its own, is checked when reported: an undeclared
    one raises); and every declared code is written somewhere else in the sources."""
    import ast

    from commun.constats import CODES

    signales, ecrits = set(), set()
    for chemin, arbre in _sources():
        for noeud in ast.walk(arbre):  # type: ignore[arg-type]
            if (isinstance(noeud, ast.Call) and isinstance(noeud.func, ast.Attribute)
                    and noeud.func.attr == "signaler"
                    and isinstance(noeud.args[0], ast.Constant)):
                signales.add(noeud.args[0].value)
            if (isinstance(noeud, ast.Constant) and noeud.value in CODES
                    and chemin != ROOT / "commun" / "constats.py"):
                ecrits.add(noeud.value)
    assert sorted(signales - set(CODES)) == []
    assert sorted(set(CODES) - ecrits) == []


def test_an_undeclared_finding_code_is_refused():
    from commun.constats import Constats

    with pytest.raises(KeyError):
        Constats().signaler("code_invente", "message")
