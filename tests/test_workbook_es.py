"""Issue 13: the backtest workbook backtests expected shortfall beside VaR (Acerbi-Szekely Z2)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from mrmkit import stats
from mrmkit.errors import InvalidParameters
from mrmkit.params import load_parameters
from mrmkit.workbooks import backtest
from mrmkit.workbooks.context import load_context
from tests.conftest import make_frame, write_var_params


def _project(root: Path, tail: float) -> Path:
    """A PD project plus 500 days of normal P&L with a 97.5 % VaR and an ES that is ``tail`` times too small."""
    rng = np.random.default_rng(11)
    (root / "data").mkdir(parents=True, exist_ok=True)
    make_frame(rng, 1000, 0.0, "2024-01-01").to_parquet(root / "data" / "reference.parquet", index=False)
    make_frame(rng, 1000, 0.0, "2025-01-01").to_parquet(root / "data" / "current.parquet", index=False)
    days = pd.bdate_range("2023-01-02", periods=500)
    sigma = rng.uniform(0.8, 1.2, 500)
    pnl = rng.standard_t(4, 500) * sigma if tail < 1 else rng.standard_normal(500) * sigma
    q = sps.norm.ppf(0.025)
    var, es = -q * sigma, sps.norm.pdf(q) / 0.025 * sigma
    pd.DataFrame({"date": days.strftime("%Y-%m-%d"), "pnl": pnl, "var_975": var, "es_975": es}).to_csv(
        root / "data" / "var.csv", index=False
    )
    return root


def _evidence(root: Path, **var):
    section = {"data": "data/var.csv", "levels": {"var_975": 0.975}, "es": {"es_975": "var_975"}, **var}
    params = load_parameters(write_var_params(root, section))
    return backtest.analyse(load_context(params.model_dump(mode="json")))


def test_es_backtest_is_recorded_and_equals_the_statistic(tmp_path: Path) -> None:
    ev = _evidence(_project(tmp_path, 1.0))
    t = ev.var["es"]["es_975"]
    frame = pd.read_csv(tmp_path / "data" / "var.csv")
    direct = stats.es_backtest(frame["pnl"], frame["var_975"], frame["es_975"], 0.975, n_simulations=10_000, seed=7)
    assert t["statistic"] == direct.statistic and t["p_value"] == direct.p_value and t["var_column"] == "var_975"
    assert "Z2" in backtest.es_frame(ev).to_html()


def test_fat_tails_under_a_normal_es_are_a_finding(tmp_path: Path) -> None:
    ev = _evidence(_project(tmp_path, 0.5))
    t = ev.var["es"]["es_975"]
    assert t["statistic"] < t["critical_value"]
    found = [f for f in ev.findings if f["metric"] == "backtest.var.es.es_975.p_value"]
    assert found and "Z2" in found[0]["title"]


def test_an_es_paired_with_an_unknown_var_column_is_refused(tmp_path: Path) -> None:
    root = _project(tmp_path, 1.0)
    with pytest.raises(InvalidParameters, match="es.es_975 pairs with 'var_99'"):
        load_parameters(
            write_var_params(root, {"data": "data/var.csv", "levels": {"var_975": 0.975}, "es": {"es_975": "var_99"}})
        )
