"""The ``fabriques`` command: the secretariat's entry point to ``scoring`` and ``allocation``."""

from commun.version import VERSION as __version__

__all__ = ["__version__"]
