"""PD back-tests and stability statistics, checked against independent references.

Published reference values (each cited again beside its test):
* Jeffreys test: Roesch, D. & Scheule, H., Deep Credit Risk training notes, "Jeffreys prior test"
  (training.deepcreditrisk.com/JP.html): n = 6, d = 2, PD = 0.0367 gives the posterior CDF 0.0044.
* Matrix weighted bandwidth: MathWorks Risk Management Toolbox R2026a documentation of
  ``risk.validation.matrixWeightedBandwidth`` (which cites ECB 2019, section 2.5.5.1): for its 5 x 5
  ``CountMatrix`` the printed result is ``lowerUpperMWB = 0.3306 0.6066``.
* AUC variance: pROC on its aSAH data (Robin et al. 2011), var(roc(outcome, s100b), DeLong) =
  0.00266868245717244, from pROC's tests/testthat/test-var.R (as in test_stats_discrimination.py).
Formulas written out independently here: scipy.stats.binom / beta / chi2 / norm; the closed forms of
the chi-square survival function with 3 df and of the Beta(1/2, 3/2) CDF; Spiegelhalter's z in the form
of ``rms::val.prob`` (Harrell); sklearn.metrics.brier_score_loss; statsmodels' Jeffreys interval;
pandas crosstab, groupby and qcut; the ECB Herfindahl test in the form implemented by the open-source
packages meliora (``herfindahl_multiple_period_test``, citing ECB 2019 pp. 26-27) and the "cr" credit
risk package (``herfindahl_index_test``), both read on GitHub; and hand calculations written out below.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from mrmkit.errors import InsufficientData, InvalidInput, InvalidParameters
from mrmkit.stats import (
    auc,
    auc_initial_test,
    binomial_test,
    brier_score,
    equal_population_bounds,
    equal_population_grades,
    grade_summary,
    grades_from_bands,
    herfindahl,
    hosmer_lemeshow,
    jeffreys_test,
    migration_matrix,
    spiegelhalter_test,
)

ASAH = Path(os.environ.get("MRMKIT_ASAH_CSV", Path(__file__).resolve().parents[2] / "shared" / "data" / "asah.csv"))

# MathWorks R2026a, risk.validation.matrixWeightedBandwidth example: rows = grade at the start.
MW_COUNTS = np.array([[10, 8, 15, 9, 10], [11, 9, 13, 9, 8], [0, 10, 10, 11, 10], [0, 0, 9, 11, 11], [0, 0, 0, 11, 10]])


def _pairs(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Expand a count matrix into one (from, to) pair per obligor."""
    i, j = np.indices(counts.shape)
    return np.repeat(i.ravel(), counts.ravel()), np.repeat(j.ravel(), counts.ravel())


def _frozen(*arrays: np.ndarray) -> list[np.ndarray]:
    out = [np.array(a) for a in arrays]
    for a in out:
        a.flags.writeable = False
    return out


# ---------------------------------------------------------------------------------- binomial test
def test_binomial_matches_scipy_and_hand_calculation():
    n, d, p = [100, 200, 50, 6], [3, 9, 4, 2], [0.02, 0.05, 0.1, 0.0367]
    res = binomial_test(n, d, p)
    assert res.p_value == pytest.approx(tuple(sps.binom.sf(np.array(d) - 1, n, p)), rel=1e-14)
    # hand: P(D >= 2 | n = 6, p) = 1 - (1 - p)^6 - 6 p (1 - p)^5
    q = 0.0367
    assert res.p_value[3] == pytest.approx(1 - (1 - q) ** 6 - 6 * q * (1 - q) ** 5, rel=1e-12)
    assert res.observed_rate == (0.03, 0.045, 0.08, 2 / 6)
    assert res.expected_defaults == pytest.approx((2.0, 10.0, 5.0, 0.2202), rel=1e-15)
    assert (res.n_grades, res.alpha, res.n) == (4, 0.05, (100, 200, 50, 6))
    scalar = binomial_test(6, 2, 0.0367)
    assert isinstance(scalar.p_value, float) and scalar.p_value == res.p_value[3]
    assert binomial_test(50, 0, 0.1).p_value == 1.0  # no defaults: P(D >= 0) = 1
    assert binomial_test([10, 20], 1, 0.05).n == (10, 20)  # scalars broadcast


