"""The API key and tokens never leave through repr, logs, messages or tracebacks."""

from __future__ import annotations

import logging
import traceback

import httpx
import pytest
import respx

from ngrok_async import AmbiguousCreateError, AsyncClient, NgrokAPIError, NgrokError

from .conftest import API_KEY, fixture

TOKEN = fixture("credential_create")["token"]

FAILURES = [
    httpx.Response(401, json={"error_code": "ERR_NGROK_203", "status_code": 401, "msg": "bad key"}),
    httpx.Response(500, text="<html>oops</html>"),
    httpx.ConnectError("refused"),
    httpx.ReadTimeout("slow"),
    httpx.RemoteProtocolError("dropped"),
]


@pytest.mark.parametrize("failure", FAILURES)
@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_key_is_absent_from_errors_tracebacks_and_logs(
    client: AsyncClient,
    api: respx.MockRouter,
    caplog: pytest.LogCaptureFixture,
    failure: object,
    method: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    api.route(method=method).mock(side_effect=[failure] * 5)

    call = client.credentials.get("cr_1") if method == "GET" else client.credentials.create()
    with pytest.raises(NgrokError) as info:
        await call

    chain = "".join(traceback.format_exception(info.value))
    assert API_KEY not in chain
    assert API_KEY not in repr(info.value)
    assert all(API_KEY not in arg for arg in map(str, info.value.args))
    if isinstance(info.value, AmbiguousCreateError):
        assert API_KEY not in str(info.value.__cause__)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert logged  # the SDK did log the request
    assert API_KEY not in logged


async def test_key_echoed_by_the_api_is_redacted(
    client: AsyncClient, api: respx.MockRouter
) -> None:
    body = {
        "error_code": "ERR_NGROK_203",
        "status_code": 403,
        "msg": f"The authentication you specified, Bearer {API_KEY}, is invalid.",
        "details": {"operation_id": "op_1", "credential": API_KEY},
    }
    api.get("/credentials/cr_1").respond(403, json=body)

    with pytest.raises(NgrokAPIError) as info:
        await client.credentials.get("cr_1")

    assert API_KEY not in str(info.value)
    assert API_KEY not in info.value.msg
    assert API_KEY not in info.value.body
    assert API_KEY not in repr(info.value.details)
    assert "Bearer [redacted], is invalid" in info.value.msg


async def test_token_is_absent_from_logs_and_record_repr(
    client: AsyncClient, api: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    api.post("/credentials").respond(201, json=fixture("credential_create"))

    cred = await client.credentials.create()

    assert cred.token == TOKEN
    assert TOKEN not in repr(cred)
    assert TOKEN not in "\n".join(r.getMessage() for r in caplog.records)


def test_key_is_absent_from_client_and_service_reprs() -> None:
    ngrok = AsyncClient(API_KEY)

    for obj in (ngrok, ngrok.credentials, ngrok.ssh_user_certificates, ngrok.with_options()):
        assert API_KEY not in repr(obj)
        assert API_KEY not in str(obj)


async def test_redirects_are_not_followed_with_the_key(
    client: AsyncClient, api: respx.MockRouter
) -> None:
    api.get("/credentials/cr_1").respond(
        302, headers={"Location": "https://evil.example.com/steal"}
    )
    evil = respx.get("https://evil.example.com/steal").respond(200, json={})

    with pytest.raises(NgrokAPIError) as info:
        await client.credentials.get("cr_1")

    assert info.value.status_code == 302
    assert evil.call_count == 0
