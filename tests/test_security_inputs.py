"""Bad input is refused at the edge, before anything runs: one sentence naming the file and the field.

Each variant goes through `mrmkit run`: exit code 2, one error line, no traceback, nothing in --out.
Silent wrong answers (renamed duplicate columns, dates guessed row by row, epoch numbers read as 1970, a
version published under another name) are refused too.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from mrmkit.cli import app
from tests.conftest import write_params

runner = CliRunner()


def _refused(params: Path, out: Path, *fragments: str) -> str:
    result = runner.invoke(app, ["run", str(params), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.output
    for fragment in fragments:
        assert fragment in errors[0], errors[0]
    assert not out.exists() or not [p for p in out.rglob("*") if p.is_file() and p.name != "audit.jsonl"]
    return errors[0]


def _frame(project: Path, sample: str) -> pd.DataFrame:
    return pd.read_parquet(project / "data" / f"{sample}.parquet")


def _as_csv(project: Path, sample: str, edit=None, text=None) -> Path:
    """The sample as CSV (edited first), the parameter file pointing at it."""
    frame = _frame(project, sample)
    if edit is not None:
        edit(frame)
    path = project / "data" / f"{sample}.csv"
    if text is None:
        frame.to_csv(path, index=False)
    else:
        path.write_bytes(text(frame.to_csv(index=False)).encode() if callable(text) else text)
    write_params(project, **{f"data__{sample}": f"data/{sample}.csv"})
    return project / "params.yaml"


def _parquet(project: Path, sample: str, edit) -> Path:
    frame = _frame(project, sample)
    edit(frame)
    frame.to_parquet(project / "data" / f"{sample}.parquet", index=False)
    return project / "params.yaml"


@pytest.mark.parametrize("value", [np.inf, -np.inf])
def test_infinite_values_in_a_feature(tiny_project: Path, value: float) -> None:
    params = _parquet(
        tiny_project, "current", lambda f: f.__setitem__("income", f["income"].where(f.index != 5, value))
    )
    _refused(params, tiny_project / "out", "data.current", "'income'", "infinite", "row 7")


def test_infinite_scores(tiny_project: Path) -> None:
    params = _parquet(
        tiny_project, "reference", lambda f: f.__setitem__("score", f["score"].where(f.index != 0, np.inf))
    )
    _refused(params, tiny_project / "out", "data.score", "infinite")


@pytest.mark.parametrize("sample", ["reference", "current"])
def test_a_feature_missing_in_a_whole_sample(tiny_project: Path, sample: str) -> None:
    params = _parquet(tiny_project, sample, lambda f: f.__setitem__("utilisation", np.nan))
    _refused(params, tiny_project / "out", f"data.{sample}", "'utilisation'", "no value at all")


@pytest.mark.parametrize("seed", [-1, 2**32, True, 1.5, "7"])
def test_seeds_outside_what_every_library_accepts(tiny_project: Path, seed) -> None:
    _refused(write_params(tiny_project, seed=seed), tiny_project / "out", "seed")


def test_the_largest_seed_is_accepted(tiny_project: Path) -> None:
    from mrmkit.params import load_parameters

    assert load_parameters(write_params(tiny_project, seed=2**32 - 1)).seed == 2**32 - 1


@pytest.mark.parametrize("text", ["version: 1.10", "version: 2", "version: 1.0e+3", "version: 010", "version: true"])
def test_a_version_yaml_reads_as_a_number_is_refused(tiny_project: Path, text: str) -> None:
    params = write_params(tiny_project)
    params.write_text(params.read_text().replace("version: '1.0'", text))
    assert text in params.read_text()
    _refused(params, tiny_project / "out", "model.version", "quotes")


def test_a_model_id_yaml_reads_as_a_number_is_refused(tiny_project: Path) -> None:
    params = write_params(tiny_project)
    params.write_text(params.read_text().replace("id: tiny-pd", "id: 007"))
    _refused(params, tiny_project / "out", "model.id")


@pytest.mark.parametrize("as_of", ["2026-02-30", "2026-13-01", "yesterday"])
def test_an_impossible_as_of_date(tiny_project: Path, as_of: str) -> None:
    params = write_params(tiny_project, backtest={"as_of": "AS_OF"})
    params.write_text(params.read_text().replace("AS_OF", as_of))
    _refused(params, tiny_project / "out", str(params.name))


def test_duplicate_column_names_in_a_csv(tiny_project: Path) -> None:
    params = _as_csv(
        tiny_project, "current", text=lambda t: t.replace("utilisation,enquiries", "utilisation,income", 1)
    )
    _refused(params, tiny_project / "out", "data.current", "duplicated column names", "income")


@pytest.mark.parametrize(
    ("dates", "fragment"),
    [
        (lambda f: f["app_date"].dt.strftime("%d/%m/%Y"), "not ISO 8601"),  # day-first for some, month-first others
        (lambda f: f["app_date"].astype("int64") // 10**9, "numbers"),  # epoch seconds
        (lambda f: f["app_date"].astype("int64") // 10**6, "numbers"),  # epoch milliseconds
        (lambda f: f["app_date"].dt.strftime("%Y-%m-%d").where(f.index != 3, "2025-02-30"), "impossible"),
        (
            lambda f: (
                f["app_date"]
                .dt.strftime("%Y-%m-%dT00:00:00+01:00")
                .where(f.index % 2 == 0, "2025-01-01T00:00:00+02:00")
            ),
            "time zones",
        ),
        (lambda f: f["app_date"].dt.strftime("%Y-%m-%d").where(f.index != 4, "soon"), "row 6"),
    ],
)
def test_dates_are_iso_8601_in_one_time_zone(tiny_project: Path, dates, fragment: str) -> None:
    params = _as_csv(tiny_project, "current", edit=lambda f: f.__setitem__("app_date", dates(f)))
    _refused(params, tiny_project / "out", "data.time", "'app_date'", fragment)


def test_iso_dates_with_one_offset_are_read_as_local_dates(tiny_project: Path) -> None:
    from mrmkit.io import load_inputs
    from mrmkit.params import load_parameters

    params = _as_csv(
        tiny_project,
        "current",
        edit=lambda f: f.__setitem__("app_date", f["app_date"].dt.strftime("%Y-%m-%dT%H:%M:%S+01:00")),
    )
    current = load_inputs(load_parameters(params)).current
    assert current["app_date"].dt.tz is None
    assert current["app_date"].iloc[0] == _frame(tiny_project, "current")["app_date"].iloc[0]


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"\x00" * 4096, "NUL"),
        (b"app_id,income\n1,2\n\x00\x00,3\n", "NUL"),
        (b"", "header"),
        (b"app_id,income,utilisation\n1,2\n3,4,5,6\n", "cannot be read as csv"),
        (b"\xff\xfe\x00a\x00b", "NUL"),
    ],
)
def test_odd_csv_files(tiny_project: Path, content: bytes, fragment: str) -> None:
    params = _as_csv(tiny_project, "current", text=content)
    _refused(params, tiny_project / "out", "data.current", fragment)


def test_a_header_only_csv_has_no_rows(tiny_project: Path) -> None:
    params = _as_csv(tiny_project, "current", text=lambda t: t.splitlines()[0] + "\n")
    _refused(params, tiny_project / "out", "data.current", "no rows")


def test_a_csv_with_a_bom_is_read(tiny_project: Path) -> None:
    from mrmkit.io import load_inputs
    from mrmkit.params import load_parameters

    params = _as_csv(tiny_project, "current", text=lambda t: "\ufeff" + t)
    assert "app_id" in load_inputs(load_parameters(params)).current.columns


def test_a_huge_csv_is_refused_before_reading(tiny_project: Path, monkeypatch) -> None:
    path = tiny_project / "data" / "current.csv"
    with path.open("wb") as fh:  # a sparse 5 GB file: refused by its size, in no time
        fh.truncate(5 * 1024**3)
    write_params(tiny_project, data__current="data/current.csv")
    start = time.perf_counter()
    _refused(tiny_project / "params.yaml", tiny_project / "out", "data.current", "bytes")
    assert time.perf_counter() - start < 5
    monkeypatch.setenv("MRMKIT_MAX_CSV_BYTES", "1000")
    _as_csv(tiny_project, "current")
    _refused(tiny_project / "params.yaml", tiny_project / "out", "MRMKIT_MAX_CSV_BYTES")


def test_a_very_wide_file_costs_only_its_used_columns(tiny_project: Path) -> None:
    from mrmkit.io import load_inputs
    from mrmkit.params import load_parameters

    for sample in ("reference", "current"):
        frame = _frame(tiny_project, sample)
        extra = pd.DataFrame(np.zeros((len(frame), 5000)), columns=[f"unused_{i}" for i in range(5000)])
        pd.concat([frame, extra], axis=1).to_csv(tiny_project / "data" / f"{sample}.csv", index=False)
    params = write_params(tiny_project, data__reference="data/reference.csv", data__current="data/current.csv")
    start = time.perf_counter()
    inputs = load_inputs(load_parameters(params))
    assert time.perf_counter() - start < 30
    assert inputs.current.shape[1] < 20


def test_a_parquet_file_with_duplicate_columns(tiny_project: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    frame = _frame(tiny_project, "current")
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.append_column("income", table.column("utilisation"))
    pq.write_table(table, tiny_project / "data" / "current.parquet")
    _refused(tiny_project / "params.yaml", tiny_project / "out", "data.current", "duplicated column names", "income")


def test_text_dates_in_a_parquet_file_follow_the_same_rule(tiny_project: Path) -> None:
    params = _parquet(
        tiny_project, "current", lambda f: f.__setitem__("app_date", f["app_date"].dt.strftime("%m/%d/%Y"))
    )
    _refused(params, tiny_project / "out", "data.time", "not ISO 8601")
