"""``AiohttpTransport``: an httpx transport that sends through aiohttp's connection pool.

``AsyncClient(transport=AiohttpTransport())`` keeps httpx as the one HTTP layer every part of
the SDK sees, and swaps httpcore's pool (which rescans every connection on every request and
response) for aiohttp's O(1) one; benchmarks/README.md has the figures. asyncio only.

The contract is httpx's: httpx timeouts (``connect`` → opening a socket, ``pool`` + ``connect``
→ getting a connection, ``read`` → between received bytes), no redirects, no cookies, no
proxies from the environment, the body streamed as received (not decompressed: the SDK decodes
``Content-Encoding`` under its size cap), and aiohttp's failures mapped onto httpx's exceptions
so the SDK's retry rule reads them as it reads httpcore's: connection never made →
``ConnectError`` / ``ConnectTimeout``; broken after sending → ``ReadError`` /
``RemoteProtocolError`` / ``ReadTimeout``.

aiohttp re-sends an idempotent request by itself when a pooled connection drops (RFC 9112's
retry). A middleware (aiohttp's public client-middleware hook) turns that first failure into a
final one, so every request on the wire is one the SDK's limiter and ``max_retries`` counted.
"""

from __future__ import annotations

import asyncio
import contextvars
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx

from ._errors import ClientStateError
from ._tls import default_ssl_context

try:
    import aiohttp
    import yarl
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError("AiohttpTransport needs aiohttp: pip install 'ngrok-async[aiohttp]'") from exc

_AIOHTTP_SETS = frozenset({b"host", b"content-length", b"transfer-encoding"})
DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)
_URL_CACHE_SIZE = 256
_READ_AT_ONCE = 64 * 1024
"""A body announced at most this long is read before the response is handed over (one step
instead of a stream); the SDK still applies its own cap to it."""
Trace = Callable[[str, dict[str, Any]], Awaitable[None]]

_TRACE: contextvars.ContextVar[Trace | None] = contextvars.ContextVar(
    "ngrok_async_aiohttp_trace", default=None
)
SENT_EVENT = "http11.send_request_headers.started"
"""The httpcore trace event this transport reports once it holds a connection: from then on
the request may reach the server."""


