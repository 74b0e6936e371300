"""The explainability analysis on a small demo build: additivity, explainer choice, reasons, bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from mrmkit.errors import InvalidParameters
from mrmkit.io import load_inputs
from mrmkit.params import load_parameters
from mrmkit.workbooks import explainability as xb
from mrmkit.workbooks.context import load_context, preflight
from tests.conftest import write_variant

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from mrmkit.demo import build_demo

    root = tmp_path_factory.mktemp("xb")
    build = build_demo(root, n_reference=4000, n_per_window=1500, n_windows=3)
    raw = yaml.safe_load(build.parameters.read_text())
    raw["explainability"].update(
        sample_size=300, background_size=50, lime_samples=500, lime_seeds=2, n_counterfactuals=5
    )
    return build, raw


def _params(demo, name: str, edit=None) -> Path:
    return write_variant(demo[0].out_dir, demo[1], name, edit)


def _evidence(path: Path) -> xb.ExplainEvidence:
    params = load_parameters(path)
    preflight(params, load_inputs(params), ["explainability"])
    return xb.analyse(load_context(params.model_dump(mode="json")))


@pytest.fixture(scope="module")
def evidence(demo):
    return _evidence(_params(demo, "base.yaml"))


def test_explanations_add_up_and_the_explainer_is_recorded(evidence) -> None:
    metrics = evidence.metrics()
    assert metrics["shap"]["additivity_max_abs_error"] < 1e-6  # contract key
    assert evidence.models["champion"]["explainer"] == "LinearExplainer"
    assert evidence.models["challenger"]["explainer"] == "TreeExplainer"
    assert all(m["output_space"] == "log-odds" for m in evidence.models.values())
    for model, expl in evidence.shap.items():
        total = expl.base_value + np.asarray(expl.values).sum(axis=1)
        np.testing.assert_allclose(total, expl.output, atol=1e-6, err_msg=model)


def test_reasons_name_model_features_pushing_towards_decline(demo, evidence) -> None:
    build = demo[0]
    table = demo[1]["explainability"]["reason_codes"]
    rc = evidence.reasons["champion"]["result"]
    assert set(rc.reasons["feature"]) <= set(build.features)
    assert (rc.reasons["contribution"] > 0).all()
    assert set(rc.reasons["code"]) <= {v["code"] for v in table.values()}
    assert rc.reasons.groupby("id")["rank"].max().max() <= 4
    assert rc.frequency["share_of_reasons"].sum() == pytest.approx(1.0)


def test_local_explanations_cover_named_and_notable_applications(demo) -> None:
    def named(raw):
        raw["explainability"]["ids"] = ["A0004100"]

    ev = _evidence(_params(demo, "named.yaml", named))
    assert ev.local["champion"]["ids"][0] == "A0004100"
    assert len(ev.local["champion"]["ids"]) >= 1 + 3  # named, plus the highest-risk and near-cutoff ones
    entry = ev.models["champion"]["local"]["A0004100"]
    assert set(entry) == {"shap", "lime", "agreement"} and 0 <= entry["agreement"]["overlap_share"] <= 1


def test_scores_only_mode_says_why_it_cannot_run(demo) -> None:
    def scores_only(raw):
        raw["model"].pop("artifact")
        raw["challenger"].pop("artifact")

    ev = _evidence(_params(demo, "scores_only.yaml", scores_only))
    assert not ev.applicable and "scores-only mode" in ev.reason
    assert ev.metrics()["shap"]["additivity_max_abs_error"] is None
    assert ev.findings[0]["title"] == "Explainability not evidenced"


@pytest.mark.parametrize(
    ("edit", "fragment"),
    [
        (lambda raw: raw["explainability"]["reason_codes"].pop("bureau_score"), "the table lacks bureau_score"),
        (
            lambda raw: raw["explainability"]["reason_codes"].update(salary={"code": "X", "statement": "y"}),
            "salary are not model features",
        ),
        (lambda raw: raw["explainability"]["actionable"].update(region=[0, 1]), "region are categorical"),
        (lambda raw: raw["explainability"].update(ids=["NOPE"]), "NOPE not found"),
    ],
)
def test_bad_parameters_are_caught_before_running(demo, edit, fragment) -> None:
    with pytest.raises(InvalidParameters, match=fragment):
        _evidence(_params(demo, "bad.yaml", edit))
