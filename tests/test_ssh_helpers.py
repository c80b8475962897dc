"""SSH helpers: public keys in any form, certificate records that parse and verify, and
``write_certificate``."""

from __future__ import annotations

import os
import pathlib
import stat
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from ngrok_async import AsyncClient, InvalidParameterError, SSHUserCertificate
from ngrok_async.ssh_keys import (
    CertificateVerificationError,
    InvalidCertificateError,
    certificate_path,
    generate_key_pair,
    load_public_key,
    write_certificate,
)
from ngrok_async.testing import FakeNgrok


@pytest.fixture
def fake() -> FakeNgrok:
    return FakeNgrok(seed=42)


@pytest.fixture
async def ngrok(fake: FakeNgrok) -> AsyncIterator[AsyncClient]:
    async with fake.client(rate_limit=None) as client:
        yield client


def key_files(directory: pathlib.Path, name: str = "id_ed25519") -> tuple[pathlib.Path, str]:
    private, public = generate_key_pair()
    key = directory / name
    key.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.OpenSSH,
            serialization.NoEncryption(),
        )
    )
    key.chmod(0o600)
    (directory / f"{name}.pub").write_text(f"# laptop key\n{public} me@laptop\n")
    return key, public


# -- public_key in any form ----------------------------------------------------------------


@pytest.mark.parametrize("form", ["str", "bytes", "path", "key object"])
async def test_public_key_accepts_every_form(
    form: str, tmp_path: pathlib.Path, fake: FakeNgrok, ngrok: AsyncClient
) -> None:
    _, public = key_files(tmp_path)
    value: Any = {
        "str": f"{public} me@laptop",
        "bytes": f"{public} me@laptop".encode(),
        "path": tmp_path / "id_ed25519.pub",
        "key object": load_public_key(public),
    }[form]

    cred = await ngrok.ssh_credentials.create(value, description=form)

    sent = fake.requests[-1].json["public_key"]
    assert sent == (public if form == "key object" else f"{public} me@laptop")
    assert cred.public_key.split()[:2] == public.split()[:2]


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda d: d / "missing.pub", "cannot read"),
        (lambda d: d, "cannot read"),  # a directory
        (lambda d: _write(d / "two.pub", "ssh-ed25519 AAAA\nssh-ed25519 BBBB\n"), "exactly one"),
        (lambda d: _write(d / "empty.pub", "# nothing\n"), "exactly one"),
        (lambda d: _write(d / "garbage.pub", "not a key\n"), "not a usable OpenSSH public key"),
        (lambda d: _write(d / "huge.pub", "x" * 70_000), "too large"),
        (lambda d: b"\xff\xfe", "UTF-8"),
        (lambda d: generate_key_pair()[0], "private key"),
        (lambda d: 42, "got int"),
    ],
)
async def test_bad_public_keys_name_the_parameter_before_any_request(
    make: Any, reason: str, tmp_path: pathlib.Path, fake: FakeNgrok, ngrok: AsyncClient
) -> None:
    with pytest.raises(InvalidParameterError) as info:
        await ngrok.ssh_user_certificates.create("sshca_1", make(tmp_path))

    assert info.value.param == "public_key"
    assert reason in str(info.value)
    assert fake.requests == []


def snapshot(directory: pathlib.Path) -> dict[str, tuple[bytes, int]]:
    """Every file's bytes and permission bits."""
    return {p.name: (p.read_bytes(), stat.S_IMODE(p.stat().st_mode)) for p in directory.iterdir()}


def _write(path: pathlib.Path, text: str) -> pathlib.Path:
    path.write_text(text)
    return path


# -- SSHUserCertificate.parse / verify -------------------------------------------------------


async def issue(ngrok: AsyncClient, public: str) -> tuple[Any, SSHUserCertificate]:
    ca = await ngrok.ssh_certificate_authorities.create(private_key_type="ed25519")
    cert = await ngrok.ssh_user_certificates.create(
        ca.id,
        public,
        principals=["alice", "deploy"],
        valid_until=datetime.now(timezone.utc) + timedelta(hours=8),
        critical_options={"source-address": "10.0.0.0/8"},
    )
    return ca, cert


async def test_a_certificate_record_parses_into_a_typed_view(ngrok: AsyncClient) -> None:
    public = generate_key_pair()[1]
    _ca, cert = await issue(ngrok, public)

    info = cert.parse()

    assert info.key_id == cert.id
    assert info.principals == ("alice", "deploy")
    assert info.critical_options == {"source-address": "10.0.0.0/8"}
    assert "permit-pty" in info.extensions
    assert info.valid_before == cert.valid_until
    assert info.public_key_fingerprint.startswith("SHA256:")
    assert info.signature_key_fingerprint != info.public_key_fingerprint


