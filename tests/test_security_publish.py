"""Publishing: never into a package, never half a package on a full disk, stale staging reclaimed."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mrmkit.run import runner as runner_module
from mrmkit.run import staging as staging_module
from tests.security_helpers import project, publish

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    root = tmp_path_factory.mktemp("pub")
    params = project(root)
    _, package = publish(params, root / "out")
    assert package is not None
    return root, params, package


def _nothing_new(out: Path, before: set[Path]) -> None:
    after = {p for p in out.glob("*/*/*") if not p.relative_to(out).parts[0].startswith(".")} if out.exists() else set()
    assert after == before, after - before
    assert not (out / ".staging").exists() or not any((out / ".staging").iterdir())


@pytest.mark.parametrize("where", [".", "reports", "notebooks", "reports/sub"])
def test_out_inside_a_package_is_refused(published, where: str) -> None:
    _, params, package = published
    result, new = publish(params, package / where)
    assert result.exit_code == 2 and new is None and "inside" in result.output
    assert not (package / ".staging").exists() and not (package / "tiny-pd").exists()


def test_out_through_a_symlink_into_a_package_is_refused(published, tmp_path) -> None:
    _, params, package = published
    link = tmp_path / "link"
    link.symlink_to(package, target_is_directory=True)
    result, new = publish(params, link)
    assert result.exit_code == 2 and new is None


@pytest.mark.parametrize("store", [".staging", ".profiles"])
def test_out_inside_mrmkit_working_folders_is_refused(published, store: str) -> None:
    root, params, _ = published
    result, new = publish(params, root / "out" / store / "x")
    assert result.exit_code == 2 and new is None


@pytest.mark.parametrize(
    "step", ["parameters.yaml", "metrics.json", "environment.txt", "index.html", "manifest.json", "rename", "audit"]
)
def test_a_full_disk_at_any_step_publishes_nothing(published, tmp_path, monkeypatch, step: str) -> None:
    _, params, _ = published
    out = tmp_path / "out"
    full = OSError(errno.ENOSPC, "No space left on device")
    if step == "rename":
        monkeypatch.setattr(runner_module.os, "rename", lambda *a: (_ for _ in ()).throw(full))
    elif step == "audit":
        monkeypatch.setattr(runner_module.audit, "append", lambda *a, **k: (_ for _ in ()).throw(full))
    else:
        real = Path.write_text

        def write_text(self, *args, **kwargs):
            if self.name == step:
                raise full
            return real(self, *args, **kwargs)

        monkeypatch.setattr(Path, "write_text", write_text)
    result, package = publish(params, out)
    assert result.exit_code == 2, result.output
    assert package is None and "Traceback" not in result.output
    assert "No space left on device" in result.output and "nothing was published" in result.output
    _nothing_new(out, set())


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_killed_runs_staging_is_reclaimed_by_the_next_run(published, tmp_path) -> None:
    _, params, _ = published
    out = tmp_path / "out"
    staging = out / ".staging"
    dead = staging / f"{_dead_pid()}-0123abcd"
    (dead / "notebooks").mkdir(parents=True)
    (dead / ".owner").write_text(
        json.dumps({"pid": int(dead.name.split("-")[0]), "start": "1", "host": os.uname().nodename})
    )
    legacy = staging / f"{_dead_pid()}-legacy"  # an older run's folder without an owner record
    legacy.mkdir()
    reused = staging / f"{os.getpid()}-reused"  # a live pid, but another process started at another time
    reused.mkdir()
    (reused / ".owner").write_text(json.dumps({"pid": os.getpid(), "start": "0", "host": os.uname().nodename}))
    live = staging / f"{os.getpid()}-live"  # this very process: a run in progress, never removed
    live.mkdir()
    (live / ".owner").write_text(json.dumps(staging_module._owner()))
    other_host = staging / "1-otherhost"
    other_host.mkdir()
    (other_host / ".owner").write_text(json.dumps({"pid": 1, "start": "5", "host": "another-machine"}))
    result, package = publish(params, out)
    assert package is not None, result.output
    assert not dead.exists() and not legacy.exists() and not reused.exists()
    assert live.exists() and other_host.exists()


def test_a_sigkilled_run_leaves_staging_that_the_next_run_removes(published, tmp_path) -> None:
    import signal
    import time

    _, params, _ = published
    out = tmp_path / "out"
    mrmkit = str(Path(sys.executable).with_name("mrmkit"))
    proc = subprocess.Popen(
        [mrmkit, "run", str(params), "--out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list((out / ".staging").glob("*/notebooks")):
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    left = list((out / ".staging").glob("*"))
    assert left, "the killed run left no staging folder to reclaim"
    result, package = publish(params, out)
    assert package is not None, result.output
    assert not any(p.exists() for p in left)
