"""AsyncClient configuration and lifecycle."""

from __future__ import annotations

import logging
import ssl
import sys

import httpx
import pytest
import respx

from ngrok_async import (
    DEFAULT_TIMEOUT,
    AsyncClient,
    InvalidParameterError,
    UnsafeURLError,
    __version__,
)

from .conftest import API_KEY, fixture


def test_missing_api_key_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NGROK_API_KEY", raising=False)

    with pytest.raises(InvalidParameterError, match="NGROK_API_KEY") as info:
        AsyncClient()

    assert info.value.param == "api_key"


async def test_api_key_falls_back_to_environment(
    monkeypatch: pytest.MonkeyPatch, api: respx.MockRouter
) -> None:
    monkeypatch.setenv("NGROK_API_KEY", "from-env-key")
    route = api.get("/credentials/cr_1").respond(json=fixture("credential_get"))

    async with AsyncClient() as ngrok:
        await ngrok.credentials.get("cr_1")

    assert route.calls.last.request.headers["authorization"] == "Bearer from-env-key"


def test_default_timeout_is_finite() -> None:
    client = AsyncClient(API_KEY)

    phases = (
        client.timeout.connect,
        client.timeout.read,
        client.timeout.write,
        client.timeout.pool,
    )
    assert client.timeout == DEFAULT_TIMEOUT
    assert all(isinstance(p, float) and 0 < p <= 60 for p in phases)


@pytest.mark.parametrize("bad", [None, 0, -1, True, "5", httpx.Timeout(None)])
def test_unbounded_or_bad_timeout_is_refused(bad: object) -> None:
    with pytest.raises(InvalidParameterError, match="timeout"):
        AsyncClient(API_KEY, timeout=bad)  # type: ignore[arg-type]


def test_number_timeout_applies_to_every_phase() -> None:
    assert AsyncClient(API_KEY, timeout=3).timeout == httpx.Timeout(3.0)


@pytest.mark.parametrize("bad", [-1, 1.5, "2", None])
def test_bad_max_retries_is_refused(bad: object) -> None:
    with pytest.raises(InvalidParameterError, match="max_retries"):
        AsyncClient(API_KEY, max_retries=bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [0, -3, 2.0, True])
def test_bad_max_concurrency_is_refused(bad: object) -> None:
    with pytest.raises(InvalidParameterError, match="max_concurrency"):
        AsyncClient(API_KEY, max_concurrency=bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "url",
    ["http://api.ngrok.com", "ftp://api.ngrok.com", "http://10.0.0.1:8080", "not a url", ""],
)
def test_base_url_must_be_https_unless_loopback(url: str) -> None:
    with pytest.raises(UnsafeURLError):
        AsyncClient(API_KEY, base_url=url)


@pytest.mark.parametrize(
    "url",
    ["https://api.ngrok.com", "http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:9"],
)
def test_allowed_base_urls(url: str) -> None:
    assert AsyncClient(API_KEY, base_url=url).base_url == url.rstrip("/")


def test_reserved_headers_cannot_be_overridden() -> None:
    with pytest.raises(InvalidParameterError, match="headers"):
        AsyncClient(API_KEY, headers={"authorization": "Bearer other"})


def test_http_client_and_transport_are_exclusive() -> None:
    with pytest.raises(InvalidParameterError, match="transport"):
        AsyncClient(API_KEY, http_client=httpx.AsyncClient(), transport=httpx.MockTransport(print))


async def test_user_agent_and_extra_headers(api: respx.MockRouter) -> None:
    route = api.get("/credentials/cr_1").respond(json=fixture("credential_get"))

    async with AsyncClient(API_KEY, headers={"X-Trace": "t-1"}) as ngrok:
        await ngrok.credentials.get("cr_1")

    headers = route.calls.last.request.headers
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert headers["user-agent"].startswith(f"ngrok-async/{__version__} python/{python}")
    assert headers["x-trace"] == "t-1"
    assert headers["accept"] == "application/json"