@pytest.mark.parametrize("alpha", [0.01, 0.05, 0.1])
def test_binomial_critical_defaults_by_brute_force(alpha):
    ns = [1, 5, 30, 100, 250, 1000]
    pds = [0.0003, 0.01, 0.05, 0.2, 0.5, 0.9]
    n, p = np.meshgrid(ns, pds)
    res = binomial_test(n.ravel(), 0, p.ravel(), alpha=alpha)
    for nn, pp, c in zip(n.ravel(), p.ravel(), res.critical_defaults, strict=True):
        tail = sps.binom.sf(np.arange(-1, nn + 1), nn, pp)  # tail[c] = P(D >= c), c = 0..n+1
        expected = int(np.flatnonzero(tail <= alpha)[0])  # smallest c with P(D >= c) <= alpha
        assert c == expected, (nn, pp, alpha)
        # rejecting exactly from c defaults on: p-value at c - 1 is above alpha, at c at most alpha
        if c <= nn:
            assert binomial_test(nn, c, pp).p_value <= alpha
        if c >= 1:
            assert binomial_test(nn, c - 1, pp).p_value > alpha
    assert binomial_test(1, 0, 0.9).critical_defaults == 2  # n + 1: even one default out of one cannot reject


# ---------------------------------------------------------------------------------- Jeffreys test
def test_jeffreys_published_example_and_scipy():
    # Roesch & Scheule, Deep Credit Risk training notes (JP.html): n = 6, d = 2, PD = 0.0367 -> 0.0044
    res = jeffreys_test(6, 2, 0.0367)
    assert round(res.p_value, 4) == 0.0044
    assert res.p_value == pytest.approx(sps.beta.cdf(0.0367, 2.5, 4.5), rel=1e-14)
    n, d, p = np.array([120, 300, 80, 40]), np.array([2, 9, 6, 5]), np.array([0.01, 0.03, 0.08, 0.15])
    arr = jeffreys_test(n, d, p)
    assert arr.p_value == pytest.approx(tuple(sps.beta.cdf(p, d + 0.5, n - d + 0.5)), rel=1e-14)
    assert arr.prior == "Jeffreys Beta(1/2, 1/2)" and arr.ci_level == 0.95


def test_jeffreys_closed_forms_for_one_obligor():
    # Beta(1/2, 3/2) CDF by hand: (2 / pi) (asin(sqrt(x)) + sqrt(x (1 - x))), with t = sin^2(theta)
    for x in (0.001, 0.1, 0.3, 0.77):
        hand = 2 / math.pi * (math.asin(math.sqrt(x)) + math.sqrt(x * (1 - x)))
        assert jeffreys_test(1, 0, x).p_value == pytest.approx(hand, rel=1e-12)
        # one default out of one: Beta(3/2, 1/2), the mirror image
        mirror = 2 / math.pi * (math.asin(math.sqrt(1 - x)) + math.sqrt(x * (1 - x)))
        assert jeffreys_test(1, 1, x).p_value == pytest.approx(1 - mirror, rel=1e-10, abs=1e-15)


@pytest.mark.parametrize("level", [0.9, 0.95, 0.99])
def test_jeffreys_interval_matches_statsmodels(level):
    from statsmodels.stats.proportion import proportion_confint

    n, d = np.array([10, 10, 57, 1000, 3]), np.array([0, 10, 4, 17, 1])
    res = jeffreys_test(n, d, 0.05, ci_level=level)
    lo, hi = proportion_confint(d, n, alpha=1 - level, method="jeffreys")
    # statsmodels leaves the boundary cases unmodified; Brown, Cai & DasGupta (2001) set the lower bound
    # to 0 when d = 0 and the upper bound to 1 when d = n
    lo[0], hi[1] = 0.0, 1.0
    assert res.ci_lower == pytest.approx(tuple(lo), rel=1e-10)
    assert res.ci_upper == pytest.approx(tuple(hi), rel=1e-10)
    assert all(a <= r <= b for a, r, b in zip(res.ci_lower, res.observed_rate, res.ci_upper, strict=True))


# ----------------------------------------------------------------------------- Hosmer-Lemeshow
def test_hosmer_lemeshow_three_grades_by_hand():
    # n = (100, 200, 50), d = (3, 9, 4), PD = (2 %, 5 %, 10 %): expected 2, 10, 5 defaults
    # (3 - 2)^2 / (2 * 0.98) = 1 / 1.96; (9 - 10)^2 / (10 * 0.95) = 1 / 9.5; (4 - 5)^2 / (5 * 0.9) = 1 / 4.5
    res = hosmer_lemeshow([100, 200, 50], [3, 9, 4], [0.02, 0.05, 0.1])
    hand = 1 / 1.96 + 1 / 9.5 + 1 / 4.5
    assert res.statistic == pytest.approx(hand, rel=1e-14)
    assert res.contributions == pytest.approx((1 / 1.96, 1 / 9.5, 1 / 4.5), rel=1e-14)
    assert res.df == 3 and res.n_grades == 3  # contract: df = number of grades
    # chi-square survival with 3 df in closed form: 2 (1 - Phi(sqrt x)) + sqrt(2 x / pi) exp(-x / 2)
    closed = 2 * sps.norm.sf(math.sqrt(hand)) + math.sqrt(2 * hand / math.pi) * math.exp(-hand / 2)
    assert res.p_value == pytest.approx(closed, rel=1e-12)
    assert res.p_value == pytest.approx(sps.chi2.sf(hand, 3), rel=1e-14)
    assert "fewer than 5 expected defaults" in res.note  # grade 0 expects 2


