"""A limiter that must be entered (``RedisLimiter``, any ``OpenableLimiter``) handed to the client
un-entered: ``async with AsyncClient(...)`` enters it and exits it on close; without ``async
with`` a call is a ``ClientStateError`` before any request; one already entered is left to its
owner."""

from __future__ import annotations

import secrets
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from types import TracebackType
from typing import Any

import anyio
import pytest

from ngrok_async import ClientStateError, OpenableLimiter, RequestLimiter
from ngrok_async.redis import RedisLimiter
from ngrok_async.testing import FakeNgrok

BACKENDS = ["asyncio", "trio"]


def fresh_key() -> str:
    return "lifecycle-" + secrets.token_hex(4)


@pytest.mark.parametrize("backend", BACKENDS)
def test_async_with_the_client_enters_and_exits_an_unentered_redis_limiter(
    redis_url: str, backend: str
) -> None:
    fake = FakeNgrok()
    limiter = RedisLimiter(redis_url, key=fresh_key())

    async def main() -> None:
        assert not limiter.entered
        async with fake.client(limiter=limiter) as ngrok:
            assert limiter.entered
            with anyio.fail_after(10):
                await ngrok.credentials.create(description="shared")
                assert len([c async for c in ngrok.credentials.list()]) == 1
        assert not limiter.entered

    anyio.run(main, backend=backend)
    assert len(fake.resources("credentials")) == 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_without_async_with_an_unentered_limiter_is_a_typed_error_before_any_request(
    redis_url: str, backend: str
) -> None:
    fake = FakeNgrok()

    async def main() -> None:
        ngrok = fake.client(limiter=RedisLimiter(redis_url, key=fresh_key()))
        try:
            with pytest.raises(ClientStateError, match=r"not entered.*async with AsyncClient"):
                await ngrok.credentials.create(description="x")
        finally:
            await ngrok.aclose()

    anyio.run(main, backend=backend)
    assert fake.stats.requests == 0


def test_an_entered_limiter_is_left_to_its_owner(redis_url: str) -> None:
    fake = FakeNgrok()

    async def main() -> None:
        async with RedisLimiter(redis_url, key=fresh_key()) as limiter:
            async with fake.client(limiter=limiter) as ngrok:
                await ngrok.credentials.create()
            assert limiter.entered  # still the owner's
            async with fake.client(limiter=limiter) as again:
                await again.credentials.create()
        assert not limiter.entered

    anyio.run(main)
    assert len(fake.resources("credentials")) == 2


class Counting:
    """A minimal limiter that must be entered: no Redis, counts its enters and exits."""

    def __init__(self) -> None:
        self.entered = False
        self.enters = 0
        self.exits = 0

    async def __aenter__(self) -> Counting:
        self.entered = True
        self.enters += 1
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.entered = False
        self.exits += 1

    def slot(self) -> AbstractAsyncContextManager[object]:
        @asynccontextmanager
        async def held() -> Any:
            assert self.entered
            yield None

        return held()

    async def after_429(self, *, retry_after: float | None, concurrency_cap: bool) -> None:
        return None


def test_any_openable_limiter_is_entered_once_and_exited_on_close() -> None:
    fake = FakeNgrok()
    limiter = Counting()
    assert isinstance(limiter, OpenableLimiter)
    assert isinstance(limiter, RequestLimiter)

    async def main() -> None:
        async with fake.client(limiter=limiter) as ngrok:
            await ngrok.credentials.create()
            await ngrok.with_options(max_retries=1).aclose()  # a view closes nothing
            assert limiter.entered
        assert (limiter.enters, limiter.exits) == (1, 1)

    anyio.run(main)
