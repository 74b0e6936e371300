"""Issue 13: a VaR engine (model.kind: var) is validated on its P&L, VaR and ES series alone."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from mrmkit.errors import InvalidParameters
from mrmkit.params import load_parameters

MRMKIT = str(Path(sys.executable).with_name("mrmkit"))


def _series(folder: Path, days: int = 300) -> None:
    rng = np.random.default_rng(4)
    (folder / "data").mkdir(parents=True, exist_ok=True)
    sigma = rng.uniform(0.8, 1.2, days) * 1e4
    pd.DataFrame(
        {
            "date": pd.bdate_range("2024-01-01", periods=days).strftime("%Y-%m-%d"),
            "pnl": rng.standard_normal(days) * sigma,
            "var_99": 2.326 * sigma,
            "var_975": 1.960 * sigma,
            "es_975": 2.338 * sigma,
        }
    ).to_csv(folder / "data" / "var.csv", index=False)


def _write(folder: Path, **extra) -> Path:
    raw = {
        "seed": 3,
        "model": {"id": "desk-var", "version": "1.0", "kind": "var"},
        "backtest": {
            "var": {"data": "data/var.csv", "levels": {"var_99": 0.99, "var_975": 0.975}, "es": {"es_975": "var_975"}}
        },
    }
    for key, value in extra.items():
        section, _, field = key.partition("__")
        if field:
            raw.setdefault(section, {})[field] = value
        else:
            raw[section] = value
    path = folder / "var.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return path


def test_a_var_engine_needs_no_application_data(tmp_path: Path) -> None:
    _series(tmp_path)
    params = load_parameters(_write(tmp_path))
    assert params.model.kind == "var" and params.enabled_workbooks() == ["backtest"]
    assert set(params.input_paths()) == {"backtest.var.data"}
    assert params.data.roots == [tmp_path.resolve()]


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        ({"backtest": {}}, "give its P&L and VaR series as backtest.var"),
        ({"data": {"reference": "data/var.csv", "current": "data/var.csv"}}, "remove data.reference, data.current"),
        ({"drift": {}}, "remove drift"),
        ({"model__artifact": "models/engine.skops"}, "remove model.artifact"),
        ({"backtest__initial_auc": 0.7}, "remove backtest.initial_auc"),
    ],
)
def test_what_a_var_engine_does_not_have_is_refused(tmp_path: Path, extra: dict, fragment: str) -> None:
    _series(tmp_path)
    path = _write(tmp_path, **extra)
    if "backtest" in extra and extra["backtest"] == {}:
        raw = yaml.safe_load(path.read_text())
        raw["backtest"] = {}
        path.write_text(yaml.safe_dump(raw))
    with pytest.raises(InvalidParameters, match=fragment.replace("(", r"\(")):
        load_parameters(path)


def test_a_pd_model_without_samples_names_them(tmp_path: Path) -> None:
    path = tmp_path / "pd.yaml"
    path.write_text(yaml.safe_dump({"model": {"id": "m", "version": "1"}, "data": {"score": "pd"}}))
    with pytest.raises(InvalidParameters, match="data.reference and data.current: required for a PD model"):
        load_parameters(path)


@pytest.mark.slow
def test_a_var_engine_runs_end_to_end_and_its_report_is_about_var(tmp_path: Path) -> None:
    _series(tmp_path)
    path = _write(tmp_path)
    proc = subprocess.run(
        [MRMKIT, "run", str(path), "--out", str(tmp_path / "out")], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    package = Path(proc.stdout.strip())
    metrics = json.loads((package / "metrics.json").read_text())["backtest"]
    assert metrics["pd"]["applicable"] is False and "model.kind var" in metrics["pd"]["reason"]
    assert metrics["var"]["es"]["es_975"]["n"] == 300
    index = (package / "reports" / "index.html").read_text()
    assert "Expected-shortfall backtest" in index and "market-risk VaR / ES engine" in index
    assert "ongoing monitoring" not in index and "column None" not in index
    bad = subprocess.run(
        [MRMKIT, "run", str(_write(tmp_path, drift={})), "--out", str(tmp_path / "out2")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2 and "remove drift" in bad.stderr and "Traceback" not in bad.stderr
    assert not (tmp_path / "out2").exists() or not any((tmp_path / "out2").rglob("manifest.json"))


def test_too_few_days_is_a_limitation_not_a_green(tmp_path: Path) -> None:
    from mrmkit.workbooks import backtest
    from mrmkit.workbooks.context import load_context

    _series(tmp_path, days=60)
    params = load_parameters(_write(tmp_path))
    ev = backtest.analyse(load_context(params.model_dump(mode="json")))
    assert not [f for f in ev.findings if f["severity"] == "green"]
    (limit,) = [f for f in ev.findings if f["title"].startswith("Not enough data to backtest")]
    # the columns by the names a reader reads (issue 27): var_99 is the VaR at 99%, es_975 the ES at 97.5%
    assert limit["severity"] == "amber" and "VaR at 99%" in limit["title"] and "ES at 97.5%" in limit["title"]