def test_hosmer_lemeshow_matches_scipy_on_twenty_grades():
    rng = np.random.default_rng(5)
    pd_ = np.sort(rng.uniform(0.001, 0.3, 20))
    n = rng.integers(500, 5000, 20)
    d = rng.binomial(n, pd_ * 1.1)
    res = hosmer_lemeshow(n, d, pd_)
    stat = np.sum((d - n * pd_) ** 2 / (n * pd_ * (1 - pd_)))
    assert res.statistic == pytest.approx(stat, rel=1e-13)
    assert res.p_value == pytest.approx(sps.chi2.sf(stat, 20), rel=1e-12) and res.df == 20
    assert res.note is None


# ------------------------------------------------------------------------------- Spiegelhalter
def test_spiegelhalter_by_hand():
    # y = (1, 0, 0, 1), p = (0.2, 0.4, 0.1, 0.7)
    # (y - p)^2 = .64, .16, .01, .09 -> B = 0.9 / 4 = 0.225; p (1 - p) = .16, .24, .09, .21 -> E = 0.175
    # p (1 - p) (1 - 2p)^2 = .0576, .0096, .0576, .0336 -> V = 0.1584 / 16 = 0.0099
    res = spiegelhalter_test([1, 0, 0, 1], [0.2, 0.4, 0.1, 0.7])
    assert (res.brier, res.expected_brier) == pytest.approx((0.225, 0.175), rel=1e-14)
    assert res.variance == pytest.approx(0.0099, rel=1e-13)
    assert res.z == pytest.approx(0.05 / math.sqrt(0.0099), rel=1e-12)
    assert res.p_value == pytest.approx(2 * sps.norm.sf(res.z), rel=1e-12)
    assert (res.n, res.n_defaults, res.alternative) == (4, 2, "two-sided")


@pytest.mark.parametrize("seed", [0, 1])
def test_spiegelhalter_matches_rms_val_prob_form(seed):
    rng = np.random.default_rng(seed)
    p = rng.beta(1, 12, 5000)
    y = (rng.random(5000) < p * (1.15 if seed else 1.0)).astype(int)
    res = spiegelhalter_test(y, p)
    # rms::val.prob (Harrell): z = sum((y - p)(1 - 2p)) / sqrt(sum((1 - 2p)^2 p (1 - p))), P = 2 pnorm(-|z|)
    z = np.sum((y - p) * (1 - 2 * p)) / np.sqrt(np.sum((1 - 2 * p) ** 2 * p * (1 - p)))
    assert res.z == pytest.approx(z, rel=1e-10)
    assert res.p_value == pytest.approx(2 * sps.norm.cdf(-abs(z)), rel=1e-10)
    # Spiegelhalter (1986) in Brier form: (B - E) / sqrt(V)
    assert res.z == pytest.approx((res.brier - res.expected_brier) / math.sqrt(res.variance), rel=1e-9)


def test_spiegelhalter_degenerate_and_input_errors():
    with pytest.raises(InsufficientData, match="every pd is 0 or 1"):
        spiegelhalter_test([0, 1, 1], [0.0, 1.0, 1.0])
    with pytest.raises(InvalidInput, match="pd of spiegelhalter_test must be probabilities"):
        spiegelhalter_test([0, 1], [0.5, 1.5])
    with pytest.raises(InvalidInput, match=r"y of spiegelhalter_test must be binary \(0/1\)"):
        spiegelhalter_test([0, 2], [0.5, 0.5])
    with pytest.raises(InvalidInput, match="one value per element of y"):
        spiegelhalter_test([0, 1, 0], [0.5, 0.5])


