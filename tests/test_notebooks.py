"""Committed notebooks: no outputs, a parameters cell, in step with tools/make_notebooks.py."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks() -> None:
    from mrmkit.params import WORKBOOKS

    assert {p.stem for p in NOTEBOOKS} == set(WORKBOOKS)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(path: Path) -> None:
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        assert not cell.get("outputs"), f"{path.name} cell {cell.get('id')} has outputs"
        assert cell.get("execution_count") is None, f"{path.name} cell {cell.get('id')} has an execution count"
    tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


def test_notebooks_are_generated_from_their_jupytext_sources() -> None:
    """Issue 15: notebooks/*.py (py:percent) are the source; the .ipynb are what tools/make_notebooks.py makes."""
    from mrmkit.params import WORKBOOKS

    assert {p.stem for p in (ROOT / "notebooks").glob("*.py")} == set(WORKBOOKS)
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "make_notebooks.py"), "--check"], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout


def test_the_check_names_a_notebook_edited_apart_from_its_source(tmp_path: Path, monkeypatch) -> None:
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import make_notebooks
    finally:
        sys.path.remove(str(ROOT / "tools"))
    for name in make_notebooks.WORKBOOKS:
        shutil.copy2(ROOT / "notebooks" / f"{name}.py", tmp_path)
        shutil.copy2(ROOT / "notebooks" / f"{name}.ipynb", tmp_path)
    monkeypatch.setattr(make_notebooks, "ROOT", tmp_path)
    assert make_notebooks.main(["--check"]) == 0
    source = tmp_path / "drift.py"
    source.write_text(source.read_text().replace("## Findings", "## Findings of the review"))
    assert make_notebooks.main(["--check"]) == 1
    assert make_notebooks.main([]) == 0 and make_notebooks.main(["--check"]) == 0
    assert "## Findings of the review" in (tmp_path / "drift.ipynb").read_text()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_the_parameters_cell_takes_a_parameter_file(path: Path) -> None:
    nb = json.loads(path.read_text())
    (cell,) = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    names = [
        line.split("=")[0].strip()
        for line in "".join(cell["source"]).splitlines()
        if "=" in line and not line.startswith("#")
    ]
    assert names == ["params_file", "params", "profile_store"]
