"""From the jurors' notes to one score per dossier: the scoring methods and their registry
(:mod:`.methodes`), ``auto``'s choice by cross-validation, the jurors' calibration model,
the jury's agreement and each juror's profile, the uncertainty of every score, the jury
resampled, and the score workbook."""
