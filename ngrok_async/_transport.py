"""The httpx session an ``AsyncClient`` makes for itself, and the one default TLS context.

Building an ``ssl.SSLContext`` with the system's CA bundle takes ~25 ms and ~830 KiB, so the
default one is built once per process, on first use, and shared by every client and transport
that does not bring its own.
"""

from __future__ import annotations

import functools
import http.cookiejar
import ssl
import urllib.request
from collections.abc import Awaitable, Callable
from typing import Any

import httpx


@functools.cache
def default_ssl_context() -> ssl.SSLContext:
    """The process-wide TLS context (certifi's CA bundle, httpx's defaults), built once."""
    return httpx.create_ssl_context()


class _NoCookies(http.cookiejar.CookieJar):
    """A jar that keeps no cookie from responses: the API sets none, and reading
    ``Set-Cookie`` through ``http.cookiejar`` costs more than a whole request's own work."""

    def extract_cookies(self, response: Any, request: urllib.request.Request) -> None:
        return None


Send = Callable[[httpx.Request], Awaitable[httpx.Response]]


def make_session(
    transport: httpx.AsyncBaseTransport | None, max_connections: int
) -> tuple[httpx.AsyncClient, Send]:
    """The httpx client an ``AsyncClient`` owns: ``transport`` (or httpx's own over the shared
    TLS context, pooled to ``max_connections``), no redirects, no cookie jar; and how to send
    on it.

    With no proxy in the environment the session's client would only hand each request to
    its transport, so requests go to the transport's ``handle_async_request`` directly (mocks
    that patch the transport or httpcore, such as respx's default mode and pytest-httpx, see
    them; respx's ``using="httpx"`` mode patches the client instead and needs an
    ``http_client=``); with ``HTTPS_PROXY``/``ALL_PROXY`` set they go through
    ``AsyncClient.send``, which routes them.
    """
    if transport is None:
        transport = httpx.AsyncHTTPTransport(
            verify=default_ssl_context(),
            limits=httpx.Limits(
                max_connections=max_connections, max_keepalive_connections=max_connections
            ),
        )
    client = httpx.AsyncClient(transport=transport, follow_redirects=False, cookies=_NoCookies())
    if _proxies_in_environment():
        return client, client_sender(client)
    direct = transport

    async def send(request: httpx.Request) -> httpx.Response:
        return await direct.handle_async_request(request)  # looked up per call, so patches apply

    return client, send


def client_sender(client: httpx.AsyncClient) -> Send:
    """Send through ``client`` (its mounts, hooks and auth), streaming, never redirecting."""

    async def send(request: httpx.Request) -> httpx.Response:
        return await client.send(request, stream=True, follow_redirects=False)

    return send


def _proxies_in_environment() -> bool:
    proxies = urllib.request.getproxies()
    return any(proxies.get(scheme) for scheme in ("http", "https", "all"))
