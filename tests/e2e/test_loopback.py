"""The SDK over real sockets against the fake API served on 127.0.0.1 by the test itself."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

import anyio
import httpx
import pytest

from ngrok_async import AsyncClient, NotFoundError, RateLimit
from ngrok_async.ssh_keys import generate_key_pair, verify_certificate
from ngrok_async.testing import FakeNgrok, Faults


@contextlib.asynccontextmanager
async def served() -> AsyncIterator[tuple[FakeNgrok, str]]:
    """The fake on a loopback port (inline, not a fixture: its task group must stay in-task)."""
    fake = FakeNgrok(api_key="e2e-key", seed=7)
    async with fake.serve() as url:
        yield fake, url


def _pool_state(client: AsyncClient) -> tuple[int, int]:
    """(connections busy with a request, requests queued) in the client's httpcore pool."""
    pool = client._http.client._transport._pool  # type: ignore[attr-defined]
    busy = sum(1 for conn in pool.connections if not conn.is_idle() and not conn.is_closed())
    return busy, len(pool._requests)


async def test_lifecycle_of_every_resource_over_sockets() -> None:
    async with served() as (fake, url):
        await _lifecycle_of_every_resource_over_sockets(fake, url)


async def _lifecycle_of_every_resource_over_sockets(fake: FakeNgrok, url: str) -> None:
    _, public_key = generate_key_pair("ed25519")

    async with AsyncClient("e2e-key", base_url=url) as ngrok:
        cred = await ngrok.credentials.create(description="ci runner", acl=["bind:*.example.com"])
        assert cred.token
        assert (await ngrok.credentials.get(cred.id)).token is None
        updated = await ngrok.credentials.update(cred.id, metadata='{"team": "infra"}')
        assert (updated.metadata, updated.description) == ('{"team": "infra"}', "ci runner")

        ssh_cred = await ngrok.ssh_credentials.create(public_key, acl=["bind:x.example.com"])
        assert ssh_cred.public_key == public_key

        ca = await ngrok.ssh_certificate_authorities.create(private_key_type="ed25519")
        cert = await ngrok.ssh_user_certificates.create(ca.id, public_key, principals=["alice"])
        assert cert.extensions == {"permit-pty": "", "permit-user-rc": ""}
        info = verify_certificate(
            cert.certificate,
            ca_public_key=ca.public_key,
            public_key=public_key,
            principal="alice",
        )
        assert info.key_id == cert.id

        for service, record in [
            (ngrok.credentials, cred),
            (ngrok.ssh_credentials, ssh_cred),
            (ngrok.ssh_user_certificates, cert),
            (ngrok.ssh_certificate_authorities, ca),
        ]:
            assert [r.id async for r in service.list()] == [record.id]
            await service.delete(record.id)
            with pytest.raises(NotFoundError) as missing:
                await service.get(record.id)
            assert missing.value.operation_id.startswith("op_")

    assert fake.stats.responses[500] == 0


async def test_paging_across_pages_over_sockets() -> None:
    async with served() as (fake, url):
        await _paging_across_pages_over_sockets(fake, url)


async def _paging_across_pages_over_sockets(fake: FakeNgrok, url: str) -> None:
    async with AsyncClient("e2e-key", base_url=url, rate_limit=None) as ngrok:
        created = [(await ngrok.credentials.create(description=f"#{i}")).id for i in range(7)]

        pages = [page async for page in ngrok.credentials.pages(limit=3)]
        listed = [c.id async for c in ngrok.credentials.list(limit=3)]

    assert [len(p.items) for p in pages] == [3, 3, 1]
    assert listed == created[::-1]
    assert str(pages[0].next_page_uri).startswith(url)
    assert pages[-1].next_page_uri is None


@pytest.mark.slow
async def test_rate_limited_burst_of_1000_calls() -> None:
    """1,000 calls against a server enforcing 50 requests per rolling second: ≤ 1% answered
    429, and throughput within 10% of what the window allows (a permit expires one window after
    its request completes, so each round trip through the in-process server, slower on a loaded
    machine, comes out of the ceiling: 96-97% on a quiet one)."""
    calls, allowed, window = 1000, 50, 1.0
    fake = FakeNgrok(
        api_key="e2e-key",
        seed=3,
        faults=Faults(rate_limit=(allowed, window)),
        record_requests=False,
    )
    async with (
        fake.serve() as url,
        AsyncClient(
            "e2e-key", base_url=url, rate_limit=RateLimit(allowed, window), max_concurrency=16
        ) as ngrok,
    ):
        started = time.perf_counter()
        async with anyio.create_task_group() as tg:
            for i in range(calls):
                tg.start_soon(_create, ngrok, i)
        elapsed = time.perf_counter() - started

    ideal = (calls - allowed) * window / allowed  # the first window is free, then 50 per second
    rejected = fake.stats.faults["rate_limit"]
    share_429 = rejected / fake.stats.requests
    efficiency = ideal / elapsed
    print(
        f"\n1,000-call burst: {elapsed:.2f} s (ideal {ideal:.2f} s, {efficiency:.1%} of the "
        f"ceiling), {rejected} of {fake.stats.requests} requests answered 429 "
        f"({share_429:.2%})"
    )
    assert fake.stats.created["credentials"] == calls
    assert share_429 <= 0.01
    assert efficiency >= 0.90


