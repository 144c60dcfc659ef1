"""Solving the wave problem: the HiGHS engine generated from the catalogue, the one solver
entry point, and the named LP model for audit."""
