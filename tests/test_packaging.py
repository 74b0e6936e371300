"""Set-up promises: pinned dependencies in step, README opening commands, CI calling make test."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_runtime_dependencies_are_pinned_and_lean() -> None:
    deps = _pyproject()["project"]["dependencies"]
    assert all(re.fullmatch(r"[A-Za-z0-9_.\-]+==[0-9][^\s]*", d.split("#")[0].strip()) for d in deps), deps
    names = {d.split("==")[0].lower() for d in deps}
    assert "jupyter" not in names and "jupyterlab" not in names  # slows every kernel start (TOOLCHAIN.md)
    assert {"papermill", "nbconvert", "scrapbook", "six", "pandas", "scipy", "shap", "lime", "matplotlib"} <= names


def test_environment_yml_pins_the_same_versions() -> None:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    project = _pyproject()["project"]
    wanted = [d.split("#")[0].strip() for d in project["dependencies"] + project["optional-dependencies"]["test"]]
    assert sorted(pip) == sorted(wanted)
    assert "python=3.11" in env["dependencies"]


def test_readme_opens_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    first_block = readme.split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#")[0].strip() for line in first_block.splitlines() if line.split("#")[0].strip()]
    assert commands == ["make demo", "make test"]


def test_readme_code_blocks_are_closed_and_headings_are_outside_them() -> None:
    """A fence left open turns the rest of the README into one code block (a merge once dropped one)."""
    inside, opened = False, 0
    for number, line in enumerate((ROOT / "README.md").read_text().splitlines(), 1):
        if line.startswith("```"):
            inside, opened = not inside, number
        elif inside:
            assert not line.startswith("## ") and not line.startswith("### "), (
                f"line {number}: a heading in the code block opened at line {opened}"
            )
    assert not inside, f"the code block opened at line {opened} is never closed"


def test_ci_calls_make_test() -> None:
    script = (ROOT / ".ci" / "run").read_text()
    assert "make test" in script
    assert "make test" in (ROOT / "Makefile").read_text() or "test:" in (ROOT / "Makefile").read_text()
