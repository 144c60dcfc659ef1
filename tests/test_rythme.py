"""The pace rule of SPEC §4 on hand-computed cases."""

import pytest

from allocation.modele.rythme import bornes_rythme


def test_first_wave_of_ten_paces_fifteen_per_category():
    bornes = bornes_rythme(cible=150, deja_laureats=0, nombre_vagues=10, numero=1, tolerance=2)
    assert (bornes.minimum, bornes.maximum, bornes.rythme) == (13, 17, 15.0)


def test_fractional_pace_uses_floor_and_ceil():
    # 30 numériques, 7 found, wave 5 of 10: 23 left over 6 waves, p = 3.83.
    bornes = bornes_rythme(cible=30, deja_laureats=7, nombre_vagues=10, numero=5, tolerance=2)
    assert (bornes.minimum, bornes.maximum) == (1, 6)


def test_last_wave_must_close_the_gap_but_never_exceed_the_remainder():
    bornes = bornes_rythme(cible=150, deja_laureats=140, nombre_vagues=10, numero=10, tolerance=2)
    assert (bornes.minimum, bornes.maximum) == (8, 10)


def test_target_already_met_closes_the_category():
    bornes = bornes_rythme(cible=30, deja_laureats=31, nombre_vagues=10, numero=8, tolerance=2)
    assert (bornes.minimum, bornes.maximum) == (0, 0)


def test_wave_number_beyond_the_programme_is_refused():
    with pytest.raises(ValueError):
        bornes_rythme(cible=150, deja_laureats=0, nombre_vagues=10, numero=11, tolerance=2)
