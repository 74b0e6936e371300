"""The one trust setting: the public keys whose signatures a user trusts, for every command that reads packages.

``--trusted-keys FILE`` (on ``export prometheus``, ``history``, ``diff``, ``list``, ``open``, ``batch``), else
``$MRMKIT_TRUSTED_KEYS``, names a file of public keys: one per line in the form ``mrmkit keys show`` prints
(``mrmkit-ed25519 <base64>``), or PEM blocks as ``mrmkit keys export`` writes them; blank lines and lines
starting with ``#`` are ignored. ``$MRMKIT_TRUSTED_KEYS`` may also hold such key lines itself.

With the setting, a package is *trusted* only if its files match its manifest and ``manifest.sig`` is a valid
signature by one of the keys; any other package is *untrusted*, and every command says so. Without it
nothing is checked against a key, and the commands say "unsigned or not checked against a key", never
"verified": a forger who edits a package can recompute its hashes and sign it with a key of their own.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mrmkit.errors import InvalidParameters, shorten

__all__ = ["ENV", "UNCHECKED", "Trust", "trusted_keys", "parse_keys", "signature_trust", "package_trust"]

ENV = "MRMKIT_TRUSTED_KEYS"
UNCHECKED = "unsigned or not checked against a key"
_LIMIT = 1 << 20


@dataclass(frozen=True, slots=True)
class Trust:
    """The trusted public keys and where they came from (the option or the environment variable)."""

    keys: tuple[Any, ...]
    source: str

    @property
    def fingerprints(self) -> list[str]:
        from mrmkit.evidence.signing import fingerprint

        return [fingerprint(k) for k in self.keys]


def parse_keys(text: str, source: str) -> tuple[Any, ...]:
    """Every public key in ``text`` (one-line forms and PEM blocks); ``InvalidParameters`` naming ``source``."""
    from mrmkit.evidence.signing import load_public_key

    keys, pem = [], []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if pem or line.startswith("-----BEGIN"):
            pem.append(line)
            if line.startswith("-----END"):
                keys.append(_key(load_public_key, "\n".join(pem), source, number))
                pem = []
            continue
        if line and not line.startswith("#"):
            keys.append(_key(load_public_key, line, source, number))
    if pem:
        raise InvalidParameters(f"{source}: a PEM block is not closed (no -----END line).")
    if not keys:
        raise InvalidParameters(f"{source}: no public key in it; give one 'mrmkit-ed25519 ...' line per key.")
    return tuple(keys)


def _key(load: Any, text: str, source: str, number: int) -> Any:
    try:
        return load(text, from_file=False)
    except InvalidParameters as exc:
        raise InvalidParameters(f"{source}: line {number}: {shorten(str(exc).removeprefix('--key: '), 160)}") from None


def trusted_keys(option: str | Path | None = None) -> Trust | None:
    """The trust setting: the keys of ``option`` (a file), else of ``$MRMKIT_TRUSTED_KEYS``; None without either."""
    from mrmkit.files import read_text

    given = str(option) if option is not None else os.environ.get(ENV, "").strip()
    if not given:
        return None
    label = "--trusted-keys" if option is not None else ENV
    if option is None and given.lstrip().startswith(("mrmkit-ed25519", "-----BEGIN")):
        return Trust(parse_keys(given, ENV), ENV)
    text = read_text(given, f"{label}: the key file", _LIMIT, error=InvalidParameters)
    return Trust(parse_keys(text, f"{label} {given}"), f"{label} {given}")


def signature_trust(signature: Any, trust: Trust | None) -> str:
    """One phrase for a package's signature under the setting: ``trusted (signed by ...)``, ``UNTRUSTED: ...``
    or, without a setting, :data:`UNCHECKED`."""
    if trust is None:
        return UNCHECKED
    if signature.state == "valid" and signature.trusted:
        return f"trusted (signed by {signature.fingerprint})"
    if signature.state == "unsigned":
        return "UNTRUSTED: unsigned"
    if signature.state == "invalid":
        return f"UNTRUSTED: invalid signature ({signature.problem})"
    return f"UNTRUSTED: signed by {signature.fingerprint}, not a trusted key"


def package_trust(package: Path, trust: Trust | None) -> str:
    """A package's files and signature under the setting, in words: ``trusted (signed by ...)``, ``UNTRUSTED:
    ...`` (files altered, unsigned, another key), or :data:`UNCHECKED` without a setting (files altered is
    still UNTRUSTED)."""
    from mrmkit.errors import PackageError
    from mrmkit.evidence.check import check_package

    try:
        check = check_package(package, list(trust.keys) if trust is not None else None)
    except PackageError:
        return "UNTRUSTED: not a readable package"
    if not check.files.intact:
        return "UNTRUSTED: its files do not match its manifest"
    return signature_trust(check.signature, trust)
