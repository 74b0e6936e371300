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
import stat
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from mrmkit.errors import PackageError, printable
from mrmkit.files import file_kind

__all__ = [
    "MANIFEST",
    "file_entries",
    "scan_package",
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


# files beside the manifest that it cannot list: the signature is made over the manifest's bytes
UNLISTED = frozenset({MANIFEST, "manifest.sig"})


def _hash_regular(path: Path, chunk: int = 1 << 20) -> tuple[str, int]:
    """sha256 and size of a regular file, opened without following a link or blocking on a FIFO."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise IsADirectoryError(f"not a regular file ({file_kind(info.st_mode)})")
        digest = hashlib.sha256()
        while block := os.read(fd, chunk):
            digest.update(block)
        return digest.hexdigest(), info.st_size
    finally:
        os.close(fd)


def scan_package(root: Path) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """sha256 and size of every regular file under ``root`` (but the manifest and its signature), and problems.

    Nothing is followed or opened that is not a regular file: a symbolic link (to a file, a folder, outside
    the package, dangling or looping), a FIFO, a socket or a device anywhere in the package is a problem
    named by its path, as is a file that cannot be read. Paths are POSIX, relative to ``root``.
    """
    root = Path(root)
    entries: dict[str, dict[str, Any]] = {}
    problems: list[str] = []

    def walk_error(exc: OSError) -> None:
        where = Path(exc.filename).relative_to(root).as_posix() if exc.filename else "."
        problems.append(f"unreadable: {printable(where)} ({exc.strerror or exc})")

    for folder, dirs, files in os.walk(root, onerror=walk_error, followlinks=False):
        base = Path(folder)
        for name in sorted(dirs):
            path = base / name
            if path.is_symlink():
                dirs.remove(name)
                problems.append(f"not a regular file (symbolic link): {printable(path.relative_to(root).as_posix())}")
        for name in sorted(files):
            path = base / name
            rel = path.relative_to(root).as_posix()
            if rel in UNLISTED:
                continue
            try:
                mode = os.lstat(path).st_mode
                if not stat.S_ISREG(mode):
                    problems.append(f"not a regular file ({file_kind(mode)}): {printable(rel)}")
                    continue
                digest, size = _hash_regular(path)
            except OSError as exc:
                problems.append(f"unreadable: {printable(rel)} ({exc.strerror or exc})")
                continue
            entries[rel] = {"sha256": digest, "size": size}
    return dict(sorted(entries.items())), problems


def file_entries(root: Path) -> dict[str, dict[str, Any]]:
    """sha256 and size of every file under ``root`` except the manifest and its signature, by relative path."""
    entries, problems = scan_package(root)
    if problems:
        raise PackageError(f"{root} cannot be published: {problems[0]}.")
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


MANIFEST_LIMIT = 256 * 1024 * 1024


def _read_regular(path: Path, limit: int) -> bytes:
    """The bytes of a regular file (never a link, never a FIFO), at most ``limit`` of them."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"it is not a regular file ({file_kind(info.st_mode)})")
        if info.st_size > limit:
            raise OSError(f"it is {info.st_size:,} bytes, more than a manifest can be")
        chunks = []
        while block := os.read(fd, 1 << 20):
            chunks.append(block)
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_manifest(package: Path) -> dict[str, Any]:
    """The manifest of ``package``; a folder without a readable manifest is not a package."""
    path = Path(package) / MANIFEST
    if not Path(package).is_dir():
        raise PackageError(f"{package} is not a folder; an evidence package is a folder with a {MANIFEST}.")
    try:
        manifest = json.loads(_read_regular(path, MANIFEST_LIMIT).decode("utf-8"))
    except FileNotFoundError:
        raise PackageError(f"{package} has no {MANIFEST}; it is not an evidence package.") from None
    except (OSError, ValueError) as exc:
        raise PackageError(f"{printable(path)} cannot be read as JSON ({printable(exc)}).") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise PackageError(f"{path} has no 'files' table; it is not an mrmkit manifest.")
    return manifest


@dataclass
class VerifyReport:
    """What ``verify`` found: each altered, missing, extra or irregular file, by name (shown safely)."""

    package: Path
    altered: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    irregular: list[str] = field(default_factory=list)  # links, FIFOs, unreadable files: each a whole line
    manifest_altered: bool = False
    checked: int = 0

    @property
    def intact(self) -> bool:
        return not (self.altered or self.missing or self.extra or self.irregular or self.manifest_altered)

    def lines(self) -> list[str]:
        out = []
        if self.manifest_altered:
            out.append(f"altered: {MANIFEST} (its content no longer matches manifest_sha256)")
        out += [f"altered: {printable(name)}" for name in self.altered]
        out += [f"missing: {printable(name)}" for name in self.missing]
        out += [f"extra:   {printable(name)}" for name in self.extra]
        out += self.irregular
        return out


def _sane(name: Any) -> bool:
    """A manifest entry names a relative path inside the package, in POSIX form."""
    if not isinstance(name, str) or not name or name.startswith("/") or "\\" in name or "\x00" in name:
        return False
    return all(part not in ("", ".", "..") for part in name.split("/"))


def verify_package(package: Path) -> VerifyReport:
    """Re-hash every file of ``package`` against its manifest; never follows a link or opens a FIFO."""
    package = Path(package)
    manifest = read_manifest(package)
    report = VerifyReport(package=package)
    recorded = manifest["files"]
    expected = hashlib.sha256(_canonical(manifest)).hexdigest()
    report.manifest_altered = manifest.get("manifest_sha256") != expected
    actual, report.irregular = scan_package(package)
    for name, entry in sorted(recorded.items()):
        if not _sane(name) or not isinstance(entry, dict):
            report.irregular.append(f"manifest lists an impossible path: {printable(repr(name))}")
        elif name not in actual:
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
