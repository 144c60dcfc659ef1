"""Normalisation methods: hand-computed cases, recovery of planted juror biases, and the
``bias`` method beating ``raw`` when jurors score different subsets."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from notation.normalisation import METHODES, noter
from sample_waves.programme import CRITERES
from sample_waves.vague import generer_vague
from tests.factories import vague_en_memoire

# D1 scored 8 by a lenient juror and 4 by a severe one; D2 only by the lenient one (6).
LENIENT_SEVERE = [("D1", "J1", "c", 8), ("D1", "J2", "c", 4), ("D2", "J1", "c", 6)]


def test_raw_is_the_mean_of_the_notes_and_cannot_see_the_lenient_juror():
    scores = noter(vague_en_memoire(LENIENT_SEVERE), "raw").score
    assert scores.to_dict() == {"D1": 6.0, "D2": 6.0}


def test_bias_solves_the_additive_model_exactly():
    # note = quality + bias, biases sum to zero: b1 - b2 = 4 → b1 = 2, b2 = -2, so D1 = 6
    # and D2 = 6 - 2 = 4: D2's only note came from the lenient juror.
    result = noter(vague_en_memoire(LENIENT_SEVERE), "bias")
    assert result.score.to_dict() == pytest.approx({"D1": 6.0, "D2": 4.0})
    assert result.biais.loc[["J1", "J2"], "c"].tolist() == pytest.approx([2.0, -2.0])


def test_trimmed_median_and_weights():
    notes = [("D1", f"J{i}", "a", n) for i, n in enumerate([2, 6, 7, 10], start=1)]
    notes += [("D1", "J1", "b", 0.0)]
    vague = vague_en_memoire(notes, poids={"a": 3.0, "b": 1.0})
    assert noter(vague, "trimmed").par_critere.loc["D1", "a"] == 6.5
    assert noter(vague, "median").par_critere.loc["D1", "a"] == 6.5
    assert noter(vague, "raw").score["D1"] == pytest.approx((3 * 6.25 + 0) / 4)
    assert noter(vague, "raw", poids={"a": 1, "b": 1}).score["D1"] == pytest.approx(6.25 / 2)


def test_disconnected_jurors_are_reported():
    notes = [("D1", "J1", "c", 5), ("D1", "J2", "c", 7), ("D2", "J3", "c", 5),
             ("D2", "J4", "c", 3)]
    result = noter(vague_en_memoire(notes), "bias")
    assert len(result.avertissements) == 1 and "2 groupes" in result.avertissements[0]


def _generated_wave(seed):
    from lecture.modele import Critere, Jure, Vague

    rng = np.random.default_rng(seed)
    wave = generer_vague(rng, 7, 200, [], planter_ineligibles=False)
    dossiers = wave.dossiers.set_index("dossier")
    vague = Vague(
        nom="g", numero=7, chemin=None, dossiers=dossiers,  # type: ignore[arg-type]
        jury=tuple(Jure(j.jure, j.nom, j.college, j.departement) for j in wave.jury),
        criteres=tuple(Critere(c, c, 1.0, 0, 10) for c, _ in CRITERES),
        deports=frozenset(), notes=wave.notes.astype({"note": float}),
        notes_ecartees=wave.notes.iloc[0:0], sources=(),
    )
    return vague, wave


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_bias_recovers_the_planted_juror_biases(seed):
    vague, wave = _generated_wave(seed)
    fitted = noter(vague, "bias").biais.mean(axis=1)
    planted = pd.Series({j.jure: j.personnalite.decalage for j in wave.jury})
    planted -= planted.mean()  # biases are identified up to their mean
    assert (fitted - planted).abs().max() < 0.3
    assert np.corrcoef(fitted, planted[fitted.index])[0, 1] > 0.97


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_bias_beats_raw_when_jurors_score_different_subsets(seed):
    vague, wave = _generated_wave(seed)
    truth = wave.qualite

    def agreement(method):
        scores = noter(vague, method).score
        return scores.rank().corr(truth[vague.dossiers.index].rank())  # Spearman

    assert agreement("bias") > agreement("raw") + 0.01


notes_strategy = st.lists(
    st.tuples(st.sampled_from(["D1", "D2", "D3", "D4"]), st.sampled_from(["J1", "J2", "J3"]),
              st.sampled_from(["a", "b"]), st.integers(0, 10)),
    min_size=1, max_size=30, unique_by=lambda t: t[:3],
)


@settings(max_examples=80, deadline=None)
@given(notes_strategy)
def test_every_method_scores_on_the_notes_scale(notes):
    vague = vague_en_memoire(notes)
    for method in METHODES:
        result = noter(vague, method)
        values = result.par_critere.stack().dropna()
        assert ((values >= 0) & (values <= 10)).all(), method
        scored = {d for d, *_ in notes}
        assert set(result.score.dropna().index) == scored, method


def test_unknown_method_is_refused():
    with pytest.raises(ValueError, match="méthode inconnue"):
        noter(vague_en_memoire(LENIENT_SEVERE), "magic")
