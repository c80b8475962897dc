"""kill -9 processes issuing SSH user certificates with a journal, start others, count what exists.

    python -m benchmarks.journal_kill [--certs 1000] [--kills 20] [--journal sqlite|redis|both]

The parent serves ``FakeNgrok`` on a loopback socket and starts child processes that each issue
one certificate per key with ``create_many(..., journal=...)``. Every child starts in a fresh
working directory holding only its own copy of the keys, as a rescheduled pod on an empty disk:
with ``--journal redis`` nothing of an earlier run is in reach but Redis; with ``sqlite`` the
journal file on the same disk is the one thing shared.

``kill``: seeded faults (``--p-503`` 503s before any work, ``--p-drop`` connections dropped
after the work, ambiguous to the client). At ``--kills`` random points a replacement is
started, and a moment later the run it replaces is killed with SIGKILL: the two overlap, and
the replacement takes over the dead run's claims once their leases lapse. The last run is
left to finish. ``together``: two processes started on the same job at once, no faults; with
``kill_one`` one of them is killed a third of the way through and the other finishes the job.
The fake's store and its log of POSTs are the ground truth: every key certified once, and in
``together`` every key sent once.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import pathlib
import random
import shutil
import signal
import sqlite3
import sys
import tempfile
import time
from typing import Any

import anyio
import anyio.abc
import anyio.to_thread
import attrs

from .redis_server import running_redis

CHILD = [sys.executable, "-m", "benchmarks.journal_kill", "--child"]
ROOT = pathlib.Path(__file__).resolve().parent.parent
LEASE_SECONDS = 2.0


@attrs.frozen
class Report:
    journal: str
    certs: int
    kills: int
    runs: int
    on_server: int
    keys_certified_once: int
    duplicates: int
    lost: int
    posts: int
    keys_sent_twice: int
    resumed_in_last_run: int
    reconciled_in_last_run: int
    requests: int
    rate_503: float
    rate_ambiguous: float
    seconds: float
    sent_by_run: tuple[int, ...] = ()
    """``together``: the keys each run created itself (not found in the journal)."""

    @property
    def exact(self) -> bool:
        return self.on_server == self.certs == self.keys_certified_once and not self.duplicates

    def lines(self) -> list[str]:
        return [
            f"{self.journal}: {self.certs} certificates, {self.kills} kill -9 points, "
            f"{self.runs} runs, {self.seconds:.0f} s",
            f"on the server: {self.on_server}; keys certified once: {self.keys_certified_once}; "
            f"duplicates: {self.duplicates}; lost: {self.lost}",
            f"{self.posts} creates sent; keys sent more than once: {self.keys_sent_twice}",
            f"last run: {self.resumed_in_last_run} from the journal, "
            f"{self.reconciled_in_last_run} settled by reconciliation",
            f"{self.requests} requests: {self.rate_503:.1%} answered 503, "
            f"{self.rate_ambiguous:.1%} dropped after the work (ambiguous)",
        ]


async def _child(url: str, keys: list[str], spec: str, ca_id: str, lease: float) -> None:
    from ngrok_async import AsyncClient, SSHUserCertificateRequest
    from ngrok_async.cli._journal import journal_from

    counts: collections.Counter[str] = collections.Counter()
    async with AsyncClient("test", base_url=url, rate_limit=None) as ngrok:
        requests = (SSHUserCertificateRequest(ca_id, key, principals=["deploy"]) for key in keys)
        run = ngrok.ssh_user_certificates.create_many(
            requests, journal=journal_from(spec, lease_seconds=lease), reconcile_delay=0.3
        )
        async with run as results:
            async for result in results:
                counts[result.outcome.value] += 1
                counts["resumed"] += result.resumed
                counts["reconciled"] += result.reconciled
    print(json.dumps(counts))


class Job:
    """The job's keys, its journal and the child processes running it."""

    def __init__(self, work: pathlib.Path, url: str, ca_id: str, spec: str, certs: int) -> None:
        from ngrok_async.ssh_keys import generate_key_pair

        self.work, self.url, self.ca_id, self.spec = work, url, ca_id, spec
        self.keys = [generate_key_pair()[1] for _ in range(certs)]
        (work / "keys.txt").write_text("\n".join(self.keys) + "\n")
        self.runs = 0

    async def start(self, gate: str = "") -> anyio.abc.Process:
        """A child in a fresh directory holding only its copy of the keys; with ``gate`` it
        writes ``ready`` there and starts work once the file ``gate`` exists."""
        self.runs += 1
        folder = self.work / f"pod-{self.runs}"
        folder.mkdir()
        shutil.copy(self.work / "keys.txt", folder / "keys.txt")
        args = [*CHILD, self.url, "keys.txt", self.spec, self.ca_id, str(LEASE_SECONDS)]
        args.append(gate)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        return await anyio.open_process(args, cwd=folder, env=env)

    async def created_rows(self) -> int:
        return await anyio.to_thread.run_sync(_created_rows, self.spec)


