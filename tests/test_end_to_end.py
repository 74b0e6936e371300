"""Papermill runs of the drift workbook on a tiny project: the package, its metrics, HTML and integrity."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from typer.testing import CliRunner

from mrmkit.cli import app
from mrmkit.compare import read_metrics
from mrmkit.evidence.manifest import verify_package
from mrmkit.present.render import external_references
from tests.conftest import write_params

pytestmark = pytest.mark.slow
runner = CliRunner()


def _run(params: Path, out: Path, *extra: str):
    result = runner.invoke(app, ["run", str(params), "--out", str(out), *extra], catch_exceptions=False)
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    return result, Path(lines[-1]) if lines else None


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """One run of the tiny project; a category name carrying HTML tests escaping."""
    import numpy as np

    from tests.conftest import make_frame

    root = tmp_path_factory.mktemp("e2e")
    rng = np.random.default_rng(20261123)
    (root / "data").mkdir()
    make_frame(rng, 3000, 0.0, "2024-01-01").to_parquet(root / "data" / "reference.parquet", index=False)
    current = make_frame(rng, 2000, 0.15, "2025-01-01")
    current.loc[:199, "region"] = "<script>alert('x')</script>"
    current.to_parquet(root / "data" / "current.parquet", index=False)
    params = write_params(root)
    result, package = _run(params, root / "out")
    assert result.exit_code == 0, result.output
    return root, params, package


def test_package_layout_and_manifest(published) -> None:
    root, params, package = published
    assert package.parent.parent == root / "out" / "tiny-pd"
    assert package.parent.name == "1.0"
    for name in (
        "manifest.json",
        "parameters.yaml",
        "metrics.json",
        "metrics.schema.json",
        "environment.txt",
        "notebooks/drift.ipynb",
        "reports/drift.html",
        "reports/index.html",
    ):
        assert (package / name).is_file(), name
    manifest = json.loads((package / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert manifest["workbooks"] == {"drift": {"status": "complete", "error": None}}
    assert set(manifest["inputs"]) == {"parameters", "data.reference", "data.current", "notebooks.drift"}
    assert manifest["seeds"] == {"seed": 7}
    assert manifest["environment"]["packages"]["pandas"] == pd.__version__
    assert not (root / "out" / ".staging").exists()
    assert verify_package(package).intact


def test_metrics_have_the_documented_keys(published) -> None:
    _, _, package = published
    stored = json.loads((package / "metrics.json").read_text())["drift"]
    assert stored["grade"]["psi_table"] == {
        "$table": "tables/drift.grade.psi_table.parquet",
        "rows": stored["grade"]["psi_table"]["rows"],
    }
    metrics = read_metrics(package)["drift"]  # the tables read back from tables/*.parquet
    features = metrics["features"]
    assert set(features) == {"income", "utilisation", "enquiries", "region"}
    assert features["utilisation"]["status"] in ("amber", "red")
    for key in (
        "psi",
        "ks_statistic",
        "ks_p_value",
        "wasserstein",
        "wasserstein_normed",
        "js_distance",
        "p_value_adjusted",
        "psi_table",
    ):
        assert key in features["income"], key
    assert features["region"]["chi2_df"] >= 3
    assert metrics["quality"]["features"]["region"]["unseen_share"] == pytest.approx(0.1)
    assert metrics["score"]["source"] == "column"
    assert metrics["grade"]["psi_status"] in ("green", "amber", "red") and len(metrics["grade"]["psi_table"]) >= 3
    assert len(metrics["windows"]) == 6  # 180 days from 2025-01-01: January to June
    assert sum(w["n"] for w in metrics["windows"].values()) == 2000
    assert metrics["settings"]["p_value_adjustment"] == "holm"
    assert metrics["findings"] and all(f["workbook"] == "drift" for f in metrics["findings"])


def test_the_package_carries_the_json_schema_its_metrics_validate_against(published) -> None:
    import jsonschema

    from mrmkit import evidence

    _, _, package = published
    manifest = json.loads((package / "manifest.json").read_text())
    assert "metrics.schema.json" in manifest["files"]  # hashed like every file: an edit is seen by verify
    schema = json.loads((package / "metrics.schema.json").read_text())
    stored = json.loads((package / "metrics.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(stored)
    assert evidence.validate(stored) == [] and evidence.validate(read_metrics(package)) == []
    stored["drift"]["summary"]["n_featurez"] = 1  # the schema is not vacuous
    assert not jsonschema.Draft202012Validator(schema).is_valid(stored)


def test_reports_are_offline_and_escape_data(published) -> None:
    _, _, package = published
    for html in (package / "reports").glob("*.html"):
        text = html.read_text()
        assert external_references(text) == [], html.name
        assert "<script>alert(" not in text, f"unescaped data in {html.name}"
    index = (package / "reports" / "index.html").read_text()
    assert "tiny-pd" in index and 'href="drift.html"' in index
    assert "Feature Utilisation has shifted" in index  # the column by its label
    drift = (package / "reports" / "drift.html").read_text()
    assert "&lt;script&gt;alert(" in drift  # the unseen category is shown, escaped
    assert "ctx = load_context(params, profile_store)" not in drift  # code hidden


def test_executed_notebook_holds_the_outputs(published) -> None:
    _, _, package = published
    nb = nbformat.read(str(package / "notebooks" / "drift.ipynb"), as_version=4)
    images = sum(1 for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {}))
    assert images >= 4  # PSI bars, distributions, score distribution, heat map


def test_same_inputs_give_byte_identical_metrics(published) -> None:
    root, params, package = published
    result, second = _run(params, root / "out")
    assert result.exit_code == 0
    assert second != package
    assert (second / "metrics.json").read_bytes() == (package / "metrics.json").read_bytes()
    # the second run into the same folder reused the first run's reference profiles from <out>/.profiles
    first_profiles = json.loads((package / "manifest.json").read_text())["reference_profiles"]
    second_profiles = json.loads((second / "manifest.json").read_text())["reference_profiles"]
    n_columns = len(json.loads((package / "metrics.json").read_text())["drift"]["features"]) + 1  # and the score
    assert first_profiles["drift"]["counts"]["built"] == n_columns
    assert second_profiles["drift"]["counts"] == {
        "built": 0,
        "loaded": n_columns,
        "reused": 0,
        "rebuilt": 0,
        "not_stored": 0,
    }
    assert first_profiles["store"] == str((root / "out" / ".profiles").resolve())
    listing = runner.invoke(app, ["list", str(root / "out")])
    assert listing.exit_code == 0
    assert listing.stdout.count("tiny-pd") == 2 and "complete" in listing.stdout


@pytest.mark.parametrize("change", ["alter", "add", "remove"])
def test_verify_names_any_changed_file(published, tmp_path: Path, change: str) -> None:
    _, _, package = published
    copy = tmp_path / "pkg"
    shutil.copytree(package, copy)
    if change == "alter":
        (copy / "reports" / "drift.html").write_text("forged")
        expected = "altered: reports/drift.html"
    elif change == "add":
        (copy / "notebooks" / "extra.ipynb").write_text("{}")
        expected = "extra:   notebooks/extra.ipynb"
    else:
        (copy / "metrics.json").unlink()
        expected = "missing: metrics.json"
    result = runner.invoke(app, ["verify", str(copy)])
    assert result.exit_code == 1
    assert expected in result.stdout
    ok = runner.invoke(app, ["verify", str(package)])
    assert ok.exit_code == 0 and "intact" in ok.stdout


def test_fail_on_red_exits_3(published) -> None:
    root, params, _ = published
    result, package = _run(params, root / "out-red", "--fail-on", "red")
    assert result.exit_code == 3
    assert package is not None and verify_package(package).intact


def test_failing_workbook_publishes_a_failed_package(published, tmp_path: Path, monkeypatch) -> None:
    root, params, _ = published
    broken = tmp_path / "notebooks"
    broken.mkdir()
    nb = nbformat.read(str(Path(__file__).resolve().parents[1] / "notebooks" / "drift.ipynb"), as_version=4)
    nb.cells.insert(3, nbformat.v4.new_code_cell("raise RuntimeError('deliberate failure for the test')"))
    nbformat.write(nb, str(broken / "drift.ipynb"))
    monkeypatch.setenv("MRMKIT_NOTEBOOKS", str(broken))
    result, package = _run(params, root / "out-failed")
    assert result.exit_code == 1
    manifest = json.loads((package / "manifest.json").read_text())
    assert manifest["status"] == "failed"
    assert "deliberate failure" in manifest["workbooks"]["drift"]["error"]
    executed = nbformat.read(str(package / "notebooks" / "drift.ipynb"), as_version=4)
    assert any(o.get("output_type") == "error" for c in executed.cells for o in c.get("outputs", []))
    assert verify_package(package).intact
    assert "FAILED" in (package / "reports" / "index.html").read_text()


@pytest.mark.parametrize("where", ["recorder", "runner"])
def test_refused_metrics_publish_a_failed_workbook(published, tmp_path: Path, monkeypatch, where) -> None:
    """An undeclared key is a bug of mrmkit's: the recorder refuses it in the notebook, or (past a recorder
    that did not check) the runner refuses what it reads back; either way the package is published, the
    workbook failed with the key named, and metrics.json holds only validated metrics (none, when the
    runner refused them; the ones recorded before, when the recorder refused the later ones)."""
    from mrmkit import evidence

    root, params, _ = published
    folder = tmp_path / "notebooks"
    folder.mkdir()
    nb = nbformat.read(str(Path(__file__).resolve().parents[1] / "notebooks" / "drift.ipynb"), as_version=4)
    record = (
        "from mrmkit.evidence import scrap\nscrap.record('metrics', {'summary': {'n_featurez': 1}}, workbook='drift')"
        if where == "recorder"
        else "import scrapbook\nscrapbook.glue('metrics', {'summary': {'n_featurez': 1}}, encoder='json')"
    )
    nb.cells.append(nbformat.v4.new_code_cell(record))
    nbformat.write(nb, str(folder / "drift.ipynb"))
    monkeypatch.setenv("MRMKIT_NOTEBOOKS", str(folder))
    with pytest.warns(evidence.EvidenceWarning, match="drift.summary.n_featurez: not in the schema"):
        result, package = _run(params, root / f"out-refused-{where}")
    assert result.exit_code == 1
    manifest = json.loads((package / "manifest.json").read_text())
    assert manifest["status"] == "failed"
    error = manifest["workbooks"]["drift"]["error"]
    assert error.startswith("InvalidEvidence: the drift workbook recorded metrics") and "n_featurez" in error
    stored = json.loads((package / "metrics.json").read_text())
    assert evidence.validate(stored) == []
    if where == "runner":
        assert stored == {"drift": {}}
    else:  # the notebook's analysis had recorded valid metrics before the refused record
        assert stored["drift"]["summary"]["n_features"] == 4
    assert verify_package(package).intact
