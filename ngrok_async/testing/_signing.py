"""Real keys for fake certificate authorities, and real OpenSSH user certificates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from .. import ssh_keys
from . import _codes as codes
from . import _fields as fields
from ._codes import bad_request

PRIVATE_KEY_TYPES = ("ed25519", "ecdsa", "rsa")
DEFAULT_PRIVATE_KEY_TYPE = "ed25519"
CURVES: dict[str, ec.EllipticCurve] = {
    "p256": ec.SECP256R1(),
    "p384": ec.SECP384R1(),
    "p521": ec.SECP521R1(),
}
DEFAULT_CURVE = "p384"
KEY_SIZES = (2048, 4096)
DEFAULT_KEY_SIZE = 4096

CAPrivateKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


def ca_key_from_body(body: dict[str, Any]) -> CAPrivateKey:
    """Check ``private_key_type`` / ``elliptic_curve`` / ``key_size`` and generate the key.

    Defaults: ``ed25519``; ECDSA on ``p384``; RSA with 4096 bits. ``elliptic_curve`` with a
    non-ECDSA type, or ``key_size`` with a non-RSA type, is rejected as the real API does.
    """
    key_type = fields.string(body, "private_key_type") or DEFAULT_PRIVATE_KEY_TYPE
    if key_type not in PRIVATE_KEY_TYPES:
        raise bad_request(
            codes.INVALID_PRIVATE_KEY_TYPE,
            f"Invalid private key type {str(key_type)[:40]!r}. "
            f"Valid types: {', '.join(PRIVATE_KEY_TYPES)}.",
        )
    curve = fields.string(body, "elliptic_curve")
    if curve:
        if key_type != "ecdsa":
            raise bad_request(
                codes.CURVE_NOT_ECDSA,
                f'Elliptic curve is supported only with a key type of "ecdsa", '
                f'but the specified key type was "{key_type}".',
            )
        if curve not in CURVES:
            raise bad_request(
                codes.INVALID_CURVE,
                f"Invalid elliptic curve {str(curve)[:40]!r}. Valid curves: {', '.join(CURVES)}.",
            )
    size = body.get("key_size")
    if size is not None and (isinstance(size, bool) or not isinstance(size, int)):
        raise bad_request(codes.UNPARSEABLE_BODY, "field 'key_size' must be an integer")
    if size:
        if key_type != "rsa":
            raise bad_request(
                codes.KEY_SIZE_NOT_RSA,
                f'Key size is supported only with a key type of "rsa", '
                f'but the specified key type was "{key_type}".',
            )
        if size not in KEY_SIZES:
            raise bad_request(
                codes.INVALID_KEY_SIZE,
                f"Invalid key size {size!r}. Valid key sizes: {', '.join(map(str, KEY_SIZES))}.",
            )
    if key_type == "ed25519":
        return ed25519.Ed25519PrivateKey.generate()
    if key_type == "ecdsa":
        return ec.generate_private_key(CURVES[curve or DEFAULT_CURVE])
    return rsa.generate_private_key(public_exponent=65537, key_size=size or DEFAULT_KEY_SIZE)


def sign_user_certificate(
    ca_key: CAPrivateKey,
    *,
    public_key: ssh_keys.SSHPublicKey,
    key_id: str,
    serial: int,
    principals: Sequence[str],
    critical_options: Mapping[str, str],
    extensions: Mapping[str, str],
    valid_after: int,
    valid_before: int,
) -> str:
    """An OpenSSH user certificate line ``"<type>-cert-v01@openssh.com <base64>"``.

    An empty ``principals`` list makes a certificate valid for every principal, as OpenSSH does.
    """
    return _sign(
        ca_key,
        serialization.SSHCertificateType.USER,
        public_key=public_key,
        key_id=key_id,
        serial=serial,
        principals=principals,
        critical_options=critical_options,
        extensions=extensions,
        valid_after=valid_after,
        valid_before=valid_before,
    )


def sign_host_certificate(
    ca_key: CAPrivateKey,
    *,
    public_key: ssh_keys.SSHPublicKey,
    key_id: str,
    serial: int,
    principals: Sequence[str],
    valid_after: int,
    valid_before: int,
) -> str:
    """An OpenSSH host certificate line; ``principals`` are the host names it is valid for."""
    return _sign(
        ca_key,
        serialization.SSHCertificateType.HOST,
        public_key=public_key,
        key_id=key_id,
        serial=serial,
        principals=principals,
        critical_options={},
        extensions={},
        valid_after=valid_after,
        valid_before=valid_before,
    )


def _sign(
    ca_key: CAPrivateKey,
    cert_type: serialization.SSHCertificateType,
    *,
    public_key: ssh_keys.SSHPublicKey,
    key_id: str,
    serial: int,
    principals: Sequence[str],
    critical_options: Mapping[str, str],
    extensions: Mapping[str, str],
    valid_after: int,
    valid_before: int,
) -> str:
    builder = (
        serialization.SSHCertificateBuilder()
        .public_key(public_key)
        .serial(serial)
        .type(cert_type)
        .key_id(key_id.encode("utf-8"))
        .valid_after(valid_after)
        .valid_before(valid_before)
    )
    if principals:
        builder = builder.valid_principals([p.encode("utf-8") for p in principals])
    else:
        builder = cast(Any, builder).valid_for_all_principals()  # untyped in cryptography
    for name, value in sorted(critical_options.items()):
        builder = builder.add_critical_option(name.encode("utf-8"), value.encode("utf-8"))
    for name, value in sorted(extensions.items()):
        builder = builder.add_extension(name.encode("utf-8"), value.encode("utf-8"))
    return builder.sign(ca_key).public_bytes().decode("ascii")


def ca_key_type(ca_key: CAPrivateKey) -> str:
    return ssh_keys.key_type_name(ca_key.public_key())


def ca_public_line(ca_key: CAPrivateKey) -> str:
    return ssh_keys.public_key_to_openssh(ca_key.public_key())
