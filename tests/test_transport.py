"""The session an AsyncClient makes: httpx's own transport over one shared TLS context."""

from __future__ import annotations

import gc
import time
import tracemalloc

import httpx
import pytest
import respx

from ngrok_async import AsyncClient
from ngrok_async._transport import default_ssl_context

KEY = "transport-key"


def test_the_default_tls_context_is_built_once() -> None:
    assert default_ssl_context() is default_ssl_context()


def test_a_thousand_clients_are_cheap() -> None:
    default_ssl_context()
    gc.collect()
    tracemalloc.start()
    started = time.perf_counter()
    clients = [AsyncClient(f"{KEY}{i}") for i in range(1000)]
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(clients) == 1000
    assert elapsed < 4.0  # the benchmark measures ≤ 2 s without tracemalloc's overhead
    assert peak < 100 * 1024 * 1024


async def test_respx_sees_every_request_of_the_default_client() -> None:
    with respx.mock(base_url="https://api.ngrok.com") as router:
        route = router.get("/credentials/cr_1").respond(
            200, json={"id": "cr_1", "uri": "", "created_at": "2025-01-01T00:00:00Z"}
        )
        async with AsyncClient(KEY) as ngrok:
            assert (await ngrok.credentials.get("cr_1")).id == "cr_1"
        assert route.call_count == 1


async def test_respx_in_httpx_mode_sees_an_injected_client() -> None:
    with respx.mock(base_url="https://api.ngrok.com", using="httpx") as router:
        route = router.get("/credentials/cr_1").respond(
            200, json={"id": "cr_1", "uri": "", "created_at": "2025-01-01T00:00:00Z"}
        )
        async with httpx.AsyncClient() as http, AsyncClient(KEY, http_client=http) as ngrok:
            assert (await ngrok.credentials.get("cr_1")).id == "cr_1"
        assert route.call_count == 1


async def test_with_a_proxy_in_the_environment_requests_go_through_the_client(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200, json={"id": "cr_1", "uri": "", "created_at": "2025-01-01T00:00:00Z"}
        )

    async with AsyncClient(KEY, transport=httpx.MockTransport(handler)) as ngrok:
        assert (await ngrok.credentials.get("cr_1")).id == "cr_1"
    assert seen[0].headers["authorization"] == f"Bearer {KEY}"
