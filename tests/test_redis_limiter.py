"""RedisLimiter against a real Redis server (``redis_url``): the shared window and cap, leases
of dead holders, the shared pause, fairness, Redis unreachable, both client kinds, trio."""

from __future__ import annotations

import gc
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import pytest

from ngrok_async import AsyncClient, InvalidParameterError, RateLimit, RequestLimiter
from ngrok_async.redis import LimiterUnavailableError, RedisLimiter
from ngrok_async.testing import FakeNgrok, Faults

BACKENDS = ["asyncio", "trio"]


def fresh_key() -> str:
    return "test-" + secrets.token_hex(4)


class Trace:
    """Start and end times of every slot, and the peak number held at once."""

    def __init__(self) -> None:
        self.spans: list[tuple[float, float]] = []
        self.now = 0
        self.peak = 0

    async def use(self, limiter: RedisLimiter, hold: float = 0.01) -> None:
        async with limiter.slot():
            start = time.monotonic()
            self.now += 1
            self.peak = max(self.peak, self.now)
            await anyio.sleep(hold)
            self.now -= 1
            self.spans.append((start, time.monotonic()))

    def most_started_within(self, seconds: float) -> int:
        starts = sorted(start for start, _ in self.spans)
        return max(sum(1 for s in starts if t <= s < t + seconds) for t in starts)


def run(backend: str, main: Callable[[], Awaitable[Any]]) -> Any:
    return anyio.run(main, backend=backend)


@pytest.mark.parametrize("backend", BACKENDS)
def test_two_limiters_on_one_key_share_the_window_and_the_cap(redis_url: str, backend: str) -> None:
    key = fresh_key()
    trace = Trace()
    per = 0.6

    async def main() -> None:
        options: dict[str, Any] = {"key": key, "rate_limit": RateLimit(4, per)}
        async with (
            RedisLimiter(redis_url, max_concurrency=2, **options) as one,
            RedisLimiter(redis_url, max_concurrency=2, **options) as two,
        ):
            assert isinstance(one, RequestLimiter)
            with anyio.fail_after(10):
                async with anyio.create_task_group() as group:
                    for n in range(12):
                        group.start_soon(trace.use, one if n % 2 else two)

    run(backend, main)
    assert len(trace.spans) == 12
    assert trace.peak <= 2
    # permits expire one window after completion: no `per`-long stretch starts more than 4
    assert trace.most_started_within(per - 0.05) <= 4
    first, last = min(s for s, _ in trace.spans), max(s for s, _ in trace.spans)
    assert last - first >= 2 * per  # 12 requests at 4 a window need at least two more windows


def test_no_process_starves(redis_url: str) -> None:
    key = fresh_key()
    counts = {"a": 0, "b": 0}

    async def hammer(limiter: RedisLimiter, name: str, stop: anyio.Event) -> None:
        while not stop.is_set():
            async with limiter.slot():
                counts[name] += 1
                await anyio.sleep(0.005)

    async def main() -> None:
        async with (
            RedisLimiter(redis_url, key=key, rate_limit=None, max_concurrency=1) as a,
            RedisLimiter(redis_url, key=key, rate_limit=None, max_concurrency=1) as b,
        ):
            stop = anyio.Event()
            async with anyio.create_task_group() as group:
                for _ in range(3):
                    group.start_soon(hammer, a, "a", stop)
                    group.start_soon(hammer, b, "b", stop)
                await anyio.sleep(0.6)
                stop.set()

    anyio.run(main)
    assert min(counts.values()) >= 0.3 * max(counts.values()) > 0


def test_a_dead_holders_lease_expires_and_counts_as_a_permit(redis_url: str) -> None:
    key = fresh_key()

    async def main() -> float:
        dead = RedisLimiter(
            redis_url, key=key, rate_limit=RateLimit(2, 0.5), max_concurrency=1, lease_seconds=0.4
        )
        async with dead:
            await dead.slot().__aenter__()  # never released: the process "dies" holding it
        async with RedisLimiter(
            redis_url, key=key, rate_limit=RateLimit(2, 0.5), max_concurrency=1
        ) as alive:
            started = time.monotonic()
            with anyio.fail_after(5):
                async with alive.slot():
                    return time.monotonic() - started

    waited = anyio.run(main)
    assert 0.3 <= waited < 3.0


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_429_pauses_every_process(redis_url: str, backend: str) -> None:
    key = fresh_key()

    async def main() -> float:
        async with (
            RedisLimiter(redis_url, key=key) as one,
            RedisLimiter(redis_url, key=key) as two,
        ):
            await one.after_429(retry_after=0.4, concurrency_cap=False)
            started = time.monotonic()
            async with two.slot():
                return time.monotonic() - started

    assert 0.3 <= run(backend, main) < 2.0


