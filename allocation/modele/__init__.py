"""The wave problem (:mod:`.probleme`), the pace (:mod:`.rythme`), the one tie-break
(:mod:`.departage`) and the rule catalogue: rows (:mod:`.regles`), rules on single dossiers
(:mod:`.regles_dossier`), optional goals (:mod:`.objectifs`) and the checks generated from
them (:mod:`.verification`)."""
