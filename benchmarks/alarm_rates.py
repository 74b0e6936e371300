"""False-alarm and detection rates of every rule that can raise an amber or red finding.

For each rule, simulate (a) no change: the current sample drawn from the same population as the
reference, and (b) a known change of stated size, at several sample sizes; count how often the rule
raises amber or red. A rule with a nominal level (a test at ``policy.p_value.amber`` = 5 %, the Basel
traffic light's yellow zone at 10.8 %) should raise amber or worse under (a) at most 1.5 times that
level at every size; a rule without one (PSI thresholds, the four-fifths ratio) is a screening rule and
its measured rate is what a validator cites.

Run ``python benchmarks/alarm_rates.py [--reps N] [--sizes 500,2000,...] [--seed S] [--markdown]``;
``tests/test_alarm_rates.py`` runs a reduced version. Every draw comes from one seeded generator per
(rule, size, scenario), so the table is reproducible.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as sps

from mrmkit import stats
from mrmkit.params import DecisionRules, PolicySection
from mrmkit.policy import NOT_ENOUGH_DATA, classify, classify_low
from mrmkit.workbooks.backtest import analysis_pd, grading
from mrmkit.workbooks.champion_challenger import _champion_flags, interval_decision

POLICY = PolicySection()
POLICY_RULES = DecisionRules()
REFERENCE_ROWS = 20_000  # development sample of the distribution rules (drift); the current sample varies
SIZES = (500, 2_000, 10_000, 100_000)
VAR_DAYS = (250, 500, 1_000, 2_500)
ALARM = ("amber", "red")


@dataclass(frozen=True, slots=True)
class Rule:
    """One decision rule: ``decide(rng, n, changed)`` simulates a sample and returns the status it gets."""

    name: str
    workbook: str
    nominal: float | None  # nominal rate of amber-or-worse under no change; None: a screening rule
    nominal_red: float | None
    change: str  # the change simulated under (b)
    decide: Callable[[np.random.Generator, int, bool], str]
    sizes: tuple[int, ...] = SIZES
    unit: str = "rows"


RULES: dict[str, Rule] = {}


def rule(
    name: str,
    workbook: str,
    nominal: float | None,
    change: str,
    *,
    nominal_red: float | None = None,
    sizes: tuple[int, ...] = SIZES,
    unit: str = "rows",
) -> Callable:
    def register(func: Callable[[np.random.Generator, int, bool], str]) -> Callable:
        if name in RULES:
            raise ValueError(f"rule {name!r} is registered twice")
        RULES[name] = Rule(name, workbook, nominal, nominal_red, change, func, sizes, unit)
        return func

    return register


# ------------------------------------------------------------------------------------------------ drift

SHIFT = 0.5  # standard deviations: a PSI of about 0.25 on a normal feature


@rule("drift: feature PSI (continuous)", "drift", None, f"mean shift of {SHIFT} SD")
def _psi_continuous(rng: np.random.Generator, n: int, changed: bool) -> str:
    ref = rng.standard_normal(REFERENCE_ROWS)
    cur = rng.standard_normal(n) + (SHIFT if changed else 0.0)
    return classify(stats.psi(ref, cur).value, POLICY.psi)


@rule("drift: feature PSI (count, Poisson 0.3)", "drift", None, "Poisson mean 0.3 to 0.6")
def _psi_count(rng: np.random.Generator, n: int, changed: bool) -> str:
    ref = rng.poisson(0.3, REFERENCE_ROWS).astype(float)
    cur = rng.poisson(0.6 if changed else 0.3, n).astype(float)
    return classify(stats.psi(ref, cur).value, POLICY.psi)


@rule("drift: feature PSI (categorical, 5 values)", "drift", None, "shares 40/25/15/12/8 to 25/25/20/15/15 (PSI 0.14)")
def _psi_categorical(rng: np.random.Generator, n: int, changed: bool) -> str:
    values = np.array(["a", "b", "c", "d", "e"])
    base, moved = [0.40, 0.25, 0.15, 0.12, 0.08], [0.25, 0.25, 0.20, 0.15, 0.15]
    ref = rng.choice(values, REFERENCE_ROWS, p=base)
    cur = rng.choice(values, n, p=moved if changed else base)
    return classify(stats.psi(ref, cur, categorical=True).value, POLICY.psi)


def _significance(p: float) -> str:
    return "amber" if p < 0.05 else "green"


@rule("drift: feature test at 5% (continuous, KS)", "drift", 0.05, "mean shift of 0.05 SD")
def _ks_continuous(rng: np.random.Generator, n: int, changed: bool) -> str:
    ref = rng.standard_normal(REFERENCE_ROWS)
    cur = rng.standard_normal(n) + (0.05 if changed else 0.0)
    return _significance(stats.ks_test(ref, cur).p_value)


@rule(
    "drift: feature test at 5% (count, Poisson 0.3; chi-square on its values)",
    "drift",
    0.05,
    "Poisson mean 0.3 to 0.33",
)
def _discrete_count(rng: np.random.Generator, n: int, changed: bool) -> str:
    # the workbook tests a numeric feature with at most drift.discrete_max_values values as discrete
    ref = rng.poisson(0.3, REFERENCE_ROWS).astype(float)
    cur = rng.poisson(0.33 if changed else 0.3, n).astype(float)
    return _significance(stats.discrete_test(ref, cur).p_value)


ZIPF = 1 / np.arange(1, 41) ** 1.5
ZIPF_VALUES = np.array([f"c{i:02d}" for i in range(40)])


@rule(
    "drift: feature test at 5% (categorical, 40 Zipf categories; rare ones pooled)",
    "drift",
    0.05,
    "the two largest categories' shares swapped with the third and fourth",
)
def _sparse_categorical(rng: np.random.Generator, n: int, changed: bool) -> str:
    base = ZIPF / ZIPF.sum()
    moved = base.copy()
    if changed:
        moved[[0, 1, 2, 3]] = moved[[2, 3, 0, 1]]
    ref = rng.choice(ZIPF_VALUES, REFERENCE_ROWS, p=base)
    cur = rng.choice(ZIPF_VALUES, n, p=moved)
    return _significance(stats.chi2_test(ref, cur).p_value)


@rule("drift: feature test at 5% (60% zeros and a lognormal tail, KS)", "drift", 0.05, "share of zeros 60% to 57%")
def _zero_inflated(rng: np.random.Generator, n: int, changed: bool) -> str:
    def draw(m: int, zeros: float) -> np.ndarray:
        x = rng.lognormal(8.0, 1.0, m)
        x[rng.random(m) < zeros] = 0.0
        return x

    return _significance(stats.ks_test(draw(REFERENCE_ROWS, 0.60), draw(n, 0.57 if changed else 0.60)).p_value)


@rule(
    "drift: retraining signal (10 features and the score)",
    "drift",
    None,
    f"mean shift of {SHIFT} SD on 3 of 10 features",
)
def _retraining(rng: np.random.Generator, n: int, changed: bool) -> str:
    trigger = POLICY.retraining
    over = 0
    for j in range(10):
        ref = rng.standard_normal(REFERENCE_ROWS)
        cur = rng.standard_normal(n) + (SHIFT if changed and j < 3 else 0.0)
        over += stats.psi(ref, cur).value > trigger.psi
    score_ref, score_cur = rng.standard_normal(REFERENCE_ROWS), rng.standard_normal(n)
    fired = over >= trigger.min_features or stats.psi(score_ref, score_cur).value > trigger.psi
    return "red" if fired else "green"


# ------------------------------------------------------------------------------- drift: top-driver rule
# policy.driver_shift: a top driver (its importance is given here: the first of 5 features) is amber when its
# Holm-adjusted p-value over the 5 features' tests is below policy.p_value.amber and its effect size reaches
# the threshold of its kind. The binary flag's PSI rule is measured on the same change: what PSI alone does.

DRIVER_FEATURES = 5
FLAG_SHARE, FLAG_MOVED = 0.09, 0.18  # the churn case: PSI about 0.07, Cohen's h 0.27


def _flag(rng: np.random.Generator, n: int, share: float) -> np.ndarray:
    return (rng.random(n) < share).astype(float)


def _driver_rule(rng: np.random.Generator, n: int, driver: tuple[np.ndarray, np.ndarray], test: Callable) -> str:
    """The rule's status for the first of DRIVER_FEATURES features; the others are unchanged normal features."""
    p = [test(*driver).p_value]
    for _ in range(DRIVER_FEATURES - 1):
        p.append(stats.ks_test(rng.standard_normal(REFERENCE_ROWS), rng.standard_normal(n)).p_value)
    adjusted = stats.adjust_pvalues(np.array(p), method="holm").adjusted[0]
    effect = stats.shift_effect(*driver)
    limit = {"binary": POLICY.driver_shift.cohens_h, "numeric": POLICY.driver_shift.ks_distance}[effect.kind]
    return "amber" if adjusted < POLICY.p_value.amber and effect.value >= limit else "green"


