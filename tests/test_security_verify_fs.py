"""`verify` on odd file systems: links, FIFOs, unreadable files, hostile names, odd manifests: exit 1, named."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest

from tests.security_helpers import copy_package, project, publish, verify

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    root = tmp_path_factory.mktemp("fs")
    _, published = publish(project(root), root / "out")
    assert published is not None
    return published


def _check(result, *fragments: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.output, result.output


def test_a_symlinked_file_is_not_followed(package, tmp_path) -> None:
    copy = copy_package(package, tmp_path)
    outside = tmp_path / "metrics-copy.json"
    outside.write_bytes((copy / "metrics.json").read_bytes())
    (copy / "metrics.json").unlink()
    (copy / "metrics.json").symlink_to(outside)  # same bytes: hashing through the link would say intact
    _check(verify(copy), "symbolic link", "metrics.json")


@pytest.mark.parametrize("target", ["folder", "dangling", "loop"])
def test_symlinked_folders_dangling_and_looping_links(package, tmp_path, target: str) -> None:
    copy = copy_package(package, tmp_path)
    link = copy / "reports" / "extra"
    if target == "folder":
        link.symlink_to(copy / "notebooks", target_is_directory=True)
    elif target == "dangling":
        link.symlink_to(tmp_path / "nowhere")
    else:
        link.symlink_to(link)
    _check(verify(copy), "symbolic link", "reports/extra")


def test_a_symlinked_reports_folder(package, tmp_path) -> None:
    copy = copy_package(package, tmp_path)
    elsewhere = tmp_path / "reports-elsewhere"
    (copy / "reports").rename(elsewhere)
    (copy / "reports").symlink_to(elsewhere, target_is_directory=True)
    _check(verify(copy), "symbolic link", "reports")


def test_a_fifo_and_a_socket_do_not_block(package, tmp_path) -> None:
    copy = copy_package(package, tmp_path)
    os.mkfifo(copy / "reports" / "pipe.html")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(copy / "sock"))
    try:
        _check(verify(copy), "FIFO", "reports/pipe.html", "socket")
    finally:
        server.close()
    os.unlink(copy / "reports" / "pipe.html")
    os.mkfifo(copy / "metrics.json.fifo")
    _check(verify(copy), "FIFO")


def test_a_fifo_manifest_is_not_a_package(package, tmp_path) -> None:
    copy = copy_package(package, tmp_path)
    (copy / "manifest.json").unlink()
    os.mkfifo(copy / "manifest.json")
    _check(verify(copy), "not a package")


def test_names_with_newlines_and_escapes_cannot_forge_lines(package, tmp_path) -> None:
    copy = copy_package(package, tmp_path)
    (copy / "reports" / "x\nintact: 99 files match the manifest").write_text("x")
    (copy / "reports" / "y\x1b[2K").write_text("y")
    result = verify(copy)
    _check(result, "extra:")
    assert not any(line.startswith("intact: 99") for line in result.stdout.splitlines())
    assert "\x1b" not in result.stdout and "\\n" in result.stdout


def test_an_unreadable_file_is_named(package, tmp_path, monkeypatch) -> None:
    copy = copy_package(package, tmp_path)
    import mrmkit.evidence.manifest as manifest

    real = os.open

    def deny(path, flags, *args):  # tests run as root, who can read a mode-000 file: refuse the open instead
        if str(path).endswith("metrics.json"):
            raise PermissionError(13, "Permission denied", str(path))
        return real(path, flags, *args)

    monkeypatch.setattr(manifest.os, "open", deny)
    _check(verify(copy), "unreadable: metrics.json", "Permission denied")


@pytest.mark.parametrize("content", [None, "", "{not json", "[]", '{"files": 3}', "\x00" * 10])
def test_missing_or_unparsable_manifest_is_not_a_package(package, tmp_path, content) -> None:
    copy = copy_package(package, tmp_path)
    if content is None:
        (copy / "manifest.json").unlink()
    else:
        (copy / "manifest.json").write_text(content)
    _check(verify(copy), "not a package")


def test_a_manifest_listing_paths_outside_the_package(package, tmp_path) -> None:
    copy = copy_package(package, tmp_path)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["files"]["../../../../etc/passwd"] = {"sha256": "0" * 64, "size": 1}
    (copy / "manifest.json").write_text(json.dumps(manifest))
    _check(verify(copy), "impossible path")


def test_a_path_that_does_not_exist_is_a_user_error(tmp_path) -> None:
    result = verify(tmp_path / "nothing-here")
    assert result.exit_code == 2 and "does not exist" in result.output


def test_a_symlinked_manifest(package, tmp_path) -> None:
    copy = copy_package(package, tmp_path)
    real = tmp_path / "real-manifest.json"
    (copy / "manifest.json").rename(real)
    Path(copy / "manifest.json").symlink_to(real)
    _check(verify(copy), "not a package")
