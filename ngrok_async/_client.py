"""AsyncClient: configuration, lifecycle and the service attributes."""

from __future__ import annotations

import math
import os
import platform
from collections.abc import Mapping
from functools import cached_property
from types import TracebackType
from typing import TYPE_CHECKING, Final

import httpx

from ._body import ACCEPT_ENCODING, DEFAULT_MAX_RESPONSE_BYTES
from ._errors import InvalidParameterError
from ._http import HTTPCore
from ._limits import Limiter, OpenableLimiter, RequestLimiter
from ._logging import configure_from_env
from ._transport import client_wire, make_session
from ._types import DEFAULT_RATE_LIMIT, NOT_GIVEN, NotGivenOr, RateLimit
from ._urls import check_base_url
from ._validate import header_map, query_map
from ._version import __version__
from .resources._generated import GeneratedServices

if TYPE_CHECKING:  # the seed services load on first use, like the generated ones
    from .resources.credentials import CredentialsService
    from .resources.ssh import (
        SSHCertificateAuthoritiesService,
        SSHCredentialsService,
        SSHUserCertificatesService,
    )

DEFAULT_BASE_URL: Final = "https://api.ngrok.com"
DEFAULT_TIMEOUT: Final = httpx.Timeout(60.0, connect=10.0)
"""10 s to connect; each attempt as a whole (connect, send, headers, body) ends within 60 s."""
DEFAULT_MAX_RETRIES: Final = 2
DEFAULT_MAX_CONCURRENCY: Final = 8
DEFAULT_POOL_SIZE: Final = 100
USER_AGENT: Final = f"ngrok-async/{__version__} python/{platform.python_version()}"


