"""Reads that never end: every file mrmkit opens is a regular file (checked with fstat after a non-blocking open),
read with a byte bound; a FIFO, a device, a socket or a folder is one sentence naming it (exit 2). And values that
grow after parsing: YAML aliases are bounded in bytes, not only in count."""

from __future__ import annotations

import json
import os
import signal
import socket
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from mrmkit.cli import app
from mrmkit.errors import InvalidInput, InvalidParameters, MrmkitError
from mrmkit.files import open_regular, read_bytes, read_text
from tests.conftest import make_frame, write_params
from tests.security_helpers import hand_package

runner = CliRunner()
KINDS = ["fifo", "fifo-with-writer", "dev-zero", "dev-urandom", "folder", "socket", "symlink-to-fifo"]


@pytest.fixture(autouse=True)
def alarm():
    """A read that blocks fails the test after 30 seconds instead of hanging the suite."""

    def stop(signum, frame):
        raise TimeoutError("blocked for 30 s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(30)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def special(tmp_path):
    """``special(name, kind)``: a path that is no regular file; sockets and writers are closed afterwards."""
    opened = []

    def make(name: str, kind: str) -> Path:
        path = tmp_path / name
        if path.exists() or path.is_symlink():
            path.unlink()
        if kind.startswith("fifo"):
            os.mkfifo(path)
            if kind == "fifo-with-writer":  # a writer that never writes: a blocking read would wait forever
                opened.append(os.open(path, os.O_RDWR | os.O_NONBLOCK))
        elif kind == "symlink-to-fifo":
            target = tmp_path / f".{name}.fifo"
            os.mkfifo(target)
            path.symlink_to(target)
        elif kind.startswith("dev-"):
            path.symlink_to("/dev/" + kind[4:])
        elif kind == "folder":
            path.mkdir()
        else:  # a socket (bound at a short path: AF_UNIX paths are limited to about 100 bytes)
            short = Path(tempfile.mkdtemp(prefix="mk")) / "s"
            sock = socket.socket(socket.AF_UNIX)
            sock.bind(str(short))
            opened.append(sock)
            path.symlink_to(short)
        return path

    yield make
    for item in opened:
        item.close() if hasattr(item, "close") else os.close(item)


def one_sentence(result, name: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [ln for ln in result.stderr.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1 and name in lines[0], result.stderr


@pytest.fixture
def project(tmp_path):
    rng = np.random.default_rng(3)
    (tmp_path / "data").mkdir()
    make_frame(rng, 300, 0.0, "2024-01-01").to_parquet(tmp_path / "data" / "reference.parquet", index=False)
    make_frame(rng, 200, 0.1, "2025-01-01").to_parquet(tmp_path / "data" / "current.parquet", index=False)
    return tmp_path


# ------------------------------------------------------------------------------------------- the helper


@pytest.mark.parametrize("kind", KINDS)
def test_the_helper_refuses_what_is_no_regular_file(special, kind) -> None:
    path = special("thing", kind)
    for read in (lambda: read_bytes(path, "The thing", 1 << 20), lambda: read_text(path, "The thing", 1 << 20)):
        with pytest.raises(InvalidInput, match="The thing .*thing cannot be read"):
            read()
    with pytest.raises(InvalidInput), open_regular(path, "The thing", 1 << 20):
        pass


def test_the_helper_bounds_what_it_reads(tmp_path) -> None:
    path = tmp_path / "big"
    path.write_bytes(b"x" * 2000)
    assert read_bytes(path, "Big", 2000) == b"x" * 2000
    with pytest.raises(InvalidInput, match="2,000 bytes, more than the 1,999"):
        read_bytes(path, "Big", 1999)
    with open_regular(path, "Big", 2000) as handle:  # a file that grows past the bound while it is read
        with open(path, "ab") as grow:
            grow.write(b"y" * 10)
        with pytest.raises(OSError, match="grew past"):
            handle.read()


# -------------------------------------------------------------------------------------- the command line


@pytest.mark.parametrize("kind", KINDS)
def test_run_refuses_a_parameter_file_that_is_no_file(special, kind, tmp_path) -> None:
    path = special("params.yaml", kind)
    started = time.monotonic()
    one_sentence(runner.invoke(app, ["run", str(path), "--out", str(tmp_path / "out")]), "params.yaml")
    assert time.monotonic() - started < 20
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").glob("*/*/*"))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("role", ["reference", "current"])
def test_run_refuses_a_data_file_that_is_no_file(special, project, kind, role) -> None:
    path = special(f"{role}.parquet", kind)
    params = write_params(project, data__reference=str(project / "data" / "reference.parquet"))
    raw = yaml.safe_load(params.read_text())
    raw["data"][role] = str(path)
    params.write_text(yaml.safe_dump(raw))
    one_sentence(runner.invoke(app, ["run", str(params), "--out", str(project / "out")]), f"data.{role}")
    assert not list((project / "out").glob("*/*/*"))


@pytest.mark.parametrize("kind", KINDS)
def test_an_inventory_that_is_no_file_is_one_sentence(special, kind, tmp_path) -> None:
    path = special("inventory.yaml", kind)
    (tmp_path / "out").mkdir()
    one_sentence(runner.invoke(app, ["list", str(tmp_path / "out"), "--inventory", str(path)]), "inventory.yaml")
    one_sentence(runner.invoke(app, ["batch", "--inventory", str(path), "--out", str(tmp_path / "o")]), "inventory")


@pytest.mark.parametrize("kind", KINDS)
def test_a_public_key_that_is_no_file_is_one_sentence(special, kind, tmp_path) -> None:
    path = special("key.pub", kind)
    package = hand_package(tmp_path / "out", "20260101T000000Z-aaaaaaaa")
    one_sentence(runner.invoke(app, ["verify", str(package), "--key", str(path)]), "key.pub")


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "socket", "folder"])
def test_a_signing_key_that_is_no_file_is_one_sentence(special, kind, monkeypatch) -> None:
    from mrmkit.evidence.signing import load_private_key

    path = special("signing_key.pem", kind)
    monkeypatch.setenv("MRMKIT_SIGNING_KEY", str(path))
    with pytest.raises(InvalidParameters, match="signing_key.pem"):
        load_private_key()


@pytest.mark.parametrize("kind", ["fifo", "fifo-with-writer", "dev-zero", "socket"])
@pytest.mark.parametrize("name", ["metrics.json", "manifest.json", "manifest.sig"])
def test_package_files_that_are_no_files_never_block(special, kind, name, tmp_path, monkeypatch) -> None:
    from mrmkit.evidence.signing import init_keys

    monkeypatch.setenv("MRMKIT_CONFIG_DIR", str(tmp_path / "config"))
    init_keys()
    package = hand_package(tmp_path / "out", "20260101T000000Z-aaaaaaaa")
    os.unlink(package / name)
    special(str(package.relative_to(tmp_path) / name), kind)
    for args in (
        ["verify", str(package)],
        ["history", "pd", str(tmp_path / "out")],
        ["diff", str(package), str(package)],
        ["export", "prometheus", str(package)],
        ["list", str(tmp_path / "out")],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code in (0, 1, 2), (args, result.output)
        assert "Traceback" not in result.output, args


@pytest.mark.parametrize("kind", ["fifo", "fifo-with-writer", "dev-zero", "socket"])
def test_a_stored_profile_that_is_no_file_is_rebuilt(special, kind, tmp_path) -> None:
    import pandas as pd

    from mrmkit.evidence.profiles import ProfileStore

    store = ProfileStore(tmp_path / "store")
    values = pd.Series(np.arange(100.0), name="x")
    store.column(values, "x")
    stored = sorted(p for p in (tmp_path / "store").rglob("*") if p.is_file())
    assert stored
    for path in stored:
        path.unlink()
        special(str(path.relative_to(tmp_path)), kind)
    again = ProfileStore(tmp_path / "store")
    assert again.column(values, "x").n == 100
    assert again.counts["loaded"] == 0


@pytest.mark.parametrize("kind", KINDS)
def test_model_artifacts_and_hashed_inputs_that_are_no_files(special, kind) -> None:
    from mrmkit.io import sha256_file
    from mrmkit.io.models import _load_file
    from mrmkit.params._base import ArtifactSection

    path = special("model.skops", kind)
    with pytest.raises(InvalidInput, match="model.skops"):
        sha256_file(path)
    with pytest.raises(InvalidInput, match="model.skops"):
        _load_file(path, "skops", ArtifactSection.model_construct(trusted_types=[], trusted=False), "model.artifact")


# ------------------------------------------------------------------------------------- aliases in bytes


def _bomb(size: int, copies: int, shape: str) -> str:
    big = "a" * size
    if shape == "list":
        return f"big: &b {big}\nmany: [{', '.join(['*b'] * copies)}]\n"
    if shape == "nested":
        return f"big: &b [{big}, {big}]\nmany: [{', '.join(['*b'] * copies)}]\n"
    if shape == "mapping":
        return f"big: &b {{text: {big}}}\nmany: {{{', '.join(f'k{i}: *b' for i in range(copies))}}}\n"
    if shape == "merge":
        return f"base: &b {{text: {big}}}\n" + "".join(f"m{i}: {{<<: *b}}\n" for i in range(copies))
    return f"a: &a {big}\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c]\n"


@pytest.mark.parametrize("shape", ["list", "nested", "mapping", "merge", "levels"])
@pytest.mark.parametrize("kind", ["Parameter file", "Inventory file"])
def test_an_alias_bomb_in_bytes_is_refused_before_building(tmp_path, shape, kind) -> None:
    """A 1 MB string aliased 3,000 times: few values, 3 GB once built. Refused in well under a second."""
    from mrmkit.params.yamlfile import read_yaml_file

    path = tmp_path / "bomb.yaml"
    path.write_text(_bomb(1_000_000 if shape != "merge" else 100_000, 3000 if shape != "merge" else 300, shape))
    started = time.monotonic()
    with pytest.raises(InvalidParameters, match="bytes once its aliases are followed"):
        read_yaml_file(path, kind)
    assert time.monotonic() - started < 5


def test_an_alias_bomb_through_the_command_line(tmp_path) -> None:
    path = tmp_path / "params.yaml"
    path.write_text(_bomb(1_000_000, 3000, "list"))
    one_sentence(runner.invoke(app, ["run", str(path), "--out", str(tmp_path / "out")]), "params.yaml")
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(_bomb(1_000_000, 3000, "list"))
    (tmp_path / "out").mkdir()
    one_sentence(runner.invoke(app, ["list", str(tmp_path / "out"), "--inventory", str(inventory)]), "inventory")


def test_modest_aliases_are_still_read(tmp_path) -> None:
    from mrmkit.params.yamlfile import read_yaml_file

    path = tmp_path / "ok.yaml"
    path.write_text(_bomb(10_000, 50, "list"))
    assert len(read_yaml_file(path)["many"]) == 50


def test_a_file_that_is_no_file_names_itself_in_the_yaml_reader(special) -> None:
    from mrmkit.params.yamlfile import read_yaml_file

    for kind in KINDS:
        with pytest.raises(MrmkitError, match=f"p-{kind}.yaml"):
            read_yaml_file(special(f"p-{kind}.yaml", kind))


def test_the_audit_log_json_stays_valid(tmp_path) -> None:  # the helper's reads leave files as they were
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"a": 1}))
    assert json.loads(read_text(path, "X", 100)) == {"a": 1}


@pytest.mark.parametrize("kind", ["fifo", "fifo-with-writer", "dev-zero", "socket", "folder"])
def test_run_refuses_an_audit_log_that_is_no_file_before_any_workbook(special, project, kind) -> None:
    params = write_params(project)
    (project / "out").mkdir()
    special("out/audit.jsonl", kind)
    result = runner.invoke(app, ["run", str(params), "--out", str(project / "out")])
    one_sentence(result, "audit.jsonl")
    assert "running the" not in result.stderr  # refused before any workbook ran
    assert not list((project / "out").glob("*/*/*"))
