"""Commands about whether a package can be trusted: ``mrmkit verify``, the signing keys (``mrmkit keys``)
and the audit trail (``mrmkit audit``); :func:`_audit` records a verify or reproduce in the audit log."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from mrmkit.cli._console import _guard, err, out
from mrmkit.errors import MrmkitError, PackageError, one_line


@_guard
def verify(
    package: Annotated[
        Path, typer.Argument(help="An evidence package folder, or a PDF printed by `mrmkit report --pdf`.")
    ],
    key: Annotated[
        str | None,
        typer.Option("--key", metavar="KEY", help="A public key you trust (file or 'mrmkit-ed25519 ...' text)."),
    ] = None,
) -> None:
    """Re-hash every file of a package against its manifest; check its signature and its audit line."""
    from mrmkit.evidence.check import check_package
    from mrmkit.evidence.signing import fingerprint, load_public_key

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
    trusted = load_public_key(key) if key is not None else None
    if not package.exists() and not package.is_symlink():
        raise PackageError(f"{package} does not exist.")
    try:
        check = check_package(package, trusted)
    except PackageError as exc:  # a folder that is no package: the file under test is bad, not the command
        err.print(Text("not a package: ") + Text(one_line(exc)))
        raise typer.Exit(1) from None
    report, signature, trail_line = check.files, check.signature, check.trail_line
    if report.intact:
        out.print(f"intact: {report.checked} files match the manifest of {package}")
    for line in report.lines():
        out.print(line, soft_wrap=True)
    out.print(signature.line(fingerprint(trusted) if trusted is not None else None), soft_wrap=True)
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
            "outcome": outcome,
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
def audit_verify(log: Annotated[Path, typer.Argument(help="The audit log, e.g. outputs/audit.jsonl.")]) -> None:
    """Check the audit trail's hash chain and the packages anchored in it; name every problem."""
    from mrmkit.evidence.audit import verify_with_packages

    result = verify_with_packages(log)
    if result.intact:
        out.print(f"intact: {result.n_lines} lines, hash chain unbroken")
        return
    for line in result.lines():
        out.print(line, highlight=False, markup=False, soft_wrap=True)
    raise typer.Exit(1)