async def _kill(process: anyio.abc.Process) -> None:
    if process.returncode is None:
        process.send_signal(signal.SIGKILL)
    await process.wait()
    await process.aclose()


async def _finish(process: anyio.abc.Process) -> dict[str, int]:
    output = b""
    if process.stdout is not None:
        async for chunk in process.stdout:
            output += chunk
    errors = b""
    if process.stderr is not None:
        async for chunk in process.stderr:
            errors += chunk
    await process.wait()
    await process.aclose()
    if process.returncode != 0:
        tail = errors.decode(errors="replace")[-3000:]
        raise RuntimeError(f"a child failed with status {process.returncode}:\n{tail}")
    counts: dict[str, int] = json.loads(output)
    return counts


async def _wait_for(job: Job, process: anyio.abc.Process, rows: int | None, limit: float) -> None:
    """Until ``process`` exits or the journal has ``rows`` created rows."""
    with anyio.move_on_after(limit):
        while process.returncode is None:
            with anyio.move_on_after(0.02):
                await process.wait()
            if rows is not None and await job.created_rows() >= rows:
                return


async def measure(
    *,
    certs: int,
    kills: int,
    seed: int,
    journal: str = "sqlite",
    redis: str | None = None,
    p_503: float = 0.08,
    p_drop: float = 0.035,
    run_timeout: float = 300.0,
    directory: pathlib.Path | None = None,
) -> Report:
    """The ``kill`` scenario: overlapping runs, ``kills`` of them killed."""
    from ngrok_async.testing import Faults

    rng = random.Random(seed)
    started = time.perf_counter()
    async with _Setup(directory, journal, redis, certs, seed) as (fake, job):
        fake.faults = Faults(p_unavailable=p_503, p_drop_after=p_drop)
        points = sorted(rng.sample(range(1, certs), kills))  # created rows to kill at
        killed = 0
        last: dict[str, int] = {}
        current = await job.start()
        while True:
            target = points[killed] if killed < kills else None
            await _wait_for(job, current, target, run_timeout)
            if current.returncode is None and target is not None:
                replacement = await job.start()  # the old run and its replacement overlap
                await anyio.sleep(rng.uniform(0.05, 0.5))
                await _kill(current)
                current, killed = replacement, killed + 1
                continue
            if current.returncode is None:
                await _kill(current)
                raise RuntimeError("the last run did not finish in time")
            last = await _finish(current)
            if last.get("created", 0) == certs or job.runs > kills + 5:
                break
            current = await job.start()  # some ended unknown: run the job again
        fake.faults = Faults()
    return _report(fake, job, journal, killed, last, started)