def test_the_window_pause_waits_for_the_oldest_permit(redis_url: str) -> None:
    key = fresh_key()

    async def main() -> float:
        async with RedisLimiter(redis_url, key=key, rate_limit=RateLimit(10, 0.8)) as limiter:
            async with limiter.slot():
                pass
            await limiter.after_429(retry_after=None, concurrency_cap=False)
            started = time.monotonic()
            async with limiter.slot():
                return time.monotonic() - started

    assert 0.6 <= anyio.run(main) < 1.8  # until the permit taken at the start expires


# coredis leaves anyio memory streams unclosed after a refused connection (its own objects)
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_unreachable_redis_raises_a_typed_error_or_falls_back(redis_url: str) -> None:
    closed = "redis://:s3cret@127.0.0.1:9/0"

    async def main() -> int:
        async with RedisLimiter(closed, key=fresh_key()) as strict:
            with pytest.raises(LimiterUnavailableError) as info:
                async with strict.slot():
                    pass
            assert "s3cret" not in str(info.value)
        done = 0
        local = RedisLimiter(
            closed, key=fresh_key(), on_unavailable="local", fallback_share=0.5, max_concurrency=4
        )
        async with local:
            for _ in range(3):
                async with local.slot():
                    done += 1
            await local.after_429(retry_after=0.0, concurrency_cap=True)
        return done

    assert anyio.run(main) == 3
    gc.collect()  # report coredis's leftovers here, under this test's filters


def test_an_existing_redis_asyncio_client_is_accepted(redis_url: str) -> None:
    import redis.asyncio

    trace = Trace()

    async def main() -> None:
        client = redis.asyncio.Redis.from_url(redis_url)
        try:
            async with (
                RedisLimiter(
                    client, key=fresh_key(), rate_limit=RateLimit(3, 0.5), max_concurrency=2
                ) as limiter,
                anyio.create_task_group() as group,
            ):
                for _ in range(6):
                    group.start_soon(trace.use, limiter)
        finally:
            await client.aclose()

    anyio.run(main)
    assert len(trace.spans) == 6
    assert trace.peak <= 2
    assert trace.most_started_within(0.45) <= 3


@pytest.mark.parametrize("backend", BACKENDS)
def test_clients_sharing_a_key_get_no_429_from_a_server_enforcing_the_window(
    redis_url: str, backend: str
) -> None:
    key = fresh_key()
    fake = FakeNgrok(seed=3, faults=Faults(rate_limit=(4, 0.5)))

    async def issue(ngrok: AsyncClient, n: int) -> None:
        for _ in range(n):
            await ngrok.credentials.create()

    async def main() -> None:
        options: dict[str, Any] = {"key": key, "rate_limit": RateLimit(4, 0.5)}
        async with (
            RedisLimiter(redis_url, **options) as one,
            RedisLimiter(redis_url, **options) as two,
            fake.client(limiter=one, max_retries=0) as a,
            fake.client(limiter=two, max_retries=0) as b,
        ):
            with anyio.fail_after(15):
                async with anyio.create_task_group() as group:
                    group.start_soon(issue, a, 5)
                    group.start_soon(issue, b, 5)

    run(backend, main)
    assert len(fake.resources("credentials")) == 10
    assert fake.stats.faults["rate_limit"] == 0


