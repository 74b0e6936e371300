"""Ed25519 signatures of evidence packages, and the user's keys.

Hashes alone prove only that a package is consistent with its manifest: anyone who edits a file can
recompute every hash and the manifest's self-hash. A signature proves who published it. At publish the
runner signs the exact bytes of ``manifest.json`` (which holds the sha256 of every other file, the
model, version and run id) with the user's private key and writes ``manifest.sig`` beside it:

``{"format": 1, "algorithm": "ed25519", "public_key": <base64 raw key>, "fingerprint": "SHA256:...",
"manifest_sha256": <sha256 of manifest.json's bytes>, "signature": <base64>}``

``mrmkit verify PACKAGE --key PUBKEY`` checks that signature against a public key the verifier trusts.
Without ``--key`` a signature is only checked against the key it names itself, which a forger can
replace with their own: the output says so.

Keys live in the user's config folder (``$MRMKIT_CONFIG_DIR``, else ``$XDG_CONFIG_HOME/mrmkit``, else
``~/.config/mrmkit``): ``signing_key.pem`` (private, mode 0600, folder 0700) and ``signing_key.pub``.
``$MRMKIT_SIGNING_KEY`` names another private key file (a service account's, for batch jobs).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mrmkit.errors import InvalidParameters, shorten

__all__ = [
    "SIGNATURE",
    "config_dir",
    "private_key_path",
    "init_keys",
    "load_private_key",
    "load_public_key",
    "public_key_text",
    "fingerprint",
    "sign_package",
    "check_signature",
    "SignatureReport",
]

SIGNATURE = "manifest.sig"
PRIVATE = "signing_key.pem"
PUBLIC = "signing_key.pub"
_PREFIX = "mrmkit-ed25519"


def config_dir() -> Path:
    """The user's mrmkit config folder."""
    if os.environ.get("MRMKIT_CONFIG_DIR"):
        return Path(os.environ["MRMKIT_CONFIG_DIR"])
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "mrmkit"


def private_key_path() -> Path:
    """``$MRMKIT_SIGNING_KEY``, else the config folder's ``signing_key.pem``."""
    env = os.environ.get("MRMKIT_SIGNING_KEY")
    return Path(env) if env else config_dir() / PRIVATE


def _raw(public: Any) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint(public: Any) -> str:
    """``SHA256:`` and the unpadded base64 of the sha256 of the raw public key (as ssh shows keys)."""
    digest = hashlib.sha256(_raw(public)).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


def public_key_text(public: Any) -> str:
    """The one-line form of a public key: ``mrmkit-ed25519 <base64 raw key>``."""
    return f"{_PREFIX} {base64.b64encode(_raw(public)).decode()}"


def init_keys(force: bool = False) -> tuple[Path, Any]:
    """Create a key pair in the config folder; refuse to replace one unless ``force``."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    folder = config_dir()
    path = folder / PRIVATE
    if path.exists() and not force:
        raise InvalidParameters(
            f"keys init: {path} already exists; pass --force to replace it (old signatures stay "
            "checkable only with the old public key)."
        )
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(folder, 0o700)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        tmp = path.with_name(f".{PRIVATE}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
        (folder / PUBLIC).write_text(public_key_text(key.public_key()) + "\n", encoding="utf-8")
    except OSError as exc:
        raise InvalidParameters(f"keys init: cannot write {path} ({exc.strerror or exc}).") from None
    return path, key.public_key()


def load_private_key(path: Path | None = None) -> Any | None:
    """The private signing key, or None when there is none; a loose or unreadable key file is an error."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    path = Path(path) if path is not None else private_key_path()
    if not path.exists():
        if os.environ.get("MRMKIT_SIGNING_KEY"):
            raise InvalidParameters(f"MRMKIT_SIGNING_KEY: {path} does not exist.")
        return None
    from mrmkit.files import open_fd

    try:
        fd = open_fd(path, _KEY_LIMIT)
    except OSError as exc:
        raise InvalidParameters(f"signing key {path} cannot be read ({exc.strerror or exc}).") from None
    try:
        mode = os.fstat(fd).st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise InvalidParameters(
                f"signing key {path} can be read by other users (mode {stat.S_IMODE(mode):o}); run chmod 600 on it."
            )
        pem = os.read(fd, _KEY_LIMIT)
    finally:
        os.close(fd)
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise InvalidParameters(f"signing key {path} cannot be read as a PEM private key ({shorten(exc)}).") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise InvalidParameters(f"signing key {path} is not an Ed25519 key.")
    return key


_KEY_LIMIT = 64 * 1024


