"""The drift workbook's analysis without a notebook: statuses, findings, retraining rule, invariances."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mrmkit import stats
from mrmkit.params import load_parameters
from mrmkit.workbooks import drift
from mrmkit.workbooks.context import load_context
from tests.conftest import write_params


def _evidence(folder: Path, **overrides) -> drift.DriftEvidence:
    params = load_parameters(write_params(folder, **overrides))
    return drift.analyse(load_context(params.model_dump(mode="json")))


def test_statuses_follow_the_policy(tiny_project: Path) -> None:
    ev = _evidence(tiny_project)
    psi = ev.features["psi"]
    for name, value in psi.items():
        expected = "red" if value >= 0.25 else "amber" if value >= 0.10 else "green"
        assert ev.features.at[name, "psi_status"] == expected
        # the feature's status is the worse of its PSI status and the top-driver rule's
        driver = ev.features.at[name, "driver_status"]
        assert ev.features.at[name, "status"] == (expected if expected != "green" else driver)
    # a stricter policy turns the same numbers red
    strict = _evidence(tiny_project, policy={"psi": {"amber": 0.0, "red": float(psi.min())}})
    assert (strict.features["status"] == "red").all()


def test_adjusted_p_values_are_holm_over_all_feature_tests(tiny_project: Path) -> None:
    from statsmodels.stats.multitest import multipletests

    ev = _evidence(tiny_project)
    p = ev.features["p_value"]
    expected = multipletests(p.to_numpy(), method="holm")[1]
    np.testing.assert_allclose(ev.features["p_value_adjusted"].to_numpy(), expected, rtol=1e-12)
    assert list(ev.features["test"]) == ["KS", "KS", "chi-square (discrete values)", "chi-square"]  # enquiries: counts


def test_retraining_fires_on_the_latest_window(tiny_project: Path) -> None:
    """Drift confined to the last month: diluted in the pooled sample, caught in the latest window."""
    path = tiny_project / "data" / "current.parquet"
    cur = pd.read_parquet(path)
    last = cur["app_date"] >= "2025-06-01"
    rng = np.random.default_rng(1)
    cur.loc[last, "income"] = cur.loc[last, "income"] * 3
    cur.loc[last, "utilisation"] = rng.uniform(0.9, 1.4, last.sum())
    cur.loc[last, "region"] = "west"
    cur.to_parquet(path, index=False)
    ev = _evidence(tiny_project, policy={"retraining": {"psi": 0.2, "min_features": 3}})
    assert ev.retraining["latest_window"]["window"] == "2025-06"
    assert set(ev.retraining["latest_window"]["features_over_threshold"]) >= {"income", "utilisation", "region"}
    assert "latest_window" in ev.retraining["fired_on"] and ev.retraining["signal"]
    titles = [f["title"] for f in ev.findings]
    assert "Retraining signal" in titles
    assert any("latest window 2025-06" in t and "Income" in t for t in titles)  # by its label
    # the same data with a looser rule: no signal
    loose = _evidence(tiny_project, policy={"retraining": {"psi": 0.2, "min_features": 4}})
    assert loose.retraining["fired_on"] == [] or loose.retraining["score_over_threshold"]


def test_no_drift_gives_one_green_finding(tiny_project: Path) -> None:
    ev = _evidence(tiny_project, data__current="data/reference.parquet", data__time=None)
    assert (ev.features["psi"] == 0).all()
    # ids shared by both samples are counted (behavioural models rescore the same accounts) but not a finding
    assert ev.duplicate_ids == {"reference": 0, "current": 0, "across": 3000}
    assert [(f["severity"], f["title"]) for f in ev.findings] == [("green", "No drift or data-quality issue")]
    assert ev.windows.empty and ev.retraining["latest_window"] is None


def test_duplicate_ids_are_red(tiny_project: Path) -> None:
    path = tiny_project / "data" / "current.parquet"
    cur = pd.read_parquet(path)
    cur.loc[:4, "app_id"] = cur.loc[5, "app_id"]
    cur.to_parquet(path, index=False)
    ev = _evidence(tiny_project)
    assert ev.duplicate_ids["current"] == 5
    assert any(f["title"] == "Duplicate application ids in the current sample" for f in ev.findings)


def test_text_in_a_numeric_feature_is_compared_as_categories_and_reported(tiny_project: Path) -> None:
    """A broken feed sends a numeric feature as text: drift is still measured, as on the raw samples."""
    path = tiny_project / "data" / "current.parquet"
    cur = pd.read_parquet(path)
    cur["income"] = cur["income"].round(-3).astype(str)
    cur.to_parquet(path, index=False)
    ev = _evidence(tiny_project)
    ref = pd.read_parquet(tiny_project / "data" / "reference.parquet")
    assert ev.features.at["income", "kind"] == "categorical"
    assert ev.features.at["income", "psi"] == stats.psi(ref["income"], cur["income"]).value  # raw-sample path
    assert bool(ev.quality.at["income", "type_mismatch"])


def test_row_order_changes_nothing(tiny_project: Path) -> None:
    before = json.dumps(_evidence(tiny_project).metrics(), sort_keys=True)
    for name in ("reference", "current"):
        path = tiny_project / "data" / f"{name}.parquet"
        frame = pd.read_parquet(path)
        frame.sample(frac=1.0, random_state=3).to_parquet(path, index=False)
    after = json.dumps(_evidence(tiny_project).metrics(), sort_keys=True)
    assert before == after


def test_metrics_are_strict_json(tiny_project: Path) -> None:
    metrics = _evidence(tiny_project).metrics()
    text = json.dumps(metrics, allow_nan=False, sort_keys=True)
    assert json.loads(text)["features"]["income"]["psi"] == pytest.approx(metrics["features"]["income"]["psi"])
