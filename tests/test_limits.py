"""The shared limiter: rolling window, concurrency cap, FIFO, cancellation, pause; asyncio and trio.

Timing-exact tests run under trio's MockClock (virtual time, no real waiting) with the limiter
on ``trio.current_time``; the rest run briefly in real time on both backends.
"""

from __future__ import annotations

import asyncio
import bisect
import math
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import anyio
import anyio.lowlevel
import pytest
import trio
import trio.testing
from hypothesis import given, settings
from hypothesis import strategies as st

from ngrok_async._limits import Limiter
from ngrok_async._types import RateLimit

T = TypeVar("T")
BACKENDS = ["asyncio", "trio"]
EPS = 1e-9


def virtual(main: Callable[[], Awaitable[T]]) -> T:
    """Run ``main`` under trio with a virtual clock that jumps whenever every task is blocked."""
    return trio.run(main, clock=trio.testing.MockClock(autojump_threshold=0))


class Recorder:
    """Runs attempts through a limiter and records when each held its slot."""

    def __init__(self, limiter: Limiter, clock: Callable[[], float]) -> None:
        self.limiter = limiter
        self.clock = clock
        self.spans: list[tuple[float, float]] = []  # (start, end) of each attempt
        self.asked: list[int] = []  # order in which attempts reached the limiter
        self.order: list[int] = []  # order in which they got in
        self.start_of: dict[int, float] = {}
        self.max_in_flight = 0

    async def attempt(self, name: int, duration: float = 0.0, delay: float = 0.0) -> None:
        if delay:
            await anyio.sleep(delay)
        self.asked.append(name)
        async with self.limiter.slot():
            start = self.clock()
            self.order.append(name)
            self.start_of[name] = start
            self.max_in_flight = max(self.max_in_flight, self.limiter.in_flight)
            await anyio.sleep(duration)
            end = self.clock()
        self.spans.append((start, end))

    @property
    def starts(self) -> list[float]:
        return sorted(start for start, _ in self.spans)


def max_live_permits(spans: list[tuple[float, float]], per: float) -> int:
    """Most permits live at any admission: acquired by then, expiring after it."""
    return max(sum(1 for a, c in spans if a <= start < c + per) for start, _ in spans)


def max_server_count(arrivals: list[float], per: float) -> int:
    """Most arrivals a server sees in any rolling window ``(t - per, t]``.

    Virtual time puts a request's start exactly ``per`` after an earlier completion; ``EPS``
    keeps float rounding at that boundary from counting it twice.
    """
    xs = sorted(arrivals)
    return max(i + 1 - bisect.bisect_right(xs, x - per + EPS) for i, x in enumerate(xs))


# --- construction and read-only numbers -------------------------------------------------------


@pytest.mark.parametrize("bad", [0, -1, True, 1.5, "3"])
def test_max_concurrency_must_be_a_positive_int(bad: Any) -> None:
    with pytest.raises(ValueError, match="max_concurrency"):
        Limiter(None, bad)


@pytest.mark.parametrize("bad", [-0.1, math.nan, math.inf, "1"])
def test_pause_rejects_bad_seconds(bad: Any) -> None:
    limiter = Limiter(None, None, clock=lambda: 0.0)
    with pytest.raises(ValueError, match="pause"):
        limiter.pause(bad)
    assert limiter.paused_until == -math.inf


async def test_numbers_follow_acquisition_completion_and_expiry() -> None:
    now = [100.0]
    limiter = Limiter(RateLimit(5, 10.0), 3, clock=lambda: now[0])
    assert (limiter.in_flight, limiter.window_used, limiter.waiting) == (0, 0, 0)
    assert limiter.rate_limit == RateLimit(5, 10.0)
    assert limiter.max_concurrency == 3
    async with limiter.slot():
        assert (limiter.in_flight, limiter.window_used) == (1, 1)  # counted from acquisition
        now[0] = 150.0  # a long request: its permit has not expired
        assert limiter.window_used == 1
        assert limiter.next_expiry_in == 0.0  # nothing completed yet
    assert (limiter.in_flight, limiter.window_used) == (0, 1)
    now[0] = 159.0
    assert limiter.window_used == 1
    assert limiter.next_expiry_in == pytest.approx(1.0)
    now[0] = 160.0  # ten seconds after completion, not after start
    assert limiter.window_used == 0
    assert limiter.next_expiry_in == 0.0


