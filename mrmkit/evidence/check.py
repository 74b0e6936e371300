"""Everything ``mrmkit verify PACKAGE`` checks, in one place: the files against the manifest, the signature
and the package's line in the audit trail next to it.

It sits above :mod:`~mrmkit.evidence.manifest`, :mod:`~mrmkit.evidence.signing` and
:mod:`~mrmkit.evidence.audit.verifier`, which use none of it (the audit verifier reads manifests, so the
manifest module cannot call the audit verifier without an import cycle).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mrmkit.evidence.audit.verifier import package_trail
from mrmkit.evidence.manifest import VerifyReport, read_manifest, verify_package
from mrmkit.evidence.signing import check_signature

__all__ = ["PackageCheck", "check_package"]


@dataclass(frozen=True)
class PackageCheck:
    """Everything ``mrmkit verify PACKAGE`` checks: the files against the manifest, the signature (against a
    trusted key when one is given) and the package's line in the audit trail next to it, if there is one."""

    files: VerifyReport
    manifest: dict[str, Any]
    signature: Any  # mrmkit.evidence.signing.SignatureReport
    trail_ok: bool | None  # None: no audit trail next to the package
    trail_line: str

    @property
    def good(self) -> bool:
        """The package verifies: files intact, signature acceptable, audit line not contradicting it."""
        return self.files.intact and self.signature.ok and self.trail_ok is not False

    def problem(self) -> str | None:
        """Why it does not verify, in one line (the files first, then the signature, then the trail)."""
        if not self.files.intact:
            return "; ".join(self.files.lines())
        if not self.signature.ok:
            return self.signature.line()
        return self.trail_line if self.trail_ok is False else None


def check_package(package: Path, trusted: Any | None = None) -> PackageCheck:
    """:class:`PackageCheck` of ``package``; ``PackageError`` when it is no package (no readable manifest)."""
    files = verify_package(package)
    manifest = read_manifest(package)
    return PackageCheck(files, manifest, check_signature(package, trusted), *package_trail(package, manifest))
