"""Scenario 4: paging throughput and peak memory over 1,000 pages."""

from __future__ import annotations

import asyncio
import gc
import time
import tracemalloc

from .. import contenders as K
from ..harness import Measure, Row, Server, Target, alternate, median
from ._common import OFFICIAL, Result, Sizes, run_async, table_rows, timed_async


def paging(sizes: Sizes) -> Result:
    names = K.available(["ngrok_async", "httpx", "aiohttp", OFFICIAL])
    total = sizes.paging_records
    with Server(backend=sizes.backend, records=total) as server:

        def run(name: str, records: int) -> Measure:
            if name == OFFICIAL:
                official = K.Official(server.url)
                gc.collect()
                cpu0, wall0 = time.process_time(), time.perf_counter()
                count = official.count_all()
                measure = Measure(time.perf_counter() - wall0, time.process_time() - cpu0)
                measure.extra["records"] = count
                return measure

            async def main() -> Measure:
                async with K.ASYNC_SESSIONS[name](server.url, 8) as session:

                    async def work() -> dict[str, float]:
                        return {"records": await session.count_all(100)}

                    return await timed_async(work)

            return run_async(main)

        for name in names:
            run(name, 0)
        samples = alternate(names, lambda name: run(name, total), sizes.rounds)
        peaks = {n: _peak_memory(server.url, n) for n in (total // 100, total // 10, total)}
    for name, ms in samples.items():
        if any(m.extra.get("records") != total for m in ms):
            raise RuntimeError(f"{name} did not page through all {total} records")
    scenario = f"4. paging {total:,} records ({total // 100:,} pages)"
    rows = table_rows(
        scenario,
        samples,
        metric="throughput",
        unit="records/s",
        value=lambda m: total / m.wall,
        reference="httpx",
    )
    for n, (peak, page) in peaks.items():
        rows.append(
            Row(
                scenario,
                f"ngrok_async peak memory, {n:,} records",
                "tracemalloc peak",
                peak / 1024,
                "KiB",
                note=f"one page body = {page / 1024:.0f} KiB",
            )
        )
    ours = median([m.wall for m in samples["ngrok_async"]])
    floor = median([m.wall for m in samples["httpx"]])
    small, large = peaks[total // 10][0], peaks[total][0]
    targets = [
        Target(
            scenario,
            "throughput within 1.2x of raw httpx paging",
            f"{ours / floor:.2f}x the time",
            ours <= 1.2 * floor,
        ),
        Target(
            scenario,
            "peak memory flat in N (10x the records, ≤ 1.25x the peak)",
            f"{large / 1024:.0f} KiB at {total:,} vs {small / 1024:.0f} KiB at {total // 10:,}",
            large <= 1.25 * small,
        ),
    ]
    return rows, targets


def _peak_memory(url: str, records: int) -> tuple[int, int]:
    """tracemalloc peak while ``ngrok_async`` lists the ``records`` oldest records, and the
    size of one page body."""
    from ..server import LIST_KEY

    async def main() -> tuple[int, int]:
        async with K.sdk_session(url, 8) as session:
            before = f"sucrt_{records:027d}"
            await session.certs.get("sucrt_" + "0" * 27)  # connect and warm up first
            gc.collect()
            tracemalloc.start()
            try:
                count = 0
                async for _ in session.certs.list(before_id=before):
                    count += 1
                peak = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
            if count != records:
                raise RuntimeError(f"listed {count} of {records} records")
            page = await session.client._http.client.get(
                f"{url}/{LIST_KEY}?limit=100", headers=K.HEADERS
            )
            return peak, len(page.content)

    return asyncio.run(main())
