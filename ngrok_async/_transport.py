"""The httpx session an ``AsyncClient`` makes for itself, and the wire its requests go on.

With no ``transport=`` and no ``http_client=`` the session is httpx's own (httpcore's pool over
the shared TLS context, proxies from the environment), on asyncio and trio alike, and every
attempt goes through its public ``send``: event hooks, mounts, respx, pytest-httpx and tracing
integrations see each one. ``transport=AiohttpTransport()`` (or ``NGROK_TRANSPORT=aiohttp``)
opts into aiohttp's pool and its own wire (:mod:`._aiohttp_wire`), which skips ``send``.
"""

from __future__ import annotations

import http.cookiejar
import os
import sys
import urllib.request
from typing import Any, Final

import httpx

from ._errors import InvalidParameterError
from ._tls import default_ssl_context
from ._wire import HttpxWire, Wire

TRANSPORT_VARIABLE: Final = "NGROK_TRANSPORT"
_CHOICES: Final = ("httpx", "aiohttp", "auto")


class _NoCookies(http.cookiejar.CookieJar):
    """A jar that keeps no cookie from responses: the API sets none, and reading
    ``Set-Cookie`` through ``http.cookiejar`` costs more than a whole request's own work."""

    def extract_cookies(self, response: Any, request: urllib.request.Request) -> None:
        return None


def transport_choice() -> str:
    """``NGROK_TRANSPORT``: ``httpx`` (also when unset or ``auto``) or ``aiohttp``; anything
    else is an :class:`InvalidParameterError` at construction."""
    value = os.environ.get(TRANSPORT_VARIABLE, "").strip().lower() or "httpx"
    if value not in _CHOICES:
        raise InvalidParameterError(
            TRANSPORT_VARIABLE, f"must be one of {', '.join(_CHOICES)}, got {value[:20]!r}"
        )
    return "httpx" if value == "auto" else value


def make_session(
    transport: httpx.AsyncBaseTransport | None, max_connections: int
) -> tuple[httpx.AsyncClient, Wire]:
    """The httpx client an ``AsyncClient`` owns (no redirects, no cookie jar) and the wire its
    requests go on: ``transport`` if given (``NGROK_TRANSPORT=aiohttp`` makes an
    ``AiohttpTransport``), else httpx's own pool of ``max_connections``."""
    limits = pool_limits(max_connections)
    if transport is None and transport_choice() == "aiohttp":
        try:
            from ._aiohttp import AiohttpTransport
        except ImportError:
            raise InvalidParameterError(
                TRANSPORT_VARIABLE, "aiohttp is not installed: pip install 'ngrok-async[aiohttp]'"
            ) from None
        transport = AiohttpTransport(limits=limits)
    if transport is None:
        client = httpx.AsyncClient(
            verify=default_ssl_context(),
            limits=limits,
            follow_redirects=False,
            cookies=_NoCookies(),
        )
        return client, client_wire(client, traced=True)
    client = httpx.AsyncClient(transport=transport, follow_redirects=False, cookies=_NoCookies())
    aiohttp_wire = _aiohttp_wire_for(transport)
    if aiohttp_wire is not None:
        return client, aiohttp_wire
    return client, client_wire(client, traced=isinstance(transport, httpx.AsyncHTTPTransport))


def _aiohttp_wire_for(transport: httpx.AsyncBaseTransport) -> Wire | None:
    """aiohttp's own wire for an ``AiohttpTransport`` (without importing aiohttp otherwise)."""
    module = sys.modules.get("ngrok_async._aiohttp")
    if module is None or not isinstance(transport, module.AiohttpTransport):
        return None
    from ._aiohttp_wire import AiohttpWire

    return AiohttpWire(transport)


def client_wire(client: httpx.AsyncClient, *, traced: bool) -> Wire:
    """Send through ``client.send`` (its mounts, hooks, auth and whatever patches it),
    streaming, never redirecting; ``traced``: its transports are httpx's own, which report
    the ``trace`` events."""

    async def send(request: httpx.Request) -> httpx.Response:
        return await client.send(request, stream=True, follow_redirects=False)

    return HttpxWire(send, traced=traced)


def pool_limits(max_connections: int) -> httpx.Limits:
    """A pool of ``max_connections``, every one of them kept alive between requests."""
    return httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
