"""OpenSSH public keys and certificates: load, print, fingerprint, parse and verify.

Everything here is local (no network) and built on ``cryptography``. Every function that takes
caller input raises a ``ValueError`` subclass from this module when the input is wrong, with a
message naming what was wrong; the underlying parser's exceptions never escape.

Supported key types are the ones ngrok accepts for SSH: ``ssh-ed25519``,
``ecdsa-sha2-nistp256/384/521`` and ``ssh-rsa``. DSA and security-key (``sk-*``) keys are
refused with :class:`InvalidPublicKeyError`.
"""

from __future__ import annotations

import base64
import hashlib
import os
import pathlib
from datetime import datetime, timedelta, timezone
from typing import Literal, Protocol, TypeAlias

import attrs
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from ._certfile import certificate_path, write_line
from ._openssh import CERT_SUFFIX as _CERT_SUFFIX
from ._openssh import KEY_TYPES as _KEY_TYPES
from ._openssh import InvalidPublicKeyError, check_key_line
from ._openssh import as_text as _as_text
from ._openssh import b64 as _b64

__all__ = [
    "FOREVER",
    "CertificateInfo",
    "CertificateVerificationError",
    "InvalidCertificateError",
    "InvalidPublicKeyError",
    "KeyType",
    "SSHPublicKey",
    "fingerprint_sha256",
    "generate_key_pair",
    "key_type_name",
    "load_public_key",
    "parse_certificate",
    "public_key_to_openssh",
    "certificate_path",
    "verify_certificate",
    "write_certificate",
]

SSHPublicKey: TypeAlias = ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey | rsa.RSAPublicKey
"""A public key type usable with OpenSSH and ngrok."""

SSHPrivateKey: TypeAlias = (
    ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
)

KeyType: TypeAlias = Literal["rsa", "ecdsa", "ed25519"]

KeyInput: TypeAlias = str | bytes | os.PathLike[str] | SSHPublicKey
"""What :func:`load_public_key` accepts: a key line (str or bytes), a path, or a key object."""

FOREVER = datetime.max.replace(tzinfo=timezone.utc)
"""``valid_before`` of a certificate that never expires (OpenSSH's ``2**64 - 1``)."""

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MAX_EPOCH_SECONDS = int((FOREVER - _EPOCH).total_seconds())
_CURVES = (ec.SECP256R1, ec.SECP384R1, ec.SECP521R1)
_CURVE_BY_NAME: dict[str, ec.EllipticCurve] = {
    "p256": ec.SECP256R1(),
    "p384": ec.SECP384R1(),
    "p521": ec.SECP521R1(),
}


class InvalidCertificateError(ValueError):
    """The value is not a readable OpenSSH certificate; the message says why."""


class CertificateVerificationError(ValueError):
    """A certificate failed :func:`verify_certificate`; ``reason`` is a short machine tag."""

    def __init__(self, reason: str, message: str) -> None:
        self.reason = reason
        super().__init__(message)


# -- public keys -------------------------------------------------------------------------


def load_public_key(value: KeyInput) -> SSHPublicKey:
    """Load an OpenSSH public key.

    Args:
        value: an authorized-keys line (``"ssh-ed25519 AAAA... comment"``) as ``str`` or
            ``bytes``; a ``pathlib.Path`` (any ``os.PathLike``) to a ``.pub`` file holding one
            such line (blank and ``#`` lines are skipped); or a ``cryptography`` public key
            object (Ed25519, ECDSA on P-256/384/521, RSA). A ``str`` is always key text, never
            a file name.

    Raises:
        InvalidPublicKeyError: unreadable file, not one key line, unknown or unsupported key
            type, a certificate instead of a key, bad base64, or a malformed key blob.
    """
    if isinstance(
        value, (ed25519.Ed25519PrivateKey, ec.EllipticCurvePrivateKey, rsa.RSAPrivateKey)
    ):
        raise InvalidPublicKeyError("got a private key; pass private_key.public_key() instead")
    if isinstance(value, (ed25519.Ed25519PublicKey, ec.EllipticCurvePublicKey, rsa.RSAPublicKey)):
        return _supported(value)
    if isinstance(value, os.PathLike):
        return _parse_key_line(_read_single_line(value, InvalidPublicKeyError), value)
    if isinstance(value, (str, bytes)):
        text = _as_text(value, InvalidPublicKeyError)
        return _parse_key_line(_single_line(text, InvalidPublicKeyError), None)
    raise InvalidPublicKeyError(
        f"expected an OpenSSH key line, a path or a public key object, got {type(value).__name__}"
    )


