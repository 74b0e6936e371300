"""The audit trail against the packages anchored in it, and publishing when the trail cannot be written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mrmkit.evidence import audit
from tests.security_helpers import project, publish, runner, verify

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def published_trail(tmp_path_factory):
    root = tmp_path_factory.mktemp("trail")
    params = project(root)
    out = root / "out"
    packages = [publish(params, out)[1] for _ in range(2)]
    assert all(packages)
    assert runner.invoke(_app(), ["audit", "verify", str(out / "audit.jsonl")]).exit_code == 0
    return out, packages


@pytest.fixture
def trail(published_trail, tmp_path):
    """A fresh copy of a folder with two published packages and their audit log, for each test to damage."""
    import shutil

    out, packages = published_trail
    copy = tmp_path / "out"
    shutil.copytree(out, copy, symlinks=True)
    return copy / "audit.jsonl", [copy / p.relative_to(out) for p in packages]


def _app():
    from mrmkit.cli import app

    return app


def _audit_verify(log: Path):
    return runner.invoke(_app(), ["audit", "verify", str(log)])


def _lines(log: Path) -> list[bytes]:
    return log.read_bytes().splitlines(keepends=True)


def test_removing_the_last_lines_is_seen(trail) -> None:
    log, packages = trail
    log.write_bytes(b"".join(_lines(log)[:-1]))
    result = _audit_verify(log)
    assert result.exit_code == 1 and "no run line for the package" in result.stdout


def test_emptying_or_deleting_the_log_is_seen(trail) -> None:
    log, _ = trail
    log.write_bytes(b"")
    assert _audit_verify(log).exit_code == 1
    log.unlink()
    result = _audit_verify(log)
    assert result.exit_code == 1 and "missing" in result.stdout


def test_a_consistently_rewritten_chain_is_seen(trail, tmp_path) -> None:
    log, packages = trail
    records = [json.loads(line) for line in _lines(log)]
    log.unlink()
    for r in records:  # the same events, re-chained from scratch with fresh hashes
        event = {k: v for k, v in r.items() if k not in ("seq", "hash", "prev", "time", "user", "host")}
        if event.get("action") == "run":
            event["manifest_sha256"] = "0" * 64
        audit.append(log, event)
    assert audit.verify(log).intact  # the chain alone is unbroken
    result = _audit_verify(log)
    assert result.exit_code == 1, result.stdout


def test_verify_cross_checks_the_package_against_its_run_line(trail) -> None:
    log, packages = trail
    ok = verify(packages[0])
    assert ok.exit_code == 0 and "audit trail: matches the run line" in ok.stdout
    lines = [json.loads(line) for line in _lines(log)]
    kept = [line for r, line in zip(lines, _lines(log), strict=True) if r.get("run_id") != lines[0].get("run_id")]
    log.write_bytes(b"".join(kept))
    result = verify(packages[0])
    assert result.exit_code == 1 and "no run line for this package" in result.stdout


def test_an_unwritable_log_publishes_nothing(tmp_path) -> None:
    params = project(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "audit.jsonl").mkdir()  # cannot be opened as a file, even by root
    result, package = publish(params, out)
    assert result.exit_code in (1, 2) and package is None, result.output
    assert "Traceback" not in result.output
    assert not list(out.glob("*/*/*/manifest.json")) and not (out / ".staging").exists()


def test_verify_reports_the_package_before_the_unwritable_log(tmp_path) -> None:
    params = project(tmp_path)
    out = tmp_path / "out"
    _, package = publish(params, out)
    log = out / "audit.jsonl"
    log.write_bytes(log.read_bytes() + b"{broken")  # an incomplete last line: the log refuses appends
    result = verify(package)
    assert "intact:" in result.stdout and "error:" in result.output
    assert result.exit_code != 0
