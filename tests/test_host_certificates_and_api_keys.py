"""ssh_host_certificates and api_keys at the depth of the seed resources: wire, fake, verify."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
import respx

from ngrok_async import AsyncClient, InvalidParameterError, ssh_keys
from ngrok_async.resources._generated import APIKey, SSHHostCertificate
from ngrok_async.testing import FakeNgrok

from .conftest import fixture

HOST_KEY = fixture("ssh_credential_create")["public_key"]
NOW = 1_737_483_592  # 2025-01-21T18:19:52Z
WHEN = datetime.fromtimestamp(NOW, timezone.utc)


# --- on the wire (respx) --------------------------------------------------------------------


async def test_host_certificate_create_sends_the_documented_body(
    client: AsyncClient, api: respx.MockRouter
) -> None:
    route = api.post("/ssh_host_certificates").respond(
        201,
        json={
            "id": "shcrt_1",
            "uri": "https://api.ngrok.com/ssh_host_certificates/shcrt_1",
            "created_at": "2025-01-21T18:19:52Z",
            "public_key": HOST_KEY,
            "key_type": "rsa",
            "ssh_certificate_authority_id": "sshca_1",
            "principals": ["host.example.com"],
            "valid_after": "2025-01-21T18:19:52Z",
            "valid_until": "2026-01-21T18:19:52Z",
            "certificate": "ssh-rsa-cert-v01@openssh.com AAAA",
        },
    )
    cert = await client.ssh_host_certificates.create(
        ssh_certificate_authority_id="sshca_1",
        public_key=HOST_KEY,
        principals=["host.example.com"],
        valid_after=WHEN.astimezone(timezone(timedelta(hours=2))),
        description="web",
    )
    body = json.loads(route.calls.last.request.content)
    assert body == {
        "ssh_certificate_authority_id": "sshca_1",
        "public_key": HOST_KEY,
        "principals": ["host.example.com"],
        "valid_after": "2025-01-21T18:19:52Z",
        "description": "web",
    }
    assert isinstance(cert, SSHHostCertificate)
    assert cert.valid_until == datetime(2026, 1, 21, 18, 19, 52, tzinfo=timezone.utc)
    assert cert.principals == ("host.example.com",)


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"public_key": "not a key"}, "public_key"),
        ({"valid_after": datetime(2025, 1, 1)}, "valid_after"),  # naive
        ({"valid_after": WHEN, "valid_until": WHEN}, "valid_until"),
        ({"ssh_certificate_authority_id": "../x"}, "ssh_certificate_authority_id"),
        ({"description": "x" * 256}, "description"),
    ],
)
async def test_host_certificate_create_checks_locally(
    client: AsyncClient, api: respx.MockRouter, kwargs: dict[str, object], param: str
) -> None:
    with pytest.raises(InvalidParameterError) as caught:
        await client.ssh_host_certificates.create(**kwargs)  # type: ignore[arg-type]
    assert caught.value.param == param
    assert not api.calls


async def test_api_key_update_sends_null_and_list_uses_the_keys_key(
    client: AsyncClient, api: respx.MockRouter
) -> None:
    item = {"id": "ak_1", "uri": "u", "created_at": "2025-01-21T18:19:52Z", "description": "d"}
    route = api.patch("/api_keys/ak_1").respond(200, json=item)
    key = await client.api_keys.update("ak_1", description=None, metadata="m")
    assert json.loads(route.calls.last.request.content) == {"description": None, "metadata": "m"}
    assert key.token is None
    api.get("/api_keys").respond(200, json={"keys": [item], "uri": "u", "next_page_uri": None})
    assert [k.id async for k in client.api_keys.list(limit=10)] == ["ak_1"]
    assert api.calls.last.request.url.params["limit"] == "10"


# --- against the fake -----------------------------------------------------------------------


@pytest.fixture
async def ngrok() -> AsyncClient:
    fake = FakeNgrok("sk_fake_host_certs", seed=11, wall_clock=lambda: NOW + 0.4)
    return fake.client(rate_limit=None)


async def test_host_certificate_issued_by_the_fake_parses_and_verifies(ngrok: AsyncClient) -> None:
    async with ngrok:
        ca = await ngrok.ssh_certificate_authorities.create(private_key_type="ed25519")
        cert = await ngrok.ssh_host_certificates.create(
            ssh_certificate_authority_id=ca.id,
            public_key=HOST_KEY,
            principals=["host.example.com", "10.0.0.7"],
        )
        assert cert.valid_after == WHEN
        assert cert.valid_until == WHEN + timedelta(days=365)
        info = ssh_keys.verify_certificate(
            cert.certificate,
            ca_public_key=ca.public_key,
            public_key=HOST_KEY,
            principal="host.example.com",
            at=WHEN + timedelta(days=1),
        )
        assert info.cert_type == "host"
        assert info.principals == ("host.example.com", "10.0.0.7")
        assert info.key_id == cert.id
        with pytest.raises(ssh_keys.CertificateVerificationError) as caught:
            ssh_keys.verify_certificate(
                cert.certificate, ca_public_key=ca.public_key, principal="other.example.com"
            )
        assert caught.value.reason == "principal"

        again = await ngrok.ssh_host_certificates.update(cert.id, description="web")
        assert again.description == "web"
        assert again.certificate == cert.certificate
        assert [c.id async for c in ngrok.ssh_host_certificates.list()] == [cert.id]
        await ngrok.ssh_host_certificates.delete(cert.id)
        assert [c.id async for c in ngrok.ssh_host_certificates.list()] == []


async def test_api_key_token_only_on_create(ngrok: AsyncClient) -> None:
    async with ngrok:
        created = await ngrok.api_keys.create(description="ci")
        assert isinstance(created, APIKey)
        assert created.token
        assert created.token not in repr(created)
        fetched = await ngrok.api_keys.get(created.id)
        assert fetched.token is None
        assert fetched.description == "ci"
        assert [k.id async for k in ngrok.api_keys.list()] == [created.id]
        await ngrok.api_keys.delete(created.id)
        with pytest.raises(Exception, match="404"):
            await ngrok.api_keys.get(created.id)


async def test_fake_refuses_a_host_certificate_for_a_missing_ca(ngrok: AsyncClient) -> None:
    async with ngrok:
        with pytest.raises(Exception, match="404"):
            await ngrok.ssh_host_certificates.create(
                ssh_certificate_authority_id="sshca_2rwwl4SDEadVIHE5LIPmoVwx9q5",
                public_key=HOST_KEY,
            )
