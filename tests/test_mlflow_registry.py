"""Models in a real MLflow registry: a server from .venv-mlflow on loopback (SQLite store, proxied artifacts),
models registered with mlflow-skinny, validated with the real command line, logged back and read with
MlflowClient, re-performed after the alias moved, and every kind of bad registry input.

``make test`` builds .venv-mlflow first (full ``mlflow``, which cannot live in .venv: it would pull pyarrow
below our pin), so these tests run there; without that environment they are skipped, saying how to build it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from tests.conftest import FEATURES, free_port, make_frame, write_params

ROOT = Path(__file__).resolve().parents[1]
SERVER = Path(os.environ.get("MRMKIT_MLFLOW_SERVER", ROOT / ".venv-mlflow" / "bin" / "mlflow"))
QUIET = {
    "MLFLOW_DISABLE_TELEMETRY": "true",
    "DO_NOT_TRACK": "true",
    "MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT": "true",
    "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false",
    "MLFLOW_HTTP_REQUEST_MAX_RETRIES": "0",
}
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not SERVER.is_file() and not os.environ.get("CI"),
        reason=f"no MLflow server at {SERVER}: `make test` builds .venv-mlflow (under CI it fails)",
    ),
]
TRUSTED = ["numpy.dtype"]  # what the tiny pipeline's OneHotEncoder needs beyond skops' safe list


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory):
    """``mlflow server`` on a free loopback port with a SQLite store; stopped at the end of the session."""
    folder = tmp_path_factory.mktemp("mlflow-server")
    port = free_port()
    log = open(folder / "server.log", "wb")  # noqa: SIM115 - closed at teardown
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [
            str(SERVER),
            "server",
            "--backend-store-uri",
            f"sqlite:///{folder / 'mlflow.db'}",
            "--artifacts-destination",
            str(folder / "artifacts"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, **QUIET},
        cwd=folder,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            if proc.poll() is not None:
                pytest.fail(f"mlflow server exited: {(folder / 'server.log').read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=1) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("mlflow server did not answer /health within 60 s")
        print(f"mlflow server up in {time.perf_counter() - t0:.1f} s")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def _pipeline(reference: pd.DataFrame, c: float = 1.0):
    from sklearn.compose import make_column_transformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    return make_pipeline(
        make_column_transformer(
            (OneHotEncoder(handle_unknown="ignore"), ["region"]),
            (make_pipeline(SimpleImputer(), StandardScaler()), ["income", "utilisation", "enquiries"]),
        ),
        LogisticRegression(max_iter=500, C=c),
    ).fit(reference[FEATURES], reference["default"])


@pytest.fixture(scope="module")
def registry(mlflow_server: str, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The tiny project's data, and on the server: ``tiny-pd`` version 1 (skops, alias ``champion``, a hostile tag),
    ``tiny-pd-pickle`` version 1 (pickle) and a run holding ``model.skops`` as a plain artifact."""
    os.environ.update(QUIET)
    import mlflow
    import mlflow.sklearn
    import skops.io as sio

    folder = tmp_path_factory.mktemp("mlflow-project")
    rng = np.random.default_rng(20261123)
    (folder / "data").mkdir()
    make_frame(rng, 3000, 0.0, "2024-01-01").to_parquet(folder / "data" / "reference.parquet", index=False)
    make_frame(rng, 2000, 0.15, "2025-01-01").to_parquet(folder / "data" / "current.parquet", index=False)
    model = _pipeline(pd.read_parquet(folder / "data" / "reference.parquet"))
    mlflow.set_tracking_uri(mlflow_server)
    mlflow.set_experiment("development")
    with mlflow.start_run() as run:
        mlflow.sklearn.log_model(
            model,
            name="model",
            serialization_format="skops",
            skops_trusted_types=TRUSTED,
            registered_model_name="tiny-pd",
        )
        mlflow.sklearn.log_model(
            model, name="pickled", serialization_format="pickle", registered_model_name="tiny-pd-pickle"
        )
        sio.dump(model, folder / "model.skops")
        mlflow.log_artifact(str(folder / "model.skops"))
    client = mlflow.MlflowClient(mlflow_server)
    client.set_registered_model_alias("tiny-pd", "champion", "1")
    client.set_model_version_tag("tiny-pd", "1", "team", "<b>retail</b> & co")
    mlflow.set_tracking_uri(None)
    return {"url": mlflow_server, "folder": folder, "run_id": run.info.run_id, "client": client}


def _write(folder: Path, name: str, model: dict, **extra) -> Path:
    path = write_params(folder, model={"id": "tiny-pd", "version": "1.0", **model}, data__score=None, **extra)
    return path.rename(folder / name)


def _cli(*args: str, env: dict | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mrmkit.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "OMP_WAIT_POLICY": "PASSIVE", **(env or {})},
    )


