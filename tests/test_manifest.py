"""The manifest and ``verify``: every altered, missing or extra file is named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mrmkit.errors import PackageError
from mrmkit.evidence.manifest import verify_package, write_manifest


@pytest.fixture
def package(tmp_path: Path) -> Path:
    root = tmp_path / "pkg"
    (root / "reports").mkdir(parents=True)
    (root / "metrics.json").write_text('{"a": 1}\n')
    (root / "reports" / "index.html").write_text("<html></html>")
    write_manifest(root, {"status": "complete", "run_id": "r1"})
    return root


def test_intact(package: Path) -> None:
    report = verify_package(package)
    assert report.intact and report.checked == 2
    manifest = json.loads((package / "manifest.json").read_text())
    assert set(manifest["files"]) == {"metrics.json", "reports/index.html"}
    # sha256 of '{"a": 1}\n', by hand: printf '{"a": 1}\n' | sha256sum
    import hashlib

    assert manifest["files"]["metrics.json"]["sha256"] == hashlib.sha256(b'{"a": 1}\n').hexdigest()


def test_altered_missing_extra_are_each_named(package: Path) -> None:
    (package / "metrics.json").write_text('{"a": 2}\n')
    (package / "reports" / "index.html").unlink()
    (package / "reports" / "new.html").write_text("x")
    report = verify_package(package)
    assert not report.intact
    assert report.altered == ["metrics.json"]
    assert report.missing == ["reports/index.html"]
    assert report.extra == ["reports/new.html"]
    assert report.lines() == ["altered: metrics.json", "missing: reports/index.html", "extra:   reports/new.html"]


def test_same_size_change_is_caught(package: Path) -> None:
    (package / "metrics.json").write_text('{"a": 9}\n')
    assert verify_package(package).altered == ["metrics.json"]


def test_hand_edited_manifest_is_caught(package: Path) -> None:
    path = package / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["status"] = "complete-and-approved"
    path.write_text(json.dumps(manifest))
    report = verify_package(package)
    assert report.manifest_altered and not report.intact
    assert "manifest.json" in report.lines()[0]


def test_not_a_package(tmp_path: Path) -> None:
    with pytest.raises(PackageError, match="has no manifest.json"):
        verify_package(tmp_path)
    with pytest.raises(PackageError, match="is not a folder"):
        verify_package(tmp_path / "nothing")
    (tmp_path / "manifest.json").write_text("{broken")
    with pytest.raises(PackageError, match="cannot be read as JSON"):
        verify_package(tmp_path)
