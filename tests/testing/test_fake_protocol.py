"""Auth, version, routing and validation errors, in the exact ngrok error shape."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from ngrok_async.testing import FakeNgrok, Faults

from .conftest import API_KEY, ECDSA_KEY, error_of


async def send(fake: FakeNgrok, headers: dict[str, str], path: str = "/credentials") -> Any:
    async with httpx.AsyncClient(transport=fake, base_url=fake.base_url) as raw:
        return await raw.get(path, headers=headers)


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({"Ngrok-Version": "2"}, 401, "ERR_NGROK_200"),
        ({"Authorization": "Basic abc", "Ngrok-Version": "2"}, 401, "ERR_NGROK_201"),
        ({"Authorization": "Bearer ", "Ngrok-Version": "2"}, 401, "ERR_NGROK_201"),
        ({"Authorization": "Bearer wrong", "Ngrok-Version": "2"}, 401, "ERR_NGROK_203"),
        ({"Authorization": f"Bearer {API_KEY}x", "Ngrok-Version": "2"}, 401, "ERR_NGROK_203"),
        ({"Authorization": f"Bearer {API_KEY}"}, 400, "ERR_NGROK_218"),
        ({"Authorization": f"Bearer {API_KEY}", "Ngrok-Version": "1"}, 400, "ERR_NGROK_217"),
        ({"Authorization": f"Bearer {API_KEY}", "Ngrok-Version": "two"}, 400, "ERR_NGROK_217"),
    ],
)
async def test_auth_and_version_errors(
    fake: FakeNgrok, headers: dict[str, str], status: int, code: str
) -> None:
    response = await send(fake, headers)
    assert response.status_code == status
    body = error_of(response)
    assert body["error_code"] == code
    assert API_KEY not in response.text  # keys are never echoed
    assert "wrong" not in body["msg"]
    assert fake.stats.responses[status] == 1


async def test_bearer_scheme_is_case_insensitive(fake: FakeNgrok) -> None:
    response = await send(fake, {"Authorization": f"bearer {API_KEY}", "Ngrok-Version": "2"})
    assert response.status_code == 200


async def test_auth_is_checked_before_faults(fake: FakeNgrok) -> None:
    fake.faults = Faults(p_unavailable=1.0)
    response = await send(fake, {"Ngrok-Version": "2"})
    assert response.status_code == 401
    assert fake.stats.faults["unavailable"] == 0


async def test_operation_ids_differ(fake_http: httpx.AsyncClient) -> None:
    first = error_of(await fake_http.get("/credentials/cr_x"))["details"]["operation_id"]
    second = error_of(await fake_http.get("/credentials/cr_x"))["details"]["operation_id"]
    assert first != second


@pytest.mark.parametrize(
    "path",
    ["/", "/no_such_service", "/credentials/", "/credentials/a/b", "/Credentials", "//credentials"],
)
async def test_unknown_route_is_404(fake_http: httpx.AsyncClient, path: str) -> None:
    response = await fake_http.get(path)
    assert response.status_code == 404
    assert error_of(response)["error_code"] == "ERR_NGROK_404"


@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", "/credentials", "GET, POST"),
        ("DELETE", "/ssh_credentials", "GET, POST"),
        ("POST", "/credentials/cr_2TMGIwCp3Yt0fv5eirB7M8D0h7o", "GET, PATCH, DELETE"),
        ("PUT", "/ssh_user_certificates/x", "GET, PATCH, DELETE"),
    ],
)
async def test_wrong_method_is_405(
    fake_http: httpx.AsyncClient, method: str, path: str, allow: str
) -> None:
    response = await fake_http.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == allow
    assert error_of(response)["error_code"] == "ERR_NGROK_405"


@pytest.mark.parametrize("kind", ["credentials", "ssh_credentials", "ssh_certificate_authorities",
                                  "ssh_user_certificates"])  # fmt: skip
async def test_unknown_id_is_404_for_every_operation(
    fake_http: httpx.AsyncClient, kind: str
) -> None:
    for method in ("GET", "PATCH", "DELETE"):
        response = await fake_http.request(
            method, f"/{kind}/x_2TMGIwCp3Yt0fv5eirB7M8D0h7o", json={}
        )
        assert response.status_code == 404, method
        assert error_of(response)["error_code"] == "ERR_NGROK_404"


@pytest.mark.parametrize(
    "content", [b"{", b"[]", b'"text"', b"42", b"null", b"\xff\xfe", b'{"a": NaN'], ids=repr
)
async def test_body_not_a_json_object_is_400(
    fake_http: httpx.AsyncClient, fake: FakeNgrok, content: bytes
) -> None:
    response = await fake_http.post("/credentials", content=content)
    assert response.status_code == 400
    assert error_of(response)["error_code"] == "ERR_NGROK_213"
    assert fake.stats.created["credentials"] == 0


@pytest.mark.parametrize(
    ("path", "body", "code"),
    [
        ("/credentials", {"description": "x" * 256}, "ERR_NGROK_504"),
        ("/credentials", {"description": "é" * 128}, "ERR_NGROK_504"),  # 256 UTF-8 bytes
        ("/credentials", {"metadata": "x" * 4097}, "ERR_NGROK_100"),
        ("/credentials", {"description": 5}, "ERR_NGROK_213"),
        ("/credentials", {"metadata": ["m"]}, "ERR_NGROK_213"),
        ("/credentials", {"acl": "bind:x"}, "ERR_NGROK_213"),
        ("/credentials", {"acl": ["bind:x", 3]}, "ERR_NGROK_213"),
        ("/credentials", {"acl": ["connect:x"]}, "ERR_NGROK_600"),
        ("/credentials", {"acl": ["bind:"]}, "ERR_NGROK_600"),
        ("/credentials", {"owner_id": "alice"}, "ERR_NGROK_239"),
        ("/credentials", {"owner_id": 7}, "ERR_NGROK_213"),
        ("/ssh_credentials", {}, "ERR_NGROK_611"),
        ("/ssh_credentials", {"public_key": "  "}, "ERR_NGROK_611"),
        ("/ssh_credentials", {"public_key": "ssh-ed25519 AAAA"}, "ERR_NGROK_612"),
        ("/ssh_credentials", {"public_key": "not a key"}, "ERR_NGROK_612"),
        ("/ssh_credentials", {"public_key": ECDSA_KEY + "\n" + ECDSA_KEY}, "ERR_NGROK_612"),
        ("/ssh_credentials", {"public_key": ["k"]}, "ERR_NGROK_213"),
        ("/ssh_credentials", {"public_key": ECDSA_KEY, "acl": ["nope"]}, "ERR_NGROK_600"),
        ("/ssh_certificate_authorities", {"private_key_type": "dsa"}, "ERR_NGROK_1909"),
        ("/ssh_certificate_authorities", {"private_key_type": 1}, "ERR_NGROK_213"),
        ("/ssh_certificate_authorities", {"private_key_type": "rsa", "key_size": 1024},
         "ERR_NGROK_1939"),
        ("/ssh_certificate_authorities", {"private_key_type": "rsa", "key_size": "2048"},
         "ERR_NGROK_213"),
        ("/ssh_certificate_authorities", {"key_size": 2048}, "ERR_NGROK_1940"),
        ("/ssh_certificate_authorities", {"private_key_type": "ecdsa", "elliptic_curve": "p224"},
         "ERR_NGROK_1941"),
        ("/ssh_certificate_authorities", {"private_key_type": "rsa", "elliptic_curve": "p256"},
         "ERR_NGROK_1942"),
        ("/ssh_certificate_authorities", {"description": "d" * 300}, "ERR_NGROK_504"),
    ],
)  # fmt: skip
async def test_validation_errors(
    fake_http: httpx.AsyncClient, fake: FakeNgrok, path: str, body: dict[str, Any], code: str
) -> None:
    response = await fake_http.post(path, content=json.dumps(body))
    assert response.status_code == 400
    assert error_of(response)["error_code"] == code
    assert sum(fake.stats.created.values()) == 0


async def test_limits_are_inclusive(fake_http: httpx.AsyncClient) -> None:
    ok = await fake_http.post(
        "/credentials", json={"description": "é" * 127 + "x", "metadata": "m" * 4096}
    )
    assert ok.status_code == 201


async def test_update_is_validated_and_atomic(fake_http: httpx.AsyncClient) -> None:
    ident = (await fake_http.post("/credentials", json={"description": "keep"})).json()["id"]
    response = await fake_http.patch(
        f"/credentials/{ident}", json={"description": "new", "acl": ["x"]}
    )
    assert response.status_code == 400
    assert error_of(response)["error_code"] == "ERR_NGROK_600"
    assert (await fake_http.get(f"/credentials/{ident}")).json()["description"] == "keep"
    bad_body = await fake_http.patch(f"/credentials/{ident}", content=b"[1]")
    assert error_of(bad_body)["error_code"] == "ERR_NGROK_213"


async def test_unknown_fields_are_ignored(fake_http: httpx.AsyncClient) -> None:
    response = await fake_http.post("/credentials", json={"description": "d", "colour": "blue"})
    assert response.status_code == 201
    assert "colour" not in response.json()


async def test_recorded_requests_redact_the_key(
    fake_http: httpx.AsyncClient, fake: FakeNgrok
) -> None:
    await fake_http.post("/credentials?x=1", json={"description": "d"})
    (recorded,) = fake.requests
    assert recorded.method == "POST"
    assert recorded.path == "/credentials"
    assert recorded.query == {"x": "1"}
    assert recorded.json == {"description": "d"}
    assert recorded.headers["authorization"] == "[redacted]"
    assert recorded.headers["ngrok-version"] == "2"
    assert API_KEY not in repr(fake.requests)
    assert API_KEY not in repr(fake)


async def test_recording_can_be_turned_off() -> None:
    fake = FakeNgrok("k", record_requests=False)
    async with httpx.AsyncClient(transport=fake, base_url=fake.base_url) as raw:
        await raw.get("/credentials")
    assert fake.requests == []
    assert fake.stats.requests == 1


def test_constructor_checks() -> None:
    with pytest.raises(ValueError, match="api_key"):
        FakeNgrok("")
    with pytest.raises(ValueError, match="base_url"):
        FakeNgrok("k", base_url="api.ngrok.com")
    with pytest.raises(TypeError, match="Faults"):
        FakeNgrok("k").faults = {"latency": 1}  # type: ignore[assignment]