@pytest.fixture(scope="module")
def published(registry: dict) -> dict:
    """``mrmkit run --log-to-mlflow`` on ``models:/tiny-pd@champion``: the package and the command's output."""
    folder = registry["folder"]
    params = _write(
        folder,
        "champion.yaml",
        {"artifact": "models:/tiny-pd@champion", "trusted_types": TRUSTED},
        mlflow={"experiment": "model-validation"},
        backtest={"n_grades": 5},
        policy={"cutoff": 0.1},
    )
    done = _cli(
        "run",
        str(params),
        "--out",
        str(folder / "out"),
        "--log-to-mlflow",
        env={"MLFLOW_TRACKING_URI": registry["url"]},
    )
    assert done.returncode == 0, done.stderr
    package = Path(done.stdout.strip().splitlines()[-1])
    return {"package": package, "stdout": done.stdout, "stderr": done.stderr}


def test_manifest_records_the_resolved_version_and_its_hash(registry: dict, published: dict, tmp_path: Path) -> None:
    from mrmkit.params import load_parameters
    from mrmkit.sources import registry as source

    package = published["package"]
    record = json.loads((package / "manifest.json").read_text())["inputs"]["model.artifact"]
    assert "path" not in record
    assert record["uri"] == "models:/tiny-pd@champion" and record["tracking_uri"] == registry["url"]
    meta = record["registry"]
    assert (meta["name"], meta["version"], meta["alias"], meta["aliases"]) == ("tiny-pd", "1", "champion", ["champion"])
    assert meta["run_id"] == registry["run_id"] and meta["source"].startswith("models:/")
    assert meta["tags"] == {"team": "<b>retail</b> & co"} and "sklearn" in meta["flavors"]
    assert (record["format"], record["file"]) == ("skops", "model.skops")
    # the recorded sha256 is that of the version's files, fetched again independently
    params = load_parameters(package / "parameters.yaml")
    assert params.model.artifact == "models:/tiny-pd@champion" and params.model.tracking_uri == registry["url"]
    again = source.snapshot(params, tmp_path)["model.artifact"]
    assert again["sha256"] == record["sha256"]
    assert source.folder_sha256(tmp_path / "registry" / "model.artifact") == record["sha256"]
    assert _cli("verify", str(package)).returncode == 0


def test_report_shows_the_registry_escaped(published: dict) -> None:
    html = (published["package"] / "reports" / "index.html").read_text()
    assert "<th>Registry</th><td>tiny-pd version 1 (alias champion); run id " in html
    assert "team=&lt;b&gt;retail&lt;/b&gt; &amp; co" in html and "<b>retail</b>" not in html
    assert "models:/tiny-pd@champion" in html  # the cover and the appendix of inputs


def test_logged_run_holds_the_package_metrics_tags_and_files(registry: dict, published: dict) -> None:
    from mrmkit.export.mlflow_log import headline_metrics

    client, package = registry["client"], published["package"]
    manifest = json.loads((package / "manifest.json").read_text())
    metrics = json.loads((package / "metrics.json").read_text())
    experiment = client.get_experiment_by_name("model-validation")
    (run,) = client.search_runs([experiment.experiment_id], f"tags.`mrmkit.run_id` = '{manifest['run_id']}'")
    expected = headline_metrics(metrics)
    assert expected["drift.score.psi"] == metrics["drift"]["score"]["psi"]
    auc = metrics["backtest"]["pd"]["discrimination"]["current"]["auc"]
    assert run.data.metrics["backtest.pd.discrimination.current.auc"] == auc  # both workbooks scored one snapshot
    assert "backtest.pd.calibration.hosmer_lemeshow.p_value" in run.data.metrics
    assert {k: v for k, v in run.data.metrics.items() if k != "mrmkit.red_findings"} == expected  # exactly
    assert run.data.metrics["mrmkit.red_findings"] == manifest["red_findings"]
    tags = run.data.tags
    assert tags["mrmkit.registered_model"] == "tiny-pd" and tags["mrmkit.registered_model_version"] == "1"
    assert tags["mrmkit.status"] == "complete" and tags["mrmkit.rating"] in ("green", "amber", "red")
    assert tags["mrmkit.manifest_sha256"] == manifest["manifest_sha256"]
    assert tags["mrmkit.model_uri"] == "models:/tiny-pd@champion" and tags["mrmkit.model_run_id"] == registry["run_id"]
    assert run.info.status == "FINISHED"
    files = {a.path for a in client.list_artifacts(run.info.run_id, "package")}
    assert {"package/manifest.json", "package/metrics.json", "package/reports"} <= files
    reports = {a.path for a in client.list_artifacts(run.info.run_id, "package/reports")}
    assert "package/reports/index.html" in reports
    version = client.get_model_version("tiny-pd", "1")
    assert (
        version.tags["mrmkit.run_id"] == manifest["run_id"] and version.tags["mrmkit.rating"] == tags["mrmkit.rating"]
    )
    assert version.tags["mrmkit.validation_run"] == run.info.run_id
    assert "View run" not in published["stdout"]  # stdout is the package path alone


