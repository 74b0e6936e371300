"""Verifying the audit trail: :func:`verify` checks the hash chain and names every problem by line and seq;
:func:`verify_with_packages` and :func:`package_trail` check the log against the packages published with it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mrmkit.errors import InvalidInput, printable
from mrmkit.evidence.audit.chain import (
    AUDIT_LOG,
    GENESIS,
    KINDS,
    MAX_LINE,
    AuditError,
    AuditProblem,
    AuditReport,
    _is_hash,
    _parse,
    line_hash,
    lines,
    records,
)

__all__ = ["verify", "packages_under", "verify_with_packages", "package_trail"]


# ------------------------------------------------------------------------------------------------ verify


#: the fields of a line kept after it is checked: the log is streamed, and only these stay in memory
_KEPT = ("seq", "prev", "hash", "action", "run_id", "model_id", "model_version", "package", "manifest_sha256")


@dataclass(slots=True)
class _Line:
    number: int
    record: dict[str, Any]
    sound: bool  # its hash matches its content

    @property
    def seq(self) -> int:
        return self.record["seq"]

    @property
    def hash(self) -> str:
        return self.record["hash"]

    @property
    def prev(self) -> str:
        return self.record["prev"]


def _seqs(values: list[int]) -> str:
    values = sorted(values)
    if len(values) > 3 and values[-1] - values[0] == len(values) - 1:
        return f"seqs {values[0]} to {values[-1]}"
    return ("seq " if len(values) == 1 else "seqs ") + ", ".join(map(str, values))


def _at(line: _Line) -> str:
    return f"line {line.number} (seq {line.seq})"


def verify(path: Path, anchors: Mapping[int, str] | None = None) -> AuditReport:
    """Check the hash chain of the audit trail at ``path``, naming every problem by line and seq.

    Parameters
    ----------
    path
        The ``audit.jsonl`` file. A missing file is an error (``InvalidInput``); an empty one is intact.
    anchors
        Optional ``{seq: hash}`` recorded outside the log (see ``head``). Each must still be in the log
        with that hash; this catches lines removed from the end and a chain rewritten with fresh hashes,
        which the chain alone cannot.

    Kinds of problem
    ----------------
    - ``malformed``: not UTF-8 JSON, a missing or ill-typed field, or a last line without its newline.
    - ``edited``: a line's ``hash`` does not match its content; or a line's content and hash were both
      changed, so the next line's ``prev`` no longer matches it (the edited line is named).
    - ``removed``: seq numbers are missing and the next line's ``prev`` matches no line (the missing seqs
      are named).
    - ``reordered``: a line's seq is not above every seq before it, or its ``prev`` points to a line with
      another seq.
    - ``inserted``: a line repeats the seq of another and no later line's ``prev`` points to it.
    """
    report, _ = _scan(path, anchors)
    return report


def _scan(path: Path, anchors: Mapping[int, str] | None = None) -> tuple[AuditReport, list[_Line]]:
    """:func:`verify`, and the well-formed lines of the log (their kept fields only), streamed once."""
    path = Path(path)
    problems: list[AuditProblem] = []
    entries: list[_Line | None] = []  # None for a malformed line
    n_lines = 0
    for number, raw, complete in lines(path):
        n_lines = number
        if not complete:
            problems.append(
                AuditProblem(
                    number,
                    "malformed",
                    f"line {number} is incomplete (no newline at the end): an append was interrupted or the file was cut",
                )
            )
            entries.append(None)
            continue
        try:
            if len(raw) > MAX_LINE:
                raise ValueError(f"it is longer than the {MAX_LINE:,} bytes a line may have")
            record = _parse(raw)
        except ValueError as exc:
            problems.append(AuditProblem(number, "malformed", f"line {number} is not a well-formed audit line: {exc}"))
            entries.append(None)
            continue
        sound = line_hash(record) == record["hash"]
        entries.append(_Line(number, {k: record[k] for k in _KEPT if k in record}, sound))
        if not sound:
            problems.append(
                AuditProblem(
                    number,
                    "edited",
                    f"line {number} (seq {record['seq']}) was edited: its content no longer matches its hash",
                )
            )

    good = [e for e in entries if e is not None]
    referenced = {ln.prev for ln in good}

    # Duplicated seqs: the line no later line points to was inserted (or came from an unlocked writer).
    inserted: set[int] = set()
    by_seq: dict[int, list[_Line]] = {}
    for ln in good:
        if ln.sound:
            by_seq.setdefault(ln.seq, []).append(ln)
    for group in by_seq.values():
        if len(group) < 2:
            continue
        kept = [ln for ln in group if ln.hash in referenced]
        for ln in group:
            if ln in kept or (not kept and ln is group[0]):
                continue
            inserted.add(ln.number)
            if kept:
                why = f"repeats the seq of line {', '.join(str(k.number) for k in kept)} and no later line's prev points to it: it was inserted"
            else:
                why = f"repeats the seq of line {group[0].number} and no later line points to either: one of them was inserted"
            problems.append(AuditProblem(ln.number, "inserted", f"{_at(ln)} {why}"))

    chain = [ln for ln in good if ln.number not in inserted]
    by_hash = {ln.hash: ln for ln in chain}
    present = {ln.seq for ln in chain}
    max_seen: _Line | None = None
    previous: _Line | None = None
    malformed_since = 0
    for entry in entries:
        if entry is None:
            malformed_since += 1
            continue
        b = entry
        if b.number in inserted:
            continue
        a, gap_lines = previous, malformed_since
        previous, malformed_since = b, 0
        if not b.sound:
            continue  # already reported; its seq and prev cannot be trusted
        if max_seen is not None and b.seq <= max_seen.seq:
            problems.append(
                AuditProblem(b.number, "reordered", f"{_at(b)} comes after {_at(max_seen)}: the lines are out of order")
            )
            continue
        max_seen = b
        if b.seq == 1:
            if b.prev != GENESIS:
                problems.append(
                    AuditProblem(b.number, "edited", f"{_at(b)} is the first line but its prev is not 64 zeros")
                )
            continue
        if any(ln.hash == b.prev and ln.seq == b.seq - 1 for ln in chain):
            continue  # linked to its predecessor, wherever that stands (misplacement is reported there)
        missing = []
        seq = b.seq - 1
        while seq >= 1 and seq not in present:
            missing.append(seq)
            seq -= 1
        target = by_hash.get(b.prev)
        where = (
            f"; the prev of {_at(b)} points to {_at(target)}" if target else f"; the prev of {_at(b)} matches no line"
        )
        if missing:
            if gap_lines >= len(missing):
                continue  # the malformed line(s) just before it stand where the missing ones were
            after = f" between {_at(a)} and {_at(b)}" if a is not None else f" before {_at(b)}"
            problems.append(
                AuditProblem(
                    b.number,
                    "removed",
                    f"{_seqs(missing)} {'is' if len(missing) == 1 else 'are'} missing{after}{where}",
                )
            )
        elif target is not None:
            problems.append(AuditProblem(b.number, "reordered", f"{_at(b)} should follow seq {b.seq - 1}{where}"))
        else:
            for pred in (ln for ln in chain if ln.seq == b.seq - 1 and ln.sound):
                problems.append(
                    AuditProblem(
                        pred.number,
                        "edited",
                        f"{_at(pred)} was changed after {_at(b)} was written: its hash was recomputed, "
                        f"so it no longer matches the prev that {_at(b)} records",
                    )
                )

    problems += _duplicated_runs(chain)
    for seq, expected in sorted((anchors or {}).items()):
        found = [ln for ln in chain if ln.seq == seq]
        if not found:
            problems.append(
                AuditProblem(
                    n_lines + 1,
                    "removed",
                    f"seq {seq}, anchored with hash {expected[:12]}..., is not in the log: lines were removed",
                )
            )
        elif all(ln.hash != expected for ln in found):
            problems.append(
                AuditProblem(
                    found[0].number,
                    "edited",
                    f"{_at(found[0])} has hash {found[0].hash[:12]}..., not the anchored {expected[:12]}...: "
                    "the chain was rewritten at or before this line",
                )
            )

    tip = good[-1] if good else None
    problems.sort(key=lambda p: (p.line, KINDS.index(p.kind)))
    report = AuditReport(
        path=path,
        n_lines=n_lines,
        problems=tuple(problems),
        last_seq=tip.seq if tip else None,
        last_hash=tip.hash if tip else None,
    )
    return report, chain


def _duplicated_runs(chain: list[_Line]) -> list[AuditProblem]:
    """A run id has one run line: a second one (however well chained) was forged or replayed."""
    first: dict[str, _Line] = {}
    problems = []
    for ln in chain:
        run_id = ln.record.get("run_id")
        if ln.record.get("action") != "run" or not isinstance(run_id, str):
            continue
        if run_id in first:
            problems.append(
                AuditProblem(
                    ln.number,
                    "duplicated",
                    f"{_at(ln)} is a second run line for the run {printable(run_id)} (the first is "
                    f"{_at(first[run_id])}): a run is recorded once",
                )
            )
        else:
            first[run_id] = ln
    return problems


# ---------------------------------------------------------------------------------- packages as anchors


def packages_under(folder: Path) -> list[tuple[Path, dict[str, Any]]]:
    """Every readable package manifest under ``folder`` (``<model>/<version>/<run>/manifest.json``)."""
    from mrmkit.errors import PackageError
    from mrmkit.evidence.manifest import read_manifest

    found = []
    for path in sorted(Path(folder).glob("*/*/*/manifest.json")):
        if any(part.startswith(".") for part in path.relative_to(folder).parts):
            continue
        try:
            found.append((path.parent, read_manifest(path.parent)))
        except PackageError:
            continue
    return found


def verify_with_packages(
    path: Path, trusted: Sequence[Any] | None = None, copy: Mapping[str, Any] | None = None
) -> AuditReport:
    """Check the log's chain, its signed checkpoint and its anchors: every package under the log's folder names it.

    Each package's manifest records ``audit_head``, the log's last line before the run, and the log must
    hold one ``run`` line for that package with the manifest's hash. So removing the last lines, emptying or
    deleting the log, rewriting the whole chain with fresh hashes, or editing a package and its run line,
    each shows as a problem naming the package, though the chain alone may be unbroken. A run line whose
    package is gone is a problem unless a ``withdraw`` line records its removal.

    The tail (lines removed from the end, the newest lines edited and re-chained) is proven only by the
    signed checkpoint (:mod:`~mrmkit.evidence.audit.checkpoint`) checked against ``trusted`` keys: without
    them, ``AuditReport.tail`` says what was not proven. ``copy`` is a checkpoint kept elsewhere.
    """
    from mrmkit.evidence.audit.checkpoint import check

    path = Path(path)
    packages = packages_under(path.parent)
    anchors = {}
    for _, manifest in packages:
        anchor = manifest.get("audit_head")
        if isinstance(anchor, dict) and isinstance(anchor.get("seq"), int) and _is_hash(anchor.get("hash")):
            anchors[anchor["seq"]] = anchor["hash"]
    if not path.exists() and not path.is_symlink():
        if not packages:
            raise InvalidInput(f"{path} does not exist.")
        return AuditReport(
            path,
            0,
            (
                AuditProblem(
                    1,
                    "removed",
                    f"the log is missing, but {len(packages)} package(s) under {path.parent} were published with it",
                ),
            ),
        )
    report, chain = _scan(path, anchors)
    problems = list(report.problems)
    at = report.n_lines + 1
    runs: dict[Any, list[_Line]] = {}
    for ln in chain:
        if ln.sound and ln.record.get("action") == "run":
            runs.setdefault(ln.record.get("run_id"), []).append(ln)
    for package, manifest in packages:
        found = runs.get(manifest.get("run_id"), [])
        where = printable(package.relative_to(path.parent).as_posix())
        if not found:
            problems.append(AuditProblem(at, "removed", f"no run line for the package {where}"))
        for run in found:
            if run.record.get("manifest_sha256") != manifest.get("manifest_sha256"):
                problems.append(
                    AuditProblem(
                        at,
                        "edited",
                        f"the run line (seq {run.seq}) of {where} records another manifest hash than the package has",
                    )
                )
    problems += _gone(path.parent, chain, {p.resolve() for p, _ in packages}, at)
    heads = {ln.seq: ln.hash for ln in chain if ln.sound}
    tail = check(path, heads, report.last_seq or 0, report.n_lines, trusted, copy)
    problems += tail.problems
    return AuditReport(path, report.n_lines, tuple(problems), report.last_seq, report.last_hash, tail=tail.line)


def _gone(folder: Path, chain: list[_Line], present: set[Path], at: int) -> list[AuditProblem]:
    """Run lines whose package is no longer under ``folder`` and that no ``withdraw`` line accounts for."""
    withdrawn = {ln.record.get("run_id") for ln in chain if ln.sound and ln.record.get("action") == "withdraw"}
    problems = []
    for ln in chain:
        record = ln.record
        if not ln.sound or record.get("action") != "run" or record.get("run_id") in withdrawn:
            continue
        parts = [record.get(k) for k in ("model_id", "model_version", "run_id")]
        if not all(isinstance(p, str) and p for p in parts):
            continue  # not a line mrmkit run wrote: nothing to look for
        expected = (Path(folder) / parts[0] / parts[1] / parts[2]).resolve()
        if expected in present:
            continue
        problems.append(
            AuditProblem(
                at,
                "missing",
                f"the package of the run line {_at(ln)}, {printable('/'.join(parts))}, is gone (or is no readable "
                "package) and no withdraw line records its removal (`mrmkit withdraw PACKAGE --reason ...`)",
            )
        )
    return problems


def package_trail(package: Path, manifest: Mapping[str, Any]) -> tuple[bool | None, str]:
    """The audit log next to a package on this package: (None, why) without a log, else (matches, line)."""
    log = Path(package).resolve().parent.parent.parent / AUDIT_LOG
    if not log.exists():
        return None, "audit trail: none next to the package"
    try:
        runs = [r for r in records(log) if r.get("action") == "run" and r.get("run_id") == manifest.get("run_id")]
    except (AuditError, InvalidInput) as exc:
        return False, f"audit trail: {log} cannot be read ({printable(exc)})"
    if not runs:
        return False, f"audit trail: {log} has no run line for this package"
    if len(runs) > 1:
        seqs = ", ".join(str(r.get("seq")) for r in runs)
        return False, f"audit trail: {log} has {len(runs)} run lines for this run (seqs {seqs}); a run is recorded once"
    run = runs[0]
    if run.get("manifest_sha256") != manifest.get("manifest_sha256"):
        return False, f"audit trail: the manifest hash differs from the run line (seq {run.get('seq')}) in {log}"
    return True, f"audit trail: matches the run line (seq {run.get('seq')}) in {log}"
