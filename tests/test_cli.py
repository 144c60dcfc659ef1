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