async def test_a_certificate_record_verifies_against_its_ca(ngrok: AsyncClient) -> None:
    public = generate_key_pair()[1]
    ca, cert = await issue(ngrok, public)

    assert cert.verify(ca).key_id == cert.id  # the CA record
    assert cert.verify(ca.public_key, principal="deploy").serial == cert.parse().serial
    other_ca = await ngrok.ssh_certificate_authorities.create(private_key_type="ed25519")
    with pytest.raises(CertificateVerificationError) as info:
        cert.verify(other_ca)
    assert info.value.reason == "ca_mismatch"
    with pytest.raises(CertificateVerificationError, match="principal") as info:
        cert.verify(ca, principal="root")
    with pytest.raises(CertificateVerificationError) as info:
        cert.verify(ca, at=datetime.now(timezone.utc) + timedelta(days=2))
    assert info.value.reason == "expired"


async def test_a_record_for_another_key_fails_key_verification(ngrok: AsyncClient) -> None:
    ca, cert = await issue(ngrok, generate_key_pair()[1])
    forged = SSHUserCertificate(
        id=cert.id,
        created_at=cert.created_at,
        valid_after=cert.valid_after,
        valid_until=cert.valid_until,
        public_key=generate_key_pair()[1],
        certificate=cert.certificate,
    )
    with pytest.raises(CertificateVerificationError) as info:
        forged.verify(ca)
    assert info.value.reason == "key_mismatch"


# -- write_certificate ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "directory", "expected"),
    [
        ("/k/id_ed25519", None, "/k/id_ed25519-cert.pub"),
        ("/k/id_ed25519.pub", None, "/k/id_ed25519-cert.pub"),
        ("/k/alice.pub", "/out", "/out/alice-cert.pub"),
    ],
)
def test_certificate_path_follows_openssh(key: str, directory: str | None, expected: str) -> None:
    assert certificate_path(key, directory=directory) == pathlib.Path(expected)


@pytest.mark.parametrize("bad", ["/k/id_ed25519-cert.pub", "/k/.pub"])
def test_certificate_path_refuses_what_is_not_a_key(bad: str) -> None:
    with pytest.raises(ValueError, match=r"key file|certificate path"):
        certificate_path(bad)


async def test_write_certificate_writes_next_to_the_key_0644_and_leaves_keys_alone(
    tmp_path: pathlib.Path, ngrok: AsyncClient
) -> None:
    key, public = key_files(tmp_path)
    _ca, cert = await issue(ngrok, public)
    before = snapshot(tmp_path)
    old_umask = os.umask(0o077)  # a strict umask must not make the certificate unreadable
    try:
        written = write_certificate(key, cert)
    finally:
        os.umask(old_umask)

    after = snapshot(tmp_path)
    assert written == tmp_path / "id_ed25519-cert.pub"
    assert after[written.name] == ((cert.certificate + "\n").encode(), 0o644)
    assert {name: after[name] for name in before} == before
    assert set(after) == {*before, written.name}  # no temporary file left behind


async def test_write_certificate_replaces_an_old_certificate_atomically(
    tmp_path: pathlib.Path, ngrok: AsyncClient
) -> None:
    _key, public = key_files(tmp_path)
    ca, first = await issue(ngrok, public)
    second = await ngrok.ssh_user_certificates.create(ca.id, public)
    old = write_certificate(tmp_path / "id_ed25519.pub", first)
    inode = os.stat(old).st_ino

    new = write_certificate(tmp_path / "id_ed25519.pub", second.certificate)

    assert new == old
    assert snapshot(tmp_path)[new.name][0].decode().strip() == second.certificate
    assert os.stat(new).st_ino != inode  # a new file renamed into place, not rewritten in place


@pytest.mark.parametrize("bad", ["", "ssh-ed25519 AAAA", "line one\nline two", 7])
def test_write_certificate_refuses_non_certificates_and_writes_nothing(
    bad: Any, tmp_path: pathlib.Path
) -> None:
    key, _ = key_files(tmp_path)
    names = sorted(p.name for p in tmp_path.iterdir())

    with pytest.raises(InvalidCertificateError):
        write_certificate(key, bad)

    assert sorted(p.name for p in tmp_path.iterdir()) == names