# ----------------------------------------------------------------------------------------- Brier
def test_brier_matches_sklearn_and_murphy_by_hand():
    from sklearn.metrics import brier_score_loss

    # grade A: PD 0.1, four loans, one default; grade B: PD 0.5, two loans, two defaults
    y = [1, 0, 0, 0, 1, 1]
    p = [0.1, 0.1, 0.1, 0.1, 0.5, 0.5]
    res = brier_score(y, p, grades=["A", "A", "A", "A", "B", "B"])
    # BS = (0.81 + 3 * 0.01 + 2 * 0.25) / 6 = 1.34 / 6
    assert res.value == pytest.approx(1.34 / 6, rel=1e-14) == brier_score_loss(y, p)
    # o = 0.5, UNC = 0.25; REL = (4 * 0.15^2 + 2 * 0.5^2) / 6 = 0.59 / 6; RES = (4 * 0.25^2 + 2 * 0.5^2) / 6 = 0.125
    assert res.uncertainty == 0.25
    assert res.reliability == pytest.approx(0.59 / 6, rel=1e-14)
    assert res.resolution == pytest.approx(0.125, rel=1e-14)
    assert res.reliability - res.resolution + res.uncertainty == pytest.approx(res.value, rel=1e-14)
    assert res.within_grade_variance == 0.0 and res.within_grade_covariance == 0.0
    assert res.pd_constant_within_grades is True
    assert res.grade_labels == ("A", "B") and res.grade_n == (4, 2)
    assert res.grade_pd == pytest.approx((0.1, 0.5)) and res.grade_default_rate == (0.25, 1.0)
    plain = brier_score(y, p)
    assert plain.value == res.value and plain.reliability is None and plain.grade_labels is None


# ----------------------------------------------------------------------------------- Herfindahl
def test_herfindahl_by_hand_and_ecb_test():
    # shares .5 .3 .2, K = 3: sum (R - 1/3)^2 = 1/36 + 1/900 + 4/225 = 0.04666..; CV^2 = 0.14
    # HI = 1 + ln(1.14 / 3) / ln 3 = 1 + ln(0.38) / ln 3; plain HHI = .25 + .09 + .04 = 0.38
    res = herfindahl([50, 30, 20], [40, 35, 25])
    assert res.cv == pytest.approx(math.sqrt(0.14), rel=1e-14)
    assert res.hi == pytest.approx(1 + math.log(0.38) / math.log(3), rel=1e-13)
    assert res.hhi == pytest.approx(0.38, rel=1e-14)
    # initial shares .4 .35 .25: CV0^2 = 3 (1/225 + 1/3600 + 1/144) = 0.035
    assert res.cv_initial == pytest.approx(math.sqrt(0.035), rel=1e-13)
    # S = sqrt(K - 1) (CV - CV0) / sqrt(CV^2 (0.5 + CV^2)) as in meliora and the cr package (ECB 2019)
    s = math.sqrt(2) * (math.sqrt(0.14) - math.sqrt(0.035)) / math.sqrt(0.14 * (0.5 + 0.14))
    assert res.statistic == pytest.approx(s, rel=1e-12)
    assert res.p_value == pytest.approx(1 - sps.norm.cdf(s), rel=1e-12)
    # the CV is the shares' coefficient of variation (population standard deviation over the mean)
    shares = np.array([0.5, 0.3, 0.2])
    assert res.cv == pytest.approx(np.std(shares) / np.mean(shares), rel=1e-13)
    alone = herfindahl([50, 30, 20])
    assert alone.hi == res.hi and alone.statistic is None and alone.p_value is None


def test_herfindahl_bounds_and_degenerate_cases():
    even = herfindahl([10, 10, 10, 10], [70, 10, 10, 10])
    assert even.hi == 0.0 and even.cv == 0.0 and even.hhi == 0.25
    assert even.statistic == -math.inf and even.p_value == 1.0 and "cannot have increased" in even.note
    both = herfindahl([5, 5], [7, 7])
    assert (both.statistic, both.p_value) == (0.0, 0.5) and "no change" in both.note
    one = herfindahl([0, 0, 30, 0])
    assert one.hi == pytest.approx(1.0, abs=1e-15) and one.hhi == 1.0
    with pytest.raises(InsufficientData, match="at least two grades"):
        herfindahl([10])
    with pytest.raises(InvalidInput, match="same grades"):
        herfindahl([10, 20, 30], [10, 20])
    with pytest.raises(InvalidInput, match="must not be negative"):
        herfindahl([10, -1])


