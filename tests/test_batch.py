"""Batch runs (local processes and a local Dask cluster), the inventory, and the batch index page."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest
import yaml

from mrmkit.batch import BatchResult, run_batch, write_batch_index
from mrmkit.errors import InvalidParameters
from mrmkit.params.inventory import due, inventory_from_dict, load_inventory
from mrmkit.present.render import external_references
from tests.conftest import make_frame, write_params


def _project(root: Path, model_id: str, seed: int, broken: bool = False) -> Path:
    (root / "data").mkdir(parents=True)
    rng = np.random.default_rng(seed)
    make_frame(rng, 800, 0.0, "2024-01-01").to_parquet(root / "data" / "reference.parquet", index=False)
    if not broken:  # the broken model's current sample is missing
        make_frame(rng, 600, 0.15, "2025-01-01").to_parquet(root / "data" / "current.parquet", index=False)
    return write_params(root, model={"id": model_id, "version": "1.0", "owner": "tests", "risk_tier": "low"})


@pytest.fixture(scope="module")
def three(tmp_path_factory) -> list[Path]:
    base = tmp_path_factory.mktemp("batch")
    return [
        _project(base / "good-a", "good-a", 1),
        _project(base / "broken", "broken-b", 2, broken=True),
        _project(base / "good-c", "good-c", 3),
    ]


@pytest.fixture(scope="module")
def local(three, tmp_path_factory) -> tuple[BatchResult, list[tuple[int, int, dict]]]:
    calls: list[tuple[int, int, dict]] = []
    out = tmp_path_factory.mktemp("out-local")
    result = run_batch(three, out, jobs=2, progress=lambda d, t, r: calls.append((d, t, r)))
    return result, calls


def _check(result: BatchResult, three: list[Path]) -> None:
    assert [r["params"] for r in result.results] == [str(p.resolve()) for p in three]  # input order
    assert [r["status"] for r in result.results] == ["complete", "error", "complete"]
    assert not result.ok and result.exit_code == 1
    for r in (result.results[0], result.results[2]):
        package = Path(r["package"])
        assert (package / "manifest.json").is_file() and (package / "reports" / "index.html").is_file()
        assert r["exit_code"] == 0 and r["error"] is None
        assert r["rating"] in ("green", "amber", "red")  # the report's overall rating
        assert f">{r['rating'].upper()}<" in (package / "reports" / "index.html").read_text()
    broken = result.results[1]
    assert broken["package"] is None and broken["exit_code"] == 2 and broken["model_id"] == "broken-b"
    assert "current.parquet" in broken["error"]


def test_local_batch_publishes_the_good_and_reports_the_broken(local, three) -> None:
    result, calls = local
    _check(result, three)
    assert [r["model_id"] for r in result.results] == ["good-a", "broken-b", "good-c"]
    assert [(d, t) for d, t, _ in calls] == [(1, 3), (2, 3), (3, 3)]
    lines = result.to_lines()
    assert len(lines) == 4 and lines[1].startswith("error") and "2 of 3" in lines[-1]


def test_batch_index_lists_every_model_offline(local, tmp_path_factory) -> None:
    result, _ = local
    page = write_batch_index(result, Path(result.results[0]["package"]).parents[2] / "batch" / "index.html")
    text = page.read_text(encoding="utf-8")
    for r in result.results:
        assert r["model_id"] in text
    assert text.count('href="../good-') == 2  # relative links to each package's reports/index.html
    assert "current.parquet" in text  # the broken model's error
    assert "<th>Proposed rating</th>" in text
    for r in (result.results[0], result.results[2]):
        assert f'<span class="badge {r["rating"]}">{r["rating"].upper()}</span>' in text
    assert external_references(text) == []
    assert "<script" not in text


def test_batch_index_escapes_values(tmp_path: Path) -> None:
    evil = {
        "params": "<b>x</b>",
        "model_id": "<script>alert(1)</script>",
        "package": None,
        "status": "error",
        "failed_workbooks": [],
        "red_findings": 0,
        "error": '<img src="http://evil/x">',
        "exit_code": 2,
        "seconds": 0.0,
    }
    text = write_batch_index(BatchResult([evil]), tmp_path / "index.html").read_text(encoding="utf-8")
    assert "<script>" not in text and "<img" not in text and external_references(text) == []


def test_dask_local_cluster_gives_the_same_statuses(three, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    try:
        cluster = distributed.LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None, silence_logs=40
        )
    except Exception as exc:  # pragma: no cover - only where a local cluster cannot start
        pytest.skip(f"distributed cannot start a local cluster here: {exc}")
    with cluster:
        result = run_batch(three, tmp_path / "out", scheduler=cluster.scheduler_address)
    _check(result, three)


def test_dask_killed_worker_fails_only_its_model(tmp_path: Path) -> None:
    """Issue 7: a Dask worker killed during a model's run; with retries off the model is reported at once."""
    distributed = pytest.importorskip("distributed")
    import dask

    from mrmkit.batch import _dask

    names = ["kill-0", "ok-1", "ok-2", "ok-3"]  # kill-0 waits for the three others, then kills its worker
    got: dict[int, dict] = {}
    # one retry (the default is 3, each a worker restart): the model kills its worker twice, then is reported
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        cluster = distributed.LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None, silence_logs=50
        )
        with cluster:
            left = _dask(
                [tmp_path / n for n in names],
                tmp_path,
                cluster.scheduler_address,
                lambda i, r: got.__setitem__(i, r),
                fn=_fake_worker,
            )
    assert left == [] and sorted(got) == [0, 1, 2, 3]
    statuses = {names[i]: (r["status"], r["error"]) for i, r in got.items()}
    assert statuses["kill-0"][0] == "error" and statuses["kill-0"][1].startswith("worker died (KilledWorker")
    assert all(statuses[n] == ("complete", None) for n in names[1:]), statuses


