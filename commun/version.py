"""The version of fabriques, written into every output's provenance; the package metadata
(pyproject.toml) reads it from here."""

VERSION = "0.1.0"