async def test_no_limits_lets_everything_through_at_once() -> None:
    limiter = Limiter(None, None)
    entered = anyio.Event()
    counts: list[int] = []

    async def hold() -> None:
        async with limiter.slot():
            counts.append(limiter.in_flight)
            await entered.wait()

    async with anyio.create_task_group() as tg:
        for _ in range(200):
            tg.start_soon(hold)
        await anyio.wait_all_tasks_blocked()
        assert limiter.in_flight == 200
        assert limiter.window_used == 0
        entered.set()
    assert max(counts) == 200
    assert limiter.in_flight == 0


# --- the rolling window ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        (5.0, 0.9, [0.0, 0.0, 1.9, 2.9]),
        (5.0, 5.0, [0.0, 0.0, 6.0, 6.0]),
        (0.0, 0.0, [0.0, 0.0, 1.0, 1.0]),
    ],
)
def test_permits_expire_per_seconds_after_completion(
    first: float, second: float, expected: list[float]
) -> None:
    """Two requests fill a 2-per-second window; two more wait for completion + 1 s.

    Expiring at start + 1 s would let both start at 1.0, while a request that arrived at the
    server at up to 0.9 (or 5.0) is still inside the server's window.
    """

    async def main() -> list[float]:
        limiter = Limiter(RateLimit(2, 1.0), clock=trio.current_time)
        rec = Recorder(limiter, trio.current_time)
        async with trio.open_nursery() as nursery:
            nursery.start_soon(rec.attempt, 0, first)
            nursery.start_soon(rec.attempt, 1, second)
            await trio.testing.wait_all_tasks_blocked()
            assert limiter.window_used == 2
            nursery.start_soon(rec.attempt, 2, 0.0)
            nursery.start_soon(rec.attempt, 3, 0.0)
        return rec.starts

    assert virtual(main) == pytest.approx(expected)


@settings(max_examples=60, deadline=None)
@given(
    requests=st.integers(1, 4),
    per=st.sampled_from([0.5, 1.0, 2.5]),
    cap=st.none() | st.integers(1, 5),
    calls=st.lists(
        st.tuples(st.floats(0, 3, allow_nan=False), st.floats(0, 3, allow_nan=False)),
        min_size=1,
        max_size=25,
    ),
    seed=st.integers(0, 2**32),
)
def test_no_server_window_ever_sees_more_than_the_limit(
    requests: int, per: float, cap: int | None, calls: list[tuple[float, float]], seed: int
) -> None:
    """Random call times and durations; the server may see each request at any moment between
    its start and its end. No rolling window may hold more than ``requests`` arrivals."""

    async def main() -> Recorder:
        limiter = Limiter(RateLimit(requests, per), cap, clock=trio.current_time)
        rec = Recorder(limiter, trio.current_time)
        async with trio.open_nursery() as nursery:
            for i, (delay, duration) in enumerate(calls):
                nursery.start_soon(rec.attempt, i, duration, delay)
        assert (limiter.in_flight, limiter.waiting) == (0, 0)
        return rec

    rec = virtual(main)
    assert len(rec.spans) == len(calls)
    assert max_live_permits(rec.spans, per) <= requests
    rng = random.Random(seed)
    for pick in (lambda a, c: a, lambda a, c: c, lambda a, c: rng.uniform(a, c)):
        assert max_server_count([pick(a, c) for a, c in rec.spans], per) <= requests
    assert rec.max_in_flight <= (cap or len(calls))
    # FIFO: whoever asked strictly earlier started no later.
    for i, (asked_i, _) in enumerate(calls):
        for j, (asked_j, _) in enumerate(calls):
            if asked_i < asked_j:
                assert rec.start_of[i] <= rec.start_of[j]


@pytest.mark.parametrize("backend", BACKENDS)
def test_real_time_window_is_not_exceeded(backend: str) -> None:
    async def main() -> tuple[Recorder, float]:
        limiter = Limiter(RateLimit(20, 0.2))
        rec = Recorder(limiter, time.monotonic)
        began = time.monotonic()
        async with anyio.create_task_group() as tg:
            for i in range(60):
                tg.start_soon(rec.attempt, i, 0.001 * (i % 7))
        return rec, time.monotonic() - began

    rec, took = anyio.run(main, backend=backend)
    assert max_live_permits(rec.spans, 0.2) <= 20
    assert max_server_count([c for _, c in rec.spans], 0.2) <= 20
    assert 0.4 <= took < 0.4 + 0.5  # three batches, the last starting after two windows


