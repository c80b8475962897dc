"""Scenario 5: a burst of creates against a server enforcing a rate window."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from .. import contenders as K
from ..harness import Measure, Row, Server, Target, alternate, median
from ._common import Result, Sizes, run_async, timed_async


def burst(sizes: Sizes) -> Result:
    from ngrok_async import RateLimit

    calls = sizes.burst_calls
    count, window = sizes.burst_window
    ideal = max(0.0, (calls / count - 1) * window)
    variants: dict[str, dict[str, Any]] = {
        "ngrok_async, RateLimit = server window": {
            "rate_limit": RateLimit(count, window),
            "max_concurrency": 64,
        },
        "ngrok_async, limiter off (429 + retries)": {
            "rate_limit": None,
            "max_concurrency": None,
        },
    }
    names = [*variants, "httpx gather, no limiter, retry each 429 after the window"]
    with Server(
        backend=sizes.backend, latency=sizes.burst_latency, rate_limit=(count, window)
    ) as server:

        def run(name: str) -> Measure:
            async def main() -> Measure:
                if name in variants:
                    options = dict(variants[name])
                    concurrency = options.pop("max_concurrency")
                    async with K.sdk_session(server.url, concurrency, **options) as session:
                        return await timed_async(lambda: _gather(session.create, calls))
                async with K.httpx_session(server.url, None) as raw:
                    return await timed_async(lambda: _gather(_retrying(raw, window), calls))

            measure = run_async(main)
            stats = server.stats()
            measure.extra["requests"] = stats["requests"]
            measure.extra["429"] = stats["status"].get("429", 0)
            time.sleep(window)  # let the server's window drain before the next contender
            server.reset()
            return measure

        for name in names:  # warm-up: imports, first connections (not measured)
            run_async(lambda name=name: _warm(server.url, name, variants))
        time.sleep(window)
        server.reset()
        samples = alternate(names, run, sizes.burst_rounds, before_each=server.reset)
    scenario = f"5. burst of {calls} creates, server window {count}/{window:g} s"
    rows: list[Row] = []
    targets: list[Target] = []
    for name, ms in samples.items():
        wall = median([m.wall for m in ms])
        ok = median([m.extra["ok"] for m in ms])
        share = median([m.extra["429"] / max(1, m.extra["requests"]) for m in ms])
        rows.append(
            Row(
                scenario,
                name,
                "wall",
                wall,
                "s",
                wall / ideal if ideal else None,
                "ideal",
                f"{ok:.0f}/{calls} ok, {share:.1%} of requests got 429, "
                f"{ok / wall / (count / window):.0%} of the ceiling rate",
            )
        )
    rows.append(Row(scenario, "ideal (N/n - 1) x window", "wall", ideal, "s"))
    limited = samples[names[0]]
    wall = median([m.wall for m in limited])
    share = median([m.extra["429"] / max(1, m.extra["requests"]) for m in limited])
    naive = min(median([m.wall for m in samples[name]]) for name in names[1:])
    targets.append(
        Target(
            scenario,
            "with the limiter: every call succeeds, ≤ 1% 429s, faster than naive gather "
            "(no numeric target in the issue)",
            f"{ideal / wall:.0%} of the ideal time, {share:.1%} 429s, "
            f"{naive / wall:.1f}x faster than the best naive variant",
            all(m.extra["ok"] == calls for m in limited) and share <= 0.01 and wall < naive,
        )
    )
    return rows, targets


async def _warm(url: str, name: str, variants: dict[str, dict[str, Any]]) -> Measure:
    if name in variants:
        async with K.sdk_session(url, 8, rate_limit=None) as session:
            await session.create(0)
    else:
        async with K.httpx_session(url, None) as raw:
            await raw.create(0)
    return Measure(0.0, 0.0)


async def _gather(op: Callable[[int], Awaitable[Any]], calls: int) -> dict[str, float]:
    results = await asyncio.gather(*(op(i) for i in range(calls)), return_exceptions=True)
    return {"ok": sum(1 for r in results if not isinstance(r, BaseException))}


def _retrying(raw: K.RawHTTPX, window: float) -> Callable[[int], Awaitable[str]]:
    async def create(i: int) -> str:
        while True:
            response = await raw.http.post(
                raw.url + K.LIST_PATH, json=K.create_body(i), headers=K.HEADERS
            )
            if response.status_code != 429:
                response.raise_for_status()
                return str(response.json()["id"])
            await asyncio.sleep(window)

    return create
