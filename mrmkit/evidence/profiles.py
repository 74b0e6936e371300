"""A store of reference profiles shared by every run that writes to the same output folder.

A :class:`~mrmkit.stats.ColumnProfile` is the part of a drift comparison that depends on the reference
alone (sorted values, or categories and counts). The runner gives each workbook a :class:`ProfileStore`
rooted at ``<out>/.profiles/``; a column is looked up by the sha256 of its data, built and written only
when no run has built it before, and kept in memory for the rest of the run, so the pooled comparison,
every monitoring window, and every other model of a batch that compares against the same reference data
reuse one profile.

On disk, ``<root>/<hh>/<data_sha256>.json`` holds a profile's counts and metadata and, for a numeric
column, ``<data_sha256>.npy`` its sorted values (loaded with ``allow_pickle=False``). Each file is written under a
temporary name and renamed, the values file before the metadata, so a reader sees a whole profile or
none. The metadata carries the profile's sha256 (recomputed from the loaded values and counts) and a
hash of itself; a profile that fails any
check (damaged, edited, truncated, another format) is rebuilt from the data and rewritten, never used.
A profile is also bound to the data it describes by a keyed hash: ``mac`` = HMAC-SHA256 under the user's
store key (``profile_store.key`` in the config folder of :mod:`mrmkit.evidence.signing`, created on first use, mode
0600) of the data's sha256 and the profile's content sha256. Anyone can recompute the plain hashes after
editing a stored profile; without the key they cannot recompute its ``mac``, so a poisoned profile fails
its check and is rebuilt from the data. Every profile a run uses is recorded (data sha256 and content
sha256 per column) in the manifest's ``reference_profiles``, so ``mrmkit reproduce``, which rebuilds every
profile from the data in a fresh store, names any profile whose content differs.

The store is a cache: deleting the folder at any time only costs the time to rebuild. A problem writing
it never fails a run; the profile is then kept in memory only and the reason noted.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import io
import json
import os
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mrmkit.stats._samples import (
    PROFILE_FORMAT,
    ColumnProfile,
    about_column,
    build_profile,
    content_sha256,
    prepare_column,
)
from mrmkit.stats.profile import ReferenceProfile, profile_of_columns

__all__ = ["ProfileStore", "STORE_DIR"]

STORE_DIR = ".profiles"
_TYPES = {"str": str, "int": int, "bool": bool}


def _encode(value: Any) -> list[Any] | None:
    """A category as [type, value] in JSON, exactly reversible; None for a type the store cannot keep."""
    kind = type(value)
    if kind is float:
        return ["float", value.hex()]
    if kind in (str, int, bool):
        return [kind.__name__, value]
    return None


def _decode(item: Any) -> Any:
    kind, value = item
    if kind == "float":
        return float.fromhex(value)
    cast = _TYPES[kind]
    if type(value) is not cast:
        raise ValueError(f"category {value!r} is not of type {kind}")
    return value


_KEY_FILE = "profile_store.key"


def store_key() -> bytes:
    """The user's secret for binding stored profiles to their data (created on first use, mode 0600)."""
    from mrmkit.errors import InvalidParameters
    from mrmkit.evidence.signing import config_dir
    from mrmkit.files import read_text

    path = config_dir() / _KEY_FILE

    def read() -> bytes:
        return bytes.fromhex(read_text(path, "The profile store key", 4096, error=InvalidParameters).strip())

    if path.exists() or path.is_symlink():
        try:
            return read()
        except ValueError as exc:  # InvalidParameters is a ValueError: a FIFO, a device, not hex
            raise InvalidParameters(f"{str(exc).rstrip('.')}; remove it and a new key is made.") from None
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{_KEY_FILE}.{uuid.uuid4().hex}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(os.urandom(32).hex())
    try:
        os.link(tmp, path)  # first writer wins when several runs start at once
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    return read()


def _mac(key: bytes, data_sha256: str, content_sha256: str) -> str:
    return hmac.new(key, f"mrmkit-profile-v1 {data_sha256} {content_sha256}".encode(), hashlib.sha256).hexdigest()


