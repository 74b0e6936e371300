"""Failures that were tracebacks: a full disk during a workbook, a notebook cut short, SIGTERM while a kernel
starts, column types mrmkit cannot use, text from data read as mathematics by matplotlib, and an audit trail
that cannot grow. Each is one sentence and the exit code the README's table promises."""

from __future__ import annotations

import errno
import io
import json
import resource
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import typer
from typer.testing import CliRunner

from mrmkit.cli import app
from mrmkit.errors import InvalidInput, PublishError
from mrmkit.evidence import audit
from mrmkit.io import read_frame
from mrmkit.run import execute as run_module
from mrmkit.run import publish as publish_module
from tests.conftest import make_frame, write_params

cli = CliRunner()


# ------------------------------------------------------------------------------------- disk full, cut short


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EFBIG, errno.EDQUOT])
@pytest.mark.parametrize("wrapped", [False, True])
def test_a_full_disk_while_a_workbook_runs_publishes_nothing(tmp_path, monkeypatch, code, wrapped) -> None:
    import papermill as pm

    def execute(*args, **kwargs):
        Path(args[1]).write_text('{"cells": [')  # what a write cut short leaves
        error = OSError(code, "No space left on device")
        if wrapped:
            try:
                raise error
            except OSError:
                raise RuntimeError("could not save the notebook") from error
        raise error

    monkeypatch.setattr(pm, "execute_notebook", execute)
    nb = tmp_path / "in.ipynb"
    nb.write_text("{}")
    with pytest.raises(PublishError, match="nothing was published") as caught:
        run_module.execute_notebook(nb, tmp_path / "out.ipynb", {}, tmp_path)
    assert caught.value.exit_code == 2


@pytest.mark.parametrize("content", ['{"cells": [', "", '{"cells": [], "metadata": {', "\x00\x00"])
@pytest.mark.parametrize("failed", [False, True, "kernel died"])
def test_a_truncated_notebook_is_one_sentence_not_not_json(tmp_path, monkeypatch, content, failed) -> None:
    import papermill as pm

    def execute(*args, **kwargs):
        Path(args[1]).write_text(content)
        if failed == "kernel died":
            raise RuntimeError("Kernel died")
        if failed:
            raise pm.PapermillExecutionError(0, 1, "raise ValueError", "ValueError", "boom", [])

    monkeypatch.setattr(pm, "execute_notebook", execute)
    with pytest.raises(PublishError, match="cut short"):
        run_module.execute_notebook(tmp_path / "in.ipynb", tmp_path / "out.ipynb", {}, tmp_path)


def test_a_whole_notebook_is_still_a_workbook_result(tmp_path, monkeypatch) -> None:
    import papermill as pm

    monkeypatch.setattr(pm, "execute_notebook", lambda *a, **k: Path(a[1]).write_text('{"cells": []}'))
    assert run_module.execute_notebook(tmp_path / "in.ipynb", tmp_path / "out.ipynb", {}, tmp_path) is None


# -------------------------------------------------------------------------------------------- SIGTERM


@pytest.fixture
def terminated():
    from mrmkit import errors

    errors.terminating(15)
    yield
    errors._TERMINATING.clear()


@pytest.mark.parametrize("error", ["zmq", "runtime", "asyncio"])
def test_sigterm_while_a_kernel_starts_is_an_interruption(tmp_path, monkeypatch, terminated, error) -> None:
    import asyncio

    import papermill as pm
    import zmq

    raised = {
        "zmq": zmq.ZMQError(errno.ENOTSOCK),
        "runtime": RuntimeError("Kernel died before replying to kernel_info"),
        "asyncio": asyncio.CancelledError(),
    }[error]

    def execute(*args, **kwargs):
        raise raised

    monkeypatch.setattr(pm, "execute_notebook", execute)
    if error == "asyncio":  # not an Exception: it already unwinds like an interruption
        with pytest.raises(asyncio.CancelledError):
            run_module.execute_notebook(tmp_path / "in.ipynb", tmp_path / "out.ipynb", {}, tmp_path)
        return
    with pytest.raises(KeyboardInterrupt):
        run_module.execute_notebook(tmp_path / "in.ipynb", tmp_path / "out.ipynb", {}, tmp_path)


@pytest.mark.parametrize("error", ["zmq", "os", "value"])
def test_the_command_line_ends_a_terminated_command_with_130(terminated, error) -> None:
    import zmq

    from mrmkit.cli._console import _guard

    @_guard
    def command() -> None:
        raise {"zmq": zmq.ZMQError(errno.EINTR), "os": OSError(errno.EBADF, "bad"), "value": ValueError("x")}[error]

    with pytest.raises(typer.Exit) as caught:
        command()
    assert caught.value.exit_code == 130


def test_without_a_signal_a_bug_is_still_a_traceback() -> None:
    from mrmkit.cli._console import _guard

    @_guard
    def command() -> None:
        raise ValueError("a bug")

    with pytest.raises(ValueError):
        command()


# ---------------------------------------------------------------------------------- unusable column types


def _frame() -> pd.DataFrame:
    return make_frame(np.random.default_rng(1), 50, 0.0, "2024-01-01")


