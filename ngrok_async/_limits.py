"""The client-side limiter shared by every call on one client (anyio: asyncio and trio).

It holds each HTTP attempt to a concurrency cap, a rolling window of ``RateLimit.requests`` per
``per_seconds``, and any pause set after a 429. Waiters are served first in, first out.

A permit counts from acquisition and expires ``per_seconds`` after its attempt *completes* (or
fails, or is cancelled). The server counts arrivals, and an attempt arrives between its
acquisition and its completion, so every request that reaches the server inside one window still
held a live permit when the last of them was admitted: no server window can see more than
``requests`` of ours, whatever the network delays. Expiring permits at start would not give that.

After a 429 the core awaits ``after_429(retry_after=..., concurrency_cap=...)``: Retry-After
when sent, else until the oldest permit here expires (``next_expiry_in``, at most one window,
at least 0.5 s), the first moment the server's window is sure to have dropped one of ours.

:class:`RequestLimiter` is the protocol ``AsyncClient(limiter=...)`` accepts; :class:`Limiter`
is the in-process one, and ``ngrok_async.redis.RedisLimiter`` shares one account's limits
between processes.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from types import TracebackType
from typing import Protocol, runtime_checkable

import anyio
import anyio.lowlevel

from ._types import RateLimit

PAUSE_FLOOR = 0.5
"""The shortest pause after a 429 without Retry-After (seconds)."""


@runtime_checkable
class RequestLimiter(Protocol):
    """What ``AsyncClient(limiter=...)`` accepts: the client calls exactly these two methods.

    ``async with limiter.slot():`` wraps each HTTP attempt (never a backoff sleep), and
    ``await limiter.after_429(...)`` follows each 429 answer. Implementations must be safe to
    share between every task of the client (and, for a shared one, between processes).
    """

    def slot(self) -> AbstractAsyncContextManager[object]:
        """Wait (FIFO-ish) for a concurrency slot and a window permit; hold both while one
        attempt is on the wire. On exit (success, failure or cancellation) release the slot;
        the permit expires one window after that moment."""
        ...

    async def after_429(self, *, retry_after: float | None, concurrency_cap: bool) -> None:
        """Hold every caller sharing this limiter after a 429.

        ``retry_after``: the server's Retry-After in seconds, already parsed and capped by the
        caller, or None. ``concurrency_cap``: True for ERR_NGROK_225 (the simultaneous-request
        cap: a short pause, at least 0.5 s), False for the rate window (ERR_NGROK_226: pause
        until the oldest permit expires, at least 0.5 s, at most one window).
        """
        ...


@runtime_checkable
class OpenableLimiter(Protocol):
    """A :class:`RequestLimiter` that must be entered before use (``RedisLimiter``).

    ``async with AsyncClient(limiter=...)`` enters one handed over un-entered and exits it when
    the client closes (both in the task running the ``async with``); one already entered is
    left to its owner. A client not used as a context manager refuses requests on an
    un-entered one with :class:`~ngrok_async.ClientStateError`, before sending anything.
    """

    @property
    def entered(self) -> bool:
        """Whether the limiter is entered (ready for ``slot()``)."""
        ...

    async def __aenter__(self) -> object: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> object: ...


class _Waiter:
    __slots__ = ("event", "gone", "timed")

    def __init__(self) -> None:
        self.event = anyio.Event()
        self.gone = False  # cancelled while queued; dropped lazily when it reaches the head
        self.timed = False  # the head is sleeping until a known time; releases need not wake it


class Limiter:
    """Concurrency cap + rolling window + pause, for one client.

    ``async with limiter.slot():`` around each attempt (not around backoff sleeps). Only the
    head of the FIFO queue waits on a timer; the others sleep until it hands over, so each
    acquisition is O(1) and nothing polls.
    """

    def __init__(
        self,
        rate_limit: RateLimit | None = None,
        max_concurrency: int | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_concurrency is not None and (
            isinstance(max_concurrency, bool)
            or not isinstance(max_concurrency, int)
            or max_concurrency < 1
        ):
            raise ValueError(f"max_concurrency must be a positive int, got {max_concurrency!r}")
        self._rate_limit = rate_limit
        self._per = rate_limit.per_seconds if rate_limit is not None else 0.0
        self._max = max_concurrency
        self._clock = clock
        self._expiries: deque[float] = deque()  # completion + per, in completion order
        self._queue: deque[_Waiter] = deque()
        self._in_flight = 0
        self._waiting = 0
        self._paused_until = -math.inf

    @property
    def rate_limit(self) -> RateLimit | None:
        return self._rate_limit

    @property
    def max_concurrency(self) -> int | None:
        return self._max

    @property
    def in_flight(self) -> int:
        """Attempts inside ``slot()`` now."""
        return self._in_flight

    @property
    def waiting(self) -> int:
        """Callers queued for a slot."""
        return self._waiting

    @property
    def window_used(self) -> int:
        """Permits in the rolling window: in-flight plus completed ones not yet expired."""
        if self._rate_limit is None:
            return 0
        self._expire(self._clock())
        return self._in_flight + len(self._expiries)

    @property
    def next_expiry_in(self) -> float:
        """Seconds until the oldest completed permit expires; 0.0 when none is pending."""
        now = self._clock()
        self._expire(now)
        return self._expiries[0] - now if self._expiries else 0.0

    @property
    def paused_until(self) -> float:
        """Clock time before which no new attempt starts (``-inf`` if never paused)."""
        return self._paused_until

    def pause(self, seconds: float) -> None:
        """Start no new attempt for ``seconds`` from now (extends, never shortens, a pause)."""
        if not (isinstance(seconds, (int, float)) and 0 <= seconds < math.inf):
            raise ValueError(f"pause needs a finite number of seconds >= 0, got {seconds!r}")
        self._paused_until = max(self._paused_until, self._clock() + seconds)

    async def after_429(self, *, retry_after: float | None, concurrency_cap: bool) -> None:
        """Hold every caller after a 429: ``retry_after`` seconds when the server sent it;
        else 0.5 s for the simultaneous-request cap (``ERR_NGROK_225``), or until the oldest
        permit expires for the rate window (at least 0.5 s, at most one window)."""
        if retry_after is not None:
            self.pause(retry_after)
            return
        frees_in = 0.0 if concurrency_cap else self.next_expiry_in
        self.pause(max(PAUSE_FLOOR, min(frees_in, self._per or PAUSE_FLOOR)))

    def slot(self) -> _Slot:
        """``async with limiter.slot():`` holds a slot and a permit for one attempt."""
        return _Slot(self)

    def _expire(self, now: float) -> None:
        expiries = self._expiries
        while expiries and expiries[0] <= now:
            expiries.popleft()

    def _delay(self, now: float) -> float | None:
        """0.0 if an attempt may start now, else seconds to a known time, or None (a release)."""
        if now < self._paused_until:
            return self._paused_until - now
        if self._max is not None and self._in_flight >= self._max:
            return None
        if self._rate_limit is not None:
            self._expire(now)
            if self._in_flight + len(self._expiries) >= self._rate_limit.requests:
                return self._expiries[0] - now if self._expiries else None
        return 0.0

    def _head(self) -> _Waiter | None:
        queue = self._queue
        while queue and queue[0].gone:
            queue.popleft()
        return queue[0] if queue else None

    def _wake_head(self) -> None:
        head = self._head()
        if head is not None and not head.timed:
            head.event.set()

    async def _acquire(self) -> None:
        await anyio.lowlevel.checkpoint_if_cancelled()
        if self._waiting == 0 and self._delay(self._clock()) == 0.0:
            self._in_flight += 1
            return
        waiter = _Waiter()
        self._queue.append(waiter)
        self._waiting += 1
        try:
            while True:
                delay = self._delay(self._clock()) if self._head() is waiter else None
                if delay == 0.0:
                    break
                if waiter.event.is_set():
                    waiter.event = anyio.Event()
                waiter.timed = delay is not None
                if delay is None:
                    await waiter.event.wait()
                else:
                    with anyio.move_on_after(delay):
                        await waiter.event.wait()
        except BaseException:
            waiter.gone = True
            self._waiting -= 1
            self._wake_head()  # if it was the head, the next waiter takes over
            raise
        self._queue.popleft()
        self._waiting -= 1
        self._in_flight += 1
        self._wake_head()  # the next waiter looks at the new state itself

    def _release(self) -> None:
        self._in_flight -= 1
        if self._rate_limit is not None:
            self._expiries.append(self._clock() + self._per)
        self._wake_head()


class _Slot:
    __slots__ = ("_limiter",)

    def __init__(self, limiter: Limiter) -> None:
        self._limiter = limiter

    async def __aenter__(self) -> None:
        await self._limiter._acquire()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._limiter._release()