def _self_hash(meta: dict[str, Any]) -> str:
    body = {k: v for k, v in meta.items() if k != "meta_sha256"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=True).encode()).hexdigest()


def _write_atomic(path: Path, write: Any) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


_META_LIMIT = 256 * 1024 * 1024
_NPY_HEADER = 64 * 1024


def _bounded(path: Path, limit: int) -> bytes:
    """A stored file's bytes: a regular file of at most ``limit`` bytes, else ValueError (the profile is rebuilt)."""
    from mrmkit.files import read_bytes

    return read_bytes(path, "The stored profile", limit, follow=False)


def _meta(path: Path) -> dict[str, Any]:
    meta = json.loads(_bounded(path, _META_LIMIT))
    if not isinstance(meta, dict):
        raise ValueError("its metadata is not a JSON object")
    return meta


class ProfileStore:
    """Column profiles by the sha256 of their data: in memory for this process, on disk under ``root``.

    ``root=None`` keeps profiles in memory only. ``counts`` tells how each request was served: ``built``
    (computed here), ``loaded`` (read from disk, built by an earlier run), ``reused`` (already in memory),
    ``rebuilt`` (a stored profile failed its checks) and ``not_stored`` (could not be written); ``notes``
    says why for the last two.
    """

    def __init__(self, root: str | Path | None = None) -> None:
        self.root = Path(root) if root is not None else None
        self._memory: dict[str, ColumnProfile] = {}
        self.counts = {"built": 0, "loaded": 0, "reused": 0, "rebuilt": 0, "not_stored": 0}
        self.notes: list[str] = []
        self.used: dict[str, str] = {}  # data sha256 -> content sha256 of every profile served
        self._key: bytes | None = None

    # ------------------------------------------------------------------------------------ public
    def column(self, values: Any, name: Any, categorical: bool = False) -> ColumnProfile:
        """The profile of one reference column (a Series or 1-d array), from memory, disk, or built."""
        with about_column(name):
            prep = prepare_column(values, name, categorical)
            key = prep.sha256
            known = self._memory.get(key)
            if known is not None:
                self.counts["reused"] += 1
                return known if known.name == name else dataclasses.replace(known, name=name)
            profile = self._load(key, name)
            if profile is None:
                profile = build_profile(prep)
                self.counts["built"] += 1
                self._save(profile)
            else:
                self.counts["loaded"] += 1
        self._memory[key] = profile
        self.used[key] = profile.sha256
        return profile

    def record(self) -> dict[str, Any]:
        """What a run records of this store: counts, notes and every profile used (data to content sha256)."""
        return {"counts": dict(self.counts), "notes": list(self.notes), "used": dict(sorted(self.used.items()))}

    def _secret(self) -> bytes:
        if self._key is None:
            self._key = store_key()
        return self._key

    def frame(self, frame: pd.DataFrame, columns: Iterable[Any], categorical: Iterable[Any] = ()) -> ReferenceProfile:
        """The profile of the named columns of a reference frame (``categorical`` ones as categories)."""
        cats = set(categorical)
        return profile_of_columns(self.column(frame[c], c, c in cats) for c in columns)

    # ------------------------------------------------------------------------------------ disk
    def _paths(self, key: str) -> tuple[Path, Path]:
        assert self.root is not None and len(key) == 64 and all(c in "0123456789abcdef" for c in key)
        folder = self.root / key[:2]
        return folder / f"{key}.json", folder / f"{key}.npy"

    def _load(self, key: str, name: Any) -> ColumnProfile | None:
        if self.root is None:
            return None
        meta_path, values_path = self._paths(key)
        if not meta_path.exists():
            return None
        try:
            profile = self._read(key, name, meta_path, values_path)
            meta = _meta(meta_path)
            if not hmac.compare_digest(str(meta.get("mac", "")), _mac(self._secret(), key, profile.sha256)):
                raise ValueError("it is not bound to this data by the store's key (edited, or from another store)")
            return profile
        except Exception as exc:  # any damage: rebuild from the data, never use it
            self.counts["rebuilt"] += 1
            self.notes.append(f"The stored profile {key[:12]} failed its checks ({exc}); it was rebuilt.")
            return None

    @staticmethod
    def _read(key: str, name: Any, meta_path: Path, values_path: Path) -> ColumnProfile:
        meta = _meta(meta_path)
        if meta.get("meta_sha256") != _self_hash(meta):
            raise ValueError("its metadata does not match its own hash")
        if meta.get("format") != PROFILE_FORMAT or meta.get("data_sha256") != key:
            raise ValueError("another format or another key")
        n, missing, kind = int(meta["n"]), int(meta["n_missing"]), meta["kind"]
        if not 0 <= missing <= n:
            raise ValueError("impossible counts")
        counts = None
        if kind == "numeric":
            data = _bounded(values_path, 8 * (n - missing) + _NPY_HEADER)  # a regular file, never a FIFO
            values = np.load(io.BytesIO(data), allow_pickle=False)
            values.setflags(write=False)
            if values.dtype != np.float64 or values.ndim != 1 or values.size != n - missing:
                raise ValueError("the values file has the wrong shape or type")
            if values.size > 1 and not bool(np.all(values[1:] >= values[:-1])):
                raise ValueError("the values are not sorted")
        elif kind == "categorical":
            values = np.empty(len(meta["categories"]), dtype=object)
            values[:] = [_decode(item) for item in meta["categories"]]
            counts = np.asarray(meta["counts"], dtype=np.int64)
            if counts.shape != values.shape or (counts < 0).any() or int(counts.sum()) + missing != n:
                raise ValueError("the category counts do not add up")
            values.setflags(write=False)
            counts.setflags(write=False)
        else:
            raise ValueError(f"unknown kind {kind!r}")
        if content_sha256(kind, n, missing, values, counts) != meta["sha256"]:
            raise ValueError("its values do not match its sha256")
        return ColumnProfile(name, kind, n, missing, meta["sha256"], values, counts, key)

    def _save(self, profile: ColumnProfile) -> None:
        if self.root is None:
            return
        meta: dict[str, Any] = {
            "format": PROFILE_FORMAT,
            "data_sha256": profile.data_sha256,
            "sha256": profile.sha256,
            "kind": profile.kind,
            "n": profile.n,
            "n_missing": profile.n_missing,
        }
        if profile.kind == "categorical":
            assert profile.counts is not None
            encoded = [_encode(v) for v in profile.values]
            if any(e is None for e in encoded):
                kinds = sorted({type(v).__name__ for v, e in zip(profile.values, encoded, strict=True) if e is None})
                self._not_stored(profile, f"categories of type {', '.join(kinds)} cannot be stored exactly")
                return
            meta.update(categories=encoded, counts=profile.counts.tolist())
        try:
            meta["mac"] = _mac(self._secret(), profile.data_sha256, profile.sha256)
        except OSError as exc:
            self._not_stored(profile, f"the store key cannot be written ({exc.strerror or exc})")
            return
        meta["meta_sha256"] = _self_hash(meta)
        meta_path, values_path = self._paths(profile.data_sha256)
        try:
            meta_path.parent.mkdir(parents=True, exist_ok=True)
            if profile.kind == "numeric":  # the values first: a metadata file means a whole profile

                def save_values(tmp: Path) -> None:
                    with open(tmp, "wb") as fh:  # a file object: np.save would add ".npy" to a name
                        np.save(fh, np.asarray(profile.values), allow_pickle=False)

                _write_atomic(values_path, save_values)
            text = json.dumps(meta, sort_keys=True, ensure_ascii=True) + "\n"
            _write_atomic(meta_path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
        except OSError as exc:
            self._not_stored(profile, f"writing {meta_path.parent} failed ({exc.strerror or exc})")

    def _not_stored(self, profile: ColumnProfile, why: str) -> None:
        self.counts["not_stored"] += 1
        self.notes.append(f"The profile of column {profile.name!r} was kept in memory only: {why}.")
