"""What is derived from a solved wave: the decision (reserve list, explanations) and the
trade-offs (rule prices, Pareto frontiers, robustness)."""
