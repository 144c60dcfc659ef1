"""The installed ``fabriques`` console command."""

import shutil
import subprocess
import sys
from pathlib import Path


def fabriques_executable() -> str:
    """The console script pip installed beside this interpreter (or on PATH)."""
    beside = Path(sys.executable).parent / "fabriques"
    found = str(beside) if beside.exists() else shutil.which("fabriques")
    assert found, "the console script is installed by pip install -e ."
    return found


def test_console_script_prints_help_in_french():
    result = subprocess.run(
        [fabriques_executable(), "--help"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    assert "Fabriques de Territoire" in text
    assert "affiche cette aide" in text


def test_the_command_ends_fast_yet_says_everything_it_printed(capsys):
    """The console script leaves without tearing the interpreter down (``lancer``): what it
    printed to a pipe, block-buffered, still all arrives, with its exit code — the same as
    the verb run in this process."""
    import os

    from fabriques.cli import main

    vague = Path(__file__).resolve().parents[1] / "sample_waves" / "vague-07"
    environnement = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    result = subprocess.run([fabriques_executable(), "check", str(vague)], capture_output=True,
                            text=True, timeout=120, env=environnement)
    attendu = main(["check", str(vague)])
    dit = capsys.readouterr()
    assert result.returncode == attendu == 2  # the sample wave with errors
    assert result.stdout == dit.out and result.stdout.count("\n") > 5
    assert result.stderr == dit.err
