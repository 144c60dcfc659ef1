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


def test_last_wave_must_close_the_gap_exactly():
    # No tolerance below the remainder at the last wave: the programme ends on its targets
    # (with a tolerance of 2, ten waves could otherwise end at 28 numériques out of 30).
    bornes = bornes_rythme(cible=150, deja_laureats=140, nombre_vagues=10, numero=10, tolerance=2)
    assert (bornes.minimum, bornes.maximum) == (10, 10)
    bornes = bornes_rythme(cible=30, deja_laureats=28, nombre_vagues=10, numero=10, tolerance=2)
    assert (bornes.minimum, bornes.maximum) == (2, 2)


def test_before_the_last_wave_the_remainder_stays_reachable():
    # 9 waves of 1 numérique each: 21 remain for the last wave, more than it may take.
    # Wave 9 of 10, 30 - 8 = 22 to find, the last wave takes at most 5 (say): at least 17 now.
    bornes = bornes_rythme(cible=30, deja_laureats=8, nombre_vagues=10, numero=9, tolerance=2,
                           capacite=5)
    assert bornes.minimum == 22 - 5
    assert bornes.maximum >= bornes.minimum
    # On pace, the floor is the tolerance's, as SPEC §4 writes it.
    bornes = bornes_rythme(cible=150, deja_laureats=60, nombre_vagues=10, numero=5, tolerance=2,
                           capacite=30)
    assert (bornes.minimum, bornes.maximum) == (13, 17)


def test_ten_recorded_waves_reach_every_target():
    # Each wave takes the least the pace allows: the targets are still met at the end.
    for cible, tolerance in ((30, 2), (150, 2), (150, 5), (7, 1)):
        deja = 0
        for numero in range(1, 11):
            bornes = bornes_rythme(cible, deja, 10, numero, tolerance, capacite=30)
            deja += bornes.minimum
        assert deja == cible, (cible, tolerance)


def test_target_already_met_closes_the_category():
    bornes = bornes_rythme(cible=30, deja_laureats=31, nombre_vagues=10, numero=8, tolerance=2)
    assert (bornes.minimum, bornes.maximum) == (0, 0)


def test_wave_number_beyond_the_programme_is_refused():
    with pytest.raises(ValueError):
        bornes_rythme(cible=150, deja_laureats=0, nombre_vagues=10, numero=11, tolerance=2)
