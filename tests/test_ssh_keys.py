"""ngrok_async.ssh_keys against ssh-keygen: loading, printing, fingerprints, certificates."""

from __future__ import annotations

import base64
import os
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from ngrok_async import ssh_keys
from ngrok_async.ssh_keys import (
    FOREVER,
    CertificateVerificationError,
    InvalidCertificateError,
    InvalidPublicKeyError,
)

SEED_ECDSA = (
    "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBK58lFzmWlDimDtBz78w"
    "VT4oauA8PjY0CiXTCEIsBNC6UwOJvZ0jdSaYNhDaa7dRV84DfBb/gKzqlXC7cVMZjl0= alan@work-laptop"
)
# ngrok's documented example certificate: that key, signed by an Ed25519 CA, for ec2-user/root.
SEED_CERT = (
    "ecdsa-sha2-nistp256-cert-v01@openssh.com AAAAKGVjZHNhLXNoYTItbmlzdHAyNTYtY2VydC12MDFAb3Bl"
    "bnNzaC5jb20AAAAgpigdjZhZTdVoFIMER4hFY8QcQPVeemISGY0zsbwj/3wAAAAIbmlzdHAyNTYAAABBBK58lFzmWl"
    "DimDtBz78wVT4oauA8PjY0CiXTCEIsBNC6UwOJvZ0jdSaYNhDaa7dRV84DfBb/gKzqlXC7cVMZjl0AAAAAAAAAAAAA"
    "AAEAAAAhc3VjcnRfMnJ3d2wyVDZrS0ROa2xOc1NYR2YzRDUzS3BqAAAAFAAAAAhlYzItdXNlcgAAAARyb290AAAAAG"
    "eP5UgAAAAAaAaMSAAAAAAAAAAoAAAACnBlcm1pdC1wdHkAAAAAAAAADnBlcm1pdC11c2VyLXJjAAAAAAAAAAAAAAAz"
    "AAAAC3NzaC1lZDI1NTE5AAAAINXZK3bBtcwnxRnG+OoZYtyNjt8vRENtwFIbvhZaMuvXAAAAUwAAAAtzc2gtZWQyNT"
    "UxOQAAAEB7gbMaqdltadzMQud6g5lRW4K2cAXJXKk7EeweEtVYxwgahOKr7E+EHyt+cCTYcybkq1ZFNlj4hGurCWn4"
    "7joB sucrt_2rwwl2T6kKDNklNsSXGf3D53Kpj"
)
SEED_CA = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINXZK3bBtcwnxRnG+OoZYtyNjt8vRENtwFIbvhZaMuvX"
IN_WINDOW = datetime(2025, 2, 1, tzinfo=timezone.utc)


