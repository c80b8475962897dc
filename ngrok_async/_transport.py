"""Our httpx client's default transport: aiohttp's connection pool on asyncio, when installed.

httpcore's pool rescans every connection on every request and response (an O(connections²)
pass that also polls each idle socket), so plain httpx spends ~7 ms of CPU per request at 64
concurrent requests on the 2-core benchmark machine; aiohttp's pool is O(1). On asyncio, with
``aiohttp`` installed (``pip install 'ngrok-async[aiohttp]'``), :class:`Transport` sends through
an ``aiohttp.ClientSession`` instead; it falls back to httpcore (it *is* an
``httpx.AsyncHTTPTransport``) on trio, without aiohttp, and whenever httpcore's pool has been
patched by a mocking library such as respx, so such mocks keep seeing every request. See
benchmarks/README.md for the figures.

It keeps httpx's contract: the same TLS context and limits for both paths, httpx timeouts
(``connect`` → socket connect, ``pool`` + ``connect`` → getting a connection, ``read`` → between
received bytes; aiohttp has no write timeout), no redirects, no aiohttp cookie jar or proxy
(httpx handles cookies, and env proxies are mounted by httpx before this transport), and
aiohttp's errors mapped onto httpx's so the retry rule reads them the same: connection
never made → ``ConnectError`` / ``ConnectTimeout``; broken after sending → ``ReadError`` /
``RemoteProtocolError`` / ``ReadTimeout``.
"""

from __future__ import annotations

import asyncio
import importlib.util
import ssl
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, TypeAlias

import httpcore
import httpx

if TYPE_CHECKING:
    import aiohttp

CertTypes: TypeAlias = "str | tuple[str, str] | tuple[str, str, str]"
DEFAULT_LIMITS: Final = httpx.Limits(max_connections=100, max_keepalive_connections=20)
"""httpx's own default, for the signature of ``_init_transport``."""

_ORIGINAL_POOL_SEND = httpcore.AsyncConnectionPool.handle_async_request
_HAS_AIOHTTP = importlib.util.find_spec("aiohttp") is not None


class Transport(httpx.AsyncHTTPTransport):
    """httpx's default transport, sending through aiohttp when running on asyncio.

    Takes ``httpx.AsyncHTTPTransport``'s arguments; both paths share one TLS context and the
    limits. ``use_aiohttp``: ``None`` (default) picks aiohttp when it is importable and HTTP/2
    is off; ``False`` never uses it.
    """

    def __init__(
        self,
        *,
        verify: ssl.SSLContext | str | bool = True,
        cert: CertTypes | None = None,
        trust_env: bool = True,
        http1: bool = True,
        http2: bool = False,
        limits: httpx.Limits = DEFAULT_LIMITS,
        use_aiohttp: bool | None = None,
    ) -> None:
        context = httpx.create_ssl_context(verify=verify, cert=cert, trust_env=trust_env)
        super().__init__(
            verify=context, trust_env=trust_env, http1=http1, http2=http2, limits=limits
        )
        wanted = _HAS_AIOHTTP and not http2 if use_aiohttp is None else use_aiohttp
        if wanted and not _HAS_AIOHTTP:
            raise ImportError("aiohttp is not installed: pip install 'ngrok-async[aiohttp]'")
        self._use_aiohttp = wanted
        self._ssl_context = context
        self._limits = limits
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timeouts: dict[tuple[float | None, float | None, float | None], Any] = {}

    @property
    def uses_aiohttp(self) -> bool:
        """Whether a request sent now from this thread would go through aiohttp."""
        return self._pick_aiohttp()

    def _pick_aiohttp(self) -> bool:
        if not self._use_aiohttp:
            return False
        if httpcore.AsyncConnectionPool.handle_async_request is not _ORIGINAL_POOL_SEND:
            return False  # respx (or another mock) patched httpcore: let it see the request
        try:
            asyncio.get_running_loop()
        except RuntimeError:  # trio, or no event loop: httpcore's anyio backend
            return False
        return True

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not self._pick_aiohttp():
            return await super().handle_async_request(request)
        return await self._send_aiohttp(request)

    def _get_session(self) -> aiohttp.ClientSession:
        # Made in the running loop on first use. Like any httpx client, one transport belongs
        # to one event loop; if it is used from another, it starts a new session there.
        loop = asyncio.get_running_loop()
        if self._session is None or self._loop is not loop:
            import aiohttp

            connector = aiohttp.TCPConnector(
                limit=self._limits.max_connections or 0,
                keepalive_timeout=self._limits.keepalive_expiry,
                ssl=self._ssl_context,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                cookie_jar=aiohttp.DummyCookieJar(),
                timeout=aiohttp.ClientTimeout(total=None),
                auto_decompress=False,  # httpx decodes Content-Encoding itself
                trust_env=False,
            )
            self._loop = loop
        return self._session

    def _timeout(self, request: httpx.Request) -> Any:
        phases = request.extensions.get("timeout", {})
        connect, read, pool = phases.get("connect"), phases.get("read"), phases.get("pool")
        key = (connect, read, pool)
        timeout = self._timeouts.get(key)
        if timeout is None:
            import aiohttp

            getting = None if connect is None or pool is None else connect + pool
            timeout = aiohttp.ClientTimeout(
                total=None, connect=getting, sock_connect=connect, sock_read=read
            )
            self._timeouts[key] = timeout
        return timeout

    async def _send_aiohttp(self, request: httpx.Request) -> httpx.Response:
        import yarl

        session = self._get_session()
        try:
            body: bytes | None = request.content
        except httpx.RequestNotRead:
            body = await request.aread()
        try:
            async with session.request(
                request.method,
                yarl.URL(str(request.url), encoded=True),
                headers=request.headers.multi_items(),
                data=body or None,
                allow_redirects=False,
                timeout=self._timeout(request),
                server_hostname=request.extensions.get("sni_hostname"),
            ) as response:
                content = await response.read()
                status, headers, reason = response.status, response.raw_headers, response.reason
        except Exception as exc:  # not CancelledError: that is a BaseException
            mapped = _map_error(exc)
            if mapped is None:
                raise
            raise mapped(f"{type(exc).__name__}: {exc}", request=request) from exc
        extensions: dict[str, Any] = {"http_version": b"HTTP/1.1"}
        if reason:
            extensions["reason_phrase"] = reason.encode("ascii", "replace")
        return httpx.Response(
            status,
            headers=list(headers),
            stream=httpx.ByteStream(content),
            extensions=extensions,
        )

    async def _close_session(self) -> None:
        session, self._session = self._session, None
        if session is not None and not session.closed:
            await session.close()

    async def aclose(self) -> None:
        try:
            await self._close_session()
        finally:
            await super().aclose()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        # ``async with httpx.AsyncClient(...)`` exits its transport with this, not aclose().
        try:
            await self._close_session()
        finally:
            await super().__aexit__(exc_type, exc_value, traceback)