def public_key_to_openssh(value: KeyInput) -> str:
    """The key as one OpenSSH line without a comment, e.g. ``"ssh-ed25519 AAAA..."``."""
    key = load_public_key(value)
    raw = key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    return raw.decode("ascii")


def key_type_name(key: KeyInput) -> KeyType:
    """``"rsa"``, ``"ecdsa"`` or ``"ed25519"``, the names ngrok uses in ``key_type`` fields."""
    loaded = load_public_key(key)
    if isinstance(loaded, ed25519.Ed25519PublicKey):
        return "ed25519"
    if isinstance(loaded, ec.EllipticCurvePublicKey):
        return "ecdsa"
    return "rsa"


def fingerprint_sha256(key: KeyInput) -> str:
    """The key's SHA-256 fingerprint exactly as ``ssh-keygen -l`` prints it: ``"SHA256:..."``
    (unpadded base64 of the SHA-256 of the key blob)."""
    blob = base64.b64decode(public_key_to_openssh(key).split()[1])
    digest = base64.b64encode(hashlib.sha256(blob).digest()).decode("ascii")
    return "SHA256:" + digest.rstrip("=")


def generate_key_pair(
    key_type: KeyType = "ed25519", *, curve: str = "p256", key_size: int = 3072
) -> tuple[SSHPrivateKey, str]:
    """A fresh key pair for demos and tests: ``(private_key, "ssh-... AAAA...")``.

    ``curve`` (``p256``/``p384``/``p521``) applies to ``ecdsa``; ``key_size`` (>= 2048, default
    3072 like ``ssh-keygen``) to ``rsa``.
    Serialize the private key with ``private_bytes(Encoding.PEM, PrivateFormat.OpenSSH, ...)``.
    """
    private: SSHPrivateKey
    if key_type == "ed25519":
        private = ed25519.Ed25519PrivateKey.generate()
    elif key_type == "ecdsa":
        if curve not in _CURVE_BY_NAME:
            raise ValueError(f"curve must be one of p256, p384, p521; got {curve!r}")
        private = ec.generate_private_key(_CURVE_BY_NAME[curve])
    elif key_type == "rsa":
        if isinstance(key_size, bool) or not isinstance(key_size, int) or key_size < 2048:
            raise ValueError(f"key_size must be an int >= 2048, got {key_size!r}")
        private = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    else:
        raise ValueError(f"key_type must be one of ed25519, ecdsa, rsa; got {key_type!r}")
    return private, public_key_to_openssh(private.public_key())


# -- certificates ------------------------------------------------------------------------


@attrs.frozen(slots=True, kw_only=True)
class CertificateInfo:
    """What an OpenSSH certificate says, decoded.

    Times are aware UTC datetimes. A ``valid_after`` of 0 ("always") is the Unix epoch; a
    ``valid_before`` of ``2**64 - 1`` ("forever"), or any instant past year 9999, is
    :data:`FOREVER` (see :attr:`expires`). Option and extension values are plain strings, as
    ``ssh-keygen -L`` shows them (flags such as ``permit-pty`` have ``""``).
    """

    key_id: str
    serial: int
    cert_type: Literal["user", "host"]
    principals: tuple[str, ...]
    valid_after: datetime
    valid_before: datetime
    critical_options: dict[str, str] = attrs.field(hash=False)
    extensions: dict[str, str] = attrs.field(hash=False)
    public_key: SSHPublicKey = attrs.field(eq=False)
    signature_key: SSHPublicKey = attrs.field(eq=False)
    public_key_fingerprint: str
    signature_key_fingerprint: str

    @property
    def expires(self) -> bool:
        """False for a certificate valid forever."""
        return self.valid_before != FOREVER

    def is_valid_at(self, at: datetime) -> bool:
        """Whether ``at`` (aware) falls in ``[valid_after, valid_before)``, as OpenSSH checks."""
        return self.valid_after <= at < self.valid_before


def parse_certificate(value: str | bytes | os.PathLike[str]) -> CertificateInfo:
    """Decode an OpenSSH certificate line (``"<type>-cert-v01@openssh.com AAAA... [comment]"``),
    given as ``str``/``bytes`` or as a path to a ``-cert.pub`` file.

    Only decodes; it does not check the signature (see :func:`verify_certificate`).

    Raises:
        InvalidCertificateError: not a certificate, an unsupported key type, or malformed data.
    """
    return _info(_load_certificate(value))


