"""The one request path: build → limit → send under a deadline → read capped → retry → map.

Every attempt runs inside the limiter's slot and a total deadline covering connect, send,
headers and body; its body is read incrementally under the size cap (:mod:`._body`); its
failure is classified once by :func:`._retry.decide`. Whatever happens below, what leaves
this module is parsed JSON or an :class:`NgrokError`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import anyio
import httpx

from . import _retry, _telemetry
from ._attempt import attempt
from ._convert import dumps
from ._errors import (
    AmbiguousCreateError,
    ClientStateError,
    CreatedButUndecodableError,
    NgrokError,
    UnsafeURLError,
)
from ._limits import OpenableLimiter, RequestLimiter
from ._outcome import decide, outcome_error, parse
from ._redact import scrub, tokens_in
from ._types import AtSend
from ._urls import Origin, follow_target, query_string
from ._validate import Extras
from ._wire import Forms, Outgoing, Wire, encode_headers

logger = logging.getLogger("ngrok_async")

sleep = anyio.sleep  # patched by tests

R = TypeVar("R")
Params = Mapping[str, "str | Sequence[str]"]


_URL_CACHE_SIZE = 256


class Shared:
    """What every view of one client shares: the event loop it belongs to (set on first use),
    parsed URLs."""

    __slots__ = ("loop", "openable", "urls")

    def __init__(self, limiter: RequestLimiter) -> None:
        self.loop: object = None
        self.urls: dict[str, httpx.URL] = {}
        self.openable = limiter if isinstance(limiter, OpenableLimiter) else None

    def remember(self, text: str, url: httpx.URL) -> None:
        if len(self.urls) >= _URL_CACHE_SIZE:
            self.urls.clear()
        self.urls[text] = url


class HTTPCore:
    """Sends requests for one client: shared pool, limiter and headers; per-view options."""

    __slots__ = (
        "_client",
        "_deadline",
        "_forms",
        "_headers",
        "_key",
        "_limiter",
        "_max_bytes",
        "_max_retries",
        "_origin",
        "_query",
        "_shared",
        "_timeout",
        "_wire",
    )

    def __init__(
        self,
        *,
        client: httpx.AsyncClient,
        base_url: httpx.URL,
        api_key: str,
        headers: Mapping[str, str],
        limiter: RequestLimiter,
        timeout: httpx.Timeout,
        deadline: float,
        max_retries: int,
        max_response_bytes: int,
        wire: Wire,
    ) -> None:
        self._client = client
        self._origin = Origin(base_url)
        self._key = api_key
        self._headers = {
            **_lower(headers),
            "authorization": f"Bearer {api_key}",
            "ngrok-version": "2",
        }
        self._query: dict[str, str] = {}
        self._forms = Forms(_raw(self._headers, base_url), _phase_limits(timeout, deadline))
        self._limiter = limiter
        self._timeout = timeout
        self._deadline = deadline
        self._max_retries = max_retries
        self._max_bytes = max_response_bytes
        self._shared = Shared(limiter)
        self._wire = wire

    @property
    def client(self) -> httpx.AsyncClient:
        return self._client

    @property
    def limiter(self) -> RequestLimiter:
        return self._limiter

    @property
    def openable(self) -> OpenableLimiter | None:
        """The limiter, when it is one that must be entered."""
        return self._shared.openable

    @property
    def timeout(self) -> httpx.Timeout:
        return self._timeout

    @property
    def deadline(self) -> float:
        return self._deadline

    @property
    def max_retries(self) -> int:
        return self._max_retries

    @property
    def base_url(self) -> str:
        return self._origin.base

    @property
    def origin(self) -> Origin:
        return self._origin

    def derive(
        self,
        *,
        timeout: httpx.Timeout,
        deadline: float,
        max_retries: int,
        headers: Mapping[str, str],
        query: Mapping[str, str],
    ) -> HTTPCore:
        """A view with other options over the same pool, limiter, credentials and loop."""
        view = HTTPCore.__new__(HTTPCore)
        for slot in HTTPCore.__slots__:
            setattr(view, slot, getattr(self, slot))
        view._timeout = timeout
        view._deadline = deadline
        view._max_retries = max_retries
        view._headers = {**self._headers, **_lower(headers)}
        view._forms = Forms(_raw(view._headers, self._origin.url), _phase_limits(timeout, deadline))
        view._query = {**self._query, **query}
        return view

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        body: Mapping[str, Any] | None = None,
        decode: Callable[[Any], Any] | None = None,
        extras: Extras | None = None,
        operation: str = "",
        page: int = 0,
    ) -> Any:
        """Send ``method`` to ``path`` (already escaped) under the base URL.

        Returns the parsed JSON (or ``None`` for an empty body), passed through ``decode`` when
        given; a create whose 2xx body does not decode raises
        :class:`CreatedButUndecodableError`. ``operation`` (``credentials.create``) names the
        call's span (:mod:`._telemetry`); ``page``: which page of a listing it is.
        """
        query: Params = self._query
        extra_headers = None
        if extras is not None:
            query = {**self._query, **(params or {}), **extras.query}
            extra_headers = extras.headers or None
        elif params:
            query = {**self._query, **params}
        url = self._origin.base + path + query_string(query)
        target = self._target(method, url)
        if body is not None and any(isinstance(value, AtSend) for value in body.values()):
            late = body

            def at_send() -> bytes:
                return dumps(
                    {k: v.value() if isinstance(v, AtSend) else v for k, v in late.items()}
                )

            out = Outgoing(method, target, at_send, extra_headers)
            return await self._send(path, out, decode, operation, path, page)
        content = None if body is None else dumps(body)
        out = Outgoing(method, target, content, extra_headers)
        return await self._send(path, out, decode, operation, path, page)

    async def follow(
        self,
        url: object,
        decode: Callable[[Any], Any] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        operation: str = "",
        page: int = 0,
        template: str = "",
    ) -> Any:
        """GET a URL the API handed out (``next_page_uri``) after checking it is on the API
        origin; anything else raises :class:`UnsafeURLError` without a request. ``operation``,
        ``page``: as for :meth:`request`; ``template``: the listing's first path."""
        target, path = follow_target(self._origin, url)
        out = Outgoing("GET", self._target("GET", target), None, extra_headers or None)
        return await self._send(path, out, decode, operation, template or path, page)

    def _check_usable(self) -> Wire:
        """The wire to send on, once the client is known open and in its own event loop."""
        if self._client.is_closed:
            raise ClientStateError("the client is closed (aclose() was called); create a new one")
        shared = self._shared
        loop = current_loop()
        if shared.loop is None:
            shared.loop = loop
        elif shared.loop is not loop:
            raise ClientStateError(
                "this client was first used in another event loop; an AsyncClient belongs to "
                "one event loop (its connections and limiter do): create one per loop"
            )
        if shared.openable is not None and not shared.openable.entered:
            raise ClientStateError(
                f"the limiter {shared.openable!r} is not entered: use the client as "
                "`async with AsyncClient(limiter=...) as ngrok:` (which enters it), or enter "
                "the limiter yourself"
            )
        return self._wire

    def _target(self, method: str, url: str) -> httpx.URL:
        """``url`` parsed, once per distinct URL string."""
        target = self._shared.urls.get(url)
        if target is None:
            try:
                target = httpx.URL(url)
            except (httpx.InvalidURL, ValueError, TypeError) as exc:
                raise UnsafeURLError(f"cannot build a request for {method}: {exc}") from None
            self._shared.remember(url, target)
        return target

    async def _send(
        self,
        path: str,
        out: Outgoing,
        decode: Callable[[Any], Any] | None,
        operation: str,
        template: str,
        page: int,
    ) -> Any:
        wire = self._check_usable()
        method = out.method
        where = f"{method} {path}"
        retries = 0
        maybe_done = False
        started = time.perf_counter()
        created = b""  # a create's 2xx body: its tokens are kept out of errors too
        report = (
            _telemetry.start(operation, method, template, self._origin.url.host, page)
            if operation
            else None
        )
        status: int | None = None
        raised: BaseException | None = None
        try:
            while True:
                outcome = await attempt(
                    wire,
                    out,
                    self._forms,
                    self._limiter,
                    deadline=self._deadline,
                    max_bytes=self._max_bytes,
                    resource=where,
                    closed=self.is_closed,
                    report=report,
                )
                status = outcome.status
                if method == "POST" and status is not None and 200 <= status < 300:
                    created = outcome.content
                if outcome.error is None and status is not None and 200 <= status < 300:
                    self._log(where, status, started, retries)
                    return parse(outcome.content, method, where, status, decode)
                if outcome.error is not None and status is not None and 200 <= status < 300:
                    if method == "POST":  # the server answered 2xx: it created the resource
                        raise CreatedButUndecodableError(
                            resource=where, field="", reason=str(outcome.error), status_code=status
                        ) from outcome.error
                    status = None  # a read that broke off: judged as a transport error
                if method == "DELETE" and status == 404 and maybe_done:
                    self._log(where, status, started, retries)
                    return None  # an earlier attempt may have deleted it: the goal state is reached
                error = outcome.error if status is None else None
                verdict = decide(
                    method, status, error, outcome.maybe_sent, retries, self._max_retries
                )
                retry_after = outcome.retry_after
                if status == 429:
                    await self._pause_after_429(outcome.content, retry_after)
                if verdict is _retry.Verdict.RETRY:
                    maybe_done = maybe_done or _retry.may_have_reached_server(status, error)
                    delay = _retry.retry_delay(retries, status=status, retry_after=retry_after)
                    if logger.isEnabledFor(logging.DEBUG):
                        got = status or type(error).__name__
                        logger.debug("%s -> %s; retry %d in %.2fs", where, got, retries + 1, delay)
                    retries += 1
                    await sleep(delay)
                    continue
                failure = outcome_error(outcome, status, error, method, path, self._key)
                self._log(where, status, started, retries, failure)
                if verdict is _retry.Verdict.AMBIGUOUS:
                    raise AmbiguousCreateError(
                        method=method, path=path, reason=str(failure)
                    ) from failure
                raise failure
        except NgrokError as exc:
            found = tokens_in(created) if created else []
            raised = scrub(exc, [self._key, *found])  # once, for whatever this call raises
            raise
        except BaseException as exc:  # a cancellation
            raised = exc
            raise
        finally:
            if report is not None:
                report.end(status, raised)

    def is_closed(self) -> bool:
        return self._client.is_closed

    async def _pause_after_429(self, content: bytes, retry_after: str | None) -> None:
        """Hold every caller of this client. The simultaneous-request cap (ERR_NGROK_225) frees
        as requests finish; only the rate window (ERR_NGROK_226) needs waiting out."""
        await self._limiter.after_429(
            retry_after=_retry.retry_after_seconds(retry_after),
            concurrency_cap=b"ERR_NGROK_225" in content,
        )

    @staticmethod
    def _log(
        where: str,
        status: int | None,
        started: float,
        retries: int,
        failure: NgrokError | None = None,
    ) -> None:
        if not logger.isEnabledFor(logging.DEBUG):
            return
        op_id = getattr(failure, "operation_id", "") or "-"
        outcome = status if status is not None else type(failure).__name__
        logger.debug(
            "%s -> %s in %.1f ms (retries=%d, operation_id=%s)",
            where,
            outcome,
            (time.perf_counter() - started) * 1000,
            retries,
            op_id,
        )


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def _phase_limits(timeout: httpx.Timeout, deadline: float) -> dict[str, float | None]:
    """httpx's timeout extension for ``timeout``, without the phases that can never end before
    the attempt's ``deadline`` does (each would be one more timer per request)."""
    return {
        phase: None if limit is None or limit >= deadline else limit
        for phase, limit in timeout.as_dict().items()
    }


def _raw(headers: Mapping[str, str], base_url: httpx.URL) -> list[tuple[bytes, bytes]]:
    """Every request's headers as httpx keeps them, ``Host`` first (as httpx puts it)."""
    return [(b"host", base_url.netloc), *encode_headers(headers)]


def current_loop() -> object:
    """The running event loop (asyncio) or trio token: what one client belongs to."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        import trio

        return trio.lowlevel.current_trio_token()