def test_empty_batch_is_ok(tmp_path: Path) -> None:
    result = run_batch([], tmp_path / "out")
    assert result.ok and result.results == []


def test_bad_jobs_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidParameters, match="--jobs"):
        run_batch([tmp_path / "p.yaml"], tmp_path / "out", jobs=0)


# --------------------------------------------------------------------------------------------- inventory


def _entry(**overrides) -> dict:
    entry = {
        "id": "m1",
        "name": "Model one",
        "owner": "risk",
        "risk_tier": "high",
        "status": "production",
        "parameters": "m1/params.yaml",
        "frequency": "annual",
        "last_validated": "2025-03-31",
    }
    entry.update(overrides)
    return entry


def _write(tmp_path: Path, models: list[dict]) -> Path:
    path = tmp_path / "inventory.yaml"
    path.write_text(yaml.safe_dump({"models": models}, sort_keys=False))
    return path


def test_inventory_loads_and_resolves_parameters(tmp_path: Path) -> None:
    inventory = load_inventory(_write(tmp_path, [_entry()]))
    (entry,) = inventory.models
    assert entry.parameters == (tmp_path / "m1" / "params.yaml").resolve()
    assert entry.last_validated == date(2025, 3, 31)


def test_inventory_unknown_key_names_file_and_field(tmp_path: Path) -> None:
    path = _write(tmp_path, [_entry(), _entry(id="m2", colour="blue")])
    with pytest.raises(InvalidParameters) as info:
        load_inventory(path)
    message = str(info.value)
    assert str(path) in message and "colour" in message and "models[1]" in message and "'m2'" in message
    assert message.endswith(".") and "\n" not in message
    with pytest.raises(InvalidParameters, match="unknown key 'extra'"):
        inventory_from_dict({"models": [], "extra": 1}, tmp_path, "inv.yaml")


def test_inventory_duplicate_id_and_bad_values(tmp_path: Path) -> None:
    with pytest.raises(InvalidParameters, match=r"inventory.yaml: models\[1\].id: duplicate model id 'm1'"):
        load_inventory(_write(tmp_path, [_entry(), _entry()]))
    with pytest.raises(InvalidParameters, match=r"models\[0\] \(id 'm1'\).frequency"):
        load_inventory(_write(tmp_path, [_entry(frequency="weekly")]))
    with pytest.raises(InvalidParameters, match=r"models\[0\] \(id 'm1'\): required key 'owner' is missing"):
        load_inventory(_write(tmp_path, [{k: v for k, v in _entry().items() if k != "owner"}]))
    with pytest.raises(InvalidParameters, match="does not exist"):
        load_inventory(tmp_path / "nope.yaml")