# --- the concurrency cap -----------------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_concurrency_cap_is_respected_and_reached(backend: str) -> None:
    async def main() -> Recorder:
        limiter = Limiter(None, max_concurrency=5)
        rec = Recorder(limiter, time.monotonic)
        async with anyio.create_task_group() as tg:
            for i in range(50):
                tg.start_soon(rec.attempt, i, 0.002)
        assert (limiter.in_flight, limiter.waiting) == (0, 0)
        return rec

    rec = anyio.run(main, backend=backend)
    assert len(rec.spans) == 50
    assert rec.max_in_flight == 5


def test_cap_and_window_together() -> None:
    """Cap 3, window 4 per second, requests of 0.5 s: the window binds after the first four."""

    async def main() -> Recorder:
        limiter = Limiter(RateLimit(4, 1.0), 3, clock=trio.current_time)
        rec = Recorder(limiter, trio.current_time)
        async with trio.open_nursery() as nursery:
            for i in range(8):
                nursery.start_soon(rec.attempt, i, 0.5)
                await trio.testing.wait_all_tasks_blocked()
        return rec

    rec = virtual(main)
    assert rec.max_in_flight == 3
    assert [rec.start_of[i] for i in range(8)] == pytest.approx(
        [0.0, 0.0, 0.0, 0.5, 1.5, 1.5, 1.5, 2.0]
    )


# --- FIFO --------------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_waiters_are_served_in_arrival_order(backend: str) -> None:
    async def main() -> list[int]:
        limiter = Limiter(RateLimit(100, 60.0), max_concurrency=1)
        order: list[int] = []

        async def worker(name: int, *, task_status: anyio.abc.TaskStatus[None]) -> None:
            task_status.started()
            async with limiter.slot():
                order.append(name)
                await anyio.lowlevel.checkpoint()

        async with anyio.create_task_group() as tg, limiter.slot():
            for i in range(20):
                await tg.start(worker, i)
                assert limiter.waiting == i + 1
        return order

    assert anyio.run(main, backend=backend) == list(range(20))


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_releasing_task_cannot_barge_ahead_of_a_woken_waiter(backend: str) -> None:
    async def main() -> list[str]:
        limiter = Limiter(None, max_concurrency=1)
        order: list[str] = []

        async def waiter() -> None:
            async with limiter.slot():
                order.append("waiter")

        async with anyio.create_task_group() as tg:
            holder = limiter.slot()
            await holder.__aenter__()
            tg.start_soon(waiter)
            await anyio.wait_all_tasks_blocked()
            await holder.__aexit__(None, None, None)  # wakes the waiter, which has not run yet
            async with limiter.slot():  # so this must queue behind it
                order.append("holder again")
        return order

    assert anyio.run(main, backend=backend) == ["waiter", "holder again"]


def test_a_newcomer_does_not_jump_a_waiter_whose_timer_is_due() -> None:
    async def main() -> list[tuple[str, float]]:
        limiter = Limiter(RateLimit(1, 1.0), clock=trio.current_time)
        log: list[tuple[str, float]] = []

        async def call(name: str, at: float) -> None:
            await trio.sleep_until(at)
            async with limiter.slot():
                log.append((name, trio.current_time()))

        async with trio.open_nursery() as nursery:
            nursery.start_soon(call, "first", 0.0)
            nursery.start_soon(call, "queued", 0.2)  # waits for 1.0
            nursery.start_soon(call, "newcomer", 1.0)  # arrives just as the permit frees
            nursery.start_soon(call, "late", 1.5)
        return log

    assert virtual(main) == [("first", 0.0), ("queued", 1.0), ("newcomer", 2.0), ("late", 3.0)]


# --- cancellation ------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_cancel_scope_on_a_waiter_releases_nothing_it_did_not_take(backend: str) -> None:
    async def main() -> None:
        limiter = Limiter(RateLimit(10, 60.0), max_concurrency=1)
        async with limiter.slot():
            with anyio.move_on_after(0.02) as scope:
                async with limiter.slot():
                    pytest.fail("entered a slot that was taken")
            assert scope.cancelled_caught
            assert (limiter.in_flight, limiter.waiting, limiter.window_used) == (1, 0, 1)
        assert (limiter.in_flight, limiter.window_used) == (0, 1)
        with anyio.fail_after(1):
            async with limiter.slot():
                assert (limiter.in_flight, limiter.window_used) == (1, 2)

    anyio.run(main, backend=backend)


