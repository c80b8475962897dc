"""``AiohttpTransport``: an httpx transport that sends through aiohttp's connection pool.

An opt-in: ``AsyncClient(transport=AiohttpTransport())`` (or ``NGROK_TRANSPORT=aiohttp``) swaps
httpcore's pool (which rescans every connection on every request and response) for aiohttp's
O(1) one, for many requests in flight (benchmarks/README.md has the figures). asyncio only. The
client then sends on :mod:`._aiohttp_wire`, not through ``httpx.AsyncClient.send``; used as a
transport of a client of your own, it is an ordinary httpx transport.

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
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import Any

import httpx

from ._body import capped, read_capped
from ._errors import ClientStateError
from ._tls import default_ssl_context
from ._wire import Trace

try:
    import aiohttp
    import yarl
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError("AiohttpTransport needs aiohttp: pip install 'ngrok-async[aiohttp]'") from exc

DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)
_URL_CACHE_SIZE = 256
_READ_AT_ONCE = 64 * 1024
"""A body announced at most this long is read before the response is handed over (one step
instead of a stream); the SDK still applies its own cap to it."""

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

    def timeout_for(self, phases: Mapping[str, float | None]) -> aiohttp.ClientTimeout:
        """aiohttp's form of httpx's timeout extension (``connect``, ``read``, ``pool``)."""
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

    def url_for(self, url: httpx.URL) -> yarl.URL:
        """yarl's form of ``url``, kept per URL object (the SDK reuses them)."""
        cached = self._urls.get(id(url))
        if cached is not None and cached[0] is url:
            return cached[1]
        parsed = yarl.URL(str(url), encoded=True)
        if len(self._urls) >= _URL_CACHE_SIZE:
            self._urls.clear()
        self._urls[id(url)] = (url, parsed)
        return parsed

    async def exchange(
        self,
        method: str,
        url: yarl.URL,
        headers: Sequence[tuple[str, str]],
        body: bytes | None,
        timeout: aiohttp.ClientTimeout,
        trace: Trace | None,
        sni_hostname: str | None = None,
    ) -> AiohttpReply:
        """Send one request; return once its headers (and a small body) have arrived.

        Failures are httpx's exception classes (see :func:`map_error`); ``trace`` is called
        with :data:`SENT_EVENT` once a connection is held.
        """
        if self._closed:
            raise ClientStateError("the AiohttpTransport is closed")
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            raise ClientStateError("AiohttpTransport runs on asyncio only") from None
        session = self._session_for(loop)
        token = _TRACE.set(trace)
        try:
            response = await session.request(
                method,
                url,
                headers=headers,
                data=body or None,
                allow_redirects=False,
                timeout=timeout,
                server_hostname=sni_hostname,
            )
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:
            raise _mapped(exc) from None  # aiohttp's errors hold the request headers
        finally:
            _TRACE.reset(token)
        return await AiohttpReply.received(response)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        stream = request.stream
        body: bytes | None
        if isinstance(stream, httpx.ByteStream):  # in memory already: no read needed
            body = b"".join(stream)
        else:
            try:
                body = request.content
            except httpx.RequestNotRead:
                body = await request.aread()
        reply = await self.exchange(
            request.method,
            self.url_for(request.url),
            text_headers(request.headers.raw),
            body,
            self.timeout_for(request.extensions.get("timeout", {})),
            request.extensions.get("trace"),
            request.extensions.get("sni_hostname"),
        )
        return reply.as_httpx(request)

    async def aclose(self) -> None:
        self._closed = True
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()


class AiohttpReply:
    """An aiohttp response as the SDK's ``Reply``: a body announced at most
    ``_READ_AT_ONCE`` long is read before it is handed over (one step instead of a stream)."""

    __slots__ = ("_content", "_error", "_response")

    def __init__(
        self,
        response: aiohttp.ClientResponse,
        content: bytes | None,
        error: httpx.TransportError | None,
    ) -> None:
        self._response = response
        self._content = content
        self._error = error

    @classmethod
    async def received(cls, response: aiohttp.ClientResponse) -> AiohttpReply:
        try:
            length = response.content_length
        except ValueError:  # not a number: let the stream's own checks report it
            length = None
        if length is None or length > _READ_AT_ONCE:
            return cls(response, None, None)
        try:
            content = await response.read()
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:
            response.close()
            return cls(response, None, _mapped(exc))  # raised when the body is read
        except BaseException:
            response.close()
            raise
        response.release()
        return cls(response, content, None)

    @property
    def status_code(self) -> int:
        return self._response.status

    def header(self, name: str) -> str | None:
        return self._response.headers.get(name)

    async def read(self, limit: int, resource: str, *, truncate: bool) -> bytes:
        if self._error is not None:
            raise self._error
        encoding = self._response.headers.get("content-encoding", "")
        if self._content is not None:
            return capped(self._content, encoding, limit, resource, truncate=truncate)
        return await read_capped(
            _chunks(self._response), encoding, limit, resource, truncate=truncate
        )

    async def aclose(self) -> None:
        _give_back(self._response)

    def as_httpx(self, request: httpx.Request) -> httpx.Response:
        """The same response as httpx's (its body streamed unless already read)."""
        response = self._response
        stream: httpx.AsyncByteStream
        if self._error is not None:
            stream = _Broken(self._error)
        elif self._content is not None:
            stream = httpx.ByteStream(self._content)
        else:
            stream = _Body(response)
        extensions: dict[str, Any] = {"http_version": b"HTTP/1.1"}
        if response.reason:
            extensions["reason_phrase"] = response.reason.encode("ascii", "replace")
        return httpx.Response(
            response.status,
            headers=list(response.raw_headers),
            stream=stream,
            extensions=extensions,
            request=request,
        )


def text_headers(raw: Sequence[tuple[bytes, bytes]]) -> list[tuple[str, str]]:
    return [(k.decode("latin-1"), v.decode("latin-1")) for k, v in raw]


def _give_back(response: aiohttp.ClientResponse) -> None:
    if response.content.at_eof():
        response.release()
    else:
        response.close()  # an unread rest: the connection cannot be reused


async def _chunks(response: aiohttp.ClientResponse) -> AsyncIterator[bytes]:
    try:
        async for chunk in response.content.iter_any():
            yield chunk
    except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:
        raise _mapped(exc) from None


class _Broken(httpx.AsyncByteStream):
    """A body that broke off while being read at once: reading it raises what broke it."""

    def __init__(self, error: httpx.TransportError) -> None:
        self._error = error

    async def __aiter__(self) -> AsyncIterator[bytes]:
        raise self._error
        yield b""  # pragma: no cover - makes this an async generator


class _Body(httpx.AsyncByteStream):
    """The response body as aiohttp receives it, errors mapped onto httpx's."""

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response = response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in _chunks(self._response):
            yield chunk

    async def aclose(self) -> None:
        _give_back(self._response)


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


def _mapped(exc: BaseException) -> httpx.TransportError:
    cause = exc.cause if isinstance(exc, _Final) else exc
    return map_error(cause)(f"{type(cause).__name__}: {cause}")


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
