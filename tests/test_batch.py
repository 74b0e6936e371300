"""Batch runs (local processes and a local Dask cluster), the inventory, and the batch index page."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest
import yaml

from mrmkit.batch import BatchResult, run_batch, write_batch_index
from mrmkit.errors import InvalidParameters
from mrmkit.inventory import due, inventory_from_dict, load_inventory
from mrmkit.render import external_references
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
    assert external_references(text) == []
    assert "<script" not in text


def test_batch_index_escapes_values(tmp_path: Path) -> None:
    evil = {"params": "<b>x</b>", "model_id": "<script>alert(1)</script>", "package": None, "status": "error",
            "failed_workbooks": [], "red_findings": 0, "error": '<img src="http://evil/x">', "exit_code": 2,
            "seconds": 0.0}  # fmt: skip
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


def test_empty_batch_is_ok(tmp_path: Path) -> None:
    result = run_batch([], tmp_path / "out")
    assert result.ok and result.results == []


def test_bad_jobs_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidParameters, match="--jobs"):
        run_batch([tmp_path / "p.yaml"], tmp_path / "out", jobs=0)


# --------------------------------------------------------------------------------------------- inventory


def _entry(**overrides) -> dict:
    entry = {"id": "m1", "name": "Model one", "owner": "risk", "risk_tier": "high", "status": "production",
             "parameters": "m1/params.yaml", "frequency": "annual", "last_validated": "2025-03-31"}  # fmt: skip
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


# --------------------------------------------------------------------------------------------- worker death


def _fragile_worker(params: str, out: str) -> dict:
    """Stands in for run_one: 'kill' always kills its process; 'flaky' kills it the first time only."""
    import os
    import time

    name = Path(params).name
    marker = Path(out) / f"{name}.seen"
    if name == "kill" or (name == "flaky" and not marker.exists()):
        marker.touch()
        os._exit(3)
    time.sleep(0.3)
    return {"params": params, "model_id": name, "package": None, "status": "complete", "failed_workbooks": [],
            "red_findings": 0, "error": None, "exit_code": 0, "seconds": 0.3}  # fmt: skip


def test_a_dead_worker_fails_only_its_model(tmp_path: Path) -> None:
    from mrmkit.batch import _local

    names = ["flaky", "ok-1", "kill", "ok-2", "ok-3"]  # flaky starts (and dies) in the first round
    got: dict[int, dict] = {}
    _local([tmp_path / n for n in names], tmp_path, 2, lambda i, r: got.__setitem__(i, r), fn=_fragile_worker)
    assert sorted(got) == list(range(5))
    statuses = {names[i]: (r["status"], r["error"]) for i, r in got.items()}
    assert statuses["kill"][0] == "error" and statuses["kill"][1].startswith("worker died")
    assert all(statuses[n] == ("complete", None) for n in names if n != "kill"), (
        statuses
    )  # flaky succeeded on its retry


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
            {"id": "tiny-pd", "name": "Tiny", "owner": "tests", "risk_tier": "low", "status": "production",
             "parameters": "params.yaml", "frequency": "quarterly", "last_validated": None},
            {"id": "ghost", "name": "Ghost", "owner": "tests", "risk_tier": "low", "status": "production",
             "parameters": "missing.yaml", "frequency": "annual", "last_validated": None},
        ]
    }  # fmt: skip
    (tmp_path / "inventory.yaml").write_text(yaml.safe_dump(inventory, sort_keys=False))
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["batch", "--inventory", str(tmp_path / "inventory.yaml"), "--jobs", "2", "--out", str(out)])
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
        {"id": "fresh", "name": "F", "owner": "o", "risk_tier": "low", "status": "production", "parameters": "p.yaml",
         "frequency": "annual", "last_validated": "2999-01-01"},
        {"id": "stale", "name": "S", "owner": "o", "risk_tier": "low", "status": "production", "parameters": "p.yaml",
         "frequency": "monthly", "last_validated": "2020-01-31"},
        {"id": "old", "name": "O", "owner": "o", "risk_tier": "low", "status": "retired", "parameters": "p.yaml",
         "frequency": "monthly", "last_validated": None},
    ]  # fmt: skip
    (tmp_path / "inv.yaml").write_text(yaml.safe_dump({"models": models}))
    (tmp_path / "out").mkdir()
    result = CliRunner().invoke(app, ["list", str(tmp_path / "out"), "--inventory", str(tmp_path / "inv.yaml")])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if line.split() and line.split()[0] in ("fresh", "stale", "old")]
    assert [line.split()[0] for line in lines] == ["stale", "fresh", "old"]
    assert "OVERDUE" in lines[0] and "2020-02-29" in lines[0] and "retired" in lines[2]
