"""VaR backtests (Kupiec POF, Christoffersen, conditional coverage, Basel traffic light, binomial z, TUFF).

Published reference values, each cited beside its test:

* MATLAB Risk Management Toolbox, ``varbacktest`` documentation examples on ``VaRBacktestData``
  (EquityIndex with Normal95: 1043 observations, 57 failures at VaR level 0.95):
  - pof  https://uk.mathworks.com/help/risk/varbacktest.pof.html : LRatioPOF 0.46147, PValuePOF 0.49694
  - cci  https://ww2.mathworks.cn/help/risk/varbacktest.cci.html : LRatioCCI 0.25866, PValueCCI 0.61104,
         N00 932, N10 53, N01 53, N11 4
  - cc   https://mathworks.com/help/risk/varbacktest.cc.html : LRatioCC 0.72013, PValueCC 0.69763
  - tl   https://ww2.mathworks.cn/help/risk/varbacktest.tl.html : green, Probability 0.77913, TypeI 0.26396
  - bin  https://uk.mathworks.com/help/risk/varbacktest.bin.html : ZScoreBin 0.68905, PValueBin 0.49079
  - tuff https://uk.mathworks.com/help/risk/varbacktest.tuff.html : FirstFailure 58, LRatioTUFF 1.7354,
         PValueTUFF 0.18773
  The data file is not public, but every one of these statistics depends only on the counts printed
  with it, so a 0/1 sequence with exactly those counts reproduces them.
* MATLAB ``risk.validation.proportionOfFailuresTest([0.05, 0.01], 3, 250)`` rejects at 95% for 5% and not
  for 1% (https://ww2.mathworks.cn/help/risk/risk.validation.proportionoffailurestest.html);
  ``risk.validation.trafficLightVaRTest(0.9, 40, 250)`` is zone 2, amber/yellow
  (https://ww2.mathworks.cn/help/risk/risk.validation.trafficlightvartest.html).
* Basel Committee on Banking Supervision (1996), "Supervisory framework for the use of 'backtesting' in
  conjunction with the internal models approach to market risk capital requirements"
  (https://www.bis.org/publ/bcbs22.pdf), Table 2: cumulative probabilities 8.11%, 28.58%, 54.32%, 75.81%,
  89.22%, 95.88%, 98.63%, 99.60%, 99.89%, 99.97%, 99.99% for 0..10 exceptions in 250 days at 99%; zones
  green 0-4, yellow 5-9, red 10+; plus factors 0.40, 0.50, 0.65, 0.75, 0.85 (5-9), 1.00 (10+). Read from
  a reproduction of Table 2 (a public repository's standards note citing bcbs22); the PDF itself was not
  retrievable here. The probabilities are also recomputed independently with scipy below.
* Kupiec (1995), Table 3 of 95% non-rejection regions (reprinted in Jorion, Value at Risk, 3rd ed.,
  2007, Table 6-2): see ``test_kupiec_nonrejection_regions`` for the provenance caveat.
* Independent software: scipy.stats.power_divergence (G test = Kupiec LR), chi2_contingency with
  ``lambda_="log-likelihood"`` (G test of independence = Christoffersen LR_ind), binom, geom, norm;
  statsmodels' proportions_ztest (binomial z).
* Hand calculations on ten-day sequences, with the arithmetic written out beside the test.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps
from statsmodels.stats.proportion import proportions_ztest

from mrmkit.errors import InsufficientData, InvalidInput, InvalidParameters
from mrmkit.stats import (
    BASEL_1996_PLUS_FACTORS,
    basel_traffic_light,
    binomial_z_test,
    christoffersen_independence,
    conditional_coverage,
    kupiec_pof,
    time_until_first_failure,
    var_exceptions,
)

CHI2_95 = sps.chi2.ppf(0.95, 1)


def sequence(n00: int, n01: int, n10: int, n11: int, lead: int = 0) -> np.ndarray:
    """A 0/1 sequence starting and ending with 0 whose n - 1 transitions are exactly the counts given.

    ``lead`` of the n00 zero-to-zero transitions open the sequence (the first exception is on day
    lead + 2); the rest close it. Requires n01 == n10 (every run of exceptions ends) and n01 >= 1.
    """
    assert n01 == n10 >= 1 and 0 <= lead <= n00
    runs = []
    for i in range(n01):
        runs += [1] * (1 + (n11 if i == 0 else 0)) + [0]
    seq = np.array([0] * (1 + lead) + runs + [0] * (n00 - lead), dtype=np.int8)
    pairs = list(zip(seq[:-1], seq[1:], strict=True))
    assert [pairs.count((0, 0)), pairs.count((0, 1)), pairs.count((1, 0)), pairs.count((1, 1))] == [n00, n01, n10, n11]
    return seq


# ------------------------------------------------------------------ MATLAB varbacktest reference
@pytest.fixture(scope="module")
def matlab_hits() -> np.ndarray:
    """EquityIndex vs Normal95 as printed by MATLAB: n = 1043, 57 failures, first on day 58, N11 = 4."""
    hits = np.zeros(1043, dtype=np.int8)
    starts = 57 + 18 * np.arange(53)  # 53 runs of exceptions (N01 = N10 = 53), the first on day 58
    hits[starts] = 1
    hits[starts[:4] + 1] = 1  # four runs of two days: N11 = 4, 57 failures in all
    return hits


def test_matlab_pof(matlab_hits):
    r = kupiec_pof(matlab_hits, 0.95)
    assert (r.n, r.exceptions) == (1043, 57)
    assert r.lr == pytest.approx(0.46147, abs=5e-6)
    assert r.p_value == pytest.approx(0.49694, abs=5e-6)


def test_matlab_cci(matlab_hits):
    r = christoffersen_independence(matlab_hits)
    # MATLAB's N10/N01 are both 53, so its naming convention for the off-diagonal cells does not matter here
    assert (r.n00, r.n01, r.n10, r.n11) == (932, 53, 53, 4)
    assert r.lr == pytest.approx(0.25866, abs=5e-6)
    assert r.p_value == pytest.approx(0.61104, abs=5e-6)
    assert r.pi == 57 / 1042  # over the n - 1 pairs (with 57 / 1043 LR_ind would be 0.25872, not MATLAB's)


def test_matlab_cc(matlab_hits):
    r = conditional_coverage(matlab_hits, 0.95)
    assert r.lr == pytest.approx(0.72013, abs=5e-6)
    assert r.p_value == pytest.approx(0.69763, abs=5e-6)
    assert r.lr_pof == pytest.approx(0.46147, abs=5e-6) and r.lr_ind == pytest.approx(0.25866, abs=5e-6)


def test_matlab_tl():
    r = basel_traffic_light(57, n=1043, coverage=0.95)
    assert r.zone == "green"
    assert r.cumulative_probability == pytest.approx(0.77913, abs=5e-6)
    assert r.type1_error == pytest.approx(0.26396, abs=5e-6)
    assert r.plus_factor is None and r.multiplier is None and "only for 250" in r.note


def test_matlab_bin(matlab_hits):
    r = binomial_z_test(matlab_hits, 0.95)
    assert r.z == pytest.approx(0.68905, abs=5e-6)
    assert r.p_value == pytest.approx(0.49079, abs=5e-6)


def test_matlab_tuff(matlab_hits):
    r = time_until_first_failure(matlab_hits, 0.95)
    assert r.first_failure == 58 and not r.censored
    assert r.lr == pytest.approx(1.7354, abs=5e-5)
    assert r.p_value == pytest.approx(0.18773, abs=5e-6)


def test_matlab_risk_validation_examples():
    three_in_250 = np.r_[np.ones(3), np.zeros(247)]
    assert kupiec_pof(three_in_250, 0.95).p_value < 0.05  # hPOFTest = 1
    assert kupiec_pof(three_in_250, 0.99).p_value > 0.05  # hPOFTest = 0
    assert basel_traffic_light(40, 250, 0.90).zone == "yellow"  # zone 2 ("amber")


# ----------------------------------------------------------------------------- Basel 1996 Table 2
BASEL_CUMULATIVE = (0.0811, 0.2858, 0.5432, 0.7581, 0.8922, 0.9588, 0.9863, 0.9960, 0.9989, 0.9997, 0.9999)
BASEL_ZONES = ("green",) * 5 + ("yellow",) * 5 + ("red",)
BASEL_PLUS = (0.0, 0.0, 0.0, 0.0, 0.0, 0.40, 0.50, 0.65, 0.75, 0.85, 1.00)


@pytest.mark.parametrize("x", range(11))
def test_basel_table_2(x):
    r = basel_traffic_light(x)
    assert r.cumulative_probability == pytest.approx(BASEL_CUMULATIVE[x], abs=5e-5)  # printed to 0.01%
    assert r.cumulative_probability == sps.binom.cdf(x, 250, 0.01)
    assert r.zone == BASEL_ZONES[x]
    assert r.plus_factor == BASEL_PLUS[x]
    assert r.multiplier == pytest.approx(3.0 + BASEL_PLUS[x])
    assert (r.yellow_from, r.red_from) == (5, 10)
    assert r.note is None


def test_basel_red_beyond_ten_and_constant():
    assert BASEL_1996_PLUS_FACTORS == BASEL_PLUS[:10]
    for x in (10, 11, 25, 250):
        r = basel_traffic_light(x)
        assert (r.zone, r.plus_factor, r.multiplier) == ("red", 1.0, 4.0)


def test_basel_other_windows_follow_the_cumulative_rule():
    r = basel_traffic_light(9, n=500)  # 99%, two years: zones by the same rule, no plus factor
    cdf = sps.binom.cdf(np.arange(501), 500, 0.01)
    assert r.yellow_from == int(np.argmax(cdf >= 0.95)) and r.red_from == int(np.argmax(cdf >= 0.9999))
    assert r.zone == ("green" if cdf[9] < 0.95 else "yellow")
    assert r.plus_factor is None and r.multiplier is None and "n = 500" in r.note


def test_basel_fewer_than_250_days_is_an_error_for_the_standard_table():
    with pytest.raises(InsufficientData, match="at least 250 daily observations"):
        basel_traffic_light(2, n=249)
    assert basel_traffic_light(2, n=100, coverage=0.95).zone == "green"  # other levels: rule only, noted


def test_basel_bad_parameters():
    with pytest.raises(InvalidParameters, match="'exceptions' parameter of basel_traffic_light must be at most n"):
        basel_traffic_light(251)
    with pytest.raises(InvalidParameters, match="'exceptions' parameter"):
        basel_traffic_light(-1)
    with pytest.raises(InvalidParameters, match="'exceptions' parameter"):
        basel_traffic_light(True)
    with pytest.raises(InvalidParameters, match="'exceptions' parameter"):
        basel_traffic_light(3.0)
    with pytest.raises(InvalidParameters, match="'coverage' parameter of basel_traffic_light"):
        basel_traffic_light(3, coverage=99)


# ------------------------------------------------------------------------- Kupiec (1995) table
# 95% non-rejection regions for the number of failures N, Kupiec (1995) Table 3 as reprinted in Jorion
# (2007) Table 6-2. Provenance caveat: the printed table could not be retrieved with this project's
# search tool; the values are those the brief quotes (p = 1%, T = 250: N < 7) and the published
# table as recalled. 14 of the 15 cells equal {N : LR_POF(N) < 3.841} exactly. The exception is
# p = 1%, T = 255, printed "N < 7": LR_POF(0) = -2 * 255 ln(0.99) = 5.13 > 3.841, so the LR test
# does reject N = 0; only the upper end is checked there.
KUPIEC_TABLE = {  # p: {T: (lowest N not rejected, highest N not rejected)}
    0.01: {255: (None, 6), 510: (2, 10), 1000: (5, 16)},
    0.025: {255: (3, 11), 510: (7, 20), 1000: (16, 35)},
    0.05: {255: (7, 20), 510: (17, 35), 1000: (38, 64)},
    0.075: {255: (12, 27), 510: (28, 50), 1000: (60, 91)},
    0.10: {255: (17, 35), 510: (39, 64), 1000: (82, 119)},
}


@pytest.mark.parametrize("p", sorted(KUPIEC_TABLE))
def test_kupiec_nonrejection_regions(p):
    for t, (low, high) in KUPIEC_TABLE[p].items():
        accepted = [x for x in range(t + 1) if kupiec_pof(np.r_[np.ones(x), np.zeros(t - x)], 1 - p).lr < CHI2_95]
        assert max(accepted) == high
        if low is not None:
            assert min(accepted) == low
    assert kupiec_pof(np.zeros(255), 0.99).lr == pytest.approx(-2 * 255 * math.log(0.99))


def test_kupiec_region_at_250_days():
    # brief: p = 0.01, T = 250, 95% non-rejection region N < 7 (here 1..6: N = 0 gives LR = 5.03)
    lr = [kupiec_pof(np.r_[np.ones(x), np.zeros(250 - x)], 0.99).lr for x in range(12)]
    assert [x for x in range(12) if lr[x] < CHI2_95] == [1, 2, 3, 4, 5, 6]


# ------------------------------------------------------------------------------ hand calculations
HAND_A = [0, 1, 1, 0, 0, 1, 0, 0, 0, 0]  # n = 10, x = 3
HAND_B = [1, 1, 0, 0, 0, 0, 1, 1, 0, 0]  # n = 10, x = 4


def test_hand_kupiec():
    # p = 0.1, n p = 1: LR = 2 [3 ln(3 / 1) + 7 ln(7 / 9)] = 2 [3.2958369 - 1.7592010] = 3.0732717
    r = kupiec_pof(HAND_A, 0.9)
    assert r.lr == pytest.approx(3.0732717, abs=1e-7)
    assert (r.exceptions, r.n, r.expected_exceptions, r.observed_rate) == (3, 10, 1.0, 0.3)
    assert r.p_value == pytest.approx(sps.chi2.sf(3.0732717360759736, 1), rel=1e-12)


def test_hand_independence_equal_rates_is_zero():
    # pairs (0,1) (1,1) (1,0) (0,0) (0,1) (1,0) (0,0) (0,0) (0,0): n00 = 4, n01 = 2, n10 = 2, n11 = 1
    # pi0 = 2 / 6, pi1 = 1 / 3, pi = 3 / 9: all 1/3, so L(pi0, pi1) = L(pi) and LR_ind = 0
    r = christoffersen_independence(HAND_A)
    assert (r.n00, r.n01, r.n10, r.n11) == (4, 2, 2, 1)
    assert r.pi0 == r.pi1 == pytest.approx(1 / 3) and r.pi == pytest.approx(1 / 3)
    assert r.lr == pytest.approx(0.0, abs=1e-14) and r.p_value == pytest.approx(1.0)


def test_hand_independence_clustered():
    # pairs (1,1) (1,0) (0,0) (0,0) (0,0) (0,1) (1,1) (1,0) (0,0): n00 = 4, n01 = 1, n10 = 2, n11 = 2
    # pi0 = 1/5, pi1 = 2/4, pi = 3/9
    # ln L1 = 4 ln(4/5) + ln(1/5) + 2 ln(1/2) + 2 ln(1/2) = -0.8925742 - 1.6094379 - 2.7725887 = -5.2746008
    # ln L0 = 6 ln(2/3) + 3 ln(1/3) = -2.4327906 - 3.2958369 = -5.7286275
    # LR_ind = 2 (-5.2746008 + 5.7286275) = 0.9080533
    r = christoffersen_independence(HAND_B)
    assert (r.n00, r.n01, r.n10, r.n11) == (4, 1, 2, 2)
    assert (r.pi0, r.pi1) == pytest.approx((0.2, 0.5))
    assert r.lr == pytest.approx(0.9080533, abs=1e-7)
    # conditional coverage at p = 0.1: LR_POF = 2 [4 ln 4 + 6 ln(6/9)] = 6.2247736, so LR_cc = 7.1328269
    cc = conditional_coverage(HAND_B, 0.9)
    assert cc.lr_pof == pytest.approx(6.2247736, abs=1e-7)
    assert cc.lr == pytest.approx(7.1328269, abs=1e-7)
    assert cc.p_value == pytest.approx(sps.chi2.sf(cc.lr, 2), rel=1e-12)


def test_hand_traffic_light_and_z():
    # P(X <= 3), X ~ Bin(10, 0.1) = 0.3486784401 + 0.3874204890 + 0.1937102445 + 0.0573956280 = 0.9872048016
    r = basel_traffic_light(3, n=10, coverage=0.9)
    assert r.cumulative_probability == pytest.approx(0.9872048016, abs=1e-10)
    assert r.zone == "yellow"  # 0.95 <= 0.9872 < 0.9999
    # z = (3 - 1) / sqrt(10 * 0.1 * 0.9) = 2 / 0.9486833 = 2.1081851
    z = binomial_z_test(HAND_A, 0.9)
    assert z.z == pytest.approx(2.1081851, abs=1e-7)
    assert z.p_value == pytest.approx(0.0350150, abs=1e-7) and z.p_value_upper == pytest.approx(0.0175075, abs=1e-7)


def test_hand_tuff():
    # first failure on day 2, p = 0.1: LR = -2 [ln 0.1 + ln 0.9 - ln(1/2) - ln(1/2)]
    #   = -2 [-2.3025851 - 0.1053605 + 1.3862944] = 2.0433025
    r = time_until_first_failure(HAND_A, 0.9)
    assert r.first_failure == 2 and r.lr == pytest.approx(2.0433025, abs=1e-7)
    # first failure on day 1: (v - 1) ln(1 - 1/v) = 0 ln 0 = 0, LR = -2 ln(p) = 4.6051702
    assert time_until_first_failure(HAND_B, 0.9).lr == pytest.approx(-2 * math.log(0.1))
    assert time_until_first_failure(HAND_B, 0.9).expected_first_failure == 10.0


def test_tuff_without_failure_is_censored():
    r = time_until_first_failure(np.zeros(250), 0.99)
    assert r.first_failure is None and r.censored and "censored" in r.note
    assert r.lr == pytest.approx(-2 * sps.geom.logsf(250, 0.01))  # P(V > 250) = 0.99^250
    assert r.lr == pytest.approx(kupiec_pof(np.zeros(250), 0.99).lr)


# ------------------------------------------------------------------------ independent software
@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 3000), frac=st.floats(0, 1), coverage=st.sampled_from([0.9, 0.95, 0.975, 0.99, 0.995]))
def test_kupiec_equals_scipy_g_test(n, frac, coverage):
    x = round(frac * n)
    r = kupiec_pof(np.r_[np.ones(x), np.zeros(n - x)], coverage)
    p = 1 - coverage
    ref = sps.power_divergence([n - x, x], f_exp=[n * (1 - p), n * p], lambda_="log-likelihood")
    assert r.lr == pytest.approx(ref.statistic, rel=1e-9, abs=1e-9)
    assert r.p_value == pytest.approx(sps.chi2.sf(r.lr, 1), rel=1e-12)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.booleans(), min_size=2, max_size=400))
def test_independence_equals_scipy_contingency_g_test(hits):
    r = christoffersen_independence(hits)
    table = np.array([[r.n00, r.n01], [r.n10, r.n11]])
    assert table.sum() == len(hits) - 1
    if (table.sum(axis=0) > 0).all() and (table.sum(axis=1) > 0).all():
        g, p, dof, _ = sps.chi2_contingency(table, correction=False, lambda_="log-likelihood")
        assert dof == 1
        assert r.lr == pytest.approx(g, rel=1e-9, abs=1e-10)
        assert r.p_value == pytest.approx(p, rel=1e-9, abs=1e-12)
    else:  # an empty row or column: no information about dependence
        assert r.lr == 0.0 and r.note is not None


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 2000), frac=st.floats(0, 1), coverage=st.sampled_from([0.9, 0.95, 0.99]))
def test_binomial_z_equals_statsmodels(n, frac, coverage):
    x = round(frac * n)
    r = binomial_z_test(np.r_[np.ones(x), np.zeros(n - x)], coverage)
    z, p = proportions_ztest(x, n, value=1 - coverage, prop_var=1 - coverage)
    assert r.z == pytest.approx(z, rel=1e-9, abs=1e-12)
    assert r.p_value == pytest.approx(p, rel=1e-9, abs=1e-15)
    assert r.p_value_upper == pytest.approx(sps.norm.sf(z), rel=1e-9, abs=1e-15)


@settings(max_examples=40, deadline=None)
@given(v=st.integers(1, 2000), coverage=st.sampled_from([0.9, 0.95, 0.99]))
def test_tuff_equals_geometric_likelihood_ratio(v, coverage):
    p = 1 - coverage
    r = time_until_first_failure(np.r_[np.zeros(v - 1), 1, np.zeros(5)], coverage)
    ref = -2 * (sps.geom.logpmf(v, p) - sps.geom.logpmf(v, 1 / v)) if v > 1 else -2 * math.log(p)
    assert r.first_failure == v and r.lr == pytest.approx(max(ref, 0.0), rel=1e-9, abs=1e-9)


@settings(max_examples=30, deadline=None)
@given(n=st.integers(250, 2000), frac=st.floats(0, 0.2), coverage=st.sampled_from([0.95, 0.975, 0.99]))
def test_traffic_light_equals_scipy_binomial(n, frac, coverage):
    x = round(frac * n)
    r = basel_traffic_light(x, n, coverage)
    assert r.cumulative_probability == pytest.approx(sps.binom.cdf(x, n, 1 - coverage), rel=1e-12)
    assert r.type1_error == pytest.approx(sps.binom.sf(x - 1, n, 1 - coverage), rel=1e-12, abs=1e-300)


# ------------------------------------------------------------------------------------- properties
hit_lists = st.lists(st.integers(0, 1), min_size=2, max_size=300)
coverages = st.floats(0.5, 0.999)


@settings(max_examples=80, deadline=None)
@given(hits=hit_lists, coverage=coverages)
def test_p_values_in_unit_interval_and_statistics_non_negative(hits, coverage):
    results = [
        kupiec_pof(hits, coverage),
        christoffersen_independence(hits),
        conditional_coverage(hits, coverage),
        time_until_first_failure(hits, coverage),
    ]
    for r in results:
        assert 0.0 <= r.p_value <= 1.0 and r.lr >= 0.0 and math.isfinite(r.lr)
    z = binomial_z_test(hits, coverage)
    assert 0.0 <= z.p_value <= 1.0 and 0.0 <= z.p_value_upper <= 1.0


@settings(max_examples=80, deadline=None)
@given(hits=hit_lists, coverage=coverages)
def test_conditional_coverage_is_kupiec_on_all_n_plus_independence(hits, coverage):
    cc = conditional_coverage(hits, coverage)
    assert cc.lr == kupiec_pof(hits, coverage).lr + christoffersen_independence(hits).lr  # exactly
    assert cc.lr_pof == kupiec_pof(hits, coverage).lr and cc.n == len(hits)


@settings(max_examples=80, deadline=None)
@given(hits=hit_lists, coverage=coverages)
def test_reversing_a_sequence_does_not_change_kupiec(hits, coverage):
    assert kupiec_pof(hits[::-1], coverage).to_dict() == kupiec_pof(hits, coverage).to_dict()


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 5000), data=st.data())
def test_kupiec_zero_when_observed_rate_equals_p(n, data):
    x = data.draw(st.integers(1, n - 1)) if n > 1 else 0
    if x == 0:
        return
    r = kupiec_pof(np.r_[np.ones(x), np.zeros(n - x)], 1 - x / n)
    assert r.lr == pytest.approx(0.0, abs=1e-9)  # exactly 0 up to the rounding of 1 - (1 - x / n)
    assert r.p_value == pytest.approx(1.0, abs=1e-4)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 10_000), coverage=coverages)
def test_zero_exceptions_give_a_finite_kupiec_statistic(n, coverage):
    r = kupiec_pof(np.zeros(n, dtype=bool), coverage)
    assert r.exceptions == 0 and math.isfinite(r.lr)
    assert r.lr == pytest.approx(-2 * n * math.log(coverage), rel=1e-9)
    every = kupiec_pof(np.ones(n, dtype=bool), coverage)  # every day an exception: finite too
    assert every.lr == pytest.approx(-2 * n * math.log(1 - coverage), rel=1e-9)


@settings(max_examples=40, deadline=None)
@given(b=st.integers(2, 6), data=st.data())
def test_independence_is_zero_when_transition_rates_are_equal(b, data):
    a = data.draw(st.integers(1, b - 1))  # rate a / b after a quiet day and after an exception
    t = data.draw(st.integers(1, 4))
    k0, k1 = (b - a) * t, a * t  # rows (b - a) k0 : a k0 and (b - a) k1 : a k1, with n01 = n10
    hits = sequence((b - a) * k0, a * k0, (b - a) * k1, a * k1, lead=data.draw(st.integers(0, (b - a) * k0)))
    r = christoffersen_independence(hits)
    assert r.pi0 == pytest.approx(r.pi1) == pytest.approx(a / b)
    assert r.lr == pytest.approx(0.0, abs=1e-10)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(250, 1500), coverage=st.sampled_from([0.9, 0.95, 0.975, 0.99, 0.995]))
def test_traffic_light_zone_monotone_in_exceptions(n, coverage):
    order = {"green": 0, "yellow": 1, "red": 2}
    zones = [order[basel_traffic_light(x, n, coverage).zone] for x in range(0, min(n, 60) + 1)]
    assert zones == sorted(zones)


def test_inputs_are_not_modified():
    arr = np.array([0, 1, 0, 0, 1, 1, 0], dtype=np.int64)
    series = pd.Series(arr.astype(bool))
    before, before_s = arr.copy(), series.copy()
    for hits in (arr, series):
        kupiec_pof(hits, 0.99), christoffersen_independence(hits), conditional_coverage(hits, 0.99)
        binomial_z_test(hits, 0.99), time_until_first_failure(hits, 0.99)
    np.testing.assert_array_equal(arr, before)
    pd.testing.assert_series_equal(series, before_s)
    pnl, var = np.array([-3.0, 1.0, -0.5]), np.array([1.0, 1.0, 1.0])
    var_exceptions(pnl, var)
    np.testing.assert_array_equal(pnl, [-3.0, 1.0, -0.5])


# ----------------------------------------------------------------------------------- bad inputs
@pytest.mark.parametrize(
    ("hits", "match"),
    [
        ([0, 1, 2], r"must be 0/1 \(1 = exception\); found values \[2\]"),
        ([0.0, np.nan, 1.0], "1 missing value"),
        ([0, None, 1], "1 missing value"),
        (pd.Series([0, pd.NA, 1], dtype="Int64"), "1 missing value"),
        (["0", "1"], r"found values \['0', '1'\]"),
        ("0101", "got the text"),
        ([[0, 1], [1, 0]], "one-dimensional"),
        ([], "at least 1 observation"),
        ([0.5, 1.0], r"found values \[0.5\]"),
    ],
)
def test_bad_hits_are_invalid_input(hits, match):
    with pytest.raises(InvalidInput, match=match):
        kupiec_pof(hits, 0.99)


def test_too_short_for_transitions():
    with pytest.raises(InsufficientData, match="at least 2 observation"):
        christoffersen_independence([1])
    with pytest.raises(InsufficientData, match="at least 2 observation"):
        conditional_coverage([0], 0.99)


@pytest.mark.parametrize("coverage", [0, 1, 1.5, -0.1, "high", None, math.nan])
def test_bad_coverage_is_one_voice(coverage):
    for func in (kupiec_pof, conditional_coverage, binomial_z_test, time_until_first_failure):
        with pytest.raises(
            InvalidParameters,
            match=rf"The 'coverage' parameter of {func.__name__} must be a number "
            r"strictly between 0 and 1; got",
        ):
            func([0, 1, 0], coverage)


def test_degenerate_independence_is_json_safe():
    r = christoffersen_independence([0, 0, 0, 1])
    assert math.isnan(r.pi1) and r.lr == 0.0 and "no information" in r.note
    d = r.to_dict()
    assert d["pi1"] is None and json.loads(json.dumps(d, allow_nan=False)) == d


# ------------------------------------------------------------------------------- var_exceptions
def test_var_exceptions_inequality_is_strict():
    pnl = np.array([-1.5, -1.0, -0.99, 2.0, -3.0])
    var = np.array([1.0, 1.0, 1.0, 1.0, 1.0])
    r = var_exceptions(pnl, var)
    np.testing.assert_array_equal(r.hits, [True, False, False, False, True])  # loss = VaR: no exception
    assert (r.exceptions, r.n, r.var_sign, r.rule) == (2, 5, "positive", "pnl < -var (loss exceeds VaR)")
    neg = var_exceptions(pnl, -var, var_sign="negative")
    np.testing.assert_array_equal(neg.hits, r.hits)
    assert neg.rule.startswith("pnl < var")
    out = var_exceptions(pd.Series(pnl), pd.Series(var))
    assert out.hits.dtype == bool and not out.hits.flags.writeable
    assert kupiec_pof(out, 0.99).exceptions == 2  # the result is accepted as hits
    assert kupiec_pof(out, 0.99) == kupiec_pof(out.hits, 0.99)
    with pytest.raises(ValueError):
        out.hits[0] = False  # read-only: a frozen result stays frozen
    assert out != var_exceptions(pnl, var) and out == out  # compared by identity, never an ambiguous array ==
    assert out.to_dict()["hits"] == [True, False, False, False, True]


@pytest.mark.parametrize(
    ("pnl", "var", "error", "match"),
    [
        ([1.0, np.nan], [1.0, 1.0], InvalidInput, "pnl of var_exceptions has 1 missing value"),
        ([1.0, 2.0], [1.0, None], InvalidInput, "var of var_exceptions has 1 missing value"),
        ([1.0, np.inf], [1.0, 1.0], InvalidInput, r"infinite value\(s\), first at position\(s\) \[1\]"),
        (["1.0", "2.0"], [1.0, 1.0], InvalidInput, "must be numbers"),
        ([1.0, "a"], [1.0, 1.0], InvalidInput, "must be numbers"),
        ("1.0", [1.0], InvalidInput, "got the text"),
        ([True, False], [1.0, 1.0], InvalidInput, "must be numbers"),
        ([1.0, 2.0, 3.0], [1.0, 1.0], InvalidInput, "3 P&L value"),
        ([], [], InsufficientData, "at least one day"),
        ([1.0, 2.0], [-1.0, -2.0], InvalidInput, "pass var_sign='negative'"),
        ([[1.0]], [[1.0]], InvalidInput, "one-dimensional"),
    ],
)
def test_var_exceptions_rejects_bad_data(pnl, var, error, match):
    with pytest.raises(error, match=match):
        var_exceptions(pnl, var)


def test_var_exceptions_bad_sign_parameter():
    with pytest.raises(InvalidParameters, match=r"The 'var_sign' parameter of var_exceptions must be one of"):
        var_exceptions([1.0], [1.0], var_sign="neg")
    with pytest.raises(InvalidInput, match="pass var_sign='positive'"):
        var_exceptions([1.0, 2.0], [1.0, 2.0], var_sign="negative")


def test_kupiec_exact_p_value_by_hand_and_its_size() -> None:
    """Kupiec's exact p-value: the binomial mass of the counts whose LR is at least the observed one.

    Hand calculation at n = 250, p = 0.01 (Basel's setting): zero exceptions give LR = -2 ln(0.99^250) =
    5.025, above the chi-square 5 % point 3.84, so the asymptotic test rejects a correct model whenever it
    has no exception (probability 0.99^250 = 8.1 %). The exact p-value of zero exceptions adds every count
    with LR >= 5.025, i.e. 0 and 7 or more (LR(6) = 3.56, LR(7) = 5.50), and its size never exceeds 5 %.
    """
    import math

    from scipy import stats as sps

    from mrmkit.stats import kupiec_pof

    r = kupiec_pof(np.zeros(250, dtype=int), 0.99)
    assert r.lr == pytest.approx(-2 * 250 * math.log(0.99), rel=1e-12) and r.p_value < 0.05
    expected = 0.99**250 + sps.binom.sf(6, 250, 0.01)
    assert r.p_value_exact == pytest.approx(expected, rel=1e-9)
    size = sum(
        sps.binom.pmf(x, 250, 0.01)
        for x in range(251)
        if kupiec_pof(np.r_[np.ones(x), np.zeros(250 - x)].astype(int), 0.99).p_value_exact < 0.05
    )
    assert size <= 0.05


# ------------------------------------------------------------------ expected shortfall (Acerbi-Szekely Z2)
from mrmkit.stats import es_backtest  # noqa: E402


def test_es_z2_by_hand() -> None:
    """Z2 = sum(X_t I_t / ES_t) / (T p) + 1 (Acerbi & Szekely 2014, eq. 6), worked by hand.

    P&L -3, 1, -1, -2.5, 0.5 with VaR 2 and ES 2.5 at 80 % coverage (p = 0.2, T p = 1): the exceptions are
    -3 and -2.5, so Z2 = (-3 / 2.5 - 2.5 / 2.5) / 1 + 1 = -1.2.
    """
    result = es_backtest([-3, 1, -1, -2.5, 0.5], [2.0] * 5, [2.5] * 5, 0.8, n_simulations=1000)
    assert result.statistic == pytest.approx(-1.2, abs=1e-15) and result.exceptions == 2 and result.n == 5
    # a model whose ES is right on every exception and whose exceptions come at rate p gives Z2 = 0
    exact = es_backtest([-2.5, 1, 1, 1, 1], [2.0] * 5, [2.5] * 5, 0.8, n_simulations=1000)
    assert exact.statistic == pytest.approx(0.0, abs=1e-15)


@pytest.mark.parametrize(
    ("distribution", "expected", "tolerance"),
    # MathWorks, Risk Management Toolbox documentation, esbacktest: 1,966 days at VaRLevel 0.975 and
    # TestLevel 0.99, CriticalValue -0.34639 (unconditionalNormal) and -0.42986 (unconditionalT, 3 df)
    [("normal", -0.34639, 0.01), ("t", -0.42986, 0.02)],
)
def test_es_z2_critical_values_agree_with_matlab(distribution: str, expected: float, tolerance: float) -> None:
    rng = np.random.default_rng(0)
    n = 1966
    result = es_backtest(
        rng.standard_normal(n),
        np.full(n, 1.96),
        np.full(n, 2.34),
        0.975,
        distribution=distribution,
        test_level=0.99,
        n_simulations=20_000,
        seed=1,
    )
    assert result.critical_value == pytest.approx(expected, abs=tolerance)


def test_es_z2_threshold_over_a_year_is_the_papers() -> None:
    """Acerbi & Szekely (2014): for a 97.5 % ES over 250 days the 5 % threshold of Z2 is about -0.70."""
    x = np.zeros(250)
    result = es_backtest(x, np.ones(250), np.full(250, 1.2), 0.975, n_simulations=20_000, seed=2)
    assert result.critical_value == pytest.approx(-0.70, abs=0.03)


def test_es_z2_has_mean_zero_and_its_size_under_a_correct_model() -> None:
    """Under H0 E[Z2] = 0, and rejecting at the 5 % critical value happens about 5 % of the time."""
    from scipy import stats as sps2

    rng = np.random.default_rng(5)
    p = 0.025
    var0 = -sps2.norm.ppf(p)
    es0 = sps2.norm.pdf(sps2.norm.ppf(p)) / p
    sigma = rng.uniform(0.5, 2.0, 500)  # a different scale every day: Z2 is invariant to it
    z2, rejected = [], 0
    for k in range(200):
        x = rng.standard_normal(500) * sigma
        r = es_backtest(x, var0 * sigma, es0 * sigma, 0.975, n_simulations=1000, seed=k)
        z2.append(r.statistic)
        rejected += r.p_value < 0.05
    assert abs(np.mean(z2)) < 0.05
    assert 0.01 <= rejected / 200 <= 0.10


def test_es_z2_refuses_bad_input() -> None:
    with pytest.raises(InvalidInput, match="at least the VaR"):
        es_backtest([-1.0, 2.0], [2.0, 2.0], [1.5, 2.5], 0.975)
    with pytest.raises(InvalidInput, match="positive loss amounts"):
        es_backtest([-1.0, 2.0], [0.0, 2.0], [1.5, 2.5], 0.975)
    with pytest.raises(InvalidInput, match="one value per day"):
        es_backtest([-1.0], [2.0, 2.0], [2.5, 2.5], 0.975)
    with pytest.raises(InvalidParameters, match="degrees_of_freedom"):
        es_backtest([-1.0], [2.0], [2.5], 0.975, distribution="t", degrees_of_freedom=1)
