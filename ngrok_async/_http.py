"""The one request path: build → limit → send → retry → map errors → parsed JSON."""

from __future__ import annotations

import ipaddress
import logging
import time
from collections.abc import Mapping
from typing import Any

import anyio
import httpx

from . import _retry
from ._convert import loads
from ._errors import (
    AmbiguousCreateError,
    NgrokConnectionError,
    NgrokDecodeError,
    NgrokError,
    NgrokTimeoutError,
    UnsafeURLError,
    api_error,
)
from ._limits import RequestLimiter

logger = logging.getLogger("ngrok_async")

sleep = anyio.sleep  # patched by tests


def check_base_url(base_url: str) -> httpx.URL:
    """Parse ``base_url``; it must be https unless it points at a loopback address."""
    try:
        url = httpx.URL(base_url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise UnsafeURLError(f"base_url {base_url!r} is not a valid URL: {exc}") from None
    if url.scheme == "https" and url.host:
        return url
    if url.scheme == "http" and _is_loopback(url.host):
        return url
    raise UnsafeURLError(
        f"base_url {base_url!r} must be an https URL (plain http is allowed only for loopback)"
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class HTTPCore:
    """Sends requests for one client: shared pool, limiter and headers; per-view options."""

    __slots__ = (
        "_base",
        "_client",
        "_headers",
        "_key",
        "_limiter",
        "_max_retries",
        "_origin",
        "_timeout",
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
        max_retries: int,
    ) -> None:
        self._client = client
        self._base = str(base_url).rstrip("/")
        self._origin = (base_url.scheme, base_url.host, base_url.port)
        self._key = api_key
        self._headers = {**headers, "Authorization": f"Bearer {api_key}", "Ngrok-Version": "2"}
        self._limiter = limiter
        self._timeout = timeout
        self._max_retries = max_retries

    @property
    def client(self) -> httpx.AsyncClient:
        return self._client

    @property
    def limiter(self) -> RequestLimiter:
        return self._limiter

    @property
    def timeout(self) -> httpx.Timeout:
        return self._timeout

    @property
    def max_retries(self) -> int:
        return self._max_retries

    @property
    def base_url(self) -> str:
        return self._base

    def derive(self, *, timeout: httpx.Timeout, max_retries: int) -> HTTPCore:
        """A view with other options over the same pool, limiter and credentials."""
        view = HTTPCore.__new__(HTTPCore)
        for slot in HTTPCore.__slots__:
            setattr(view, slot, getattr(self, slot))
        view._timeout = timeout
        view._max_retries = max_retries
        return view

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> Any:
        """Send ``method`` to ``path`` (already escaped) under the base URL; return parsed JSON."""
        return await self._send(method, self._base + path, path, params, body)

    async def follow(self, url: str) -> Any:
        """GET a URL the API handed out (``next_page_uri``) after checking its origin."""
        target = httpx.URL(self._base).join(url)
        if (target.scheme, target.host, target.port) != self._origin:
            raise UnsafeURLError(
                f"refusing to follow {url!r}: it is not on the API origin {self._base!r}"
            )
        return await self._send("GET", str(target), target.path, None, None)

    async def _send(
        self,
        method: str,
        url: str,
        path: str,
        params: Mapping[str, str] | None,
        body: Mapping[str, Any] | None,
    ) -> Any:
        request = self._client.build_request(
            method, url, params=params, json=body, headers=self._headers, timeout=self._timeout
        )
        retries = 0
        maybe_done = False
        started = time.perf_counter()
        while True:
            response, error = await self._attempt(request)
            status = response.status_code if response is not None else None
            if response is not None and response.is_success:
                self._log(method, path, response, started, retries)
                return _parse(response, method, path)
            if method == "DELETE" and status == 404 and maybe_done:
                # An earlier attempt may have deleted it; the goal state is reached.
                self._log(method, path, response, started, retries)
                return None
            verdict = _retry.decide(
                method,
                status=status,
                error=error,
                retries_done=retries,
                max_retries=self._max_retries,
            )
            retry_after = response.headers.get("retry-after") if response is not None else None
            if response is not None and status == 429:
                await self._pause_after_429(response, retry_after)
            if verdict is _retry.Verdict.RETRY:
                maybe_done = maybe_done or _retry.may_have_reached_server(status, error)
                delay = _retry.retry_delay(retries, status=status, retry_after=retry_after)
                if logger.isEnabledFor(logging.DEBUG):
                    outcome = status or type(error).__name__
                    logger.debug(
                        "%s %s -> %s; retry %d in %.2fs", method, path, outcome, retries + 1, delay
                    )
                retries += 1
                await sleep(delay)
                continue
            failure = _failure(response, error, method, path, self._key)
            self._log(method, path, response, started, retries, failure)
            if verdict is _retry.Verdict.AMBIGUOUS:
                raise AmbiguousCreateError(
                    method=method, path=path, reason=str(failure)
                ) from failure
            raise failure

    async def _attempt(
        self, request: httpx.Request
    ) -> tuple[httpx.Response | None, httpx.HTTPError | None]:
        """One attempt, holding a limiter slot only while it is on the wire."""
        try:
            async with self._limiter.slot():
                return await self._client.send(request), None
        except httpx.HTTPError as exc:
            return None, exc

    async def _pause_after_429(self, response: httpx.Response, retry_after: str | None) -> None:
        """Hold every caller of this client. The simultaneous-request cap (ERR_NGROK_225) frees
        as requests finish; only the rate window (ERR_NGROK_226) needs waiting out."""
        seconds = _retry.parse_retry_after(retry_after)
        await self._limiter.after_429(
            retry_after=None if seconds is None else min(seconds, _retry.RETRY_AFTER_CAP),
            concurrency_cap=b"ERR_NGROK_225" in response.content,
        )

    @staticmethod
    def _log(
        method: str,
        path: str,
        response: httpx.Response | None,
        started: float,
        retries: int,
        failure: NgrokError | None = None,
    ) -> None:
        if not logger.isEnabledFor(logging.DEBUG):
            return
        op_id = getattr(failure, "operation_id", "") or "-"
        outcome = response.status_code if response is not None else type(failure).__name__
        logger.debug(
            "%s %s -> %s in %.1f ms (retries=%d, operation_id=%s)",
            method,
            path,
            outcome,
            (time.perf_counter() - started) * 1000,
            retries,
            op_id,
        )


def _parse(response: httpx.Response, method: str, path: str) -> Any:
    content = response.content
    if response.status_code == 204 or not content:
        return None
    try:
        return loads(content)
    except ValueError:
        raise NgrokDecodeError(
            resource=f"{method} {path}", field="", reason="response body is not JSON"
        ) from None


def _failure(
    response: httpx.Response | None,
    error: httpx.HTTPError | None,
    method: str,
    path: str,
    secret: str,
) -> NgrokError:
    if response is not None:
        return api_error(
            response.status_code, response.content, method=method, path=path, secret=secret
        )
    kind = NgrokTimeoutError if isinstance(error, httpx.TimeoutException) else NgrokConnectionError
    failure = kind(f"{method} {path} failed: {type(error).__name__}: {error}")
    failure.__cause__ = error
    return failure
