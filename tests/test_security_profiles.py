"""A poisoned reference-profile store never changes drift numbers silently.

An outsider who edits a stored profile and recomputes its plain hashes (content sha256 and the metadata's
own hash) cannot recompute its keyed binding to the data: the next run rebuilds it and its numbers are
unchanged. An insider who holds the store key can poison the store, but the package records every profile
it used, and `mrmkit reproduce`, which rebuilds every profile from the data, names the difference.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from mrmkit.evidence.manifest import read_manifest
from mrmkit.evidence.profiles import _mac, _self_hash, store_key
from mrmkit.stats._samples import content_sha256
from tests.security_helpers import project, publish, runner

pytestmark = pytest.mark.slow


def _numeric_profile(out: Path) -> tuple[Path, Path, dict]:
    for meta_path in sorted((out / ".profiles").glob("*/*.json")):
        meta = json.loads(meta_path.read_text())
        if meta["kind"] == "numeric" and meta["n"] > 1000:
            return meta_path, meta_path.with_suffix(".npy"), meta
    raise AssertionError("no numeric profile in the store")


def _poison(out: Path, with_key: bool) -> None:
    meta_path, values_path, meta = _numeric_profile(out)
    values = np.load(values_path) * 3.0 + 1.0  # still sorted: passes every structural check
    np.save(values_path, values, allow_pickle=False)
    meta["sha256"] = content_sha256("numeric", meta["n"], meta["n_missing"], values, None)
    if with_key:
        meta["mac"] = _mac(store_key(), meta["data_sha256"], meta["sha256"])
    meta["meta_sha256"] = _self_hash(meta)
    meta_path.write_text(json.dumps(meta, sort_keys=True))


@pytest.fixture
def first(tmp_path):
    params = project(tmp_path)
    out = tmp_path / "out"
    _, package = publish(params, out)
    assert package is not None
    return params, out, package


def _drift(package: Path) -> dict:
    metrics = json.loads((package / "metrics.json").read_text())["drift"]
    return {name: f["psi"] for name, f in metrics["features"].items()}


def test_the_manifest_records_every_profile_used(first) -> None:
    _, _, package = first
    used = read_manifest(package)["reference_profiles"]["drift"]["used"]
    assert len(used) >= 5 and all(len(k) == 64 and len(v) == 64 for k, v in used.items())


def test_an_edited_profile_with_recomputed_hashes_is_rebuilt_not_used(first) -> None:
    params, out, package = first
    _poison(out, with_key=False)
    _, second = publish(params, out)
    profiles = read_manifest(second)["reference_profiles"]["drift"]
    assert profiles["counts"]["rebuilt"] >= 1 and any("not bound" in n for n in profiles["notes"])
    assert _drift(second) == _drift(package)
    assert profiles["used"] == read_manifest(package)["reference_profiles"]["drift"]["used"]


def test_a_profile_from_another_store_is_not_trusted(first, tmp_path, monkeypatch) -> None:
    params, out, package = first
    monkeypatch.setenv("MRMKIT_CONFIG_DIR", str(tmp_path / "another-user"))  # another store key
    _, second = publish(params, out)
    assert read_manifest(second)["reference_profiles"]["drift"]["counts"]["rebuilt"] >= 1
    assert _drift(second) == _drift(package)


def test_reproduce_names_a_profile_poisoned_by_a_key_holder(first) -> None:
    from mrmkit.cli import app

    params, out, _ = first
    _poison(out, with_key=True)
    _, poisoned = publish(params, out)
    assert read_manifest(poisoned)["reference_profiles"]["drift"]["counts"]["rebuilt"] == 0
    result = runner.invoke(app, ["reproduce", str(poisoned)])
    assert result.exit_code == 1, result.output
    assert "reference profile" in result.stdout and "NOT REPRODUCED" in result.stdout
