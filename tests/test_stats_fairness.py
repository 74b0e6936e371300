"""Fairness statistics, checked against published examples, independent formulas and hand calculations.

Published reference values (each cited again beside its test):
* The four-fifths rule, Uniform Guidelines on Employee Selection Procedures (1978), 29 CFR 1607.4(D):
  "A selection rate for any race, sex, or ethnic group which is less than four-fifths (4/5) (or eighty
  percent) of the rate for the group with the highest rate will generally be regarded ... as evidence
  of adverse impact".
* The example of the agencies' Questions and Answers on the Uniform Guidelines (1979): hiring rates of
  60 % (whites), 45 % (American Indians), 48 % (Hispanics) and 51 % (Blacks) give impact ratios 45/60 =
  75 %, 48/60 = 80 % and 51/60 = 85 %; "adverse impact is indicated for American Indians but not for
  Hispanics or Blacks". Read on the NC State Data Ethics Repository summary of the Q&A
  (dataethicsrepository.iaa.ncsu.edu/?p=1099), which quotes it.
Independent formulas: scipy.stats.fisher_exact, Fisher's p-value summed by hand from hypergeometric
probabilities with math.comb, scipy.stats.norm, and hand calculations written out below.
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

from mrmkit.errors import InsufficientData, InvalidInput, InvalidParameters
from mrmkit.stats import (
    REGISTRY,
    AdverseImpactResult,
    adverse_impact,
    demographic_parity,
    equal_opportunity,
)
from mrmkit.stats.fairness import FOUR_FIFTHS, MISSING_GROUP


def _sample(counts: dict[object, tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    """Rows of (approved, group) with ``approvals`` ones and ``n - approvals`` zeros per group."""
    approved, group = [], []
    for label, (n, a) in counts.items():
        approved += [1] * a + [0] * (n - a)
        group += [label] * n
    return np.array(approved), np.array(group, dtype=object)


def _by_group(result, field: str) -> dict[object, object]:
    return dict(zip(result.groups, getattr(result, field), strict=True))


# ------------------------------------------------------------------------------ published examples
def test_uniform_guidelines_questions_and_answers_example():
    # Q&A (1979): 60 % of whites hired, 45 % of American Indians, 48 % of Hispanics, 51 % of Blacks.
    # Ratios to the highest group: 45/60 = 0.75 (< 0.8: adverse impact), 48/60 = 0.80 (not less than
    # four-fifths: no adverse impact), 51/60 = 0.85 (none). 100 applicants per group here.
    approved, group = _sample(
        {"white": (100, 60), "american_indian": (100, 45), "hispanic": (100, 48), "black": (100, 51)}
    )
    r = adverse_impact(approved, group, "white")
    ratio = _by_group(r, "impact_ratio")
    assert ratio == {"american_indian": 0.75, "black": 0.85, "hispanic": 0.8, "white": 1.0}  # exact floats
    assert _by_group(r, "four_fifths_flag") == {
        "american_indian": True,
        "black": False,
        "hispanic": False,
        "white": False,
    }
    assert r.flagged == ("american_indian",) and r.highest_rate_group == "white" and r.note is None
    assert r.threshold == FOUR_FIFTHS == 0.8


def test_exactly_four_fifths_is_not_flagged_whatever_the_float_rounding():
    # 0.48 / 0.60 is 0.7999999999999999 in some float orders; the flag is decided on integers:
    # 5 x 48 x 100 = 24000 is not less than 4 x 100 x 60 = 24000.
    approved, group = _sample({"ref": (100, 60), "g": (100, 48), "h": (1000, 479)})
    r = adverse_impact(approved, group, "ref")
    assert _by_group(r, "impact_ratio")["g"] == 0.8
    # h: 479/1000 against 60/100: 47900 / 60000 = 0.79833... < 0.8, flagged
    assert _by_group(r, "four_fifths_flag") == {"g": False, "h": True, "ref": False}


def test_classic_half_rate_fails_the_rule():
    # 30 % of women against 60 % of men approved: 0.30 / 0.60 = 0.5 < 0.8.
    approved, group = _sample({"men": (200, 120), "women": (100, 30)})
    r = adverse_impact(approved, group, "men")
    assert _by_group(r, "impact_ratio")["women"] == 0.5
    assert r.flagged == ("women",)
    assert _by_group(r, "difference")["women"] == -0.3  # (30 x 200 - 120 x 100) / (100 x 200) = -6000/20000


# ------------------------------------------------------------------------------- significance tests
def _fisher_by_hand(a: int, b: int, c: int, d: int) -> float:
    """Two-sided Fisher p-value: sum of hypergeometric probabilities no larger than the observed one."""
    row1, col1, total = a + b, a + c, a + b + c + d

    def prob(x: int) -> float:
        return math.comb(col1, x) * math.comb(total - col1, row1 - x) / math.comb(total, row1)

    observed = prob(a)
    support = range(max(0, row1 + col1 - total), min(row1, col1) + 1)
    return sum(p for p in map(prob, support) if p <= observed * (1 + 1e-7))


def test_fisher_matches_scipy_and_the_hypergeometric_sum():
    approved, group = _sample({"ref": (100, 60), "ai": (100, 45), "tiny": (12, 3)})
    r = adverse_impact(approved, group, "ref", test="fisher")
    for label, (n, a) in {"ai": (100, 45), "tiny": (12, 3)}.items():
        table = [[a, n - a], [60, 40]]
        expected = sps.fisher_exact(table, alternative="two-sided")
        assert _by_group(r, "p_value")[label] == float(expected.pvalue)
        assert _by_group(r, "statistic")[label] == float(expected.statistic)
        assert _by_group(r, "p_value")[label] == pytest.approx(_fisher_by_hand(a, n - a, 60, 40), rel=1e-12)
    # odds ratio of ai by hand: (45 x 40) / (55 x 60) = 1800 / 3300
    assert _by_group(r, "statistic")["ai"] == pytest.approx(1800 / 3300, rel=1e-15)
    assert math.isnan(_by_group(r, "p_value")["ref"]) and not _by_group(r, "significant")["ref"]
    assert r.test == "fisher" and "fisher_exact" in r.test_method


def test_pooled_z_test_by_hand():
    # ai: 45/100 against 60/100. Pooled p = 105/200 = 0.525; variance = 0.525 x 0.475 x (1/100 + 1/100)
    # = 0.0049875; z = (0.45 - 0.60) / sqrt(0.0049875) = -0.15 / 0.0706222... = -2.12398;
    # p = 2 (1 - Phi(2.12398)) = 0.03367.
    approved, group = _sample({"ref": (100, 60), "ai": (100, 45)})
    r = adverse_impact(approved, group, "ref", test="z", alpha=0.05)
    z = -0.15 / math.sqrt(0.525 * 0.475 * 0.02)
    assert _by_group(r, "statistic")["ai"] == pytest.approx(z, rel=1e-12)
    assert _by_group(r, "statistic")["ai"] == pytest.approx(-2.12398, abs=1e-5)
    assert _by_group(r, "p_value")["ai"] == pytest.approx(2 * sps.norm.sf(abs(z)), rel=1e-12)
    assert _by_group(r, "p_value")["ai"] == pytest.approx(0.03367, abs=1e-5)
    assert _by_group(r, "significant") == {"ai": True, "ref": False}
    assert not adverse_impact(approved, group, "ref", test="z", alpha=0.01).significant[0]


def test_z_test_with_zero_pooled_variance():
    # everybody approved in both groups: the rates are equal, z = 0 and p = 1 by definition
    approved, group = _sample({"ref": (40, 40), "g": (35, 35)})
    r = adverse_impact(approved, group, "ref", test="z")
    assert _by_group(r, "statistic")["g"] == 0.0 and _by_group(r, "p_value")["g"] == 1.0
    assert _by_group(r, "impact_ratio")["g"] == 1.0 and not any(r.four_fifths_flag)


# --------------------------------------------------------------------------- small and missing groups
def test_small_groups_are_reported_but_not_flagged():
    approved, group = _sample({"ref": (100, 60), "big": (100, 30), "tiny": (10, 2)})
    r = adverse_impact(approved, group, "ref", min_group_size=30)
    assert _by_group(r, "too_small") == {"big": False, "ref": False, "tiny": True}
    assert _by_group(r, "impact_ratio")["tiny"] == pytest.approx(0.2 / 0.6, rel=1e-15)  # shown
    assert _by_group(r, "four_fifths_flag") == {"big": True, "ref": False, "tiny": False}  # not flagged
    assert not math.isnan(_by_group(r, "p_value")["tiny"])
    assert "fewer than 30 applicants" in r.note and "'tiny'" in r.note
    loose = adverse_impact(approved, group, "ref", min_group_size=10)
    assert loose.flagged == ("big", "tiny") and loose.min_group_size == 10


def test_a_small_reference_group_flags_nothing():
    approved, group = _sample({"ref": (20, 18), "g": (100, 30)})
    r = adverse_impact(approved, group, "ref", min_group_size=30)
    assert r.flagged == () and _by_group(r, "impact_ratio")["g"] == pytest.approx(0.3 / 0.9)
    assert "reference group 'ref' has 20 applicant(s)" in r.note


def test_missing_group_values_form_their_own_group():
    approved = np.array([1, 0, 1, 1, 0, 1])
    group = pd.Series(["a", None, "b", np.nan, "a", "b"], dtype=object)
    r = adverse_impact(approved, group, "a", min_group_size=1)
    assert r.groups == ("a", "b", MISSING_GROUP) and r.n == (2, 2, 2) and r.approvals == (1, 2, 1)
    assert r.n_missing_group == 2 and "2 applicant(s) have no group value" in r.note
    d = demographic_parity(approved, group, "a")
    assert d.groups[-1] == MISSING_GROUP and d.n_missing_group == 2
    with pytest.raises(InvalidInput, match="also the label '<missing>'"):
        adverse_impact(approved, ["a", None, "<missing>", "b", "a", "b"], "a")
    # the label alone (no missing values) is an ordinary group
    assert adverse_impact(approved, ["a", "<missing>", "a", "b", "a", "b"], "a").n_missing_group == 0


def test_reference_group_without_approvals():
    approved, group = _sample({"ref": (50, 0), "g": (50, 10)})
    r = adverse_impact(approved, group, "ref")
    assert all(math.isnan(v) for v in r.impact_ratio) and r.flagged == ()
    assert "has no approval" in r.note
    assert json.loads(json.dumps(r.to_dict(), allow_nan=False))["impact_ratio"] == [None, None]


def test_highest_rate_group_noted_when_it_is_not_the_reference():
    approved, group = _sample({"ref": (100, 50), "top": (100, 70), "tiny": (5, 5)})
    r = adverse_impact(approved, group, "ref")
    assert r.highest_rate_group == "top"  # "tiny" has 100 % but fewer than min_group_size applicants
    assert "highest approval rate is that of 'top'" in r.note


# -------------------------------------------------------------------------------- errors and inputs
def test_unknown_reference_group_lists_the_groups():
    approved, group = _sample({"female": (10, 5), "male": (10, 6)})
    for func in (adverse_impact, demographic_parity):
        with pytest.raises(
            InvalidParameters,
            match=r"'reference_group' parameter of .*\['female', 'male'\]; "
            r"got 'Male'",
        ):
            func(approved, group, "Male")
    with pytest.raises(InvalidParameters, match="reference_group"):
        equal_opportunity(approved, approved, group, "x")
    with pytest.raises(InvalidParameters, match=r"\[0, 1\]; got True"):  # True is not the group 1
        adverse_impact([1, 0, 1], [0, 1, 1], True)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"min_group_size": 0}, "min_group_size"),
        ({"min_group_size": 2.5}, "min_group_size"),
        ({"alpha": 0}, "alpha"),
        ({"test": "chi2"}, "test"),
    ],
)
def test_bad_parameters(kwargs, name):
    approved, group = _sample({"a": (10, 5), "b": (10, 6)})
    with pytest.raises(InvalidParameters, match=rf"The '{name}' parameter of adverse_impact"):
        adverse_impact(approved, group, "a", **kwargs)


def test_bad_inputs():
    with pytest.raises(InvalidInput, match="approved of adverse_impact has 1 missing"):
        adverse_impact([1, np.nan, 0], ["a", "a", "b"], "a")
    with pytest.raises(InvalidInput, match=r"must be 0/1 or boolean; found values \[2\]"):
        adverse_impact([1, 2, 0], ["a", "a", "b"], "a")
    with pytest.raises(InvalidInput, match="one value per applicant"):
        demographic_parity([1, 0, 0], ["a", "b"], "a")
    with pytest.raises(InvalidInput, match="y_good of equal_opportunity must have one value per applicant"):
        equal_opportunity([1, 0, 0], [1, 1], ["a", "b", "b"], "a")
    with pytest.raises(InsufficientData):
        demographic_parity([], [], "a")


def test_inputs_are_not_modified():
    approved = np.array([1, 0, 1, 1, 0, 1])
    good = np.array([1, 1, 0, 1, 0, 1])
    group = np.array(["b", None, "a", "a", "b", "a"], dtype=object)
    copies = approved.copy(), good.copy(), group.copy()
    for a in (approved, good, group):
        a.flags.writeable = False  # any write would raise
    adverse_impact(approved, group, "a", min_group_size=1)
    demographic_parity(approved, group, "a")
    equal_opportunity(approved, good, group, "a")
    for before, after in zip(copies, (approved, good, group), strict=True):
        assert np.array_equal(before, after)


def test_group_order_and_label_types():
    r = demographic_parity([1, 0, 1, 1], [10, 2, 2, 10.0], 2)
    assert r.groups == (2, 10) and r.n == (2, 2)  # numeric order, 10 and 10.0 one group
    mixed = demographic_parity([1, 0, 1, 1], ["x", 3, "x", 3], 3)
    assert mixed.groups == (3, "x")  # uncomparable types: by type name, then text
    assert demographic_parity([1, 0, 1], np.array([True, False, True]), True).groups == (False, True)


def test_every_statistic_is_registered():
    assert {"adverse_impact", "demographic_parity", "equal_opportunity"} <= set(REGISTRY)


# ------------------------------------------------------------------ demographic parity, equal opportunity
def test_demographic_parity_by_hand():
    # rates: a 6/10 = 0.6, b 3/12 = 0.25, c 9/10 = 0.9. Differences to a: b (3 x 10 - 6 x 12) / 120 =
    # -42/120 = -0.35, c (9 x 10 - 6 x 10) / 100 = 0.3. Max gap c - b = (9 x 12 - 3 x 10) / 120 = 0.65.
    approved, group = _sample({"a": (10, 6), "b": (12, 3), "c": (10, 9)})
    r = demographic_parity(approved, group, "a")
    assert r.approval_rate == (0.6, 0.25, 0.9)
    assert r.difference == (0.0, -0.35, 0.3)
    assert r.max_gap == 0.65 and (r.highest_rate_group, r.lowest_rate_group) == ("c", "b")
    assert r.note is None and r.n_total == 32


def test_equal_opportunity_by_hand():
    # rows (approved, y_good, group):
    # a: (1,1) (1,1) (0,1) (0,0)  -> creditworthy 3, approved among them 2: TPR 2/3
    # b: (1,1) (0,1) (1,0) (1,0)  -> creditworthy 2, approved 1: TPR 1/2; difference (1x3 - 2x2)/6 = -1/6
    # c: (1,0) (0,0)              -> no creditworthy applicant: n/a
    approved = [1, 1, 0, 0, 1, 0, 1, 1, 1, 0]
    good = [1, 1, 1, 0, 1, 1, 0, 0, 0, 0]
    group = ["a"] * 4 + ["b"] * 4 + ["c"] * 2
    r = equal_opportunity(approved, good, group, "a")
    assert r.n == (4, 4, 2) and r.n_creditworthy == (3, 2, 0) and r.approvals_creditworthy == (2, 1, 0)
    assert r.true_positive_rate[:2] == (2 / 3, 0.5) and math.isnan(r.true_positive_rate[2])
    assert r.difference[0] == 0.0 and r.difference[1] == -1 / 6 and math.isnan(r.difference[2])
    assert r.available == (True, True, False) and r.max_gap == 1 / 6
    assert (r.highest_rate_group, r.lowest_rate_group) == ("a", "b")
    assert "no creditworthy applicant (rate n/a): ['c']" in r.note
    assert r.good_outcome.startswith("y_good == 1")
    d = r.to_dict()
    assert d["true_positive_rate"][2] is None and d["difference"][2] is None
    ref_empty = equal_opportunity(approved, good, group, "c")
    assert all(math.isnan(v) for v in ref_empty.difference) and "every difference is n/a" in ref_empty.note


def test_equal_opportunity_ignores_defaulters():
    # declining every defaulter changes demographic parity but not equal opportunity
    rng = np.random.default_rng(7)
    n = 400
    group = rng.choice(["x", "y"], n)
    good = (rng.random(n) < 0.8).astype(int)
    approved = (rng.random(n) < 0.7).astype(int)
    harsher = np.where(good == 1, approved, 0)
    a, b = equal_opportunity(approved, good, group, "x"), equal_opportunity(harsher, good, group, "x")
    assert a.true_positive_rate == b.true_positive_rate


# ---------------------------------------------------------------------------------------- properties
@st.composite
def _portfolios(draw):
    k = draw(st.integers(2, 5))
    counts = {}
    for g in range(k):
        n = draw(st.integers(1, 60))
        counts[g] = (n, draw(st.integers(1 if g == 0 else 0, n)))  # group 0 (the reference) approves someone
    return counts


@settings(max_examples=60, deadline=None)
@given(_portfolios(), st.sampled_from(["fisher", "z"]))
def test_reference_ratio_is_one(counts, test):
    approved, group = _sample(counts)
    r = adverse_impact(approved, group.astype(np.int64), 0, min_group_size=1, test=test)
    assert _by_group(r, "impact_ratio")[0] == 1.0 and _by_group(r, "difference")[0] == 0.0
    assert not _by_group(r, "four_fifths_flag")[0]
    assert isinstance(r, AdverseImpactResult)


@settings(max_examples=40, deadline=None)
@given(_portfolios(), st.data())
def test_row_order_does_not_matter(counts, data):
    approved, group = _sample(counts)
    perm = np.array(data.draw(st.permutations(range(approved.size))))
    for func in (adverse_impact, demographic_parity):
        assert func(approved, group, 0).to_dict() == func(approved[perm], group[perm], 0).to_dict()
    good = (np.arange(approved.size) % 3 != 0).astype(int)
    assert (
        equal_opportunity(approved, good, group, 0).to_dict()
        == equal_opportunity(approved[perm], good[perm], group[perm], 0).to_dict()
    )


@settings(max_examples=40, deadline=None)
@given(_portfolios(), st.integers(1, 1000), st.integers(-50, 50))
def test_scaling_or_renaming_group_labels_does_not_matter(counts, scale, shift):
    approved, group = _sample(counts)
    base = adverse_impact(approved, group, 0, min_group_size=5)
    scaled = adverse_impact(approved, group * scale + shift, shift, min_group_size=5)
    named = adverse_impact(approved, np.array([f"grp{g}" for g in group]), "grp0", min_group_size=5)
    for other, rename in ((scaled, lambda g: g * scale + shift), (named, lambda g: f"grp{g}")):
        for field in ("n", "approvals", "impact_ratio", "difference", "four_fifths_flag", "too_small", "p_value"):
            mine, theirs = _by_group(base, field), _by_group(other, field)
            for g, value in mine.items():
                assert theirs[rename(g)] == value or (math.isnan(value) and math.isnan(theirs[rename(g)]))
        assert sorted(map(str, (rename(g) for g in base.flagged))) == sorted(map(str, other.flagged))


@settings(max_examples=60, deadline=None)
@given(_portfolios(), st.integers(1, 4))
def test_a_group_with_the_reference_rate_has_ratio_one_and_no_flag(counts, multiple):
    n, a = counts[0]
    counts["twin"] = (n * multiple, a * multiple)  # same rate, possibly a different size
    approved, group = _sample(counts)
    r = adverse_impact(approved, group, 0, min_group_size=1)
    assert _by_group(r, "impact_ratio")["twin"] == 1.0 and not _by_group(r, "four_fifths_flag")["twin"]
    assert _by_group(r, "difference")["twin"] == 0.0
    assert _by_group(r, "p_value")["twin"] == pytest.approx(1.0)
    assert "twin" not in r.flagged
