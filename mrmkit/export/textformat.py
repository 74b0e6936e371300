"""The Prometheus text exposition format (version 0.0.4), written by hand and exactly to its specification.

A file in this format is what node_exporter's textfile collector reads (``*.prom`` in the folder given by
``--collector.textfile.directory``). :func:`render` turns samples into the text: one ``# HELP`` and one
``# TYPE`` line per metric family, then its samples, families sorted by name and samples by their label
values, so the same samples always give the same bytes. :func:`write_atomic` writes the file so that a
reader never sees half of it.

Escaping (https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format):

- a label value escapes backslash as ``\\\\``, double quote as ``\\"`` and line feed as ``\\n``; every other
  character, carriage returns and tabs included, is written as it is, in UTF-8;
- HELP text escapes backslash and line feed only;
- a value is a Go float: ``repr`` of the float (which round-trips exactly), ``+Inf``, ``-Inf`` or ``NaN``.

Metric and label names are fixed in code and checked against the format's name rules when a family is
declared (:class:`Family`), so no name from data ever becomes a metric name. No sample carries a
timestamp: the textfile collector refuses files that do.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from mrmkit.errors import MrmkitError

__all__ = [
    "Family",
    "Sample",
    "render",
    "escape_label_value",
    "escape_help",
    "format_value",
    "check_target",
    "write_atomic",
]

METRIC_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")
LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
TYPES = ("gauge", "counter", "untyped")


@dataclass(frozen=True, slots=True)
class Family:
    """One metric family: its name, type, HELP text and the names of its labels, in the order written."""

    name: str
    type: str
    help: str
    labels: tuple[str, ...]

    def __post_init__(self) -> None:
        if not METRIC_NAME.match(self.name):
            raise ValueError(f"{self.name!r} is not a valid Prometheus metric name")
        if self.type not in TYPES:
            raise ValueError(f"{self.name}: type {self.type!r} is not one of {', '.join(TYPES)}")
        bad = [label for label in self.labels if not LABEL_NAME.match(label) or label.startswith("__")]
        if bad or len(set(self.labels)) != len(self.labels):
            raise ValueError(f"{self.name}: invalid or repeated label names {self.labels!r}")


@dataclass(frozen=True, slots=True)
class Sample:
    """One sample of a family: its label values (in the family's label order) and its value."""

    family: Family
    values: tuple[str, ...]
    value: float

    def __post_init__(self) -> None:
        if len(self.values) != len(self.family.labels):
            raise ValueError(f"{self.family.name}: {len(self.values)} label values for labels {self.family.labels}")


def _unicode(text: str) -> str:
    """``text`` as valid Unicode: a lone surrogate (possible in JSON, impossible in UTF-8) becomes U+FFFD."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def escape_label_value(value: str) -> str:
    """A label value as written between the double quotes: ``\\``, ``"`` and line feed escaped."""
    return _unicode(str(value)).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def escape_help(text: str) -> str:
    """HELP text: backslash and line feed escaped (a double quote stays as it is)."""
    return _unicode(text).replace("\\", "\\\\").replace("\n", "\\n")


def format_value(value: float) -> str:
    """A sample value as Prometheus parses it: ``repr`` for a finite float, ``+Inf``, ``-Inf``, ``NaN``."""
    if isinstance(value, bool):
        raise TypeError("a boolean is not a sample value; convert it to 0 or 1 first")
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value))


def _line(sample: Sample) -> str:
    pairs = ",".join(
        f'{label}="{escape_label_value(v)}"' for label, v in zip(sample.family.labels, sample.values, strict=True)
    )
    return (
        f"{sample.family.name}{{{pairs}}} {format_value(sample.value)}"
        if pairs
        else (f"{sample.family.name} {format_value(sample.value)}")
    )


def render(samples: Iterable[Sample]) -> str:
    """The exposition text of ``samples``: families by name, samples by label values; empty families omitted.

    Two samples of one family with the same label values are a programming error (Prometheus would
    reject the file), raised as ``ValueError``.
    """
    families: dict[str, list[Sample]] = {}
    for sample in samples:
        families.setdefault(sample.family.name, []).append(sample)
    lines: list[str] = []
    for name in sorted(families):
        members = sorted(families[name], key=lambda s: s.values)
        family = members[0].family
        if any(m.family != family for m in members):
            raise ValueError(f"{name} is declared twice with different types, help or labels")
        keys = [m.values for m in members]
        if len(set(keys)) != len(keys):
            raise ValueError(f"{name} has two samples with the same labels")
        lines.append(f"# HELP {name} {escape_help(family.help)}")
        lines.append(f"# TYPE {name} {family.type}")
        lines += [_line(m) for m in members]
    return "".join(line + "\n" for line in lines)


def check_target(path: Path, option: str = "--out") -> Path:
    """``path`` if a file can be written there: its folder exists and it is not a folder itself.

    Checked before any work, so a wrong ``--out`` costs nothing and writes nothing.
    """
    path = Path(path)
    if path.is_dir():
        raise MrmkitError(f"{option}: {path} is a folder; give a file name such as {path / 'mrmkit.prom'}.")
    if not path.parent.is_dir():
        raise MrmkitError(f"{option}: the folder {path.parent} does not exist; create it or choose another file.")
    return path


def write_atomic(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` through a temporary file in the same folder, renamed over it when complete.

    A reader (node_exporter's textfile collector) sees the old file or the new one, never part of one.
    The temporary file starts with a dot and ends in ``.tmp``, so the collector (which reads ``*.prom``)
    never picks it up. The file is made readable by everyone (mode 0644): node_exporter usually runs as
    another user. :class:`~mrmkit.errors.MrmkitError` if the folder is missing or cannot be written.
    """
    path = check_target(path)
    folder = path.parent
    data = text.encode("utf-8")
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise MrmkitError(f"--out: cannot write in {folder} ({exc.strerror or exc}).") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
            os.fchmod(handle.fileno(), 0o644)
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise MrmkitError(f"--out: {path} could not be written ({exc.strerror or exc}).") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
