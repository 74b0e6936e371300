"""Shared by the security tests: one small package published from the tiny project, and forging tools."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from mrmkit.cli import app
from mrmkit.evidence import audit
from mrmkit.evidence.manifest import _canonical, file_entries, write_manifest
from tests.conftest import make_frame, write_params

runner = CliRunner()


def project(root: Path) -> Path:
    """The tiny project (drift only) in ``root``; returns its parameter file."""
    rng = np.random.default_rng(20261123)
    (root / "data").mkdir(parents=True, exist_ok=True)
    make_frame(rng, 1500, 0.0, "2024-01-01").to_parquet(root / "data" / "reference.parquet", index=False)
    make_frame(rng, 1000, 0.15, "2025-01-01").to_parquet(root / "data" / "current.parquet", index=False)
    return write_params(root)


def publish(params: Path, out: Path, *extra: str):
    """``mrmkit run``; returns the CliRunner result and the package path (or None)."""
    result = runner.invoke(app, ["run", str(params), "--out", str(out), *extra])
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    package = Path(lines[-1]) if result.exit_code in (0, 3) and lines else None
    return result, package


def copy_package(package: Path, dest: Path) -> Path:
    """A copy of a package at the same depth under another out folder (no audit log there)."""
    target = dest / package.relative_to(package.parent.parent.parent)
    shutil.copytree(package, target, symlinks=True)
    return target


def forge(package: Path, edit) -> None:
    """Edit a file of the package, then recompute every hash and the manifest's self-hash, the canonical way."""
    edit(package)
    manifest = json.loads((package / "manifest.json").read_text())
    manifest["files"] = file_entries(package)
    manifest["manifest_sha256"] = hashlib.sha256(_canonical(manifest)).hexdigest()
    (package / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


def verify(package: Path, *extra: str):
    return runner.invoke(app, ["verify", str(package), *extra])


def hand_package(out: Path, run_id: str, model: str = "pd", version: str = "1.0", red: int = 0) -> Path:
    """A small signed package published as `mrmkit run` does: its run line first, then the folder."""
    staging = out / ".staging" / run_id
    staging.mkdir(parents=True)
    (staging / "metrics.json").write_text(json.dumps({"drift": {"findings": [{"severity": "red"}] * red}}))
    log = out / audit.AUDIT_LOG
    head = audit.head(log) if log.exists() else None
    manifest = write_manifest(
        staging,
        {
            "model_id": model,
            "model_version": version,
            "run_id": run_id,
            "status": "complete",
            "started": f"2026-01-0{len(run_id) % 9 + 1}T00:00:00+00:00",
            "red_findings": red,
            "audit_head": {"seq": head[0], "hash": head[1]} if head else None,
        },
    )

    from mrmkit.evidence.signing import load_private_key, sign_package

    key = load_private_key()
    if key is not None:
        sign_package(staging, key)
    target = out / model / version / run_id
    audit.append(
        log,
        {
            "action": "run",
            "package": str(target.resolve()),
            "model_id": model,
            "model_version": version,
            "run_id": run_id,
            "manifest_sha256": manifest["manifest_sha256"],
            "outcome": "complete",
        },
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    os.rename(staging, target)
    return target
