"""The three tests that were computed inside the workbooks, now statistics of their own.

References:

* Welch's t test: R's own example of ``t.test`` (package stats, ``example(t.test)``), the Welch Two Sample
  t-test of ``extra ~ group`` on ``datasets::sleep`` (Cushny & Peebles 1905, as given by Student 1908):
  t = -1.8608, df = 17.776, p-value = 0.07939, 95 percent interval of mean(group 1) - mean(group 2)
  -3.3654832 to 0.2054832; and statsmodels' ``ttest_ind(usevar="unequal")``, an implementation of its own.
* Hanley-McNeil z: the formula of Hanley & McNeil (1983), equation 1 with r = 0, on numbers chosen so that
  z = 2 exactly; the normal tail Phi(-2) = 0.02275013 (Abramowitz & Stegun 1964, table 26.1).
* The look-wise z: statsmodels' ``proportions_ztest`` (pooled variance) on the first ceil(t N) outcomes,
  recomputed look by look with a plain loop.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from statsmodels.stats.proportion import proportions_ztest
from statsmodels.stats.weightstats import ttest_ind as sm_ttest_ind

from mrmkit.errors import InsufficientData, InvalidInput, InvalidParameters
from mrmkit.stats import group_sequential_bounds, hanley_mcneil_test, sequential_looks, welch_t_test

SLEEP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]


# ----------------------------------------------------------------------------------------- Welch's t
def test_welch_reproduces_r_sleep_example():
    r = welch_t_test(SLEEP_1, SLEEP_2)  # difference = mean2 - mean1, the opposite sign of R's
    assert r.t == pytest.approx(1.8608, abs=5e-5)
    assert r.df == pytest.approx(17.776, abs=5e-4)
    assert r.p_value == pytest.approx(0.07939, abs=5e-6)
    assert r.ci == pytest.approx((-0.2054832, 3.3654832), abs=5e-8)
    assert (r.mean1, r.mean2, r.difference) == pytest.approx((0.75, 2.33, 1.58))


@pytest.mark.parametrize("alternative", ["two-sided", "greater", "less"])
@pytest.mark.parametrize("n1, n2, sd2", [(12, 40, 3.0), (300, 25, 0.5), (2000, 2100, 1.0)])
def test_welch_matches_statsmodels(alternative, n1, n2, sd2):
    rng = np.random.default_rng(n1 + n2)
    x1, x2 = rng.gamma(2.0, 3.0, n1), rng.normal(6.3, sd2, n2)
    r = welch_t_test(x1, x2, alternative=alternative)
    sm_alt = {"two-sided": "two-sided", "greater": "larger", "less": "smaller"}[alternative]
    t, p, df = sm_ttest_ind(x2, x1, usevar="unequal", alternative=sm_alt)
    assert (r.t, r.p_value, r.df) == pytest.approx((t, p, df), rel=1e-10)
    assert r.standard_error == pytest.approx(abs(r.difference / r.t), rel=1e-12)


def test_welch_undefined_cases_are_nan_with_a_note():
    one = welch_t_test([3.0], [1.0, 2.0, 4.0])
    assert math.isnan(one.t) and math.isnan(one.p_value) and math.isnan(one.df) and "single value" in one.note
    flat = welch_t_test([2.0, 2.0], [2.0, 2.0, 2.0])
    assert math.isnan(flat.t) and flat.standard_error == 0.0 and "constant" in flat.note
    with pytest.raises(InsufficientData):
        welch_t_test([], [1.0, 2.0])
    with pytest.raises(InvalidInput, match="x2 of welch_t_test must be finite"):
        welch_t_test([1.0, 2.0], [1.0, np.nan])
    with pytest.raises(InvalidParameters, match="'alternative' parameter of welch_t_test"):
        welch_t_test([1.0, 2.0], [1.0, 3.0], alternative="larger")


# ----------------------------------------------------------------------------------- Hanley-McNeil z
def test_hanley_mcneil_worked_example():
    r = hanley_mcneil_test(0.85, 0.03, 0.75, 0.04)  # SE of the difference sqrt(0.03^2 + 0.04^2) = 0.05
    assert r.standard_error == pytest.approx(0.05, rel=1e-15)
    assert r.z == pytest.approx(2.0, rel=1e-14)
    assert r.p_value == pytest.approx(2 * 0.02275013, abs=1e-8)
    assert hanley_mcneil_test(0.85, 0.03, 0.75, 0.04, alternative="greater").p_value == pytest.approx(
        0.02275013, abs=1e-8
    )
    assert hanley_mcneil_test(0.85, 0.03, 0.75, 0.04, alternative="less").p_value == pytest.approx(
        1 - 0.02275013, abs=1e-8
    )
    assert r.ci_diff == pytest.approx((0.1 - 1.959963985 * 0.05, 0.1 + 1.959963985 * 0.05), abs=1e-9)


def test_hanley_mcneil_is_symmetric_and_handles_degenerate_inputs():
    ab, ba = hanley_mcneil_test(0.8, 0.02, 0.7, 0.03), hanley_mcneil_test(0.7, 0.03, 0.8, 0.02)
    assert ab.z == -ba.z and ab.p_value == ba.p_value
    assert hanley_mcneil_test(0.7, 0.0, 0.7, 0.0).p_value == 1.0
    assert math.isinf(hanley_mcneil_test(0.8, 0.0, 0.7, 0.0).z)
    unknown = hanley_mcneil_test(0.8, math.nan, 0.7, 0.02)
    assert math.isnan(unknown.z) and math.isnan(unknown.p_value) and "not known" in unknown.note
    with pytest.raises(InvalidParameters, match="'se_b' parameter of hanley_mcneil_test"):
        hanley_mcneil_test(0.8, 0.02, 0.7, -0.01)
    with pytest.raises(InvalidParameters, match="'auc_a' parameter of hanley_mcneil_test"):
        hanley_mcneil_test(1.2, 0.02, 0.7, 0.01)


# ------------------------------------------------------------------------------------- the look-wise z
def _looks_by_hand(y, group, fractions):
    seen = ~np.isnan(y)
    y, group = y[seen], group[seen]
    out = []
    for t in fractions:
        m = math.ceil(t * y.size)
        yy, gg = y[:m], group[:m]
        counts = np.array([yy[gg == 1].sum(), yy[gg == 0].sum()])
        sizes = np.array([(gg == 1).sum(), (gg == 0).sum()])
        out.append((m, proportions_ztest(counts, sizes)[0] if sizes.min() > 0 else math.nan))
    return out


@pytest.mark.parametrize("alternative", ["two-sided", "greater"])
def test_sequential_looks_match_statsmodels_look_by_look(alternative):
    rng = np.random.default_rng(3)
    n = 4000
    group = (rng.random(n) < 0.4).astype(int)
    y = (rng.random(n) < np.where(group == 1, 0.12, 0.09)).astype(float)
    y[rng.random(n) < 0.3] = np.nan  # declined or not yet observed
    bounds = group_sequential_bounds([0.2, 0.5, 0.8, 1.0], alternative=alternative)
    r = sequential_looks(y, group, bounds)
    expected = _looks_by_hand(y, group, bounds.information_fractions)
    assert r.n_outcomes == tuple(m for m, _ in expected)
    assert r.z_values == pytest.approx([z for _, z in expected], rel=1e-12)
    z, b = np.array(r.z_values), np.array(bounds.boundaries)
    assert r.crossed == tuple((np.abs(z) >= b) if alternative == "two-sided" else (z >= b))
    assert r.n_total == int((~np.isnan(y)).sum()) == r.n_outcomes[-1]
    assert r.first_crossing == (r.crossed.index(True) + 1 if any(r.crossed) else None)


def test_sequential_looks_before_both_groups_have_outcomes():
    y = np.array([0, 1, 0, 1, 0, 0, 1, 0, 1, 0], dtype=float)
    group = np.array([0, 0, 0, 0, 1, 1, 1, 1, 1, 1])
    r = sequential_looks(y, group, group_sequential_bounds([0.3, 1.0]))
    assert r.n_outcomes == (3, 10) and math.isnan(r.z_values[0]) and not r.crossed[0] and "1 look(s)" in r.note
    assert r.z_values[1] == pytest.approx(proportions_ztest([2, 2], [6, 4])[0], rel=1e-12)
    with pytest.raises(InvalidParameters, match="'bounds' parameter of sequential_looks"):
        sequential_looks(y, group, [4.0, 2.0])
    with pytest.raises(InvalidInput, match="y of sequential_looks"):
        sequential_looks(y + 1, group, group_sequential_bounds([0.3, 1.0]))
    with pytest.raises(InvalidInput, match="group of sequential_looks"):
        sequential_looks(y, group[:-1], group_sequential_bounds([0.3, 1.0]))