@pytest.mark.parametrize("backend", BACKENDS)
def test_cancelling_queued_waiters_hands_over_to_the_next(backend: str) -> None:
    async def main() -> list[int]:
        limiter = Limiter(None, max_concurrency=1)
        order: list[int] = []
        scopes = [anyio.CancelScope() for _ in range(6)]

        async def worker(i: int, *, task_status: anyio.abc.TaskStatus[None]) -> None:
            with scopes[i]:
                task_status.started()
                async with limiter.slot():
                    order.append(i)

        async with anyio.create_task_group() as tg, limiter.slot():
            for i in range(6):
                await tg.start(worker, i)
            for i in (0, 2, 5):  # the head, one in the middle, the tail
                scopes[i].cancel()
            await anyio.wait_all_tasks_blocked()
            assert limiter.waiting == 3
        assert (limiter.in_flight, limiter.waiting) == (0, 0)
        return order

    assert anyio.run(main, backend=backend) == [1, 3, 4]


def test_cancelling_the_timed_head_lets_the_next_take_its_turn() -> None:
    async def main() -> list[tuple[str, float]]:
        limiter = Limiter(RateLimit(1, 1.0), clock=trio.current_time)
        log: list[tuple[str, float]] = []

        async def call(name: str, scope: trio.CancelScope) -> None:
            with scope:
                async with limiter.slot():
                    log.append((name, trio.current_time()))

        head_scope = trio.CancelScope()
        async with trio.open_nursery() as nursery:
            nursery.start_soon(call, "first", trio.CancelScope())
            await trio.testing.wait_all_tasks_blocked()
            nursery.start_soon(call, "head", head_scope)  # sleeps until 1.0
            await trio.testing.wait_all_tasks_blocked()
            nursery.start_soon(call, "next", trio.CancelScope())
            await trio.sleep(0.5)
            head_scope.cancel()
        return log

    assert virtual(main) == [("first", 0.0), ("next", 1.0)]


async def test_asyncio_task_cancel_of_a_queued_and_of_a_woken_waiter() -> None:
    limiter = Limiter(RateLimit(10, 60.0), max_concurrency=1)
    order: list[str] = []

    async def worker(name: str) -> None:
        async with limiter.slot():
            order.append(name)

    holder = limiter.slot()
    await holder.__aenter__()
    tasks = {name: asyncio.create_task(worker(name)) for name in "abcd"}
    await asyncio.sleep(0)  # each task runs until it queues
    assert limiter.waiting == 4
    tasks["c"].cancel()  # queued in the middle
    await asyncio.sleep(0)
    assert limiter.waiting == 3
    await holder.__aexit__(None, None, None)  # wakes "a" ...
    tasks["a"].cancel()  # ... which is cancelled before it runs: "b" must get the slot
    await asyncio.wait_for(asyncio.gather(tasks["b"], tasks["d"]), 1)
    assert order == ["b", "d"]
    assert tasks["a"].cancelled()
    assert tasks["c"].cancelled()
    assert (limiter.in_flight, limiter.waiting, limiter.window_used) == (0, 0, 3)


async def test_asyncio_task_cancel_of_a_holder_releases_its_slot() -> None:
    limiter = Limiter(RateLimit(10, 60.0), max_concurrency=1)
    entered = asyncio.Event()

    async def hold() -> None:
        async with limiter.slot():
            entered.set()
            await asyncio.sleep(3600)

    task = asyncio.create_task(hold())
    await entered.wait()
    waiter = asyncio.create_task(worker_once(limiter))
    await asyncio.sleep(0)
    assert (limiter.in_flight, limiter.waiting) == (1, 1)
    task.cancel()
    assert await asyncio.wait_for(waiter, 1) == 1
    assert (limiter.in_flight, limiter.waiting, limiter.window_used) == (0, 0, 2)


async def worker_once(limiter: Limiter) -> int:
    async with limiter.slot():
        return limiter.in_flight


@pytest.mark.parametrize("backend", BACKENDS)
def test_cancel_scope_on_a_holder_releases_its_slot_and_stamps_its_permit(backend: str) -> None:
    async def main() -> None:
        now = [0.0]
        limiter = Limiter(RateLimit(2, 10.0), max_concurrency=1, clock=lambda: now[0])
        with anyio.CancelScope() as scope:
            async with limiter.slot():
                now[0] = 3.0
                scope.cancel()
                await anyio.sleep(3600)
        assert scope.cancelled_caught
        assert (limiter.in_flight, limiter.window_used) == (0, 1)
        assert limiter.next_expiry_in == 10.0  # stamped when it was cancelled, at 3.0
        now[0] = 13.0
        assert limiter.window_used == 0

    anyio.run(main, backend=backend)


# --- pause after a 429 -------------------------------------------------------------------------


