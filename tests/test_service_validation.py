"""Bad input raises a typed error naming the parameter, and no request is sent."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import respx

from ngrok_async import AsyncClient, InvalidParameterError, NgrokError

from .conftest import fixture

KEY = fixture("ssh_user_certificate_create")["public_key"]
NOW = datetime(2025, 1, 1, tzinfo=timezone.utc)
Call = Callable[[AsyncClient], Awaitable[Any]]


async def _consume(iterator: Any) -> None:
    async for _ in iterator:
        pass


BAD_CALLS: list[Any] = [
    pytest.param(
        lambda c: c.credentials.create(description="x" * 256),
        "description",
        id="description-256-bytes",
    ),
    pytest.param(
        lambda c: c.credentials.create(description="é" * 128),
        "description",
        id="description-counts-utf8-bytes",
    ),
    pytest.param(
        lambda c: c.credentials.create(metadata="x" * 4097), "metadata", id="metadata-4097-bytes"
    ),
    pytest.param(
        lambda c: c.credentials.update("cr_1", metadata="😀" * 1025),
        "metadata",
        id="update-metadata-utf8",
    ),
    pytest.param(lambda c: c.credentials.create(acl="bind:*"), "acl", id="acl-is-a-string"),
    pytest.param(lambda c: c.credentials.create(acl=["bind:a", 3]), "acl[1]", id="acl-member-int"),
    pytest.param(
        lambda c: c.credentials.create(description=5), "description", id="description-wrong-type"
    ),
    pytest.param(lambda c: c.credentials.create(owner_id="usr/1"), "owner_id", id="owner-id-path"),
    pytest.param(lambda c: c.ssh_credentials.create("not a key"), "public_key", id="garbage-key"),
    pytest.param(
        lambda c: c.ssh_credentials.create(KEY + "\nssh-rsa AAAA"), "public_key", id="two-key-lines"
    ),
    pytest.param(
        lambda c: c.ssh_credentials.create("ssh-ed25519 AAAAnotbase64!!"),
        "public_key",
        id="bad-base64",
    ),
    pytest.param(
        lambda c: c.ssh_credentials.create(b"ssh-ed25519 AAAA"),
        "public_key",
        id="truncated-key-bytes",
    ),
    pytest.param(
        lambda c: c.ssh_user_certificates.create("sshca_1", "ssh-rsa"),
        "public_key",
        id="truncated-key",
    ),
    pytest.param(
        lambda c: c.ssh_user_certificates.create("", KEY),
        "ssh_certificate_authority_id",
        id="empty-ca-id",
    ),
    pytest.param(
        lambda c: c.ssh_user_certificates.create("sshca_1", KEY, principals=["a", None]),
        "principals[1]",
        id="principal-none",
    ),
    pytest.param(
        lambda c: c.ssh_user_certificates.create("sshca_1", KEY, principals="root"),
        "principals",
        id="principals-string",
    ),
    pytest.param(
        lambda c: c.ssh_user_certificates.create("sshca_1", KEY, valid_until=datetime(2030, 1, 1)),
        "valid_until",
        id="naive-valid-until",
    ),
    pytest.param(
        lambda c: c.ssh_user_certificates.create("sshca_1", KEY, valid_after=datetime(2030, 1, 1)),
        "valid_after",
        id="naive-valid-after",
    ),
    pytest.param(
        lambda c: c.ssh_user_certificates.create("sshca_1", KEY, valid_after=NOW, valid_until=NOW),
        "valid_until",
        id="empty-window",
    ),
    pytest.param(
        lambda c: c.ssh_user_certificates.create(
            "sshca_1", KEY, valid_after=NOW, valid_until=NOW - timedelta(hours=1)
        ),
        "valid_until",
        id="window-backwards",
    ),
    pytest.param(
        lambda c: c.ssh_user_certificates.create(
            "sshca_1", KEY, valid_until="2030-01-01T00:00:00Z"
        ),
        "valid_until",
        id="string-datetime",
    ),
    pytest.param(
        lambda c: c.ssh_user_certificates.create("sshca_1", KEY, extensions={"permit-pty": None}),
        "extensions['permit-pty']",
        id="extension-value-none",
    ),
    pytest.param(
        lambda c: c.ssh_user_certificates.create(
            "sshca_1", KEY, critical_options=["force-command"]
        ),
        "critical_options",
        id="critical-options-list",
    ),
    pytest.param(
        lambda c: c.ssh_certificate_authorities.create(private_key_type="dsa"),
        "private_key_type",
        id="key-type",
    ),
    pytest.param(
        lambda c: c.ssh_certificate_authorities.create(key_size=1024), "key_size", id="key-size"
    ),
    pytest.param(
        lambda c: c.ssh_certificate_authorities.create(key_size=True),
        "key_size",
        id="key-size-bool",
    ),
    pytest.param(lambda c: _consume(c.credentials.list(limit=101)), "limit", id="limit-101"),
    pytest.param(lambda c: _consume(c.credentials.list(limit=0)), "limit", id="limit-0"),
    pytest.param(lambda c: _consume(c.credentials.list(limit="50")), "limit", id="limit-str"),
    pytest.param(
        lambda c: _consume(c.credentials.list(before_id="a/b")), "before_id", id="before-id-slash"
    ),
]


@pytest.mark.parametrize(("call", "param"), BAD_CALLS)
async def test_bad_input_is_refused_before_any_request(
    client: AsyncClient, api: respx.MockRouter, call: Call, param: str
) -> None:
    with pytest.raises(InvalidParameterError) as info:
        await call(client)

    assert info.value.param == param
    assert str(info.value).startswith(f"invalid {param}: ")
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, NgrokError)
    assert len(api.calls) == 0


@pytest.mark.parametrize(
    "bad_id",
    ["../api_keys", "a/b", "x?y", "x#y", "", ".", "..", "a b", "x%2Fy", "x\\y", "cr_1\n", 5, None],
)
@pytest.mark.parametrize("operation", ["get", "delete", "update"])
async def test_path_ids_can_never_reach_another_endpoint(
    client: AsyncClient, api: respx.MockRouter, bad_id: Any, operation: str
) -> None:
    with pytest.raises(ValueError, match="invalid id"):
        await getattr(client.credentials, operation)(bad_id)

    assert len(api.calls) == 0


async def test_limits_at_the_boundary_are_accepted(
    client: AsyncClient, api: respx.MockRouter
) -> None:
    route = api.post("/credentials").respond(201, json=fixture("credential_create"))

    await client.credentials.create(description="é" * 127 + "x", metadata="m" * 4096)

    assert route.call_count == 1
