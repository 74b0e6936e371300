"""Shared fixtures: a tiny, seeded project (data, a skops model, a parameter file) in a temporary folder."""

from __future__ import annotations

import copy
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
# the tests never sign with, or create, the developer's own keys: a config folder of their own
os.environ["MRMKIT_CONFIG_DIR"] = tempfile.mkdtemp(prefix="mrmkit-config-")
os.environ.pop("MRMKIT_SIGNING_KEY", None)

FEATURES = ["income", "utilisation", "enquiries", "region"]


def make_frame(rng: np.random.Generator, n: int, shift: float, start: str) -> pd.DataFrame:
    income = rng.lognormal(10.5, 0.5, n)
    utilisation = np.clip(rng.beta(2, 5, n) + shift, 0, 1.5)
    enquiries = rng.poisson(1.0 + 2 * shift, n).astype(float)
    enquiries[rng.random(n) < 0.05] = np.nan
    region = rng.choice(["north", "south", "east", "west"], n, p=[0.4, 0.3, 0.2, 0.1])
    logit = -3.2 + 2.5 * utilisation - 0.3 * np.log(income / 36000) + 0.2 * np.nan_to_num(enquiries)
    pd_true = 1 / (1 + np.exp(-logit))
    dates = pd.Timestamp(start) + pd.to_timedelta(rng.integers(0, 180, n), unit="D")
    return pd.DataFrame(
        {
            "app_id": [f"{start[:4]}-{i:06d}" for i in range(n)],
            "app_date": dates,
            "income": income,
            "utilisation": utilisation,
            "enquiries": enquiries,
            "region": region,
            "default": (rng.random(n) < pd_true).astype(int),
            "score": (score := np.clip(pd_true * rng.uniform(0.8, 1.2, n), 1e-4, 0.9999)),
            "grade": np.digitize(score, [0.02, 0.05, 0.10, 0.20]).astype(str),
        }
    )


def write_params(folder: Path, **overrides) -> Path:
    params = {
        "seed": 7,
        "model": {"id": "tiny-pd", "version": "1.0", "owner": "tests", "risk_tier": "low"},
        "data": {
            "reference": "data/reference.parquet",
            "current": "data/current.parquet",
            "id": "app_id",
            "target": "default",
            "score": "score",
            "features": FEATURES,
            "categorical": ["region"],
            "time": "app_date",
            "grade": "grade",
        },
        "drift": {"bins": 10},
    }
    for key, value in overrides.items():
        section, _, field = key.partition("__")
        if field:
            if value is None:
                params[section].pop(field, None)
            else:
                params.setdefault(section, {})[field] = value
        elif value is None:
            params.pop(section, None)
        else:
            params[section] = value
    path = folder / "params.yaml"
    path.write_text(yaml.safe_dump(params, sort_keys=False))
    return path


def write_var_params(folder: Path, var: dict, name: str = "var.yaml") -> Path:
    """A VaR engine's parameter file (``model.kind: var``) whose evidence is the ``backtest.var`` section."""
    params = {"seed": 7, "model": {"id": "tiny-var", "version": "1.0", "kind": "var"}, "backtest": {"var": var}}
    path = folder / name
    path.write_text(yaml.safe_dump(params, sort_keys=False))
    return path


@pytest.fixture
def tiny_project(tmp_path: Path) -> Path:
    """A folder with reference and current parquet files and a scores-only parameter file."""
    rng = np.random.default_rng(20261123)
    data = tmp_path / "data"
    data.mkdir()
    make_frame(rng, 3000, 0.0, "2024-01-01").to_parquet(data / "reference.parquet", index=False)
    make_frame(rng, 2000, 0.15, "2025-01-01").to_parquet(data / "current.parquet", index=False)
    write_params(tmp_path)
    return tmp_path


@pytest.fixture
def tiny_model(tiny_project: Path) -> Path:
    """A skops logistic-regression pipeline trained on the tiny reference sample."""
    import skops.io as sio
    from sklearn.compose import make_column_transformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    ref = pd.read_parquet(tiny_project / "data" / "reference.parquet")
    model = make_pipeline(
        make_column_transformer(
            (OneHotEncoder(handle_unknown="ignore"), ["region"]),
            (make_pipeline(SimpleImputer(), StandardScaler()), ["income", "utilisation", "enquiries"]),
        ),
        LogisticRegression(max_iter=500),
    ).fit(ref[FEATURES], ref["default"])
    path = tiny_project / "models" / "model.skops"
    path.parent.mkdir()
    sio.dump(model, path)
    return path


def write_variant(folder: Path, raw: dict, name: str, *edits) -> Path:
    """A copy of the parameter mapping ``raw`` changed by each ``edit(raw)``, written to ``folder/name``."""
    raw = copy.deepcopy(raw)
    for edit in edits:
        if edit is not None:
            edit(raw)
    path = folder / name
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return path


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on now (for servers the tests start, or
    for a server that must not answer)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