async def _create(ngrok: AsyncClient, i: int) -> None:
    await ngrok.credentials.create(description=f"burst #{i}")


@pytest.mark.slow
@pytest.mark.parametrize("how", ["cancel_scope", "task_cancel"])
@pytest.mark.parametrize("choice", ["httpx", "aiohttp"])
async def test_cancelling_500_in_flight_calls_leaks_nothing(
    how: str, choice: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NGROK_TRANSPORT", choice)
    fake = FakeNgrok(api_key="e2e-key", faults=Faults(latency=5.0), record_requests=False)
    async with (
        fake.serve() as url,
        AsyncClient(
            "e2e-key", base_url=url, rate_limit=RateLimit(10_000, 60.0), max_concurrency=None
        ) as ngrok,
    ):
        limiter = ngrok._http.limiter
        if how == "cancel_scope":
            with anyio.move_on_after(1.0):
                async with anyio.create_task_group() as tg:
                    for _ in range(500):
                        tg.start_soon(_get_missing, ngrok)
        else:
            tasks = [asyncio.ensure_future(_get_missing(ngrok)) for _ in range(500)]
            await asyncio.sleep(1.0)
            for task in tasks:
                task.cancel()
            results = await asyncio.gather(*tasks, return_exceptions=True)
            assert all(isinstance(r, asyncio.CancelledError) for r in results)

        assert fake.stats.requests >= 100  # the cancelled calls really were on the wire
        assert limiter.in_flight == 0
        assert limiter.waiting == 0
        if choice == "httpx":
            assert _pool_state(ngrok) == (0, 0)

        fake.faults = Faults()
        cred = await ngrok.credentials.create(description="still works")
        assert (await ngrok.credentials.get(cred.id)).id == cred.id


async def _get_missing(ngrok: AsyncClient) -> None:
    await ngrok.credentials.get("cr_missing")


def test_runs_under_trio_over_sockets() -> None:
    async def main() -> list[str]:
        fake = FakeNgrok(api_key="trio-key")
        async with fake.serve() as url, AsyncClient("trio-key", base_url=url) as ngrok:
            async with anyio.create_task_group() as tg:
                for i in range(5):
                    tg.start_soon(_create, ngrok, i)
            return [c.description async for c in ngrok.credentials.list(limit=2)]

    descriptions = anyio.run(main, backend="trio")

    assert sorted(descriptions) == [f"burst #{i}" for i in range(5)]


def test_runs_under_trio_on_the_transport() -> None:
    fake = FakeNgrok(api_key="trio-key", faults=Faults(p_unavailable=0.3), seed=1)

    async def main() -> int:
        # Which task draws which fault depends on scheduling, so the seed alone does not fix
        # the outcome: enough retries that 20 creates all succeed (P(failure) < 1e-3).
        async with fake.client(max_retries=8) as ngrok:
            async with anyio.create_task_group() as tg:
                for i in range(20):
                    tg.start_soon(_create, ngrok, i)
            return len([c async for c in ngrok.credentials.list()])

    assert anyio.run(main, backend="trio") == 20
    assert fake.stats.faults["unavailable"] > 0


async def test_plain_http_client_can_follow_served_uris() -> None:
    async with served() as (fake, url):
        await _plain_http_client_can_follow_served_uris(fake, url)


async def _plain_http_client_can_follow_served_uris(fake: FakeNgrok, url: str) -> None:
    headers = {"Authorization": "Bearer e2e-key", "Ngrok-Version": "2"}
    async with httpx.AsyncClient(headers=headers) as http:
        created = await http.post(f"{url}/credentials", json={"description": "raw"})
        fetched = await http.get(created.json()["uri"])

    assert created.status_code == 201
    assert fetched.json()["description"] == "raw"