async def together(
    *,
    certs: int,
    journal: str = "sqlite",
    redis: str | None = None,
    kill_one: bool = False,
    seed: int = 1,
    run_timeout: float = 120.0,
    directory: pathlib.Path | None = None,
    latency: float = 0.1,
) -> Report:
    """The ``together`` scenario: two processes started on one job at once, no faults but
    ``latency`` seconds per request (so that both have work when they start)."""
    from ngrok_async.testing import Faults

    started = time.perf_counter()
    async with _Setup(directory, journal, redis, certs, seed) as (fake, job):
        fake.faults = Faults(latency=latency)
        gate = job.work / "go"
        one, two = await job.start(str(gate)), await job.start(str(gate))
        ready = [job.work / f"pod-{n}" / "ready" for n in (1, 2)]
        with anyio.fail_after(run_timeout):
            while not all(path.exists() for path in ready):  # noqa: ASYNC110
                await anyio.sleep(0.01)
        gate.touch()
        first: dict[str, int] = {}
        if kill_one:
            await _wait_for(job, one, certs // 3, run_timeout)
            await _kill(one)
        else:
            first = await _finish(one)
        with anyio.fail_after(run_timeout):
            last = await _finish(two)
    report = _report(fake, job, journal, int(kill_one), last, started)
    split = tuple(run.get("created", 0) - run.get("resumed", 0) for run in (first, last))
    return attrs.evolve(report, sent_by_run=split)


class _Setup:
    """A fake API on a loopback socket with a CA, and a job in a fresh folder."""

    def __init__(
        self, directory: pathlib.Path | None, journal: str, redis: str | None, certs: int, seed: int
    ) -> None:
        from ngrok_async.testing import FakeNgrok

        self.fake = FakeNgrok(seed=seed)
        self.work = pathlib.Path(directory or tempfile.mkdtemp(prefix="journal-kill-"))
        if journal == "redis":
            assert redis is not None
            self.spec = f"{redis}#kill-{os.getpid()}-{time.monotonic_ns()}"
        else:
            self.spec = str(self.work / "certs.journal")
        self.certs = certs
        self._serving: Any = None

    async def __aenter__(self) -> tuple[Any, Job]:
        self._serving = self.fake.serve()
        url = await self._serving.__aenter__()
        try:
            async with self.fake.client() as setup:
                ca = await setup.ssh_certificate_authorities.create(private_key_type="ed25519")
            return self.fake, Job(self.work, url, ca.id, self.spec, self.certs)
        except BaseException:
            await self._serving.__aexit__(None, None, None)
            raise

    async def __aexit__(self, *exc: object) -> None:
        await self._serving.__aexit__(None, None, None)


def _report(
    fake: Any, job: Job, journal: str, kills: int, last: dict[str, int], started: float
) -> Report:
    stored = fake.resources("ssh_user_certificates")
    per_key = collections.Counter(cert["public_key"].strip() for cert in stored)
    posts = collections.Counter(
        request.json["public_key"].strip()
        for request in fake.requests
        if request.method == "POST" and request.path.endswith("/ssh_user_certificates")
    )
    stats = fake.stats
    return Report(
        journal=journal,
        certs=len(job.keys),
        kills=kills,
        runs=job.runs,
        on_server=len(stored),
        keys_certified_once=sum(1 for key in job.keys if per_key[key.strip()] == 1),
        duplicates=sum(count - 1 for count in per_key.values() if count > 1),
        lost=sum(1 for key in job.keys if per_key[key.strip()] == 0),
        posts=sum(posts.values()),
        keys_sent_twice=sum(1 for count in posts.values() if count > 1),
        resumed_in_last_run=last.get("resumed", 0),
        reconciled_in_last_run=last.get("reconciled", 0),
        requests=stats.requests,
        rate_503=stats.faults["unavailable"] / max(1, stats.requests),
        rate_ambiguous=stats.faults["drop"] / max(1, stats.requests),
        seconds=time.perf_counter() - started,
    )


def _created_rows(spec: str) -> int:
    if spec.startswith("redis://"):
        import redis

        from ngrok_async.cli._journal import journal_from

        state_key = journal_from(spec).keys[1]  # type: ignore[union-attr]
        client = redis.Redis.from_url(spec.partition("#")[0])
        try:
            return sum(1 for value in client.hvals(state_key) if value == b"created")
        finally:
            client.close()
    if not os.path.exists(spec):
        return 0
    db = sqlite3.connect(f"file:{spec}?mode=ro", uri=True, timeout=1.0)
    try:
        row = db.execute("SELECT count(*) FROM requests WHERE state = 'created'").fetchone()
        return int(row[0])
    except sqlite3.Error:
        return 0
    finally:
        db.close()


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        url, keyfile, spec, ca_id, lease, gate = argv[1:7]
        keys = pathlib.Path(keyfile).read_text().splitlines()
        if gate:  # runs started together start together: imported, ready, then the signal
            import ngrok_async.bulk
            import ngrok_async.cli._journal  # noqa: F401

            pathlib.Path("ready").touch()
            for _ in range(6000):
                if os.path.exists(gate):
                    break
                time.sleep(0.01)
        anyio.run(_child, url, keys, spec, ca_id, float(lease))
        return 0
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--certs", type=int, default=1000)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--journal", choices=["sqlite", "redis", "both"], default="both")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    kinds = ["sqlite", "redis"] if args.journal == "both" else [args.journal]
    ok = True
    with running_redis() as redis:
        for kind in kinds:
            report = anyio.run(
                lambda kind=kind: measure(
                    certs=args.certs, kills=args.kills, seed=args.seed, journal=kind, redis=redis
                )
            )
            print("\n".join(report.lines()))
            ok &= report.exact and not report.lost
            for kill_one in (False, True):
                report = anyio.run(
                    lambda kind=kind, kill_one=kill_one: together(
                        certs=args.certs // 4, journal=kind, redis=redis, kill_one=kill_one
                    )
                )
                what = "one killed a third of the way" if kill_one else "both to the end"
                print(
                    f"{kind}: two processes at once on {report.certs} keys ({what}): "
                    f"{report.posts} creates sent, keys sent twice: {report.keys_sent_twice}, "
                    f"duplicates: {report.duplicates}, lost: {report.lost}, created by "
                    + (
                        f"the survivor: {report.sent_by_run[1]}"
                        if kill_one
                        else f"each run: {'/'.join(map(str, report.sent_by_run))}"
                    )
                    + f", {report.seconds:.1f} s"
                )
                ok &= report.exact and report.posts == report.certs
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
