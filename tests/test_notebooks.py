"""Committed notebooks: no outputs, a parameters cell, in step with tools/make_notebooks.py."""

from __future__ import annotations

import json
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


def test_notebooks_match_their_generator(tmp_path: Path) -> None:
    before = {p.name: p.read_bytes() for p in NOTEBOOKS}
    subprocess.run([sys.executable, str(ROOT / "tools" / "make_notebooks.py")], check=True)
    after = {p.name: p.read_bytes() for p in sorted((ROOT / "notebooks").glob("*.ipynb"))}
    assert before == after, "notebooks/ differ from tools/make_notebooks.py; run it and commit"