def test_due_rules_with_an_explicit_today(tmp_path: Path) -> None:
    inventory = inventory_from_dict(
        {
            "models": [
                _entry(id="annual", last_validated="2025-03-31"),
                _entry(id="quarterly", frequency="quarterly", last_validated="2025-11-30"),
                _entry(id="monthly-dev", status="development", frequency="monthly", last_validated="2026-01-31"),
                _entry(id="never", status="development", last_validated=None),
                _entry(id="retired", status="retired", last_validated=None),
                _entry(id="semi", frequency="semiannual", last_validated="2025-09-01"),
            ]
        },
        tmp_path,
        "inv.yaml",
    )
    ids = lambda today: [e.id for e in due(inventory, today)]  # noqa: E731
    # quarterly from 30 Nov: 28 Feb 2026 (clamped); monthly from 31 Jan: 28 Feb 2026; semiannual: 1 Mar 2026
    assert ids(date(2026, 2, 27)) == ["never"]
    assert ids(date(2026, 2, 28)) == ["quarterly", "monthly-dev", "never"]
    assert ids(date(2026, 3, 31)) == ["annual", "quarterly", "monthly-dev", "never", "semi"]
    assert "retired" not in ids(date(2100, 1, 1))


def test_inventory_params_selects_due_or_all_but_retired(tmp_path: Path) -> None:
    from mrmkit.batch import inventory_params

    models = [
        _entry(id="due", parameters="due.yaml", last_validated="2025-01-31"),
        _entry(id="fresh", parameters="fresh.yaml", last_validated="2026-01-31"),
        _entry(id="gone", parameters="gone.yaml", status="retired", last_validated=None),
    ]
    path = _write(tmp_path, models)
    today = date(2026, 2, 1)
    assert inventory_params(path, today) == [(tmp_path / "due.yaml").resolve()]
    assert inventory_params(path, today, all_models=True) == [
        (tmp_path / n).resolve() for n in ("due.yaml", "fresh.yaml")
    ]


# --------------------------------------------------------------------------------------------- worker death


def _fake_worker(params: str, out: str) -> dict:
    """Stands in for run_one, by the parameter file's name.

    'kill-*' kills its own process with SIGKILL after starting a staging folder, as the kernel OOM killer
    would; 'slow-*' works for a minute (a Ctrl-C must stop it); 'stubborn-*' also ignores SIGTERM;
    'finishing-*' ignores SIGTERM and finishes after 1.3 s; any other name finishes after 0.3 s.
    """
    import os
    import signal
    import time

    name = Path(params).name
    staging = Path(out) / ".staging" / f"{os.getpid()}-{name}"
    if name.startswith(("kill", "slow", "stubborn")):
        staging.mkdir(parents=True)
    if name.startswith("kill"):
        deadline = time.monotonic() + 20  # let the good ones finish first: Dask counts a death against every
        while len(list(Path(out).glob("*.done"))) < 3 and time.monotonic() < deadline:  # task on that worker
            time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGKILL)
    if name.startswith(("stubborn", "finishing")):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if name.startswith("finishing"):  # still finishes when asked to stop: its result must count
        (Path(out) / f"{name}.started").touch()
        time.sleep(1.0)
    if name.startswith(("slow", "stubborn")):
        try:
            time.sleep(60)
        finally:  # what the runner does when interrupted
            staging.rmdir()
    time.sleep(0.3)
    (Path(out) / f"{name}.done").touch()
    return {
        "params": params,
        "model_id": name,
        "package": None,
        "status": "complete",
        "failed_workbooks": [],
        "red_findings": 0,
        "rating": "green",
        "error": None,
        "exit_code": 0,
        "seconds": 0.3,
    }


def test_a_killed_worker_fails_only_its_model(tmp_path: Path) -> None:
    from mrmkit.batch import _local

    names = ["ok-0", "kill-1", "ok-2", "ok-3", "kill-4"]
    got: dict[int, dict] = {}
    left = _local([tmp_path / n for n in names], tmp_path, 2, lambda i, r: got.__setitem__(i, r), fn=_fake_worker)
    assert left == [] and sorted(got) == list(range(5))
    for i, name in enumerate(names):
        if name.startswith("kill"):
            assert got[i]["status"] == "error"
            assert got[i]["error"] == "worker died (killed by signal SIGKILL)"
        else:
            assert (got[i]["status"], got[i]["error"]) == ("complete", None)
    assert not (tmp_path / ".staging").exists()  # the killed models' staging folders were cleared


