"""Exposure and LGD (``data.exposure``, ``data.lgd``) reach the champion-challenger's business losses.

The portfolio below is built so that the answer depends on them: the champion gives its small loans a high PD
and its large loans a low one, the challenger the reverse. Counted per loan (exposure 1, LGD 1) the
challenger's expected loss among the approved is lower; weighted by exposure it is higher. The expected
values are computed here with numpy from the definition (sum over the approved of PD x LGD x EAD).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from mrmkit.errors import InvalidInput, InvalidParameters
from mrmkit.params import load_parameters
from mrmkit.workbooks import champion_challenger as cc
from mrmkit.workbooks.context import load_context

CUTOFF = 0.10
LGD = 0.45


def _portfolio(seed: int = 3, n: int = 600) -> pd.DataFrame:
    """Small loans (100) and large loans (10,000); one in six applicants is declined by both models."""
    rng = np.random.default_rng(seed)
    large = np.arange(n) % 2 == 1
    declined = np.arange(n) % 6 == 0
    champion = np.where(large, 0.01, 0.09) + rng.uniform(-0.005, 0.005, n)
    challenger = np.where(large, 0.05, 0.02) + rng.uniform(-0.005, 0.005, n)
    champion[declined], challenger[declined] = 0.30, 0.35
    default = (rng.uniform(size=n) < np.where(declined, 0.3, 0.05)).astype(int)
    return pd.DataFrame(
        {
            "id": [f"a{i:04d}" for i in range(n)],
            "x": rng.normal(size=n),
            "default": default,
            "champion_pd": champion,
            "challenger_pd": challenger,
            "ead": np.where(large, 10_000.0, 100.0),
            "lgd_col": np.where(large, 0.6, 0.2),
        }
    )


def _raw(folder: Path, **data) -> dict:
    frame = _portfolio()
    frame.to_parquet(folder / "current.parquet")
    frame.to_parquet(folder / "reference.parquet")
    return {
        "model": {"id": "el-test", "version": "1"},
        "challenger": {"score": "challenger_pd"},
        "data": {
            "reference": "reference.parquet",
            "current": "current.parquet",
            "id": "id",
            "target": "default",
            "score": "champion_pd",
            "features": ["x"],
            **data,
        },
        "policy": {"cutoff": CUTOFF},
        "champion_challenger": {"n_bootstrap": 200},
    }


def _write(folder: Path, raw: dict) -> Path:
    path = folder / "params.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False))
    return path


def _evidence(path: Path) -> cc.ChallengerEvidence:
    return cc.analyse(load_context(params_file=path, workbook="champion_challenger"))


def _losses(evidence: cc.ChallengerEvidence, key: str = "business") -> dict[str, dict]:
    return {m["metric"]: m for m in evidence.offline[key]["metrics"]}


def test_exposure_and_lgd_turn_the_expected_loss_comparison(tmp_path: Path) -> None:
    frame = _portfolio()
    ev = _evidence(_write(tmp_path, _raw(tmp_path, exposure="ead", lgd=LGD)))
    losses = _losses(ev)
    a, b = frame["champion_pd"].to_numpy(), frame["challenger_pd"].to_numpy()
    money = frame["ead"].to_numpy() * LGD
    for model, scores in (("value_a", a), ("value_b", b)):
        approved = scores <= CUTOFF
        assert losses["expected_loss_approved"][model] == pytest.approx(np.sum(scores[approved] * money[approved]))
        observed = np.sum(frame["default"].to_numpy()[approved] * money[approved])
        assert losses["observed_loss_approved"][model] == pytest.approx(observed)
    # with exposure and LGD the challenger loses more; per unit of exposure it would have looked better
    assert losses["expected_loss_approved"]["difference"] > 0
    unit = _losses(_evidence(_write(tmp_path, _raw(tmp_path))))
    assert unit["expected_loss_approved"]["difference"] < 0
    assert ev.settings["exposure"] == "column ead" and ev.settings["lgd"] == "0.45"
    assert ev.offline["business_matched"]["exposure"] == "given"


def test_an_lgd_column_is_read_per_loan(tmp_path: Path) -> None:
    frame = _portfolio()
    ev = _evidence(_write(tmp_path, _raw(tmp_path, exposure="ead", lgd="lgd_col")))
    approved = frame["challenger_pd"].to_numpy() <= CUTOFF
    money = (frame["ead"] * frame["lgd_col"]).to_numpy()
    expected = np.sum(frame["challenger_pd"].to_numpy()[approved] * money[approved])
    assert _losses(ev)["expected_loss_approved"]["value_b"] == pytest.approx(expected)
    assert ev.settings["lgd"] == "column lgd_col"


def test_without_exposure_the_settings_say_per_unit_of_exposure(tmp_path: Path) -> None:
    ev = _evidence(_write(tmp_path, _raw(tmp_path)))
    assert "per unit of exposure" in ev.settings["exposure"]
    assert ev.settings["lgd"] == "1 (data.lgd not given)"
    approved = _portfolio()["champion_pd"].to_numpy() <= CUTOFF
    assert _losses(ev)["expected_loss_approved"]["value_a"] == pytest.approx(
        _portfolio()["champion_pd"].to_numpy()[approved].sum()
    )


def test_the_former_place_in_backtest_stress_is_read_as_data(tmp_path: Path) -> None:
    raw = _raw(tmp_path)
    stress = {"scenarios": [{"name": "s", "shocks": [{"feature": "x", "add": 1}]}], "exposure": "ead", "lgd": 0.3}
    raw["backtest"] = {"stress": stress}
    path = _write(tmp_path, raw)
    # a file written for earlier versions: its exposure and LGD now reach the business comparison too
    assert _losses(_evidence(path))["expected_loss_approved"]["difference"] > 0
    assert (load_parameters(path).data.exposure, load_parameters(path).data.lgd) == ("ead", 0.3)
    raw["data"]["exposure"] = "ead"
    with pytest.raises(InvalidParameters, match=r"backtest\.stress\.exposure: .*data\.exposure, which is also given"):
        load_parameters(_write(tmp_path, raw))


@pytest.mark.parametrize(
    ("data", "error", "fragment"),
    [
        ({"lgd": 1.5}, InvalidParameters, r"data\.lgd: a loss given default is a share between 0 and 1"),
        ({"exposure": "nope"}, InvalidInput, r"data\.exposure: column 'nope' not found in .*current\.parquet"),
        ({"exposure": "id"}, InvalidInput, r"data\.exposure: column 'id' in .*current\.parquet has 600 values"),
        ({"lgd": "ead"}, InvalidInput, r"data\.lgd: column 'ead' .* not a number between 0 and 1"),
    ],
)
def test_bad_exposure_or_lgd_is_one_sentence_naming_the_field(tmp_path: Path, data, error, fragment) -> None:
    with pytest.raises(error, match=fragment):
        load_context(params_file=_write(tmp_path, _raw(tmp_path, **data)), workbook="champion_challenger")


def test_a_classifier_or_a_var_engine_refuses_exposure(tmp_path: Path) -> None:
    raw = _raw(tmp_path, exposure="ead")
    raw["model"]["kind"] = "classifier"
    raw["policy"] = {"alert_rate": 0.1}
    with pytest.raises(
        InvalidParameters, match=r"data\.exposure: concerns PD models .*\(this model is kind classifier\)"
    ):
        load_parameters(_write(tmp_path, raw))
    var = {
        "model": {"id": "v", "version": "1", "kind": "var"},
        "data": {"lgd": 0.4},
        "backtest": {"var": {"data": "current.parquet", "levels": {"x": 0.99}}},
    }
    with pytest.raises(InvalidParameters, match=r"data\.lgd: .*\(this model is kind var\); remove data\.lgd"):
        load_parameters(_write(tmp_path, var))
