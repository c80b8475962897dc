"""The same ngrok calls made by each contender, behind one small async interface.

A contender's ``session(url, concurrency)`` yields an object with ``create(i) -> id``,
``get(id)``, ``update(id, text)``, ``delete(id)`` and ``count_all(limit) -> records``. Every
call checks the status and parses the JSON body; only ``ngrok_async`` also builds typed records
(that is part of what it is measured for).

The official client (``ngrok-api``) is synchronous: its session's methods are plain functions,
run in a thread pool by the scenarios for concurrency.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import ssl
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx

from .server import API_KEY, CA_ID, PUBLIC_KEY

HEADERS = {
    "Authorization": f"Bearer {API_KEY}",
    "Ngrok-Version": "2",
    "Accept": "application/json",
}
LIST_PATH = "/ssh_user_certificates"


def create_body(i: int) -> dict[str, Any]:
    return {
        "ssh_certificate_authority_id": CA_ID,
        "public_key": PUBLIC_KEY,
        "principals": ["alice"],
        "description": f"bench #{i}",
    }


def has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def _ssl_context() -> ssl.SSLContext:
    # The harness points SSL_CERT_FILE at the run's self-signed certificate for TLS scenarios.
    return httpx.create_ssl_context()


class _Failed(Exception):
    pass


def _expect(status: int, wanted: int, body: bytes | str) -> None:
    if status != wanted:
        raise _Failed(f"HTTP {status}: {str(body)[:200]}")


# -- ngrok_async ---------------------------------------------------------------------------


class SDK:
    def __init__(self, client: Any) -> None:
        self.client = client
        self.certs = client.ssh_user_certificates

    async def create(self, i: int) -> str:
        cert = await self.certs.create(
            CA_ID, PUBLIC_KEY, principals=["alice"], description=f"bench #{i}"
        )
        return str(cert.id)

    async def get(self, ident: str) -> None:
        await self.certs.get(ident)

    async def update(self, ident: str, text: str) -> None:
        await self.certs.update(ident, description=text)

    async def delete(self, ident: str) -> None:
        await self.certs.delete(ident)

    async def count_all(self, limit: int = 100) -> int:
        n = 0
        async for _ in self.certs.list(limit=limit):
            n += 1
        return n


@contextlib.asynccontextmanager
async def sdk_session(
    url: str, concurrency: int | None = None, *, transport: str = "default", **options: Any
) -> AsyncIterator[SDK]:
    """``ngrok_async.AsyncClient`` as a user makes it (limiter off unless ``rate_limit`` given):
    its default transport (httpx's own pool, every attempt through ``send``), or
    ``transport="aiohttp"`` for an explicit ``AiohttpTransport``. The shared TLS context is
    rebuilt so that it trusts the run's self-signed certificate (``SSL_CERT_FILE``) when that
    changes, as a process builds it once."""
    from ngrok_async import AsyncClient

    _trust_this_runs_certificate()
    options.setdefault("rate_limit", None)
    if transport == "aiohttp":
        from ngrok_async import AiohttpTransport

        size = concurrency or 100
        limits = httpx.Limits(max_connections=size, max_keepalive_connections=size)
        options["transport"] = AiohttpTransport(limits=limits)
    saved = os.environ.pop("NGROK_TRANSPORT", None)
    try:
        client = AsyncClient(API_KEY, base_url=url, max_concurrency=concurrency, **options)
    finally:
        os.environ.pop("NGROK_TRANSPORT", None)
        if saved is not None:
            os.environ["NGROK_TRANSPORT"] = saved
    async with client:
        yield SDK(client)


_TRUSTED: list[str | None] = []


def _trust_this_runs_certificate() -> None:
    """Rebuild the SDK's shared TLS context when ``SSL_CERT_FILE`` points elsewhere than when it
    was built (a TLS scenario's certificate), and only then: a process builds it once."""
    from ngrok_async._tls import default_ssl_context

    wanted = os.environ.get("SSL_CERT_FILE")
    if [wanted] != _TRUSTED:
        default_ssl_context.cache_clear()
        default_ssl_context()
        _TRUSTED[:] = [wanted]


# -- raw httpx -----------------------------------------------------------------------------


class RawHTTPX:
    def __init__(self, client: httpx.AsyncClient, url: str) -> None:
        self.http = client
        self.url = url

    async def create(self, i: int) -> str:
        r = await self.http.post(self.url + LIST_PATH, json=create_body(i), headers=HEADERS)
        _expect(r.status_code, 201, r.content)
        return str(json.loads(r.content)["id"])

    async def get(self, ident: str) -> None:
        r = await self.http.get(f"{self.url}{LIST_PATH}/{ident}", headers=HEADERS)
        _expect(r.status_code, 200, r.content)
        json.loads(r.content)

    async def update(self, ident: str, text: str) -> None:
        url = f"{self.url}{LIST_PATH}/{ident}"
        r = await self.http.patch(url, json={"description": text}, headers=HEADERS)
        _expect(r.status_code, 200, r.content)
        json.loads(r.content)

    async def delete(self, ident: str) -> None:
        r = await self.http.delete(f"{self.url}{LIST_PATH}/{ident}", headers=HEADERS)
        _expect(r.status_code, 204, r.content)

    async def count_all(self, limit: int = 100) -> int:
        n = 0
        url: str | None = f"{self.url}{LIST_PATH}?limit={limit}"
        while url is not None:
            r = await self.http.get(url, headers=HEADERS)
            _expect(r.status_code, 200, r.content)
            page = json.loads(r.content)
            n += len(page["ssh_user_certificates"])
            url = page["next_page_uri"]
        return n


@contextlib.asynccontextmanager
async def httpx_session(
    url: str, concurrency: int | None, *, aiohttp_transport: bool = False
) -> AsyncIterator[RawHTTPX]:
    """A plain ``httpx.AsyncClient`` with a pool of ``concurrency`` connections, or the same
    client on ``httpx_aiohttp.AiohttpTransport``."""
    size = concurrency or 100
    limits = httpx.Limits(max_connections=size, max_keepalive_connections=size)
    transport: httpx.AsyncBaseTransport | None = None
    if aiohttp_transport:
        from httpx_aiohttp import AiohttpTransport

        transport = AiohttpTransport(limits=limits, verify=_ssl_context())
    timeout = httpx.Timeout(60.0)  # httpx's 5 s pool timeout expires under its own pool scans
    async with httpx.AsyncClient(limits=limits, transport=transport, timeout=timeout) as client:
        yield RawHTTPX(client, url)


# -- raw aiohttp ---------------------------------------------------------------------------


class RawAiohttp:
    def __init__(self, session: Any, url: str) -> None:
        self.http = session
        self.url = url

    async def create(self, i: int) -> str:
        body = json.dumps(create_body(i)).encode()
        headers = {**HEADERS, "Content-Type": "application/json"}
        async with self.http.post(self.url + LIST_PATH, data=body, headers=headers) as r:
            raw = await r.read()
            _expect(r.status, 201, raw)
        return str(json.loads(raw)["id"])

    async def get(self, ident: str) -> None:
        async with self.http.get(f"{self.url}{LIST_PATH}/{ident}", headers=HEADERS) as r:
            raw = await r.read()
            _expect(r.status, 200, raw)
        json.loads(raw)

    async def update(self, ident: str, text: str) -> None:
        body = json.dumps({"description": text}).encode()
        headers = {**HEADERS, "Content-Type": "application/json"}
        async with self.http.patch(
            f"{self.url}{LIST_PATH}/{ident}", data=body, headers=headers
        ) as r:
            raw = await r.read()
            _expect(r.status, 200, raw)
        json.loads(raw)

    async def delete(self, ident: str) -> None:
        async with self.http.delete(f"{self.url}{LIST_PATH}/{ident}", headers=HEADERS) as r:
            raw = await r.read()
            _expect(r.status, 204, raw)

    async def count_all(self, limit: int = 100) -> int:
        n = 0
        url: str | None = f"{self.url}{LIST_PATH}?limit={limit}"
        while url is not None:
            async with self.http.get(url, headers=HEADERS) as r:
                raw = await r.read()
                _expect(r.status, 200, raw)
            page = json.loads(raw)
            n += len(page["ssh_user_certificates"])
            url = page["next_page_uri"]
        return n


@contextlib.asynccontextmanager
async def aiohttp_session(url: str, concurrency: int | None) -> AsyncIterator[RawAiohttp]:
    import aiohttp

    connector = aiohttp.TCPConnector(limit=concurrency or 100, ssl=_ssl_context())
    async with aiohttp.ClientSession(connector=connector) as session:
        yield RawAiohttp(session, url)


# -- a prototype, not a contender ---------------------------------------------------------


class Prototype:
    """What ngrok_async would cost if its request path skipped httpx's Request and Response
    objects: the SDK's own validation, limiter and decoder around raw aiohttp. Built from SDK
    internals, so it is left out (``available``) when they change shape."""

    def __init__(self, session: Any, url: str, concurrency: int | None) -> None:
        from ngrok_async import SSHUserCertificate
        from ngrok_async import _validate as check
        from ngrok_async._convert import loads, structurer
        from ngrok_async._limits import Limiter

        self.http = session
        self.url = url
        self.check = check
        self.loads = loads
        self.decode = structurer(SSHUserCertificate)
        self.limiter = Limiter(None, concurrency)
        self.headers = {**HEADERS, "Content-Type": "application/json"}

    async def _send(self, method: str, url: str, body: Any, wanted: int) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        async with (
            self.limiter.slot(),
            self.http.request(method, url, data=data, headers=self.headers) as r,
        ):
            raw = await r.read()
            _expect(r.status, wanted, raw)
        return self.loads(raw) if raw else None

    async def create(self, i: int) -> str:
        check = self.check
        body = {
            "ssh_certificate_authority_id": check.path_segment("id", CA_ID),
            "public_key": check.public_key("public_key", PUBLIC_KEY),
            "principals": check.string_list("principals", ["alice"]),
            "description": check.string("description", f"bench #{i}"),
        }
        data = await self._send("POST", self.url + LIST_PATH, body, 201)
        return str(self.decode(data).id)

    async def get(self, ident: str) -> None:
        url = f"{self.url}{LIST_PATH}/{self.check.path_segment('id', ident)}"
        self.decode(await self._send("GET", url, None, 200))


@contextlib.asynccontextmanager
async def prototype_session(url: str, concurrency: int | None) -> AsyncIterator[Prototype]:
    import aiohttp

    connector = aiohttp.TCPConnector(limit=concurrency or 100, ssl=_ssl_context())
    async with aiohttp.ClientSession(connector=connector) as session:
        yield Prototype(session, url, concurrency)


def _prototype_works() -> bool:
    try:
        import asyncio

        async def probe() -> None:
            async with prototype_session("http://127.0.0.1:9", 1) as proto:
                proto.check.public_key("public_key", PUBLIC_KEY)

        asyncio.run(probe())
    except Exception:
        return False
    return True


# -- the official sync client --------------------------------------------------------------


class Official:
    """``ngrok.Client`` used as its README shows; every call opens a new connection."""

    def __init__(self, url: str) -> None:
        import ngrok

        self.client = ngrok.Client(API_KEY, base_url=url)

    def create(self, i: int) -> str:
        # Its datetime defaults (datetime.min) are not JSON-serialisable by requests, so the
        # certificate's validity window has to be passed as RFC 3339 strings.
        cert = self.client.ssh_user_certificates.create(
            ssh_certificate_authority_id=CA_ID,
            public_key=PUBLIC_KEY,
            principals=["alice"],
            description=f"bench #{i}",
            valid_after="2025-01-21T18:19:52Z",  # type: ignore[arg-type]
            valid_until="2025-04-21T18:19:52Z",  # type: ignore[arg-type]
        )
        return str(cert.id)

    def get(self, ident: str) -> None:
        self.client.ssh_user_certificates.get(ident)

    def update(self, ident: str, text: str) -> None:
        self.client.ssh_user_certificates.update(ident, description=text)

    def delete(self, ident: str) -> None:
        self.client.ssh_user_certificates.delete(ident)

    def count_all(self, limit: int = 100) -> int:
        return sum(1 for _ in self.client.ssh_user_certificates.list(limit=str(limit)))


@contextlib.contextmanager
def official_session(url: str) -> Iterator[Official]:
    yield Official(url)


PROTOTYPE = "prototype: SDK layers on raw aiohttp"
ASYNC_SESSIONS = {
    "ngrok_async": lambda url, c, **kw: sdk_session(url, c, **kw),
    "ngrok_async[aiohttp]": lambda url, c, **kw: sdk_session(url, c, transport="aiohttp", **kw),
    "httpx": lambda url, c, **kw: httpx_session(url, c),
    "httpx+aiohttp": lambda url, c, **kw: httpx_session(url, c, aiohttp_transport=True),
    "aiohttp": lambda url, c, **kw: aiohttp_session(url, c),
    PROTOTYPE: lambda url, c, **kw: prototype_session(url, c),
}
REQUIRES = {
    "ngrok_async[aiohttp]": "aiohttp",
    "httpx+aiohttp": "httpx_aiohttp",
    "aiohttp": "aiohttp",
    "ngrok-api": "ngrok",
    PROTOTYPE: "aiohttp",
}


def available(names: list[str]) -> list[str]:
    """``names`` less those whose package is not installed (or prototype that no longer
    fits the SDK's internals)."""
    out = [name for name in names if name not in REQUIRES or has(REQUIRES[name])]
    if PROTOTYPE in out and not _prototype_works():
        out.remove(PROTOTYPE)
    return out
