"""The audit trail: a hash chain that names every edited, removed, reordered, inserted or broken line."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mrmkit.errors import InvalidInput, InvalidParameters, MrmkitError
from mrmkit.evidence.audit import (
    GENESIS,
    AuditError,
    AuditProblem,
    append,
    canonical,
    head,
    line_hash,
    read,
    verify,
)


def event(i: int) -> dict:
    return {"action": "run", "package": f"out/m/1/run{i}", "manifest_sha256": f"{i:064x}", "outcome": "complete"}


@pytest.fixture
def log(tmp_path: Path) -> Path:
    path = tmp_path / "audit.jsonl"
    for i in range(1, 6):
        append(path, event(i))
    return path


def lines_of(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def write_lines(path: Path, lines: list[str]) -> None:
    path.write_text("".join(lines), encoding="utf-8")


def edit(line: str, rehash: bool = False, **changes) -> str:
    record = {**json.loads(line), **changes}
    if rehash:
        record["hash"] = line_hash(record)
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"


def only(report) -> AuditProblem:
    assert not report.intact
    assert len(report.problems) == 1, report.lines()
    return report.problems[0]


# ------------------------------------------------------------------------------------------------ append


def test_append_writes_a_chain_that_verifies(log: Path) -> None:
    records = read(log)
    assert [r["seq"] for r in records] == [1, 2, 3, 4, 5]
    assert records[0]["prev"] == GENESIS
    for before, after in zip(records, records[1:], strict=False):
        assert after["prev"] == before["hash"]
    for r in records:
        assert r["hash"] == line_hash(r)
        assert r["time"].endswith("Z") and len(r["time"]) == 20
        assert r["user"] and r["host"]
        assert r["action"] == "run" and r["outcome"] == "complete"
    # each line is the canonical JSON of its record, sorted keys, compact, one line each
    for text, r in zip(lines_of(log), records, strict=True):
        assert text == json.dumps(r, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"
    report = verify(log)
    assert report.intact and report.problems == ()
    assert report.n_lines == 5 and report.last_seq == 5 and report.last_hash == records[-1]["hash"]
    assert head(log) == (5, records[-1]["hash"])


def test_append_returns_the_record_written(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    record = append(path, {"action": "verify", "package": tmp_path / "pkg", "note": "café"})
    assert record == read(path)[0]
    assert record["package"] == str(tmp_path / "pkg")  # paths are written as strings
    assert "café".encode() in path.read_bytes()  # UTF-8, not \\u escapes


@pytest.mark.parametrize(
    "bad",
    [{"seq": 7}, {"hash": "x"}, {"x": float("nan")}, {"x": "\ud800"}, {"x": object()}, {1: "a"}, ["action", "run"]],
)
def test_append_rejects_events_it_cannot_record_faithfully(tmp_path: Path, bad) -> None:
    with pytest.raises(InvalidParameters):
        append(tmp_path / "audit.jsonl", bad)
    assert not (tmp_path / "audit.jsonl").exists() or (tmp_path / "audit.jsonl").read_bytes() == b""


def test_append_into_a_missing_folder_is_a_clear_input_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="does not exist"):
        append(tmp_path / "nowhere" / "audit.jsonl", event(1))


def test_append_refuses_a_truncated_last_line(log: Path) -> None:
    data = log.read_bytes()
    log.write_bytes(data[:-20])  # a crash in the middle of the last append
    with pytest.raises(AuditError, match="incomplete") as info:
        append(log, event(6))
    assert info.value.exit_code == 1 and isinstance(info.value, MrmkitError)
    assert log.read_bytes() == data[:-20]  # nothing appended


def test_append_refuses_an_edited_last_line(log: Path) -> None:
    lines = lines_of(log)
    lines[-1] = edit(lines[-1], outcome="failed")
    write_lines(log, lines)
    with pytest.raises(AuditError, match="seq 5"):
        append(log, event(6))
    with pytest.raises(AuditError, match="edited"):
        head(log)


def test_append_refuses_a_malformed_last_line(log: Path) -> None:
    with log.open("a") as f:
        f.write("not json\n")
    with pytest.raises(AuditError, match="malformed"):
        append(log, event(6))


# ------------------------------------------------------------------------------------------------ verify


def test_missing_file_is_invalid_input_and_empty_file_is_intact(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="does not exist"):
        verify(tmp_path / "audit.jsonl")
    with pytest.raises(InvalidInput, match="does not exist"):
        read(tmp_path / "audit.jsonl")
    (tmp_path / "audit.jsonl").write_bytes(b"")
    report = verify(tmp_path / "audit.jsonl")
    assert report.intact and report.n_lines == 0 and report.last_seq is None
    assert read(tmp_path / "audit.jsonl") == []
    assert head(tmp_path / "audit.jsonl") is None


def test_edited_value_names_its_line(log: Path) -> None:
    lines = lines_of(log)
    lines[2] = edit(lines[2], outcome="failed")  # JSON still valid, hash kept
    write_lines(log, lines)
    problem = only(verify(log))
    assert problem.line == 3 and problem.kind == "edited"
    assert "line 3 (seq 3)" in problem.message


def test_edited_value_with_recomputed_hash_is_caught_by_the_next_line(log: Path) -> None:
    lines = lines_of(log)
    lines[2] = edit(lines[2], rehash=True, outcome="failed")
    write_lines(log, lines)
    problem = only(verify(log))
    assert problem.line == 3 and problem.kind == "edited"
    assert "line 3 (seq 3)" in problem.message and "line 4 (seq 4)" in problem.message


def test_removed_middle_line_names_the_missing_seq(log: Path) -> None:
    lines = lines_of(log)
    del lines[2]
    write_lines(log, lines)
    report = verify(log)
    problem = only(report)
    assert problem.line == 3 and problem.kind == "removed"
    assert "seq 3 is missing between line 2 (seq 2) and line 3 (seq 4)" in problem.message
    assert report.n_lines == 4


def test_removed_first_lines_are_named(log: Path) -> None:
    write_lines(log, lines_of(log)[2:])
    problem = only(verify(log))
    assert problem.line == 1 and problem.kind == "removed" and "seqs 1, 2 are missing" in problem.message


def test_removed_last_line_is_invisible_to_the_chain_but_not_to_an_anchor(log: Path) -> None:
    # Limitation: a shorter chain is still a valid chain. Only a head recorded elsewhere (e.g. in a
    # package manifest) reveals the truncation.
    anchor = head(log)
    write_lines(log, lines_of(log)[:-1])
    report = verify(log)
    assert report.intact and report.n_lines == 4 and report.last_seq == 4
    problem = only(verify(log, anchors=dict([anchor])))
    assert problem.kind == "removed" and problem.line == 5 and "seq 5" in problem.message


def test_rewritten_chain_is_caught_by_an_anchor(log: Path) -> None:
    anchor = head(log)
    lines, prev = [], GENESIS
    for text in lines_of(log):  # a forger rewrites every line and every hash
        record = {**json.loads(text), "prev": prev, "outcome": "forged"}
        record["hash"] = prev = line_hash(record)
        lines.append(json.dumps(record, sort_keys=True, separators=(",", ":")) + "\n")
    write_lines(log, lines)
    assert verify(log).intact
    problem = only(verify(log, anchors=dict([anchor])))
    assert problem.kind == "edited" and problem.line == 5


def test_swapped_lines_are_reordered(log: Path) -> None:
    lines = lines_of(log)
    lines[1], lines[2] = lines[2], lines[1]
    write_lines(log, lines)
    problem = only(verify(log))
    assert problem.line == 3 and problem.kind == "reordered"
    assert "line 3 (seq 2) comes after line 2 (seq 3)" in problem.message


def test_swapped_last_lines_are_reordered(log: Path) -> None:
    lines = lines_of(log)
    lines[3], lines[4] = lines[4], lines[3]
    write_lines(log, lines)
    problem = only(verify(log))
    assert problem.line == 5 and problem.kind == "reordered"


def test_truncated_last_line_is_malformed(log: Path) -> None:
    log.write_bytes(log.read_bytes()[:-30])
    report = verify(log)
    problem = only(report)
    assert problem.line == 5 and problem.kind == "malformed" and "incomplete" in problem.message
    assert report.n_lines == 5 and report.last_seq == 4
    with pytest.raises(AuditError, match="Line 5"):
        read(log)


def test_complete_json_without_its_newline_is_still_an_interrupted_append(log: Path) -> None:
    log.write_bytes(log.read_bytes()[:-1])
    problem = only(verify(log))
    assert problem.line == 5 and problem.kind == "malformed"


@pytest.mark.parametrize(
    ("garbage", "reason"),
    [
        ("not json", "not JSON"),
        ("[1, 2]", "not a JSON object"),
        ('{"seq": 3}', "lacks the field"),
        ("", "not JSON"),
    ],
)
def test_malformed_middle_line_is_named_alone(log: Path, garbage: str, reason: str) -> None:
    lines = lines_of(log)
    lines[2] = garbage + "\n"
    write_lines(log, lines)
    problem = only(verify(log))  # the missing seq 3 is explained by the malformed line, not reported twice
    assert problem.line == 3 and problem.kind == "malformed" and reason in problem.message


def test_duplicate_keys_are_malformed(log: Path) -> None:
    lines = lines_of(log)
    lines[1] = lines[1].rstrip("\n")[:-1] + ',"outcome":"failed"}\n'  # a second 'outcome' a naive reader may see
    write_lines(log, lines)
    problem = only(verify(log))
    assert problem.line == 2 and problem.kind == "malformed" and "twice" in problem.message


def test_inserted_forged_line_is_named(log: Path) -> None:
    lines = lines_of(log)
    genuine = json.loads(lines[2])  # seq 3
    forged = {**genuine, "outcome": "approved", "time": "2020-01-01T00:00:00Z"}
    forged["hash"] = line_hash(forged)  # a self-consistent line that claims seq 3 after seq 2
    lines.insert(2, json.dumps(forged, sort_keys=True, separators=(",", ":")) + "\n")
    write_lines(log, lines)
    problem = only(verify(log))
    assert problem.line == 3 and problem.kind == "inserted"
    assert "line 3 (seq 3) repeats the seq of line 4" in problem.message


def test_inserted_line_without_a_valid_hash_is_edited(log: Path) -> None:
    lines = lines_of(log)
    lines.insert(2, edit(lines[2], outcome="approved"))
    write_lines(log, lines)
    problem = only(verify(log))
    assert problem.line == 3 and problem.kind == "edited"


def test_first_line_must_start_from_genesis(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    append(path, event(1))
    write_lines(path, [edit(lines_of(path)[0], rehash=True, prev="1" * 64)])
    problem = only(verify(path))
    assert problem.line == 1 and problem.kind == "edited"


def test_report_lines_and_dict(log: Path) -> None:
    lines = lines_of(log)
    lines[0] = edit(lines[0], outcome="x")
    del lines[3]
    write_lines(log, lines)
    report = verify(log)
    assert [(p.line, p.kind) for p in report.problems] == [(1, "edited"), (4, "removed")]
    assert report.lines()[0].startswith("line 1: edited: line 1 (seq 1)")
    assert json.loads(json.dumps(report.to_dict()))["intact"] is False


# ---------------------------------------------------------------------------------------------- canonical


def test_canonical_hash_is_deterministic_and_independent_of_key_order() -> None:
    a = {"seq": 1, "time": "2026-01-01T00:00:00Z", "user": "val", "host": "h", "prev": GENESIS, "x": "é"}
    b = dict(reversed(list(a.items())))
    assert canonical(a) == canonical(b) == canonical({**a, "hash": "ignored"})
    expected_text = '{"host":"h","prev":"' + GENESIS + '","seq":1,"time":"2026-01-01T00:00:00Z","user":"val","x":"é"}'
    assert canonical(a) == expected_text.encode("utf-8")
    # printf '%s' "$expected_text" | sha256sum  (computed independently with coreutils)
    assert line_hash(a) == "0bcbea8789283e1f3dcf2ce139c235d400a41607465d9770e9a6592521424ea2"
    assert line_hash(a) == hashlib.sha256(expected_text.encode("utf-8")).hexdigest()


# ------------------------------------------------------------------------------------------- concurrency


def _append_many(path: str, worker: int, n: int) -> None:
    for i in range(n):
        append(Path(path), {"action": "run", "worker": worker, "i": i})


def test_two_processes_appending_concurrently_form_one_chain(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_append_many, args=(str(path), w, 50)) for w in (1, 2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    report = verify(path)
    assert report.intact, report.lines()
    records = read(path)
    assert [r["seq"] for r in records] == list(range(1, 101))
    for w in (1, 2):
        assert [r["i"] for r in records if r["worker"] == w] == list(range(50))


# -------------------------------------------------------------------------------------------- properties

_keys = st.text(min_size=1, max_size=8).filter(lambda k: k not in {"seq", "time", "user", "host", "prev", "hash"})
_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.dictionaries(_keys, _values, max_size=4), max_size=6))
def test_any_sequence_of_appends_verifies_intact(events: list[dict]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "audit.jsonl"
        path.touch()
        for e in events:
            append(path, e)
        report = verify(path)
        assert report.intact, report.lines()
        assert report.n_lines == len(events)
        for e, r in zip(events, read(path), strict=True):
            assert {k: r[k] for k in e} == json.loads(json.dumps(e))