def test_bad_settings_are_refused(redis_url: str) -> None:
    for options, param in [
        ({"key": ""}, "key"),
        ({"key": "a{b}"}, "key"),
        ({"key": "k", "max_concurrency": 0}, "max_concurrency"),
        ({"key": "k", "rate_limit": (1, 2)}, "rate_limit"),
        ({"key": "k", "lease_seconds": 0}, "lease_seconds"),
        ({"key": "k", "on_unavailable": "ignore"}, "on_unavailable"),
        ({"key": "k", "on_unavailable": "local"}, "fallback_share"),
        ({"key": "k", "on_unavailable": "local", "fallback_share": 2}, "fallback_share"),
    ]:
        with pytest.raises(InvalidParameterError) as info:
            RedisLimiter(redis_url, **options)
        assert info.value.param == param

    limiter = RedisLimiter(redis_url, key="k")
    with pytest.raises(InvalidParameterError) as info:
        AsyncClient("k", limiter=limiter, rate_limit=RateLimit(10, 60))
    assert info.value.param == "limiter"
    with pytest.raises(InvalidParameterError):
        AsyncClient("k", limiter=object())  # type: ignore[arg-type]

    async def not_entered() -> None:
        with pytest.raises(RuntimeError, match="enter the limiter"):
            async with limiter.slot():
                pass

    anyio.run(not_entered)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_cancelled_waiter_leaves_no_place_in_the_queue(redis_url: str, backend: str) -> None:
    key = fresh_key()

    async def main() -> float:
        options: dict[str, Any] = {"key": key, "rate_limit": None, "max_concurrency": 1}
        async with (
            RedisLimiter(redis_url, **options) as one,
            RedisLimiter(redis_url, **options) as two,
        ):
            holding = one.slot()
            await holding.__aenter__()
            with anyio.move_on_after(0.2):  # waits in the Redis queue, then gives up
                async with two.slot():
                    raise AssertionError("the slot was taken")
            await holding.__aexit__(None, None, None)
            started = time.monotonic()
            with anyio.fail_after(2):
                async with one.slot():
                    return time.monotonic() - started

    assert run(backend, main) < 0.5  # not held up by the abandoned waiter (it would be 2 s)


async def _woken_by_a_notice(make: Callable[[], RedisLimiter]) -> tuple[float, RedisLimiter]:
    """How long after another limiter frees the one slot a waiter here gets it."""
    async with make() as one, make() as two:
        for _ in range(500):  # both subscribed (a few ms)
            if one.listening and two.listening:
                break
            await anyio.sleep(0.01)
        assert one.listening
        assert two.listening
        holding = one.slot()
        await holding.__aenter__()
        freed = 0.0

        async def free_soon() -> None:
            nonlocal freed
            await anyio.sleep(0.3)
            freed = time.monotonic()
            await holding.__aexit__(None, None, None)

        async with anyio.create_task_group() as group:
            group.start_soon(free_soon)
            with anyio.fail_after(4):  # the poll interval is 10 s: only a notice is this fast
                async with two.slot():
                    got = time.monotonic()
        return got - freed, two


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_waiter_learns_from_a_notice_that_a_slot_is_free(redis_url: str, backend: str) -> None:
    key = fresh_key()

    def make() -> RedisLimiter:
        return RedisLimiter(
            redis_url, key=key, rate_limit=None, max_concurrency=1, poll_interval=10
        )

    waited, two = run(backend, lambda: _woken_by_a_notice(make))
    assert waited < 0.25
    assert two.wakeups.get("notice", 0) >= 1
    assert "poll" not in two.wakeups
    assert not two.listening  # unsubscribed on exit


def test_notices_come_through_a_redis_asyncio_client_too(redis_url: str) -> None:
    import redis.asyncio

    key = fresh_key()

    async def main() -> tuple[float, RedisLimiter]:
        client = redis.asyncio.Redis.from_url(redis_url)
        try:

            def make() -> RedisLimiter:
                return RedisLimiter(
                    client, key=key, rate_limit=None, max_concurrency=1, poll_interval=10
                )

            return await _woken_by_a_notice(make)
        finally:
            await client.aclose()

    waited, two = anyio.run(main)
    assert waited < 0.25
    assert two.wakeups.get("notice", 0) >= 1


def test_a_waiter_sleeps_until_the_oldest_permit_ends(redis_url: str) -> None:
    key = fresh_key()

    async def main() -> tuple[float, RedisLimiter]:
        options: dict[str, Any] = {"key": key, "rate_limit": RateLimit(1, 0.4)}
        async with RedisLimiter(redis_url, poll_interval=10, **options) as limiter:
            async with limiter.slot():
                pass
            started = time.monotonic()
            with anyio.fail_after(3):
                async with limiter.slot():
                    return time.monotonic() - started, limiter

    waited, limiter = anyio.run(main)
    assert 0.3 <= waited < 0.7
    assert limiter.wakeups.get("timer", 0) >= 1