# ----------------------------------------------------------------------------- AUC vs initial
def test_auc_initial_test_uses_delong_variance_of_proc():
    if not ASAH.exists():
        if os.environ.get("CI"):
            pytest.fail(f"pROC's aSAH data not found at {ASAH}")
        pytest.skip(f"pROC's aSAH data not found at {ASAH} (set MRMKIT_ASAH_CSV)")
    data = pd.read_csv(ASAH)
    y = (data["outcome"] == "Poor").astype(int)
    res = auc_initial_test(0.8, y, data["s100b"])
    var = 0.00266868245717244  # pROC var(r.s100b), DeLong
    assert res.variance == pytest.approx(var, rel=1e-12)
    assert round(res.auc_current, 4) == 0.7314
    s = (0.8 - res.auc_current) / math.sqrt(var)
    assert res.statistic == pytest.approx(s, rel=1e-11)
    assert res.p_value == pytest.approx(sps.norm.sf(s), rel=1e-11)


def test_auc_initial_test_against_auc_and_edge_cases():
    rng = np.random.default_rng(3)
    y = (rng.random(800) < 0.2).astype(int)
    s = rng.normal(y * 0.9, 1.0)
    a = auc(y, s)
    res = auc_initial_test(0.75, y, s)
    assert (res.auc_current, res.variance) == (a.value, a.variance)
    assert res.difference == 0.75 - a.value and res.standard_error == math.sqrt(a.variance)
    assert res.statistic == pytest.approx((0.75 - a.value) / math.sqrt(a.variance), rel=1e-14)
    assert (res.n_positive, res.n_negative) == (a.n_positive, a.n_negative)
    better = auc_initial_test(0.5, y, s)
    assert better.statistic < 0 and better.p_value > 0.99
    perfect = auc_initial_test(0.9, [0, 0, 1, 1], [1, 2, 3, 4])
    assert perfect.statistic == -math.inf and perfect.p_value == 1.0 and "degenerate" in perfect.note
    with pytest.raises(InsufficientData, match="at least two defaults and two non-defaults"):
        auc_initial_test(0.7, [0, 0, 1], [1, 2, 3])
    with pytest.raises(InvalidParameters) as exc:
        auc_initial_test(1.0, y, s)
    assert str(exc.value) == (
        "The 'auc_initial' parameter of auc_initial_test must be a number strictly between 0 and 1; got 1.0."
    )
    with pytest.raises(InvalidInput, match="y of auc_initial_test must be binary"):
        auc_initial_test(0.7, ["a", "b"], [1, 2])


# ------------------------------------------------------------------------------ migration matrix
def test_migration_matrix_mwb_matches_mathworks_example():
    src, dst = _pairs(MW_COUNTS)
    res = migration_matrix(src, dst, order=[0, 1, 2, 3, 4])
    # MathWorks R2026a risk.validation.matrixWeightedBandwidth: lowerUpperMWB = 0.3306 0.6066
    assert (round(res.mwb_lower, 4), round(res.mwb_upper, 4)) == (0.3306, 0.6066)
    # by hand (ECB 2019, 2.5.5.1, grades 1..5): lower numerator 11 + 10 + 9 + 11 = 41,
    # normaliser max(|i-5|, |i-1|) N_i sum_{j<i} p_ij = 3*11 + 2*10 + 3*9 + 4*11 = 124
    assert res.mwb_lower == pytest.approx(41 / 124, rel=1e-15)
    # upper: (8 + 30 + 27 + 40) + (13 + 18 + 24) + (11 + 20) + 11 = 202 over 4*42 + 3*30 + 2*21 + 3*11 = 333
    assert res.mwb_upper == pytest.approx(202 / 333, rel=1e-15)
    assert np.array_equal(np.array(res.counts), MW_COUNTS)
    assert res.row_totals == (52, 50, 41, 31, 21) and res.n == 195
    assert res.stayers == 50 and res.upgrades == 41 and res.downgrades == 104
    assert res.diagonal_share == 50 / 195 and res.downgrade_share == 104 / 195 and res.upgrade_share == 41 / 195
    assert res.row_shares[0] == pytest.approx(tuple(MW_COUNTS[0] / 52), rel=1e-15)
    assert res.row_downgrade_share[0] == 42 / 52 and res.row_upgrade_share[0] == 0.0
    assert res.note is None and res.empty_rows == ()


def test_migration_matrix_counts_match_crosstab_with_labels():
    rng = np.random.default_rng(11)
    order = ["AAA", "AA", "A", "BBB", "BB"]
    src = rng.choice(order[:4], 2000)  # "BB" never a start grade: an empty row
    dst = rng.choice(order, 2000)
    res = migration_matrix(pd.Series(src), dst, order=order)
    table = pd.crosstab(pd.Categorical(src, order), pd.Categorical(dst, order), dropna=False)
    assert np.array_equal(np.array(res.counts), table.to_numpy())
    assert res.empty_rows == ("BB",) and all(math.isnan(v) for v in res.row_shares[4])
    assert math.isnan(res.row_diagonal_share[4]) and "have no obligors" in res.note
    d = res.to_dict()
    assert json.loads(json.dumps(d, allow_nan=False)) == d and d["row_shares"][4] == [None] * 5
    # a move to a later (worse) grade is a downgrade
    one = migration_matrix(["AA"], ["BBB"], order=order)
    assert (one.downgrades, one.upgrades, one.mwb_upper) == (1, 0, 2 / 3)  # 2 notches of at most max(1, 3)
    assert math.isnan(one.mwb_lower) and "no upgrade" in one.note


