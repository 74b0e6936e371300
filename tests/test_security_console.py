"""User text on the console is shown as text: no rich markup, no terminal control sequences.

A name from a parameter or data file may contain ``[bold]``, ``[link=...]``, ``[/]`` or ESC sequences
(an OSC 8 hyperlink, a cursor move, a carriage return that rewrites the line). mrmkit's consoles never
interpret markup and show control characters as escapes, in errors, tables and progress lines alike.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from mrmkit.cli import SafeConsole, cell
from mrmkit.errors import one_line, printable, shorten
from tests.conftest import write_params

MRMKIT = str(Path(sys.executable).with_name("mrmkit"))
HOSTILE = [
    "[bold]x[/bold]",
    "[link=http://evil.example]click[/link]",
    "[/]",
    "a\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\b",
    "ok\rFORGED intact",
    "bell\x07 and \x1b[2J clear",
    "new\nline",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_safe_console_prints_text_literally(text: str) -> None:
    console = SafeConsole(file=__import__("io").StringIO(), force_terminal=True, width=200, color_system=None)
    console.print(text)
    console.print(cell(text))
    shown = console.file.getvalue()
    assert "\x1b" not in shown and "\r" not in shown and "\x07" not in shown
    assert printable(text) in shown


def test_printable_and_shorten() -> None:
    assert printable("a\x1b[31mb\rc\nd") == "a\\x1b[31mb\\rc\\nd"
    assert printable("plain text [x]") == "plain text [x]"
    assert shorten("y" * 1000).endswith("(1,000 characters)") and len(shorten("y" * 1000)) < 120
    assert shorten(["a", 1]) == "['a', 1]"
    assert "\n" not in one_line("a\n\nb" + "z" * 5000) and len(one_line("z" * 5000)) <= 600


def test_an_error_naming_a_hostile_field_is_one_literal_line(tiny_project: Path) -> None:
    params = write_params(
        tiny_project, data__categorical=[], data__features=["[red]income[/red]", "\x1b]8;;http://e\x1b\\x"]
    )
    result = subprocess.run(
        [MRMKIT, "run", str(params), "--out", str(tiny_project / "out")], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and result.stderr.strip().endswith(errors[0]), result.stderr
    assert "\x1b" not in result.stderr
    assert "[red]income[/red]" in result.stderr


def test_list_shows_hostile_package_fields_literally(tmp_path: Path) -> None:
    package = tmp_path / "m" / "1" / "run"
    package.mkdir(parents=True)
    manifest = {
        "files": {},
        "model_id": "[bold]m[/bold]",
        "model_version": "[/]",
        "run_id": "x\x1b[2Jy",
        "status": "[link=http://evil]complete[/link]",
        "started": "2026-01-01",
        "red_findings": 0,
    }
    (package / "manifest.json").write_text(json.dumps(manifest))
    result = subprocess.run(
        [MRMKIT, "list", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        env={"COLUMNS": "200", "TERM": "xterm", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert "[bold]m[/bold]" in result.stdout and "[link=http://evil]complete[/link]" in result.stdout
    assert "\x1b" not in result.stdout and "x\\x1b[2Jy" in result.stdout


def test_a_plain_rich_console_would_have_interpreted_it() -> None:
    """The hazard is real: the default console reads markup (the reason for SafeConsole)."""
    console = Console(file=__import__("io").StringIO(), width=200)
    console.print("[bold]x[/bold] [link=http://evil]click[/link]")
    assert "[bold]" not in console.file.getvalue()
