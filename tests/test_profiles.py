"""Reference profiles and their shared store.

The law checked throughout: a drift statistic computed against a profile of the reference equals, field
for field and bit for bit, the same statistic computed against the raw reference (the reference values
in the tests of test_stats_drift.py then carry over). Stored profiles are checked for the same equality
after a round trip through disk, and every kind of damage to a stored profile must lead to a rebuild,
never to its use.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mrmkit.errors import InvalidInput, InvalidParameters
from mrmkit.evidence.profiles import ProfileStore
from mrmkit.stats import (
    chi2_test,
    drift_table,
    js_distance,
    ks_test,
    psi,
    reference_profile,
    wasserstein,
)
from tests.test_stats_drift import _frames

COUNTS0 = {"built": 0, "loaded": 0, "reused": 0, "rebuilt": 0, "not_stored": 0}


def _counts(**kw: int) -> dict[str, int]:
    return {**COUNTS0, **kw}


def _same_single_statistics(profile, ref: pd.DataFrame, cur: pd.DataFrame, categorical: tuple = ()) -> None:
    for name in ref.columns:
        col = profile[name]
        flag = name in categorical
        if cur[name].isna().all() or ref[name].isna().all():
            continue
        assert psi(col, cur[name], bins=7) == psi(ref[name], cur[name], bins=7, categorical=flag)
        assert js_distance(col, cur[name]) == js_distance(ref[name], cur[name], categorical=flag)
        if col.kind == "numeric":
            assert ks_test(col, cur[name]) == ks_test(ref[name], cur[name])
            assert wasserstein(col, cur[name]).to_dict() == wasserstein(ref[name], cur[name]).to_dict()
        else:
            assert chi2_test(col, cur[name]) == chi2_test(ref[name], cur[name])


def test_drift_against_a_profile_equals_drift_against_the_data():
    ref, cur = _frames()
    profile = reference_profile(ref, categorical=["grade"])
    assert profile.categorical == ("grade", "region", "flag")
    assert (
        drift_table(profile, cur, categorical=["grade"]).to_dict()
        == drift_table(ref, cur, categorical=["grade"]).to_dict()
    )
    _same_single_statistics(profile, ref, cur, categorical=("grade",))
    # one profile, many windows: each window's numbers equal those against the raw reference
    for start in range(0, len(cur), 500):
        window = cur.iloc[start : start + 500]
        assert psi(profile["income"], window["income"]) == psi(ref["income"], window["income"])
        assert psi(profile["region"], window["region"]) == psi(ref["region"], window["region"])


def test_profile_summary_and_hashes():
    ref, _ = _frames()
    profile = reference_profile(ref, columns=["income", "region"])
    income = profile["income"]
    assert income.n == len(ref) and income.n_missing == int(ref["income"].isna().sum())
    valid = ref["income"].dropna().to_numpy()
    assert income.quantiles()["0.5"] == float(np.quantile(valid, 0.5))  # numpy linear, as the PSI bins
    assert income.quantiles()["0"] == valid.min() and income.quantiles()["1"] == valid.max()
    assert income.std == float(np.std(valid))
    assert not income.values.flags.writeable
    shares = profile["region"].to_dict()
    assert dict(zip(shares["categories"], shares["shares"], strict=True)) == pytest.approx(
        ref["region"].value_counts(normalize=False).div(len(ref)).to_dict()
    )
    # the profile's sha256 ignores row order; the data hash (the store's lookup key) does not
    shuffled = ref.sample(frac=1.0, random_state=3)
    again = reference_profile(shuffled, columns=["income", "region"])
    assert again["income"].sha256 == income.sha256 and again.sha256 == profile.sha256
    assert again["region"].sha256 == profile["region"].sha256
    assert again["income"].data_sha256 != income.data_sha256
    # any change of a value, or of the kind, changes the hash
    changed = ref.copy()
    changed.loc[changed.index[0], "income"] = 1.0
    assert reference_profile(changed, columns=["income"])["income"].sha256 != income.sha256
    as_cat = reference_profile(ref, categorical=["age"], columns=["age"])["age"]
    assert as_cat.sha256 != reference_profile(ref, columns=["age"])["age"].sha256
    json.dumps(profile.to_dict())  # a summary in plain JSON, not the values


def test_profile_errors_are_clear():
    ref, cur = _frames()
    profile = reference_profile(ref)
    with pytest.raises(InvalidInput, match="profile of 'age' is numeric"):
        psi(profile["age"], cur["age"], categorical=True)
    with pytest.raises(InvalidInput, match="profile is numeric: \\['age'\\]"):
        drift_table(profile, cur, categorical=["age"])
    with pytest.raises(InvalidInput, match="has no column 'nope'"):
        profile["nope"]
    with pytest.raises(InvalidInput, match="neither numeric nor categorical"):  # as with the raw reference
        psi(profile["region"], pd.Series(pd.date_range("2026-01-01", periods=5)))
    with pytest.raises(InvalidInput, match="cannot be a reference profile"):
        psi(cur["age"], profile["age"])
    with pytest.raises(InvalidParameters, match="not profiled"):
        reference_profile(ref, categorical=["nope"], columns=["age"])
    bad = ref.assign(income=ref["income"].where(ref.index > 0, np.inf))
    with pytest.raises(InvalidInput, match="Column 'income'.*infinite"):
        reference_profile(bad)
    # an all-missing current column is reported in the table, as with the raw reference
    assert drift_table(profile, cur).columns["empty"].note == drift_table(ref, cur).columns["empty"].note


def test_profile_does_not_modify_the_reference():
    ref, cur = _frames()
    before = ref.copy()
    profile = reference_profile(ref)
    drift_table(profile, cur)
    pd.testing.assert_frame_equal(ref, before)


finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
maybe_missing = st.one_of(finite, st.just(float("nan")))
fast = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@fast
@given(
    x=st.lists(maybe_missing, min_size=1, max_size=50),
    y=st.lists(maybe_missing, min_size=1, max_size=50),
    cats=st.lists(st.sampled_from(["a", "b", "c", None]), min_size=1, max_size=50),
    ints=st.lists(st.integers(0, 4), min_size=1, max_size=50),
    bins=st.integers(2, 12),
)
def test_profile_equals_raw_reference_property(x, y, cats, ints, bins):
    n = min(len(x), len(cats), len(ints))
    m = min(len(y), len(cats), len(ints))
    ref = pd.DataFrame({"v": x[:n], "c": cats[:n], "k": ints[:n]})
    cur = pd.DataFrame({"v": y[:m], "c": cats[::-1][:m], "k": ints[::-1][:m]})
    profile = reference_profile(ref, categorical=["k"])
    expected = drift_table(ref, cur, categorical=["k"], bins=bins, n_jobs=1).to_dict()
    assert drift_table(profile, cur, categorical=["k"], bins=bins, n_jobs=1).to_dict() == expected


# -------------------------------------------------------------------------------------- the store
def test_store_builds_once_then_loads_and_gives_the_same_numbers(tmp_path: Path):
    ref, cur = _frames()
    columns, cats = list(ref.columns), ["grade", "region", "flag"]
    first = ProfileStore(tmp_path)
    built = first.frame(ref, columns, cats)
    assert first.counts == _counts(built=len(columns))
    again = first.frame(ref, columns, cats)  # the same data in the same process: from memory
    assert first.counts == _counts(built=len(columns), reused=len(columns))
    assert again["income"] is built["income"]
    second = ProfileStore(tmp_path)  # another run: from disk
    loaded = second.frame(ref, columns, cats)
    assert second.counts == _counts(loaded=len(columns)) and second.notes == []
    assert loaded.sha256 == built.sha256
    table = drift_table(ref, cur, categorical=["grade"]).to_dict()
    assert drift_table(loaded, cur, categorical=["grade"]).to_dict() == table
    _same_single_statistics(loaded, ref, cur, categorical=("grade",))
    # the same data under another name reuses the profile, under its new name
    renamed = second.column(ref["income"], "salary")
    assert renamed.name == "salary" and renamed.sha256 == built["income"].sha256
    assert second.counts["reused"] == 1
    files = sorted(p.suffix for p in tmp_path.rglob("*") if p.is_file())
    n_numeric = sum(built[c].kind == "numeric" for c in columns)
    assert files.count(".json") == len(columns) and files.count(".npy") == n_numeric
    assert not list(tmp_path.rglob("*.tmp"))


def _stored(tmp_path: Path, values: pd.Series) -> tuple[Path, Path]:
    profile = ProfileStore(tmp_path).column(values, "v")
    key = profile.data_sha256
    return tmp_path / key[:2] / f"{key}.json", tmp_path / key[:2] / f"{key}.npy"


def _rebuilds(tmp_path: Path, values: pd.Series, expected) -> None:
    store = ProfileStore(tmp_path)
    profile = store.column(values, "v")
    assert store.counts == _counts(rebuilt=1, built=1), store.notes
    assert "failed its checks" in store.notes[0]
    assert profile.sha256 == expected.sha256 and np.array_equal(profile.values, expected.values)
    assert ProfileStore(tmp_path).column(values, "v").sha256 == expected.sha256  # rewritten whole


@pytest.mark.parametrize(
    "damage", ["value", "sorted", "truncated", "meta_count", "meta_selfhash", "garbage", "missing_values_file"]
)
def test_a_damaged_stored_profile_is_rebuilt_never_used(tmp_path: Path, damage: str):
    values = pd.Series(np.random.default_rng(5).normal(size=500))
    expected = reference_profile(values.to_frame("v"))["v"]
    meta_path, values_path = _stored(tmp_path, values)
    if damage in ("value", "sorted", "truncated"):
        arr = np.load(values_path).copy()
        if damage == "value":
            arr[10] += 1e-9  # still sorted: only the hash can tell
        elif damage == "sorted":
            arr[[0, -1]] = arr[[-1, 0]]
        else:
            arr = arr[:-1]
        np.save(values_path, arr)
    elif damage in ("meta_count", "meta_selfhash"):
        meta = json.loads(meta_path.read_text())
        meta["n_missing"] = 1
        if damage == "meta_selfhash":  # an edit that also forges the self-hash: the sha256 check still fails
            from mrmkit.evidence.profiles import _self_hash

            meta["meta_sha256"] = _self_hash(meta)
        meta_path.write_text(json.dumps(meta))
    elif damage == "garbage":
        meta_path.write_text("{not json")
    else:
        values_path.unlink()
    _rebuilds(tmp_path, values, expected)


def test_a_damaged_categorical_profile_is_rebuilt(tmp_path: Path):
    values = pd.Series(["a", "b", "b", None, "c"] * 20)
    expected = reference_profile(values.to_frame("v"))["v"]
    meta_path, _ = _stored(tmp_path, values)
    meta = json.loads(meta_path.read_text())
    meta["counts"][0] += 1
    meta["counts"][1] -= 1
    from mrmkit.evidence.profiles import _self_hash

    meta["meta_sha256"] = _self_hash(meta)
    meta_path.write_text(json.dumps(meta))
    _rebuilds(tmp_path, values, expected)


def test_categories_round_trip_exactly_by_type(tmp_path: Path):
    mixed = pd.Series([1, "1", 2.5, True, 0.1 + 0.2, "é", None] * 3, dtype=object)
    cur = pd.Series([1, "1", 3, False, 0.3, "é"] * 2, dtype=object)
    ProfileStore(tmp_path).column(mixed, "m")
    store = ProfileStore(tmp_path)
    loaded = store.column(mixed, "m")
    assert store.counts == _counts(loaded=1)
    assert [type(v) for v in loaded.values] == [type(v) for v in pd.unique(mixed.dropna())]
    assert chi2_test(loaded, cur) == chi2_test(mixed, cur) and psi(loaded, cur) == psi(mixed, cur)


def test_unstorable_categories_stay_in_memory_with_a_note(tmp_path: Path):
    days = pd.Series([pd.Timestamp("2026-01-01"), pd.Timestamp("2026-02-01")] * 5, dtype=object)
    store = ProfileStore(tmp_path)
    profile = store.column(days, "day")
    assert store.counts == _counts(built=1, not_stored=1)
    assert "Timestamp cannot be stored exactly" in store.notes[0]
    assert psi(profile, days).value == 0.0 and not list(tmp_path.rglob("*.json"))


def test_an_unwritable_store_never_fails_the_comparison(tmp_path: Path):
    root = tmp_path / "store"
    root.write_text("a file where the store's folder should be")  # fails for root too, unlike permissions
    store = ProfileStore(root)
    ref, cur = _frames()
    profile = store.frame(ref, ["income", "region"])
    assert store.counts == _counts(built=2, not_stored=2)
    assert "writing" in store.notes[0] and "kept in memory only" in store.notes[0]
    assert psi(profile["income"], cur["income"]) == psi(ref["income"], cur["income"])


def test_memory_only_store_writes_nothing(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ref, _ = _frames()
    store = ProfileStore()
    store.frame(ref, ["income"])
    store.frame(ref, ["income"])
    assert store.counts == _counts(built=1, reused=1) and list(tmp_path.iterdir()) == []
