"""The audit trail: an append-only, hash-chained log of every run, verify and reproduce.

``audit.jsonl`` sits next to the evidence packages. Each line is one JSON object (sorted keys, compact
separators, UTF-8) with

- ``seq``: 1 for the first line, then consecutive;
- ``time``: UTC, ISO 8601 to the second (``2026-01-31T09:15:02Z``);
- ``user`` (the login name, or the numeric uid when there is none) and ``host``;
- the event's own fields (``action``, ``package``, ``manifest_sha256``, ``outcome``, ...);
- ``prev``: the ``hash`` of the previous line, 64 zeros on the first line;
- ``hash``: the sha256 of the canonical JSON of the line without ``hash``.

``verify`` names every line that was edited, removed, reordered, inserted or left malformed (a crash in
the middle of an append leaves a last line without its newline; ``append`` refuses to extend such a log).

Limitations, stated plainly:

- The chain proves that lines were not changed *relative to each other*. Removing lines from the end, or
  editing the last line and recomputing its hash, leaves a shorter or different but valid chain, and
  whoever can write the file can rewrite the whole chain with fresh hashes. To catch that, every append
  made with the user's signing key also signs a checkpoint of the log's length and head
  (:mod:`~mrmkit.evidence.audit.checkpoint`), which ``verify_with_packages(path, trusted=[key])`` checks;
  heads recorded elsewhere (``head(path)``, in a package manifest or a ticket) can be passed back to
  ``verify(path, anchors={seq: hash})``. Without a trusted key the tail is not proven, and reports say so.
- Two run lines for one run id, and a run line whose package is gone without a ``withdraw`` line
  (:mod:`~mrmkit.evidence.audit.withdraw`), are problems of ``verify_with_packages``.
- A hash is not a signature: the chain shows integrity, not who wrote a line.
- Concurrent appends are serialised with ``fcntl.flock`` on the log itself (POSIX; a local file system or
  one whose locks work across machines).

The package has one module per job, and this module re-exports all their names:
:mod:`~mrmkit.evidence.audit.chain` (the line format, the result types, the hash and reading the log),
:mod:`~mrmkit.evidence.audit.writer` (``append`` and ``head``) and :mod:`~mrmkit.evidence.audit.verifier` (``verify``
and the check of the log against the packages published with it).
"""

# isort: off
from mrmkit.evidence.audit.chain import (
    AUDIT_LOG,
    GENESIS,
    KINDS,
    AuditError,
    AuditProblem,
    AuditReport,
    canonical,
    line_hash,
    read,
)
from mrmkit.evidence.audit.writer import append, head
from mrmkit.evidence.audit.verifier import verify

# The former module's other names, still importable from here ("x as x" marks a re-export).
from mrmkit.evidence.audit.chain import (
    RESERVED as RESERVED,
    _HEX as _HEX,
    _is_hash as _is_hash,
    _no_duplicates as _no_duplicates,
    _parse as _parse,
    _read_bytes as _read_bytes,
    _reject_constant as _reject_constant,
    _split as _split,
)
from mrmkit.evidence.audit.writer import (
    _check_last as _check_last,
    _fsync_dir as _fsync_dir,
    _jsonable as _jsonable,
    _last_line as _last_line,
    _normalise as _normalise,
    _user as _user,
)
from mrmkit.evidence.audit.verifier import (
    _at as _at,
    _Line as _Line,
    _seqs as _seqs,
    package_trail as package_trail,
    packages_under as packages_under,
    verify_with_packages as verify_with_packages,
)
# isort: on

__all__ = [
    "AUDIT_LOG",
    "GENESIS",
    "KINDS",
    "AuditError",
    "AuditProblem",
    "AuditReport",
    "append",
    "canonical",
    "head",
    "line_hash",
    "read",
    "verify",
]
