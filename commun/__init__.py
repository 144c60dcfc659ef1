"""What every layer may use and none owns: the installed version, for provenance."""
