"""Trust that names its key: one setting (--trusted-keys FILE or MRMKIT_TRUSTED_KEYS) for every consumer of packages.

A forger lowers a package's metrics, recomputes every hash and removes the signature (or re-signs with their own
key) in a folder without an audit log: with the setting every command says the package is untrusted (Prometheus:
mrmkit_package_verified 0); without it, none says "verified". Packages are made by hand (no workbook runs).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mrmkit.batch.result import BatchResult, write_batch_index
from mrmkit.cli import app
from mrmkit.evidence.signing import init_keys, load_private_key, public_key_text, sign_package
from mrmkit.evidence.trusted import UNCHECKED
from tests.security_helpers import copy_package, forge, hand_package

runner = CliRunner()
NOW = "2026-06-30"


@pytest.fixture
def setting(tmp_path, monkeypatch):
    """Our key pair, and a file of trusted keys holding its public key."""
    monkeypatch.setenv("MRMKIT_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("MRMKIT_SIGNING_KEY", raising=False)
    monkeypatch.delenv("MRMKIT_TRUSTED_KEYS", raising=False)
    _, public = init_keys()
    keyfile = tmp_path / "trusted.keys"
    keyfile.write_text(f"# validation team\n\n{public_key_text(public)}\n")
    return keyfile


def _lower(package: Path) -> None:
    (package / "metrics.json").write_text(json.dumps({"drift": {"findings": []}}))


def _forged(genuine: Path, dest: Path, how: str, tmp_path: Path, monkeypatch) -> Path:
    """A copy of ``genuine`` under ``dest`` (no audit log), metrics lowered, hashes recomputed, then ``how``."""
    forged = copy_package(genuine, dest)
    forge(forged, _lower)
    (forged / "manifest.sig").unlink()
    if how == "re-signed":
        monkeypatch.setenv("MRMKIT_CONFIG_DIR", str(tmp_path / "forger"))
        init_keys()
        sign_package(forged, load_private_key())
        monkeypatch.setenv("MRMKIT_CONFIG_DIR", str(tmp_path / "config"))
    elif how == "copied signature":
        shutil.copy(genuine / "manifest.sig", forged / "manifest.sig")
    return forged


HOWS = ["unsigned", "re-signed", "copied signature"]


@pytest.fixture
def packages(setting, tmp_path):
    out = tmp_path / "out"
    genuine = hand_package(out, "20260102T000000Z-aaaaaaaa", red=3)
    return out, genuine


def _prom(path: Path, *extra: str):
    return runner.invoke(app, ["export", "prometheus", str(path), "--now", NOW, *extra])


def _value(text: str, name: str) -> int:
    [line] = [ln for ln in text.splitlines() if ln.startswith(name + "{")]
    return int(float(line.rsplit(" ", 1)[1]))


# ---------------------------------------------------------------------------------------------- export


@pytest.mark.parametrize("how", HOWS)
@pytest.mark.parametrize("via", ["option", "env", "env-inline"])
def test_export_marks_a_forged_package_unverified_with_trusted_keys(packages, tmp_path, monkeypatch, how, via) -> None:
    _, genuine = packages
    forged = _forged(genuine, tmp_path / "elsewhere", how, tmp_path, monkeypatch)
    extra = ()
    if via == "option":
        extra = ("--trusted-keys", str(setting_file(tmp_path)))
    elif via == "env":
        monkeypatch.setenv("MRMKIT_TRUSTED_KEYS", str(setting_file(tmp_path)))
    else:
        monkeypatch.setenv("MRMKIT_TRUSTED_KEYS", setting_file(tmp_path).read_text().splitlines()[-1])
    result = _prom(forged, *extra)
    assert result.exit_code == 1, result.output
    assert _value(result.stdout, "mrmkit_package_verified") == 0
    assert _value(result.stdout, "mrmkit_package_trusted") == 0
    assert "mrmkit_findings" not in result.stdout  # nothing read from it
    genuine_result = _prom(genuine, *extra)
    assert genuine_result.exit_code == 0, genuine_result.output
    assert _value(genuine_result.stdout, "mrmkit_package_verified") == 1
    assert _value(genuine_result.stdout, "mrmkit_package_trusted") == 1


def setting_file(tmp_path: Path) -> Path:
    return tmp_path / "trusted.keys"


@pytest.mark.parametrize("how", HOWS)
def test_without_trusted_keys_the_export_says_not_checked(packages, tmp_path, monkeypatch, how) -> None:
    _, genuine = packages
    forged = _forged(genuine, tmp_path / "elsewhere", how, tmp_path, monkeypatch)
    result = _prom(forged)
    assert UNCHECKED in result.stderr
    assert _value(result.stdout, "mrmkit_package_trusted") == 0


@pytest.mark.parametrize("content", ["", "# nothing\n", "mrmkit-ed25519 !!!\n", "-----BEGIN PUBLIC KEY-----\nabc\n"])
def test_a_bad_trusted_keys_file_is_one_sentence(packages, tmp_path, content) -> None:
    _, genuine = packages
    bad = tmp_path / "bad.keys"
    bad.write_text(content)
    for args in (["export", "prometheus", str(genuine), "--trusted-keys", str(bad)], ["list", str(genuine.parents[2])]):
        result = runner.invoke(app, args, env={"MRMKIT_TRUSTED_KEYS": str(bad)})
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "folder", "missing"])
def test_a_trusted_keys_path_that_is_no_file_is_one_sentence(packages, tmp_path, kind) -> None:
    _, genuine = packages
    path = tmp_path / "keys"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev-zero":
        path.symlink_to("/dev/zero")
    elif kind == "folder":
        path.mkdir()
    result = _prom(genuine, "--trusted-keys", str(path))
    assert result.exit_code == 2 and "Traceback" not in result.output


# ------------------------------------------------------------------------------ history, diff, list, open


@pytest.mark.parametrize("how", HOWS)
def test_history_diff_and_list_say_untrusted(packages, tmp_path, monkeypatch, how) -> None:
    _, genuine = packages
    forged = _forged(genuine, tmp_path / "elsewhere", how, tmp_path, monkeypatch)
    root = forged.parents[2]
    keys = ("--trusted-keys", str(setting_file(tmp_path)))
    for args in (["history", "pd", str(root)], ["diff", str(genuine), str(forged)], ["list", str(root)]):
        with_keys = runner.invoke(app, [*args, *keys])
        assert with_keys.exit_code == 0, with_keys.output
        assert "UNTRUSTED" in with_keys.output, args
        without = runner.invoke(app, args)
        assert UNCHECKED in without.output, args
        assert "trusted (signed" not in without.output


def test_list_names_the_trusted_package(packages, tmp_path) -> None:
    out, _ = packages
    result = runner.invoke(
        app, ["list", str(out), "--trusted-keys", str(setting_file(tmp_path))], env={"COLUMNS": "250"}
    )
    assert "trusted (signed by" in result.stdout and "UNTRUSTED" not in result.output


@pytest.mark.parametrize("how", HOWS)
def test_open_refuses_an_untrusted_package(packages, tmp_path, monkeypatch, how) -> None:
    _, genuine = packages
    forged = _forged(genuine, tmp_path / "elsewhere", how, tmp_path, monkeypatch)
    (forged / "notebooks").mkdir(exist_ok=True)
    result = runner.invoke(
        app,
        ["open", str(forged), "--no-lab", "--dir", str(tmp_path / "w"), "--trusted-keys", str(setting_file(tmp_path))],
    )
    assert result.exit_code == 2 and "UNTRUSTED" in result.output


def test_the_batch_index_shows_each_packages_trust(packages, tmp_path, monkeypatch) -> None:
    from mrmkit.evidence.trusted import trusted_keys

    _, genuine = packages
    forged = _forged(genuine, tmp_path / "elsewhere", "re-signed", tmp_path, monkeypatch)
    records = [
        {"model_id": "pd", "status": "complete", "package": str(p), "params": "p.yaml", "rating": "red"}
        for p in (genuine, forged)
    ]
    result = BatchResult(results=records, seconds=1.0)
    page = write_batch_index(result, tmp_path / "a.html", trusted_keys(setting_file(tmp_path))).read_text()
    assert "trusted (signed by" in page and "UNTRUSTED: signed by" in page
    page = write_batch_index(result, tmp_path / "b.html").read_text()
    assert UNCHECKED in page and "trusted (signed" not in page


# ---------------------------------------------------------------------------------------------- verify


def test_verify_prints_the_manifests_own_identity(packages, tmp_path) -> None:
    """A signed package moved under another folder name: verify shows what the manifest says it is."""
    _, genuine = packages
    moved = tmp_path / "other" / "scorecard" / "9.9" / "20991231T000000Z-ffffffff"
    moved.parent.mkdir(parents=True)
    shutil.copytree(genuine, moved)
    result = runner.invoke(app, ["verify", str(moved)])
    assert "model pd, version 1.0, run 20260102T000000Z-aaaaaaaa" in result.stdout


@pytest.mark.parametrize("how", HOWS)
def test_verify_uses_the_trust_setting(packages, tmp_path, monkeypatch, how) -> None:
    _, genuine = packages
    forged = _forged(genuine, tmp_path / "elsewhere", how, tmp_path, monkeypatch)
    monkeypatch.setenv("MRMKIT_TRUSTED_KEYS", str(setting_file(tmp_path)))
    assert runner.invoke(app, ["verify", str(forged)]).exit_code == 1
    assert runner.invoke(app, ["verify", str(genuine)]).exit_code == 0
