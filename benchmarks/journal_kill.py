"""kill -9 a process issuing SSH user certificates with a journal, rerun it, count what exists.

    python -m benchmarks.journal_kill [--certs 1000] [--kills 20] [--seed 1]

The parent serves ``FakeNgrok`` on a loopback socket (seeded faults: ``--p-503`` 503s before
any work, ``--p-drop`` connections dropped after the work, which the client sees as ambiguous)
and starts a child process that issues one certificate per key with
``create_many(..., journal=FILE)``. The child is killed with SIGKILL at a random moment, then
started again on the same journal, ``--kills`` times; the last run is left to finish. The
fake's store is then the ground truth: every key must have exactly one certificate.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import pathlib
import random
import signal
import sqlite3
import sys
import tempfile
import time

import anyio
import anyio.to_thread
import attrs

CHILD = [sys.executable, "-m", "benchmarks.journal_kill", "--child"]


@attrs.frozen
class Report:
    certs: int
    kills: int
    runs: int
    on_server: int
    keys_certified_once: int
    duplicates: int
    lost: int
    resumed_in_last_run: int
    reconciled_in_last_run: int
    requests: int
    rate_503: float
    rate_ambiguous: float
    seconds: float

    def lines(self) -> list[str]:
        return [
            f"{self.certs} certificates, {self.kills} kill -9 points, {self.runs} runs, "
            f"{self.seconds:.0f} s",
            f"on the server: {self.on_server}; keys certified once: {self.keys_certified_once}; "
            f"duplicates: {self.duplicates}; lost: {self.lost}",
            f"last run: {self.resumed_in_last_run} from the journal, "
            f"{self.reconciled_in_last_run} settled by reconciliation",
            f"{self.requests} requests: {self.rate_503:.1%} answered 503, "
            f"{self.rate_ambiguous:.1%} dropped after the work (ambiguous)",
        ]


async def _child(url: str, keys: list[str], journal: str, ca_id: str) -> None:
    from ngrok_async import AsyncClient, SSHUserCertificateRequest

    counts: collections.Counter[str] = collections.Counter()
    async with AsyncClient("test", base_url=url, rate_limit=None) as ngrok:
        requests = (SSHUserCertificateRequest(ca_id, key, principals=["deploy"]) for key in keys)
        run = ngrok.ssh_user_certificates.create_many(
            requests, journal=journal, reconcile_delay=0.3
        )
        async with run as results:
            async for result in results:
                counts[result.outcome.value] += 1
                counts["resumed"] += result.resumed
                counts["reconciled"] += result.reconciled
    print(json.dumps(counts))


async def measure(
    *,
    certs: int,
    kills: int,
    seed: int,
    p_503: float = 0.08,
    p_drop: float = 0.035,
    run_timeout: float = 300.0,
    directory: pathlib.Path | None = None,
) -> Report:
    from ngrok_async.ssh_keys import generate_key_pair
    from ngrok_async.testing import FakeNgrok, Faults

    rng = random.Random(seed)
    fake = FakeNgrok(seed=seed, record_requests=False)
    work = pathlib.Path(directory or tempfile.mkdtemp(prefix="journal-kill-"))
    keyfile, journal = work / "keys.txt", work / "certs.journal"
    keys = [generate_key_pair()[1] for _ in range(certs)]
    keyfile.write_text("\n".join(keys) + "\n")
    started = time.perf_counter()
    async with fake.serve() as url, fake.client() as setup:
        ca = await setup.ssh_certificate_authorities.create(private_key_type="ed25519")
        fake.faults = Faults(p_unavailable=p_503, p_drop_after=p_drop)
        args = [*CHILD, url, str(keyfile), str(journal), ca.id]
        points = sorted(rng.sample(range(1, certs), kills))  # created rows to kill at
        killed = runs = 0
        last: dict[str, int] = {}
        env = {**os.environ, "PYTHONPATH": os.getcwd()}
        while True:
            runs += 1
            process = await anyio.open_process(args, env=env)
            target = points[killed] if killed < kills else None
            with anyio.move_on_after(run_timeout):
                while process.returncode is None:
                    with anyio.move_on_after(0.02):
                        await process.wait()
                    if target is not None and await _created_rows(journal) >= target:
                        break
            if process.returncode is None:
                process.send_signal(signal.SIGKILL)
                await process.wait()
                await process.aclose()
                killed += target is not None
                continue
            output = b""
            if process.stdout is not None:
                async for chunk in process.stdout:
                    output += chunk
            await process.aclose()
            if process.returncode != 0:
                raise RuntimeError(f"the child failed with status {process.returncode}")
            last = json.loads(output)
            if killed >= kills and (last.get("created", 0) == certs or runs > kills + 5):
                break
        fake.faults = Faults()
    stored = fake.resources("ssh_user_certificates")
    per_key = collections.Counter(cert["public_key"].strip() for cert in stored)
    once = sum(1 for key in keys if per_key[key.strip()] == 1)
    stats = fake.stats
    return Report(
        certs=certs,
        kills=killed,
        runs=runs,
        on_server=len(stored),
        keys_certified_once=once,
        duplicates=sum(count - 1 for count in per_key.values() if count > 1),
        lost=sum(1 for key in keys if per_key[key.strip()] == 0),
        resumed_in_last_run=last.get("resumed", 0),
        reconciled_in_last_run=last.get("reconciled", 0),
        requests=stats.requests,
        rate_503=stats.faults["unavailable"] / max(1, stats.requests),
        rate_ambiguous=stats.faults["drop"] / max(1, stats.requests),
        seconds=time.perf_counter() - started,
    )


async def _created_rows(journal: pathlib.Path) -> int:
    def count() -> int:
        if not journal.exists():
            return 0
        db = sqlite3.connect(f"file:{journal}?mode=ro", uri=True, timeout=1.0)
        try:
            return int(
                db.execute("SELECT count(*) FROM requests WHERE state = 'created'").fetchone()[0]
            )
        except sqlite3.Error:
            return 0
        finally:
            db.close()

    return await anyio.to_thread.run_sync(count)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--child":
        url, keyfile, journal, ca_id = argv[1:5]
        keys = pathlib.Path(keyfile).read_text().splitlines()
        anyio.run(_child, url, keys, journal, ca_id)
        return 0
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--certs", type=int, default=1000)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    report = anyio.run(lambda: measure(certs=args.certs, kills=args.kills, seed=args.seed))
    print("\n".join(report.lines()))
    ok = report.on_server == report.certs == report.keys_certified_once
    return 0 if ok and not report.duplicates and not report.lost else 1


if __name__ == "__main__":
    raise SystemExit(main())
