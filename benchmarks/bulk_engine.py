"""CPU per create of the ``create_many`` engine against a plain task group, side by side.

    python -m benchmarks.bulk_engine [--items 20000] [--rounds 5] [--concurrency 8]

Two pairs, each alternating its contenders over the rounds (medians and ratios reported):

- **engine**: the same in-memory create (one checkpoint, no I/O), so what is left is the
  engine's own cost: pulling lazily, bounding concurrency, handing each result over. The floor
  is a plain task group: ``concurrency`` workers pulling from one iterator.
- **sdk**: ``credentials.create_many`` against ``credentials.create`` called by the same plain
  task group, both through one ``AsyncClient`` on an in-process ``FakeNgrok`` (``--items / 10``
  creates): the engine's share of a whole create, request path and fake included.
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


async def sdk_engine(items: int, concurrency: int) -> int:
    from ngrok_async import CredentialRequest
    from ngrok_async.testing import FakeNgrok

    done = 0
    fake = FakeNgrok(record_requests=False)
    async with fake.client(rate_limit=None, max_concurrency=None) as ngrok:
        requests = (CredentialRequest(description="bench") for _ in range(items))
        async with ngrok.credentials.create_many(requests, concurrency=concurrency) as results:
            async for result in results:
                done += result.ok
    return done


async def sdk_plain(items: int, concurrency: int) -> int:
    from ngrok_async.testing import FakeNgrok

    source = iter(range(items))
    done = 0
    fake = FakeNgrok(record_requests=False)
    async with fake.client(rate_limit=None, max_concurrency=None) as ngrok:

        async def worker() -> None:
            nonlocal done
            for _ in source:
                await ngrok.credentials.create(description="bench")
                done += 1

        async with anyio.create_task_group() as group:
            for _ in range(concurrency):
                group.start_soon(worker)
    return done


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
    pairs = {
        "engine": ((plain, "plain task group"), (engine, "create_many"), args.items),
        "sdk": ((sdk_plain, "plain task group"), (sdk_engine, "create_many"), args.items // 10),
    }
    for label, (floor_fn, engine_fn, items) in pairs.items():
        figures: dict[str, list[float]] = {floor_fn[1]: [], engine_fn[1]: []}
        for _ in range(args.rounds):
            for fn, name in (floor_fn, engine_fn):
                figures[name].append(_cpu_per_item(fn, items, args.concurrency))
        floor = statistics.median(figures[floor_fn[1]])
        for name, values in figures.items():
            median = statistics.median(values)
            print(f"{label:6} {name:18} {median:7.1f} µs CPU per create  {median / floor:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
