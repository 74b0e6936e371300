"""The staging folder of a run: ``<out>/.staging/<pid>-<uuid>/``, where a package is built before it is published.

:func:`mrmkit.run.runner.run` refuses an ``--out`` inside a package or inside mrmkit's working folders, creates
its staging folder with an owner record (pid, process start time, host), and removes it if anything
fails. Staging folders left by runs whose process is gone are reclaimed by the next run into the same
folder (:func:`reclaim_staging`), or by the batch runner for a worker it killed (:func:`remove_staging`).
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path
from typing import Any

from mrmkit.errors import InvalidParameters
from mrmkit.evidence.profiles import STORE_DIR

__all__ = ["STAGING", "OWNER", "reclaim_staging", "remove_staging"]

STAGING = ".staging"
OWNER = ".owner"  # in a staging folder: the pid, process start time and host of the run building it


def _inside_package(out: Path) -> Path | None:
    """The package (or mrmkit's own working folder) that ``out`` lies in, if any."""
    resolved = out.resolve()
    for folder in (resolved, *resolved.parents):
        if folder.name in (STAGING, STORE_DIR):
            return folder
        if (folder / "manifest.json").is_file() and (folder / "reports").is_dir():
            return folder
    return None


def _start_time(pid: int) -> str | None:
    """The kernel's start time of process ``pid`` (field 22 of /proc/<pid>/stat), or None if it is gone."""
    try:
        stat_line = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat_line.rsplit(")", 1)[1].split()[19]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _owner() -> dict[str, Any]:
    import socket

    return {"pid": os.getpid(), "start": _start_time(os.getpid()), "host": socket.gethostname()}


def _stale(folder: Path) -> bool:
    """A staging folder whose process is gone (killed before it could clean up); never one of a live run."""
    import socket

    try:
        from mrmkit.files import read_text

        owner = json.loads(read_text(folder / OWNER, "The staging owner", 1 << 16))
        pid, start, host = int(owner["pid"]), owner.get("start"), owner.get("host")
    except (OSError, ValueError, KeyError, TypeError):
        pid_text = folder.name.split("-", 1)[0]  # older staging folders: the pid is in the name
        if not pid_text.isdigit():
            return False
        pid, start, host = int(pid_text), None, socket.gethostname()
    if host != socket.gethostname():
        return False  # another machine's run on a shared file system: not ours to judge
    if not _alive(pid):
        return True
    return start is not None and _start_time(pid) not in (None, start)  # the pid now belongs to another process


def reclaim_staging(out: Path) -> list[Path]:
    """Remove the staging folders under ``out`` left by runs whose process is gone; return them."""
    removed = []
    for folder in sorted((out / STAGING).glob("*")) if (out / STAGING).is_dir() else []:
        if folder.is_dir() and not folder.is_symlink() and _stale(folder):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _prepare_out(out: Path) -> Path:
    inside = _inside_package(out)
    if inside is not None:
        raise InvalidParameters(
            f"--out: {out} lies inside {inside}, an evidence package or mrmkit's working folder; a package is never "
            "changed, so choose a folder outside it."
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
        reclaim_staging(out)
        staging = out / STAGING / f"{os.getpid()}-{uuid.uuid4().hex}"  # the pid: see remove_staging
        staging.mkdir(parents=True)
        (staging / OWNER).write_text(json.dumps(_owner()), encoding="utf-8")
    except OSError as exc:
        raise InvalidParameters(f"--out: cannot write to {out} ({exc.strerror or exc}).") from None
    return staging


def remove_staging(out: Path, pid: int) -> None:
    """Remove the staging folders of process ``pid`` (killed before it could clean up) under ``out``."""
    for folder in (out / STAGING).glob(f"{int(pid)}-*"):
        shutil.rmtree(folder, ignore_errors=True)
    _tidy_staging(out)


def _tidy_staging(out: Path) -> None:
    try:
        (out / STAGING).rmdir()  # only when empty: another run may be staging at the same time
    except OSError:
        pass
