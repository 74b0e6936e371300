"""The signed checkpoint of the audit trail: what anchors its tail.

A hash chain proves that its lines were not changed relative to each other, but not where it ends: removing
the last lines, or editing the newest line and recomputing its hash (and those after it), leaves a valid
chain. So, as Certificate Transparency's signed tree heads do, every append made with the user's signing
key (:func:`mrmkit.evidence.signing.load_private_key`) also rewrites ``audit.jsonl.checkpoint`` beside the
log: the log's length (the seq of its last line) and its head hash, signed with Ed25519.

``{"format": 1, "log": "audit.jsonl", "seq": 12, "head": <hash of seq 12>, "time": ..., "algorithm":
"ed25519", "public_key": <base64>, "fingerprint": "SHA256:...", "signature": <base64>}``

The signature covers the canonical JSON of every field but ``signature``, after the domain tag
:data:`DOMAIN`, so it can never be mistaken for a package signature. :func:`check` compares the log
with it: lines removed from the end, the newest lines rewritten, or lines appended by someone without the
key are each a problem; with a trusted key (``audit verify --key``) the checkpoint itself cannot be
forged. Without the key, a checkpoint is checked only against the key it names, which a forger can replace.
What no local file can prove: a forger holding an *older* signed checkpoint may cut the log back to it;
keep a copy of a recent checkpoint elsewhere to catch that (``audit verify --checkpoint COPY``).
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mrmkit.errors import InvalidInput, InvalidParameters, printable, shorten
from mrmkit.evidence.audit.chain import AuditProblem, _is_hash

__all__ = [
    "SUFFIX",
    "DOMAIN",
    "checkpoint_path",
    "write_checkpoint",
    "read_checkpoint",
    "read_copy",
    "check",
    "TailCheck",
]

SUFFIX = ".checkpoint"
DOMAIN = b"mrmkit audit checkpoint v1\n"
_LIMIT = 64 * 1024
_SIGNED = ("format", "log", "seq", "head", "time", "algorithm", "public_key", "fingerprint")


def checkpoint_path(log: Path) -> Path:
    """``audit.jsonl.checkpoint`` beside the log ``audit.jsonl``."""
    log = Path(log)
    return log.with_name(log.name + SUFFIX)


def _message(record: Mapping[str, Any]) -> bytes:
    body = {k: record.get(k) for k in _SIGNED}
    return DOMAIN + json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def write_checkpoint(log: Path, seq: int, head: str, key: Any) -> dict[str, Any]:
    """Sign (seq, head) of ``log`` with ``key`` and replace the checkpoint atomically (temporary file, fsync,
    rename). OSError when it cannot be written: the caller rolls the append back."""
    from mrmkit.evidence.signing import _raw, fingerprint

    public = key.public_key()
    record: dict[str, Any] = {
        "format": 1,
        "log": Path(log).name,
        "seq": seq,
        "head": head,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "algorithm": "ed25519",
        "public_key": base64.b64encode(_raw(public)).decode(),
        "fingerprint": fingerprint(public),
    }
    record["signature"] = base64.b64encode(key.sign(_message(record))).decode()
    target = checkpoint_path(log)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    data = (json.dumps(record, indent=2, sort_keys=True) + "\n").encode()
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o644)
    try:
        try:
            if os.write(fd, data) != len(data):
                raise OSError(f"only part of {tmp} was written")
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return record


def read_checkpoint(log: Path) -> dict[str, Any] | None:
    """The checkpoint beside ``log``; None when there is none; ``ValueError`` (a sentence) when it is unusable."""
    path = checkpoint_path(log)
    if not path.exists() and not path.is_symlink():
        return None
    return _load(path)


def read_copy(path: Path) -> dict[str, Any]:
    """A copy of a checkpoint kept elsewhere (``audit verify --checkpoint``): valid and signed, or one sentence."""
    try:
        record = _load(Path(path))
        _signer(record)
    except ValueError as exc:
        raise InvalidParameters(f"--checkpoint: {exc}.") from None
    return record


def _load(path: Path) -> dict[str, Any]:
    from mrmkit.files import read_bytes

    try:
        record = json.loads(read_bytes(path, "The audit checkpoint", _LIMIT, follow=False))
    except InvalidInput as exc:
        raise ValueError(str(exc).rstrip(".")) from None
    except ValueError as exc:
        raise ValueError(f"{printable(path)} is not JSON ({shorten(exc)})") from None
    if not isinstance(record, dict) or record.get("format") != 1 or record.get("algorithm") != "ed25519":
        raise ValueError(f"{printable(path)} is not an mrmkit audit checkpoint")
    seq = record.get("seq")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0 or not (_is_hash(record.get("head"))):
        raise ValueError(f"{printable(path)} has no valid seq and head")
    return record


def _signer(record: Mapping[str, Any]) -> tuple[Any, str]:
    """The public key a checkpoint names and its fingerprint, if its signature is valid for it; else ValueError."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from mrmkit.evidence.signing import fingerprint

    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(str(record.get("public_key")), validate=True))
        public.verify(base64.b64decode(str(record.get("signature")), validate=True), _message(record))
    except (ValueError, TypeError, InvalidSignature):
        raise ValueError("its signature does not match its content (it was edited, or forged)") from None
    named = fingerprint(public)
    if record.get("fingerprint") != named:
        raise ValueError("the fingerprint it states is not that of its key")
    return public, named


