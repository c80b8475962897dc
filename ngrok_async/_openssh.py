"""OpenSSH public key lines checked by structure alone, without ``cryptography``.

The request path checks every key a caller sends (``ssh_credentials.create(public_key)``); a full
cryptographic load per request is costly, so it checks the wire format instead: a known key type,
base64 that decodes, a blob whose leading string repeats the type, and the fields that type
carries with sane sizes (ed25519: 32 bytes; ECDSA: the named curve and an uncompressed point;
RSA: a positive odd exponent and a modulus of at least 1024 bits). :mod:`ngrok_async.ssh_keys`
runs the same checks before its full parse, so both report a bad key alike.
"""

from __future__ import annotations

import base64
import binascii

KEY_TYPES = ("ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
             "ecdsa-sha2-nistp521", "ssh-rsa")  # fmt: skip
CERT_SUFFIX = "-cert-v01@openssh.com"
_POINT_BYTES = {"nistp256": 65, "nistp384": 97, "nistp521": 133}  # 0x04 || X || Y
_MIN_RSA_BITS = 1024
_MAX_RSA_BITS = 16384


class InvalidPublicKeyError(ValueError):
    """The value is not a usable OpenSSH public key; the message says why."""


def as_text(value: str | bytes, error: type[ValueError]) -> str:
    """Key or certificate text from ``str`` or UTF-8 ``bytes``."""
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            raise error("the value is not UTF-8 text") from None
    return value


def b64(text: str, error: type[ValueError], what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise error(f"{what} is not valid base64") from None


def check_key_line(line: str, where: str = "") -> tuple[str, bytes]:
    """The key type and blob of one ``"<type> <base64> [comment]"`` line, checked by structure.

    Raises :class:`InvalidPublicKeyError`; ``where`` (e.g. ``" in 'id.pub'"``) ends its subject.
    """
    parts = line.split(None, 2)
    key_type = parts[0] if parts else ""
    if key_type.endswith(CERT_SUFFIX):
        raise InvalidPublicKeyError(
            f"{key_type}{where} is a certificate, not a public key; use parse_certificate()"
        )
    if key_type not in KEY_TYPES:
        raise InvalidPublicKeyError(
            f"unsupported key type {key_type[:40]!r}{where}; expected one of {', '.join(KEY_TYPES)}"
        )
    if len(parts) < 2:
        raise InvalidPublicKeyError(f"{key_type} line{where} has no base64 key data")
    blob = b64(parts[1], InvalidPublicKeyError, f"the key data{where}")
    problem = _blob_problem(key_type, blob)
    if problem:
        raise InvalidPublicKeyError(f"malformed {key_type} key{where}: {problem}")
    return key_type, blob


def _string(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


def _fixed_layouts() -> dict[str, tuple[int, bytes]]:
    """Per fixed-size key type: its blob's length and everything before the key bytes."""
    layouts = {"ssh-ed25519": (4 + 11 + 4 + 32, _string(b"ssh-ed25519") + (32).to_bytes(4, "big"))}
    for curve, size in _POINT_BYTES.items():
        start = _string(f"ecdsa-sha2-{curve}".encode()) + _string(curve.encode())
        start += size.to_bytes(4, "big") + b"\x04"
        layouts[f"ecdsa-sha2-{curve}"] = (len(start) + size - 1, start)
    return layouts


_FIXED = _fixed_layouts()


def _blob_problem(key_type: str, blob: bytes) -> str | None:
    fixed = _FIXED.get(key_type)
    if fixed is not None and len(blob) == fixed[0] and blob.startswith(fixed[1]):
        return None  # the one well-formed layout; anything else gets the field-by-field reason
    reader = _Reader(blob)
    try:
        if reader.string() != key_type.encode("ascii"):
            return "the key data does not start with its key type"
        if key_type == "ssh-ed25519":
            if len(reader.string()) != 32:
                return "an ed25519 key is 32 bytes"
        elif key_type.startswith("ecdsa-sha2-"):
            curve = key_type.removeprefix("ecdsa-sha2-")
            if reader.string() != curve.encode("ascii"):
                return f"the curve name is not {curve}"
            point = reader.string()
            if len(point) != _POINT_BYTES[curve] or point[0] != 4:
                return f"not an uncompressed {curve} point"
        else:
            exponent, modulus = reader.mpint(), reader.mpint()
            if exponent < 3 or exponent % 2 == 0:
                return "the RSA public exponent must be odd and at least 3"
            if not _MIN_RSA_BITS <= modulus.bit_length() <= _MAX_RSA_BITS:
                return f"the RSA modulus has {modulus.bit_length()} bits (1024 to 16384 allowed)"
    except ValueError as exc:
        return str(exc)
    if not reader.done():
        return "unexpected data after the key"
    return None


class _Reader:
    """RFC 4251 ``string`` and ``mpint`` fields read off a key blob."""

    __slots__ = ("_at", "_data")

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._at = 0

    def string(self) -> bytes:
        if self._at + 4 > len(self._data):
            raise ValueError("the key data is truncated")
        size = int.from_bytes(self._data[self._at : self._at + 4], "big")
        start = self._at + 4
        if start + size > len(self._data):
            raise ValueError("the key data is truncated")
        self._at = start + size
        return self._data[start : self._at]

    def mpint(self) -> int:
        raw = self.string()
        if raw[:1] and raw[0] & 0x80:
            raise ValueError("a negative integer in the key data")
        return int.from_bytes(raw, "big")

    def done(self) -> bool:
        return self._at == len(self._data)