def test_migration_matrix_errors():
    with pytest.raises(InvalidInput, match=r"labels that are not in order: \['C'\]"):
        migration_matrix(["A", "B"], ["A", "C"], order=["A", "B"])
    with pytest.raises(InvalidInput, match="one value per obligor"):
        migration_matrix(["A", "B"], ["A"], order=["A", "B"])
    with pytest.raises(InvalidInput, match="missing value"):
        migration_matrix(["A", None], ["A", "B"], order=["A", "B"])
    with pytest.raises(InvalidParameters, match="'order' parameter of migration_matrix must list at least 2 distinct"):
        migration_matrix(["A"], ["A"], order=["A", "A"])
    with pytest.raises(InvalidParameters, match="'order' parameter of migration_matrix must be a sequence"):
        migration_matrix(["A"], ["A"], order="AB")


# ------------------------------------------------------------------------------ grade assignment
def test_equal_population_grades_match_qcut_on_distinct_pds():
    rng = np.random.default_rng(2)
    p = rng.uniform(0.0, 0.4, 1000)
    g = equal_population_grades(p, 20)
    ref = pd.qcut(pd.Series(p).rank(method="first"), 20, labels=False) + 1
    assert np.array_equal(g.grades, ref.to_numpy())
    assert g.counts == (50,) * 20 and g.labels == tuple(range(1, 21)) and g.n_grades_used == 20
    assert g.pd_max[:-1] < g.pd_min[1:] and g.note is None
    assert "grades" not in g.to_dict() and g.to_dict()["counts"] == [50] * 20


def test_equal_population_grades_keep_ties_together():
    p = np.array([0.01] * 6 + [0.02, 0.03, 0.04, 0.05])  # six equal PDs in ten loans, five grades requested
    g = equal_population_grades(p, 5)
    # targets by sorted position: 0 0 1 1 2 2 3 3 4 4; the tie takes the grade of its first member
    assert g.grades.tolist() == [1] * 6 + [2, 2, 3, 3]
    assert g.n_grades_used == 3 and g.n_grades_requested == 5 and "left 2 of the 5" in g.note
    with pytest.raises(InvalidParameters, match="'n_grades' parameter of equal_population_grades"):
        equal_population_grades(p, 0)


def test_equal_population_bounds_reproduce_the_grades_and_cut_other_samples():
    rng = np.random.default_rng(9)
    ref = np.round(rng.beta(1, 15, 3000), 3)  # rounded: many ties
    bounds = equal_population_bounds(ref, 8)
    assert bounds[-1] == 1.0 and list(bounds) == sorted(bounds) and len(bounds) == 8
    assert np.array_equal(grades_from_bands(ref, bounds).grades, equal_population_grades(ref, 8).grades)
    cur = np.clip(ref + 0.2, 0, 1)  # PDs above the reference maximum still fall in the last band
    assert grades_from_bands(cur, bounds).counts[-1] > 0


def test_grades_from_bands_are_right_closed():
    p = np.array([0.0, 0.001, 0.0010001, 0.01, 0.5, 1.0])
    ub = [0.001, 0.01, 0.2, 1.0]
    g = grades_from_bands(p, ub, labels=["A", "B", "C", "D"])
    assert g.grades.tolist() == ["A", "A", "B", "B", "D", "D"]
    assert np.array_equal(grades_from_bands(p, ub).grades, np.digitize(p, ub, right=True) + 1)
    assert g.counts == (2, 2, 0, 2) and "1 band(s) hold no loan" in g.note
    with pytest.raises(InvalidInput, match="above the last upper bound"):
        grades_from_bands([0.3], [0.1, 0.2])
    with pytest.raises(InvalidParameters, match="'upper_bounds' parameter of grades_from_bands"):
        grades_from_bands([0.3], [0.2, 0.1])
    with pytest.raises(InvalidParameters, match="'labels' parameter of grades_from_bands"):
        grades_from_bands([0.3], [0.5, 1.0], labels=["A"])


