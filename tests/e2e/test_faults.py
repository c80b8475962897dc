"""The SDK against each fault the fake injects: what is retried, what is ambiguous, what is lost."""

from __future__ import annotations

import anyio
import pytest

from ngrok_async import (
    AmbiguousCreateError,
    AsyncClient,
    NgrokTimeoutError,
    NotFoundError,
    RateLimitError,
    ServerError,
)
from ngrok_async.testing import FakeNgrok, Faults


def fake_with(faults: Faults, seed: int = 5) -> FakeNgrok:
    return FakeNgrok(api_key="k", faults=faults, seed=seed)


@pytest.mark.usefixtures("sleeps")
async def test_503_before_work_is_retried_until_it_succeeds() -> None:
    fake = fake_with(Faults(p_unavailable=0.5), seed=11)
    async with fake.client(rate_limit=None, max_retries=10) as ngrok:
        creds = [await ngrok.credentials.create(description=f"#{i}") for i in range(20)]

    assert len({c.id for c in creds}) == 20
    assert fake.stats.faults["unavailable"] > 0
    assert fake.stats.created["credentials"] == 20  # no duplicates from the retries
    assert len(fake.resources("credentials")) == 20


@pytest.mark.usefixtures("sleeps")
async def test_503_every_time_exhausts_retries() -> None:
    fake = fake_with(Faults(p_unavailable=1.0))
    async with fake.client(rate_limit=None, max_retries=2) as ngrok:
        with pytest.raises(ServerError) as info:
            await ngrok.credentials.get("cr_1")

    assert info.value.status_code == 503
    assert fake.stats.requests == 3


@pytest.mark.parametrize("fault", ["p_bad_gateway_after", "p_drop_after"])
async def test_work_then_failure_makes_a_create_ambiguous_and_not_retried(fault: str) -> None:
    fake = fake_with(Faults(**{fault: 1.0}))
    async with fake.client(rate_limit=None) as ngrok:
        with pytest.raises(AmbiguousCreateError):
            await ngrok.credentials.create(description="maybe")

    assert fake.stats.requests == 1
    assert [c["description"] for c in fake.resources("credentials")] == ["maybe"]


@pytest.mark.parametrize("fault", ["p_bad_gateway_after", "p_drop_after"])
@pytest.mark.usefixtures("sleeps")
async def test_work_then_failure_is_retried_for_reads(fault: str) -> None:
    fake = fake_with(Faults())
    async with fake.client(rate_limit=None, max_retries=20) as ngrok:
        cred = await ngrok.credentials.create()
        fake.faults = Faults(**{fault: 0.5})
        fetched = [await ngrok.credentials.get(cred.id) for _ in range(10)]

    assert all(f.id == cred.id for f in fetched)
    assert sum(fake.stats.faults.values()) > 0


async def test_dropped_connection_over_a_socket_is_ambiguous_for_create() -> None:
    fake = fake_with(Faults(p_drop_after=1.0))
    async with fake.serve() as url, AsyncClient("k", base_url=url, rate_limit=None) as ngrok:
        with pytest.raises(AmbiguousCreateError) as info:
            await ngrok.ssh_certificate_authorities.create()

    assert "may or may not exist" in str(info.value)
    assert len(fake.resources("ssh_certificate_authorities")) == 1


async def test_simultaneous_request_cap_answers_225_and_is_retried() -> None:
    fake = fake_with(Faults(max_concurrent=2, latency=0.05))
    created: list[str] = []

    async def create(ngrok: AsyncClient, i: int) -> None:
        created.append((await ngrok.credentials.create(description=f"#{i}")).id)

    async with (
        fake.client(rate_limit=None, max_concurrency=None, max_retries=10) as ngrok,
        anyio.create_task_group() as tg,
    ):
        for i in range(8):
            tg.start_soon(create, ngrok, i)

    assert fake.stats.faults["max_concurrent"] > 0
    assert len(set(created)) == 8
    assert len(fake.resources("credentials")) == 8


async def test_simultaneous_request_cap_surfaces_err_ngrok_225() -> None:
    fake = fake_with(Faults(max_concurrent=1, latency=0.3))

    async def hold_the_only_slot(ngrok: AsyncClient) -> None:
        with pytest.raises(NotFoundError):
            await ngrok.credentials.get("cr_1")

    async with (
        fake.client(rate_limit=None, max_concurrency=None, max_retries=0) as ngrok,
        anyio.create_task_group() as tg,
    ):
        tg.start_soon(hold_the_only_slot, ngrok)
        await anyio.sleep(0.05)
        with pytest.raises(RateLimitError) as info:
            await ngrok.credentials.create()

    assert info.value.error_code == "ERR_NGROK_225"
    assert fake.resources("credentials") == []


async def test_latency_beyond_the_read_timeout_is_a_timeout() -> None:
    fake = fake_with(Faults(latency=1.0))
    async with (
        fake.serve() as url,
        AsyncClient("k", base_url=url, rate_limit=None, timeout=0.1, max_retries=1) as ngrok,
    ):
        with pytest.raises(NgrokTimeoutError):
            await ngrok.credentials.get("cr_1")

    assert fake.stats.requests == 2
