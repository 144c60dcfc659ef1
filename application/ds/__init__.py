"""démarches-simplifiées: the API client, the import of a wave's dossiers and the publication of
the decision (see ``fabriques ds``)."""
