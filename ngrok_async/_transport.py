"""The httpx session an ``AsyncClient`` makes for itself, and which transport it sends through.

With no ``transport=`` and no ``http_client=``, the client's transport is :class:`DefaultTransport`:
on asyncio it sends through :class:`~ngrok_async.AiohttpTransport` (aiohttp's O(1) connection
pool), on trio through httpx's own (httpcore). ``NGROK_TRANSPORT=httpx`` (or ``aiohttp``) in the
environment fixes the choice, e.g. for a test suite that mocks httpcore with respx. With a proxy
in the environment, the session is httpx's own, which routes through it.
"""

from __future__ import annotations

import asyncio
import http.cookiejar
import os
import sys
import urllib.request
from collections.abc import Callable
from typing import Any, Final

import httpx

from ._errors import InvalidParameterError
from ._tls import default_ssl_context
from ._wire import HttpxWire, Wire

TRANSPORT_VARIABLE: Final = "NGROK_TRANSPORT"
_CHOICES: Final = ("auto", "aiohttp", "httpx")


class _NoCookies(http.cookiejar.CookieJar):
    """A jar that keeps no cookie from responses: the API sets none, and reading
    ``Set-Cookie`` through ``http.cookiejar`` costs more than a whole request's own work."""

    def extract_cookies(self, response: Any, request: urllib.request.Request) -> None:
        return None


def transport_choice() -> str:
    """``NGROK_TRANSPORT`` (``auto`` when unset); anything else is an
    :class:`InvalidParameterError` at construction."""
    value = os.environ.get(TRANSPORT_VARIABLE, "").strip().lower() or "auto"
    if value not in _CHOICES:
        raise InvalidParameterError(
            TRANSPORT_VARIABLE, f"must be one of {', '.join(_CHOICES)}, got {value[:20]!r}"
        )
    return value


class DefaultTransport(httpx.AsyncBaseTransport):
    """The transport a client makes for itself, picked on its first request: aiohttp's pool on
    asyncio, httpx's own (httpcore) on trio or when ``choice`` is ``"httpx"``; both pooled to
    ``max_connections`` over the shared TLS context."""

    def __init__(self, max_connections: int, choice: str = "auto") -> None:
        self._limits = pool_limits(max_connections)
        self._choice = choice
        self._chosen: httpx.AsyncBaseTransport | None = None

    @property
    def chosen(self) -> httpx.AsyncBaseTransport | None:
        """The transport in use, once the first request has picked it."""
        return self._chosen

    def pick(self) -> httpx.AsyncBaseTransport:
        """The transport for this client, picked once from the running event loop."""
        if self._chosen is None:
            if self._choice == "aiohttp" or (self._choice == "auto" and _on_asyncio()):
                from ._aiohttp import AiohttpTransport

                self._chosen = AiohttpTransport(limits=self._limits)
            else:
                self._chosen = httpx.AsyncHTTPTransport(
                    verify=default_ssl_context(), limits=self._limits
                )
        return self._chosen

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.pick().handle_async_request(request)  # looked up per call: patchable

    async def aclose(self) -> None:
        if self._chosen is not None:
            await self._chosen.aclose()


def make_session(
    transport: httpx.AsyncBaseTransport | None, max_connections: int, choice: str = "auto"
) -> tuple[httpx.AsyncClient, Callable[[], Wire]]:
    """The httpx client an ``AsyncClient`` owns (no redirects, no cookie jar) and how to make
    the :class:`~._wire.Wire` its requests go through, once its first request runs in a loop:
    ``transport``, else a :class:`DefaultTransport`, else (with a proxy in the environment)
    httpx's own transports routed through it by ``AsyncClient.send``.

    Requests go to the transport directly, since the session would only hand them over (mocks
    that patch the transport or httpcore, such as respx's default mode and pytest-httpx, see
    them; respx's ``using="httpx"`` mode patches the client instead and needs an
    ``http_client=``).
    """
    if transport is None and _proxies_in_environment():
        client = httpx.AsyncClient(
            verify=default_ssl_context(),
            limits=pool_limits(max_connections),
            follow_redirects=False,
            cookies=_NoCookies(),
        )
        return client, lambda: client_wire(client, traced=True)
    direct = transport if transport is not None else DefaultTransport(max_connections, choice)
    client = httpx.AsyncClient(transport=direct, follow_redirects=False, cookies=_NoCookies())
    if isinstance(direct, DefaultTransport):
        auto = direct
        return client, lambda: wire_for(auto.pick())
    return client, lambda: wire_for(direct)


def wire_for(transport: httpx.AsyncBaseTransport) -> Wire:
    """The wire for ``transport``: aiohttp's own for an ``AiohttpTransport``, else httpx
    requests to its ``handle_async_request`` (trusted to report ``trace`` if it is httpx's)."""
    aiohttp_module = sys.modules.get("ngrok_async._aiohttp")
    if aiohttp_module is not None and isinstance(transport, aiohttp_module.AiohttpTransport):
        wire: Wire = aiohttp_module.AiohttpWire(transport)
        return wire

    async def send(request: httpx.Request) -> httpx.Response:
        return await transport.handle_async_request(request)  # looked up per call: patchable

    return HttpxWire(send, traced=isinstance(transport, httpx.AsyncHTTPTransport))


def client_wire(client: httpx.AsyncClient, *, traced: bool) -> Wire:
    """Send through ``client`` (its mounts, hooks and auth), streaming, never redirecting;
    ``traced``: its transports are httpx's own, which report the ``trace`` events."""

    async def send(request: httpx.Request) -> httpx.Response:
        return await client.send(request, stream=True, follow_redirects=False)

    return HttpxWire(send, traced=traced)


def pool_limits(max_connections: int) -> httpx.Limits:
    """A pool of ``max_connections``, every one of them kept alive between requests."""
    return httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)


def _on_asyncio() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _proxies_in_environment() -> bool:
    proxies = urllib.request.getproxies()
    return any(proxies.get(scheme) for scheme in ("http", "https", "all"))
