"""Bad input through the command line: one sentence naming file and field, exit 2, no package, no traceback."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from mrmkit.cli import app
from tests.conftest import write_params

runner = CliRunner()


def _run(args: list[str]):
    return runner.invoke(app, args, catch_exceptions=False)


def _assert_user_error(result, out: Path, *fragments: str) -> None:
    assert result.exit_code == 2, result.output
    text = result.stderr if hasattr(result, "stderr") else result.output
    assert "Traceback" not in result.output and "Traceback" not in text
    for fragment in fragments:
        assert fragment in " ".join(text.split()), text
    published = [p for p in out.rglob("manifest.json")] if out.exists() else []
    assert published == []
    assert not (out / ".staging").exists() or not any((out / ".staging").iterdir())


def test_missing_parameter_file(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = _run(["run", str(tmp_path / "absent.yaml"), "--out", str(out)])
    _assert_user_error(result, out, "absent.yaml does not exist")
    assert not out.exists()


def test_yaml_syntax_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("model: {id: x\n")
    out = tmp_path / "out"
    _assert_user_error(_run(["run", str(bad), "--out", str(out)]), out, "bad.yaml: YAML syntax error at line")


@pytest.mark.parametrize(
    ("overrides", "fragments"),
    [
        ({"data__nonsense": 1}, ["unknown key 'data.nonsense'"]),
        ({"drift": {"bins": 10, "extra": 1}}, ["unknown key 'drift.extra'"]),
        ({"data__current": "data/absent.parquet"}, ["data.current: data file", "absent.parquet does not exist"]),
        ({"data__reference": "../escape.parquet"}, ["data.reference", "outside the folders"]),
        (
            {"data__features": ["income", "region", "salary"]},
            ["data.features: column 'salary' not found", "its columns are"],
        ),
        ({"data__target": "app_id"}, ["data.target", "must be binary (0/1)"]),
        (
            {"data__score": "income", "data__features": ["utilisation", "enquiries", "region"]},
            ["data.score", "must be probabilities in [0, 1]"],
        ),
        ({"model__artifact": "models/m.pkl"}, ["pickle artifact can run arbitrary code"]),
        ({"model__artifact": "models/absent.skops"}, ["model.artifact: model artifact", "does not exist"]),
        ({"drift": None}, ["no workbook is enabled"]),
    ],
)
def test_bad_input_is_one_sentence_and_exit_2(tiny_project: Path, overrides, fragments) -> None:
    params = write_params(tiny_project, **overrides)
    out = tiny_project / "out"
    _assert_user_error(_run(["run", str(params), "--out", str(out)]), out, *fragments)


def test_data_file_that_is_not_data(tiny_project: Path) -> None:
    (tiny_project / "data" / "current.parquet").write_text("id,score\n1,0.5\n")
    out = tiny_project / "out"
    result = _run(["run", str(tiny_project / "params.yaml"), "--out", str(out)])
    _assert_user_error(result, out, "data.current:", "cannot be read as parquet")


def test_scores_missing(tiny_project: Path) -> None:
    path = tiny_project / "data" / "current.parquet"
    frame = pd.read_parquet(path)
    frame.loc[0, "score"] = None
    frame.to_parquet(path, index=False)
    out = tiny_project / "out"
    _assert_user_error(
        _run(["run", str(tiny_project / "params.yaml"), "--out", str(out)]), out, "1 missing or infinite"
    )


def test_unknown_workbook_option(tiny_project: Path) -> None:
    out = tiny_project / "out"
    result = _run(["run", str(tiny_project / "params.yaml"), "--workbooks", "drift,astrology", "--out", str(out)])
    _assert_user_error(result, out, "unknown workbook 'astrology'")


def test_unwritable_output_folder(tiny_project: Path) -> None:
    blocker = tiny_project / "out"
    blocker.write_text("a file where a folder should be")
    result = _run(["run", str(tiny_project / "params.yaml"), "--out", str(blocker / "sub")])
    assert result.exit_code == 2
    assert "--out: cannot write to" in result.output


def test_verify_and_list_on_non_packages(tmp_path: Path) -> None:
    result = _run(["verify", str(tmp_path)])
    assert result.exit_code == 1 and "not a package" in result.output and "has no manifest.json" in result.output
    result = _run(["list", str(tmp_path / "none")])
    assert result.exit_code == 2 and "is not a folder of evidence packages" in result.output
    result = _run(["list", str(tmp_path)])
    assert result.exit_code == 0 and "no evidence packages" in result.output