class AiohttpTransport(httpx.AsyncBaseTransport):
    """An httpx transport over an ``aiohttp.ClientSession`` (the ``aiohttp`` extra).

    Args:
        verify: an ``ssl.SSLContext``, ``True`` for the process-wide default context, or
            ``False`` to skip certificate checks (never against the real API).
        limits: ``max_connections`` (``None`` for no cap) and ``keepalive_expiry`` apply.

    One transport belongs to one event loop, like any httpx client; it is closed with the
    client that uses it (``async with AsyncClient(transport=AiohttpTransport()) as ngrok:``).
    """

    def __init__(
        self,
        *,
        verify: ssl.SSLContext | bool = True,
        limits: httpx.Limits = DEFAULT_LIMITS,
    ) -> None:
        if isinstance(verify, ssl.SSLContext):
            self._ssl: ssl.SSLContext | bool = verify
        else:
            self._ssl = default_ssl_context() if verify else False
        self._limits = limits
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timeouts: dict[tuple[Any, Any, Any], aiohttp.ClientTimeout] = {}
        self._urls: dict[int, tuple[httpx.URL, yarl.URL]] = {}
        self._closed = False

    def _session_for(self, loop: asyncio.AbstractEventLoop) -> aiohttp.ClientSession:
        if self._session is not None and self._loop is loop:
            return self._session
        if self._session is not None:
            raise ClientStateError(
                "this AiohttpTransport was first used in another event loop; "
                "create one client per event loop"
            )
        connector = _Connector(
            limit=self._limits.max_connections or 0,
            keepalive_timeout=self._limits.keepalive_expiry or 15.0,
            ssl=self._ssl,
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),
            timeout=aiohttp.ClientTimeout(total=None),
            auto_decompress=False,
            trust_env=False,
            middlewares=(_no_resend,),
        )
        self._loop = loop
        return self._session

    def _timeout(self, request: httpx.Request) -> aiohttp.ClientTimeout:
        phases = request.extensions.get("timeout", {})
        key = (phases.get("connect"), phases.get("read"), phases.get("pool"))
        timeout = self._timeouts.get(key)
        if timeout is None:
            connect, read, pool = key
            getting = None if connect is None or pool is None else connect + pool
            timeout = aiohttp.ClientTimeout(
                total=None, connect=getting, sock_connect=connect, sock_read=read
            )
            self._timeouts[key] = timeout
        return timeout

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._closed:
            raise ClientStateError("the AiohttpTransport is closed")
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            raise ClientStateError("AiohttpTransport runs on asyncio only") from None
        session = self._session_for(loop)
        stream = request.stream
        body: bytes | None
        if isinstance(stream, httpx.ByteStream):  # in memory already: no read needed
            body = b"".join(stream)
        else:
            try:
                body = request.content
            except httpx.RequestNotRead:
                body = await request.aread()
        token = _TRACE.set(request.extensions.get("trace"))
        try:
            response = await session.request(
                request.method,
                self._url(request.url),
                headers=[
                    (k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw
                ],
                data=body or None,
                allow_redirects=False,
                timeout=self._timeout(request),
                server_hostname=request.extensions.get("sni_hostname"),
            )
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:
            raise _mapped(exc, request) from exc
        finally:
            _TRACE.reset(token)
        extensions: dict[str, Any] = {"http_version": b"HTTP/1.1"}
        if response.reason:
            extensions["reason_phrase"] = response.reason.encode("ascii", "replace")
        return httpx.Response(
            response.status,
            headers=list(response.raw_headers),
            stream=await _stream(response, request),
            extensions=extensions,
            request=request,
        )

    def _url(self, url: httpx.URL) -> yarl.URL:
        """yarl's form of ``url``, kept per URL object (the SDK reuses them)."""
        cached = self._urls.get(id(url))
        if cached is not None and cached[0] is url:
            return cached[1]
        parsed = yarl.URL(str(url), encoded=True)
        if len(self._urls) >= _URL_CACHE_SIZE:
            self._urls.clear()
        self._urls[id(url)] = (url, parsed)
        return parsed

    async def aclose(self) -> None:
        self._closed = True
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()


async def _stream(
    response: aiohttp.ClientResponse, request: httpx.Request
) -> httpx.AsyncByteStream:
    """The body: read at once when it is announced small, else streamed as it arrives."""
    try:
        length = response.content_length
    except ValueError:  # not a number: let the stream's own checks report it
        length = None
    if length is None or length > _READ_AT_ONCE:
        return _Body(response, request)
    try:
        content = await response.read()
    except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:
        response.close()
        return _Broken(_mapped(exc, request))
    except BaseException:
        response.close()
        raise
    response.release()
    return httpx.ByteStream(content)


class _Broken(httpx.AsyncByteStream):
    """A body that broke off while being read at once: reading it raises what broke it."""

    def __init__(self, error: httpx.TransportError) -> None:
        self._error = error

    async def __aiter__(self) -> AsyncIterator[bytes]:
        raise self._error
        yield b""  # pragma: no cover - makes this an async generator


class _Body(httpx.AsyncByteStream):
    """The response body as aiohttp receives it, errors mapped onto httpx's."""

    def __init__(self, response: aiohttp.ClientResponse, request: httpx.Request) -> None:
        self._response = response
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.content.iter_any():
                yield chunk
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:
            raise _mapped(exc, self._request) from exc

    async def aclose(self) -> None:
        if self._response.content.at_eof():
            self._response.release()
        else:
            self._response.close()  # an unread rest: the connection cannot be reused


class _Final(aiohttp.ClientError):
    """A connection failure that aiohttp must not answer by sending the request again."""

    def __init__(self, cause: Exception) -> None:
        super().__init__(str(cause))
        self.cause = cause


async def _no_resend(
    request: aiohttp.ClientRequest,
    handler: Callable[[aiohttp.ClientRequest], Awaitable[aiohttp.ClientResponse]],
) -> aiohttp.ClientResponse:
    try:
        return await handler(request)
    except (aiohttp.ClientOSError, aiohttp.ServerDisconnectedError) as exc:
        raise _Final(exc) from exc


class _Connector(aiohttp.TCPConnector):
    """Reports through the request's httpx ``trace`` extension once it holds a connection."""

    async def connect(self, *args: Any, **kwargs: Any) -> aiohttp.connector.Connection:
        connection = await super().connect(*args, **kwargs)
        trace = _TRACE.get()
        if trace is not None:
            await trace(SENT_EVENT, {})
        return connection


def _mapped(exc: BaseException, request: httpx.Request) -> httpx.TransportError:
    cause = exc.cause if isinstance(exc, _Final) else exc
    return map_error(cause)(f"{type(cause).__name__}: {cause}", request=request)


def map_error(exc: BaseException) -> type[httpx.TransportError]:
    """The httpx error for an aiohttp (or socket) failure, by whether it could have been sent."""
    if isinstance(exc, aiohttp.InvalidURL):
        return httpx.UnsupportedProtocol
    if isinstance(exc, aiohttp.ConnectionTimeoutError):  # no connection was made
        return httpx.ConnectTimeout
    if isinstance(exc, (aiohttp.ServerTimeoutError, asyncio.TimeoutError)):
        return httpx.ReadTimeout
    if isinstance(exc, aiohttp.ClientConnectorError):  # refused, DNS, TLS handshake
        return httpx.ConnectError
    if isinstance(exc, (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError)):
        return httpx.RemoteProtocolError
    if isinstance(exc, (aiohttp.ClientConnectionError, OSError)):  # broken mid-exchange
        return httpx.ReadError
    return httpx.RemoteProtocolError  # e.g. a malformed response