def verify_certificate(
    cert: str | bytes | os.PathLike[str],
    *,
    ca_public_key: KeyInput,
    public_key: KeyInput | None = None,
    principal: str | None = None,
    at: datetime | None = None,
) -> CertificateInfo:
    """Check a certificate the way an SSH server would, and return what it says.

    Checks, in order: the CA signature is valid; it was made by ``ca_public_key``; the certified
    key is ``public_key`` (when given); ``principal`` is listed (when given; a certificate with
    no principals is valid for every principal, as in OpenSSH); and ``at`` (default: now, must
    be timezone-aware) lies in ``[valid_after, valid_before)``.

    Raises:
        CertificateVerificationError: with ``reason`` one of ``"signature"``, ``"ca_mismatch"``,
            ``"key_mismatch"``, ``"principal"``, ``"not_yet_valid"``, ``"expired"``.
        InvalidCertificateError / InvalidPublicKeyError: unreadable inputs.
    """
    when = datetime.now(timezone.utc) if at is None else at
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError("at must be timezone-aware (e.g. datetime.now(timezone.utc))")
    parsed = _load_certificate(cert)
    info = _info(parsed)
    ca_key = load_public_key(ca_public_key)
    try:
        parsed.verify_cert_signature()
    except (InvalidSignature, ValueError, TypeError, AssertionError):
        raise CertificateVerificationError(
            "signature", "the certificate's signature does not verify with its signing key"
        ) from None
    if fingerprint_sha256(ca_key) != info.signature_key_fingerprint:
        raise CertificateVerificationError(
            "ca_mismatch",
            f"signed by {info.signature_key_fingerprint}, "
            f"not by the expected CA {fingerprint_sha256(ca_key)}",
        )
    if public_key is not None:
        expected = fingerprint_sha256(public_key)
        if expected != info.public_key_fingerprint:
            raise CertificateVerificationError(
                "key_mismatch",
                f"certifies key {info.public_key_fingerprint}, not the expected {expected}",
            )
    if principal is not None and info.principals and principal not in info.principals:
        raise CertificateVerificationError(
            "principal",
            f"principal {principal!r} is not among {', '.join(map(repr, info.principals))}",
        )
    if when < info.valid_after:
        raise CertificateVerificationError(
            "not_yet_valid", f"not valid before {info.valid_after.isoformat()} (checked at {when})"
        )
    if when >= info.valid_before:
        raise CertificateVerificationError(
            "expired", f"expired at {info.valid_before.isoformat()} (checked at {when})"
        )
    return info


# -- helpers -----------------------------------------------------------------------------


class HasCertificate(Protocol):
    @property
    def certificate(self) -> str: ...


def write_certificate(
    key_path: str | os.PathLike[str],
    certificate: str | HasCertificate,
    *,
    directory: str | os.PathLike[str] | None = None,
) -> pathlib.Path:
    """Save ``certificate`` as ``<key>-cert.pub`` next to ``key_path`` and return that path.

    ``key_path`` is the private key (``~/.ssh/id_ed25519``) or its ``.pub`` file; ``ssh`` then
    finds ``~/.ssh/id_ed25519-cert.pub`` by itself. ``certificate`` is the certificate line or
    a record with a ``certificate`` field (``SSHUserCertificate``); it must parse as an OpenSSH
    certificate. The line goes to a temporary file in the target directory, which is made
    0o644, flushed to disk and renamed over the target (``os.replace``): readers see the old
    certificate or the new one, never a partial file. Key files are never opened for writing.

    Raises:
        InvalidCertificateError: ``certificate`` is not an OpenSSH certificate.
        ValueError: ``key_path`` is itself a ``-cert.pub`` path.
        OSError: the directory is missing or not writable.
    """
    text = (
        certificate if isinstance(certificate, str) else getattr(certificate, "certificate", None)
    )
    line = text.strip() if isinstance(text, str) else ""
    if not line or "\n" in line or "\r" in line:
        raise InvalidCertificateError("expected one OpenSSH certificate line")
    parse_certificate(line)
    return write_line(certificate_path(key_path, directory=directory), line)


def _single_line(text: str, error: type[ValueError], source: str = "the value") -> str:
    lines = [ln.strip() for ln in text.splitlines()]
    lines = [ln for ln in lines if ln and not ln.startswith("#")]
    if not lines:
        raise error(f"{source} is empty")
    if len(lines) > 1:
        raise error(f"{source} holds {len(lines)} lines; expected exactly one")
    return lines[0]


