"""Before the notes: which jurors read which dossiers (``fabriques repartir``), and the score
sheets sent to them.

:mod:`.probleme` builds the assignment problem from a prepared wave (eligible dossiers,
déports and conflicts, colleges, strata); :mod:`.solveur` solves it as one integer program
and says which rule to relax when no assignment exists; :mod:`.grilles` writes the
``affectation.xlsx`` workbook and one locked, validated grid per juror.
"""
