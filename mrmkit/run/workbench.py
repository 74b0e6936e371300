"""``mrmkit open``: a package's executed notebook, copied into a working folder to rerun and extend.

A validator who wants to change a parameter or add an analysis opens the notebook as it ran, not the
blank workbook. :func:`prepare` checks the package first (every file against its manifest, and every
recorded data file and model artifact against the sha256 recorded for the run: a notebook rerun on other
inputs would not be the run it claims to be), then copies into the working folder

- each chosen executed notebook, with the injected parameters replaced by ``params_file =
  "parameters.yaml"``, so rerunning it reads the copy below and keeps its reference profiles in memory;
- ``parameters.yaml``, the parameters exactly as resolved for the run (absolute paths, seeds): the
  file to edit to change a parameter.

Nothing in the package is ever written; a working folder made earlier for the same run is reused and a
notebook already there (with the validator's edits) is left as it is. :func:`start_lab` then starts
JupyterLab on the folder, from the same Python environment, so its kernel imports this mrmkit.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from mrmkit.errors import InvalidParameters, MrmkitError, PackageError, printable
from mrmkit.evidence.manifest import read_manifest, verify_package
from mrmkit.params import WORKBOOKS
from mrmkit.run.reproduce import check_inputs

__all__ = ["Workbench", "prepare", "start_lab", "lab_command", "MARKER"]

#: the file in a working folder naming the package it was made from
MARKER = ".mrmkit-open.json"

PARAMETERS_CELL = """# Parameters of run {run_id} of {model_id} {version}, reopened by `mrmkit open` from
# {package}
# parameters.yaml beside this notebook is the package's own (the parameters as resolved for the run):
# edit it to change a parameter. Rerunning never writes to the package.
params_file = "parameters.yaml"
params = {{}}
profile_store = None
"""


@dataclass
class Workbench:
    """What :func:`prepare` made: the working folder and the notebooks in it (new or kept)."""

    folder: Path
    package: Path
    notebooks: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)  # already there from an earlier `open`: left untouched

    def lines(self) -> list[str]:
        out = [f"working copy of {self.package} in {self.folder}"]
        out += [
            f"  {p.name}" + ("  (kept: your copy from an earlier open)" if p in self.kept else "")
            for p in self.notebooks
        ]
        return out


def _reparameterise(path: Path, target: Path, manifest: dict[str, Any], package: Path) -> None:
    """Write the executed notebook with its parameters cell reading ``parameters.yaml`` and the injected
    cell removed, so that JupyterLab, papermill (``-p`` still overrides) and nbclient all rerun it alike."""
    nb = nbformat.read(str(path), as_version=4)
    tags = [c.get("metadata", {}).get("tags", []) for c in nb.cells]
    at = [i for i, t in enumerate(tags) if "parameters" in t]
    if not at:
        raise PackageError(f"{path}: the executed notebook has no parameters cell, so it cannot be reopened.")
    cell = nb.cells[at[0]]
    cell.source = PARAMETERS_CELL.format(
        run_id=manifest.get("run_id", "?"),
        model_id=manifest.get("model_id", "?"),
        version=manifest.get("model_version", "?"),
        package=package.resolve(),
    )
    cell.outputs, cell.execution_count = [], None
    nb.cells = [c for c, t in zip(nb.cells, tags, strict=True) if "injected-parameters" not in t]
    nbformat.write(nb, str(target))


def _default_folder(manifest: dict[str, Any]) -> Path:
    parts = [str(manifest.get(key) or "_") for key in ("model_id", "model_version", "run_id")]
    return Path("mrmkit-open").joinpath(*(p.replace("/", "_").replace("\\", "_").lstrip(".") or "_" for p in parts))


def prepare(package: Path, workbook: str | None = None, folder: Path | None = None) -> Workbench:
    """Check ``package`` and copy its executed notebook(s) into ``folder`` (see the module docstring)."""
    package = Path(package)
    if not package.is_dir():
        raise PackageError(f"{package} is not an evidence package folder.")
    manifest = read_manifest(package)
    report = verify_package(package)
    if not report.intact:
        raise PackageError(
            f"{package} does not verify ({'; '.join(report.lines()[:3])}); run `mrmkit verify` for details."
        )
    ran = [w for w in WORKBOOKS if (package / "notebooks" / f"{w}.ipynb").is_file()]
    if workbook is not None:
        if workbook not in WORKBOOKS:
            raise InvalidParameters(f"WORKBOOK: unknown workbook {workbook!r}; known: {', '.join(WORKBOOKS)}.")
        if workbook not in ran:
            raise InvalidParameters(
                f"WORKBOOK: {package} has no {workbook} notebook; it has {', '.join(ran) or 'none'}."
            )
    chosen = [workbook] if workbook is not None else ran
    if not chosen:
        raise PackageError(f"{package} holds no executed notebook.")
    data_inputs = {  # the notebook and parameters come from the package itself
        k: v for k, v in manifest.get("inputs", {}).items() if k != "parameters" and not k.startswith("notebooks.")
    }
    changed = check_inputs({"inputs": data_inputs})
    if changed:
        raise PackageError(
            f"{package}: {changed[0]}{f' (and {len(changed) - 1} more)' if len(changed) > 1 else ''}; "
            "the notebook would not rerun on the inputs of the run, so it is not reopened."
        )
    folder = Path(folder) if folder is not None else _default_folder(manifest)
    marker = folder / MARKER
    identity = {
        "package": str(package.resolve()),
        "run_id": manifest.get("run_id"),
        "manifest_sha256": manifest.get("manifest_sha256"),
    }
    if folder.exists():
        if not folder.is_dir():
            raise InvalidParameters(f"--dir: {folder} exists and is not a folder.")
        if any(folder.iterdir()):
            from mrmkit.files import read_text

            try:
                earlier = json.loads(read_text(marker, "The open marker", 1 << 20))
            except ValueError:  # InvalidInput included: not a regular file
                earlier = None
            if earlier != identity:
                raise InvalidParameters(
                    f"--dir: {folder} is not empty and was not made by `mrmkit open` for this package; choose another folder."
                )
    if folder.resolve().is_relative_to(package.resolve()):
        raise InvalidParameters(f"--dir: {folder} lies inside the package; a package is never written to.")
    folder.mkdir(parents=True, exist_ok=True)
    params_copy = folder / "parameters.yaml"
    if not params_copy.exists():
        shutil.copyfile(package / "parameters.yaml", params_copy)
    bench = Workbench(folder=folder, package=package)
    for name in chosen:
        target = folder / f"{name}.ipynb"
        if target.exists():
            bench.kept.append(target)
        else:
            _reparameterise(package / "notebooks" / f"{name}.ipynb", target, manifest, package)
        bench.notebooks.append(target)
    marker.write_text(json.dumps(identity, indent=2) + "\n", encoding="utf-8")
    return bench


def lab_command(bench: Workbench, browser: bool = True, port: int | None = None) -> list[str]:
    """The command starting JupyterLab on the working folder, from this Python environment."""
    if importlib.util.find_spec("jupyterlab") is None:
        raise MrmkitError(
            f"JupyterLab is not installed in this environment ({printable(sys.executable)}); "
            "install it with pip install 'mrmkit[interactive]', or open the copy above with any Jupyter."
        )
    command = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={bench.folder.resolve()}"]
    if not browser:
        command.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # Jupyter refuses root otherwise (containers, CI)
    if port is not None:
        command.append(f"--port={port}")
    command += [p.name for p in bench.notebooks[:1]]  # opened in the first tab
    return command


def start_lab(bench: Workbench, browser: bool = True, port: int | None = None) -> int:
    """Run JupyterLab on the working folder until it is stopped; its exit code."""
    command = lab_command(bench, browser, port)
    try:
        return subprocess.run(command, cwd=bench.folder).returncode
    except KeyboardInterrupt:
        return 0
