"""Data files, columns, targets, scores and model artifacts: each bad input is one clear sentence."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mrmkit.errors import InvalidInput
from mrmkit.io import load_inputs
from mrmkit.params import load_parameters
from tests.conftest import write_params

# SimpleImputer keeps a numpy dtype, which skops does not trust by default.
SKLEARN_TYPES = ["numpy.dtype"]


def _inputs(folder: Path, **overrides):
    return load_inputs(load_parameters(write_params(folder, **overrides)))


def _rewrite(folder: Path, name: str, change) -> None:
    path = folder / "data" / f"{name}.parquet"
    frame = pd.read_parquet(path)
    result = change(frame)
    (frame if result is None else result).to_parquet(path, index=False)


def test_good_scores_only_inputs(tiny_project: Path) -> None:
    inputs = _inputs(tiny_project)
    assert inputs.features == ("income", "utilisation", "enquiries", "region")
    assert inputs.categorical == ("region",)
    assert inputs.score_source == "column"
    assert inputs.reference_target.dtype == np.int8
    assert set(np.unique(inputs.current_target)) <= {0, 1}


def test_default_features_are_the_unnamed_columns(tiny_project: Path) -> None:
    inputs = _inputs(tiny_project, data__features=None, data__categorical=[])
    assert inputs.features == ("income", "utilisation", "enquiries", "region")
    assert inputs.categorical == ("region",)  # text columns are categorical even when not listed


def test_missing_data_file(tiny_project: Path) -> None:
    with pytest.raises(InvalidInput, match=r"data.current: data file .*nope.parquet does not exist"):
        _inputs(tiny_project, data__current="data/nope.parquet")


def test_not_a_data_file(tiny_project: Path) -> None:
    (tiny_project / "data" / "notes.txt").write_text("hello")
    with pytest.raises(InvalidInput, match=r"data.reference: .*notes.txt is not a data file mrmkit reads"):
        _inputs(tiny_project, data__reference="data/notes.txt")
    (tiny_project / "data" / "fake.parquet").write_text("this is not parquet")
    with pytest.raises(InvalidInput, match=r"data.reference: .*fake.parquet cannot be read as parquet"):
        _inputs(tiny_project, data__reference="data/fake.parquet")
    (tiny_project / "data" / "folder.parquet").mkdir()
    with pytest.raises(InvalidInput, match="is not a file"):
        _inputs(tiny_project, data__reference="data/folder.parquet")


def test_no_rows(tiny_project: Path) -> None:
    frame = pd.read_parquet(tiny_project / "data" / "current.parquet").iloc[:0]
    frame.to_parquet(tiny_project / "data" / "empty.parquet", index=False)
    with pytest.raises(InvalidInput, match=r"data.current: data file .*empty.parquet has no rows"):
        _inputs(tiny_project, data__current="data/empty.parquet")
    (tiny_project / "data" / "empty.csv").write_text("a,b\n")
    with pytest.raises(InvalidInput, match="has no rows"):
        _inputs(tiny_project, data__current="data/empty.csv")


def test_missing_column_names_the_existing_ones(tiny_project: Path) -> None:
    _rewrite(tiny_project, "current", lambda f: f.drop(columns=["utilisation"]))
    with pytest.raises(InvalidInput) as info:
        _inputs(tiny_project)
    message = str(info.value)
    assert "data.features: column 'utilisation' not found in" in message
    assert "current.parquet" in message and "its columns are: app_id, app_date, income" in message


def test_missing_target_column(tiny_project: Path) -> None:
    with pytest.raises(InvalidInput, match="data.target: column 'dflt' not found"):
        _inputs(tiny_project, data__target="dflt")


def test_target_not_binary(tiny_project: Path) -> None:
    _rewrite(tiny_project, "reference", lambda f: f.__setitem__("default", f["default"] * 2))
    with pytest.raises(InvalidInput, match=r"data.target: .* must be binary \(0/1\); found values '0', '2'"):
        _inputs(tiny_project)


def test_target_with_missing_values(tiny_project: Path) -> None:
    _rewrite(
        tiny_project, "reference", lambda f: f.__setitem__("default", f["default"].astype(float).where(f.index > 0))
    )
    with pytest.raises(InvalidInput, match="data.target: .* has 1 missing values"):
        _inputs(tiny_project)


def test_scores_outside_unit_interval(tiny_project: Path) -> None:
    _rewrite(tiny_project, "current", lambda f: f.__setitem__("score", f["score"] * 100))
    with pytest.raises(
        InvalidInput, match=r"data.score: scores from column 'score' of .* must be probabilities in \[0, 1\]"
    ):
        _inputs(tiny_project)


def test_missing_scores(tiny_project: Path) -> None:
    _rewrite(tiny_project, "current", lambda f: f.__setitem__("score", f["score"].where(f.index > 2)))
    with pytest.raises(InvalidInput, match="data.score: .* 3 missing or infinite values"):
        _inputs(tiny_project)


def test_text_scores(tiny_project: Path) -> None:
    _rewrite(tiny_project, "current", lambda f: f.__setitem__("score", "high"))
    with pytest.raises(InvalidInput, match="data.score: scores from .* are not numbers"):
        _inputs(tiny_project)


def test_dates_that_are_not_dates(tiny_project: Path) -> None:
    _rewrite(tiny_project, "current", lambda f: f.__setitem__("app_date", "soon"))
    with pytest.raises(InvalidInput, match="data.time: column 'app_date' .* not ISO 8601 dates"):
        _inputs(tiny_project)


def test_model_artifact_scores_the_data(tiny_project: Path, tiny_model: Path) -> None:
    inputs = _inputs(tiny_project, model__artifact="models/model.skops", model__trusted_types=SKLEARN_TYPES)
    assert inputs.score_source == "artifact"
    assert inputs.current_score.shape == (2000,)
    assert ((inputs.current_score > 0) & (inputs.current_score < 1)).all()


def test_model_artifact_that_does_not_load(tiny_project: Path) -> None:
    (tiny_project / "models").mkdir()
    (tiny_project / "models" / "broken.skops").write_bytes(b"not a zip file")
    with pytest.raises(InvalidInput, match=r"model.artifact: .*broken.skops is not a readable skops file"):
        _inputs(tiny_project, model__artifact="models/broken.skops")
    with pytest.raises(InvalidInput, match=r"model.artifact: model artifact .*absent.skops does not exist"):
        _inputs(tiny_project, model__artifact="models/absent.skops")


def test_skops_with_untrusted_types_is_refused_until_listed(tiny_project: Path) -> None:
    import lightgbm as lgb
    import skops.io as sio

    ref = pd.read_parquet(tiny_project / "data" / "reference.parquet")
    model = lgb.LGBMClassifier(n_estimators=5, verbose=-1).fit(
        ref[["income", "utilisation", "enquiries"]], ref["default"]
    )
    (tiny_project / "models").mkdir()
    sio.dump(model, tiny_project / "models" / "gbm.skops")
    features = ["income", "utilisation", "enquiries"]
    with pytest.raises(
        InvalidInput, match=r"contains types that are not trusted: .*lightgbm.*list them under model.trusted_types"
    ):
        _inputs(tiny_project, model__artifact="models/gbm.skops", data__features=features, data__categorical=[])
    trusted = sio.get_untrusted_types(file=tiny_project / "models" / "gbm.skops")
    inputs = _inputs(
        tiny_project,
        model__artifact="models/gbm.skops",
        model__trusted_types=trusted,
        data__features=features,
        data__categorical=[],
    )
    assert inputs.score_source == "artifact"


def test_model_that_cannot_score_the_data(tiny_project: Path, tiny_model: Path) -> None:
    _rewrite(tiny_project, "current", lambda f: f.__setitem__("income", "lots"))
    with pytest.raises(InvalidInput, match="model.artifact: the model could not score"):
        _inputs(tiny_project, model__artifact="models/model.skops", model__trusted_types=SKLEARN_TYPES)


def test_trusted_pickle_loads_and_scores(tiny_project: Path, tiny_model: Path) -> None:
    import skops.io as sio

    model = sio.load(tiny_model, trusted=SKLEARN_TYPES)
    with open(tiny_project / "models" / "model.pkl", "wb") as handle:
        pickle.dump(model, handle)
    inputs = _inputs(tiny_project, model__artifact="models/model.pkl", model__trusted=True)
    assert inputs.score_source == "artifact"


def test_inputs_are_not_modified_on_disk(tiny_project: Path) -> None:
    before = (tiny_project / "data" / "current.parquet").read_bytes()
    _inputs(tiny_project)
    assert (tiny_project / "data" / "current.parquet").read_bytes() == before
