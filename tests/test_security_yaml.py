"""Hostile YAML: exponential aliases, deep nesting, duplicate keys, huge values, odd tags and bytes.

Each is refused in well under a second with one sentence that names the file and the line, for
parameter files and inventory files alike (both go through mrmkit.params.yamlfile).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from mrmkit.errors import InvalidParameters
from mrmkit.params import load_parameters, read_yaml
from mrmkit.params.inventory import load_inventory
from tests.conftest import write_params

MRMKIT = str(Path(sys.executable).with_name("mrmkit"))

LAUGHS = "\n".join(
    ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]" for i in range(8)]
    + ["model: {id: *i, version: '1'}"]
)


def _refused(path: Path, *fragments: str, reader=read_yaml) -> str:
    start = time.perf_counter()
    with pytest.raises(InvalidParameters) as info:
        reader(path)
    assert time.perf_counter() - start < 2.0
    message = str(info.value)
    assert "\n" not in message and len(message) < 400, message
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message, message
    return message


def test_billion_laughs_is_refused_fast(tmp_path: Path) -> None:
    path = tmp_path / "laughs.yaml"
    path.write_text(LAUGHS)
    _refused(path, "aliases")


def test_billion_laughs_through_the_cli_is_one_line_and_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "laughs.yaml"
    path.write_text(LAUGHS)
    start = time.perf_counter()
    result = subprocess.run(
        [MRMKIT, "run", str(path), "--out", str(tmp_path / "out")], capture_output=True, text=True, timeout=60
    )
    assert time.perf_counter() - start < 30
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_small_aliases_still_work(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text("base: &b {amber: 0.1, red: 0.25}\nother: *b\nmerged: {<<: *b, red: 0.3}\n")
    assert read_yaml(path) == {
        "base": {"amber": 0.1, "red": 0.25},
        "other": {"amber": 0.1, "red": 0.25},
        "merged": {"amber": 0.1, "red": 0.3},
    }


def test_recursive_alias_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "loop.yaml"
    path.write_text("a: &a [*a]\n")
    _refused(path)


@pytest.mark.parametrize(
    "text", ["[" * 100 + "]" * 100, "a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 60)), "[" * 100_000]
)
def test_deep_nesting_is_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text(text)
    _refused(path)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("seed: 1\nseed: 2\n", "line 2"),
        ("model:\n  id: a\n  version: '1'\n  id: b\n", "line 4"),
        ("policy:\n  psi: {amber: 0.1, amber: 0.2}\n", "line 2"),
    ],
)
def test_duplicate_keys_are_refused_with_both_lines(tmp_path: Path, text: str, line: str) -> None:
    path = tmp_path / "dup.yaml"
    path.write_text(text)
    assert "twice" in _refused(path, line)


def test_duplicate_keys_in_an_inventory(tmp_path: Path) -> None:
    path = tmp_path / "inventory.yaml"
    path.write_text("models:\n  - id: a\n    id: b\n    parameters: p.yaml\n")
    _refused(path, "twice", "line 3", reader=load_inventory)


def test_a_huge_value_in_a_bad_field_gives_a_short_message(tiny_project: Path) -> None:
    params = write_params(tiny_project, seed="x" * 100_000)
    message = _refused(params, "seed", reader=load_parameters)
    assert "100,000 characters" in message


def test_a_huge_unknown_key_gives_a_short_message(tiny_project: Path) -> None:
    params = write_params(tiny_project, **{"k" * 50_000: 1})
    _refused(params, "unknown key", reader=load_parameters)


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object/apply:os.system ['echo hi']\n",
        "a: !custom 1\n",
        "? [a, b]\n: 1\n",
        "a: b\n\x00\n",
        "a: 'unterminated\n",
        "a: 1\n---\nb: 2\n",
    ],
)
def test_tags_complex_keys_nul_bytes_and_syntax(tmp_path: Path, text: str) -> None:
    path = tmp_path / "odd.yaml"
    path.write_text(text)
    _refused(path)


def test_an_oversized_file_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    with path.open("w") as fh:
        fh.write("a: [" + "1, " * 2_000_000 + "1]\n")
    _refused(path, "bytes")