@dataclass(frozen=True, slots=True)
class TailCheck:
    """What the checkpoint says of the log's tail: the problems, and one line for the command line."""

    problems: tuple[AuditProblem, ...]
    line: str
    proven: bool  # the tail is proven: a checkpoint signed by a trusted key matches the log's end


def check(
    log: Path,
    heads: Mapping[int, str],
    last_seq: int,
    n_lines: int,
    trusted: Sequence[Any] | None,
    copy: Mapping[str, Any] | None = None,
) -> TailCheck:
    """Compare the log (``heads``: seq to hash of its sound chain lines; ``last_seq`` its last) with its checkpoint.

    ``trusted``: the public keys the user trusts (``--key``); None checks the checkpoint only against the
    key it names. ``copy``: a checkpoint kept elsewhere, which must be in the log too.
    """
    from mrmkit.evidence.signing import _raw, fingerprint

    at = n_lines + 1
    problems: list[AuditProblem] = []
    unproven = (
        "its tail is not proven: lines removed from the end, or the newest lines edited and re-chained, would not show"
    )
    try:
        record = read_checkpoint(log)
    except ValueError as exc:
        return TailCheck((AuditProblem(at, "checkpoint", f"the checkpoint cannot be used: {exc}"),), unproven, False)
    for name, given in (("the copy of a checkpoint", copy), ("the checkpoint", record)):
        if given is not None:
            problems += _compare(given, name, heads, last_seq, at, later_ok=trusted is None or given is copy)
    if record is None:
        if trusted is not None:
            problems.append(
                AuditProblem(
                    at, "checkpoint", f"there is no signed checkpoint {checkpoint_path(log).name} beside the log"
                )
            )
        return TailCheck(tuple(problems), f"no signed checkpoint: {unproven}", False)
    try:
        public, named = _signer(record)
    except ValueError as exc:
        problems.append(AuditProblem(at, "checkpoint", f"the checkpoint {checkpoint_path(log).name}: {exc}"))
        return TailCheck(tuple(problems), f"checkpoint invalid: {unproven}", False)
    where = f"checkpoint at seq {record['seq']} signed by {named}"
    if trusted is None:
        return TailCheck(
            tuple(problems), f"{where} (not checked against a key you trust: pass --key); {unproven}", False
        )
    if _raw(public) not in {_raw(k) for k in trusted}:
        keys = ", ".join(fingerprint(k) for k in trusted)
        problems.append(AuditProblem(at, "checkpoint", f"the {where}, not by a trusted key ({keys})"))
        return TailCheck(tuple(problems), f"{where}, NOT by a trusted key: {unproven}", False)
    return TailCheck(tuple(problems), f"tail proven: {where}, a trusted key", not problems)


def _compare(
    record: Mapping[str, Any], name: str, heads: Mapping[int, str], last_seq: int, at: int, later_ok: bool
) -> list[AuditProblem]:
    """The log against one checkpoint: cut before it, rewritten at or before it, or (unless ``later_ok``)
    lines after it that no signed checkpoint covers."""
    seq, head = record["seq"], record["head"]
    if seq == 0:
        return []
    if seq > last_seq:
        gone = f"seq {seq}" if seq == last_seq + 1 else f"seqs {last_seq + 1} to {seq}"
        return [
            AuditProblem(
                at, "removed", f"{name} records {seq} lines, but the log ends at seq {last_seq}: {gone} were removed"
            )
        ]
    if heads.get(seq) != head:
        return [
            AuditProblem(
                at,
                "edited",
                f"seq {seq} of the log does not have the hash {head[:12]}... that {name} records: "
                "the chain was rewritten at or before it",
            )
        ]
    if seq < last_seq and not later_ok:
        later = f"seq {last_seq}" if last_seq == seq + 1 else f"seqs {seq + 1} to {last_seq}"
        return [
            AuditProblem(
                at,
                "unsigned",
                f"{later} came after the signed checkpoint (seq {seq}): appended without the signing key, "
                "or the checkpoint was replaced by an older one",
            )
        ]
    return []