def load_public_key(given: str, from_file: bool = True) -> Any:
    """A public key from a file (PEM or the one-line form) or from the one-line text itself."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from mrmkit.files import read_text

    text = given
    if from_file and not given.lstrip().startswith((_PREFIX + " ", "-----BEGIN")) and os.path.lexists(given):
        text = read_text(given, "--key: the public key file", _KEY_LIMIT, error=InvalidParameters)
    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_public_key(text.encode())
        else:
            prefix, _, body = text.partition(" ")
            if prefix != _PREFIX:
                raise ValueError(f"expected '{_PREFIX} <base64>' or a PEM public key")
            key = Ed25519PublicKey.from_public_bytes(base64.b64decode(body.strip(), validate=True))
    except (ValueError, TypeError) as exc:
        raise InvalidParameters(f"--key: {shorten(given)} is not an Ed25519 public key ({shorten(exc)}).") from None
    if not isinstance(key, Ed25519PublicKey):
        raise InvalidParameters(f"--key: {shorten(given)} is not an Ed25519 public key.")
    return key


def sign_package(package: Path, key: Any) -> str:
    """Sign ``package/manifest.json`` with ``key``; write ``manifest.sig``; return the key's fingerprint."""
    manifest = _manifest_bytes(package)
    public = key.public_key()
    record = {
        "format": 1,
        "algorithm": "ed25519",
        "public_key": base64.b64encode(_raw(public)).decode(),
        "fingerprint": fingerprint(public),
        "manifest_sha256": hashlib.sha256(manifest).hexdigest(),
        "signature": base64.b64encode(key.sign(manifest)).decode(),
    }
    (Path(package) / SIGNATURE).write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return record["fingerprint"]


@dataclass(frozen=True, slots=True)
class SignatureReport:
    """What the signature check found: ``state`` is ``unsigned``, ``valid`` or ``invalid``."""

    state: str
    fingerprint: str | None = None
    trusted: bool | None = None  # valid and made by the key given with --key (None: no key given)
    problem: str | None = None

    @property
    def ok(self) -> bool:
        """Good enough for exit 0: a valid signature, by the given key when one was given; or unsigned, no key."""
        if self.trusted is not None:
            return self.state == "valid" and self.trusted
        return self.state in ("valid", "unsigned")

    def line(self, key_fingerprint: str | None = None) -> str:
        if self.state == "unsigned":
            return "signature: unsigned" + (f" (expected a signature by {key_fingerprint})" if key_fingerprint else "")
        if self.state == "invalid":
            return f"signature: INVALID ({self.problem})"
        if self.trusted is None:
            return (
                f"signature: signed by {self.fingerprint} (valid for the key it names; not checked against a key "
                "you trust: pass --key)"
            )
        if self.trusted:
            return f"signature: signed by {self.fingerprint}, the given key"
        return f"signature: signed by {self.fingerprint}, NOT by the given key {key_fingerprint}"


def check_signature(package: Path, trusted: Any | None = None) -> SignatureReport:
    """Check ``manifest.sig`` of ``package`` (against ``trusted`` when given). Never raises on a bad file."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    from mrmkit.files import read_bytes

    path = Path(package) / SIGNATURE
    keys = None if trusted is None else list(trusted) if isinstance(trusted, list | tuple) else [trusted]
    if not path.exists() and not path.is_symlink():
        return SignatureReport("unsigned", trusted=False if keys is not None else None)
    try:
        record = json.loads(read_bytes(path, SIGNATURE, _KEY_LIMIT, error=InvalidParameters, follow=False))
        if not isinstance(record, dict) or record.get("format") != 1 or record.get("algorithm") != "ed25519":
            raise ValueError(f"{SIGNATURE} is not an mrmkit Ed25519 signature")
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(record["public_key"], validate=True))
        signature = base64.b64decode(record["signature"], validate=True)
        manifest = _manifest_bytes(package)
    except (OSError, ValueError, TypeError, KeyError) as exc:
        return SignatureReport("invalid", problem=f"{SIGNATURE} cannot be read: {shorten(exc)}")
    named = fingerprint(public)
    try:
        public.verify(signature, manifest)
    except InvalidSignature:
        return SignatureReport("invalid", named, problem=f"the signature by {named} does not match manifest.json")
    if record.get("fingerprint") != named:
        return SignatureReport("invalid", named, problem="the fingerprint it states is not that of its key")
    if keys is None:
        return SignatureReport("valid", named)
    return SignatureReport("valid", named, trusted=_raw(public) in {_raw(k) for k in keys})


def _manifest_bytes(package: Path) -> bytes:
    """The exact bytes of ``manifest.json`` (a regular file, bounded as a manifest is)."""
    from mrmkit.evidence.manifest import MANIFEST, MANIFEST_LIMIT
    from mrmkit.files import read_bytes

    return read_bytes(Path(package) / MANIFEST, MANIFEST, MANIFEST_LIMIT, error=InvalidParameters, follow=False)