def test_ctrl_c_stops_running_models_and_reports_the_unfinished(tmp_path: Path) -> None:
    import os
    import signal
    import time

    from mrmkit.batch import _local

    names = ["ok-0", "slow-1", "stubborn-2", "ok-3", "ok-4"]
    got: dict[int, dict] = {}

    def report(i: int, record: dict) -> None:
        got[i] = record
        if i == 4:  # the quick ones are done: Ctrl-C while slow-1 and stubborn-2 still run
            os.kill(os.getpid(), signal.SIGINT)

    t0 = time.monotonic()
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)  # even where SIGINT came in ignored
    try:
        left = _local([tmp_path / n for n in names], tmp_path, 3, report, fn=_fake_worker, grace=2.0)
    finally:
        signal.signal(signal.SIGINT, previous)
    elapsed = time.monotonic() - t0
    assert sorted(got) == [0, 3, 4] and left == [1, 2]
    assert elapsed < 15  # the slow one stopped at once (it works for 60 s); the stubborn one killed after 2 s
    assert not (tmp_path / ".staging").exists()  # both staging folders gone: one removed itself, one for it


def test_a_model_finishing_as_ctrl_c_comes_is_reported_complete(tmp_path: Path) -> None:
    import os
    import signal
    import threading
    import time

    from mrmkit.batch import _local

    def interrupt_when_started() -> None:
        while not (tmp_path / "finishing-0.started").exists():
            time.sleep(0.02)
        os.kill(os.getpid(), signal.SIGINT)

    got: dict[int, dict] = {}
    threading.Thread(target=interrupt_when_started, daemon=True).start()
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        left = _local(
            [tmp_path / "finishing-0", tmp_path / "slow-1"],
            tmp_path,
            2,
            lambda i, r: got.__setitem__(i, r),
            fn=_fake_worker,
            grace=10.0,
        )
    finally:
        signal.signal(signal.SIGINT, previous)
    assert left == [1] and list(got) == [0] and got[0]["status"] == "complete"


def test_interrupted_batch_result_and_index(tmp_path: Path) -> None:
    from mrmkit.batch import _unfinished

    done = {
        "params": "a.yaml",
        "model_id": "a",
        "package": str(tmp_path / "a" / "1" / "r"),
        "status": "complete",
        "failed_workbooks": [],
        "red_findings": 1,
        "rating": "red",
        "error": None,
        "exit_code": 0,
        "seconds": 1.0,
    }
    result = BatchResult(
        [done, _unfinished(tmp_path / "b.yaml", "interrupted", "the batch was interrupted")], interrupted=True
    )
    assert result.exit_code == 130 and not result.ok
    assert result.to_lines()[1].startswith("interrupted") and "Interrupted:" in result.to_lines()[-1]
    text = write_batch_index(result, tmp_path / "index.html").read_text()
    assert "The batch was interrupted" in text and '<span class="badge red">RED</span>' in text
    assert text.count("<td>not published</td>") == 1


def test_cli_batch_over_an_inventory_reports_the_broken_model(tmp_path) -> None:
    """Issue 7: an inventory entry whose parameter file is missing is reported; the others run."""
    import numpy as np
    import yaml
    from typer.testing import CliRunner

    from mrmkit.cli import app
    from tests.conftest import make_frame, write_params

    rng = np.random.default_rng(11)
    (tmp_path / "data").mkdir()
    make_frame(rng, 1500, 0.0, "2024-01-01").to_parquet(tmp_path / "data" / "reference.parquet", index=False)
    make_frame(rng, 1000, 0.1, "2025-01-01").to_parquet(tmp_path / "data" / "current.parquet", index=False)
    write_params(tmp_path)
    inventory = {
        "models": [
            {
                "id": "tiny-pd",
                "name": "Tiny",
                "owner": "tests",
                "risk_tier": "low",
                "status": "production",
                "parameters": "params.yaml",
                "frequency": "quarterly",
                "last_validated": None,
            },
            {
                "id": "ghost",
                "name": "Ghost",
                "owner": "tests",
                "risk_tier": "low",
                "status": "production",
                "parameters": "missing.yaml",
                "frequency": "annual",
                "last_validated": None,
            },
        ]
    }
    (tmp_path / "inventory.yaml").write_text(yaml.safe_dump(inventory, sort_keys=False))
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["batch", "--inventory", str(tmp_path / "inventory.yaml"), "--jobs", "2", "--out", str(out)]
    )
    assert result.exit_code == 1, result.output
    assert "missing.yaml does not exist" in result.output
    assert len([p for p in out.rglob("manifest.json") if ".staging" not in p.parts]) == 1
    index = (out / "batch-index.html").read_text()
    assert "tiny-pd" in index and "missing.yaml" in index


