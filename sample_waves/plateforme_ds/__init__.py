"""What démarches-simplifiées writes for a dossier, as the platform's own code writes it:
the xlsx and csv exports and the GraphQL API's answer.

Read from the platform's public repository ``demarches-simplifiees/demarches-simplifiees.fr``
at commit :data:`COMMIT` (2026-01-15, the commit of the published schema the tests serve).
Each rule below names the file it follows; ``tests/ds/PROVENANCE.md`` gives the whole table.
The sample wave ``vague-07`` and the tests' local platform are made from this package, so that
the fixtures follow the platform and not an idea of it. The product never imports it.

A dossier is held here the way the platform holds it (typed champ values, the applicant's
établissement: :mod:`.modele`); :func:`.export.classeur_export`, :func:`.export.csv_export`
and :func:`.api.noeud_api` render it; :mod:`.demarche` is the sample démarche « Fabriques de
Territoire » and its dossiers made from plain ``dossiers`` rows.
"""

COMMIT = "e1338d79114265bb1ee774235e1be64962e60d09"
