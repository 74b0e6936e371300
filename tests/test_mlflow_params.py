"""Registry URIs in the parameter file, metric names for MLflow and a missing mlflow-skinny: no server needed."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

from mrmkit.errors import InvalidInput, InvalidParameters
from mrmkit.export.mlflow_log import headline_metrics, metric_name
from mrmkit.params import load_parameters
from tests.conftest import free_port, write_params


def _params(folder: Path, **model) -> Path:
    return write_params(folder, model={"id": "tiny-pd", "version": "1.0", **model}, data__score=None)


@pytest.mark.parametrize("uri", ["models:/tiny-pd/3", "models:/tiny pd@champion", "runs:/0a1b2c/model/model.skops"])
def test_registry_uri_stays_a_plain_string(tmp_path: Path, uri: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    params = load_parameters(_params(tmp_path, artifact=uri, tracking_uri="http://127.0.0.1:5000"))
    assert params.model.artifact == uri and params.model.remote
    assert params.model.format is None
    assert "model.artifact" not in params.input_paths()  # local files only; no containment check either
    dumped = yaml.safe_load(params.to_yaml())["model"]
    assert dumped["artifact"] == uri and dumped["tracking_uri"] == "http://127.0.0.1:5000"


def test_tracking_uri_defaults_to_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://registry.bank.example:5000")
    params = load_parameters(_params(tmp_path, artifact="models:/tiny-pd@champion"))
    assert params.model.tracking_uri == "http://registry.bank.example:5000"  # written into parameters.yaml
    monkeypatch.delenv("MLFLOW_TRACKING_URI")
    with pytest.raises(InvalidParameters, match=r"model\.tracking_uri: .*MLFLOW_TRACKING_URI"):
        load_parameters(_params(tmp_path, artifact="models:/tiny-pd@champion"))
    local = load_parameters(_params(tmp_path, artifact="m.pkl", trusted=True))  # a file needs no server
    assert local.model.tracking_uri is None and isinstance(local.model.artifact, Path)


@pytest.mark.parametrize(
    ("uri", "fragment"),
    [
        ("models:/", "models:/<name>/<version>"),
        ("models:/tiny-pd", "models:/<name>/<version>"),
        ("models:/tiny-pd/abc", "must be a version number"),
        ("models:/tiny-pd/0", "must be a version number"),
        ("models:/tiny-pd@", "alias"),
        ("runs:/", "runs:/<run_id>/<path"),
        ("runs:/0a1b2c", "runs:/<run_id>/<path"),
        ("runs:/0a1b2c/../etc/passwd", "runs:/<run_id>/<path"),
        ("s3://bucket/model.skops", "registry URI"),
    ],
)
def test_malformed_registry_uri_is_refused(tmp_path: Path, uri: str, fragment: str) -> None:
    with pytest.raises(InvalidParameters, match=r"model\.artifact") as caught:
        load_parameters(_params(tmp_path, artifact=uri, tracking_uri="http://127.0.0.1:5000"))
    assert fragment in str(caught.value)


def test_credentials_in_a_tracking_uri_are_refused_without_repeating_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for uri in ("https://alice:s3cret@registry.example", "https://registry.example/?token=s3cret"):
        with pytest.raises(InvalidParameters, match=r"model\.tracking_uri: .*MLFLOW_TRACKING_PASSWORD") as caught:
            load_parameters(_params(tmp_path, artifact="models:/x/1", tracking_uri=uri))
        assert "s3cret" not in str(caught.value)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "https://alice:s3cret@registry.example")
    with pytest.raises(InvalidParameters, match="MLFLOW_TRACKING_URI") as caught:
        load_parameters(_params(tmp_path, artifact="models:/x/1"))
    assert "s3cret" not in str(caught.value)
    raw = yaml.safe_load(_params(tmp_path).read_text())
    raw["mlflow"] = {"log": True, "tracking_uri": "http://bob:pw@127.0.0.1:5000"}
    (tmp_path / "p2.yaml").write_text(yaml.safe_dump(raw))
    with pytest.raises(InvalidParameters, match=r"mlflow\.tracking_uri"):
        load_parameters(tmp_path / "p2.yaml")


def test_format_is_not_given_for_a_registry_model(tmp_path: Path) -> None:
    with pytest.raises(InvalidParameters, match=r"format: a registry model's format comes from its MLflow flavour"):
        load_parameters(_params(tmp_path, artifact="models:/x/1", tracking_uri="http://h:1", format="skops"))


def test_metric_names_are_valid_deterministic_and_distinct() -> None:
    from mlflow.utils.validation import _validate_metric_name

    hostile = ["income", "a b", "a/b", "a_b", "é", "x\ny", "../../etc", "..", ".", "", "<script>", "a" * 400, "a.b"]
    names = [f"drift.features.{metric_name(n)}.psi" for n in hostile]
    for name in names:
        _validate_metric_name(name)  # raises on a name MLflow would refuse
        assert len(name) <= 250
    assert len(set(names)) == len(hostile)  # "a b", "a/b" and "a_b" stay apart
    assert metric_name("income") == "income" and metric_name("a b") == metric_name("a b")
    metrics = {"drift": {"score": {"psi": 0.5}, "features": {"a b": {"psi": 0.7}, "c": {"psi": float("nan")}}}}
    logged = headline_metrics(metrics)
    assert logged == {"drift.score.psi": 0.5, f"drift.features.{metric_name('a b')}.psi": 0.7, "mrmkit.max_psi": 0.7}


def test_a_registry_uri_without_mlflow_skinny_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from mrmkit.sources import registry

    monkeypatch.setitem(sys.modules, "mlflow", None)  # as if mlflow-skinny were not installed
    with pytest.raises(InvalidInput) as caught:
        registry.mlflow_module("model.artifact", "a models:/ URI")
    assert str(caught.value) == "model.artifact: a models:/ URI needs mlflow-skinny; pip install 'mrmkit[mlflow]'"


def test_folder_sha256_is_over_sorted_paths_and_file_hashes(tmp_path: Path) -> None:
    import hashlib

    from mrmkit.sources.registry import folder_sha256

    (tmp_path / "m" / "sub").mkdir(parents=True)
    (tmp_path / "m" / "MLmodel").write_text("flavors: {}\n")
    (tmp_path / "m" / "sub" / "model.skops").write_bytes(b"\x00\x01")
    digest = hashlib.sha256()
    for rel, data in (("MLmodel", b"flavors: {}\n"), ("sub/model.skops", b"\x00\x01")):
        digest.update(f"{rel}\0{hashlib.sha256(data).hexdigest()}\n".encode())
    assert folder_sha256(tmp_path / "m") == digest.hexdigest()
    assert folder_sha256(tmp_path / "m" / "MLmodel") == hashlib.sha256(b"flavors: {}\n").hexdigest()


def test_log_to_mlflow_without_a_server_is_refused_before_the_run(
    tiny_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from mrmkit.cli import app

    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    out = tiny_project / "out"
    result = CliRunner().invoke(app, ["run", str(tiny_project / "params.yaml"), "--out", str(out), "--log-to-mlflow"])
    assert result.exit_code == 2
    text = " ".join((result.stderr if hasattr(result, "stderr") else result.output).split())
    assert "mlflow.tracking_uri: --log-to-mlflow needs a tracking server" in text and "Traceback" not in text
    assert not out.exists()


def test_server_and_client_pins_agree() -> None:
    """.venv-mlflow's server (Makefile) and the client in the mlflow and test extras are one MLflow version."""
    import re
    import tomllib

    root = Path(__file__).resolve().parents[1]
    server = re.search(r"^MLFLOW_VERSION\s*:=\s*(\S+)$", (root / "Makefile").read_text(), re.M).group(1)
    extras = tomllib.loads((root / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert extras["mlflow"] == [f"mlflow-skinny=={server}"]
    assert f"mlflow-skinny=={server}" in extras["test"]
    assert not any(d.split("==")[0] == "mlflow" for group in extras.values() for d in group)  # never the full package


@pytest.mark.slow
def test_batch_logs_when_the_parameter_file_asks_and_says_when_it_could_not(tiny_project: Path) -> None:
    """``mlflow.log: true`` is honoured by ``mrmkit batch`` as by ``mrmkit run``: here the tracking server does
    not answer, so the package stays published, the model's line says it was not logged, and the batch exits 1."""
    import subprocess

    port = free_port()  # nothing listens on it
    raw = yaml.safe_load((tiny_project / "params.yaml").read_text())
    raw["mlflow"] = {"log": True, "tracking_uri": f"http://127.0.0.1:{port}"}
    (tiny_project / "logged.yaml").write_text(yaml.safe_dump(raw))
    mrmkit = str(Path(sys.executable).with_name("mrmkit"))
    done = subprocess.run(
        [mrmkit, "batch", str(tiny_project / "logged.yaml"), "--out", str(tiny_project / "out"), "--jobs", "1"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    (line,) = [x for x in done.stdout.splitlines() if x.startswith("complete")]
    assert "the package is published and unchanged" in line and "127.0.0.1" in line
    packages = [p.parent for p in (tiny_project / "out").rglob("manifest.json")]
    assert len(packages) == 1 and subprocess.run([mrmkit, "verify", str(packages[0])]).returncode == 0
