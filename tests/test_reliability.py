"""Agreement statistics against values published in the literature."""

import math

import numpy as np
import pandas as pd
import pytest

from notation.reliability import icc, icc_details, kendall_w, krippendorff_alpha

# Shrout, P. E. & Fleiss, J. L. (1979). Intraclass correlations: uses in assessing rater
# reliability. Psychological Bulletin 86(2), 420-428 — Table 2 (6 targets, 4 judges) and
# the values of Table 4: ICC(1,1)=.17, ICC(2,1)=.29, ICC(3,1)=.71, ICC(1,4)=.44,
# ICC(2,4)=.62, ICC(3,4)=.91.
SHROUT_FLEISS = pd.DataFrame(
    [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]],
    columns=["J1", "J2", "J3", "J4"],
)

# Krippendorff, K. (2011). Computing Krippendorff's Alpha-Reliability, section C: 4
# observers, 12 units, with missing values. Published: nominal .743, ordinal .815,
# interval .849, ratio .797. Rows here are units (dossiers), columns observers (jurors).
KRIPPENDORFF_2011 = pd.DataFrame(
    {
        "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, np.nan, np.nan, np.nan],
        "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, np.nan, 3],
        "C": [np.nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, np.nan],
        "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, np.nan],
    }
)

# The 3 observers x 15 units example of Krippendorff's alpha (Wikipedia article, also the
# test data of the `krippendorff` Python package): nominal 0.691358, interval 0.810845.
WIKIPEDIA = pd.DataFrame(
    {
        "A": [np.nan] * 5 + [3, 4, 1, 2, 1, 1, 3, 3, np.nan, 3],
        "B": [1, np.nan, 2, 1, 3, 3, 4, 3] + [np.nan] * 7,
        "C": [np.nan, np.nan, 2, 1, 3, 4, 4, np.nan, 2, 1, 1, 3, 3, np.nan, 4],
    }
)

# The `anxiety` data of R's irr package (20 subjects, 3 raters). Kendall's W corrected for
# ties, as published in the documentation of DescTools::KendallW (formerly irr::kendall):
# KendallW(anxiety, correct = TRUE) = 0.5396569.
ANXIETY = pd.DataFrame(
    {
        "rater1": [3, 3, 3, 4, 5, 5, 2, 3, 5, 2, 2, 6, 1, 5, 2, 2, 1, 2, 4, 3],
        "rater2": [3, 6, 4, 6, 2, 4, 2, 4, 3, 3, 2, 3, 3, 3, 2, 2, 1, 3, 3, 4],
        "rater3": [2, 1, 4, 4, 3, 2, 1, 6, 1, 1, 1, 2, 3, 3, 1, 1, 3, 3, 2, 2],
    }
)


def test_icc_reproduces_shrout_fleiss_table_4():
    values = icc(SHROUT_FLEISS)
    published = {"ICC1": 0.17, "ICC2": 0.29, "ICC3": 0.71,
                 "ICC1k": 0.44, "ICC2k": 0.62, "ICC3k": 0.91}
    assert set(values) == set(published)
    for key, expected in published.items():
        assert round(values[key], 2) == expected, key


def test_icc_anova_mean_squares_match_shrout_fleiss_table_2():
    # Table 2 of the paper: BMS 11.24, WMS 6.26, JMS 32.49, EMS 1.02.
    details = icc_details(SHROUT_FLEISS)
    assert round(details.bms, 2) == 11.24
    assert round(details.wms, 2) == 6.26
    assert round(details.jms, 2) == 32.49
    assert round(details.ems, 2) == 1.02


def test_icc_on_incomplete_design_reports_dropped_dossiers_and_stays_close():
    incomplete = SHROUT_FLEISS.astype(float).copy()
    incomplete.iloc[0, 1] = np.nan
    incomplete.loc[len(incomplete)] = [5.0, np.nan, np.nan, np.nan]  # one note: unusable
    details = icc_details(incomplete)
    assert details.dossiers_ecartes == 1 and details.dossiers_utilises == 6
    assert abs(details.valeurs["ICC3"] - 0.71) < 0.1


@pytest.mark.parametrize(
    ("level", "published"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_krippendorff_alpha_reproduces_krippendorff_2011(level, published):
    assert round(krippendorff_alpha(KRIPPENDORFF_2011, level), 3) == published


@pytest.mark.parametrize(("level", "published"), [("nominal", 0.691358), ("interval", 0.810845)])
def test_krippendorff_alpha_reproduces_the_wikipedia_example(level, published):
    assert round(krippendorff_alpha(WIKIPEDIA, level), 6) == published


def test_kendall_w_with_tie_correction_reproduces_irr_anxiety():
    assert round(kendall_w(ANXIETY), 7) == 0.5396569


def test_kendall_w_is_one_for_identical_rankings_and_handles_missing_notes():
    perfect = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 3, 4, 5, 6], "c": [1, 2, 3, 4, 9]})
    assert kendall_w(perfect) == pytest.approx(1.0)
    holes = perfect.astype(float)
    holes.iloc[0, 0] = np.nan
    assert kendall_w(holes) == pytest.approx(1.0)  # every pair still agrees perfectly
    noisy = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [5, 4, 3, 2, 1]})
    assert kendall_w(noisy) == pytest.approx(0.0)


def test_statistics_are_nan_rather_than_crash_on_degenerate_input():
    single = pd.DataFrame({"a": [1.0, np.nan], "b": [np.nan, 2.0]})
    assert math.isnan(krippendorff_alpha(single, "interval"))
    assert math.isnan(kendall_w(single))
    assert all(math.isnan(v) for v in icc(single).values())
