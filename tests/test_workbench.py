"""Issue 15: `mrmkit open PACKAGE [WORKBOOK]` copies an executed notebook to rerun it, never altering the package."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import papermill as pm
import pytest

from mrmkit.compare import read_metrics
from mrmkit.evidence import scrap
from mrmkit.evidence.manifest import verify_package
from mrmkit.run.runner import run
from tests.conftest import free_port

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
MRMKIT = str(Path(sys.executable).with_name("mrmkit"))
LAB_PYTHON = ROOT / ".venv-lab" / "bin" / "python"  # `make test` builds it (Makefile: LAB_STAMP)


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    import numpy as np

    from tests.conftest import make_frame, write_params

    root = tmp_path_factory.mktemp("open")
    rng = np.random.default_rng(20261204)
    (root / "data").mkdir()
    make_frame(rng, 1500, 0.0, "2024-01-01").to_parquet(root / "data" / "reference.parquet", index=False)
    make_frame(rng, 1000, 0.15, "2025-01-01").to_parquet(root / "data" / "current.parquet", index=False)
    params = write_params(root)
    return run(params, out=root / "outputs", record_audit=False).package


def _open(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([MRMKIT, "open", *args], capture_output=True, text=True, cwd=cwd)


def test_the_copy_reruns_to_the_same_metrics_and_the_package_stays_intact(package, tmp_path) -> None:
    proc = _open(str(package), "drift", "--dir", "work", "--no-lab", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    work = tmp_path / "work"
    assert {p.name for p in work.iterdir()} == {"drift.ipynb", "parameters.yaml", ".mrmkit-open.json"}
    assert (work / "parameters.yaml").read_bytes() == (package / "parameters.yaml").read_bytes()
    nb = json.loads((work / "drift.ipynb").read_text())
    assert not [c for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", [])]
    pm.execute_notebook(str(work / "drift.ipynb"), str(work / "rerun.ipynb"), cwd=str(work), progress_bar=False)
    recorded = read_metrics(package)["drift"]
    assert scrap.read(work / "rerun.ipynb")["metrics"] == recorded
    assert verify_package(package).intact


def test_a_parameter_changed_in_the_copy_changes_the_rerun_only(package, tmp_path) -> None:
    assert _open(str(package), "drift", "--dir", "work", "--no-lab", cwd=tmp_path).returncode == 0
    work = tmp_path / "work"
    text = (work / "parameters.yaml").read_text()
    (work / "parameters.yaml").write_text(re.sub(r"(?m)^  bins: 10$", "  bins: 5", text, count=1))
    pm.execute_notebook(str(work / "drift.ipynb"), str(work / "rerun.ipynb"), cwd=str(work), progress_bar=False)
    rerun = scrap.read(work / "rerun.ipynb")["metrics"]
    recorded = read_metrics(package)["drift"]
    assert rerun["settings"]["bins"] == 5 != recorded["settings"]["bins"]
    assert verify_package(package).intact


def test_reopening_keeps_the_validators_edits(package, tmp_path) -> None:
    assert _open(str(package), "--dir", "work", "--no-lab", cwd=tmp_path).returncode == 0
    edited = tmp_path / "work" / "drift.ipynb"
    edited.write_text(edited.read_text().replace("## Findings", "## Findings (my notes)"))
    proc = _open(str(package), "--dir", "work", "--no-lab", cwd=tmp_path)
    assert proc.returncode == 0 and "kept" in proc.stdout
    assert "my notes" in edited.read_text()


def test_default_folder_names_model_version_and_run(package, tmp_path) -> None:
    assert _open(str(package), "drift", "--no-lab", cwd=tmp_path).returncode == 0
    assert (tmp_path / "mrmkit-open" / "tiny-pd" / "1.0" / package.name / "drift.ipynb").is_file()


@pytest.mark.parametrize(
    "args, expected",
    [
        (["backtest"], "has no backtest notebook"),
        (["nonsense"], "unknown workbook 'nonsense'"),
    ],
)
def test_bad_workbook_is_one_sentence(package, tmp_path, args, expected) -> None:
    proc = _open(str(package), *args, "--no-lab", cwd=tmp_path)
    assert proc.returncode == 2 and expected in proc.stderr and "Traceback" not in proc.stderr


def test_a_changed_input_or_package_is_refused(package, tmp_path) -> None:
    import shutil

    copy = tmp_path / "pkg"
    shutil.copytree(package, copy)
    (copy / "metrics.json").write_text("{}")
    proc = _open(str(copy), "--no-lab", cwd=tmp_path)
    assert proc.returncode == 2 and "does not verify" in proc.stderr
    manifest = json.loads((package / "manifest.json").read_text())
    data = Path(manifest["inputs"]["data.current"]["path"])
    original = data.read_bytes()
    try:
        data.write_bytes(original + b"\0")
        proc = _open(str(package), "--no-lab", cwd=tmp_path)
        assert proc.returncode == 2 and "data.current" in proc.stderr and "different sha256" in proc.stderr
        assert not (tmp_path / "mrmkit-open").exists()
    finally:
        data.write_bytes(original)


def test_a_foreign_folder_is_never_filled(package, tmp_path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("mine")
    proc = _open(str(package), "--dir", "mine", "--no-lab", cwd=tmp_path)
    assert proc.returncode == 2 and "not empty" in proc.stderr
    proc = _open(str(package), "--dir", str(package / "x"), "--no-lab", cwd=tmp_path)
    assert proc.returncode == 2 and "inside the package" in proc.stderr


def test_without_jupyterlab_the_message_says_how_to_install_it(package, tmp_path) -> None:
    import importlib.util

    assert importlib.util.find_spec("jupyterlab") is None
    proc = _open(str(package), "drift", "--dir", "work", cwd=tmp_path)
    assert proc.returncode == 2 and "mrmkit[interactive]" in proc.stderr
    assert (tmp_path / "work" / "drift.ipynb").is_file()  # the copy is made all the same


def test_jupyterlab_starts_headless_on_the_copy_and_stops(package, tmp_path) -> None:
    if not LAB_PYTHON.exists():
        if os.environ.get("CI"):
            pytest.fail(".venv-lab is missing: `make test` builds it")
        pytest.skip(".venv-lab (JupyterLab for this test) is built by `make test`")
    port = free_port()
    env = {
        **os.environ,
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg"),
        "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "ws"),
    }
    proc = subprocess.Popen(
        [
            str(LAB_PYTHON),
            "-m",
            "mrmkit.cli",
            "open",
            str(package),
            "drift",
            "--dir",
            "work",
            "--no-browser",
            "--port",
            str(port),
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        token, seen, deadline = None, [], time.monotonic() + 90
        while token is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line and proc.poll() is not None:
                break
            seen.append(line)
            match = re.search(rf"http://(127\.0\.0\.1|localhost):{port}/lab\?token=([0-9a-f]+)", line)
            host, token = match.groups() if match else (None, None)
        assert token, "".join(seen)[-3000:]
        url = f"http://{host}:{port}/api/contents/drift.ipynb?content=0&token={token}"
        listing = None
        while listing is None and time.monotonic() < deadline:  # the URL is printed as the socket opens
            assert proc.poll() is None, "".join(seen) + proc.stdout.read()
            try:
                with urllib.request.urlopen(url, timeout=30) as response:
                    listing = json.load(response)
            except urllib.error.URLError:
                time.sleep(0.2)
        assert listing["type"] == "notebook" and listing["name"] == "drift.ipynb"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)
    assert verify_package(package).intact


def test_a_workbook_runs_from_a_parameter_file_as_papermill_is_documented(package, tmp_path) -> None:
    """`papermill notebooks/drift.ipynb out.ipynb -p params_file my.yaml`: the same metrics as `mrmkit run`."""
    root = package.parents[3]
    out = tmp_path / "out.ipynb"
    pm.execute_notebook(
        str(ROOT / "notebooks" / "drift.ipynb"),
        str(out),
        parameters={"params_file": "params.yaml"},
        cwd=str(root),
        progress_bar=False,
    )
    assert scrap.read(out)["metrics"] == read_metrics(package)["drift"]


@pytest.mark.parametrize(
    "parameters, expected",
    [
        ({}, "InvalidParameters: params_file: this workbook needs a parameter file"),
        ({"params_file": "missing.yaml"}, "missing.yaml"),
        ({"params_file": "params.yaml", "params": {"seed": 1}}, "give either params_file or params"),
    ],
)
def test_a_notebook_without_usable_parameters_says_so_in_one_line(package, tmp_path, parameters, expected) -> None:
    root = package.parents[3]
    with pytest.raises(pm.PapermillExecutionError) as caught:
        pm.execute_notebook(
            str(ROOT / "notebooks" / "drift.ipynb"),
            str(tmp_path / "out.ipynb"),
            parameters=parameters,
            cwd=str(root),
            progress_bar=False,
        )
    assert expected in caught.value.evalue or expected in "".join(caught.value.traceback)
    assert len(caught.value.traceback) == 1  # the sentence, not mrmkit's internals (MrmkitError._render_traceback_)


def test_a_notebook_of_a_workbook_the_file_does_not_enable_is_refused(package, tmp_path) -> None:
    root = package.parents[3]
    with pytest.raises(pm.PapermillExecutionError) as caught:
        pm.execute_notebook(
            str(ROOT / "notebooks" / "backtest.ipynb"),
            str(tmp_path / "out.ipynb"),
            parameters={"params_file": "params.yaml"},
            cwd=str(root),
            progress_bar=False,
        )
    assert "has no backtest section" in caught.value.evalue
