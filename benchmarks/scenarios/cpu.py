"""Scenario 6: the event-loop CPU each contender spends per call."""

from __future__ import annotations

import asyncio

from .. import contenders as K
from ..harness import Measure, Row, Server, Target, alternate, median
from ._common import ASYNC_ALL, Result, Sizes, run_async, table_rows, timed_async, workers


def cpu_per_request(sizes: Sizes) -> Result:
    n, c = sizes.cpu_calls, sizes.cpu_concurrency
    names = K.available([*ASYNC_ALL, K.PROTOTYPE])
    rows: list[Row] = []
    targets: list[Target] = []
    for latency, concurrency, count in ((0.0, 1, n), (sizes.bulk_latency, c, max(1, n // 2))):
        with Server(backend=sizes.backend, latency=latency, records=n) as server:
            variants = list(names)
            if concurrency > 1:
                variants.append("httpx, N tasks on a C-connection pool")

            def run(name: str, calls: int, conc: int = concurrency) -> Measure:
                async def main() -> Measure:
                    if name.startswith("httpx, N tasks"):
                        async with K.httpx_session(server.url, conc) as raw:

                            async def flood() -> None:
                                await asyncio.gather(*(raw.get(_seeded(i)) for i in range(calls)))

                            return await timed_async(flood)
                    async with K.ASYNC_SESSIONS[name](server.url, conc) as session:
                        get = session.get
                        return await timed_async(
                            lambda: workers(lambda i: get(_seeded(i)), calls, conc)
                        )

                return run_async(main)

            for name in variants:
                run(name, 16)
            samples = alternate(variants, lambda name, k=count: run(name, k), sizes.rounds)
        scenario = f"6. CPU per GET, {count} calls, C={concurrency}, {latency * 1e3:g} ms latency"
        rows += table_rows(
            scenario,
            samples,
            metric="CPU per call",
            unit="µs",
            value=lambda m, k=count: m.cpu / k * 1e6,
            reference="httpx",
        )
        ours = median([m.cpu for m in samples["ngrok_async"]])
        floor = median([m.cpu for m in samples["httpx"]])
        targets.append(
            Target(
                scenario,
                "event-loop CPU per call ≤ raw httpx (no numeric target in the issue)",
                f"{ours / floor:.2f}x raw httpx",
                ours <= floor,
            )
        )
    return rows, targets


def _seeded(i: int) -> str:
    return f"sucrt_{i:027d}"