@rule("drift: feature PSI (binary flag, 9%)", "drift", None, "share 9% to 18% (PSI 0.07; the churn case)")
def _psi_flag(rng: np.random.Generator, n: int, changed: bool) -> str:
    ref, cur = _flag(rng, REFERENCE_ROWS, FLAG_SHARE), _flag(rng, n, FLAG_MOVED if changed else FLAG_SHARE)
    return classify(stats.psi(ref, cur).value, POLICY.psi)


@rule(
    "drift: top-driver rule (binary flag 9%, Cohen's h; Holm over 5 features)",
    "drift",
    0.05,
    "the top driver's share 9% to 18% (Cohen's h 0.27)",
)
def _driver_flag(rng: np.random.Generator, n: int, changed: bool) -> str:
    ref, cur = _flag(rng, REFERENCE_ROWS, FLAG_SHARE), _flag(rng, n, FLAG_MOVED if changed else FLAG_SHARE)
    return _driver_rule(rng, n, (ref, cur), stats.discrete_test)


@rule(
    "drift: top-driver rule (numeric, KS distance; Holm over 5 features)",
    "drift",
    0.05,
    "the top driver's mean shifted by 0.3 SD (KS distance 0.12, PSI 0.09)",
)
def _driver_numeric(rng: np.random.Generator, n: int, changed: bool) -> str:
    ref, cur = rng.standard_normal(REFERENCE_ROWS), rng.standard_normal(n) + (0.3 if changed else 0.0)
    return _driver_rule(rng, n, (ref, cur), stats.ks_test)


