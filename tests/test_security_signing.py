"""Signed packages: a forger who recomputes every hash is caught by the signature, given the signer's key."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from mrmkit.evidence.signing import check_signature, config_dir, init_keys, public_key_text
from tests.security_helpers import copy_package, forge, project, publish, runner, verify

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    folder = tmp_path_factory.mktemp("config")
    old = os.environ.get("MRMKIT_CONFIG_DIR")
    os.environ["MRMKIT_CONFIG_DIR"] = str(folder)
    try:
        yield folder
    finally:
        os.environ["MRMKIT_CONFIG_DIR"] = old or ""


@pytest.fixture(scope="module")
def signed(keys, tmp_path_factory):
    from mrmkit.cli import app

    result = runner.invoke(app, ["keys", "init"])
    assert result.exit_code == 0, result.output
    root = tmp_path_factory.mktemp("signed")
    result, package = publish(project(root), root / "out")
    assert package is not None, result.output
    pub = root / "trusted.pub"
    pub.write_text((keys / "signing_key.pub").read_text())
    return root, package, pub


def test_keys_init_makes_a_private_key_only_its_owner_can_read(signed, keys) -> None:
    key = keys / "signing_key.pem"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(keys.stat().st_mode) == 0o700
    assert config_dir() == keys
    from mrmkit.cli import app

    again = runner.invoke(app, ["keys", "init"])
    assert again.exit_code == 2 and "--force" in again.output
    shown = runner.invoke(app, ["keys", "show"])
    assert shown.exit_code == 0 and "fingerprint: SHA256:" in shown.stdout and "mrmkit-ed25519 " in shown.stdout
    exported = runner.invoke(app, ["keys", "export"])
    assert "BEGIN PUBLIC KEY" in exported.stdout


def test_a_signed_package_verifies_with_its_key(signed) -> None:
    _, package, pub = signed
    assert (package / "manifest.sig").is_file()
    result = verify(package, "--key", str(pub))
    assert result.exit_code == 0, result.output
    assert "signed by SHA256:" in result.stdout and "the given key" in result.stdout
    one_line = pub.read_text().strip()
    assert verify(package, "--key", one_line).exit_code == 0  # the printed form works as well
    without = verify(package)
    assert without.exit_code == 0 and "not checked against a key you trust" in without.stdout


def test_a_forged_package_with_recomputed_hashes_fails_with_the_key(signed, tmp_path) -> None:
    _, package, pub = signed
    forged = copy_package(package, tmp_path)

    def edit(p: Path) -> None:
        metrics = json.loads((p / "metrics.json").read_text())
        metrics["drift"]["summary"]["retraining_signal"] = False
        (p / "metrics.json").write_text(json.dumps(metrics))

    forge(forged, edit)
    result = verify(forged, "--key", str(pub))
    assert result.exit_code == 1 and "INVALID" in result.stdout
    assert "intact:" in result.stdout  # the hashes alone are consistent: only the signature tells
    assert verify(forged).exit_code == 1  # the signature no longer matches its own key either


def test_re_signed_by_another_key_names_that_key(signed, tmp_path, monkeypatch) -> None:
    _, package, pub = signed
    forged = copy_package(package, tmp_path / "copy")
    monkeypatch.setenv("MRMKIT_CONFIG_DIR", str(tmp_path / "forger"))
    _, forger_key = init_keys()
    from mrmkit.evidence.signing import load_private_key, sign_package

    forge(forged, lambda p: (p / "metrics.json").write_text("{}"))
    sign_package(forged, load_private_key())
    result = verify(forged, "--key", str(pub))
    assert result.exit_code == 1 and "NOT by the given key" in result.stdout
    assert check_signature(forged).state == "valid"  # valid for its own key: a key you trust is what matters
    assert public_key_text(forger_key) not in pub.read_text()


def test_unsigned_copied_and_garbled_signatures(signed, tmp_path) -> None:
    root, package, pub = signed
    unsigned = copy_package(package, tmp_path / "unsigned")
    (unsigned / "manifest.sig").unlink()
    result = verify(unsigned, "--key", str(pub))
    assert result.exit_code == 1 and "unsigned" in result.stdout
    assert verify(unsigned).exit_code == 0  # without a key an unsigned package is only reported so

    other_root = tmp_path / "other"
    other_root.mkdir()
    _, other = publish(project(other_root), other_root / "out")
    copied = copy_package(package, tmp_path / "copied")
    (copied / "manifest.sig").write_bytes((other / "manifest.sig").read_bytes())
    assert verify(copied, "--key", str(pub)).exit_code == 1

    for garbage in (b"", b"{not json", b'{"format": 1, "algorithm": "ed25519", "public_key": "!!", "signature": ""}'):
        garbled = copy_package(package, tmp_path / f"g{len(garbage)}")
        (garbled / "manifest.sig").write_bytes(garbage)
        result = verify(garbled, "--key", str(pub))
        assert result.exit_code == 1 and "INVALID" in result.stdout and "Traceback" not in result.output


@pytest.mark.parametrize(
    "bad", ["not a key", "mrmkit-ed25519 AAAA", "-----BEGIN PUBLIC KEY-----\nxx\n-----END PUBLIC KEY-----"]
)
def test_a_bad_key_is_exit_2(signed, bad: str) -> None:
    _, package, _ = signed
    result = verify(package, "--key", bad)
    assert result.exit_code == 2 and "--key" in result.output


def test_a_private_key_others_can_read_is_refused_before_running(signed, keys, tmp_path) -> None:
    key = keys / "signing_key.pem"
    key.chmod(0o644)
    try:
        result, package = publish(project(tmp_path), tmp_path / "out")
        assert result.exit_code == 2 and "chmod 600" in result.output and package is None
        assert not (tmp_path / "out").exists() or not list((tmp_path / "out").glob("*/*/*"))
    finally:
        key.chmod(0o600)