def _map_error(exc: Exception) -> type[httpx.TransportError] | None:
    """The httpx error for an aiohttp (or socket) failure; ``None`` to re-raise it as is."""
    import aiohttp

    if isinstance(exc, aiohttp.InvalidURL):
        return httpx.UnsupportedProtocol
    if isinstance(exc, aiohttp.ConnectionTimeoutError):  # no connection was made
        return httpx.ConnectTimeout
    if isinstance(exc, (aiohttp.ServerTimeoutError, TimeoutError)):
        return httpx.ReadTimeout
    if isinstance(exc, aiohttp.ClientConnectorError):  # refused, DNS, TLS handshake
        return httpx.ConnectError
    if isinstance(exc, (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError)):
        return httpx.RemoteProtocolError
    if isinstance(exc, (aiohttp.ClientConnectionError, OSError)):  # broken mid-exchange
        return httpx.ReadError
    if isinstance(exc, aiohttp.ClientError):  # e.g. a malformed response
        return httpx.RemoteProtocolError
    return None


_READ = httpx.ByteStream(b"")


class _SentOnlyCookies(httpx.Cookies):
    """Cookies set on the client are sent; responses never add any."""

    def extract_cookies(self, response: httpx.Response) -> None:
        return None


class HTTPClient(httpx.AsyncClient):
    """``httpx.AsyncClient`` whose default transport is :class:`Transport`, and whose cookie jar
    does not read ``Set-Cookie`` from responses.

    The transport hook is the one ``httpx_aiohttp.HttpxAiohttpClient`` uses too: an explicit
    ``transport=`` is used as given, and httpx still mounts its own proxy transports for
    ``HTTP(S)_PROXY`` / ``ALL_PROXY`` from the environment. The ngrok API authenticates with a
    bearer key and sets no cookies, while ``http.cookiejar`` costs ~60 µs of CPU per response.
    """

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.cookies = self.cookies  # httpx set its jar directly; wrap it (see the setter)

    async def send(
        self, request: httpx.Request, *, stream: bool = False, **options: Any
    ) -> httpx.Response:
        response = await super().send(request, stream=stream, **options)
        if not stream:
            # httpx leaves a read response and its stream wrapper referring to each other; the
            # cycle kept every page body alive until the next cyclic GC (peak memory grew from
            # ~2.3 MB to ~6 MB over 100,000 listed records). The body is read: drop the wrapper.
            response.stream = _READ
        return response

    @property
    def cookies(self) -> httpx.Cookies:
        return self._cookies

    @cookies.setter
    def cookies(self, cookies: Any) -> None:
        self._cookies = _SentOnlyCookies(cookies)

    def _init_transport(
        self,
        verify: ssl.SSLContext | str | bool = True,
        cert: CertTypes | None = None,
        trust_env: bool = True,
        http1: bool = True,
        http2: bool = False,
        limits: httpx.Limits = DEFAULT_LIMITS,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> httpx.AsyncBaseTransport:
        if transport is not None:
            return transport
        return Transport(
            verify=verify, cert=cert, trust_env=trust_env, http1=http1, http2=http2, limits=limits
        )
