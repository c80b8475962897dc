"""What every scenario shares: sizes, the drivers that time a contender, table rows.

Every scenario starts its own server process, warms each contender up once (imports, TLS
context, first connection), then runs the contenders alternately (rotated order each round)
and keeps the median of the rounds.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import gc
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from ..harness import Measure, Row, Target, median

OFFICIAL = "ngrok-api"
ASYNC_ALL = [
    "ngrok_async",
    "ngrok_async[aiohttp]",
    "httpx",
    "httpx+aiohttp",
    "aiohttp",
]


@dataclass(frozen=True)
class Sizes:
    rounds: int = 3
    bulk_calls: int = 1000
    bulk_rounds: int = 5  # scenario 1's CPU ratios are the issue's targets: more rounds, steadier
    bulk_calls_at_256: int = 4000  # 1,000 calls at C=256 last a quarter second: too short to time
    bulk_latency: float = 0.02
    concurrencies: tuple[int, ...] = (8, 64, 256)
    seq_ids: int = 100  # scenario 2: ids, 3 calls each
    seq_rounds: int = 5
    decode_rounds: int = 7
    decode_number: int = 200
    paging_records: int = 100_000
    burst_calls: int = 1000
    burst_window: tuple[int, float] = (100, 0.5)
    burst_latency: float = 0.005
    burst_rounds: int = 2
    cpu_calls: int = 1000
    cpu_concurrency: int = 64
    backend: str = "lean"


FULL = Sizes()
QUICK = Sizes(
    rounds=2,
    bulk_calls=300,
    bulk_rounds=2,
    bulk_calls_at_256=1000,
    seq_ids=40,
    seq_rounds=3,
    decode_rounds=3,
    decode_number=50,
    paging_records=10_000,
    burst_calls=300,
    burst_window=(50, 0.25),
    burst_rounds=1,
    cpu_calls=300,
)
SMOKE = Sizes(
    rounds=1,
    bulk_calls=16,
    bulk_rounds=1,
    bulk_calls_at_256=16,
    concurrencies=(4,),
    seq_ids=3,
    seq_rounds=1,
    decode_rounds=1,
    decode_number=2,
    paging_records=250,
    burst_calls=30,
    burst_window=(10, 0.2),
    burst_latency=0.0,
    burst_rounds=1,
    cpu_calls=20,
    cpu_concurrency=4,
)

Result = tuple[list[Row], list[Target]]


def run_async(make: Callable[[], Awaitable[Measure]]) -> Measure:
    return asyncio.run(make())  # type: ignore[arg-type]


def timed_async(work: Callable[[], Awaitable[Any]]) -> Awaitable[Measure]:
    async def go() -> Measure:
        gc.collect()
        cpu0, wall0 = time.process_time(), time.perf_counter()
        extra = await work()
        return Measure(time.perf_counter() - wall0, time.process_time() - cpu0, extra or {})

    return go()


async def workers(op: Callable[[int], Awaitable[Any]], n: int, concurrency: int) -> None:
    """``n`` calls of ``op(i)`` by ``concurrency`` tasks (the same driver for every contender)."""
    numbers = iter(range(n))

    async def worker() -> None:
        for i in numbers:
            await op(i)

    await asyncio.gather(*(worker() for _ in range(concurrency)))


def threads_run(op: Callable[[int], Any], n: int, threads: int) -> Measure:
    gc.collect()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    if threads == 1:
        for i in range(n):
            op(i)
    else:
        with concurrent.futures.ThreadPoolExecutor(threads) as pool:
            list(pool.map(op, range(n)))
    return Measure(time.perf_counter() - wall0, time.process_time() - cpu0)


def table_rows(
    scenario: str,
    samples: dict[str, list[Measure]],
    *,
    metric: str,
    unit: str,
    value: Callable[[Measure], float],
    reference: str | None,
    note: Callable[[str], str] = lambda _: "",
) -> list[Row]:
    medians = {name: median([value(m) for m in ms]) for name, ms in samples.items()}
    ref = medians.get(reference) if reference else None
    return [
        Row(
            scenario=scenario,
            contender=name,
            metric=metric,
            value=v,
            unit=unit,
            ratio=v / ref if ref else None,
            reference=reference or "",
            note=note(name),
            samples=[value(m) for m in samples[name]],
        )
        for name, v in medians.items()
    ]
