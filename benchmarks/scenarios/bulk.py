"""Scenario 1: bulk create at several concurrencies, against raw aiohttp, the ideal bound and
ngrok's official client on threads."""

from __future__ import annotations

from .. import contenders as K
from ..harness import Measure, Row, Server, Target, alternate, median
from ._common import (
    ASYNC_ALL,
    OFFICIAL,
    Result,
    Sizes,
    run_async,
    table_rows,
    threads_run,
    timed_async,
    workers,
)

HTTPCORE = ("httpx", "ngrok_async")
"""Left out at C=256: 12-15 s per 1,000 calls there (C=64 shows the same quadratic pool), where
the other contenders run 4,000 calls so that each sample lasts long enough to time."""


def bulk_create(sizes: Sizes) -> Result:
    names = K.available([*ASYNC_ALL, K.PROTOTYPE, OFFICIAL])
    latency = sizes.bulk_latency
    rows: list[Row] = []
    targets: list[Target] = []
    with Server(backend=sizes.backend, latency=latency) as server:

        def run(name: str, concurrency: int, calls: int) -> Measure:
            server_cpu = server.stats()["cpu"]
            if name == OFFICIAL:
                official = K.Official(server.url)
                measure = threads_run(official.create, calls, concurrency)
            else:

                async def main() -> Measure:
                    async with K.ASYNC_SESSIONS[name](server.url, concurrency) as session:
                        return await timed_async(
                            lambda: workers(session.create, calls, concurrency)
                        )

                measure = run_async(main)
            measure.extra["server_cpu"] = server.stats()["cpu"] - server_cpu
            return measure

        for concurrency in sizes.concurrencies:
            n = sizes.bulk_calls if concurrency < 256 else sizes.bulk_calls_at_256
            here = [name for name in names if concurrency < 256 or name not in HTTPCORE]
            for name in here:  # warm-up: imports, first connections (not measured)
                run(name, min(concurrency, 8), 16)
            samples = alternate(
                here,
                lambda name, c=concurrency, calls=n: run(name, c, calls),
                sizes.bulk_rounds,
                before_each=server.reset,
            )
            ideal = n * latency / concurrency
            scenario = f"1. bulk create {n}, {latency * 1e3:g} ms, C={concurrency}"
            rows += table_rows(
                scenario,
                samples,
                metric="wall",
                unit="s",
                value=lambda m: m.wall,
                reference="aiohttp" if "aiohttp" in names else "httpx",
                note=lambda name, s=samples, c=concurrency, calls=n: (
                    _cpu_note(s[name], calls) + (f", {c} threads" if name == OFFICIAL else "")
                ),
            )
            server_cpu = median([m.extra["server_cpu"] for ms in samples.values() for m in ms])
            rows.append(
                Row(
                    scenario,
                    "ideal N x latency / C",
                    "wall",
                    ideal,
                    "s",
                    note=f"the server process used {server_cpu / n * 1e6:.0f} µs CPU/call",
                )
            )
            targets += _targets(scenario, samples, concurrency, n)
    return rows, targets


def _cpu_note(measures: list[Measure], calls: int) -> str:
    return f"CPU {median([m.cpu for m in measures]) / calls * 1e6:.0f} µs/call"


def _targets(
    scenario: str, samples: dict[str, list[Measure]], concurrency: int, calls: int
) -> list[Target]:
    """Issue 19's targets: the default client at C=8 against raw httpx, AiohttpTransport at
    C=64 and 256 against raw aiohttp."""
    if "aiohttp" not in samples:
        return []

    def cpu(name: str) -> float:
        return median([m.cpu for m in samples[name]]) / calls

    def wall(name: str) -> float:
        return median([m.wall for m in samples[name]])

    targets = []
    if concurrency <= 8 and "httpx" in samples:
        ratio = cpu("ngrok_async") / cpu("httpx")
        targets.append(
            Target(
                scenario,
                "default client: CPU per create ≤ 1.15x raw httpx.AsyncClient",
                f"{ratio:.2f}x",
                ratio <= 1.15,
            )
        )
    ours = "ngrok_async[aiohttp]"
    if ours not in samples:
        return targets
    if concurrency >= 64:
        ratio = cpu(ours) / cpu("aiohttp")
        targets.append(
            Target(
                scenario,
                f"{ours}: CPU per create ≤ 1.5x raw aiohttp",
                f"{ratio:.2f}x",
                ratio <= 1.5,
            )
        )
    if concurrency == 64:
        ratio = wall(ours) / wall("aiohttp")
        targets.append(
            Target(scenario, f"{ours}: wall ≤ 1.25x raw aiohttp", f"{ratio:.2f}x", ratio <= 1.25)
        )
        if OFFICIAL in samples:
            theirs = wall(OFFICIAL)
            targets.append(
                Target(
                    scenario,
                    f"{ours}: faster than ngrok-api on {concurrency} threads",
                    f"{theirs / wall(ours):.1f}x faster",
                    wall(ours) < theirs,
                )
            )
    return targets