def test_reproduce_refuses_once_the_alias_moves(registry: dict, published: dict) -> None:
    import mlflow
    import mlflow.sklearn

    package = published["package"]
    same = _cli("reproduce", str(package))
    assert same.returncode == 0, same.stdout + same.stderr
    model = _pipeline(pd.read_parquet(registry["folder"] / "data" / "reference.parquet"), c=0.01)
    mlflow.set_tracking_uri(registry["url"])
    try:
        with mlflow.start_run(experiment_id=mlflow.get_experiment_by_name("development").experiment_id):
            mlflow.sklearn.log_model(
                model,
                name="model",
                serialization_format="skops",
                skops_trusted_types=TRUSTED,
                registered_model_name="tiny-pd",
            )
    finally:
        mlflow.set_tracking_uri(None)
    registry["client"].set_registered_model_alias("tiny-pd", "champion", "2")
    moved = _cli("reproduce", str(package))
    assert moved.returncode == 1
    text = " ".join((moved.stdout + moved.stderr).split())
    assert "model.artifact (models:/tiny-pd@champion) now resolves to version 2; the run used version 1" in text


def test_pickle_flavour_needs_trusted_and_loads_when_trusted(registry: dict, tmp_path: Path) -> None:
    from mrmkit import sources
    from mrmkit.io.models import load_model
    from mrmkit.params import load_parameters

    folder = registry["folder"]
    untrusted = _write(folder, "pickle.yaml", {"artifact": "models:/tiny-pd-pickle/1", "tracking_uri": registry["url"]})
    done = _cli("run", str(untrusted), "--out", str(tmp_path / "out"))
    _assert_refused(
        done, tmp_path / "out", "model.artifact: models:/tiny-pd-pickle/1 is a pickle model", "set model.trusted: true"
    )
    trusted = _write(
        folder,
        "pickle-trusted.yaml",
        {"artifact": "models:/tiny-pd-pickle/1", "tracking_uri": registry["url"], "trusted": True},
    )
    params = load_parameters(trusted)
    records = sources.snapshot(params, tmp_path / "snap")
    assert records["model.artifact"]["format"] == "pickle"
    with sources.using(tmp_path / "snap"):
        model = load_model(params.model, "model.artifact")
    frame = pd.read_parquet(folder / "data" / "current.parquet")
    assert model.predict_proba(frame[FEATURES]).shape == (len(frame), 2)


def test_runs_uri_of_one_skops_file(registry: dict, tmp_path: Path) -> None:
    from mrmkit.io import sha256_file
    from mrmkit.io.models import load_model
    from mrmkit.params import load_parameters

    uri = f"runs:/{registry['run_id']}/model.skops"
    params = load_parameters(
        _write(
            registry["folder"], "run.yaml", {"artifact": uri, "tracking_uri": registry["url"], "trusted_types": TRUSTED}
        )
    )
    model = load_model(params.model, "model.artifact")  # outside a run: fetched directly
    assert hasattr(model, "predict_proba")
    from mrmkit.sources import registry as source

    record = source.snapshot(params, tmp_path)["model.artifact"]
    assert record["sha256"] == sha256_file(registry["folder"] / "model.skops")
    assert record["registry"]["run_id"] == registry["run_id"] and record["format"] == "skops"


def _assert_refused(done: subprocess.CompletedProcess, out: Path, *fragments: str) -> None:
    assert done.returncode == 2, done.stdout + done.stderr
    errors = [line for line in done.stderr.splitlines() if not line.startswith("mrmkit: ")]
    assert len(errors) == 1 and errors[0].startswith("error: "), done.stderr
    assert re.match(r"error: \S+\.yaml: ", errors[0]), errors[0]  # the parameter file, then the field
    for fragment in fragments:
        assert fragment in errors[0], errors[0]
    assert not list(out.rglob("manifest.json")) if out.exists() else True
    assert done.stdout == ""


