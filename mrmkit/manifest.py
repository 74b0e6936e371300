"""The manifest of an evidence package, and its verification.

``manifest.json`` records the sha256 and size of every other file in the package, the hashes of every
input, the software environment, times, status and seeds. It also carries ``manifest_sha256``, the hash of
its own canonical content without that field, so a hand edit of the manifest is detected too (a forger
who rewrites every hash is not stopped by any self-contained check: compare with the audit trail).
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from mrmkit.errors import PackageError
from mrmkit.io import sha256_file

__all__ = [
    "MANIFEST",
    "file_entries",
    "write_manifest",
    "read_manifest",
    "verify_package",
    "VerifyReport",
    "environment_lines",
    "key_versions",
]

MANIFEST = "manifest.json"
FORMAT_VERSION = 1

KEY_PACKAGES = (
    "mrmkit",
    "numpy",
    "pandas",
    "pyarrow",
    "scipy",
    "scikit-learn",
    "lightgbm",
    "skops",
    "shap",
    "lime",
    "matplotlib",
    "papermill",
    "nbconvert",
    "nbclient",
    "nbformat",
    "ipykernel",
    "scrapbook",
    "pydantic",
)


def file_entries(root: Path) -> dict[str, dict[str, Any]]:
    """sha256 and size of every file under ``root`` except the manifest, keyed by POSIX relative path."""
    entries = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file() or p.is_symlink()):
        rel = path.relative_to(root).as_posix()
        if rel == MANIFEST:
            continue
        entries[rel] = {"sha256": sha256_file(path), "size": path.stat().st_size}
    return entries


def _canonical(manifest: dict[str, Any]) -> bytes:
    body = {k: v for k, v in manifest.items() if k != "manifest_sha256"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def write_manifest(root: Path, content: dict[str, Any]) -> dict[str, Any]:
    """Hash the package's files, add ``content`` and the self-hash, and write ``manifest.json``."""
    manifest = {"format_version": FORMAT_VERSION, **content, "files": file_entries(root)}
    manifest["manifest_sha256"] = hashlib.sha256(_canonical(manifest)).hexdigest()
    (root / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    return manifest


def read_manifest(package: Path) -> dict[str, Any]:
    """The manifest of ``package``; a folder without a readable manifest is not a package."""
    path = Path(package) / MANIFEST
    if not Path(package).is_dir():
        raise PackageError(f"{package} is not a folder; an evidence package is a folder with a {MANIFEST}.")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PackageError(f"{package} has no {MANIFEST}; it is not an evidence package.") from None
    except (OSError, ValueError) as exc:
        raise PackageError(f"{path} cannot be read as JSON ({exc}).") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise PackageError(f"{path} has no 'files' table; it is not an mrmkit manifest.")
    return manifest


@dataclass
class VerifyReport:
    """What ``verify`` found: each altered, missing or extra file, by name."""

    package: Path
    altered: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    manifest_altered: bool = False
    checked: int = 0

    @property
    def intact(self) -> bool:
        return not (self.altered or self.missing or self.extra or self.manifest_altered)

    def lines(self) -> list[str]:
        out = []
        if self.manifest_altered:
            out.append(f"altered: {MANIFEST} (its content no longer matches manifest_sha256)")
        out += [f"altered: {name}" for name in self.altered]
        out += [f"missing: {name}" for name in self.missing]
        out += [f"extra:   {name}" for name in self.extra]
        return out


def verify_package(package: Path) -> VerifyReport:
    """Re-hash every file of ``package`` against its manifest."""
    package = Path(package)
    manifest = read_manifest(package)
    report = VerifyReport(package=package)
    recorded = manifest["files"]
    expected = hashlib.sha256(_canonical(manifest)).hexdigest()
    report.manifest_altered = manifest.get("manifest_sha256") != expected
    actual = file_entries(package)
    for name, entry in sorted(recorded.items()):
        if name not in actual:
            report.missing.append(name)
        elif actual[name] != {"sha256": entry.get("sha256"), "size": entry.get("size")}:
            report.altered.append(name)
    report.extra = sorted(set(actual) - set(recorded))
    report.checked = len(recorded)
    return report


def environment_lines() -> list[str]:
    """``name==version`` of every installed distribution, sorted case-insensitively."""
    seen = {}
    for dist in metadata.distributions():
        name = dist.metadata.get("Name")
        if name:
            seen.setdefault(name.lower(), f"{name}=={dist.version}")
    return [seen[k] for k in sorted(seen)]


def key_versions() -> dict[str, Any]:
    """Python, platform and the versions of the packages that decide the numbers."""
    versions = {}
    for name in KEY_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "packages": versions,
    }
