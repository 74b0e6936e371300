"""The command line's own texts: --version, and help that names what to type (no Python type labels)."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

import mrmkit
from mrmkit.cli import app

runner = CliRunner()
COMMANDS = [
    "demo",
    "run",
    "verify",
    "reproduce",
    "diff",
    "history",
    "open",
    "report",
    "batch",
    "list",
    "export prometheus",
    "keys init",
    "keys show",
    "audit verify",
    "issue update",
    "issue list",
]


def test_version():
    done = runner.invoke(app, ["--version"])
    assert done.exit_code == 0 and done.output.strip() == f"mrmkit {mrmkit.__version__}"


@pytest.mark.parametrize("command", COMMANDS)
def test_help_has_no_type_labels(command):
    done = runner.invoke(app, [*command.split(), "--help"], terminal_width=100)
    assert done.exit_code == 0, done.output
    labels = re.findall(r"<(?:bool|str|path|int|float|text|list\[[a-z]+\])>", done.output)
    assert not labels, f"mrmkit {command} --help shows {labels}"


def test_workbook_names_in_help():
    for command in ("run", "open"):
        text = " ".join(runner.invoke(app, [command, "--help"]).output.replace("│", " ").split())
        assert "drift, backtest, champion_challenger, explainability" in text, command
