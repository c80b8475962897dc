"""The session an AsyncClient makes: httpx's own pool on asyncio and trio, every attempt through
its ``send``; ``NGROK_TRANSPORT=aiohttp``; proxies from the environment; one shared TLS context."""

from __future__ import annotations

import gc
import json
import socket
import time
import tracemalloc

import anyio
import httpx
import pytest
import respx

from ngrok_async import AsyncClient, ClientStateError, InvalidParameterError
from ngrok_async._tls import default_ssl_context

from .e2e.hostile import Hostile, Request, fixed, hostile, response

KEY = "transport-key"
CREDENTIAL = {"id": "cr_1", "uri": "", "created_at": "2025-01-01T00:00:00Z"}


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


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
@pytest.mark.parametrize("variable", [None, "httpx", " HTTPX ", "auto"])
def test_the_default_session_sends_every_attempt_through_httpx_send(
    backend: str, variable: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if variable is None:
        monkeypatch.delenv("NGROK_TRANSPORT", raising=False)
    else:
        monkeypatch.setenv("NGROK_TRANSPORT", variable)
    sent: list[str] = []
    original = httpx.AsyncClient.send

    async def counting_send(
        self: httpx.AsyncClient, request: httpx.Request, **kwargs: object
    ) -> httpx.Response:
        sent.append(f"{request.method} {request.url.path}")
        return await original(self, request, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(httpx.AsyncClient, "send", counting_send)
    answers = iter([response(503, b"{}"), response(200, json.dumps(CREDENTIAL).encode())])

    def behave(conn: socket.socket, request: Request, server: Hostile) -> None:
        conn.sendall(next(answers))

    with hostile(behave) as server:

        async def main() -> None:
            async with AsyncClient(KEY, base_url=server.url, max_retries=1) as ngrok:
                assert type(ngrok._http._wire).__name__ == "HttpxWire"
                with anyio.fail_after(10):
                    assert (await ngrok.credentials.get("cr_1")).id == "cr_1"

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("ngrok_async._http.sleep", _no_sleep)
            anyio.run(main, backend=backend)
    assert sent == ["GET /credentials/cr_1"] * 2  # each attempt once
    assert server.count("GET") == 2


async def _no_sleep(delay: float) -> None:
    return None


def test_ngrok_transport_aiohttp_picks_aiohttps_wire(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NGROK_TRANSPORT", "aiohttp")
    with hostile(fixed(200, json.dumps(CREDENTIAL).encode())) as server:

        async def main() -> None:
            async with AsyncClient(KEY, base_url=server.url) as ngrok:
                assert type(ngrok._http._wire).__name__ == "AiohttpWire"
                assert (await ngrok.credentials.get("cr_1")).id == "cr_1"

        anyio.run(main, backend="asyncio")
    assert server.count("GET") == 1


def test_aiohttp_asked_for_on_trio_is_a_client_state_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NGROK_TRANSPORT", "aiohttp")

    async def main() -> None:
        async with AsyncClient(KEY, base_url="http://127.0.0.1:9") as ngrok:
            with pytest.raises(ClientStateError, match="asyncio only"):
                await ngrok.credentials.get("cr_1")

    anyio.run(main, backend="trio")


def test_an_unknown_transport_variable_is_refused_at_construction(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NGROK_TRANSPORT", "curl")
    with pytest.raises(InvalidParameterError, match=r"NGROK_TRANSPORT.*httpx, aiohttp, auto"):
        AsyncClient(KEY)


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_with_a_proxy_in_the_environment_requests_go_through_it(
    backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NGROK_TRANSPORT", raising=False)
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "HTTPS_PROXY", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    with hostile(fixed(200, json.dumps(CREDENTIAL).encode())) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)

        async def main() -> None:
            async with AsyncClient(KEY, base_url="http://127.0.0.1:9") as ngrok:
                assert (await ngrok.credentials.get("cr_1")).id == "cr_1"

        anyio.run(main, backend=backend)
    assert [r.target for r in proxy.requests] == ["http://127.0.0.1:9/credentials/cr_1"]
    assert proxy.requests[0].headers["authorization"] == f"Bearer {KEY}"
