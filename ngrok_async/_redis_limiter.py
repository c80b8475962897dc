"""RedisLimiter: one account's limits shared by many processes (see :mod:`ngrok_async.redis`)."""

from __future__ import annotations

import contextlib
import logging
import math
import secrets
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from types import TracebackType
from typing import Any, Literal

import anyio

from ._errors import InvalidParameterError, NgrokError
from ._limits import PAUSE_FLOOR, Limiter
from ._redis_client import connect, listen, scripts
from ._redis_limiter_lua import ACQUIRE, PAUSE, RELEASE, RENEW
from ._types import DEFAULT_RATE_LIMIT, RateLimit

__all__ = ["LimiterUnavailableError", "RedisLimiter"]

logger: logging.Logger = logging.getLogger("ngrok_async")


_WAITER_TTL_MS = 2000
"""A queued waiter that has not polled for this long (its process died) loses its place."""


class LimiterUnavailableError(NgrokError):
    """The shared limiter's Redis could not be used (``on_unavailable="raise"``); no request
    was sent."""


class RedisLimiter:
    """An account-wide :class:`~ngrok_async.RequestLimiter` on Redis; use it as
    ``async with RedisLimiter(...) as limiter:`` and pass it to ``AsyncClient(limiter=...)``.

    Args:
        url_or_client: a Redis URL, an entered coredis client, or a ``redis.asyncio`` client.
        key: names the shared limits: every process using the same key shares them.
        rate_limit: the rolling window (``None``: no window, only the concurrency cap).
        max_concurrency: requests in flight across all processes (``None``: no cap).
        lease_seconds: how long a dead process's in-flight slot stays taken.
        poll_interval: the most a waiter waits before trying again when no notice comes
            (waiters learn that a slot is free from a Redis pub/sub notice, see
            :attr:`wakeups`).
        on_unavailable: ``"raise"`` or ``"local"`` (see the module docs).
        fallback_share: the share of ``rate_limit`` and ``max_concurrency`` the local fallback
            gets (required with ``on_unavailable="local"``).
        retry_seconds: how long the fallback is used before Redis is tried again.
    """

    def __init__(
        self,
        url_or_client: str | Any,
        *,
        key: str,
        rate_limit: RateLimit | None = DEFAULT_RATE_LIMIT,
        max_concurrency: int | None = 8,
        lease_seconds: float = 15.0,
        poll_interval: float = 0.5,
        on_unavailable: Literal["raise", "local"] = "raise",
        fallback_share: float | None = None,
        retry_seconds: float = 5.0,
    ) -> None:
        if not isinstance(key, str) or not key or "{" in key or "}" in key:
            raise InvalidParameterError("key", "must be a non-empty str without braces")
        if rate_limit is not None and not isinstance(rate_limit, RateLimit):
            raise InvalidParameterError("rate_limit", "must be a RateLimit or None")
        if max_concurrency is not None and (
            isinstance(max_concurrency, bool)
            or not isinstance(max_concurrency, int)
            or max_concurrency < 1
        ):
            raise InvalidParameterError("max_concurrency", "must be an int >= 1 or None")
        for name, value in (
            ("lease_seconds", lease_seconds),
            ("poll_interval", poll_interval),
            ("retry_seconds", retry_seconds),
        ):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise InvalidParameterError(name, "must be a number of seconds")
            if not 0 < value < math.inf:
                raise InvalidParameterError(name, "must be finite and > 0")
        if on_unavailable not in ("raise", "local"):
            raise InvalidParameterError("on_unavailable", 'must be "raise" or "local"')
        if on_unavailable == "local":
            if isinstance(fallback_share, bool) or not isinstance(fallback_share, (int, float)):
                raise InvalidParameterError("fallback_share", 'is required with "local"')
            if not 0 < fallback_share <= 1:
                raise InvalidParameterError("fallback_share", "must be in (0, 1]")
        self._target = url_or_client
        self._key = key
        tag = "{" + key + "}"
        self._keys = [f"{tag}:{part}" for part in ("leases", "permits", "pause", "queue")]
        self._keys += [f"{tag}:seen", f"{tag}:seq"]
        self._channel = f"{tag}:free"
        self._rate_limit = rate_limit
        self._max = max_concurrency
        self._window_ms = 0 if rate_limit is None else math.ceil(rate_limit.per_seconds * 1000)
        self._limit = 0 if rate_limit is None else rate_limit.requests
        self._lease_ms = math.ceil(lease_seconds * 1000)
        self._poll = float(poll_interval)
        self._waiter_ttl_ms = _WAITER_TTL_MS
        self._retry = float(retry_seconds)
        self._on_unavailable = on_unavailable
        self._fallback = (
            None
            if fallback_share is None
            else Limiter(
                None
                if rate_limit is None
                else RateLimit(
                    max(1, int(rate_limit.requests * fallback_share)), rate_limit.per_seconds
                ),
                None if max_concurrency is None else max(1, int(max_concurrency * fallback_share)),
            )
        )
        self._fallback_until = -math.inf
        self._held: set[str] = set()
        self._scripts: dict[str, Any] = {}
        self._stack: contextlib.AsyncExitStack | None = None
        self._turn = anyio.Lock()
        self._wake = _Wake()
        self._wakeups: Counter[str] = Counter()
        self._listening = False

    @property
    def key(self) -> str:
        return self._key

    @property
    def rate_limit(self) -> RateLimit | None:
        return self._rate_limit

    @property
    def max_concurrency(self) -> int | None:
        return self._max

    @property
    def entered(self) -> bool:
        """Whether the limiter is entered (``async with``), as ``slot()`` needs."""
        return self._stack is not None

    @property
    def in_flight(self) -> int:
        """Slots this process holds in Redis now."""
        return len(self._held)

    @property
    def listening(self) -> bool:
        """Whether this limiter is subscribed to the key's notices now (when not, waiters
        fall back to polling every ``poll_interval``)."""
        return self._listening

    @property
    def wakeups(self) -> Mapping[str, int]:
        """How waiters woke up to try again, by cause: ``notice`` (another process freed a
        slot or the queue moved on), ``release`` (this process freed one), ``timer`` (a
        permit's window ended) and ``poll`` (nothing came within ``poll_interval``)."""
        return dict(self._wakeups)

    def __repr__(self) -> str:
        return (
            f"RedisLimiter(key={self._key!r}, rate_limit={self._rate_limit!r}, "
            f"max_concurrency={self._max!r})"
        )

    # -- lifecycle ---------------------------------------------------------------------

    async def __aenter__(self) -> RedisLimiter:
        if self._stack is not None:
            raise RuntimeError("a RedisLimiter can be entered only once at a time")
        stack = contextlib.AsyncExitStack()
        await stack.__aenter__()
        try:
            client = await connect(self._target, stack, LimiterUnavailableError)
            self._scripts = scripts(
                client, {"acquire": ACQUIRE, "release": RELEASE, "renew": RENEW, "pause": PAUSE}
            )
            group = await stack.enter_async_context(anyio.create_task_group())
            group.start_soon(self._heartbeat)
            group.start_soon(self._listen, client)
            stack.callback(group.cancel_scope.cancel)
        except BaseException:
            await stack.__aexit__(None, None, None)
            raise
        self._stack = stack
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        stack, self._stack = self._stack, None
        if stack is not None:
            await stack.__aexit__(None, None, None)

    async def _heartbeat(self) -> None:
        while True:
            await anyio.sleep(self._lease_ms / 3000)
            if self._held:
                with contextlib.suppress(Exception):
                    await self._call("renew", self._keys[:1], [self._lease_ms, *self._held])

    async def _listen(self, client: Any) -> None:
        """Keep subscribed to the key's notices; after a failure, poll for a while."""
        while True:
            try:
                await listen(
                    client, self._channel, lambda: self._woken("notice"), self._set_listening
                )
            except Exception as exc:
                logger.debug("shared limiter %r: notices unavailable: %s", self._key, exc)
            await anyio.sleep(self._retry)

    def _set_listening(self, listening: bool) -> None:
        self._listening = listening

    def _woken(self, cause: str) -> None:
        """Wake every waiter of this process: a slot may be free."""
        wake, self._wake = self._wake, _Wake()
        wake.cause = cause
        wake.event.set()

    async def _call(self, name: str, keys: Sequence[str], args: Sequence[str | int]) -> Any:
        return await self._scripts[name](keys=list(keys), args=list(args))

    # -- the protocol ------------------------------------------------------------------

    def slot(self) -> AbstractAsyncContextManager[object]:
        """``async with limiter.slot():`` holds an account-wide slot and permit."""
        return _RedisSlot(self)

    async def after_429(self, *, retry_after: float | None, concurrency_cap: bool) -> None:
        """Pause every process sharing the key (see :class:`~ngrok_async.RequestLimiter`)."""
        if self._using_fallback():
            assert self._fallback is not None
            await self._fallback.after_429(retry_after=retry_after, concurrency_cap=concurrency_cap)
            return
        args = [
            -1 if retry_after is None else math.ceil(max(0.0, retry_after) * 1000),
            int(concurrency_cap),
            self._window_ms,
            math.ceil(PAUSE_FLOOR * 1000),
        ]
        try:
            await self._call("pause", [self._keys[2], self._keys[1]], args)
        except Exception as exc:
            await self._unavailable(exc)
            assert self._fallback is not None
            await self._fallback.after_429(retry_after=retry_after, concurrency_cap=concurrency_cap)

    def _using_fallback(self) -> bool:
        return time.monotonic() < self._fallback_until

    async def _unavailable(self, exc: Exception) -> None:
        """Raise, or switch to the local fallback for a while."""
        if self._fallback is None:
            raise LimiterUnavailableError(
                f"the shared limiter {self._key!r} cannot use Redis: {type(exc).__name__}: {exc}"
            ) from exc
        logger.warning(
            "shared limiter %r: Redis unavailable (%s); using the local fallback for %.0f s",
            self._key,
            type(exc).__name__,
            self._retry,
        )
        self._fallback_until = time.monotonic() + self._retry

    async def _acquire(self) -> str | None:
        """A ticket held in Redis, or None when the local fallback was taken instead."""
        if self._stack is None:
            raise RuntimeError("enter the limiter first: `async with RedisLimiter(...) as lim:`")
        ticket = secrets.token_hex(8)
        async with self._turn:
            try:
                while not self._using_fallback():
                    wake = self._wake  # taken first: a notice during the call wakes it
                    try:
                        granted, wait_ms = await self._call(
                            "acquire",
                            self._keys,
                            [
                                ticket,
                                self._window_ms,
                                self._limit,
                                self._max or 0,
                                self._lease_ms,
                                self._waiter_ttl_ms,
                                self._channel,
                            ],
                        )
                    except Exception as exc:
                        await self._unavailable(exc)
                        break
                    if granted:
                        self._held.add(ticket)
                        return ticket
                    await self._wait(wake, wait_ms)
            except BaseException:
                with anyio.CancelScope(shield=True), anyio.move_on_after(2.0):
                    await self._forget(ticket)
                raise
        assert self._fallback is not None
        await self._fallback._acquire()
        return None

    async def _wait(self, wake: _Wake, wait_ms: int) -> None:
        """Until a permit's window ends (``wait_ms`` > 0: nothing else can free one sooner),
        or else a notice that a slot freed, at most ``poll_interval``; never so long that
        the waiter loses its place in the queue."""
        longest = self._waiter_ttl_ms / 4000
        if wait_ms > 0:
            await anyio.sleep(min(wait_ms / 1000, longest))
            self._wakeups["timer" if wait_ms / 1000 <= longest else "poll"] += 1
            return
        with anyio.move_on_after(min(self._poll, longest)) as timer:
            await wake.event.wait()
        self._wakeups["poll" if timer.cancelled_caught else wake.cause] += 1

    async def _forget(self, ticket: str) -> None:
        """Release ``ticket`` (a lease, or only a place in the queue); errors are logged."""
        self._held.discard(ticket)
        try:
            await self._call(
                "release",
                [self._keys[0], self._keys[1], self._keys[3], self._keys[4]],
                [ticket, self._window_ms, self._limit, self._channel],
            )
        except Exception as exc:  # the lease expires by itself and becomes a permit
            logger.debug("shared limiter %r: release failed: %s", self._key, exc)

    async def _release(self, ticket: str | None) -> None:
        if ticket is None:
            assert self._fallback is not None
            self._fallback._release()
            return
        with anyio.CancelScope(shield=True), anyio.move_on_after(5.0):
            await self._forget(ticket)
        self._woken("release")


class _Wake:
    """One wake-up of a process's waiters, and what caused it."""

    __slots__ = ("cause", "event")

    def __init__(self) -> None:
        self.event = anyio.Event()
        self.cause = ""


class _RedisSlot:
    __slots__ = ("_limiter", "_ticket")

    def __init__(self, limiter: RedisLimiter) -> None:
        self._limiter = limiter
        self._ticket: str | None = None

    async def __aenter__(self) -> None:
        self._ticket = await self._limiter._acquire()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._limiter._release(self._ticket)
