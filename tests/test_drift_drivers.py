"""The top-driver rule of the drift workbook (issue 26): a significant, material shift in one of the model's top
drivers is at least amber, whatever its PSI; effect sizes and importance checked against references."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy.stats.contingency import association

from mrmkit import stats
from mrmkit.params import load_parameters
from mrmkit.workbooks import drift
from mrmkit.workbooks.context import load_context

SKLEARN_TYPES = ["numpy.dtype"]
CHURN = ["contract_flag", "tenure", "charges", "plan"]


# ---------------------------------------------------------------- effect sizes against references


def test_cohens_h_by_hand() -> None:
    # Cohen (1988), Table 6.2.1: phi = 2 arcsin sqrt(P) is 0.6435 at P = .10 and 0.9273 at P = .20: h = 0.2838
    assert stats.cohens_h(0.10, 0.20) == pytest.approx(0.9273 - 0.6435, abs=1e-4)
    # the churn case by hand: 2 asin(sqrt .18) = 2 x 0.438149 = 0.876298; 2 asin(sqrt .09) = 2 x 0.304693
    # = 0.609385; h = 0.266913
    assert stats.cohens_h(0.09, 0.18) == pytest.approx(0.266913, abs=1e-6)
    assert stats.cohens_h(0.91, 0.82) == pytest.approx(stats.cohens_h(0.09, 0.18), rel=1e-12)  # either value
    ref = np.r_[np.ones(90), np.zeros(910)]
    cur = np.r_[np.ones(180), np.zeros(820)]
    e = stats.shift_effect(ref, cur)
    assert (e.kind, e.level, e.reference_share, e.current_share) == ("binary", "1", 0.09, 0.18)
    assert e.value == pytest.approx(0.266913, abs=1e-6)
    # text levels: the level rarer in the reference is reported
    e = stats.shift_effect(np.where(ref == 1, "yes", "no"), np.where(cur == 1, "yes", "no"))
    assert (e.kind, e.level, e.value) == ("binary", "yes", pytest.approx(0.266913, abs=1e-6))


def test_cramers_v_against_scipy_association() -> None:
    rng = np.random.default_rng(5)
    levels = np.array(["a", "b", "c", "d", "e"])
    ref = rng.choice(levels, 4000, p=[0.4, 0.25, 0.15, 0.12, 0.08])
    cur = rng.choice(levels, 4000, p=[0.25, 0.25, 0.2, 0.15, 0.15])
    table = np.vstack([[np.sum(ref == v) for v in levels], [np.sum(cur == v) for v in levels]])
    expected = association(table, method="cramer")  # equal sample sizes: plain Cramér's V of the counts
    e = stats.shift_effect(ref, cur)
    assert e.kind == "categorical" and e.value == pytest.approx(expected, rel=1e-12)
    assert stats.cramers_v(table[0], table[1]) == pytest.approx(expected, rel=1e-12)
    # each sample weighted equally: ten times the current rows (same shares) give the same V
    assert stats.cramers_v(table[0], 10 * table[1]) == pytest.approx(expected, rel=1e-12)
    assert (e.level, e.reference_share) == ("a", pytest.approx(table[0, 0] / 4000))


def test_ks_distance_is_scipy_ks_statistic() -> None:
    from scipy.stats import ks_2samp

    rng = np.random.default_rng(6)
    ref, cur = rng.normal(size=3000), rng.normal(0.2, size=2000)
    e = stats.shift_effect(ref, cur)
    assert e.kind == "numeric" and e.value == pytest.approx(ks_2samp(ref, cur).statistic, rel=1e-12)
    # the default threshold is the KS distance of two normal distributions a Cohen's d of 0.2 apart
    from scipy.stats import norm

    assert 2 * norm.cdf(0.1) - 1 == pytest.approx(0.0797, abs=1e-4)


# ---------------------------------------------------------------- the churn case, seeded


def _churn(rng: np.random.Generator, n: int, flag_share: float, *, ignored_share: float = 0.3) -> pd.DataFrame:
    tenure = rng.gamma(2.0, 15.0, n)
    charges = rng.normal(70.0, 20.0, n)
    plan = rng.choice(["basic", "plus", "premium"], n, p=[0.5, 0.3, 0.2])
    flag = (rng.random(n) < flag_share).astype(float)
    ignored = (rng.random(n) < ignored_share).astype(float)  # a column the model never reads
    logit = -2.2 + 2.6 * flag - 0.015 * (tenure - 30) + 0.008 * (charges - 70) + 0.2 * (plan == "premium")
    p = 1 / (1 + np.exp(-logit))
    return pd.DataFrame(
        {
            "customer": [f"c{i:07d}" for i in range(n)],
            "contract_flag": flag,
            "tenure": tenure,
            "charges": charges,
            "plan": plan,
            "ignored": ignored,
            "churn": (rng.random(n) < p).astype(int),
            "score": p,
        }
    )


def _project(folder: Path, ref: pd.DataFrame, cur: pd.DataFrame, features: list[str], *, model: bool) -> Path:
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    ref.to_parquet(data / "reference.parquet", index=False)
    cur.to_parquet(data / "current.parquet", index=False)
    params = {
        "seed": 11,
        "model": {"id": "churn", "version": "1", "kind": "classifier"},
        "data": {
            "reference": "data/reference.parquet",
            "current": "data/current.parquet",
            "id": "customer",
            "target": "churn",
            "features": features,
            "categorical": ["plan"],
        },
        "policy": {"alert_rate": 0.1},
        "drift": {},
    }
    if model:
        import skops.io as sio
        from sklearn.compose import make_column_transformer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import OneHotEncoder, StandardScaler

        numeric = [f for f in features if f != "plan"]
        fitted = make_pipeline(
            make_column_transformer((OneHotEncoder(handle_unknown="ignore"), ["plan"]), (StandardScaler(), numeric)),
            LogisticRegression(max_iter=1000),
        ).fit(ref[features], ref["churn"])
        (folder / "models").mkdir(exist_ok=True)
        sio.dump(fitted, folder / "models" / "model.skops")
        params["model"] |= {"artifact": "models/model.skops", "trusted_types": SKLEARN_TYPES}
    else:
        params["data"]["score"] = "score"
    path = folder / "params.yaml"
    path.write_text(yaml.safe_dump(params, sort_keys=False))
    return path


def _analyse(path: Path) -> drift.DriftEvidence:
    return drift.analyse(load_context(load_parameters(path).model_dump(mode="json")))


@pytest.mark.parametrize("model", [True, False], ids=["permutation importance", "association with the score"])
def test_churn_case_a_doubled_top_driver_is_amber_although_psi_is_green(tmp_path: Path, model: bool) -> None:
    """The real churn case: the strongest driver, a binary flag, goes from 9% to 18%; PSI about 0.07 is green.

    Before the rule the flag was green and the workbook's conclusion was "No drift or data-quality issue".
    """
    rng = np.random.default_rng(20260901)
    ref, cur = _churn(rng, 7000, 0.09), _churn(rng, 3000, 0.18)
    ev = _analyse(_project(tmp_path, ref, cur, CHURN, model=model))
    row = ev.features.loc["contract_flag"]
    assert 0.05 < row["psi"] < 0.10 and row["psi_status"] == "green"  # PSI alone: green
    assert row["importance_rank"] == 1 and row["top_driver"]
    assert row["effect_kind"] == "binary" and row["effect_size"] >= 0.2
    assert row["p_value_adjusted"] < 1e-6
    assert row["driver_status"] == "amber" and row["status"] == "amber"
    titles = [f["title"] for f in ev.findings]
    assert "No drift or data-quality issue" not in titles
    flag = [f for f in ev.findings if f["metric"] == "drift.features.contract_flag.effect_size"]
    assert len(flag) == 1 and flag[0]["severity"] == "amber"
    detail = flag[0]["detail"]
    assert "is the model's strongest driver" in detail and "Cohen's h 0.2" in detail
    assert f"rose from {row['effect_reference_share']:.1%} to {row['effect_current_share']:.1%}" in detail
    # below the display floor (issue 27): "p < 0.0001", never "p = 0." or 1e-7
    assert "Holm-adjusted p < 0.0001" in detail and f"PSI {row['psi']:.3f} alone would be green" in detail
    assert ev.status_counts()["amber"] >= 1
    importance = ev.metrics()["settings"]["importance"]
    assert importance["method"] == ("permutation" if model else "association")
    assert importance["seed"] == (11 if model else None) and importance["rows"] == (2000 if model else 7000)
    # the Holm adjustment is statsmodels' over the family of every feature's test
    from statsmodels.stats.multitest import multipletests

    p = ev.features["p_value"]
    np.testing.assert_allclose(ev.features["p_value_adjusted"], multipletests(p, method="holm")[1], rtol=1e-12)


def test_a_material_shift_in_a_feature_the_model_ignores_is_not_escalated(tmp_path: Path) -> None:
    rng = np.random.default_rng(20260902)
    ref, cur = _churn(rng, 7000, 0.09, ignored_share=0.09), _churn(rng, 3000, 0.09, ignored_share=0.18)
    ev = _analyse(_project(tmp_path, ref, cur, [*CHURN, "ignored"], model=True))
    row = ev.features.loc["ignored"]
    assert row["importance"] < 0.01 and not row["top_driver"]  # permuting it hardly changes the score
    assert row["material"] and row["p_value_adjusted"] < 1e-6  # the shift itself is real and material
    assert row["driver_status"] == "green" and row["status"] == "green"
    assert not any("ignored" in f["title"] for f in ev.findings)


def test_a_significant_but_immaterial_shift_on_huge_samples_is_not_escalated(tmp_path: Path) -> None:
    rng = np.random.default_rng(20260903)
    ref, cur = _churn(rng, 200_000, 0.09), _churn(rng, 200_000, 0.095)  # the flag: 9% to 9.5%, h = 0.017
    ev = _analyse(_project(tmp_path, ref, cur, CHURN, model=False))
    row = ev.features.loc["contract_flag"]
    assert row["top_driver"] and row["p_value_adjusted"] < 0.05  # significant on 400,000 rows
    assert row["effect_size"] < 0.05 and not row["material"]
    assert row["driver_status"] == "green" and row["status"] == "green"


def test_a_numeric_and_a_many_level_categorical_top_driver(tmp_path: Path) -> None:
    """The class, not the example: a numeric driver shifted by 0.3 SD, a 12-level driver reshuffled."""
    rng = np.random.default_rng(20260904)
    levels = np.array([f"r{i:02d}" for i in range(12)])
    base = np.linspace(2.0, 0.5, 12) / np.linspace(2.0, 0.5, 12).sum()

    def frame(n: int, shift: float, shares: np.ndarray) -> pd.DataFrame:
        x = rng.normal(shift, 1.0, n)
        region = rng.choice(levels, n, p=shares)
        noise = rng.normal(size=n)
        p = 1 / (1 + np.exp(-(-2 + 0.8 * x + 0.5 * np.isin(region, levels[:3]))))
        return pd.DataFrame(
            {"id": np.arange(n), "x": x, "region": region, "noise": noise, "y": rng.random(n) < p, "s": p}
        )

    moved = base[::-1].copy()
    ref, cur = frame(6000, 0.0, base), frame(3000, 0.3, moved)
    data = tmp_path / "data"
    data.mkdir()
    ref.to_parquet(data / "r.parquet", index=False)
    cur.to_parquet(data / "c.parquet", index=False)
    params = {
        "seed": 3,
        "model": {"id": "m", "version": "1"},
        "data": {
            "reference": "data/r.parquet",
            "current": "data/c.parquet",
            "id": "id",
            "target": "y",
            "score": "s",
            "features": ["x", "region", "noise"],
            "categorical": ["region"],
        },
        "drift": {},
    }
    (tmp_path / "p.yaml").write_text(yaml.safe_dump(params))
    ev = _analyse(tmp_path / "p.yaml")
    f = ev.features
    assert f.at["x", "effect_kind"] == "numeric" and f.at["x", "driver_status"] == "amber"
    assert f.at["region", "effect_kind"] == "categorical" and f.at["region", "effect_size"] >= 0.1
    assert f.at["noise", "driver_status"] == "green"


def test_the_rule_and_importance_are_recorded_and_row_order_changes_nothing(tmp_path: Path) -> None:
    rng = np.random.default_rng(20260905)
    ref, cur = _churn(rng, 3000, 0.09), _churn(rng, 2000, 0.18)
    path = _project(tmp_path, ref, cur, CHURN, model=True)
    before = _analyse(path).metrics()
    rule = before["settings"]["driver_shift"]
    assert (rule["top_k"], rule["min_share"], rule["cohens_h"], rule["cramers_v"]) == (3, 0.1, 0.2, 0.1)
    shares = [before["features"][f]["importance"] for f in CHURN]
    assert math.fsum(shares) == pytest.approx(1.0)
    for name in ("reference", "current"):
        p = tmp_path / "data" / f"{name}.parquet"
        pd.read_parquet(p).sample(frac=1.0, random_state=4).to_parquet(p, index=False)
    after = _analyse(path).metrics()
    assert json.dumps(before, sort_keys=True) == json.dumps(after, sort_keys=True)