@pytest.mark.parametrize(
    ("artifact", "fragments"),
    [
        ("models:/no-such-model/1", ["model.artifact: the registry", "has no registered model named 'no-such-model'"]),
        ("models:/tiny-pd/99", ["model.artifact: registered model 'tiny-pd' has no version 99"]),
        ("models:/tiny-pd@nobody", ["model.artifact: registered model 'tiny-pd' has no alias 'nobody'"]),
        ("runs:/0123456789abcdef0123456789abcdef/model.skops", ["model.artifact: runs:/0123456789abcdef"]),
        ("models:/", ["model.artifact: 'models:/' is not a registry model URI"]),
        ("models:/tiny-pd/abc", ["model.artifact: the version of 'models:/tiny-pd/abc' must be a version number"]),
        ("runs:/0a1b2c", ["model.artifact: 'runs:/0a1b2c' is not a run artifact URI"]),
    ],
)
def test_bad_registry_input_is_one_sentence_and_exit_2(
    registry: dict, tmp_path: Path, artifact: str, fragments: list[str]
) -> None:
    params = _write(tmp_path, "params.yaml", {"artifact": artifact, "tracking_uri": registry["url"]})
    shutil.copytree(registry["folder"] / "data", tmp_path / "data")  # inside data.roots
    _assert_refused(_cli("run", str(params), "--out", str(tmp_path / "out")), tmp_path / "out", *fragments)


def test_unreachable_registry_fails_within_seconds(registry: dict, tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    params = _write(tmp_path, "params.yaml", {"artifact": "models:/tiny-pd@champion", "tracking_uri": url})
    shutil.copytree(registry["folder"] / "data", tmp_path / "data")  # inside data.roots
    # mrmkit.sources.registry's own defaults (no retries, a short timeout), not the ones this module set
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLFLOW_HTTP")}
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "mrmkit.cli", "run", str(params), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    elapsed = time.perf_counter() - t0
    print(f"unreachable registry refused in {elapsed:.1f} s (process start and imports included)")
    _assert_refused(done, tmp_path / "out", f"model.artifact: the MLflow tracking server {url} could not be reached")
    assert elapsed < 20


def test_a_failed_log_keeps_the_published_package(registry: dict, tmp_path: Path) -> None:
    params = write_params(tmp_path, mlflow={"log": True, "tracking_uri": f"http://127.0.0.1:{free_port()}"})
    shutil.copytree(registry["folder"] / "data", tmp_path / "data")  # inside data.roots
    done = _cli("run", str(params), "--out", str(tmp_path / "out"))
    assert done.returncode == 4, done.stderr
    package = Path(done.stdout.strip())
    assert (package / "manifest.json").is_file() and _cli("verify", str(package)).returncode == 0
    errors = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert (
        len(errors) == 1
        and "could not be logged" in errors[0]
        and "the package is published and unchanged" in errors[0]
    )
    assert yaml.safe_load((package / "parameters.yaml").read_text())["mlflow"]["log"] is True


def test_challenger_from_the_registry_uses_the_model_server(registry: dict, tmp_path: Path) -> None:
    from mrmkit import sources
    from mrmkit.io.models import load_model
    from mrmkit.params import load_parameters

    path = write_params(
        registry["folder"],
        model={
            "id": "tiny-pd",
            "version": "1.0",
            "artifact": "model.skops",
            "trusted_types": TRUSTED,
            "tracking_uri": registry["url"],
        },
        challenger={"artifact": "models:/tiny-pd/1", "trusted_types": TRUSTED},
        data__score=None,
    )
    params = load_parameters(path.rename(registry["folder"] / "challenger.yaml"))
    assert params.challenger.tracking_uri == registry["url"]
    assert set(params.input_paths()) >= {"model.artifact"} and "challenger.artifact" not in params.input_paths()
    records = sources.snapshot(params, tmp_path)
    assert list(records) == ["challenger.artifact"] and records["challenger.artifact"]["registry"]["version"] == "1"
    with sources.using(tmp_path):
        assert hasattr(load_model(params.challenger, "challenger.artifact"), "predict_proba")


def test_batch_logs_a_parameter_file_that_asks(registry: dict) -> None:
    """``mlflow.log: true`` in the parameter file: ``mrmkit batch`` logs each package as ``mrmkit run`` does.
    Last in the module: it tags version 1 again, which the tests of the ``published`` run read."""
    folder = registry["folder"]
    params = _write(
        folder,
        "batch.yaml",
        {"artifact": "models:/tiny-pd/1", "trusted_types": TRUSTED, "tracking_uri": registry["url"]},
        mlflow={"log": True, "experiment": "batch-validation", "tracking_uri": registry["url"]},
    )
    done = _cli("batch", str(params), "--out", str(folder / "batch_out"), "--jobs", "1")
    assert done.returncode == 0, done.stdout + done.stderr
    (package,) = [p.parent for p in (folder / "batch_out").rglob("manifest.json")]
    run_id = json.loads((package / "manifest.json").read_text())["run_id"]
    client = registry["client"]
    experiment = client.get_experiment_by_name("batch-validation")
    (run,) = client.search_runs([experiment.experiment_id], f"tags.`mrmkit.run_id` = '{run_id}'")
    assert run.data.tags["mrmkit.registered_model_version"] == "1" and run.data.metrics
