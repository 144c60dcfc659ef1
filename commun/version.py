"""The installed version of fabriques, written into every output's provenance."""

from importlib.metadata import PackageNotFoundError, version

try:
    VERSION = version("fabriques")
except PackageNotFoundError:  # run from a checkout that was never installed
    VERSION = "0.0.0"
