"""SSH certificate authorities and user certificates: real keys, real OpenSSH certificates."""

from __future__ import annotations

import os
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest

from ngrok_async import ssh_keys
from ngrok_async.testing import FakeNgrok

from .conftest import ECDSA_KEY, ED25519_KEY, HEADERS, error_of

NOW = 1_737_483_592  # 2025-01-21T18:19:52Z


@pytest.fixture
def fake() -> FakeNgrok:
    return FakeNgrok("sk_fake_test_key", seed=7, wall_clock=lambda: NOW + 0.4)


async def make_ca(fake_http: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    response = await fake_http.post("/ssh_certificate_authorities", json=body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def make_cert(fake_http: httpx.AsyncClient, ca_id: str, **body: Any) -> httpx.Response:
    payload = {"ssh_certificate_authority_id": ca_id, "public_key": ED25519_KEY, **body}
    return await fake_http.post("/ssh_user_certificates", json=payload)


def keygen_list(tmp_path: Path, certificate: str) -> str:
    path = tmp_path / "id-cert.pub"
    path.write_text(certificate + "\n")
    done = subprocess.run(
        ["ssh-keygen", "-L", "-f", str(path)],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "TZ": "UTC"},
        check=True,
    )
    return done.stdout


async def test_ssh_keygen_reads_the_certificate(
    fake_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    ca = await make_ca(fake_http)
    response = await make_cert(
        fake_http,
        ca["id"],
        principals=["ec2-user", "root"],
        critical_options={"force-command": "/usr/bin/true", "source-address": "10.0.0.0/8"},
        valid_after="2025-01-21T18:19:52Z",
        valid_until="2025-04-21T18:19:52+00:00",
    )
    assert response.status_code == 201
    body = response.json()
    listing = keygen_list(tmp_path, body["certificate"])
    assert "ssh-ed25519-cert-v01@openssh.com user certificate" in listing
    assert f'Key ID: "{body["id"]}"' in listing
    assert "Valid: from 2025-01-21T18:19:52 to 2025-04-21T18:19:52" in listing
    principals = listing.split("Principals:")[1].split("Critical Options:")[0].split()
    assert principals == ["ec2-user", "root"]
    assert "force-command /usr/bin/true" in listing
    assert "source-address 10.0.0.0/8" in listing
    extensions = listing.split("Extensions:")[1].split()
    assert extensions == ["permit-pty", "permit-user-rc"]
    assert ssh_keys.fingerprint_sha256(ca["public_key"]) in listing


async def test_explicit_empty_extensions_and_no_principals(
    fake_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    ca = await make_ca(fake_http)
    body = (await make_cert(fake_http, ca["id"], extensions={})).json()
    assert body["extensions"] == {}
    assert body["principals"] == []
    listing = keygen_list(tmp_path, body["certificate"])
    assert listing.split("Principals:")[1].split()[0] == "(none)"
    assert listing.split("Extensions:")[1].split() == ["(none)"]
    info = ssh_keys.parse_certificate(body["certificate"])
    assert info.extensions == {}
    assert info.principals == ()
    # no principals means every principal, as in OpenSSH
    ssh_keys.verify_certificate(
        body["certificate"], ca_public_key=ca["public_key"], principal="anyone",
        at=datetime.fromtimestamp(NOW + 60, timezone.utc),
    )  # fmt: skip


async def test_custom_extensions_and_defaults(fake_http: httpx.AsyncClient) -> None:
    ca = await make_ca(fake_http)
    custom = {"permit-port-forwarding": "", "login@example.com": "alice"}
    body = (await make_cert(fake_http, ca["id"], extensions=custom)).json()
    assert body["extensions"] == custom
    info = ssh_keys.parse_certificate(body["certificate"])
    assert info.extensions == custom
    assert info.critical_options == {}
    # absent (or null) extensions get the documented defaults
    defaulted = (await make_cert(fake_http, ca["id"], extensions=None)).json()
    assert defaulted["extensions"] == {"permit-pty": "", "permit-user-rc": ""}


async def test_certificate_content_matches_the_response(fake_http: httpx.AsyncClient) -> None:
    ca = await make_ca(fake_http)
    body = (await make_cert(fake_http, ca["id"], principals=["deploy"])).json()
    info = ssh_keys.verify_certificate(
        body["certificate"],
        ca_public_key=ca["public_key"],
        public_key=ED25519_KEY,
        principal="deploy",
        at=datetime.fromtimestamp(NOW + 10, timezone.utc),
    )
    assert info.key_id == body["id"]
    assert info.cert_type == "user"
    assert info.principals == ("deploy",)
    assert 0 <= info.serial < 2**64
    # defaults: valid from now (whole seconds) for 24 hours
    assert body["valid_after"] == "2025-01-21T18:19:52Z"
    assert body["valid_until"] == "2025-01-22T18:19:52Z"
    assert info.valid_after == datetime.fromtimestamp(NOW, timezone.utc)
    assert info.valid_before - info.valid_after == timedelta(hours=24)
    assert body["key_type"] == "ed25519"
    assert body["public_key"] == ED25519_KEY


async def test_serials_are_random_and_seeded() -> None:
    async def serials(seed: int) -> list[int]:
        fake = FakeNgrok("sk_fake_test_key", seed=seed)
        async with httpx.AsyncClient(transport=fake, base_url=fake.base_url, headers=HEADERS) as a:
            ca = await make_ca(a)
            bodies = [(await make_cert(a, ca["id"])).json() for _ in range(3)]
        return [ssh_keys.parse_certificate(b["certificate"]).serial for b in bodies]

    first = await serials(1)
    assert len(set(first)) == 3
    assert first == await serials(1)
    assert first != await serials(2)


@pytest.mark.parametrize(
    ("body", "key_type", "prefix"),
    [
        ({}, "ed25519", "ssh-ed25519 "),
        ({"private_key_type": "ed25519"}, "ed25519", "ssh-ed25519 "),
        ({"private_key_type": "ecdsa"}, "ecdsa", "ecdsa-sha2-nistp384 "),
        ({"private_key_type": "ecdsa", "elliptic_curve": "p256"}, "ecdsa", "ecdsa-sha2-nistp256 "),
        ({"private_key_type": "ecdsa", "elliptic_curve": "p521"}, "ecdsa", "ecdsa-sha2-nistp521 "),
        ({"private_key_type": "rsa", "key_size": 2048}, "rsa", "ssh-rsa "),
    ],
)
async def test_each_ca_key_type_signs_verifiable_certificates(
    fake_http: httpx.AsyncClient, body: dict[str, Any], key_type: str, prefix: str
) -> None:
    ca = await make_ca(fake_http, **body)
    assert ca["key_type"] == key_type
    assert ca["public_key"].startswith(prefix)
    cert = await make_cert(fake_http, ca["id"], public_key=ECDSA_KEY, principals=["root"])
    assert cert.status_code == 201
    assert cert.json()["key_type"] == "ecdsa"
    assert cert.json()["certificate"].startswith("ecdsa-sha2-nistp256-cert-v01@openssh.com ")
    info = ssh_keys.verify_certificate(
        cert.json()["certificate"],
        ca_public_key=ca["public_key"],
        public_key=ECDSA_KEY,
        at=datetime.fromtimestamp(NOW, timezone.utc),
    )
    assert info.signature_key_fingerprint == ssh_keys.fingerprint_sha256(ca["public_key"])


async def test_rsa_ca_certificate_is_read_by_ssh_keygen(
    fake_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    ca = await make_ca(fake_http, private_key_type="rsa", key_size=2048)
    listing = keygen_list(tmp_path, (await make_cert(fake_http, ca["id"])).json()["certificate"])
    assert "Signing CA: RSA" in listing


@pytest.mark.slow
async def test_rsa_ca_defaults_to_4096_bits(fake_http: httpx.AsyncClient) -> None:
    ca = await make_ca(fake_http, private_key_type="rsa")
    key = ssh_keys.load_public_key(ca["public_key"])
    assert key.key_size == 4096  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("valid_after", "valid_until", "expected_after", "expected_until"),
    [
        ("2030-01-01T00:00:00Z", None, "2030-01-01T00:00:00Z", "2030-01-02T00:00:00Z"),
        ("2030-01-01T02:00:00+02:00", "2030-01-01T01:00:00.999Z",
         "2030-01-01T00:00:00Z", "2030-01-01T01:00:00Z"),
        ("2030-01-01t00:00:00.123456789z", "2030-01-01T00:00:01-00:00",
         "2030-01-01T00:00:00Z", "2030-01-01T00:00:01Z"),
        ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z",
         "2025-01-21T18:19:52Z", "2025-01-22T18:19:52Z"),
    ],
)  # fmt: skip
async def test_validity_parsing(
    fake_http: httpx.AsyncClient,
    valid_after: str,
    valid_until: str | None,
    expected_after: str,
    expected_until: str,
) -> None:
    ca = await make_ca(fake_http)
    body = {"valid_after": valid_after}
    if valid_until is not None:
        body["valid_until"] = valid_until
    response = await make_cert(fake_http, ca["id"], **body)
    assert response.status_code == 201, response.text
    assert response.json()["valid_after"] == expected_after
    assert response.json()["valid_until"] == expected_until
    info = ssh_keys.parse_certificate(response.json()["certificate"])
    assert info.valid_after.strftime("%Y-%m-%dT%H:%M:%SZ") == expected_after
    assert info.valid_before.strftime("%Y-%m-%dT%H:%M:%SZ") == expected_until


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"valid_after": "2030-01-01T00:00:00Z", "valid_until": "2030-01-01T00:00:00Z"},
         400, "ERR_NGROK_241"),
        ({"valid_after": "2030-01-02T00:00:00Z", "valid_until": "2030-01-01T00:00:00Z"},
         400, "ERR_NGROK_241"),
        ({"valid_until": "2025-01-21T18:19:52Z"}, 400, "ERR_NGROK_241"),  # not after "now"
        ({"valid_until": "tomorrow"}, 400, "ERR_NGROK_241"),
        ({"valid_until": "2030-02-30T00:00:00Z"}, 400, "ERR_NGROK_241"),
        ({"valid_until": "2030-01-01T00:00:00"}, 400, "ERR_NGROK_241"),
        ({"valid_after": "1969-12-31T23:59:59Z"}, 400, "ERR_NGROK_241"),
        ({"valid_after": 1700000000}, 400, "ERR_NGROK_213"),
        ({"principals": "root"}, 400, "ERR_NGROK_213"),
        ({"principals": [None]}, 400, "ERR_NGROK_213"),
        ({"principals": [f"u{i}" for i in range(257)]}, 400, "ERR_NGROK_239"),
        ({"critical_options": {"force-command": 1}}, 400, "ERR_NGROK_213"),
        ({"critical_options": ["force-command"]}, 400, "ERR_NGROK_213"),
        ({"extensions": {"": ""}}, 400, "ERR_NGROK_239"),
        ({"public_key": None}, 400, "ERR_NGROK_611"),
        ({"public_key": "ssh-dss AAAAB3NzaC1kc3MAAACBAP"}, 400, "ERR_NGROK_612"),
        ({"ssh_certificate_authority_id": None}, 400, "ERR_NGROK_228"),
        ({"ssh_certificate_authority_id": "sshca_2rwwl4SDEadVIHE5LIPmoVwx9q5"}, 404,
         "ERR_NGROK_1949"),
        ({"ssh_certificate_authority_id": "nonsense"}, 404, "ERR_NGROK_1949"),
    ],
)  # fmt: skip
async def test_certificate_validation_errors(
    fake_http: httpx.AsyncClient, fake: FakeNgrok, body: dict[str, Any], status: int, code: str
) -> None:
    ca = await make_ca(fake_http)
    response = await make_cert(fake_http, ca["id"], **body)
    assert response.status_code == status
    assert error_of(response)["error_code"] == code
    assert fake.stats.created["ssh_user_certificates"] == 0


async def test_deleting_the_ca_orphans_but_keeps_certificates(fake_http: httpx.AsyncClient) -> None:
    ca = await make_ca(fake_http)
    cert = (await make_cert(fake_http, ca["id"])).json()
    assert (await fake_http.delete(f"/ssh_certificate_authorities/{ca['id']}")).status_code == 204
    assert (await fake_http.get(f"/ssh_user_certificates/{cert['id']}")).json() == cert
    response = await make_cert(fake_http, ca["id"])
    assert response.status_code == 404
    assert error_of(response)["error_code"] == "ERR_NGROK_1949"