async def test_context_manager_closes_own_pool() -> None:
    async with AsyncClient(API_KEY) as ngrok:
        assert not ngrok.is_closed

    assert ngrok.is_closed


async def test_injected_http_client_is_used_and_left_open(api: respx.MockRouter) -> None:
    route = api.get("/credentials/cr_1").respond(json=fixture("credential_get"))
    mine = httpx.AsyncClient(headers={"X-Mine": "1"})

    async with AsyncClient(API_KEY, http_client=mine) as ngrok:
        await ngrok.credentials.get("cr_1")

    assert route.calls.last.request.headers["x-mine"] == "1"
    assert not mine.is_closed
    await mine.aclose()


async def test_aclose_without_context_manager() -> None:
    ngrok = AsyncClient(API_KEY)

    await ngrok.aclose()

    assert ngrok.is_closed


async def test_transport_is_used(api: respx.MockRouter) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=fixture("credential_get"))

    async with AsyncClient(API_KEY, transport=httpx.MockTransport(handler)) as ngrok:
        cred = await ngrok.credentials.get("cr_1")

    assert cred.id == fixture("credential_get")["id"]
    assert [r.url.path for r in seen] == ["/credentials/cr_1"]


async def test_with_options_shares_the_pool_and_overrides(api: respx.MockRouter) -> None:
    async with AsyncClient(API_KEY, max_retries=3) as ngrok:
        view = ngrok.with_options(max_retries=0, timeout=2.5)
        await view.aclose()

        assert (view.max_retries, view.timeout) == (0, httpx.Timeout(2.5))
        assert (ngrok.max_retries, ngrok.timeout) == (3, DEFAULT_TIMEOUT)
        assert not ngrok.is_closed

    assert view.is_closed


async def test_per_call_timeout_reaches_the_request(api: respx.MockRouter) -> None:
    route = api.get("/credentials/cr_1").respond(json=fixture("credential_get"))
    phases = httpx.Timeout(connect=1.0, read=2.0, write=2.5, pool=4.0)

    async with AsyncClient(API_KEY) as ngrok:
        await ngrok.with_options(timeout=phases).credentials.get("cr_1")
        await ngrok.with_options(timeout=1.5).credentials.get("cr_1")

    first, second = (call.request.extensions["timeout"] for call in route.calls)
    # a phase as long as the attempt's deadline (the largest phase) is left to the deadline
    assert first == {"connect": 1.0, "read": 2.0, "write": 2.5, "pool": None}
    assert second == {"connect": None, "read": None, "write": None, "pool": None}


def test_repr_hides_the_api_key() -> None:
    ngrok = AsyncClient(API_KEY)

    assert API_KEY not in repr(ngrok)
    assert repr(ngrok) == "AsyncClient(base_url='https://api.ngrok.com', max_retries=2)"
    assert API_KEY not in repr(ngrok.credentials)


async def test_debug_log_line_has_no_secret(
    api: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    api.get("/credentials/cr_1").respond(json=fixture("credential_get"))
    caplog.set_level(logging.DEBUG, logger="ngrok_async")

    async with AsyncClient(API_KEY) as ngrok:
        await ngrok.credentials.get("cr_1")

    lines = [r.getMessage() for r in caplog.records if r.name == "ngrok_async"]
    assert len(lines) == 1
    assert lines[0].startswith("GET /credentials/cr_1 -> 200 in ")
    assert "retries=0" in lines[0]
    assert all(API_KEY not in r.getMessage() and API_KEY not in str(r.args) for r in caplog.records)


@pytest.mark.parametrize("choice", ["httpx", "aiohttp"])
def test_tls_verification_is_on_for_our_own_pool(
    choice: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NGROK_TRANSPORT", choice)
    ngrok = AsyncClient(API_KEY)

    transport = ngrok._http.client._transport  # type: ignore[attr-defined]
    context = transport._pool._ssl_context if choice == "httpx" else transport._ssl

    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname is True