def test_grade_summary_matches_groupby_and_feeds_the_tests():
    rng = np.random.default_rng(4)
    p = rng.beta(1, 20, 5000)
    y = (rng.random(5000) < p).astype(int)
    g = equal_population_grades(p, 10)
    summ = grade_summary(y, p, g.grades, order=g.labels)
    ref = (
        pd.DataFrame({"g": g.grades, "y": y, "p": p})
        .groupby("g")
        .agg(n=("y", "size"), d=("y", "sum"), pd=("p", "mean"))
    )
    assert summ.n == tuple(ref["n"]) and summ.defaults == tuple(ref["d"])
    assert summ.pd == pytest.approx(tuple(ref["pd"]), rel=1e-12)
    assert (summ.n_total, summ.defaults_total) == (5000, int(y.sum()))
    res = binomial_test(summ.n, summ.defaults, summ.pd)
    assert res.n_grades == 10
    empty = grade_summary([0, 1], [0.1, 0.2], ["A", "A"], order=["A", "B"])
    assert empty.n == (1 + 1, 0) and math.isnan(empty.pd[1]) and math.isnan(empty.default_rate[1])


# --------------------------------------------------------------------------------------- errors
def test_grade_level_input_errors():
    with pytest.raises(InvalidInput, match="defaults of binomial_test must be between 0 and n"):
        binomial_test([10, 5], [11, 1], [0.1, 0.1])
    with pytest.raises(InsufficientData, match=r"grade\(s\) at position\(s\) \[1\] have no obligors"):
        jeffreys_test([10, 0], [1, 0], [0.1, 0.1])
    with pytest.raises(InvalidInput, match="pd of hosmer_lemeshow must be strictly between 0 and 1"):
        hosmer_lemeshow([10, 10], [1, 1], [0.1, 0.0])
    with pytest.raises(InvalidInput, match="defaults of binomial_test must be whole numbers"):
        binomial_test(10, 2.5, 0.1)
    with pytest.raises(InvalidInput, match="one value per grade"):
        binomial_test([10, 20, 30], [1, 2], 0.1)
    with pytest.raises(InvalidInput, match="n of jeffreys_test must be finite numbers"):
        jeffreys_test([10, np.nan], [1, 1], 0.1)
    with pytest.raises(InsufficientData, match="at least one grade"):
        hosmer_lemeshow([], [], [])
    with pytest.raises(InvalidParameters) as exc:
        binomial_test(10, 1, 0.1, alpha=0)
    assert str(exc.value) == (
        "The 'alpha' parameter of binomial_test must be a number strictly between 0 and 1; got 0."
    )


# ----------------------------------------------------------------------------------- properties
grade_rows = st.lists(
    st.tuples(st.integers(1, 400), st.floats(0.0, 1.0), st.floats(0.001, 0.999)),
    min_size=1,
    max_size=12,
).map(lambda rows: [(n, int(round(f * n)), p) for n, f, p in rows])


@settings(max_examples=60, deadline=None)
@given(rows=grade_rows, perm_seed=st.integers(0, 2**32 - 1))
def test_grade_level_properties(rows, perm_seed):
    n, d, p = _frozen(*(np.array(c) for c in zip(*rows, strict=True)))
    b, j, h = binomial_test(n, d, p), jeffreys_test(n, d, p), hosmer_lemeshow(n, d, p)
    assert all(0.0 <= v <= 1.0 for v in (*b.p_value, *j.p_value, h.p_value))
    assert all(lo <= hi for lo, hi in zip(j.ci_lower, j.ci_upper, strict=True))
    # one more default never raises the binomial or the Jeffreys p-value
    more = np.minimum(d + 1, n)
    assert all(x <= y + 1e-15 for x, y in zip(binomial_test(n, more, p).p_value, b.p_value, strict=True))
    assert all(x <= y + 1e-15 for x, y in zip(jeffreys_test(n, more, p).p_value, j.p_value, strict=True))
    # a higher PD never lowers the Jeffreys p-value (it is a CDF in pd)
    higher = np.minimum(p * 1.5, 0.9999)
    assert all(x >= y - 1e-15 for x, y in zip(jeffreys_test(n, d, higher).p_value, j.p_value, strict=True))
    # permuting the grades permutes the per-grade results and leaves the joint statistic unchanged
    perm = np.random.default_rng(perm_seed).permutation(n.size)
    hp = hosmer_lemeshow(n[perm], d[perm], p[perm])
    assert hp.statistic == pytest.approx(h.statistic, rel=1e-12, abs=1e-300) and hp.df == h.df
    assert binomial_test(n[perm], d[perm], p[perm]).p_value == tuple(np.array(b.p_value)[perm])
    assert n.tolist() == [r[0] for r in rows] and d.tolist() == [r[1] for r in rows]  # inputs untouched


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.tuples(st.integers(1, 50), st.integers(2, 200)), min_size=1, max_size=10))
def test_hosmer_lemeshow_is_zero_when_defaults_equal_expected(rows):
    d = np.array([min(a, b - 1) for a, b in rows])
    n = np.array([b for _, b in rows])
    res = hosmer_lemeshow(n, d, d / n)  # pd = d / n exactly, so n * pd = d
    assert res.statistic == pytest.approx(0.0, abs=1e-20) and res.p_value == pytest.approx(1.0)


