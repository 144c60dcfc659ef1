"""The ``fabriques`` command: the secretariat's entry point to the application service."""

from commun.version import VERSION as __version__

__all__ = ["__version__"]