def test_cli_list_inventory_puts_overdue_models_first(tmp_path) -> None:
    import yaml
    from typer.testing import CliRunner

    from mrmkit.cli import app

    (tmp_path / "p.yaml").write_text("x: 1\n")
    models = [
        {
            "id": "fresh",
            "name": "F",
            "owner": "o",
            "risk_tier": "low",
            "status": "production",
            "parameters": "p.yaml",
            "frequency": "annual",
            "last_validated": "2999-01-01",
        },
        {
            "id": "stale",
            "name": "S",
            "owner": "o",
            "risk_tier": "low",
            "status": "production",
            "parameters": "p.yaml",
            "frequency": "monthly",
            "last_validated": "2020-01-31",
        },
        {
            "id": "old",
            "name": "O",
            "owner": "o",
            "risk_tier": "low",
            "status": "retired",
            "parameters": "p.yaml",
            "frequency": "monthly",
            "last_validated": None,
        },
    ]
    (tmp_path / "inv.yaml").write_text(yaml.safe_dump({"models": models}))
    (tmp_path / "out").mkdir()
    result = CliRunner().invoke(app, ["list", str(tmp_path / "out"), "--inventory", str(tmp_path / "inv.yaml")])
    assert result.exit_code == 0, result.output
    lines = [
        line for line in result.stdout.splitlines() if line.split() and line.split()[0] in ("fresh", "stale", "old")
    ]
    assert [line.split()[0] for line in lines] == ["stale", "fresh", "old"]
    assert "OVERDUE" in lines[0] and "2020-02-29" in lines[0] and "retired" in lines[2]


def _default_sigint() -> None:
    """In a child about to exec: take SIGINT's default action back (a shell running a job in the background
    without job control starts it with SIGINT ignored, and Python then never raises KeyboardInterrupt)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("how", ["ctrl-c", "sigterm"])
def test_cli_ctrl_c_keeps_finished_packages_and_publishes_nothing_half_built(three, tmp_path: Path, how) -> None:
    """Issue 7: Ctrl-C (SIGINT to the terminal's process group), or a scheduler's SIGTERM to the batch
    process alone (as Airflow stops a task), during a real batch of three models."""
    import json
    import os
    import signal
    import subprocess
    import sys
    import time

    from mrmkit.evidence.audit import verify as verify_log
    from mrmkit.evidence.manifest import verify_package

    good = [three[0], three[2], three[0]]  # two good models, the first one twice
    out = tmp_path / "out"
    mrmkit = str(Path(sys.executable).with_name("mrmkit"))
    proc = subprocess.Popen(
        [mrmkit, "batch", *map(str, good), "--jobs", "1", "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=_default_sigint,
    )

    def published() -> list[Path]:
        return [p.parent for p in out.glob("*/*/*/manifest.json")]

    deadline = time.time() + 180
    while time.time() < deadline and not published() and proc.poll() is None:
        time.sleep(0.1)
    assert published(), "the first model never published"
    while time.time() < deadline and not list((out / ".staging").glob("*/notebooks/*.ipynb")):
        time.sleep(0.1)  # the second model is executing its workbook
    if how == "ctrl-c":
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal sends on Ctrl-C: the whole process group
    else:
        proc.send_signal(signal.SIGTERM)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    packages = published()
    assert len(packages) == 1 and verify_package(packages[0]).intact
    assert json.loads((packages[0] / "manifest.json").read_text())["status"] == "complete"
    assert not (out / ".staging").exists()  # nothing half-built left behind
    assert stdout.count("interrupted") >= 2 and "Interrupted:" in stdout
    index = (out / "batch-index.html").read_text()
    assert index.count('class="interrupted"') == 2
    assert verify_log(out / "audit.jsonl").intact
