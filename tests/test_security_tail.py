"""The audit trail's tail: a signed checkpoint, run lines whose package is gone, withdrawn packages, one run line
per run, and a log that is no regular file or never ends. Packages here are made by hand (no workbook runs)."""

from __future__ import annotations

import json
import os
import shutil
import tracemalloc
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mrmkit.cli import app
from mrmkit.errors import MrmkitError
from mrmkit.evidence import audit
from mrmkit.evidence.audit.checkpoint import checkpoint_path
from mrmkit.evidence.signing import init_keys, public_key_text
from tests.security_helpers import hand_package as package

runner = CliRunner()


@pytest.fixture
def keys(tmp_path, monkeypatch):
    """A signing key of one's own (in a private config folder); returns the public key's one-line form."""
    monkeypatch.setenv("MRMKIT_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("MRMKIT_SIGNING_KEY", raising=False)
    monkeypatch.delenv("MRMKIT_TRUSTED_KEYS", raising=False)
    _, public = init_keys()
    return public_key_text(public)


@pytest.fixture
def trail(tmp_path, keys):
    """Two packages, each verified once: run, verify, run (red), verify, verify; with the key's checkpoint."""
    out = tmp_path / "out"
    first = package(out, "20260101T000000Z-aaaaaaaa")
    assert runner.invoke(app, ["verify", str(first)]).exit_code == 0
    second = package(out, "20260102T000000Z-bbbbbbbb", red=3)
    for _ in range(2):
        assert runner.invoke(app, ["verify", str(second)]).exit_code == 0
    log = out / audit.AUDIT_LOG
    assert audit_verify(log, "--key", keys).exit_code == 0
    return log, keys, [first, second]


def audit_verify(log: Path, *extra: str):
    return runner.invoke(app, ["audit", "verify", str(log), *extra])


def lines(log: Path) -> list[str]:
    return log.read_text().splitlines(keepends=True)


def rechain(records: list[dict], start: int) -> list[str]:
    """Records re-hashed from ``start`` on, each ``prev`` pointing to the one before: a forger's consistent chain."""
    for i in range(start, len(records)):
        if i > 0:
            records[i]["prev"] = records[i - 1]["hash"]
        records[i]["hash"] = audit.line_hash(records[i])
    return [json.dumps(r, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n" for r in records]


# ------------------------------------------------------------------------------------------ the checkpoint


def test_every_append_with_a_key_signs_the_checkpoint(trail) -> None:
    log, _, _ = trail
    record = json.loads(checkpoint_path(log).read_text())
    last = json.loads(lines(log)[-1])
    assert (record["seq"], record["head"]) == (last["seq"], last["hash"])


@pytest.mark.parametrize("cut", [1, 2, 3, 4])
def test_removing_trailing_lines_is_seen_with_the_key(trail, cut) -> None:
    """The verify lines after the newest run line, then that run line too: the chain stays valid."""
    log, key, _ = trail
    log.write_text("".join(lines(log)[:-cut]))
    assert audit.verify(log).intact  # the chain alone cannot see it
    result = audit_verify(log, "--key", key)
    assert result.exit_code == 1
    assert "were removed" in result.stdout


def test_without_a_key_the_output_says_the_tail_is_not_proven(trail) -> None:
    log, _, _ = trail
    log.write_text("".join(lines(log)[:-2]))
    os.unlink(checkpoint_path(log))
    result = audit_verify(log)
    assert "not proven" in result.stdout
    assert "tail proven" not in result.stdout


@pytest.mark.parametrize(
    "change",
    [
        {"outcome": "green"},
        {"outcome": "altered: nothing"},
        {"extra": "field"},
        {"manifest_sha256": "0" * 64},
        {"user": "someone-else"},
        {"time": "2020-01-01T00:00:00Z"},
    ],
)
@pytest.mark.parametrize("back", [1, 3])
def test_a_rechained_edit_of_the_newest_lines_is_seen_with_the_key(trail, change, back) -> None:
    log, key, _ = trail
    records = [json.loads(line) for line in lines(log)]
    records[-back].update(change)
    log.write_text("".join(rechain(records, len(records) - back)))
    assert audit.verify(log).intact
    result = audit_verify(log, "--key", key)
    assert result.exit_code == 1
    assert "rewritten" in result.stdout


def test_a_whole_chain_rewritten_is_seen_with_the_key(tmp_path, keys) -> None:
    """A folder whose only package records audit_head null: every line re-hashed from the first."""
    out = tmp_path / "out"
    package(out, "20260101T000000Z-aaaaaaaa", red=2)
    log = out / audit.AUDIT_LOG
    records = [json.loads(line) for line in lines(log)]
    records[0]["outcome"] = "complete, no findings"
    log.write_text("".join(rechain(records, 0)))
    assert audit_verify(log).exit_code == 1  # the checkpoint left in place disagrees, key or not
    checkpoint_path(log).unlink()  # so the forger removes it too
    result = audit_verify(log)
    assert result.exit_code == 0 and "not proven" in result.stdout  # without the key nothing can tell
    assert audit_verify(log, "--key", keys).exit_code == 1


@pytest.mark.parametrize("how", ["deleted", "other key", "garbled", "edited", "fifo", "older"])
def test_a_checkpoint_that_is_not_the_keys_is_a_problem(trail, tmp_path, monkeypatch, how) -> None:
    log, key, _ = trail
    cp = checkpoint_path(log)
    if how == "deleted":
        cp.unlink()
    elif how == "other key":
        monkeypatch.setenv("MRMKIT_CONFIG_DIR", str(tmp_path / "forger"))
        init_keys()
        audit.append(log, {"action": "verify", "outcome": "intact"})  # signs with the forger's key
    elif how == "garbled":
        cp.write_text("{not json")
    elif how == "edited":
        record = json.loads(cp.read_text())
        record["seq"] -= 1
        cp.write_text(json.dumps(record))
    elif how == "fifo":
        cp.unlink()
        os.mkfifo(cp)
    else:  # an older checkpoint kept back, and a line appended without any key
        monkeypatch.setenv("MRMKIT_CONFIG_DIR", str(tmp_path / "nokey"))
        audit.append(log, {"action": "verify", "outcome": "intact"})
    result = audit_verify(log, "--key", key)
    assert result.exit_code == 1, result.stdout
    assert "Traceback" not in result.stdout


def test_a_copy_of_an_older_checkpoint_catches_a_log_cut_back_to_it(trail, tmp_path) -> None:
    log, key, _ = trail
    kept = tmp_path / "kept.checkpoint"
    shutil.copy(checkpoint_path(log), kept)
    old = lines(log)
    audit.append(log, {"action": "verify", "outcome": "intact"})
    saved_cp = checkpoint_path(log).read_text()
    assert audit_verify(log, "--key", key, "--checkpoint", str(kept)).exit_code == 0
    log.write_text("".join(old[:-1]))  # cut back before the copy's head, and the checkpoint rolled back
    checkpoint_path(log).write_text(saved_cp)
    assert audit_verify(log, "--key", key, "--checkpoint", str(kept)).exit_code == 1


def test_the_key_can_come_from_the_trust_setting(trail, tmp_path, monkeypatch) -> None:
    log, key, _ = trail
    keyfile = tmp_path / "trusted.keys"
    keyfile.write_text(f"# the validation team\n{key}\n")
    monkeypatch.setenv("MRMKIT_TRUSTED_KEYS", str(keyfile))
    assert "tail proven" in audit_verify(log).stdout
    log.write_text("".join(lines(log)[:-1]))
    assert audit_verify(log).exit_code == 1


# -------------------------------------------------------------------------------- packages that are gone


@pytest.mark.parametrize("which", [0, 1])
def test_a_deleted_package_is_seen_even_with_an_unbroken_chain(trail, which) -> None:
    log, key, packages = trail
    shutil.rmtree(packages[which])
    for extra in ((), ("--key", key)):
        result = audit_verify(log, *extra)
        assert result.exit_code == 1
        assert "is gone" in result.stdout and packages[which].name in result.stdout


def test_a_deleted_model_folder_is_seen(trail) -> None:
    log, _, packages = trail
    shutil.rmtree(packages[1].parent.parent)
    assert audit_verify(log).exit_code == 1


@pytest.mark.parametrize("order", ["withdraw then delete", "delete then withdraw", "withdraw only"])
def test_a_withdrawn_package_is_not_reported(trail, order) -> None:
    log, key, packages = trail
    if order == "delete then withdraw":
        shutil.rmtree(packages[1])
    result = runner.invoke(app, ["withdraw", str(packages[1]), "--reason", "superseded by a rerun"])
    assert result.exit_code == 0, result.output
    if order == "withdraw then delete":
        shutil.rmtree(packages[1])
    assert audit_verify(log, "--key", key).exit_code == 0
    assert json.loads(lines(log)[-1])["action"] == "withdraw"


@pytest.mark.parametrize(
    "args",
    [
        ["--reason", "   "],
        ["--reason", "x" * 5000],
    ],
)
def test_withdraw_needs_a_reason(trail, args) -> None:
    _, _, packages = trail
    result = runner.invoke(app, ["withdraw", str(packages[0]), *args])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_withdraw_refuses_what_has_no_run_line_or_was_withdrawn(trail, tmp_path) -> None:
    log, _, packages = trail
    other = packages[0].parent / "20990101T000000Z-cccccccc"
    assert runner.invoke(app, ["withdraw", str(other), "--reason", "x"]).exit_code == 2
    assert runner.invoke(app, ["withdraw", str(tmp_path / "a"), "--reason", "x"]).exit_code == 2
    assert runner.invoke(app, ["withdraw", str(packages[0]), "--reason", "x"]).exit_code == 0
    assert runner.invoke(app, ["withdraw", str(packages[0]), "--reason", "x"]).exit_code == 2


def test_a_forged_withdraw_line_without_the_key_is_seen(trail, tmp_path, monkeypatch) -> None:
    log, key, packages = trail
    shutil.rmtree(packages[1])
    monkeypatch.setenv("MRMKIT_CONFIG_DIR", str(tmp_path / "nokey"))
    assert runner.invoke(app, ["withdraw", str(packages[1]), "--reason", "hide it"]).exit_code == 0
    assert audit_verify(log, "--key", key).exit_code == 1  # the line is not under the signed checkpoint


# ------------------------------------------------------------------------------- one run line per run


@pytest.mark.parametrize("same_hash", [True, False])
def test_a_second_run_line_for_one_run_is_a_problem(trail, tmp_path, monkeypatch, same_hash) -> None:
    log, key, packages = trail
    first = json.loads(lines(log)[0])
    event = {k: v for k, v in first.items() if k not in audit.RESERVED}
    if not same_hash:
        event["manifest_sha256"] = "f" * 64
    monkeypatch.setenv("MRMKIT_CONFIG_DIR", str(tmp_path / "forger"))  # no key: a forger's properly chained append
    audit.append(log, event)
    assert audit.verify(log).problems[0].kind == "duplicated"
    result = audit_verify(log)
    assert result.exit_code == 1 and "second run line" in result.stdout
    assert runner.invoke(app, ["verify", str(packages[0])]).exit_code == 1


def test_a_second_run_line_signed_by_the_key_holder_is_still_a_problem(trail) -> None:
    log, key, _ = trail
    first = json.loads(lines(log)[0])
    audit.append(log, {k: v for k, v in first.items() if k not in audit.RESERVED})
    assert audit_verify(log, "--key", key).exit_code == 1


# --------------------------------------------------------------------------- logs that are not files


def _special(path: Path, kind: str) -> None:
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev-zero":
        path.symlink_to("/dev/zero")
    elif kind == "dev-null":
        path.symlink_to("/dev/null")
    elif kind == "folder":
        path.mkdir()
    else:
        import socket

        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(path))


KINDS = ["fifo", "dev-zero", "dev-null", "folder", "socket"]


@pytest.fixture
def alarm():
    """Fail (rather than hang the suite) if a read blocks for 60 seconds."""
    import signal

    def stop(signum, frame):
        raise TimeoutError("blocked for 60 s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("kind", KINDS)
def test_a_log_that_is_no_regular_file_is_one_sentence(tmp_path, kind, alarm) -> None:
    log = tmp_path / "audit.jsonl"
    _special(log, kind)
    for args in (["audit", "verify", str(log)], ["audit", "verify", str(log), "--key", "x"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (kind, result.output)
        assert "Traceback" not in result.output
    with pytest.raises(MrmkitError) as caught:
        audit.append(log, {"action": "verify"})
    assert "regular file" in str(caught.value) or "folder" in str(caught.value)


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "socket"])
def test_verify_and_head_do_not_block_on_a_special_log(trail, kind, alarm) -> None:
    log, _, packages = trail
    log.unlink()
    _special(log, kind)
    result = runner.invoke(app, ["verify", str(packages[0])])
    assert result.exit_code in (1, 2) and "Traceback" not in result.output
    with pytest.raises(MrmkitError):
        audit.head(log)


def test_a_huge_line_is_malformed_and_read_with_bounded_memory(tmp_path) -> None:
    """A 64 MB line (no newline in it) after a good one: named as malformed, never held in memory whole."""
    log = tmp_path / "audit.jsonl"
    audit.append(log, {"action": "verify"})
    with open(log, "ab") as fh:
        fh.truncate(log.stat().st_size + 64 * 1024 * 1024)  # sparse: zeros, no newline
    tracemalloc.start()
    report = audit.verify(log)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert [p.kind for p in report.problems] == ["malformed"]
    assert peak < 16 * 1024 * 1024, peak
    with pytest.raises(audit.AuditError):
        audit.append(log, {"action": "verify"})


def test_many_lines_are_streamed(tmp_path) -> None:
    log = tmp_path / "audit.jsonl"
    audit.append(log, {"action": "verify"})
    line = lines(log)[0]
    big = "x" * (audit.chain.MAX_LINE + 10)
    log.write_text(line + big + "\n" + big)
    report = audit.verify(log)
    assert [p.kind for p in report.problems] == ["malformed", "malformed"]
    assert "longer than" in report.problems[0].message


@pytest.mark.parametrize("how", ["manifest removed", "emptied", "renamed"])
def test_a_package_that_is_no_longer_a_package_is_seen(trail, how) -> None:
    log, key, packages = trail
    if how == "manifest removed":
        (packages[1] / "manifest.json").unlink()
    elif how == "emptied":
        shutil.rmtree(packages[1])
        packages[1].mkdir()
    else:
        packages[1].rename(packages[1].with_name("20260102T000000Z-cccccccc"))
    result = audit_verify(log, "--key", key)
    assert result.exit_code == 1 and "is gone" in result.stdout