UNUSABLE = {
    "list<double>": pa.array([[1.0, 2.0]] * 50, type=pa.list_(pa.float64())),
    "large_list": pa.array([[1]] * 50, type=pa.large_list(pa.int64())),
    "fixed_size_list": pa.array([[1, 2]] * 50, type=pa.list_(pa.int64(), 2)),
    "struct": pa.array([{"a": 1.0, "b": "x"}] * 50),
    "map": pa.array([[("k", 1)]] * 50, type=pa.map_(pa.string(), pa.int64())),
    "binary": pa.array([b"\x00\x01"] * 50, type=pa.binary()),
    "large_binary": pa.array([b"xy"] * 50, type=pa.large_binary()),
    "fixed_size_binary": pa.array([b"ab"] * 50, type=pa.binary(2)),
    "dictionary<binary>": pa.array([b"ab"] * 50, type=pa.binary()).dictionary_encode(),
    "list<string>": pa.array([["a", "b"]] * 50, type=pa.list_(pa.string())),
}


def _write(path: Path, name: str, column: pa.Array, replace: str | None = None) -> Path:
    table = pa.Table.from_pandas(_frame(), preserve_index=False)
    if replace is not None:
        table = table.set_column(table.schema.get_field_index(replace), replace, column)
    else:
        table = table.append_column(name, column)
    pq.write_table(table, path)
    return path


@pytest.mark.parametrize("kind", sorted(UNUSABLE))
def test_a_column_of_an_unusable_type_is_refused_at_the_edge(tmp_path, kind) -> None:
    path = _write(tmp_path / "data.parquet", "odd", UNUSABLE[kind])
    with pytest.raises(InvalidInput, match=r"data.reference: column 'odd' in .*data.parquet"):
        read_frame(path, "data.reference")
    # a file whose odd column is not used is read (only the used columns are checked)
    assert "odd" not in read_frame(path, "data.reference", ["income"]).columns


@pytest.mark.parametrize("kind", ["list<double>", "struct", "binary", "map"])
def test_run_refuses_an_unusable_feature_with_nothing_published(tmp_path, kind) -> None:
    (tmp_path / "data").mkdir()
    _write(tmp_path / "data" / "reference.parquet", "", UNUSABLE[kind], replace="utilisation")
    _frame().to_parquet(tmp_path / "data" / "current.parquet", index=False)
    params = write_params(tmp_path)
    result = cli.invoke(app, ["run", str(params), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert "utilisation" in result.stderr and "reference.parquet" in result.stderr
    assert not list((tmp_path / "out").glob("*/*/*"))


# ------------------------------------------------------------------------------------------- mathtext


NAMES = ["$x$", "$\\frac{$", "a$b", "\\", "$$", "cost_$_{usd}", "$\\alpha^{2}$", "50% $ $", "\\n\\t", "$\\undefined$"]


@pytest.mark.parametrize("name", NAMES)
def test_feature_names_reach_figures_as_plain_text(name) -> None:
    from mrmkit.present import plots

    psi = pd.Series([0.05, 0.3], index=[name, "other"])
    status = pd.Series(["green", "red"], index=[name, "other"])
    figure = plots.psi_by_feature(psi, status, 0.1, 0.25)
    figure.savefig(io.BytesIO(), format="png")  # drawing parses the text: mathtext would fail here
    labels = [t.get_text() for ax in figure.axes for t in ax.get_yticklabels()]
    assert name in labels


@pytest.mark.parametrize("name", NAMES[:5])
def test_plain_text_holds_for_any_figure_and_after_a_reset(name) -> None:
    import matplotlib
    from matplotlib.figure import Figure

    from mrmkit.present.plots import plain_text

    matplotlib.rcParams["text.parse_math"] = True  # what a notebook or another library may leave behind
    from mrmkit.workbooks.session import _print_resolution

    _print_resolution()  # the workbook session sets it again
    plain_text()
    figure = Figure()
    ax = figure.add_subplot()
    ax.set_title(name)
    ax.set_xlabel(name)
    ax.bar([name], [1.0])
    figure.savefig(io.BytesIO(), format="png")


# ------------------------------------------------------------------------------- an audit trail that is full


def test_a_log_that_cannot_grow_publishes_nothing_with_exit_2(tmp_path) -> None:
    log = tmp_path / "audit.jsonl"
    audit.append(log, {"action": "verify"})
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (log.stat().st_size + 10, hard))  # as `ulimit -f` does
    try:
        with pytest.raises(PublishError, match="nothing was published") as caught:
            publish_module._append_run(log, {"action": "run", "run_id": "r"})
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert caught.value.exit_code == 2
    assert len(log.read_text().splitlines()) == 1  # the log left as it was


@pytest.mark.parametrize("damage", ["cut", "edited"])
def test_a_damaged_log_publishes_nothing_with_exit_2(tmp_path, damage) -> None:
    log = tmp_path / "audit.jsonl"
    audit.append(log, {"action": "verify"})
    text = log.read_text()
    log.write_text(text[:-5] if damage == "cut" else text.replace("verify", "verifx"))
    with pytest.raises(PublishError) as caught:
        publish_module._append_run(log, {"action": "run", "run_id": "r"})
    assert caught.value.exit_code == 2


def test_the_readme_exit_table_says_so() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    row = next(line for line in readme.splitlines() if line.startswith("| `run` |"))
    assert "audit trail could not be written" in row and "2 " in row
    assert json.dumps  # keeps the import used in every test selection