class AsyncClient(GeneratedServices):
    """An async client for the ngrok API, holding one pooled HTTP connection set.

    Use it as ``async with AsyncClient() as ngrok:`` or call :meth:`aclose` when done. One client
    is meant to be shared by every task of a process: its rate limiter and concurrency cap hold
    for all of them.

    Args:
        api_key: an ngrok API key; defaults to the ``NGROK_API_KEY`` environment variable.
        base_url: the API origin; https, or http on a loopback address for local fakes.
            Defaults to the ``NGROK_BASE_URL`` environment variable, else ``DEFAULT_BASE_URL``.
        timeout: a number of seconds bounds each attempt as a whole (connect, send, response
            headers and body) and each of its phases; an ``httpx.Timeout`` sets the phases,
            and each attempt then ends within its largest phase. Default ``DEFAULT_TIMEOUT``:
            every attempt ends within 60 s. Never unlimited.
        max_retries: retries after a retryable failure (429, 502-504, connect errors, …).
        rate_limit: client-side rolling window; ``None`` turns it off.
        max_concurrency: requests in flight at once on this client. ``None`` lifts the SDK's
            cap up to the size of the connection pool we create (``DEFAULT_POOL_SIZE``), or
            removes it for an injected ``http_client``.
        http_client: an ``httpx.AsyncClient`` to send with, used as given and never closed by us
            (its TLS, proxy and pool settings apply).
        transport: an httpx transport for the client we create, e.g. a ``FakeNgrok``, or
            ``AiohttpTransport()`` for many requests in flight on asyncio (it skips
            ``httpx.AsyncClient.send``, so respx and pytest-httpx do not see its requests).
            Default: httpx's own pool, on asyncio and trio, every attempt sent through the
            session's ``send``; ``NGROK_TRANSPORT=aiohttp`` picks ``AiohttpTransport``.
        headers: extra headers sent with every request (not ``Authorization`` or
            ``Ngrok-Version``, which the SDK sets).
        max_response_bytes: the most a response body may be, received or decoded; past it
            the request fails with ``ResponseTooLargeError``.
        limiter: a :class:`~ngrok_async.RequestLimiter` to use instead of the in-process one
            built from ``rate_limit`` and ``max_concurrency`` (which must then keep their
            defaults), e.g. ``ngrok_async.redis.RedisLimiter`` to share one account's limits
            between processes. The connection pool is still sized by ``max_concurrency``. One
            that must be entered (:class:`~ngrok_async.OpenableLimiter`) and is handed over
            un-entered is entered by ``async with AsyncClient(...)`` and exited on close;
            without ``async with``, calls on it raise ``ClientStateError``.

    ``NGROK_LOG=debug`` (or ``info``) in the environment logs the ``ngrok_async`` logger to
    stderr, with the API key redacted.
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        rate_limit: RateLimit | None = DEFAULT_RATE_LIMIT,
        max_concurrency: int | None = DEFAULT_MAX_CONCURRENCY,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        headers: Mapping[str, str] | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        limiter: RequestLimiter | None = None,
    ) -> None:
        key = api_key if api_key is not None else os.environ.get("NGROK_API_KEY", "")
        if not isinstance(key, str) or not key.strip():
            raise InvalidParameterError(
                "api_key", "no API key: pass api_key=... or set the NGROK_API_KEY variable"
            )
        key = key.strip()
        if not key.isascii() or not key.isprintable():
            raise InvalidParameterError(
                "api_key", "must be printable ASCII (is it the right value?)"
            )
        if http_client is not None and transport is not None:
            raise InvalidParameterError("transport", "pass http_client or transport, not both")
        if http_client is not None and not isinstance(http_client, httpx.AsyncClient):
            raise InvalidParameterError("http_client", "must be an httpx.AsyncClient")
        if transport is not None and not isinstance(transport, httpx.AsyncBaseTransport):
            raise InvalidParameterError("transport", "must be an httpx.AsyncBaseTransport")
        if base_url is None:
            base_url = os.environ.get("NGROK_BASE_URL") or DEFAULT_BASE_URL
        url = check_base_url(base_url)
        if rate_limit is not None and not isinstance(rate_limit, RateLimit):
            raise InvalidParameterError("rate_limit", "must be a RateLimit or None")
        concurrency = _check_concurrency(max_concurrency)
        if limiter is not None:
            if not isinstance(limiter, RequestLimiter):
                raise InvalidParameterError("limiter", "must be a RequestLimiter (slot, after_429)")
            if rate_limit != DEFAULT_RATE_LIMIT or max_concurrency != DEFAULT_MAX_CONCURRENCY:
                raise InvalidParameterError(
                    "limiter", "pass limiter= or rate_limit=/max_concurrency=, not both"
                )
        extra = header_map("headers", headers)
        phases, deadline = _check_timeout(timeout)
        retries = _check_retries(max_retries)
        cap = _check_max_bytes(max_response_bytes)

        configure_from_env(key)  # NGROK_LOG=debug|info
        self._owns_client = http_client is None
        self._entered: OpenableLimiter | None = None
        if http_client is None:
            # Requests beyond the pool's size wait in our O(1) FIFO limiter, never in httpcore's
            # pool queue, which is rescanned on every connection event (quadratic under load).
            concurrency = concurrency or DEFAULT_POOL_SIZE
            http_client, wire = make_session(transport, concurrency)
        else:
            wire = client_wire(http_client, traced=False)  # its transports may not report

        self._http = HTTPCore(
            client=http_client,
            base_url=url,
            api_key=key,
            headers={
                **({} if self._owns_client else dict(http_client.headers)),
                "User-Agent": USER_AGENT,
                "Accept": "application/json",
                "Accept-Encoding": ACCEPT_ENCODING,
                **extra,
            },
            limiter=limiter if limiter is not None else Limiter(rate_limit, concurrency),
            timeout=phases,
            deadline=deadline,
            max_retries=retries,
            max_response_bytes=cap,
            wire=wire,
        )

    def with_options(
        self,
        *,
        timeout: NotGivenOr[float | httpx.Timeout] = NOT_GIVEN,
        max_retries: NotGivenOr[int] = NOT_GIVEN,
        headers: Mapping[str, str] | None = None,
        query: Mapping[str, str] | None = None,
    ) -> AsyncClient:
        """A view of this client with other per-call options, sharing its pool and limiter.

        ``await ngrok.with_options(max_retries=0, timeout=5).credentials.get(id)``. ``headers``
        and ``query`` are added to every request of the view. Closing the view does nothing;
        close the original.
        """
        phases, deadline = (
            (self._http.timeout, self._http.deadline)
            if timeout is NOT_GIVEN
            else _check_timeout(timeout)
        )
        view = AsyncClient.__new__(AsyncClient)
        view._owns_client = False
        view._entered = None
        view._http = self._http.derive(
            timeout=phases,
            deadline=deadline,
            max_retries=(
                self._http.max_retries if max_retries is NOT_GIVEN else _check_retries(max_retries)
            ),
            headers=header_map("headers", headers),
            query=query_map("query", query),
        )
        return view

    @cached_property
    def credentials(self) -> CredentialsService:
        """Tunnel credentials (agent authtokens)."""
        from .resources.credentials import CredentialsService

        return CredentialsService(self._http)

    @cached_property
    def ssh_credentials(self) -> SSHCredentialsService:
        """SSH public keys for ngrok's SSH gateway."""
        from .resources.ssh import SSHCredentialsService

        return SSHCredentialsService(self._http)

    @cached_property
    def ssh_certificate_authorities(self) -> SSHCertificateAuthoritiesService:
        """SSH certificate authorities."""
        from .resources.ssh import SSHCertificateAuthoritiesService

        return SSHCertificateAuthoritiesService(self._http)

    @cached_property
    def ssh_user_certificates(self) -> SSHUserCertificatesService:
        """SSH user certificates."""
        from .resources.ssh import SSHUserCertificatesService

        return SSHUserCertificatesService(self._http)

    @property
    def base_url(self) -> str:
        return self._http.base_url

    @property
    def max_retries(self) -> int:
        return self._http.max_retries

    @property
    def timeout(self) -> httpx.Timeout:
        """The per-phase limits of each attempt."""
        return self._http.timeout

    @property
    def deadline(self) -> float:
        """Seconds within which each attempt ends, whatever the server does."""
        return self._http.deadline

    @property
    def is_closed(self) -> bool:
        return self._http.client.is_closed

    async def aclose(self) -> None:
        """Close the connection pool (unless the ``http_client`` was handed in), and exit a
        limiter that ``async with`` entered (call it from the task that entered it)."""
        try:
            if self._owns_client:
                await self._http.client.aclose()
        finally:
            limiter, self._entered = self._entered, None
            if limiter is not None:
                await limiter.__aexit__(None, None, None)

    async def __aenter__(self) -> AsyncClient:
        """Enter a ``limiter=`` handed over un-entered (such as a ``RedisLimiter``); it is
        exited when the client closes."""
        limiter = self._http.openable
        if limiter is not None and not limiter.entered and self._entered is None:
            await limiter.__aenter__()
            self._entered = limiter
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"AsyncClient(base_url={self.base_url!r}, max_retries={self.max_retries})"


