"""The default transport: aiohttp's pool on asyncio, httpcore on trio and under respx; errors
mapped so the retry rule reads them as it reads httpcore's."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import gzip
import json
import socket
import ssl
import weakref
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import anyio
import httpx
import pytest
import respx

from ngrok_async import (
    AmbiguousCreateError,
    AsyncClient,
    NgrokConnectionError,
    NgrokTimeoutError,
)
from ngrok_async import _transport as transport_module
from ngrok_async._transport import HTTPClient, Transport, _map_error
from ngrok_async.testing import FakeNgrok, Faults

from .conftest import fixture

KEY = "transport-key"


def transport_of(ngrok: AsyncClient) -> Transport:
    transport = ngrok._http.client._transport  # type: ignore[attr-defined]
    assert isinstance(transport, Transport)
    return transport


@contextlib.asynccontextmanager
async def served(faults: Faults | None = None) -> AsyncIterator[tuple[FakeNgrok, str]]:
    fake = FakeNgrok(api_key=KEY, faults=faults, seed=3)
    async with fake.serve() as url:
        yield fake, url


async def test_our_client_sends_through_aiohttp_on_asyncio() -> None:
    async with served() as (fake, url), AsyncClient(KEY, base_url=url) as ngrok:
        transport = transport_of(ngrok)
        assert transport.uses_aiohttp
        cred = await ngrok.credentials.create(description="via aiohttp")
        assert (await ngrok.credentials.get(cred.id)).description == "via aiohttp"
        assert [c.id async for c in ngrok.credentials.list(limit=1)] == [cred.id]
        session = transport._session
        assert isinstance(session, aiohttp.ClientSession)
    assert session.closed
    assert transport._session is None
    assert fake.stats.requests == 3


def test_trio_stays_on_httpcore() -> None:
    async def main() -> tuple[str, Transport]:
        async with served() as (_, url), AsyncClient(KEY, base_url=url) as ngrok:
            transport = transport_of(ngrok)
            assert not transport.uses_aiohttp
            cred = await ngrok.credentials.create(description="via httpcore")
            return (await ngrok.credentials.get(cred.id)).description, transport

    description, transport = anyio.run(main, backend="trio")

    assert description == "via httpcore"
    assert transport._session is None


async def test_use_aiohttp_false_stays_on_httpcore() -> None:
    async with served() as (_, url):
        transport = Transport(use_aiohttp=False)
        async with (
            httpx.AsyncClient(transport=transport) as http,
            AsyncClient(KEY, base_url=url, http_client=http) as ngrok,
        ):
            await ngrok.credentials.create()
            assert not transport.uses_aiohttp
            assert transport._session is None


async def test_without_aiohttp_installed_httpcore_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transport_module, "_HAS_AIOHTTP", False)
    assert not Transport().uses_aiohttp
    with pytest.raises(ImportError, match=r"ngrok-async\[aiohttp\]"):
        Transport(use_aiohttp=True)


@pytest.mark.parametrize("using", ["httpcore", "httpx"])
async def test_respx_mocks_still_see_every_request(using: str) -> None:
    async with AsyncClient(KEY, rate_limit=None) as ngrok:
        assert transport_of(ngrok).uses_aiohttp
        with respx.mock(base_url="https://api.ngrok.com", using=using) as router:
            route = router.get("/credentials/cr_1").respond(json=fixture("credential_get"))
            # respx's "httpx" mocker replaces the transport lookup, so ours is never reached.
            assert transport_of(ngrok).uses_aiohttp is (using == "httpx")
            cred = await ngrok.credentials.get("cr_1")
        assert route.call_count == 1
        assert cred.id == fixture("credential_get")["id"]
        assert transport_of(ngrok).uses_aiohttp


async def test_the_wire_is_what_httpx_built_and_set_cookie_is_ignored() -> None:
    seen: list[bytes] = []
    payload = json.dumps({"ok": True}).encode()
    body = gzip.compress(payload)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                seen.append(head + await reader.readexactly(length))
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    b"Content-Encoding: gzip\r\nSet-Cookie: session=abc; Path=/\r\n"
                    + f"Content-Length: {len(body)}\r\n\r\n".encode()
                    + body
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the client closed the connection
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server, HTTPClient() as client:
        first = await client.post(
            f"http://127.0.0.1:{port}/a%2Fb?x=1",
            json={"name": "é"},
            headers={"Authorization": "Bearer k"},
        )
        second = await client.get(f"http://127.0.0.1:{port}/again")
        assert isinstance(client._transport, Transport)
        assert client._transport._session is not None

    assert first.status_code == 200
    assert first.json() == {"ok": True}  # gzip decoded once, by httpx
    assert first.elapsed.total_seconds() >= 0
    head, _, sent = seen[0].partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    assert lines[0] == "POST /a%2Fb?x=1 HTTP/1.1"  # the escaped path is not re-quoted
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    assert headers["authorization"] == "Bearer k"
    assert headers["content-type"] == "application/json"
    assert json.loads(sent) == {"name": "é"}
    assert b"cookie" not in seen[1].lower()
    assert not client.cookies
    assert second.json() == {"ok": True}


async def test_a_read_response_is_freed_without_the_cyclic_gc() -> None:
    async with served() as (_, url), HTTPClient() as client:
        headers = {"Authorization": f"Bearer {KEY}", "Ngrok-Version": "2"}
        gc.disable()
        try:
            response = await client.get(f"{url}/credentials", headers=headers)
            assert response.status_code == 200
            ref = weakref.ref(response)
            del response
            assert ref() is None
        finally:
            gc.enable()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.usefixtures("sleeps")
async def test_refused_connection_is_a_retried_connect_error() -> None:
    url = f"http://127.0.0.1:{_free_port()}"
    async with AsyncClient(KEY, base_url=url, max_retries=1) as ngrok:
        with pytest.raises(NgrokConnectionError) as info:
            await ngrok.credentials.create(description="never sent")  # retried: no work done

    assert isinstance(info.value.__cause__, httpx.ConnectError)
    assert isinstance(info.value.__cause__.__cause__, aiohttp.ClientConnectorError)


async def test_dropped_after_sending_makes_a_create_ambiguous() -> None:
    async with (
        served(Faults(p_drop_after=1.0)) as (fake, url),
        AsyncClient(KEY, base_url=url) as ngrok,
    ):
        with pytest.raises(AmbiguousCreateError) as info:
            await ngrok.credentials.create(description="maybe")

    assert fake.stats.requests == 1
    cause = info.value.__cause__
    assert cause is not None
    assert isinstance(cause.__cause__, httpx.RemoteProtocolError)


@pytest.mark.usefixtures("sleeps")
async def test_dropped_after_sending_retries_a_read() -> None:
    async with served() as (fake, url), AsyncClient(KEY, base_url=url, max_retries=2) as ngrok:
        cred = await ngrok.credentials.create()
        fake.faults = Faults(p_drop_after=1.0)
        with pytest.raises(NgrokConnectionError):
            await ngrok.credentials.get(cred.id)

    assert fake.stats.faults["drop"] >= 3  # the first attempt and both retries


async def test_read_timeout_is_a_timeout() -> None:
    async with (
        served(Faults(latency=5.0)) as (_, url),
        AsyncClient(KEY, base_url=url, timeout=0.3, max_retries=0) as ngrok,
    ):
        with pytest.raises(NgrokTimeoutError) as info:
            await ngrok.credentials.get("cr_1")

    assert isinstance(info.value.__cause__, httpx.ReadTimeout)


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
        (ValueError("not ours"), None),
    ],
)
def test_error_mapping(error: Exception, mapped: type[httpx.TransportError] | None) -> None:
    assert _map_error(error) is mapped


@contextlib.contextmanager
def env(monkeypatch: pytest.MonkeyPatch, **values: str) -> Iterator[None]:
    with monkeypatch.context() as patch:
        for name, value in values.items():
            patch.setenv(name, value)
        yield


async def test_tls_is_verified_with_httpx_trust_settings(
    tls_files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    cert_path, key_path = tls_files
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert_path, key_path)
    fake = FakeNgrok(api_key=KEY)
    async with fake.serve(ssl_context=server_ctx) as url:
        async with AsyncClient(KEY, base_url=url, max_retries=0) as untrusting:
            assert transport_of(untrusting).uses_aiohttp
            with pytest.raises(NgrokConnectionError) as info:
                await untrusting.credentials.create()
            assert isinstance(info.value.__cause__, httpx.ConnectError)
        with env(monkeypatch, SSL_CERT_FILE=str(cert_path)):
            trusting = AsyncClient(KEY, base_url=url)
        async with trusting:
            assert transport_of(trusting).uses_aiohttp
            assert (await trusting.credentials.create(description="tls")).description == "tls"