def _read_single_line(path: os.PathLike[str], error: type[ValueError]) -> str:
    try:
        data = pathlib.Path(path).read_bytes()
    except OSError as exc:
        raise error(f"cannot read {os.fspath(path)!r}: {exc.strerror or exc}") from exc
    return _single_line(_as_text(data, error), error, f"file {os.fspath(path)!r}")


def _parse_key_line(line: str, path: os.PathLike[str] | None) -> SSHPublicKey:
    where = f" in {os.fspath(path)!r}" if path is not None else ""
    key_type, _ = check_key_line(line, where)  # the same structural checks as the request path
    try:
        key = serialization.load_ssh_public_key(f"{key_type} {line.split()[1]}".encode("ascii"))
    except Exception as exc:  # cryptography raises ValueError, UnsupportedAlgorithm, ...
        raise InvalidPublicKeyError(f"malformed {key_type} key{where}: {exc}") from None
    return _supported(key)


def _supported(key: object) -> SSHPublicKey:
    if isinstance(key, (ed25519.Ed25519PublicKey, rsa.RSAPublicKey)):
        return key
    if isinstance(key, ec.EllipticCurvePublicKey):
        if not isinstance(key.curve, _CURVES):
            raise InvalidPublicKeyError(
                f"unsupported elliptic curve {key.curve.name}; use P-256, P-384 or P-521"
            )
        return key
    raise InvalidPublicKeyError(f"unsupported key object {type(key).__name__}")


def _load_certificate(value: str | bytes | os.PathLike[str]) -> serialization.SSHCertificate:
    if isinstance(value, os.PathLike):
        line = _read_single_line(value, InvalidCertificateError)
    elif isinstance(value, (str, bytes)):
        line = _single_line(_as_text(value, InvalidCertificateError), InvalidCertificateError)
    else:
        raise InvalidCertificateError(
            f"expected an OpenSSH certificate line or a path, got {type(value).__name__}"
        )
    parts = line.split(None, 2)
    if not parts[0].endswith(_CERT_SUFFIX):
        kind = "a public key" if parts[0] in _KEY_TYPES else f"type {parts[0][:40]!r}"
        raise InvalidCertificateError(f"not an OpenSSH certificate ({kind})")
    if parts[0][: -len(_CERT_SUFFIX)] not in _KEY_TYPES:
        raise InvalidCertificateError(f"unsupported certificate type {parts[0][:60]!r}")
    if len(parts) < 2:
        raise InvalidCertificateError("the certificate line has no base64 data")
    _b64(parts[1], InvalidCertificateError, "the certificate data")
    try:
        loaded = serialization.load_ssh_public_identity(f"{parts[0]} {parts[1]}".encode("ascii"))
    except Exception as exc:  # ValueError, UnsupportedAlgorithm, struct errors, ...
        raise InvalidCertificateError(f"malformed {parts[0]} certificate: {exc}") from None
    if not isinstance(loaded, serialization.SSHCertificate):  # pragma: no cover - defensive
        raise InvalidCertificateError("not an OpenSSH certificate")
    return loaded


def _info(cert: serialization.SSHCertificate) -> CertificateInfo:
    try:
        public = _supported(cert.public_key())
        signer = _supported(cert.signature_key())
    except InvalidPublicKeyError as exc:
        raise InvalidCertificateError(f"unsupported key in certificate: {exc}") from None
    except Exception as exc:
        raise InvalidCertificateError(f"malformed signature key: {exc}") from None
    return CertificateInfo(
        key_id=cert.key_id.decode("utf-8", "replace"),
        serial=cert.serial,
        cert_type="user" if cert.type is serialization.SSHCertificateType.USER else "host",
        principals=tuple(p.decode("utf-8", "replace") for p in cert.valid_principals),
        valid_after=_from_epoch(cert.valid_after),
        valid_before=_from_epoch(cert.valid_before),
        critical_options=_decode_map(cert.critical_options),
        extensions=_decode_map(cert.extensions),
        public_key=public,
        signature_key=signer,
        public_key_fingerprint=fingerprint_sha256(public),
        signature_key_fingerprint=fingerprint_sha256(signer),
    )


def _from_epoch(seconds: int) -> datetime:
    if seconds >= _MAX_EPOCH_SECONDS:
        return FOREVER
    return _EPOCH + timedelta(seconds=seconds)


def _decode_map(raw: dict[bytes, bytes]) -> dict[str, str]:
    # cryptography (>= 41.0.2) already unwraps the inner string of each non-empty value.
    return {k.decode("utf-8", "replace"): v.decode("utf-8", "replace") for k, v in raw.items()}
