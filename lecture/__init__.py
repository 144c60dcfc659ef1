"""Everything the tool reads, checked as it is read: the wave's workbooks or folders, the
jurors' grids, démarches-simplifiées exports, the programme file and its history, the
reference tables — into the validated wave (:mod:`.modele`) and its findings, in one call
(:mod:`.chargement`)."""
