"""data_quality: each figure checked against a count done by hand on a small frame."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from mrmkit.errors import InsufficientData, InvalidInput, InvalidParameters
from mrmkit.stats import data_quality


@pytest.fixture
def frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    ref = pd.DataFrame(
        {
            "id": [1, 2, 3, 4, 5, 6],
            "income": [10.0, 20.0, np.nan, 40.0, 50.0, 60.0],  # range [10, 60], 1/6 missing
            "region": ["n", "s", "s", "e", None, "n"],
            "grade": [1, 2, 3, 1, 2, 3],  # numeric but declared categorical
            "code": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],  # numbers in reference...
            "const": [7, 7, 7, 7, 7, 7],
            "gone": [1, 2, 3, 4, 5, 6],
        }
    )
    cur = pd.DataFrame(
        {
            "id": [1, 2, 2, 3, None],  # one duplicate (2), one missing id
            "income": [5.0, 20.0, 70.0, np.nan, np.nan],  # 5 and 70 outside [10, 60]: 2 of 3 non-missing
            "region": ["w", "n", "x", "w", None],  # w, x unseen: 3 of 5 rows; 1/5 missing
            "grade": [1, 4, 4, 5, 2],  # 4 and 5 unseen: 3 of 5 rows
            "code": ["1", "2", "3", "4", "5"],  # ...text in current: a type mismatch
            "const": [7, 8, 7, 7, 7],
            "new": [1, 1, 1, 1, 1],
        }
    )
    return ref, cur


def test_data_quality_rows_match_hand_counts(frames):
    ref, cur = frames
    res = data_quality(ref, cur, categorical=["grade"], id_column="id", max_examples=1)
    rows = {r.column: r for r in res.rows}
    assert list(rows) == ["income", "region", "grade", "code", "const"]

    income = rows["income"]
    assert income.kind == "numeric" and not income.type_mismatch
    assert income.missing_share_reference == 1 / 6 and income.missing_share_current == 2 / 5
    assert income.missing_share_change == pytest.approx(2 / 5 - 1 / 6)
    assert (income.reference_min, income.reference_max) == (10.0, 60.0)
    assert income.out_of_range_share == 2 / 3
    assert income.unseen_categories is None and math.isnan(income.unseen_share)

    region = rows["region"]
    assert region.kind == "categorical" and region.reference_type == "string"
    assert (region.unseen_categories, region.unseen_share, region.unseen_examples) == (2, 3 / 5, ("w",))
    assert (region.n_distinct_reference, region.n_distinct_current) == (3, 3)
    assert math.isnan(region.out_of_range_share)

    grade = rows["grade"]
    assert grade.kind == "categorical" and (grade.unseen_categories, grade.unseen_share) == (2, 3 / 5)

    code = rows["code"]
    assert code.type_mismatch and (code.reference_type, code.current_type) == ("numeric", "string")

    const = rows["const"]
    assert const.constant_reference and not const.constant_current

    assert res.columns_only_in_reference == ("gone",) and res.columns_only_in_current == ("new",)
    assert (res.duplicate_ids_reference, res.duplicate_ids_current) == (0, 1)
    assert (res.missing_ids_reference, res.missing_ids_current) == (0, 1)


def test_unseen_examples_are_sorted_and_limited():
    ref = pd.DataFrame({"c": ["a", "b"]})
    cur = pd.DataFrame({"c": ["zz", "m", "b", "c", "m"]})
    row = data_quality(ref, cur, max_examples=2).rows[0]
    assert row.unseen_examples == ("c", "m") and row.unseen_categories == 3 and row.unseen_share == 4 / 5


def test_all_missing_sample_is_constant_and_never_a_type_mismatch():
    ref = pd.DataFrame({"x": ["a", "b", None]})
    cur = pd.DataFrame({"x": [np.nan, np.nan]})
    row = data_quality(ref, cur).rows[0]
    assert row.current_type is None and not row.type_mismatch
    assert row.constant_current and row.missing_share_current == 1.0 and row.n_distinct_current == 0


def test_dates_get_structural_checks_only():
    ref = pd.DataFrame({"d": pd.to_datetime(["2024-01-01", "2024-02-01", None])})
    cur = pd.DataFrame({"d": pd.to_datetime(["2025-01-01", "2025-01-01"])})
    row = data_quality(ref, cur).rows[0]
    assert row.kind == "temporal" and row.reference_type == row.current_type == "datetime"
    assert row.missing_share_reference == 1 / 3 and row.constant_current and not row.type_mismatch
    assert math.isnan(row.out_of_range_share) and row.unseen_categories is None


def test_to_frame_and_json_round_trip(frames):
    ref, cur = frames
    res = data_quality(ref, cur, id_column="id")
    frame = res.to_frame()
    assert len(frame) == 5 and "out_of_range_share" in frame.columns
    d = res.to_dict()
    assert json.loads(json.dumps(d, allow_nan=False)) == d


def test_inputs_are_not_modified(frames):
    ref, cur = frames
    before = ref.copy(), cur.copy()
    data_quality(ref, cur, categorical="grade", id_column="id")
    pd.testing.assert_frame_equal(ref, before[0])
    pd.testing.assert_frame_equal(cur, before[1])


def test_errors(frames):
    ref, cur = frames
    with pytest.raises(InvalidParameters, match="'id_column' parameter of data_quality names 'key'"):
        data_quality(ref, cur, id_column="key")
    with pytest.raises(InvalidParameters, match=r"'categorical' parameter .* \['gone'\]"):
        data_quality(ref, cur, categorical=["gone"])
    with pytest.raises(InvalidParameters) as exc:
        data_quality(ref, cur, max_examples=-1)
    assert str(exc.value) == ("The 'max_examples' parameter of data_quality must be an integer of at least 0; got -1.")
    with pytest.raises(InsufficientData, match="current frame of data_quality has no rows"):
        data_quality(ref, cur.iloc[:0])
    with pytest.raises(InvalidInput, match="must be a pandas DataFrame"):
        data_quality(ref, cur.to_dict())