def _check_timeout(timeout: object) -> tuple[httpx.Timeout, float]:
    """The phases and the whole-attempt deadline for a ``timeout`` argument."""
    if isinstance(timeout, httpx.Timeout):
        phases = (timeout.connect, timeout.read, timeout.write, timeout.pool)
        if any(
            phase is None or not (isinstance(phase, (int, float)) and 0 < phase < math.inf)
            for phase in phases
        ):
            raise InvalidParameterError(
                "timeout", "every phase must be a finite number of seconds > 0 (no None)"
            )
        return timeout, max(float(phase) for phase in phases if phase is not None)
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, (int, float))
        or not 0 < timeout < math.inf
    ):
        raise InvalidParameterError(
            "timeout", f"must be a positive, finite number of seconds, got {timeout!r}"
        )
    return httpx.Timeout(float(timeout)), float(timeout)


def _check_max_bytes(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1024:
        raise InvalidParameterError(
            "max_response_bytes", f"must be an int of at least 1024, got {value!r}"
        )
    return value


def _check_retries(max_retries: object) -> int:
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise InvalidParameterError("max_retries", f"must be an int >= 0, got {max_retries!r}")
    return max_retries


def _check_concurrency(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidParameterError(
            "max_concurrency", f"must be an int >= 1 or None, got {value!r}"
        )
    return value
