"""Drift statistics: every number checked against an independent reference.

References used below:
* hand arithmetic written out in the test (PSI, with math.log only);
* scipy.special.rel_entr for PSI as a symmetrised Kullback-Leibler divergence (Jeffreys divergence);
* scipy.stats.ks_2samp, scipy.stats.wasserstein_distance, scipy.spatial.distance.jensenshannon and
  scipy.stats.chi2_contingency(correction=False) (scipy 1.17);
* statsmodels.stats.multitest.multipletests (statsmodels 0.15) for adjust_pvalues.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import special
from scipy import stats as sps
from scipy.spatial.distance import jensenshannon

from mrmkit.errors import InsufficientData, InvalidInput, InvalidParameters
from mrmkit.stats import (
    adjust_pvalues,
    chi2_test,
    drift_table,
    js_distance,
    ks_test,
    psi,
    wasserstein,
)

EPS = 1e-4
ln = math.log


def readonly(a) -> np.ndarray:
    a = np.array(a, copy=True)
    a.flags.writeable = False
    return a


# ------------------------------------------------------------------------------ PSI by hand
def test_psi_hand_calculation_quartiles_right_closed_and_epsilon():
    # Reference 1..8, bins=4: np.quantile 'linear' at 0.25/0.5/0.75 sits at positions q*(n-1) =
    # 1.75, 3.5, 5.25 of the sorted data, i.e. edges 2.75, 4.5, 6.25.
    # Bins (-inf, 2.75], (2.75, 4.5], (4.5, 6.25], (6.25, inf): reference counts 2, 2, 2, 2 (shares .25).
    # Current: 2.75 and 4.5 sit exactly on edges and belong to the bin they close (right-closed):
    #   {1, 2, 2.75} -> 3, {3, 4.5} -> 2, {} -> 0 (share replaced by 1e-4), {9 x 5} -> 5;  n = 10.
    ref = readonly(np.arange(1.0, 9.0))
    cur = readonly([1, 2, 2.75, 3, 4.5, 9, 9, 9, 9, 9])
    res = psi(ref, cur, bins=4)
    expected = (
        (0.3 - 0.25) * ln(0.3 / 0.25)
        + (0.2 - 0.25) * ln(0.2 / 0.25)
        + (EPS - 0.25) * ln(EPS / 0.25)
        + (0.5 - 0.25) * ln(0.5 / 0.25)
    )  # = 0.009116 + 0.011157 + 1.955888 + 0.173287 = 2.149448...
    assert res.value == pytest.approx(expected, rel=1e-13)
    assert res.edges == (2.75, 4.5, 6.25)
    assert [b.reference_count for b in res.table] == [2, 2, 2, 2]
    assert [b.current_count for b in res.table] == [3, 2, 0, 5]
    assert [b.current_share for b in res.table] == [0.3, 0.2, 0.0, 0.5]  # raw shares, not renormalised
    assert [b.epsilon_applied for b in res.table] == [False, False, True, False]
    assert [b.label for b in res.table] == ["(-inf, 2.75]", "(2.75, 4.5]", "(4.5, 6.25]", "(6.25, inf)"]
    assert res.table[0].lower == -math.inf and res.table[-1].upper == math.inf
    assert (res.epsilon, res.bins_requested, res.bins_used, res.kind) == (EPS, 4, 4, "numeric")
    assert (res.n_reference, res.n_current, res.n_reference_missing, res.n_current_missing) == (8, 10, 0, 0)
    assert sum(b.contribution for b in res.table) == pytest.approx(res.value, rel=1e-15)


def test_psi_hand_calculation_missing_bin():
    # Reference [1, 2, 3, 4, NaN], bins=2: median of 1..4 = 2.5; bins (-inf, 2.5], (2.5, inf), missing.
    # Shares over all rows: reference 2/5, 2/5, 1/5; current [1, 4, NaN, None] -> 1/4, 1/4, 2/4.
    res = psi([1, 2, 3, 4, np.nan], [1.0, 4.0, np.nan, None], bins=2)
    expected = 2 * (0.25 - 0.4) * ln(0.25 / 0.4) + (0.5 - 0.2) * ln(0.5 / 0.2)  # = 0.415888308335967
    assert res.value == pytest.approx(expected, rel=1e-13)
    assert res.value == pytest.approx(0.415888308335967, rel=1e-12)
    assert [b.label for b in res.table] == ["(-inf, 2.5]", "(2.5, inf)", "<missing>"]
    assert res.table[-1].lower is None and res.table[-1].upper is None
    assert (res.n_reference_missing, res.n_current_missing) == (1, 2)


def test_psi_hand_calculation_categorical_union_sorted_with_missing():
    # Union of categories sorted by text: a, b, c, d, then the missing bin.
    # Reference counts 2, 1, 1, 0, 0 of 4; current 0, 2, 0, 1, 1 of 4; empty shares -> 1e-4.
    res = psi(["a", "a", "b", "c"], ["b", "b", "d", None])
    r = [0.5, 0.25, 0.25, EPS, EPS]
    c = [EPS, 0.5, EPS, 0.25, 0.25]
    expected = sum((ci - ri) * ln(ci / ri) for ri, ci in zip(r, c, strict=True))
    # = (1e-4 - .5) ln(1e-4/.5) + .25 ln 2 + (1e-4 - .25) ln(1e-4/.25) + 2 (.25 - 1e-4) ln(.25/1e-4)
    assert res.value == pytest.approx(expected, rel=1e-13)
    assert [b.label for b in res.table] == ["a", "b", "c", "d", "<missing>"]
    assert all(b.lower is None and b.upper is None for b in res.table)
    assert res.kind == "categorical" and res.edges == ()


def test_psi_is_symmetrised_kl_divergence_with_epsilon_shares():
    # Independent formula: PSI = KL(cur || ref) + KL(ref || cur) (Jeffreys divergence), computed
    # with scipy.special.rel_entr on the shares after replacing empty shares by epsilon.
    rng = np.random.default_rng(3)
    ref, cur = rng.lognormal(size=2_000), rng.lognormal(0.2, 1.1, size=1_500)
    res = psi(ref, cur)
    r = np.array([b.reference_share for b in res.table])
    c = np.array([b.current_share for b in res.table])
    r, c = np.where(r == 0, EPS, r), np.where(c == 0, EPS, c)
    assert res.value == pytest.approx(np.sum(special.rel_entr(c, r) + special.rel_entr(r, c)), rel=1e-12)
    assert res.edges == tuple(np.quantile(ref, np.linspace(0, 1, 11)[1:-1]))


def test_psi_drops_duplicate_edges_and_records_bins_used():
    # n = 11, so the deciles sit exactly on positions 1..9 of the sorted data (no interpolation):
    # 0, 0, 0, 0, 0, 1, 1, 1, 2 -> unique edges 0, 1, 2 and four bins.
    ref = np.array([0.0] * 6 + [1.0] * 3 + [2.0] * 2)
    res = psi(ref, [0.0, 1.0, 2.0, 5.0])
    assert res.edges == (0.0, 1.0, 2.0) and res.bins_used == 4 and res.bins_requested == 10
    assert [b.reference_count for b in res.table] == [6, 3, 2, 0]
    assert [b.current_count for b in res.table] == [1, 1, 1, 1]


def test_psi_categorical_flags_and_dtypes():
    assert psi([1, 2, 2], [2, 3], categorical=True).kind == "categorical"
    assert psi(np.array([True, False]), np.array([True, True])).kind == "categorical"
    cat = pd.Series(["x", "y", "x"], dtype="category")
    res = psi(cat, pd.Series(["y", "z"], dtype=object))
    assert [b.label for b in res.table] == ["x", "y", "z"]


def test_nullable_and_list_inputs_are_read_as_numbers_with_missing_values():
    plain = psi([1.0, 2.0, np.nan, 4.0], [2.0, np.nan, 5.0], bins=3)
    nullable = psi(pd.Series([1, 2, None, 4], dtype="Int64"), pd.Series([2, None, 5], dtype="Int64"), bins=3)
    assert nullable == plain
    assert psi([1, 2, None, 4], [2, None, 5], bins=3) == plain  # a plain list: None is missing
    assert plain.kind == "numeric" and plain.n_reference_missing == 1


def test_psi_argument_and_input_errors_speak_with_one_voice():
    with pytest.raises(InvalidParameters) as exc:
        psi([1, 2], [1, 2], bins=1)
    assert str(exc.value) == "The 'bins' parameter of psi must be an integer of at least 2; got 1."
    with pytest.raises(InvalidParameters, match="'epsilon' parameter of psi"):
        psi([1, 2], [1, 2], epsilon=0)
    with pytest.raises(InsufficientData, match="reference sample of psi is empty"):
        psi([], [1.0])
    with pytest.raises(InsufficientData, match="All 2 values of the current sample of psi are missing"):
        psi([1.0, 2.0], [np.nan, None])
    with pytest.raises(InvalidInput, match="infinite"):
        psi([1.0, np.inf], [1.0])
    with pytest.raises(InvalidInput, match="neither numeric nor categorical"):
        psi(pd.Series(pd.date_range("2020", periods=3)), [1.0])


# ---------------------------------------------------------------------------- scipy equality
@pytest.mark.parametrize(("n1", "n2"), [(1, 1), (5, 7), (60, 60), (300, 250), (10_000, 9_000), (12_000, 7_000)])
def test_ks_test_equals_scipy_ks_2samp(n1, n2):
    rng = np.random.default_rng(n1 + n2)
    a, b = np.round(rng.normal(size=n1), 1), np.round(rng.normal(0.05, 1.1, size=n2), 1)  # with ties
    res = ks_test(readonly(a), readonly(b))
    ref = sps.ks_2samp(a, b)  # method='auto': exact when max(n1, n2) <= 10,000
    assert res.statistic == ref.statistic and res.p_value == ref.pvalue
    assert res.method == ("exact" if max(n1, n2) <= 10_000 else "asymp")
    assert (res.n_reference, res.n_current) == (n1, n2)


def test_ks_test_ignores_and_counts_missing_values():
    a, b = np.array([0.1, np.nan, 0.5, 0.9, 1.3]), np.array([0.2, 0.4, np.nan, np.nan])
    res = ks_test(a, b)
    ref = sps.ks_2samp(a[~np.isnan(a)], b[~np.isnan(b)])
    assert (res.statistic, res.p_value) == (ref.statistic, ref.pvalue)
    assert (res.n_reference, res.n_current, res.n_reference_missing, res.n_current_missing) == (4, 2, 1, 2)
    with pytest.raises(InvalidInput, match="ks_test needs numeric samples"):
        ks_test(["a", "b"], ["a"])


def test_wasserstein_equals_scipy_and_normed_uses_population_std():
    rng = np.random.default_rng(5)
    a, b = rng.lognormal(size=3_001), np.round(rng.lognormal(0.3, size=1_999), 2)
    res = wasserstein(readonly(a), readonly(b))
    assert res.value == pytest.approx(sps.wasserstein_distance(a, b), rel=1e-12, abs=1e-15)
    assert res.reference_std == pytest.approx(np.std(a, ddof=0), rel=1e-12)
    assert res.normed == pytest.approx(res.value / np.std(a), rel=1e-12)
    assert res.std_ddof == 0 and res.normed_note is None


def test_wasserstein_constant_reference_gives_nan_normed_with_reason():
    res = wasserstein([2.0, 2.0, 2.0], [1.0, 3.0])
    assert res.value == pytest.approx(sps.wasserstein_distance([2.0, 2.0, 2.0], [1.0, 3.0]))
    assert math.isnan(res.normed) and "constant" in res.normed_note


def test_js_distance_equals_scipy_jensenshannon_base_e():
    rng = np.random.default_rng(11)
    a, b = rng.normal(size=1_000), np.append(rng.normal(0.5, size=700), [np.nan] * 30)
    res = js_distance(a, b, bins=7)
    p, q = np.array(res.reference_shares), np.array(res.current_shares)
    assert res.value == pytest.approx(jensenshannon(p, q), rel=1e-12)
    assert res.labels == tuple(b.label for b in psi(a, b, bins=7).table)  # same bins as psi
    assert res.divergence == pytest.approx(res.value**2, rel=1e-12)


def test_js_distance_maximum_is_sqrt_ln2_for_disjoint_samples():
    res = js_distance(["a", "a"], ["b"])
    assert res.value == pytest.approx(math.sqrt(math.log(2)), rel=1e-15) == res.maximum


def test_chi2_test_equals_scipy_chi2_contingency_without_correction():
    ref = ["a"] * 30 + ["b"] * 50 + ["c"] * 20 + [None] * 5
    cur = ["a"] * 25 + ["b"] * 40 + ["d"] * 10
    res = chi2_test(ref, cur)
    # a, b, c, d, missing: N = 180, the smaller row 75, so a column needs 5 * 180 / 75 = 12 in total;
    # missing (5) and d (10) fall short and are pooled into one cell (15), c (20) suffices
    assert res.pooled == ("d", "<missing>")
    table = np.array([[30, 50, 20, 0 + 5], [25, 40, 0, 10 + 0]])
    ref_res = sps.chi2_contingency(table, correction=False)
    assert (res.statistic, res.p_value, res.df) == (ref_res.statistic, ref_res.pvalue, ref_res.dof)
    assert res.categories == ("a", "b", "c", "d", "<missing>")
    assert res.reference_counts == (30, 50, 20, 0, 5) and res.current_counts == (25, 40, 0, 10, 0)
    two = chi2_test(["x"] * 10 + ["y"] * 20, ["x"] * 20 + ["y"] * 10)  # 2 x 2: no Yates correction either
    ref2 = sps.chi2_contingency([[10, 20], [20, 10]], correction=False)
    assert (two.statistic, two.p_value, two.df) == (ref2.statistic, ref2.pvalue, 1)


def test_chi2_test_single_category_is_recorded():
    res = chi2_test(["a", "a"], ["a"])
    assert (res.statistic, res.p_value, res.df) == (0.0, 1.0, 0) and "single category" in res.note


# ------------------------------------------------------------------------------ adjust_pvalues
@pytest.mark.parametrize("method", ["holm", "bonferroni", "fdr_bh"])
def test_adjust_pvalues_equals_statsmodels_multipletests(method):
    multitest = pytest.importorskip("statsmodels.stats.multitest")
    rng = np.random.default_rng(17)
    p = np.concatenate([rng.uniform(size=40) ** 3, [0.02, 0.02, 1.0, 0.0]])  # ties, 0 and 1
    res = adjust_pvalues(readonly(p), method=method)
    reject, corrected, _, _ = multitest.multipletests(p, alpha=0.05, method=method)
    np.testing.assert_allclose(res.adjusted, corrected, rtol=1e-15, atol=0)
    assert list(res.reject) == reject.tolist()
    assert res.method == method and res.n_tests == p.size


def test_adjust_pvalues_passes_nan_through_untouched():
    multitest = pytest.importorskip("statsmodels.stats.multitest")
    p = [0.01, np.nan, 0.04, 0.03, np.nan]
    res = adjust_pvalues(p, method="fdr_bh")
    expected = multitest.multipletests([0.01, 0.04, 0.03], method="fdr_bh")[1]
    assert math.isnan(res.adjusted[1]) and math.isnan(res.adjusted[4])
    np.testing.assert_allclose([res.adjusted[i] for i in (0, 2, 3)], expected, rtol=1e-15)
    assert res.n_tests == 3 and res.reject[1] is None


def test_adjust_pvalues_errors():
    with pytest.raises(InvalidParameters) as exc:
        adjust_pvalues([0.1], method="hochberg")
    assert "['bonferroni', 'fdr_bh', 'holm']" in str(exc.value) and "'hochberg'" in str(exc.value)
    with pytest.raises(InvalidInput, match=r"must lie in \[0, 1\]"):
        adjust_pvalues([0.1, 1.5])


# --------------------------------------------------------------------------------- drift_table
def _frames(n_ref: int = 3_000, n_cur: int = 2_500, seed: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)

    def frame(n: int, shift: float) -> pd.DataFrame:
        income = rng.lognormal(10 + shift, 0.8, n)
        income[rng.random(n) < 0.05] = np.nan
        return pd.DataFrame(
            {
                "income": income,
                "age": rng.integers(18, 80, n),
                "grade": rng.integers(1, 8, n),
                "region": rng.choice(["north", "south", "east", None], n, p=[0.4, 0.3, 0.2, 0.1]),
                "flag": rng.random(n) < 0.3 + shift,
                "empty": np.full(n, np.nan) if shift else rng.normal(size=n),
            }
        )

    return frame(n_ref, 0.0), frame(n_cur, 0.1)


def test_drift_table_equals_the_individual_functions_exactly():
    ref, cur = _frames()
    table = drift_table(ref, cur, categorical=["grade"], n_jobs=2)
    for name in ["income", "age"]:
        col = table.columns[name]
        assert col.kind == "numeric" and col.chi2 is None
        assert col.psi == psi(ref[name], cur[name])
        assert col.js_distance == js_distance(ref[name], cur[name])
        assert col.ks == ks_test(ref[name], cur[name])
        assert col.wasserstein == wasserstein(ref[name], cur[name])
    for name, flag in [("grade", True), ("region", False), ("flag", False)]:
        col = table.columns[name]
        assert col.kind == "categorical" and col.ks is None and col.wasserstein is None
        assert col.psi == psi(ref[name], cur[name], categorical=flag)
        assert col.js_distance == js_distance(ref[name], cur[name], categorical=flag)
        assert col.chi2 == chi2_test(ref[name], cur[name])
    frame = table.to_frame()
    assert list(frame["column"]) == list(ref.columns)
    row = frame.set_index("column")
    assert row.loc["income", "psi"] == table.columns["income"].psi.value
    assert row.loc["income", "missing_share_reference"] == ref["income"].isna().mean()
    assert math.isnan(row.loc["income", "chi2_p_value"]) and math.isnan(row.loc["region", "ks_p_value"])


def test_drift_table_all_missing_column_is_reported_not_silent():
    ref, cur = _frames()
    col = drift_table(ref, cur).columns["empty"]
    assert col.psi is None and col.ks is None and col.missing_share_current == 1.0
    assert "All 2500 values of the current sample" in col.note
    row = drift_table(ref, cur).to_frame().set_index("column").loc["empty"]
    assert math.isnan(row["psi"]) and math.isnan(row["ks_p_value"]) and row["missing_share_current"] == 1.0


def test_drift_table_is_deterministic_whatever_n_jobs():
    ref, cur = _frames(seed=4)
    one = drift_table(ref, cur, n_jobs=1).to_dict()
    for n_jobs in (3, None):
        other = drift_table(ref, cur, n_jobs=n_jobs).to_dict()
        assert other["columns"] == one["columns"]  # everything but the recorded n_jobs
        other.pop("n_jobs")
        assert other == {k: v for k, v in one.items() if k != "n_jobs"}


def test_drift_table_column_errors_name_what_exists():
    ref, cur = _frames()
    with pytest.raises(InvalidInput) as exc:
        drift_table(ref, cur.drop(columns=["age"]))
    assert "missing in current ['age']" in str(exc.value) and "'income'" in str(exc.value)
    with pytest.raises(InvalidInput, match=r"Columns \['nope'\] are not in the reference frame"):
        drift_table(ref, cur, columns=["income", "nope"])
    with pytest.raises(InvalidParameters, match="'categorical' parameter of drift_table"):
        drift_table(ref, cur, categorical=["nope"])
    with pytest.raises(InvalidParameters, match="'bins' parameter of drift_table"):
        drift_table(ref, cur, bins=0)
    with pytest.raises(InvalidInput, match="must be a pandas DataFrame"):
        drift_table(ref.to_numpy(), cur)
    bad = cur.assign(income=np.where(cur.index == 3, np.inf, cur["income"]))
    with pytest.raises(InvalidInput, match="Column 'income': .*infinite"):
        drift_table(ref, bad)


def test_drift_table_does_not_modify_its_inputs():
    ref, cur = _frames()
    before_ref, before_cur = ref.copy(), cur.copy()
    drift_table(ref, cur, categorical="grade")
    pd.testing.assert_frame_equal(ref, before_ref)
    pd.testing.assert_frame_equal(cur, before_cur)


# ---------------------------------------------------------------------------------- properties
finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
samples = st.lists(finite, min_size=1, max_size=60)
fast = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@fast
@given(x=samples, bins=st.integers(2, 12))
def test_psi_and_js_of_a_sample_with_itself_are_zero(x, bins):
    x = readonly(x)
    assert psi(x, x, bins=bins).value == 0.0
    assert js_distance(x, x, bins=bins).value == 0.0


@fast
@given(x=samples, y=samples, bins=st.integers(2, 12))
def test_psi_is_never_negative_and_inputs_stay_untouched(x, y, bins):
    a, b = readonly(x), readonly(y)
    assert psi(a, b, bins=bins).value >= 0.0
    assert 0.0 <= js_distance(a, b, bins=bins).value <= math.sqrt(math.log(2)) + 1e-15
    assert a.tolist() == x and b.tolist() == y


@fast
@given(x=samples, y=samples, seed=st.integers(0, 2**32 - 1))
def test_permuting_rows_changes_nothing(x, y, seed):
    rng = np.random.default_rng(seed)
    xp, yp = rng.permutation(x), rng.permutation(y)
    assert psi(x, y) == psi(xp, yp)
    assert ks_test(x, y) == ks_test(xp, yp)
    assert wasserstein(x, y).to_dict() == wasserstein(xp, yp).to_dict()
    ref, cur = pd.DataFrame({"v": x}), pd.DataFrame({"v": y})
    assert (
        drift_table(ref, cur, n_jobs=1).to_dict()
        == drift_table(pd.DataFrame({"v": xp}), pd.DataFrame({"v": yp}), n_jobs=1).to_dict()
    )


@fast
@given(x=samples, y=samples, cats=st.lists(st.sampled_from(["a", "b", "c", None]), min_size=2, max_size=40))
def test_drift_table_equals_individual_functions_property(x, y, cats):
    n, m = min(len(x), len(cats)), min(len(y), len(cats))
    ref = pd.DataFrame({"v": x[:n], "c": cats[:n]})
    cur = pd.DataFrame({"v": y[:m], "c": cats[::-1][:m]})
    if ref["c"].isna().all() or cur["c"].isna().all():
        return
    table = drift_table(ref, cur, n_jobs=2)
    assert table.columns["v"].psi == psi(ref["v"], cur["v"])
    assert table.columns["v"].ks == ks_test(ref["v"], cur["v"])
    assert table.columns["c"].chi2 == chi2_test(ref["c"], cur["c"])
    assert table.columns["c"].js_distance == js_distance(ref["c"], cur["c"])


def test_chi2_pools_rare_categories_by_cochrans_rule() -> None:
    """Issue 12: a chi-square over many rare categories rejects too often; cells below 5 expected are pooled.

    Hand calculation: reference a 500, b 300, c 8, d 2 (810); current a 50, b 30, c 3, d 1 (84).
    N = 894, the smaller row 84: a column needs 5 * 894 / 84 = 53.2 in total. c (11) and d (3) are below it
    and together (14) still are, so b (330) joins: the tested table is a against {b, c, d}; scipy's
    chi2_contingency on that 2 x 2 table is the reference.
    """
    ref = ["a"] * 500 + ["b"] * 300 + ["c"] * 8 + ["d"] * 2
    cur = ["a"] * 50 + ["b"] * 30 + ["c"] * 3 + ["d"] * 1
    result = chi2_test(ref, cur)
    assert result.pooled == ("b", "c", "d")
    expected = sps.chi2_contingency([[500, 310], [50, 34]], correction=False)
    assert result.statistic == pytest.approx(expected.statistic, rel=1e-12)
    assert result.p_value == pytest.approx(expected.pvalue, rel=1e-12) and result.df == 1
    # the counts of every category are still reported
    assert result.categories == ("a", "b", "c", "d") and result.current_counts == (50, 30, 3, 1)
    # no pooling when every expected count is at least 5
    big = chi2_test(["a"] * 500 + ["b"] * 300, ["a"] * 50 + ["b"] * 30)
    assert big.pooled == () and big.df == 1


def test_chi2_with_every_category_rare_has_no_test() -> None:
    result = chi2_test(["a", "b", "c"], ["a", "b"])
    assert result.p_value == 1.0 and result.df == 0 and "too rare" in result.note


@pytest.mark.parametrize("n1, n2", [(7, 5), (300, 420), (2500, 10_000), (10_000, 10_000), (40, 10_001)])
def test_ks_test_p_value_is_scipys_public_result(n1, n2):
    # the p-value comes from scipy's public API: ks_2samp(method="exact") up to 10,000 values, kstwo beyond
    rng = np.random.default_rng(n1 * n2)
    a, b = np.round(rng.normal(size=n1), 2), np.round(rng.normal(0.03, 1.1, size=n2), 2)  # with ties
    r = ks_test(a, b)
    exact = max(n1, n2) <= 10_000
    ref = sps.ks_2samp(a, b, method="exact" if exact else "asymp")
    assert r.method == ("exact" if exact else "asymp")
    assert r.statistic == ref.statistic and r.p_value == ref.pvalue
