"""Re-performance of an evidence package: same inputs, same parameters and seeds, same metrics.

``reproduce(package)`` first checks that every recorded input (parameter file, data files, model
artifacts, notebooks as run) still has the sha256 the manifest records; if one does not, it names it and
reruns nothing. Otherwise it runs the package's own ``parameters.yaml`` (the parameters as resolved for
the original run, seeds included) into a temporary folder and compares every metric: integers, strings and
statuses exactly, floats within a relative tolerance of 1e-9 (absolute 1e-12), as
:func:`mrmkit.compare.compare_metrics` documents.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mrmkit.compare import compare_metrics, read_metrics
from mrmkit.evidence.manifest import read_manifest
from mrmkit.io import sha256_file

__all__ = ["ReproduceReport", "reproduce", "check_inputs", "REL_TOL", "ABS_TOL"]

REL_TOL = 1e-9
ABS_TOL = 1e-12


@dataclass
class ReproduceReport:
    """What re-performance found."""

    package: Path
    changed_inputs: list[str] = field(default_factory=list)
    rerun: Path | None = None
    diff: Any = None
    seconds: float = 0.0
    profiles: list[str] = field(default_factory=list)  # recorded reference profiles that rebuilt differently

    @property
    def reproduced(self) -> bool:
        return not self.changed_inputs and self.diff is not None and self.diff.identical and not self.profiles

    def lines(self) -> list[str]:
        if self.changed_inputs:
            return [f"input changed since the run: {name}" for name in self.changed_inputs] + [
                "nothing was rerun: re-performance needs the inputs exactly as recorded."
            ]
        d = self.diff
        out = [
            f"re-performed {self.package} in {self.seconds:.1f} s with its recorded parameters and seeds;",
            f"{d.equal} metrics equal (integers and text exactly, floats within relative {REL_TOL:g}), "
            f"{len(d.changed)} different, {len(d.added)} new, {len(d.removed)} missing.",
        ]
        out += [change.describe() for change in d.changes]
        out += self.profiles
        out.append("REPRODUCED" if self.reproduced else "NOT REPRODUCED")
        return out


def check_inputs(manifest: dict[str, Any]) -> list[str]:
    """Recorded inputs whose file is gone or whose sha256 differs, each named with its path."""
    changed = []
    from mrmkit import sources

    for role, entry in sorted(manifest.get("inputs", {}).items()):
        if "path" not in entry:  # a remote input (a query, a registry model): fetched again and compared
            why = sources.changed(role, entry)
            if why:
                changed.append(why)
            continue
        path = Path(entry["path"])
        if not path.is_file():
            changed.append(f"{role} ({path}) no longer exists")
        elif sha256_file(path) != entry["sha256"]:
            changed.append(f"{role} ({path}) has a different sha256")
    return changed


def compare_profiles(original: dict[str, Any], rerun: dict[str, Any]) -> list[str]:
    """Reference profiles the package recorded whose content differs when rebuilt from the data (a poisoned store)."""
    out = []
    recorded, rebuilt = original.get("reference_profiles") or {}, rerun.get("reference_profiles") or {}
    for workbook, entry in sorted(recorded.items()):
        if not isinstance(entry, dict) or not isinstance(entry.get("used"), dict):
            continue
        fresh = (rebuilt.get(workbook) or {}).get("used") or {}
        for data_sha, content_sha in sorted(entry["used"].items()):
            if fresh.get(data_sha) != content_sha:
                out.append(
                    f"reference profile {data_sha[:12]} of the {workbook} workbook: the package used content "
                    f"{str(content_sha)[:12]}, the data give {str(fresh.get(data_sha))[:12]} (a poisoned store?)"
                )
    return out


def reproduce(package: Path, keep: Path | None = None) -> ReproduceReport:
    """Rerun ``package`` from its recorded inputs and compare every metric (see the module docstring)."""
    from mrmkit.run.runner import run

    package = Path(package)
    manifest = read_manifest(package)
    report = ReproduceReport(package=package, changed_inputs=check_inputs(manifest))
    if report.changed_inputs:
        return report
    original = read_metrics(package)
    workbooks = sorted(manifest.get("workbooks", {}))
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="mrmkit-reproduce-") as tmp:
        out = keep or Path(tmp)
        result = run(package / "parameters.yaml", workbooks=workbooks or None, out=out, record_audit=False)
        again = read_metrics(result.package)
        report.profiles = compare_profiles(manifest, read_manifest(result.package))
        report.rerun = result.package if keep else None
    report.seconds = time.perf_counter() - t0
    report.diff = compare_metrics(original, again, rel_tol=REL_TOL, abs_tol=ABS_TOL)
    return report
