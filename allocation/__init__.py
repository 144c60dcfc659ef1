"""From the dossiers' scores to the decision: the wave problem and its rule catalogue
(:mod:`.modele`), the solver (:mod:`.resolution`), the reserve list, explanations,
uncertainty and trade-offs (:mod:`.analyses`), and the decision's workbooks and letters
(:mod:`.sorties`)."""