def keygen(*args: str) -> str:
    done = subprocess.run(
        ["ssh-keygen", *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env={**os.environ, "TZ": "UTC"},
    )
    return done.stdout


@pytest.fixture(scope="module")
def keygen_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Keys and a certificate made by ssh-keygen itself."""
    folder = tmp_path_factory.mktemp("keys")
    specs = {
        "ed25519": ["-t", "ed25519"],
        "ecdsa384": ["-t", "ecdsa", "-b", "384"],
        "ecdsa521": ["-t", "ecdsa", "-b", "521"],
        "rsa": ["-t", "rsa", "-b", "2048"],
    }
    paths = {}
    for name, spec in specs.items():
        keygen("-q", *spec, "-N", "", "-C", f"{name}@test", "-f", str(folder / name))
        paths[name] = folder / f"{name}.pub"
    keygen("-q", "-s", str(folder / "ed25519"), "-I", "alice-key", "-n", "alice,bob", "-z", "42",
           "-O", "force-command=/bin/true", "-O", "source-address=10.0.0.0/8",
           "-V", "20250101000000:20350101000000", str(folder / "ecdsa384.pub"))  # fmt: skip
    paths["cert"] = folder / "ecdsa384-cert.pub"
    keygen("-q", "-s", str(folder / "ed25519"), "-I", "forever", "-h", str(folder / "rsa.pub"))
    paths["host_cert"] = folder / "rsa-cert.pub"
    return paths


# -- public keys ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["ed25519", "ecdsa384", "ecdsa521", "rsa"])
def test_fingerprint_and_line_match_ssh_keygen(keygen_files: dict[str, Path], name: str) -> None:
    path = keygen_files[name]
    expected = keygen("-l", "-E", "sha256", "-f", str(path)).split()[1]
    line = path.read_text().strip()
    for value in (path, line, line.encode(), ssh_keys.load_public_key(line)):
        assert ssh_keys.fingerprint_sha256(value) == expected
    assert ssh_keys.public_key_to_openssh(path) == " ".join(line.split()[:2])  # no comment
    assert ssh_keys.key_type_name(path) == {"ed25519": "ed25519", "rsa": "rsa"}.get(name, "ecdsa")


def test_key_objects_round_trip() -> None:
    keys: list[Any] = [
        ed25519.Ed25519PrivateKey.generate().public_key(),
        ec.generate_private_key(ec.SECP256R1()).public_key(),
        rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key(),
    ]
    for key in keys:
        line = ssh_keys.public_key_to_openssh(key)
        assert ssh_keys.load_public_key(line) == key
        assert ssh_keys.load_public_key(key) is key


def test_loaded_key_matches_the_seed_example() -> None:
    key = ssh_keys.load_public_key(SEED_ECDSA)
    assert isinstance(key, ec.EllipticCurvePublicKey)
    assert isinstance(key.curve, ec.SECP256R1)
    assert ssh_keys.public_key_to_openssh(key) == SEED_ECDSA.rsplit(" ", 1)[0]
    assert ssh_keys.key_type_name(SEED_ECDSA) == "ecdsa"


def test_pub_file_with_comments_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "id.pub"
    path.write_text(f"# my key\n\n{SEED_ECDSA}\n\n")
    assert ssh_keys.public_key_to_openssh(path) == SEED_ECDSA.rsplit(" ", 1)[0]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "empty"),
        ("   \n", "empty"),
        ("ssh-ed25519", "no base64"),
        ("ssh-ed25519 !!!!", "not valid base64"),
        ("ssh-ed25519 AAAA", "malformed ssh-ed25519"),
        ("ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQABAAABAQDm", "malformed"),  # an RSA blob
        ("ssh-dss AAAAB3NzaC1kc3MAAACBAP", "unsupported key type 'ssh-dss'"),
        ("sk-ssh-ed25519@openssh.com AAAA", "unsupported key type"),
        ("hello world", "unsupported key type 'hello'"),
        (SEED_CERT, "is a certificate"),
        (f"{SEED_ECDSA}\n{SEED_ECDSA}", "2 lines"),
        (b"\xff\xfe", "not UTF-8"),
        (42, "got int"),
        (ed25519.Ed25519PrivateKey.generate(), "private key"),
        (ec.generate_private_key(ec.SECP256K1()).public_key(), "unsupported elliptic curve"),
    ],
)
def test_invalid_public_keys(value: Any, message: str) -> None:
    with pytest.raises(InvalidPublicKeyError, match=message) as caught:
        ssh_keys.load_public_key(value)
    assert isinstance(caught.value, ValueError)
    assert caught.value.__cause__ is None


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidPublicKeyError, match="cannot read"):
        ssh_keys.load_public_key(tmp_path / "nope.pub")


@pytest.mark.parametrize("key_type", ["ed25519", "ecdsa", "rsa"])
def test_generate_key_pair(key_type: Any) -> None:
    private, line = ssh_keys.generate_key_pair(key_type, key_size=2048)
    assert ssh_keys.key_type_name(line) == key_type
    assert ssh_keys.load_public_key(line) == private.public_key()
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    )  # fmt: skip
    assert pem.startswith(b"-----BEGIN OPENSSH PRIVATE KEY-----")


def test_generate_key_pair_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="key_type"):
        ssh_keys.generate_key_pair("dsa")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="curve"):
        ssh_keys.generate_key_pair("ecdsa", curve="p224")
    with pytest.raises(ValueError, match="key_size"):
        ssh_keys.generate_key_pair("rsa", key_size=1024)


# -- certificates -------------------------------------------------------------------------


def test_parse_the_seed_certificate() -> None:
    info = ssh_keys.parse_certificate(SEED_CERT)
    assert info.key_id == "sucrt_2rwwl2T6kKDNklNsSXGf3D53Kpj"
    assert info.serial == 0
    assert info.cert_type == "user"
    assert info.principals == ("ec2-user", "root")
    assert info.valid_after == datetime(2025, 1, 21, 18, 19, 52, tzinfo=timezone.utc)
    assert info.valid_before == datetime(2025, 4, 21, 18, 19, 52, tzinfo=timezone.utc)
    assert info.critical_options == {}
    assert info.extensions == {"permit-pty": "", "permit-user-rc": ""}
    assert info.public_key == ssh_keys.load_public_key(SEED_ECDSA)
    assert info.signature_key == ssh_keys.load_public_key(SEED_CA)
    assert info.signature_key_fingerprint == ssh_keys.fingerprint_sha256(SEED_CA)
    assert info.expires
    assert info.is_valid_at(IN_WINDOW)


def test_parse_matches_ssh_keygen(keygen_files: dict[str, Path]) -> None:
    info = ssh_keys.parse_certificate(keygen_files["cert"])
    listing = keygen("-L", "-f", str(keygen_files["cert"]))
    assert info.key_id == "alice-key"
    assert f'Key ID: "{info.key_id}"' in listing
    assert info.serial == 42
    assert info.principals == ("alice", "bob")
    # option values are unwrapped to plain strings, as ssh-keygen -L prints them
    assert info.critical_options == {"force-command": "/bin/true", "source-address": "10.0.0.0/8"}
    assert "force-command /bin/true" in listing
    assert set(info.extensions) == {
        "permit-X11-forwarding",
        "permit-agent-forwarding",
        "permit-port-forwarding",
        "permit-pty",
        "permit-user-rc",
    }
    assert info.valid_after == datetime(2025, 1, 1, tzinfo=timezone.utc)
    assert info.valid_before == datetime(2035, 1, 1, tzinfo=timezone.utc)
    assert info.signature_key_fingerprint in listing
    assert info.public_key_fingerprint in listing


def test_forever_host_certificate(keygen_files: dict[str, Path]) -> None:
    info = ssh_keys.parse_certificate(keygen_files["host_cert"].read_bytes())
    assert info.cert_type == "host"
    assert info.principals == ()
    assert info.valid_after == datetime(1970, 1, 1, tzinfo=timezone.utc)
    assert info.valid_before == FOREVER
    assert not info.expires
    ssh_keys.verify_certificate(
        keygen_files["host_cert"], ca_public_key=keygen_files["ed25519"], principal="any.host",
        at=datetime(9000, 1, 1, tzinfo=timezone.utc),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (SEED_ECDSA, "not an OpenSSH certificate \\(a public key\\)"),
        ("ssh-dss-cert-v01@openssh.com AAAA", "unsupported certificate type"),
        ("ssh-ed25519-cert-v01@openssh.com", "no base64"),
        ("ssh-ed25519-cert-v01@openssh.com @@@", "not valid base64"),
        ("ssh-ed25519-cert-v01@openssh.com AAAA", "malformed"),
        (SEED_CERT.replace("ecdsa-sha2-nistp256-cert", "ssh-ed25519-cert", 1), "malformed"),
        (SEED_CERT[: 41 + 200], "malformed"),  # truncated on a base64 boundary
        ("", "empty"),
        (3.5, "got float"),
    ],
)
def test_invalid_certificates(value: Any, message: str) -> None:
    with pytest.raises(InvalidCertificateError, match=message):
        ssh_keys.parse_certificate(value)


def test_verify_the_seed_certificate() -> None:
    info = ssh_keys.verify_certificate(
        SEED_CERT, ca_public_key=SEED_CA, public_key=SEED_ECDSA, principal="root", at=IN_WINDOW
    )
    assert info.key_id == "sucrt_2rwwl2T6kKDNklNsSXGf3D53Kpj"


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"ca_public_key": SEED_ECDSA}, "ca_mismatch"),
        ({"public_key": SEED_CA}, "key_mismatch"),
        ({"principal": "admin"}, "principal"),
        ({"at": datetime(2025, 1, 21, 18, 19, 51, tzinfo=timezone.utc)}, "not_yet_valid"),
        ({"at": datetime(2025, 4, 21, 18, 19, 52, tzinfo=timezone.utc)}, "expired"),
        ({"at": None}, "expired"),  # now is after April 2025
    ],
)
def test_verify_failures(kwargs: dict[str, Any], reason: str) -> None:
    arguments: dict[str, Any] = {"ca_public_key": SEED_CA, "at": IN_WINDOW, **kwargs}
    with pytest.raises(CertificateVerificationError) as caught:
        ssh_keys.verify_certificate(SEED_CERT, **arguments)
    assert caught.value.reason == reason
    assert isinstance(caught.value, ValueError)


def test_verify_detects_a_tampered_certificate() -> None:
    kind, blob, comment = SEED_CERT.split(" ")
    raw = bytearray(base64.b64decode(blob))
    raw[raw.index(b"ec2-user")] ^= 0x01  # "dc2-user": the signature no longer matches
    tampered = f"{kind} {base64.b64encode(bytes(raw)).decode()} {comment}"
    assert ssh_keys.parse_certificate(tampered).principals == ("dc2-user", "root")
    with pytest.raises(CertificateVerificationError) as caught:
        ssh_keys.verify_certificate(tampered, ca_public_key=SEED_CA, at=IN_WINDOW)
    assert caught.value.reason == "signature"


def test_verify_requires_an_aware_time() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        ssh_keys.verify_certificate(SEED_CERT, ca_public_key=SEED_CA, at=datetime(2025, 2, 1))


def test_certificate_built_with_cryptography_round_trips() -> None:
    ca = ec.generate_private_key(ec.SECP384R1())
    user = ed25519.Ed25519PrivateKey.generate().public_key()
    start = datetime(2030, 1, 1, tzinfo=timezone.utc)
    cert = (
        serialization.SSHCertificateBuilder()
        .public_key(user)
        .serial(7)
        .type(serialization.SSHCertificateType.USER)
        .key_id(b"k")
        .valid_principals([b"deploy"])
        .valid_after(int(start.timestamp()))
        .valid_before(int((start + timedelta(hours=1)).timestamp()))
        .add_critical_option(b"force-command", b"uptime")
        .add_extension(b"permit-pty", b"")
        .sign(ca)
    )
    line = cert.public_bytes().decode()
    info = ssh_keys.verify_certificate(
        line, ca_public_key=ca.public_key(), public_key=user, principal="deploy",
        at=start + timedelta(minutes=59),
    )  # fmt: skip
    assert info.critical_options == {"force-command": "uptime"}
    assert info.extensions == {"permit-pty": ""}
    assert info.serial == 7
    assert not info.is_valid_at(start + timedelta(hours=1))
