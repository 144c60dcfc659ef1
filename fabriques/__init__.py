"""The ``fabriques`` command: the secretariat's entry point to ``scoring`` and ``allocation``."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("fabriques")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