# --------------------------------------------------------------------------------------------- backtest

GRADES = 10


def _portfolio(rng: np.random.Generator, n: int, underestimate: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """PDs from a Beta(1, 30) portfolio (mean 3.2 %); defaults drawn at ``underestimate`` times the PD."""
    pd_ = np.clip(rng.beta(1.0, 30.0, n), 1e-4, 0.5)
    y = (rng.random(n) < np.minimum(pd_ * underestimate, 1.0)).astype(int)
    return y, pd_


def _grade_counts(y: np.ndarray, pd_: np.ndarray, bounds: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    grade = np.searchsorted(bounds, pd_, side="left")
    k = bounds.size + 1
    n_g = np.bincount(grade, minlength=k)
    d_g = np.bincount(grade, weights=y, minlength=k).astype(int)
    s_g = np.bincount(grade, weights=pd_, minlength=k)
    mean = np.divide(s_g, n_g, out=np.zeros(k), where=n_g > 0)
    return n_g, d_g, mean


def _bounds(rng: np.random.Generator) -> np.ndarray:
    """Equal-population grade bounds cut on a development sample, as the workbook's default grades."""
    _, dev_pd = _portfolio(rng, REFERENCE_ROWS)
    return np.quantile(dev_pd, np.linspace(0, 1, GRADES + 1)[1:-1])


@rule("backtest: calibration of a grade (Jeffreys)", "backtest", 0.05, "defaults at 1.5 times the PD", nominal_red=0.01)
def _grade_jeffreys(rng: np.random.Generator, n: int, changed: bool) -> str:
    bounds = _bounds(rng)
    y, pd_ = _portfolio(rng, n, 1.5 if changed else 1.0)
    n_g, d_g, mean = _grade_counts(y, pd_, bounds)
    g = GRADES // 2  # one grade in the middle of the scale
    return classify_low(stats.jeffreys_test(int(n_g[g]), int(d_g[g]), float(mean[g])).p_value, POLICY.p_value)


@rule("backtest: portfolio calibration (Jeffreys)", "backtest", 0.05, "defaults at 1.2 times the PD", nominal_red=0.01)
def _portfolio_jeffreys(rng: np.random.Generator, n: int, changed: bool) -> str:
    y, pd_ = _portfolio(rng, n, 1.2 if changed else 1.0)
    return classify_low(stats.jeffreys_test(n, int(y.sum()), math.fsum(pd_) / n).p_value, POLICY.p_value)


def _grade_frame(n_g: np.ndarray, d_g: np.ndarray, mean: np.ndarray) -> pd.DataFrame:
    """The workbook's grade table of these counts: per-grade binomial and Jeffreys p-values, the loans rule."""
    keep = n_g > 0
    binomial, jeffreys = np.full(n_g.size, np.nan), np.full(n_g.size, np.nan)
    if keep.any():
        binomial[keep] = stats.binomial_test(n_g[keep], d_g[keep], mean[keep]).p_value
        jeffreys[keep] = stats.jeffreys_test(n_g[keep], d_g[keep], mean[keep]).p_value
    few = (n_g > 0) & (n_g < POLICY.min_sample.events)
    return pd.DataFrame(
        {
            "n": n_g,
            "defaults": d_g,
            "mean_pd": np.where(keep, mean, np.nan),
            "binomial_p_value": binomial,
            "jeffreys_p_value": jeffreys,
            "status_reason": [f"{k} loans" if f else None for k, f in zip(n_g, few, strict=True)],
        },
        index=[str(g + 1) for g in range(n_g.size)],
    )


@rule(
    "backtest: Hosmer-Lemeshow over grades (adjacent grades pooled to 5 expected defaults)",
    "backtest",
    0.05,
    "defaults at 1.2 times the PD",
    nominal_red=0.01,
)
def _hosmer_lemeshow(rng: np.random.Generator, n: int, changed: bool) -> str:
    bounds = _bounds(rng)
    y, pd_ = _portfolio(rng, n, 1.2 if changed else 1.0)
    table = _grade_frame(*_grade_counts(y, pd_, bounds))
    hl = grading.pooled_hosmer_lemeshow(table, POLICY.min_sample.expected_events, POLICY.min_sample.events)
    return hl.get("status") or classify_low(hl["p_value"], POLICY.p_value)


def _worst(statuses: pd.Series) -> str:
    """The family's status: its worst grade, "not enough data" when no grade was tested."""
    for status in ("red", "amber", "green"):
        if (statuses == status).any():
            return status
    return NOT_ENOUGH_DATA


def _grade_family(rng: np.random.Generator, n: int, changed: bool, policy: PolicySection) -> str:
    """Ten equal-population grades, each judged by the workbook's rule; one middle grade at twice its PD."""
    bounds = _bounds(rng)
    y, pd_ = _portfolio(rng, n)
    if changed:
        hot = np.searchsorted(bounds, pd_, side="left") == GRADES // 2
        y[hot] = (rng.random(int(hot.sum())) < 2.0 * pd_[hot]).astype(int)
    judged, _ = grading.judge_grades(_grade_frame(*_grade_counts(y, pd_, bounds)), policy)
    return _worst(judged["status"])


FAMILY_SIZES = (2_000, 10_000, 100_000)  # at 500 rows (50 loans a grade) no grade expects 5 defaults
ALONE = PolicySection(multiplicity="none", min_sample={"expected_events": 1e-9})  # the rule before issue 26


@rule(
    "backtest: any of 10 grades, each judged alone (before: no multiplicity control, no expected-defaults minimum)",
    "backtest",
    None,
    "one middle grade's defaults at twice its PD",
    sizes=FAMILY_SIZES,
)
def _grades_alone(rng: np.random.Generator, n: int, changed: bool) -> str:
    return _grade_family(rng, n, changed, ALONE)


@rule(
    "backtest: any of 10 grades, Holm over the grades tested (policy.multiplicity), 5 expected defaults",
    "backtest",
    0.05,
    "one middle grade's defaults at twice its PD",
    nominal_red=0.01,
    sizes=FAMILY_SIZES,
)
def _grades_holm(rng: np.random.Generator, n: int, changed: bool) -> str:
    return _grade_family(rng, n, changed, POLICY)


@rule(
    "backtest: grade distribution and concentration (equal-population grades; chi-square of homogeneity)",
    "backtest",
    0.05,
    "a quarter of the portfolio moved into the best grade",
    nominal_red=0.01,
)
def _concentration(rng: np.random.Generator, n: int, changed: bool) -> str:
    # the workbook's finding: the chi-square test of homogeneity of the grade counts (the ECB Herfindahl test
    # is reported but not informative for grades cut to equal reference shares)
    _, ref_pd = _portfolio(rng, REFERENCE_ROWS)
    bounds = np.quantile(ref_pd, np.linspace(0, 1, GRADES + 1)[1:-1])
    _, cur_pd = _portfolio(rng, n)
    if changed:
        cur_pd[: n // 4] = 1e-4
    ref_grades = np.searchsorted(bounds, ref_pd).astype(str)
    cur_grades = np.searchsorted(bounds, cur_pd).astype(str)
    return classify_low(stats.chi2_test(ref_grades, cur_grades).p_value, POLICY.p_value)


def _scored(rng: np.random.Generator, n: int, separation: float) -> tuple[np.ndarray, np.ndarray]:
    """Defaults at about 5 %; scores normal with a mean gap of ``separation`` SD (AUC = Phi(gap / sqrt 2))."""
    y = (rng.random(n) < 0.05).astype(int)
    return y, rng.standard_normal(n) + separation * y


@rule(
    "backtest: ECB test of the current AUC against the initial AUC",
    "backtest",
    0.05,
    "AUC falls from 0.76 to 0.71",
    nominal_red=0.01,
)
def _auc_initial(rng: np.random.Generator, n: int, changed: bool) -> str:
    # the initial AUC measured on a development sample of the same population (the workbook's default)
    y0, s0 = _scored(rng, REFERENCE_ROWS, 1.0)
    dev = stats.auc(y0, s0)
    y, s = _scored(rng, n, 0.78 if changed else 1.0)
    cur = stats.auc(y, s)
    test = analysis_pd._auc_initial(
        None, {"auc": dev.value, "auc_variance": dev.variance}, {"auc": cur.value}, y, s, POLICY.min_sample.events
    )
    if test.get("status") == NOT_ENOUGH_DATA:
        return NOT_ENOUGH_DATA
    return classify_low(test["p_value"], POLICY.p_value)


def _var_hits(rng: np.random.Generator, days: int, coverage: float, changed: bool) -> np.ndarray:
    rate = (1 - coverage) * (2.0 if changed else 1.0)
    return (rng.random(days) < rate).astype(int)


@rule(
    "backtest: VaR 99% Kupiec POF (exact p-value)",
    "backtest",
    0.05,
    "exceptions at twice the rate",
    nominal_red=0.01,
    sizes=VAR_DAYS,
    unit="days",
)
def _kupiec(rng: np.random.Generator, n: int, changed: bool) -> str:
    return classify_low(stats.kupiec_pof(_var_hits(rng, n, 0.99, changed), 0.99).p_value_exact, POLICY.p_value)


@rule(
    "backtest: VaR 99% Christoffersen independence",
    "backtest",
    0.05,
    "exceptions clustered (probability 0.2 after an exception)",
    nominal_red=0.01,
    sizes=VAR_DAYS,
    unit="days",
)
def _christoffersen(rng: np.random.Generator, n: int, changed: bool) -> str:
    if changed:  # a Markov chain with the same long-run rate of 1 % but clustered exceptions
        p01, p11 = 0.01 * 0.8 / 0.99, 0.2
        hits = np.zeros(n, dtype=int)
        u = rng.random(n)
        for t in range(1, n):  # a two-state chain: a short sequential loop in the simulation only
            hits[t] = u[t] < (p11 if hits[t - 1] else p01)
    else:
        hits = _var_hits(rng, n, 0.99, False)
    return classify_low(stats.christoffersen_independence(hits).p_value, POLICY.p_value)


@rule(
    "backtest: VaR 99% conditional coverage",
    "backtest",
    0.05,
    "exceptions at twice the rate",
    nominal_red=0.01,
    sizes=VAR_DAYS,
    unit="days",
)
def _conditional(rng: np.random.Generator, n: int, changed: bool) -> str:
    return classify_low(stats.conditional_coverage(_var_hits(rng, n, 0.99, changed), 0.99).p_value, POLICY.p_value)


# Basel (1996): under a true 99 % model, 250 days end in the yellow zone or worse with probability 10.8 %
@rule(
    "backtest: Basel traffic light (99%, latest 250 days)",
    "backtest",
    float(sps.binom.sf(4, 250, 0.01)),
    "exceptions at twice the rate",
    nominal_red=float(sps.binom.sf(9, 250, 0.01)),
    sizes=(250,),
    unit="days",
)
def _traffic_light(rng: np.random.Generator, n: int, changed: bool) -> str:
    hits = _var_hits(rng, n, 0.99, changed)
    zone = stats.basel_traffic_light(int(hits[-250:].sum()), 250, 0.99).zone
    return {"green": "green", "yellow": "amber", "red": "red"}[zone]


# ------------------------------------------------------------------------------------ champion-challenger


@rule(
    "champion-challenger: the champion's four-fifths finding (two groups, 80/20)",
    "champion_challenger",
    None,
    "approval rate of the smaller group 70% to 52%",
)
def _four_fifths(rng: np.random.Generator, n: int, changed: bool) -> str:
    group = np.where(rng.random(n) < 0.8, "majority", "minority")
    rate = np.where((group == "minority") & changed, 0.52, 0.70)
    approved = rng.random(n) < rate
    result = stats.adverse_impact(approved, group, "majority", min_group_size=30)
    flags = _champion_flags(result.to_dict(), "group", "majority", POLICY.p_value)
    return max((f["severity"] for f in flags), key=("amber", "red").index, default="green")


@rule(
    "champion-challenger: AUC rule promotes an equal challenger",
    "champion_challenger",
    0.05,
    "challenger AUC 0.76 against 0.73",
)
def _auc_rule(rng: np.random.Generator, n: int, changed: bool) -> str:
    rules_cfg = {"min_auc_gain": 0.01, "max_p_value": 0.05}
    y = (rng.random(n) < 0.05).astype(int)
    common = rng.standard_normal(n)
    a = common + rng.standard_normal(n) * 0.7 + 0.9 * y
    b = common + rng.standard_normal(n) * 0.7 + (1.05 if changed else 0.9) * y
    test = stats.delong_test(y, a, b)
    gain = test.auc_b - test.auc_a
    p_one_sided = float(sps.norm.cdf(test.z))  # z is for a - b: H1 the challenger is better
    promote = gain > rules_cfg["min_auc_gain"] and p_one_sided < rules_cfg["max_p_value"]
    return "amber" if promote else "green"


CC_SIZES = (500, 2_000, 10_000)  # each replication bootstraps: 100,000 rows would take hours at 1,000 reps
CC_BOOTSTRAP = 200


def _business(rng: np.random.Generator, n: int, changed: bool, metric: str) -> tuple[float, tuple[float, float]]:
    """A champion and a challenger of equal quality (or a worse challenger): one business metric's change."""
    y = (rng.random(n) < 0.08).astype(int)
    common = rng.standard_normal(n)
    strength = 0.6 if changed else 0.9  # the changed challenger separates worse: more bads among approved
    a = common + rng.standard_normal(n) * 0.7 + 0.9 * y
    b = common + rng.standard_normal(n) * 0.7 + strength * y
    pd_a, pd_b = 1 / (1 + np.exp(-(a - 3.0))), 1 / (1 + np.exp(-(b - 3.0)))
    cutoff = float(np.quantile(pd_a, 0.8))  # approve 80 %
    cut_b = stats.matched_cutoff(pd_a, cutoff, pd_b).cutoff_b if metric == "bad_rate_approved" else cutoff
    result = stats.bootstrap_metric_difference(
        y, pd_a, pd_b, cutoff, cut_b, n_resamples=CC_BOOTSTRAP, seed=int(rng.integers(2**32))
    )
    m = next(m for m in result.metrics if m.metric == metric)
    return m.difference, m.ci_difference


@rule(
    "champion-challenger: bad-rate rule fails an equal challenger (interval)",
    "champion_challenger",
    0.025,
    "challenger separation 0.6 against 0.9 (bad rate among approved rises)",
    nominal_red=0.025,
    sizes=CC_SIZES,
)
def _bad_rate_rule(rng: np.random.Generator, n: int, changed: bool) -> str:
    _, interval = _business(rng, n, changed, "bad_rate_approved")
    return "red" if interval_decision(interval, POLICY_RULES.max_bad_rate_increase) == "fail" else "green"


# ------------------------------------------------------------------------------------------------ engine


@dataclass(frozen=True, slots=True)
class Rate:
    rule: str
    workbook: str
    size: int
    unit: str
    reps: int
    false_alarm: float  # amber or red under no change
    false_red: float
    detection: float  # amber or red under the change
    not_enough: float  # share of no-change samples judged "not enough data"
    nominal: float | None
    nominal_red: float | None
    change: str

    @property
    def ratio(self) -> float | None:
        return None if not self.nominal else self.false_alarm / self.nominal


def _seed(seed: int, name: str, size: int, changed: bool) -> np.random.SeedSequence:
    key = [seed, size, int(changed), *name.encode()]
    return np.random.SeedSequence(key)


def measure(rule: Rule, size: int, reps: int, seed: int = 0) -> Rate:
    """Rates of one rule at one size over ``reps`` replications of each scenario."""
    counts = {}
    for changed in (False, True):
        rng = np.random.default_rng(_seed(seed, rule.name, size, changed))
        statuses = [rule.decide(rng, size, changed) for _ in range(reps)]
        counts[changed] = statuses
    null, alt = counts[False], counts[True]
    return Rate(
        rule=rule.name,
        workbook=rule.workbook,
        size=size,
        unit=rule.unit,
        reps=reps,
        false_alarm=sum(s in ALARM for s in null) / reps,
        false_red=sum(s == "red" for s in null) / reps,
        detection=sum(s in ALARM for s in alt) / reps,
        not_enough=sum(s == NOT_ENOUGH_DATA for s in null) / reps,
        nominal=rule.nominal,
        nominal_red=rule.nominal_red,
        change=rule.change,
    )


def run(reps: int, sizes: tuple[int, ...] | None = None, seed: int = 0, names: list[str] | None = None) -> list[Rate]:
    out = []
    for rule_ in RULES.values():
        if names and rule_.name not in names:
            continue
        for size in rule_.sizes if sizes is None or rule_.unit != "rows" else sizes:
            out.append(measure(rule_, size, reps, seed))
    return out


def verdict(rate: Rate) -> str:
    if rate.nominal is None:
        return "screening rule"
    return "within 1.5x" if rate.false_alarm <= 1.5 * rate.nominal else "ABOVE 1.5x"


def table(rates: list[Rate]) -> str:
    lines = [
        "| rule | n | false alarm (amber or red) | of which red | nominal | detection | change | verdict |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in rates:
        nominal = "none" if r.nominal is None else f"{r.nominal:.1%}"
        lines.append(
            f"| {r.rule} | {r.size:,} {r.unit} | {r.false_alarm:.1%} | {r.false_red:.1%} | {nominal} | "
            f"{r.detection:.1%} | {r.change} | {verdict(r)} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=1000)
    parser.add_argument("--sizes", default=None, help="sizes of every row-based rule (default: each rule's own)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rule", action="append", help="only these rules (repeatable)")
    args = parser.parse_args(argv)
    sizes = tuple(int(s) for s in args.sizes.split(",")) if args.sizes else None
    print(f"# machine: {platform.platform()}, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(
        f"# {args.reps} replications per rule, size and scenario; seed {args.seed}; reference {REFERENCE_ROWS:,} rows"
    )
    t0 = time.perf_counter()
    rates = run(args.reps, sizes, args.seed, args.rule)
    print(table(rates))
    print(f"# {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
