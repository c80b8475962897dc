"""The main job end to end: issue SSH user certificates concurrently, verify, list them back.

By default it runs against the embedded fake API served on a loopback port (real sockets, real
OpenSSH certificates); with ``--live`` against api.ngrok.com, cleaning up what it created.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import time
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta, timezone

import anyio
import attrs

from .. import AsyncClient, SSHUserCertificate
from ..ssh_keys import CertificateVerificationError, generate_key_pair, verify_certificate
from ..testing import FakeNgrok, Faults

PRINCIPAL = "deploy"
Out = Callable[[str], object]


@attrs.frozen
class DemoOptions:
    count: int = 50
    concurrency: int = 8
    live: bool = False


@contextlib.asynccontextmanager
async def _api(
    options: DemoOptions, out: Out
) -> AsyncIterator[tuple[AsyncClient, FakeNgrok | None]]:
    if options.live:
        if not os.environ.get("NGROK_API_KEY"):
            raise SystemExit("--live needs the NGROK_API_KEY environment variable")
        out("ngrok_async demo: live, against https://api.ngrok.com")
        async with AsyncClient(max_concurrency=options.concurrency) as ngrok:
            yield ngrok, None
        return
    # The same account limit as the real API: 120 requests per rolling minute.
    fake = FakeNgrok(api_key="demo", faults=Faults(rate_limit=(120, 60.0)), record_requests=False)
    if importlib.util.find_spec("hypercorn") is None:  # no fake-server extra: in process
        out("ngrok_async demo: embedded fake ngrok API in process (use --live for the real one)")
        async with fake.client(max_concurrency=options.concurrency) as ngrok:
            yield ngrok, fake
        return
    async with fake.serve() as url:
        out(f"ngrok_async demo: embedded fake ngrok API on {url} (use --live for the real one)")
        async with AsyncClient("demo", base_url=url, max_concurrency=options.concurrency) as ngrok:
            yield ngrok, fake


async def run_demo(options: DemoOptions, out: Out = print) -> int:
    """Run the demo and print a summary; returns 0 when every certificate verified."""
    async with _api(options, out) as (ngrok, fake):
        started = time.perf_counter()
        ca = await ngrok.ssh_certificate_authorities.create(
            description="ngrok_async demo CA", private_key_type="ed25519"
        )
        out(
            f"created SSH certificate authority {ca.id} ({ca.key_type}) "
            f"in {_ms(time.perf_counter() - started)}"
        )

        keys = [generate_key_pair("ed25519")[1] for _ in range(options.count)]
        until = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(hours=1)
        certs: list[SSHUserCertificate] = []

        async def issue(public_key: str) -> None:
            certs.append(
                await ngrok.ssh_user_certificates.create(
                    ca.id,
                    public_key,
                    principals=[PRINCIPAL],
                    valid_until=until,
                    description="ngrok_async demo",
                )
            )

        started = time.perf_counter()
        async with anyio.create_task_group() as tg:
            for key in keys:
                tg.start_soon(issue, key)
        elapsed = time.perf_counter() - started
        out(
            f"issued {len(certs)} SSH user certificates in {elapsed:.2f} s "
            f"({len(certs) / elapsed:.0f}/s, {options.concurrency} in flight)"
        )

        failures = _verify(certs, ca.public_key)
        out(
            f"verified {len(certs) - len(failures)}/{len(certs)} certificates locally: signed by "
            f"{ca.id}, principal {PRINCIPAL!r}, valid until {until:%Y-%m-%d %H:%M}Z"
        )
        for failure in failures:
            out(f"  FAILED {failure}")

        started = time.perf_counter()
        pages = listed = 0
        async for page in ngrok.ssh_user_certificates.pages(limit=20):
            pages += 1
            listed += sum(1 for c in page.items if c.ssh_certificate_authority_id == ca.id)
        out(
            f"listed {listed} certificates back over {pages} pages in "
            f"{_ms(time.perf_counter() - started)}"
        )

        if options.live:
            async with anyio.create_task_group() as tg:
                for cert in certs:
                    tg.start_soon(ngrok.ssh_user_certificates.delete, cert.id)
            await ngrok.ssh_certificate_authorities.delete(ca.id)
            out(f"deleted the {len(certs)} certificates and the CA")
        if fake is not None:
            out(
                f"fake API saw {fake.stats.requests} requests, "
                f"{fake.stats.faults['rate_limit']} answered 429"
            )
    ok = not failures and listed == len(certs) == options.count
    out("OK" if ok else "FAILED")
    return 0 if ok else 1


def _verify(certs: list[SSHUserCertificate], ca_public_key: str) -> list[str]:
    failures = []
    for cert in certs:
        try:
            verify_certificate(
                cert.certificate,
                ca_public_key=ca_public_key,
                public_key=cert.public_key,
                principal=PRINCIPAL,
            )
        except CertificateVerificationError as exc:
            failures.append(f"{cert.id}: {exc}")
    return failures


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"
