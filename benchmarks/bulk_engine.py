"""CPU per create of the ``create_many`` engine against a plain task group, side by side.

    python -m benchmarks.bulk_engine [--items 20000] [--rounds 5] [--concurrency 8]

Both run the same in-memory create (one checkpoint, no I/O), so what is left is the engine's
own cost: pulling lazily, bounding concurrency, handing each result to the consumer. The plain
task group is the floor: ``concurrency`` workers pulling from one iterator and appending to a
list. Rounds alternate the two and the median of each is reported, with the ratio.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import datetime, timezone
from typing import Any

import anyio
import anyio.lowlevel
import attrs

from ngrok_async.bulk import BulkOps, BulkRun

_NOW = datetime.now(timezone.utc)


@attrs.frozen
class _Rec:
    id: int
    created_at: datetime
    metadata: str


async def _create(body: dict[str, Any]) -> _Rec:
    await anyio.lowlevel.checkpoint()
    return _Rec(body["n"], _NOW, "")


async def _nothing(_: str | None = None) -> Any:
    return
    yield


OPS: BulkOps[int, _Rec] = BulkOps(
    body=lambda n: {"n": n}, create=_create, newest_first=_nothing, same=lambda b, r: True
)


async def engine(items: int, concurrency: int) -> int:
    done = 0
    async with BulkRun(range(items), OPS, concurrency=concurrency) as results:
        async for result in results:
            done += result.ok
    return done


async def plain(items: int, concurrency: int) -> int:
    source = iter(range(items))
    out: list[_Rec] = []

    async def worker() -> None:
        for n in source:
            out.append(await _create(OPS.body(n)))

    async with anyio.create_task_group() as group:
        for _ in range(concurrency):
            group.start_soon(worker)
    return len(out)


def _cpu_per_item(fn: Any, items: int, concurrency: int) -> float:
    start = time.process_time()
    done = anyio.run(fn, items, concurrency)
    assert done == items, (fn.__name__, done)
    return (time.process_time() - start) / items * 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args(argv)
    figures: dict[str, list[float]] = {"plain task group": [], "create_many": []}
    for _ in range(args.rounds):
        figures["plain task group"].append(_cpu_per_item(plain, args.items, args.concurrency))
        figures["create_many"].append(_cpu_per_item(engine, args.items, args.concurrency))
    floor = statistics.median(figures["plain task group"])
    for name, values in figures.items():
        median = statistics.median(values)
        print(f"{name:18} {median:6.1f} µs CPU per create   {median / floor:.2f}x plain")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
