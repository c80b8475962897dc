"""Every operation of every resource over the transport, with raw httpx."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import httpx
import pytest

from ngrok_async.testing import FakeNgrok

from .conftest import ECDSA_KEY, ED25519_KEY, error_of

ID_BODY = r"[0-9A-Za-z]{27}"
CREATED_AT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


def check_common(body: dict[str, object], prefix: str, path: str) -> str:
    ident = body["id"]
    assert isinstance(ident, str)
    assert re.fullmatch(rf"{prefix}_{ID_BODY}", ident)
    assert body["uri"] == f"https://api.ngrok.com/{path}/{ident}"
    assert isinstance(body["created_at"], str)
    assert CREATED_AT.fullmatch(body["created_at"])
    return ident


async def test_credentials_lifecycle(fake_http: httpx.AsyncClient, fake: FakeNgrok) -> None:
    created = await fake_http.post(
        "/credentials", json={"description": "ci", "acl": ["bind:*.ex.com"]}
    )
    assert created.status_code == 201
    assert created.headers["content-type"] == "application/json"
    body = created.json()
    ident = check_common(body, "cr", "credentials")
    assert list(body) == [
        "id", "uri", "created_at", "description", "metadata", "token", "acl", "owner_id"
    ]  # fmt: skip
    assert body["description"] == "ci"
    assert body["metadata"] == ""  # empty, printed as ngrok prints it
    assert re.fullmatch(rf"{ID_BODY}_[0-9A-Za-z]{{21}}", body["token"])
    assert body["acl"] == ["bind:*.ex.com"]
    assert body["owner_id"] == fake.user_id

    got = await fake_http.get(f"/credentials/{ident}")
    assert got.status_code == 200
    expected = {k: v for k, v in body.items() if k != "token"}
    assert got.json() == expected

    updated = await fake_http.patch(f"/credentials/{ident}", json={"metadata": '{"a": 1}'})
    assert updated.status_code == 200
    assert updated.json() == {**expected, "metadata": '{"a": 1}'}
    assert "token" not in updated.json()

    listed = await fake_http.get("/credentials")
    assert listed.status_code == 200
    assert listed.json() == {
        "credentials": [{**expected, "metadata": '{"a": 1}'}],
        "uri": "https://api.ngrok.com/credentials",
        "next_page_uri": None,
    }

    deleted = await fake_http.delete(f"/credentials/{ident}")
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert "content-type" not in deleted.headers
    assert error_of(await fake_http.get(f"/credentials/{ident}"))["error_code"] == "ERR_NGROK_404"
    assert (await fake_http.delete(f"/credentials/{ident}")).status_code == 404
    assert fake.stats.created["credentials"] == 1


async def test_credential_create_with_empty_or_missing_body(fake_http: httpx.AsyncClient) -> None:
    empty_object = await fake_http.post("/credentials", json={})
    no_body = await fake_http.post("/credentials")
    for response in (empty_object, no_body):
        assert response.status_code == 201
        assert set(response.json()) == {
            "id", "uri", "created_at", "description", "metadata", "token", "acl", "owner_id"
        }  # fmt: skip
        assert response.json()["acl"] == []


async def test_owner_id_is_kept_when_given(fake_http: httpx.AsyncClient) -> None:
    created = await fake_http.post(
        "/credentials", json={"owner_id": "bot_2TMGG635o87KDP13PBjUDx2rzJY"}
    )
    assert created.json()["owner_id"] == "bot_2TMGG635o87KDP13PBjUDx2rzJY"


async def test_ssh_credentials_lifecycle(fake_http: httpx.AsyncClient, fake: FakeNgrok) -> None:
    created = await fake_http.post(
        "/ssh_credentials",
        json={"public_key": ECDSA_KEY, "acl": ["bind:1.tcp.ngrok.io:20002"], "metadata": "m"},
    )
    assert created.status_code == 201
    body = created.json()
    ident = check_common(body, "sshcr", "ssh_credentials")
    assert list(body) == [
        "id", "uri", "created_at", "description", "metadata", "public_key", "acl", "owner_id"
    ]  # fmt: skip
    assert body["public_key"] == ECDSA_KEY  # kept as sent, comment included
    assert "token" not in body

    assert (await fake_http.get(f"/ssh_credentials/{ident}")).json() == body
    updated = await fake_http.patch(
        f"/ssh_credentials/{ident}", json={"description": "dev box", "acl": [], "metadata": None}
    )
    assert updated.json() == {**body, "description": "dev box", "acl": []}
    page = (await fake_http.get("/ssh_credentials")).json()
    assert page["ssh_credentials"] == [updated.json()]
    assert page["uri"] == "https://api.ngrok.com/ssh_credentials"
    assert (await fake_http.delete(f"/ssh_credentials/{ident}")).status_code == 204
    assert (await fake_http.get(f"/ssh_credentials/{ident}")).status_code == 404
    assert fake.resources("ssh_credentials") == []


async def test_ssh_certificate_authorities_lifecycle(fake_http: httpx.AsyncClient) -> None:
    created = await fake_http.post("/ssh_certificate_authorities", json={"description": "staging"})
    assert created.status_code == 201
    body = created.json()
    ident = check_common(body, "sshca", "ssh_certificate_authorities")
    assert list(body) == [
        "id", "uri", "created_at", "description", "metadata", "public_key", "key_type"
    ]  # fmt: skip
    assert body["key_type"] == "ed25519"
    assert body["public_key"].startswith("ssh-ed25519 AAAA")

    assert (await fake_http.get(f"/ssh_certificate_authorities/{ident}")).json() == body
    updated = await fake_http.patch(
        f"/ssh_certificate_authorities/{ident}", json={"description": "", "metadata": "x"}
    )
    assert updated.json() == {**body, "description": "", "metadata": "x"}
    listed = (await fake_http.get("/ssh_certificate_authorities")).json()
    assert listed["ssh_certificate_authorities"] == [updated.json()]
    assert (await fake_http.delete(f"/ssh_certificate_authorities/{ident}")).status_code == 204
    assert (await fake_http.get(f"/ssh_certificate_authorities/{ident}")).status_code == 404


async def test_ssh_user_certificates_lifecycle(fake_http: httpx.AsyncClient) -> None:
    ca = (await fake_http.post("/ssh_certificate_authorities", json={})).json()
    created = await fake_http.post(
        "/ssh_user_certificates",
        json={
            "ssh_certificate_authority_id": ca["id"],
            "public_key": ED25519_KEY,
            "principals": ["ec2-user", "root"],
            "valid_until": "2099-04-21T18:19:52Z",
            "description": "temporary access",
        },
    )
    assert created.status_code == 201
    body = created.json()
    ident = check_common(body, "sucrt", "ssh_user_certificates")
    assert list(body) == [
        "id", "uri", "created_at", "description", "metadata", "public_key", "key_type",
        "ssh_certificate_authority_id", "principals", "critical_options", "extensions",
        "valid_after", "valid_until", "certificate",
    ]  # fmt: skip
    assert body["critical_options"] == {}
    assert body["extensions"] == {"permit-pty": "", "permit-user-rc": ""}
    assert body["valid_until"] == "2099-04-21T18:19:52Z"
    assert body["certificate"].startswith("ssh-ed25519-cert-v01@openssh.com AAAA")
    assert body["certificate"].endswith(f" {ident}")

    assert (await fake_http.get(f"/ssh_user_certificates/{ident}")).json() == body
    updated = (
        await fake_http.patch(f"/ssh_user_certificates/{ident}", json={"metadata": "m"})
    ).json()
    assert updated == {**body, "metadata": "m"}
    # fields PATCH does not take are ignored, not applied
    ignored = await fake_http.patch(f"/ssh_user_certificates/{ident}", json={"principals": ["x"]})
    assert ignored.json()["principals"] == ["ec2-user", "root"]
    assert (await fake_http.get("/ssh_user_certificates")).json()["ssh_user_certificates"] == [
        updated
    ]
    assert (await fake_http.delete(f"/ssh_user_certificates/{ident}")).status_code == 204
    assert (await fake_http.get(f"/ssh_user_certificates/{ident}")).status_code == 404


async def test_created_at_is_the_wall_clock_in_whole_seconds() -> None:
    fake = FakeNgrok("k", wall_clock=lambda: 1737483592.75)
    async with httpx.AsyncClient(
        transport=fake,
        base_url="https://api.ngrok.com",
        headers={"Authorization": "Bearer k", "Ngrok-Version": "2"},
    ) as fake_http:
        body = (await fake_http.post("/credentials")).json()
    assert body["created_at"] == "2025-01-21T18:19:52Z"
    stamp = datetime.fromisoformat(body["created_at"].replace("Z", "+00:00"))
    assert stamp == datetime(2025, 1, 21, 18, 19, 52, tzinfo=timezone.utc)


async def test_patch_with_nulls_changes_nothing(fake_http: httpx.AsyncClient) -> None:
    ident = (await fake_http.post("/credentials", json={"description": "d", "acl": ["*"]})).json()[
        "id"
    ]
    before = (await fake_http.get(f"/credentials/{ident}")).json()
    after = await fake_http.patch(
        f"/credentials/{ident}", json={"description": None, "metadata": None, "acl": None}
    )
    assert after.status_code == 200
    assert after.json() == before
    assert (await fake_http.patch(f"/credentials/{ident}", json={})).json() == before


async def test_resources_and_reset(fake_http: httpx.AsyncClient, fake: FakeNgrok) -> None:
    first = (await fake_http.post("/credentials", json={"description": "a"})).json()["id"]
    second = (await fake_http.post("/credentials", json={"description": "b"})).json()["id"]
    assert [r["id"] for r in fake.resources("credentials")] == [first, second]
    assert fake.store.count("credentials") == 2
    assert len(fake.requests) == 2
    with pytest.raises(ValueError, match="unknown kind"):
        fake.resources("no_such_service")
    fake.reset()
    assert fake.resources("credentials") == []
    assert fake.requests == []
    assert fake.stats.requests == 0
    assert (await fake_http.get("/credentials")).json()["credentials"] == []
