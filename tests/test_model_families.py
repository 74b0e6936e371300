"""Issue 13: any estimator with predict_proba gets explanations, through all four workbooks.

Each family is trained on the demo's reference sample and given as both the champion (``model.artifact``)
and the challenger; drift, backtest, champion-challenger and explainability are analysed as the notebooks
do. The model-agnostic explainers are checked for additivity, and the permutation importance of a model
with no importance of its own against a hand computation of its definition.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from mrmkit import explain
from mrmkit.errors import InvalidParameters
from mrmkit.io import load_inputs
from mrmkit.params import load_parameters
from mrmkit.workbooks import backtest, champion_challenger, drift, explainability
from mrmkit.workbooks.context import load_context, preflight
from tests.conftest import write_variant
from tests.model_zoo import PredictOnly, ScoreFunction

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from mrmkit.demo import build_demo

    root = tmp_path_factory.mktemp("families")
    build = build_demo(root, n_reference=3000, n_per_window=800, n_windows=3)
    raw = yaml.safe_load(build.parameters.read_text())
    raw["explainability"].update(
        sample_size=50,
        background_size=10,
        lime_samples=300,
        lime_seeds=2,
        n_counterfactuals=2,
        n_highest_risk=1,
        n_near_cutoff=1,
    )
    raw["champion_challenger"].update(n_bootstrap=100)
    return build, raw


def _preprocessing(build, scale: bool):
    from sklearn.compose import make_column_transformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    numeric = [f for f in build.features if f not in build.categorical]
    steps = [SimpleImputer(strategy="median")] + ([StandardScaler()] if scale else [])
    return make_column_transformer(
        (OneHotEncoder(handle_unknown="ignore", sparse_output=False), list(build.categorical)),
        (make_pipeline(*steps), numeric),
    )


def _family(name: str, build):
    from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline

    if name == "hist_gradient_boosting":
        return make_pipeline(_preprocessing(build, False), HistGradientBoostingClassifier(max_iter=30, random_state=0))
    if name == "random_forest":
        return make_pipeline(
            _preprocessing(build, False), RandomForestClassifier(n_estimators=20, max_depth=5, random_state=0)
        )
    if name == "mlp":
        return make_pipeline(
            _preprocessing(build, True), MLPClassifier(hidden_layer_sizes=(8,), max_iter=300, random_state=0)
        )
    raise AssertionError(name)


def _artifact(demo, name: str) -> dict:
    """The artifact section of a model of family ``name`` fitted on the reference sample (skops or trusted pickle)."""
    build = demo[0]
    ref = pd.read_parquet(build.reference)
    folder = build.out_dir / "models"
    if name == "user_function":
        model = ScoreFunction(
            {"revolving_utilisation": 2.0, "num_delinquencies_12m": 0.4, "bureau_score": -0.004}, -1.0
        )
        path = folder / "user_function.pkl"
        path.write_bytes(pickle.dumps(model))
        return {"artifact": str(path), "format": "pickle", "trusted": True}
    import skops.io as sio

    model = _family(name, build).fit(ref[list(build.features)], ref["default_12m"])
    path = folder / f"{name}.skops"
    sio.dump(model, path)
    return {"artifact": str(path), "trusted_types": sorted(sio.get_untrusted_types(file=path))}


FAMILIES = ["hist_gradient_boosting", "random_forest", "mlp", "user_function"]


@pytest.mark.parametrize("family", FAMILIES)
def test_every_workbook_runs_on_the_family(demo, family: str) -> None:
    build, raw = demo
    section = _artifact(demo, family)

    def edit(params) -> None:
        params["model"] = {
            **{k: v for k, v in params["model"].items() if k not in ("artifact", "trusted_types")},
            **section,
        }
        params["challenger"] = {**section, "score": "challenger_pd"}
        params["data"].pop("score", None)  # the champion's scores come from the artifact
        params["data"].pop("grade", None)

    path = write_variant(build.out_dir, raw, f"{family}.yaml", edit)
    params = load_parameters(path)
    inputs = load_inputs(params)
    workbooks = ["drift", "backtest", "champion_challenger", "explainability"]
    preflight(params, inputs, workbooks)
    ctx = load_context(params.model_dump(mode="json"))
    assert ctx.inputs.score_source == "artifact"
    for module in (drift, backtest):
        ev = module.analyse(ctx)
        assert ev.findings and ev.metrics()
    ev = champion_challenger.analyse(ctx)  # a decision about the change, its concerns, and no finding needed
    assert ev.decision["recommendation"] in ("PROMOTE", "DO NOT PROMOTE", "INCONCLUSIVE") and ev.metrics()
    ev = explainability.analyse(ctx)
    assert ev.applicable
    for who, expl in ev.shap.items():
        total = expl.base_value + np.asarray(expl.values).sum(axis=1)
        np.testing.assert_allclose(total, expl.output, atol=1e-6, err_msg=f"{family} {who}")
    entry = ev.models["champion"]
    expected = {
        "hist_gradient_boosting": "TreeExplainer",
        "random_forest": "PermutationExplainer",
        "mlp": "PermutationExplainer",
        "user_function": "PermutationExplainer",
    }[family]
    assert entry["explainer"] == expected
    if expected == "PermutationExplainer":  # the cost of the model-agnostic explainer is recorded
        assert entry["model_evaluations"] > 0 and entry["max_evals"] == 10 * (2 * len(build.features) + 1)
    method = entry["model_importance"]["method"]
    assert (
        method
        == {
            "hist_gradient_boosting": "permutation_auc",
            "random_forest": "sklearn_impurity",
            "mlp": "permutation_auc",
            "user_function": "permutation_auc",
        }[family]
    )
    assert len(entry["model_importance"]["features"]) == len(build.features)


def test_permutation_importance_follows_its_definition() -> None:
    """Permutation importance without a target: mean |change of log-odds| when one column is shuffled.

    Hand calculation for a linear log-odds model z = 2 a + 0 b: shuffling ``a`` changes z by 2 |a_i - a_pi(i)|;
    shuffling ``b`` changes nothing, so its importance is exactly 0.
    """
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.standard_normal(400), "b": rng.standard_normal(400)})
    model = ScoreFunction({"a": 2.0, "b": 0.0}, 0.0)
    result = explain.model_importance(model, ["a", "b"], data=frame, seed=3, n_repeats=4)
    assert result.method == "permutation_log_odds" and result.features == ("a", "b")
    assert result.importance[1] == 0.0
    # scikit-learn's scheme (sklearn/inspection/_permutation_importance.py): one seed drawn from
    # RandomState(seed); per column a RandomState of it shuffles one index array in place each repeat and
    # the column, already shuffled by the previous repeats, is re-indexed by it
    seed = np.random.RandomState(3).randint(np.iinfo(np.int32).max + 1)
    column_state, index = np.random.RandomState(seed), np.arange(400)
    a, changes = frame["a"].to_numpy(), []
    shuffled = a.copy()
    for _ in range(4):
        column_state.shuffle(index)
        shuffled = shuffled[index]
        changes.append(np.mean(np.abs(2 * (a - shuffled))))
    by_hand = np.mean(changes)
    assert result.importance[0] == pytest.approx(by_hand, rel=1e-12)
    # with a target: the mean fall of the AUC; a feature the model ignores loses nothing
    y = (rng.random(400) < 1 / (1 + np.exp(-2 * frame["a"]))).astype(int)
    with_target = explain.model_importance(model, ["a", "b"], data=frame, target=y, seed=3)
    assert (
        with_target.method == "permutation_auc"
        and dict(zip(with_target.features, with_target.importance, strict=True))["b"] == 0.0
    )


def test_exact_explainer_for_few_features_equals_the_enumerated_shapley_values() -> None:
    """With at most 8 features the model-agnostic explainer is exact: against exact_shapley on one row."""
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"a": rng.standard_normal(30), "b": rng.standard_normal(30), "c": rng.standard_normal(30)})

    class Interaction:
        def predict_proba(self, x: pd.DataFrame) -> np.ndarray:
            z = x["a"].to_numpy() * x["b"].to_numpy() + 0.5 * x["c"].to_numpy()
            p = 1 / (1 + np.exp(-z))
            return np.column_stack([1 - p, p])

    model, background, row = Interaction(), frame.iloc[:10], frame.iloc[[20]]
    expl = explain.explain_shap(model, background, row, ["a", "b", "c"], [], seed=0, max_background=10)
    assert expl.explainer == "ExactExplainer" and expl.model_evaluations == 2**3 * 10

    def value(coalition: frozenset) -> float:  # interventional: features outside S from each background row
        x = background.copy()
        for f in coalition:
            x[f] = row[f].iloc[0]
        p = model.predict_proba(x)[:, 1]
        return float(np.mean(np.log(p) - np.log1p(-p)))

    exact = explain.exact_shapley(value, ["a", "b", "c"])
    np.testing.assert_allclose(np.asarray(expl.values)[0], [exact[f] for f in "abc"], atol=1e-10)


def test_a_model_without_probabilities_is_refused_before_any_workbook(demo, tmp_path: Path) -> None:
    build, raw = demo
    path = build.out_dir / "models" / "predict_only.pkl"
    path.write_bytes(pickle.dumps(PredictOnly()))

    def edit(params) -> None:
        params["challenger"] = {"artifact": str(path), "format": "pickle", "trusted": True, "score": "challenger_pd"}

    params = load_parameters(write_variant(build.out_dir, raw, "predict_only.yaml", edit))
    with pytest.raises(InvalidParameters, match="challenger.artifact: the challenger .*has no predict_proba"):
        preflight(params, load_inputs(params, ["explainability"]), ["explainability"])  # as the runner calls it