def test_pause_holds_every_new_attempt_but_not_those_in_flight() -> None:
    async def main() -> tuple[list[tuple[int, float]], list[float]]:
        limiter = Limiter(RateLimit(100, 1.0), 10, clock=trio.current_time)
        starts: list[tuple[int, float]] = []
        ends: list[float] = []

        async def call(i: int, at: float, duration: float = 0.0) -> None:
            await trio.sleep_until(at)
            async with limiter.slot():
                starts.append((i, trio.current_time()))
                await trio.sleep(duration)
                ends.append(trio.current_time())

        async with trio.open_nursery() as nursery:
            nursery.start_soon(call, 0, 0.0, 1.0)  # in flight while the pause is set
            await trio.testing.wait_all_tasks_blocked()
            limiter.pause(2.0)
            limiter.pause(0.5)  # a shorter pause never shortens the current one
            assert limiter.paused_until == 2.0
            for i in range(1, 6):
                nursery.start_soon(call, i, 0.1 * i)
            await trio.sleep(1.5)
            limiter.pause(1.0)  # extended while callers wait: now until 2.5
        return starts, ends

    starts, ends = virtual(main)
    assert ends[0] == 1.0
    assert starts == [(0, 0.0), *[(i, 2.5) for i in range(1, 6)]]


@pytest.mark.parametrize("backend", BACKENDS)
def test_pause_delays_callers_in_real_time(backend: str) -> None:
    async def main() -> list[float]:
        limiter = Limiter(RateLimit(100, 1.0), 4)
        began = time.monotonic()
        limiter.pause(0.05)
        waits: list[float] = []

        async def call() -> None:
            async with limiter.slot():
                waits.append(time.monotonic() - began)

        async with anyio.create_task_group() as tg:
            for _ in range(10):
                tg.start_soon(call)
        return waits

    waits = anyio.run(main, backend=backend)
    assert len(waits) == 10
    assert all(0.05 <= w < 0.5 for w in waits)


def test_pause_after_429_waits_for_the_oldest_permit_to_expire() -> None:
    async def main() -> list[float]:
        limiter = Limiter(RateLimit(3, 10.0), clock=trio.current_time)
        pauses = []
        for _ in range(3):
            async with limiter.slot():
                await trio.sleep(1.0)
        start = trio.current_time()
        await limiter.after_429(retry_after=None, concurrency_cap=False)
        pauses.append(limiter.paused_until - start)  # oldest completed at 1.0, now 3.0
        await trio.sleep(8.0)
        await limiter.after_429(retry_after=2.0, concurrency_cap=False)
        pauses.append(limiter.paused_until - trio.current_time())  # Retry-After wins
        await trio.sleep(2.0)
        await limiter.after_429(retry_after=None, concurrency_cap=True)
        pauses.append(limiter.paused_until - trio.current_time())  # the cap: the floor only
        return pauses

    assert virtual(main) == pytest.approx([8.0, 2.0, 0.5])


# --- a burst of 1,000 --------------------------------------------------------------------------


def test_thousand_waiter_burst_in_virtual_time() -> None:
    calls = [0]

    def clock() -> float:
        calls[0] += 1
        return trio.current_time()

    async def main() -> tuple[Recorder, float]:
        limiter = Limiter(RateLimit(100, 1.0), clock=clock)
        rec = Recorder(limiter, trio.current_time)
        async with trio.open_nursery() as nursery:
            for i in range(1000):
                nursery.start_soon(rec.attempt, i, 0.01)
        return rec, trio.current_time()

    rec, took = virtual(main)
    # Batch k starts when batch k-1's permits expire: k * (0.01 + 1.0).
    assert took == pytest.approx(9 * 1.01 + 0.01)
    assert rec.order == rec.asked
    assert len(rec.order) == 1000
    assert max_live_permits(rec.spans, 1.0) == 100
    assert calls[0] <= 3 * 1000  # O(1) clock reads per acquisition: nothing polls


@pytest.mark.parametrize("backend", BACKENDS)
def test_thousand_waiter_burst_in_real_time(backend: str) -> None:
    async def main() -> tuple[Recorder, float]:
        limiter = Limiter(RateLimit(250, 0.1), max_concurrency=50)
        rec = Recorder(limiter, time.monotonic)
        began = time.monotonic()
        async with anyio.create_task_group() as tg:
            for i in range(1000):
                tg.start_soon(rec.attempt, i)
        return rec, time.monotonic() - began

    rec, took = anyio.run(main, backend=backend)
    assert len(rec.spans) == 1000
    assert rec.max_in_flight == 50
    assert rec.order == rec.asked
    assert max_live_permits(rec.spans, 0.1) <= 250
    assert 0.3 <= took < 0.3 + 0.5  # four windows' worth: starts at about 0, 0.1, 0.2, 0.3
