"""Public keys checked by structure on the request path (_openssh.py), alike in ssh_keys."""

from __future__ import annotations

import base64
import struct
import subprocess
import sys

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from ngrok_async import InvalidParameterError, ssh_keys
from ngrok_async import _validate as check
from ngrok_async._openssh import check_key_line


def _s(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def _line(key_type: str, *fields: bytes) -> str:
    return f"{key_type} {base64.b64encode(b''.join(_s(f) for f in fields)).decode()} c"


def _openssh(key: object) -> str:
    raw = key.public_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    return str(raw.decode())


GOOD = [
    _openssh(ed25519.Ed25519PrivateKey.generate().public_key()),
    *(
        _openssh(ec.generate_private_key(curve()).public_key())
        for curve in (ec.SECP256R1, ec.SECP384R1, ec.SECP521R1)
    ),
    _openssh(rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()),
]
BAD = {
    "type-mismatch": (_line("ssh-ed25519", b"ssh-rsa", b"\x01" * 32), "start with its key type"),
    "ed25519-short": (_line("ssh-ed25519", b"ssh-ed25519", b"\x01" * 31), "32 bytes"),
    "ed25519-trailing": (
        _line("ssh-ed25519", b"ssh-ed25519", b"\x01" * 32, b"x"),
        "unexpected data",
    ),
    "truncated": ("ssh-ed25519 " + base64.b64encode(_s(b"ssh-ed25519")[:-2]).decode(), "truncated"),
    "ecdsa-curve": (
        _line("ecdsa-sha2-nistp256", b"ecdsa-sha2-nistp256", b"nistp384", b"\x04" + b"\x01" * 64),
        "curve name",
    ),
    "ecdsa-compressed": (
        _line("ecdsa-sha2-nistp256", b"ecdsa-sha2-nistp256", b"nistp256", b"\x02" + b"\x01" * 32),
        "uncompressed",
    ),
    "rsa-even-exponent": (_line("ssh-rsa", b"ssh-rsa", b"\x02", b"\x01" * 256), "exponent"),
    "rsa-small": (_line("ssh-rsa", b"ssh-rsa", b"\x01\x00\x01", b"\x7f" * 64), "modulus"),
    "rsa-negative": (_line("ssh-rsa", b"ssh-rsa", b"\x01\x00\x01", b"\xff" * 256), "negative"),
}


@pytest.mark.parametrize("line", GOOD, ids=lambda line: line.split()[0])
def test_real_keys_pass_both_ways(line: str) -> None:
    assert check_key_line(line)[0] == line.split()[0]
    assert check.public_key("public_key", line) == line
    assert ssh_keys.public_key_to_openssh(line) == line


@pytest.mark.parametrize(("line", "message"), BAD.values(), ids=list(BAD))
def test_bad_blobs_fail_alike_on_the_request_path_and_in_ssh_keys(line: str, message: str) -> None:
    with pytest.raises(InvalidParameterError, match=message) as caught:
        check.public_key("public_key", line)
    assert caught.value.param == "public_key"
    assert "is not a usable OpenSSH public key: malformed" in str(caught.value)
    with pytest.raises(ssh_keys.InvalidPublicKeyError, match=message):
        ssh_keys.load_public_key(line)


def test_request_path_check_does_not_load_cryptography() -> None:
    code = (
        "import sys; from ngrok_async import _validate as v; "
        f"v.public_key('k', {GOOD[0]!r}); "
        "print('cryptography' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.stdout.strip() == "False", result.stderr