@settings(max_examples=50, deadline=None)
@given(data=st.data())
def test_brier_decomposition_properties(data):
    k = data.draw(st.integers(1, 6))
    size = data.draw(st.integers(2, 80))
    seed = data.draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    grades = rng.integers(0, k, size)
    grade_pd = rng.uniform(0.0, 1.0, k)
    y = (rng.random(size) < 0.3).astype(int)
    p_const, y_, g_ = _frozen(grade_pd[grades], y, grades)
    res = brier_score(y_, p_const, grades=g_)
    assert res.pd_constant_within_grades
    assert res.reliability - res.resolution + res.uncertainty == pytest.approx(res.value, rel=1e-12, abs=1e-15)
    # with PDs varying within grades the two extra terms close the identity
    p_var = np.clip(p_const + rng.normal(0, 0.05, size), 0, 1)
    r2 = brier_score(y_, p_var, grades=g_)
    total = r2.reliability - r2.resolution + r2.uncertainty + r2.within_grade_variance - r2.within_grade_covariance
    assert total == pytest.approx(r2.value, rel=1e-12, abs=1e-15)
    # permuting the loans changes nothing
    perm = rng.permutation(size)
    r3 = brier_score(y_[perm], p_var[perm], grades=g_[perm])
    assert r3.value == pytest.approx(r2.value, rel=1e-13) and r3.reliability == pytest.approx(r2.reliability)
    assert 0.0 <= spiegelhalter_test(y_, np.clip(p_var, 0.01, 0.99)).p_value <= 1.0
    assert y_.tolist() == y.tolist()


@settings(max_examples=60, deadline=None)
@given(
    counts=st.lists(st.integers(0, 1000), min_size=2, max_size=25).filter(lambda c: sum(c) > 0),
    seed=st.integers(0, 2**32 - 1),
)
def test_herfindahl_properties(counts, seed):
    c = np.array(counts, dtype=float)
    res = herfindahl(c, c[::-1])
    assert 0.0 <= res.hi <= 1.0 and 0.0 <= res.p_value <= 1.0
    # HI = 1 + ln(HHI) / ln K, since CV^2 + 1 = K sum R^2
    assert res.hi == pytest.approx(1 + math.log(res.hhi) / math.log(c.size), abs=1e-12)
    perm = np.random.default_rng(seed).permutation(c.size)
    again = herfindahl(c[perm], c[::-1][perm])
    assert again.hi == pytest.approx(res.hi, abs=1e-14) and again.p_value == pytest.approx(res.p_value, abs=1e-12)


@settings(max_examples=50, deadline=None)
@given(labels=st.lists(st.sampled_from(["A", "B", "C", "D", "E"]), min_size=1, max_size=60))
def test_migration_of_a_sample_with_itself_is_diagonal(labels):
    (arr,) = _frozen(np.array(labels))
    res = migration_matrix(arr, arr, order=["A", "B", "C", "D", "E"])
    counts = np.array(res.counts)
    assert np.array_equal(counts, np.diag(np.diag(counts)))
    assert res.diagonal_share == 1.0 and res.upgrades == res.downgrades == 0
    assert math.isnan(res.mwb_upper) and math.isnan(res.mwb_lower)
    assert all(v == 1.0 for v, t in zip(res.row_diagonal_share, res.row_totals, strict=True) if t)


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(st.sampled_from([0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.3]), min_size=1, max_size=80),
    k=st.integers(1, 12),
)
def test_equal_population_grades_properties(values, k):
    (p,) = _frozen(np.array(values))
    g = equal_population_grades(p, k)
    assert g.n_grades_used <= k and sum(g.counts) == p.size and min(g.counts) > 0
    order = np.argsort(p, kind="stable")
    assert np.all(np.diff(g.grades[order]) >= 0)  # higher PD, never a better grade
    for v in np.unique(p):  # equal PDs, one grade
        assert np.unique(g.grades[p == v]).size == 1
    assert np.array_equal(g.grades, equal_population_grades(p.copy(), k).grades)  # deterministic
