"""Issue 15: a built wheel carries the workbook notebooks, and `mrmkit demo` runs from a fresh environment.

The wheel is built from a copy of the sources without build isolation (the pinned setuptools of the test
extra, no download), installed with ``--no-deps`` into a fresh virtual environment whose dependencies come
from this environment's site-packages as a plain path entry: its ``.pth`` files (among them the editable
install of mrmkit) are not processed, so the only mrmkit the fresh environment can import is the wheel's.
The dependencies' data files (nbconvert's templates) are found through ``JUPYTER_PATH``, where a full install
would have them under the fresh environment's own prefix.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]
SOURCES = ["pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "jupytext.toml", "mrmkit", "notebooks"]


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(ROOT / name, src / name)
    dist = tmp / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--disable-pip-version-check",
            "-w",
            str(dist),
            str(src),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = dist.glob("mrmkit-*.whl")
    env = tmp / "venv"
    venv.create(env, with_pip=True)
    python = env / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(purelib, "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")  # a path, not a site dir
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--disable-pip-version-check", str(wheel)],
        check=True,
        capture_output=True,
    )
    return wheel, env


def test_the_wheel_ships_every_notebook_and_template(fresh) -> None:
    from mrmkit.params import WORKBOOKS

    wheel, _ = fresh
    names = set(zipfile.ZipFile(wheel).namelist())
    for workbook in WORKBOOKS:
        assert f"mrmkit/notebooks/{workbook}.ipynb" in names
        shipped = json.loads(zipfile.ZipFile(wheel).read(f"mrmkit/notebooks/{workbook}.ipynb"))
        assert shipped == json.loads((ROOT / "notebooks" / f"{workbook}.ipynb").read_text())
    assert any(n.startswith("mrmkit/present/templates/mrmkit_offline/") for n in names)
    assert "mrmkit/present/templates/report/index.html.j2" in names
    assert "mrmkit/evidence/metrics_schema.yaml" in names


def test_the_demo_runs_from_the_installed_wheel(fresh, tmp_path) -> None:
    _, env = fresh
    where = subprocess.run(
        [str(env / "bin" / "python"), "-c", "import mrmkit; print(mrmkit.__file__)"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert Path(where).is_relative_to(env), where  # the wheel's mrmkit, not the repository's
    environ = {k: v for k, v in os.environ.items() if k != "MRMKIT_NOTEBOOKS"}
    # the dependencies' data files (nbconvert's templates, kernel specs) are under this environment's prefix
    environ["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")
    proc = subprocess.run(
        [str(env / "bin" / "mrmkit"), "demo", "--out", str(tmp_path / "outputs"), "--data", str(tmp_path / "demo")],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
        env=environ,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    packages = [Path(line) for line in proc.stdout.strip().splitlines()]
    assert len(packages) == 3
    for package in packages:
        check = subprocess.run([str(env / "bin" / "mrmkit"), "verify", str(package)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout
        manifest = json.loads((package / "manifest.json").read_text())
        notebooks = [v["path"] for k, v in manifest["inputs"].items() if k.startswith("notebooks.")]
        assert notebooks and all(Path(p).is_relative_to(env) for p in notebooks), notebooks
