"""The wave problem and its inputs: the programme's rules and history, eligibility, pacing,
the problem itself and the rule catalogue."""
