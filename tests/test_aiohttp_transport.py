"""``AiohttpTransport``: the SDK over aiohttp's pool, with failures mapped as httpcore's are."""

from __future__ import annotations

import contextlib
import socket
import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import httpx
import pytest

from ngrok_async import (
    AiohttpTransport,
    AmbiguousCreateError,
    AsyncClient,
    NgrokConnectionError,
    NgrokTimeoutError,
)
from ngrok_async._aiohttp import map_error
from ngrok_async.testing import FakeNgrok, Faults

KEY = "transport-key"


@contextlib.asynccontextmanager
async def served(faults: Faults | None = None) -> AsyncIterator[tuple[FakeNgrok, str]]:
    fake = FakeNgrok(api_key=KEY, faults=faults, seed=3)
    async with fake.serve() as url:
        yield fake, url


def client(url: str, **options: object) -> AsyncClient:
    return AsyncClient(KEY, base_url=url, transport=AiohttpTransport(), **options)  # type: ignore[arg-type]


async def test_the_sdk_round_trips_over_aiohttp() -> None:
    async with served() as (fake, url), client(url) as ngrok:
        cred = await ngrok.credentials.create(description="via aiohttp")
        assert (await ngrok.credentials.get(cred.id)).description == "via aiohttp"
        assert [c.id async for c in ngrok.credentials.list(limit=1)] == [cred.id]
        await ngrok.credentials.delete(cred.id)
    assert fake.stats.requests == 4


def test_it_is_an_httpx_transport() -> None:
    assert issubclass(AiohttpTransport, httpx.AsyncBaseTransport)


async def test_plain_httpx_can_use_it() -> None:
    async with served() as (_, url), httpx.AsyncClient(transport=AiohttpTransport()) as http:
        response = await http.get(
            f"{url}/credentials", headers={"Authorization": f"Bearer {KEY}", "Ngrok-Version": "2"}
        )
        assert response.status_code == 200
        assert response.json()["credentials"] == []


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.usefixtures("sleeps")
async def test_refused_connection_is_a_retried_connect_error() -> None:
    async with client(f"http://127.0.0.1:{_free_port()}", max_retries=1) as ngrok:
        with pytest.raises(NgrokConnectionError) as info:
            await ngrok.credentials.create(description="never sent")
    assert not isinstance(info.value, AmbiguousCreateError)
    assert isinstance(info.value.__cause__, httpx.ConnectError)


async def test_dropped_after_sending_makes_a_create_ambiguous() -> None:
    async with served(Faults(p_drop_after=1.0)) as (fake, url), client(url) as ngrok:
        with pytest.raises(AmbiguousCreateError):
            await ngrok.credentials.create(description="maybe")
    assert fake.stats.requests == 1


@pytest.mark.usefixtures("sleeps")
async def test_dropped_after_sending_retries_a_read_exactly_max_retries_times() -> None:
    async with served() as (fake, url), client(url, max_retries=2) as ngrok:
        cred = await ngrok.credentials.create()
        fake.faults = Faults(p_drop_after=1.0)
        with pytest.raises(NgrokConnectionError):
            await ngrok.credentials.get(cred.id)
    assert fake.stats.faults["drop"] == 3  # the first attempt and both retries, never a 4th


async def test_read_timeout_is_a_timeout() -> None:
    async with (
        served(Faults(latency=5.0)) as (_, url),
        client(url, timeout=0.3, max_retries=0) as ngrok,
    ):
        with pytest.raises(NgrokTimeoutError):
            await ngrok.credentials.get("cr_1")


@pytest.mark.parametrize(
    ("error", "mapped"),
    [
        (aiohttp.ConnectionTimeoutError(), httpx.ConnectTimeout),
        (aiohttp.SocketTimeoutError(), httpx.ReadTimeout),
        (TimeoutError(), httpx.ReadTimeout),
        (aiohttp.ServerDisconnectedError(), httpx.RemoteProtocolError),
        (aiohttp.ClientPayloadError("truncated"), httpx.RemoteProtocolError),
        (aiohttp.ClientOSError(104, "reset"), httpx.ReadError),
        (ConnectionResetError(), httpx.ReadError),
        (aiohttp.ClientError("odd"), httpx.RemoteProtocolError),
        (aiohttp.InvalidURL("x"), httpx.UnsupportedProtocol),
    ],
)
def test_error_mapping(error: Exception, mapped: type[httpx.TransportError]) -> None:
    assert map_error(error) is mapped


async def test_tls_is_verified_against_the_given_context(tls_files: tuple[Path, Path]) -> None:
    cert_path, key_path = tls_files
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert_path, key_path)
    fake = FakeNgrok(api_key=KEY)
    async with fake.serve(ssl_context=server_ctx) as url:
        async with client(url, max_retries=0) as untrusting:
            with pytest.raises(NgrokConnectionError) as info:
                await untrusting.credentials.create()
            assert isinstance(info.value.__cause__, httpx.ConnectError)
        trusted = ssl.create_default_context(cafile=str(cert_path))
        async with AsyncClient(
            KEY, base_url=url, transport=AiohttpTransport(verify=trusted)
        ) as trusting:
            assert (await trusting.credentials.create(description="tls")).description == "tls"


async def test_closing_the_client_closes_the_session_and_refuses_more() -> None:
    from ngrok_async import ClientStateError

    transport = AiohttpTransport()
    async with served() as (_, url):
        async with AsyncClient(KEY, base_url=url, transport=transport) as ngrok:
            await ngrok.credentials.create()
        with pytest.raises(ClientStateError):
            await transport.handle_async_request(httpx.Request("GET", url))
