"""Commands about whether a package can be trusted: ``mrmkit verify``, the signing keys (``mrmkit keys``)
and the audit trail (``mrmkit audit``); :func:`_audit` records a verify or reproduce in the audit log."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from mrmkit.cli._console import TRUSTED_HELP, _guard, err, out
from mrmkit.errors import MrmkitError, PackageError, one_line


def _identity(manifest: dict[str, Any]) -> str:
    """Model, version and run id as the manifest records them (not the folder names, which anyone can change)."""
    from mrmkit.errors import shorten

    return ", ".join(
        f"{label} {shorten(manifest.get(key)) if manifest.get(key) is not None else '-'}"
        for label, key in (("model", "model_id"), ("version", "model_version"), ("run", "run_id"))
    )


@_guard
def verify(
    package: Annotated[
        Path, typer.Argument(help="An evidence package folder, or a PDF printed by `mrmkit report --pdf`.")
    ],
    key: Annotated[
        str | None,
        typer.Option("--key", metavar="KEY", help="A public key you trust (file or 'mrmkit-ed25519 ...' text)."),
    ] = None,
    trusted_file: Annotated[Path | None, typer.Option("--trusted-keys", metavar="FILE", help=TRUSTED_HELP)] = None,
) -> None:
    """Re-hash every file of a package against its manifest; check its signature and its audit line."""
    from mrmkit.evidence.check import check_package
    from mrmkit.evidence.signing import fingerprint, load_public_key
    from mrmkit.evidence.trusted import trusted_keys

    if package.suffix.lower() == ".pdf" and package.is_file():
        from mrmkit.present.pdf import verify_pdf

        problems = verify_pdf(package)
        if problems:
            for line in problems:
                out.print(Text(one_line(line)), soft_wrap=True)
            err.print(f"{package} does not verify.")
            raise typer.Exit(1)
        out.print(f"intact: {package} matches its manifest {package.name}.json", soft_wrap=True)
        return
    trust = trusted_keys(trusted_file)
    trusted = [load_public_key(key)] if key is not None else list(trust.keys) if trust is not None else None
    if not package.exists() and not package.is_symlink():
        raise PackageError(f"{package} does not exist.")
    try:
        check = check_package(package, trusted)
    except PackageError as exc:  # a folder that is no package: the file under test is bad, not the command
        err.print(Text("not a package: ") + Text(one_line(exc)))
        raise typer.Exit(1) from None
    report, signature, trail_line = check.files, check.signature, check.trail_line
    out.print(Text(f"package: {_identity(check.manifest)} (as its manifest records them)"), soft_wrap=True)
    if report.intact:
        out.print(f"intact: {report.checked} files match the manifest of {package}")
    for line in report.lines():
        out.print(line, soft_wrap=True)
    shown = ", ".join(fingerprint(k) for k in trusted) if trusted is not None else None
    out.print(signature.line(shown), soft_wrap=True)
    if trusted is None:
        from mrmkit.evidence.trusted import UNCHECKED

        out.print(f"trust: {UNCHECKED} (pass --key or --trusted-keys FILE, or set MRMKIT_TRUSTED_KEYS)")
    out.print(trail_line, soft_wrap=True)
    good = check.good
    outcome = "intact" if good else "altered: " + "; ".join([*report.lines(), signature.line(), trail_line])
    try:
        _audit(package, "verify", outcome)
    except MrmkitError as exc:  # what was found about the package is already printed
        err.print(Text("error: ", style="bold red") + Text(one_line(exc)), soft_wrap=True)
        raise typer.Exit(1 if not good else exc.exit_code) from None
    if not good:
        err.print(f"{package} does not verify.")
        raise typer.Exit(1)


def say_trust(packages: list[Path], trusted_file: Path | None) -> dict[Path, str]:
    """Each package's trust under the setting (``--trusted-keys`` or ``$MRMKIT_TRUSTED_KEYS``), said on standard
    error: every untrusted package by name, or, without a setting, that none was checked against a key."""
    from mrmkit.evidence.trusted import UNCHECKED, package_trust, trusted_keys

    trust = trusted_keys(trusted_file)
    if trust is None:
        err.print(
            Text(
                f"note: signatures not checked: the packages are {UNCHECKED} "
                "(give --trusted-keys FILE or set MRMKIT_TRUSTED_KEYS)."
            ),
            soft_wrap=True,
        )
        return {p: UNCHECKED for p in packages}
    phrases = {p: package_trust(p, trust) for p in packages}
    for package, phrase in phrases.items():
        if phrase.startswith("UNTRUSTED"):
            err.print(Text("warning: ", style="bold yellow") + Text(f"{package}: {phrase}"), soft_wrap=True)
    return phrases


def _audit(package: Path, action: str, outcome: str) -> None:
    """Record a verify or reproduce in the audit log next to the packages (``<out>/audit.jsonl``), if any."""
    from mrmkit.evidence import audit
    from mrmkit.evidence.manifest import read_manifest

    parents = Path(package).resolve().parents
    if len(parents) < 3 or not (log := parents[2] / audit.AUDIT_LOG).exists():
        return  # not inside <out>/<model>/<version>/, or no audit log there
    manifest = read_manifest(package)
    audit.append(
        log,
        {
            "action": action,
            "package": str(Path(package).resolve()),
            "run_id": manifest.get("run_id"),
            "manifest_sha256": manifest.get("manifest_sha256"),
            "outcome": outcome if len(outcome) <= 8000 else outcome[:7999] + "…",  # a log line is bounded
        },
    )


keys_app = typer.Typer(help="The signing key pair that signs the packages you publish.", no_args_is_help=True)


@keys_app.command("init")
@_guard
def keys_init(force: Annotated[bool, typer.Option("--force", help="Replace an existing key pair.")] = False) -> None:
    """Create an Ed25519 key pair in your config folder (private key mode 0600); runs then sign their packages."""
    from mrmkit.evidence.signing import fingerprint, init_keys, public_key_text

    path, public = init_keys(force=force)
    err.print(f"mrmkit: private key {path} (keep it private); public key below, fingerprint {fingerprint(public)}")
    out.print(public_key_text(public))


def _public_key() -> Any:
    from mrmkit.evidence.signing import load_private_key, private_key_path

    key = load_private_key()
    if key is None:
        raise MrmkitError(f"keys: there is no signing key at {private_key_path()}; create one with `mrmkit keys init`.")
    return key.public_key()


@keys_app.command("show")
@_guard
def keys_show() -> None:
    """Print the fingerprint and the public key that verifiers pass to `mrmkit verify --key`."""
    from mrmkit.evidence.signing import fingerprint, public_key_text

    public = _public_key()
    out.print(f"fingerprint: {fingerprint(public)}")
    out.print(public_key_text(public))


@keys_app.command("export")
@_guard
def keys_export(
    out_file: Annotated[
        Path | None, typer.Option("--out", metavar="FILE", help="Write the public key here (PEM).")
    ] = None,
) -> None:
    """Export the public key as PEM (to a file with --out, else to standard output)."""
    from cryptography.hazmat.primitives import serialization

    pem = _public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    if out_file is None:
        sys.stdout.write(pem.decode())
        return
    try:
        out_file.write_bytes(pem)
    except OSError as exc:
        raise MrmkitError(f"--out: cannot write {out_file} ({exc.strerror or exc}).") from None
    print(out_file)


audit_app = typer.Typer(help="The audit trail of runs, verifications and re-performances.", no_args_is_help=True)


@audit_app.command("verify")
@_guard
def audit_verify(
    log: Annotated[Path, typer.Argument(help="The audit log, e.g. outputs/audit.jsonl.")],
    key: Annotated[
        str | None,
        typer.Option(
            "--key",
            metavar="KEY",
            help="The public key that signs the log's checkpoint (file or 'mrmkit-ed25519 ...' text); without it "
            "the log's tail is not proven. Default: the keys of $MRMKIT_TRUSTED_KEYS.",
        ),
    ] = None,
    checkpoint: Annotated[
        Path | None,
        typer.Option(
            "--checkpoint", metavar="FILE", help="A copy of an earlier checkpoint, kept elsewhere: must be in the log."
        ),
    ] = None,
) -> None:
    """Check the audit trail's hash chain, its signed checkpoint, the packages and issue registers anchored in it."""
    from mrmkit.evidence.audit import verify_with_packages
    from mrmkit.evidence.audit.checkpoint import read_copy
    from mrmkit.evidence.signing import load_public_key
    from mrmkit.evidence.trusted import trusted_keys

    trust = trusted_keys() if key is None else None
    trusted = [load_public_key(key)] if key is not None else list(trust.keys) if trust is not None else None
    copy = read_copy(checkpoint) if checkpoint is not None else None
    result = _with_registers(verify_with_packages(log, trusted, copy))
    if result.intact:
        out.print(f"intact: {result.n_lines} lines, hash chain unbroken", soft_wrap=True)
        out.print(Text(result.tail), soft_wrap=True)
        return
    for line in result.lines():
        out.print(line, highlight=False, markup=False, soft_wrap=True)
    if result.tail:
        out.print(Text(result.tail), soft_wrap=True)
    raise typer.Exit(1)


def _with_registers(report: Any) -> Any:
    """The report with the remediation registers beside the log checked against its issue lines."""
    from dataclasses import replace

    from mrmkit.evidence.audit import AuditProblem
    from mrmkit.remediation import check

    found = [AuditProblem(report.n_lines + 1, kind, message) for kind, message in check(report.path.parent)]
    return replace(report, problems=(*report.problems, *found)) if found else report


@_guard
def withdraw(
    package: Annotated[Path, typer.Argument(help="The package to withdraw (it may already be deleted).")],
    reason: Annotated[str, typer.Option("--reason", metavar="TEXT", help="Why it is withdrawn (recorded).")],
) -> None:
    """Record in the audit trail that a package is withdrawn, so its absence is not reported as a deletion.

    The package's files are left as they are; remove them afterwards if you will."""
    from mrmkit.evidence.audit.withdraw import withdraw as record

    line = record(package, reason)
    out.print(
        Text(f"withdrawn: {line['model_id']}/{line['model_version']}/{line['run_id']} (audit line seq {line['seq']})"),
        soft_wrap=True,
    )
