"""Scenario 2: sequential get / update / delete over TLS, one call at a time."""

from __future__ import annotations

import gc
import time
from typing import Any

from .. import contenders as K
from ..harness import Measure, Server, Target, alternate, median, tls_files, trusted
from ._common import OFFICIAL, Result, Sizes, run_async, table_rows, timed_async


def sequential_tls(sizes: Sizes) -> Result:
    names = K.available(["ngrok_async", "ngrok_async[aiohttp]", "httpx", "aiohttp", OFFICIAL])
    k = sizes.seq_ids
    with tls_files() as tls, trusted(tls[0]), Server(backend=sizes.backend, tls=tls) as server:

        def run(name: str, ids: int) -> Measure:
            if name == OFFICIAL:
                official = K.Official(server.url)
                made = [official.create(i) for i in range(ids)]
                return _sequence_sync(official, made)

            async def main() -> Measure:
                async with K.ASYNC_SESSIONS[name](server.url, 8) as session:
                    made = [await session.create(i) for i in range(ids)]
                    return await timed_async(lambda: _sequence_async(session, made))

            return run_async(main)

        for name in names:
            run(name, 2)
        samples = alternate(names, lambda name: run(name, k), sizes.seq_rounds)
    scenario = f"2. sequential get/update/delete over TLS ({3 * k} calls)"
    rows = table_rows(
        scenario,
        samples,
        metric="per call",
        unit="µs",
        value=lambda m: m.wall / (3 * k) * 1e6,
        reference="httpx",
        note=lambda name: "new TLS connection per call" if name == OFFICIAL else "keep-alive",
    )
    ours = median([m.wall for m in samples["ngrok_async"]])
    floor = median([m.wall for m in samples["httpx"]])
    targets = [
        Target(
            scenario,
            "per-call overhead over raw httpx ≤ 10%",
            f"{(ours / floor - 1) * 100:+.0f}%",
            ours <= 1.10 * floor,
        )
    ]
    if OFFICIAL in samples:
        theirs = median([m.wall for m in samples[OFFICIAL]])
        targets.append(
            Target(scenario, "faster than ngrok-api", f"{theirs / ours:.1f}x faster", ours < theirs)
        )
    return rows, targets


async def _sequence_async(session: Any, ids: list[str]) -> None:
    for ident in ids:
        await session.get(ident)
        await session.update(ident, "updated")
        await session.delete(ident)


def _sequence_sync(official: K.Official, ids: list[str]) -> Measure:
    gc.collect()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for ident in ids:
        official.get(ident)
        official.update(ident, "updated")
        official.delete(ident)
    return Measure(time.perf_counter() - wall0, time.process_time() - cpu0)
