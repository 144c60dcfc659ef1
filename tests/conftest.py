"""Test configuration: hypothesis runs derandomised in CI so a red build is reproducible;
journals are written outside the repository."""

import gc
import os
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture(autouse=True)
def journaux_a_part(tmp_path_factory: pytest.TempPathFactory,
                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test keeps the journals it writes in a folder of its own, never beside the
    bundled sample waves (tests that check the default place unset the variable)."""
    monkeypatch.setenv("FABRIQUES_JOURNAUX", str(tmp_path_factory.mktemp("journaux")))


@pytest.fixture(autouse=True)
def ramasse_miettes_rendu() -> Iterator[None]:
    """The command line sets what is alive aside from the garbage collector for the rest of
    its process (:func:`fabriques.verbes.mettre_de_cote`); the tests run many commands in one
    process, so each test gives it back."""
    yield
    gc.unfreeze()
