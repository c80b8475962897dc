"""Injected faults: each kind, its counters, and seeded reproducibility."""

from __future__ import annotations

import time
from typing import Any

import anyio
import httpx
import pytest
import trio

from ngrok_async.testing import FakeNgrok, Faults

from .conftest import API_KEY, HEADERS, error_of


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def client(fake: FakeNgrok) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=fake, base_url=fake.base_url, headers=HEADERS)


async def test_rate_limit_rolling_window_rejects_without_doing_work() -> None:
    clock = Clock()
    fake = FakeNgrok(API_KEY, faults=Faults(rate_limit=(3, 10.0)), clock=clock)
    async with client(fake) as fake_http:
        statuses = [(await fake_http.post("/credentials")).status_code for _ in range(5)]
        assert statuses == [201, 201, 201, 429, 429]
        limited = await fake_http.post("/credentials")
        body = error_of(limited)
        assert body["error_code"] == "ERR_NGROK_226"
        assert "3 API requests per 10 seconds" in body["msg"]
        assert fake.store.count("credentials") == 3  # rejected requests did no work

        clock.now = 4.0
        assert (await fake_http.get("/credentials")).status_code == 429  # still 3 in (-6, 4]
        clock.now = 10.0  # the three at t=0 leave the window
        assert [(await fake_http.get("/credentials")).status_code for _ in range(4)] == [
            200, 200, 200, 429,
        ]  # fmt: skip
        clock.now = 19.9
        assert (await fake_http.get("/credentials")).status_code == 429
        clock.now = 20.0
        assert (await fake_http.get("/credentials")).status_code == 200
    assert fake.stats.faults["rate_limit"] == 6
    assert fake.stats.responses[429] == 6


async def test_max_concurrent_caps_requests_in_flight() -> None:
    fake = FakeNgrok(API_KEY, faults=Faults(max_concurrent=2, latency=0.2))
    results: list[httpx.Response] = []
    async with client(fake) as fake_http:

        async def one() -> None:
            results.append(await fake_http.post("/credentials"))

        async with anyio.create_task_group() as tg:
            for _ in range(5):
                tg.start_soon(one)
        statuses = sorted(r.status_code for r in results)
        assert statuses == [201, 201, 429, 429, 429]
        codes = {error_of(r)["error_code"] for r in results if r.status_code == 429}
        assert codes == {"ERR_NGROK_225"}
        assert fake.store.count("credentials") == 2
        assert fake.stats.faults["max_concurrent"] == 3
        # once the slow ones finish, the cap admits again
        assert (await fake_http.get("/credentials")).status_code == 200


async def test_latency_delays_each_answer() -> None:
    fake = FakeNgrok(API_KEY, faults=Faults(latency=0.15))
    async with client(fake) as fake_http:
        started = time.monotonic()
        assert (await fake_http.get("/credentials")).status_code == 200
        assert time.monotonic() - started >= 0.14  # asyncio may wake a hair early


async def test_unavailable_is_503_before_any_work() -> None:
    fake = FakeNgrok(API_KEY, faults=Faults(p_unavailable=1.0), seed=3)
    async with client(fake) as fake_http:
        response = await fake_http.post("/credentials")
    assert response.status_code == 503
    assert error_of(response)["error_code"] == "ERR_NGROK_503"
    assert fake.store.count("credentials") == 0
    assert fake.stats.created["credentials"] == 0
    assert fake.stats.faults["unavailable"] == 1


async def test_bad_gateway_after_the_work_is_done() -> None:
    fake = FakeNgrok(API_KEY, faults=Faults(p_bad_gateway_after=1.0), seed=3)
    async with client(fake) as fake_http:
        response = await fake_http.post("/credentials", json={"description": "ghost"})
        assert response.status_code == 502
        assert error_of(response)["error_code"] == "ERR_NGROK_502"
        assert [c["description"] for c in fake.resources("credentials")] == ["ghost"]
        assert fake.stats.faults["bad_gateway"] == 1
        fake.faults = Faults()
        listed = (await fake_http.get("/credentials")).json()
        assert [c["description"] for c in listed["credentials"]] == ["ghost"]


async def test_drop_after_the_work_raises_remote_protocol_error() -> None:
    fake = FakeNgrok(API_KEY, faults=Faults(p_drop_after=1.0), seed=3)
    async with client(fake) as fake_http:
        with pytest.raises(httpx.RemoteProtocolError):
            await fake_http.post("/credentials")
    assert fake.store.count("credentials") == 1
    assert fake.stats.faults["drop"] == 1
    assert sum(fake.stats.responses.values()) == 0
    assert fake.stats.requests == 1


async def outcomes(seed: int, count: int = 60) -> list[Any]:
    faults = Faults(p_unavailable=0.2, p_bad_gateway_after=0.2, p_drop_after=0.2)
    fake = FakeNgrok(API_KEY, faults=faults, seed=seed)
    seen: list[Any] = []
    async with client(fake) as fake_http:
        for _ in range(count):
            try:
                seen.append((await fake_http.get("/credentials")).status_code)
            except httpx.RemoteProtocolError:
                seen.append("drop")
    total = fake.stats.faults
    assert seen.count(503) == total["unavailable"]
    assert seen.count(502) == total["bad_gateway"]
    assert seen.count("drop") == total["drop"]
    return seen


async def test_faults_are_reproducible_with_a_seed() -> None:
    first = await outcomes(seed=42)
    assert first == await outcomes(seed=42)
    assert first != await outcomes(seed=43)
    assert {503, 502, 200, "drop"} <= set(first)


async def test_faults_can_be_replaced_at_runtime(fake: FakeNgrok) -> None:
    async with client(fake) as fake_http:
        fake.faults = Faults(p_unavailable=1.0)
        assert (await fake_http.get("/credentials")).status_code == 503
        fake.faults = Faults()
        assert (await fake_http.get("/credentials")).status_code == 200
    assert fake.stats.requests == 2
    assert dict(fake.stats.responses) == {503: 1, 200: 1}


@pytest.mark.parametrize(
    "kwargs",
    [
        {"rate_limit": (0, 1.0)},
        {"rate_limit": (1, 0)},
        {"rate_limit": [1, 1.0]},
        {"max_concurrent": 0},
        {"max_concurrent": True},
        {"latency": -1},
        {"p_unavailable": 1.5},
        {"p_drop_after": -0.1},
        {"p_bad_gateway_after": "0.5"},
    ],
)
def test_faults_are_validated(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="must be"):
        Faults(**kwargs)


def test_transport_and_faults_work_on_trio() -> None:
    async def main() -> list[int]:
        fake = FakeNgrok(API_KEY, faults=Faults(latency=0.01, max_concurrent=1))
        results: list[int] = []
        async with client(fake) as fake_http:

            async def one() -> None:
                results.append((await fake_http.post("/credentials")).status_code)

            async with trio.open_nursery() as nursery:
                nursery.start_soon(one)
                nursery.start_soon(one)
        return sorted(results)

    assert trio.run(main) == [201, 429]
