"""Every operation of every service, checked on the wire: method, path, query, headers, body."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
import respx

from ngrok_async import (
    AsyncClient,
    Credential,
    SSHCertificateAuthority,
    SSHCredential,
    SSHUserCertificate,
)
from ngrok_async._client import USER_AGENT

from .conftest import API_KEY, BASE, fixture

ECDSA_KEY = fixture("ssh_user_certificate_create")["public_key"]
RSA_KEY = fixture("ssh_credential_create")["public_key"]
CA_ID = "sshca_2rwwl4SDEadVIHE5LIPmoVwx9q5"
TZ = timezone(timedelta(hours=2))

Call = Callable[[AsyncClient], Awaitable[Any]]
ABSENT = object()


def case(
    call: Call,
    method: str,
    path: str,
    *,
    body: Any = ABSENT,
    query: dict[str, str] | None = None,
    response: str | None = None,
    status: int = 200,
    record: type | None = None,
    id: str,
) -> Any:
    return pytest.param(call, method, path, body, query or {}, response, status, record, id=id)


CASES = [
    # --- credentials
    case(
        lambda c: c.credentials.create(),
        "POST",
        "/credentials",
        body={},
        response="credential_create",
        status=201,
        record=Credential,
        id="credentials.create-empty",
    ),
    case(
        lambda c: c.credentials.create(description="ci runner", acl=["bind:*.example.com"]),
        "POST",
        "/credentials",
        body={"description": "ci runner", "acl": ["bind:*.example.com"]},
        response="credential_create",
        status=201,
        record=Credential,
        id="credentials.create",
    ),
    case(
        lambda c: c.credentials.create(
            description="d", metadata="m", acl=("bind:a.example.com",), owner_id="usr_1"
        ),
        "POST",
        "/credentials",
        body={
            "description": "d",
            "metadata": "m",
            "acl": ["bind:a.example.com"],
            "owner_id": "usr_1",
        },
        response="credential_create",
        status=201,
        record=Credential,
        id="credentials.create-all",
    ),
    case(
        lambda c: c.credentials.get("cr_1"),
        "GET",
        "/credentials/cr_1",
        response="credential_get",
        record=Credential,
        id="credentials.get",
    ),
    case(
        lambda c: c.credentials.update("cr_1", metadata='{"team": "infra"}'),
        "PATCH",
        "/credentials/cr_1",
        body={"metadata": '{"team": "infra"}'},
        response="credential_get",
        record=Credential,
        id="credentials.update",
    ),
    case(
        lambda c: c.credentials.update("cr_1", description=None, acl=[]),
        "PATCH",
        "/credentials/cr_1",
        body={"description": None, "acl": []},
        response="credential_get",
        record=Credential,
        id="credentials.update-null-and-clear",
    ),
    case(
        lambda c: c.credentials.update("cr_1"),
        "PATCH",
        "/credentials/cr_1",
        body={},
        response="credential_get",
        record=Credential,
        id="credentials.update-nothing",
    ),
    case(
        lambda c: c.credentials.delete("cr_1"),
        "DELETE",
        "/credentials/cr_1",
        status=204,
        id="credentials.delete",
    ),
    # --- ssh_credentials
    case(
        lambda c: c.ssh_credentials.create(RSA_KEY),
        "POST",
        "/ssh_credentials",
        body={"public_key": RSA_KEY},
        response="ssh_credential_create",
        status=201,
        record=SSHCredential,
        id="ssh_credentials.create-minimal",
    ),
    case(
        lambda c: c.ssh_credentials.create(
            RSA_KEY,
            description="for device #132",
            metadata="{}",
            owner_id="usr_2",
            acl=["bind:1.tcp.ngrok.io:20002", "bind:132.devices.company.com"],
        ),
        "POST",
        "/ssh_credentials",
        body={
            "public_key": RSA_KEY,
            "description": "for device #132",
            "metadata": "{}",
            "acl": ["bind:1.tcp.ngrok.io:20002", "bind:132.devices.company.com"],
            "owner_id": "usr_2",
        },
        response="ssh_credential_create",
        status=201,
        record=SSHCredential,
        id="ssh_credentials.create",
    ),
    case(
        lambda c: c.ssh_credentials.get("sshcr_1"),
        "GET",
        "/ssh_credentials/sshcr_1",
        response="ssh_credential_get",
        record=SSHCredential,
        id="ssh_credentials.get",
    ),
    case(
        lambda c: c.ssh_credentials.update(
            "sshcr_1", description="my dev machine", metadata='{"hostname": "macbook.local"}'
        ),
        "PATCH",
        "/ssh_credentials/sshcr_1",
        body={"description": "my dev machine", "metadata": '{"hostname": "macbook.local"}'},
        response="ssh_credential_update",
        record=SSHCredential,
        id="ssh_credentials.update",
    ),
    case(
        lambda c: c.ssh_credentials.update("sshcr_1", acl=["bind:x.example.com"]),
        "PATCH",
        "/ssh_credentials/sshcr_1",
        body={"acl": ["bind:x.example.com"]},
        response="ssh_credential_update",
        record=SSHCredential,
        id="ssh_credentials.update-acl",
    ),
    case(
        lambda c: c.ssh_credentials.delete("sshcr_1"),
        "DELETE",
        "/ssh_credentials/sshcr_1",
        status=204,
        id="ssh_credentials.delete",
    ),
    # --- ssh_certificate_authorities
    case(
        lambda c: c.ssh_certificate_authorities.create(),
        "POST",
        "/ssh_certificate_authorities",
        body={},
        response="ssh_certificate_authority_create",
        status=201,
        record=SSHCertificateAuthority,
        id="ssh_cas.create-default",
    ),
    case(
        lambda c: c.ssh_certificate_authorities.create(
            description="staging", private_key_type="ecdsa", elliptic_curve="p384"
        ),
        "POST",
        "/ssh_certificate_authorities",
        body={"description": "staging", "private_key_type": "ecdsa", "elliptic_curve": "p384"},
        response="ssh_certificate_authority_create",
        status=201,
        record=SSHCertificateAuthority,
        id="ssh_cas.create-ecdsa",
    ),
    case(
        lambda c: c.ssh_certificate_authorities.create(
            private_key_type="rsa", key_size=4096, metadata="m"
        ),
        "POST",
        "/ssh_certificate_authorities",
        body={"metadata": "m", "private_key_type": "rsa", "key_size": 4096},
        response="ssh_certificate_authority_create",
        status=201,
        record=SSHCertificateAuthority,
        id="ssh_cas.create-rsa",
    ),
    case(
        lambda c: c.ssh_certificate_authorities.get(CA_ID),
        "GET",
        f"/ssh_certificate_authorities/{CA_ID}",
        response="ssh_certificate_authority_create",
        record=SSHCertificateAuthority,
        id="ssh_cas.get",
    ),
    case(
        lambda c: c.ssh_certificate_authorities.update(CA_ID, description="prod"),
        "PATCH",
        f"/ssh_certificate_authorities/{CA_ID}",
        body={"description": "prod"},
        response="ssh_certificate_authority_create",
        record=SSHCertificateAuthority,
        id="ssh_cas.update",
    ),
    case(
        lambda c: c.ssh_certificate_authorities.delete(CA_ID),
        "DELETE",
        f"/ssh_certificate_authorities/{CA_ID}",
        status=204,
        id="ssh_cas.delete",
    ),
    # --- ssh_user_certificates
    case(
        lambda c: c.ssh_user_certificates.create(CA_ID, ECDSA_KEY),
        "POST",
        "/ssh_user_certificates",
        body={"ssh_certificate_authority_id": CA_ID, "public_key": ECDSA_KEY},
        response="ssh_user_certificate_create",
        status=201,
        record=SSHUserCertificate,
        id="ssh_user_certificates.create-defaults-absent",
    ),
    case(
        lambda c: c.ssh_user_certificates.create(
            CA_ID,
            ECDSA_KEY,
            principals=["ec2-user", "root"],
            description="temporary access to staging machine",
            valid_until=datetime(2025, 4, 21, 20, 19, 52, tzinfo=TZ),
        ),
        "POST",
        "/ssh_user_certificates",
        body={
            "ssh_certificate_authority_id": CA_ID,
            "public_key": ECDSA_KEY,
            "principals": ["ec2-user", "root"],
            "description": "temporary access to staging machine",
            "valid_until": "2025-04-21T18:19:52Z",
        },
        response="ssh_user_certificate_create",
        status=201,
        record=SSHUserCertificate,
        id="ssh_user_certificates.create-seed-example",
    ),
    case(
        lambda c: c.ssh_user_certificates.create(
            CA_ID,
            ECDSA_KEY,
            principals=[],
            critical_options={"force-command": "ls"},
            extensions={},
            metadata="m",
            valid_after=datetime(2025, 1, 1, tzinfo=timezone.utc),
            valid_until=datetime(2025, 1, 1, 8, 0, 0, 500, tzinfo=timezone.utc),
        ),
        "POST",
        "/ssh_user_certificates",
        body={
            "ssh_certificate_authority_id": CA_ID,
            "public_key": ECDSA_KEY,
            "principals": [],
            "critical_options": {"force-command": "ls"},
            "extensions": {},
            "metadata": "m",
            "valid_after": "2025-01-01T00:00:00Z",
            "valid_until": "2025-01-01T08:00:00.000500Z",
        },
        response="ssh_user_certificate_create",
        status=201,
        record=SSHUserCertificate,
        id="ssh_user_certificates.create-explicit-empty",
    ),
    case(
        lambda c: c.ssh_user_certificates.get("sucrt_1"),
        "GET",
        "/ssh_user_certificates/sucrt_1",
        response="ssh_user_certificate_get",
        record=SSHUserCertificate,
        id="ssh_user_certificates.get",
    ),
    case(
        lambda c: c.ssh_user_certificates.update(
            "sucrt_1", description="for alan", metadata='{"user_email": "alan@example.com"}'
        ),
        "PATCH",
        "/ssh_user_certificates/sucrt_1",
        body={"description": "for alan", "metadata": '{"user_email": "alan@example.com"}'},
        response="ssh_user_certificate_update",
        record=SSHUserCertificate,
        id="ssh_user_certificates.update",
    ),
    case(
        lambda c: c.ssh_user_certificates.delete("sucrt_1"),
        "DELETE",
        "/ssh_user_certificates/sucrt_1",
        status=204,
        id="ssh_user_certificates.delete",
    ),
]


@pytest.mark.parametrize(
    ("call", "method", "path", "body", "query", "response", "status", "record"), CASES
)
async def test_operation_on_the_wire(
    client: AsyncClient,
    api: respx.MockRouter,
    call: Call,
    method: str,
    path: str,
    body: Any,
    query: dict[str, str],
    response: str | None,
    status: int,
    record: type | None,
) -> None:
    payload = fixture(response) if response else None
    route = api.request(method, path).mock(
        return_value=httpx.Response(status, json=payload) if payload else httpx.Response(status)
    )

    result = await call(client)

    assert route.call_count == 1
    sent = route.calls.last.request
    assert sent.method == method
    assert sent.url.path == path
    assert dict(sent.url.params) == query
    assert sent.headers["authorization"] == f"Bearer {API_KEY}"
    assert sent.headers["ngrok-version"] == "2"
    assert sent.headers["user-agent"] == USER_AGENT
    if body is ABSENT:
        assert sent.content == b""
        assert "content-type" not in sent.headers
    else:
        assert sent.headers["content-type"] == "application/json"
        assert json.loads(sent.content) == body
    if record is None:
        assert result is None
    else:
        assert isinstance(result, record)
        assert result.id == payload["id"]


@pytest.mark.parametrize(
    ("service", "key", "fixture_name"),
    [
        ("credentials", "credentials", "credential_get"),
        ("ssh_credentials", "ssh_credentials", "ssh_credential_get"),
        (
            "ssh_certificate_authorities",
            "ssh_certificate_authorities",
            "ssh_certificate_authority_create",
        ),
        ("ssh_user_certificates", "ssh_user_certificates", "ssh_user_certificate_get"),
    ],
)
async def test_list_sends_limit_and_before_id(
    client: AsyncClient, api: respx.MockRouter, service: str, key: str, fixture_name: str
) -> None:
    route = api.get(f"/{service}").respond(
        json={
            key: [fixture(fixture_name)],
            "uri": f"https://api.ngrok.com/{service}",
            "next_page_uri": None,
        }
    )

    items = [item async for item in getattr(client, service).list(limit=50, before_id="x_9")]

    assert [item.id for item in items] == [fixture(fixture_name)["id"]]
    sent = route.calls.last.request
    assert dict(sent.url.params) == {"limit": "50", "before_id": "x_9"}
    assert sent.headers["ngrok-version"] == "2"
    assert sent.content == b""


async def test_list_passes_a_filter_through(client: AsyncClient, api: respx.MockRouter) -> None:
    route = api.get("/ssh_credentials").respond(
        json={"ssh_credentials": [], "uri": f"{BASE}/ssh_credentials", "next_page_uri": None}
    )
    cel = 'obj.owner_id == "usr_1"'

    assert [c async for c in client.ssh_credentials.list(filter=cel)] == []
    assert dict(route.calls.last.request.url.params) == {"filter": cel}


async def test_a_list_ngrok_does_not_filter_takes_no_filter(
    client: AsyncClient, api: respx.MockRouter
) -> None:
    """ngrok ignores ``filter`` on SSH user certificates: the method must not take it."""
    api.get("/ssh_user_certificates").respond(
        json={"ssh_user_certificates": [], "uri": f"{BASE}/x", "next_page_uri": None}
    )
    listing: Any = client.ssh_user_certificates.list
    with pytest.raises(TypeError):
        listing(filter="obj.id == 'x'")
    assert [c async for c in client.ssh_user_certificates.list()] == []


async def test_list_without_arguments_sends_no_query(
    client: AsyncClient, api: respx.MockRouter
) -> None:
    route = api.get("/credentials").respond(
        json={"credentials": [], "uri": "https://api.ngrok.com/credentials", "next_page_uri": None}
    )

    assert [c async for c in client.credentials.list()] == []
    assert route.calls.last.request.url.query == b""
