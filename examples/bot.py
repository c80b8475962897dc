"""An asyncio bot that keeps SSH user certificates fresh for every key in a directory.

Each round it looks at ``<dir>/*.pub``, renews (with ``create_many``, concurrently) every key
whose ``-cert.pub`` is missing, unreadable, from another CA or expiring within the renewal
window, writes the new certificates atomically, then sleeps until the next round. Ctrl-C or
SIGTERM stops it between two steps; a renewal in flight finishes first.

::

    NGROK_API_KEY=... python examples/bot.py --ca sshca_... --keys-dir /etc/ssh/fleet
    python examples/bot.py --fake --keys-dir /tmp/keys   # on the embedded fake API

One ``AsyncClient`` is opened in ``main`` and shared by every round.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import pathlib
import signal
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

from ngrok_async import (
    AsyncClient,
    NgrokError,
    SSHCertificateAuthority,
    SSHUserCertificateRequest,
)
from ngrok_async.ssh_keys import (
    CertificateVerificationError,
    InvalidCertificateError,
    certificate_path,
    fingerprint_sha256,
    parse_certificate,
    write_certificate,
)

log = logging.getLogger("cert-bot")

VALID_FOR = timedelta(hours=8)
RENEW_BEFORE = timedelta(hours=2)
PRINCIPAL = "deploy"


def due(
    keys_dir: pathlib.Path, ca: SSHCertificateAuthority, now: datetime
) -> Iterator[pathlib.Path]:
    """The public keys whose certificate is missing, foreign or expiring soon."""
    ca_fingerprint = fingerprint_sha256(ca.public_key)
    for key in sorted(keys_dir.glob("*.pub")):
        if key.name.endswith("-cert.pub"):
            continue
        try:
            info = parse_certificate(certificate_path(key))
        except InvalidCertificateError:  # missing or unreadable
            yield key
            continue
        if (
            info.signature_key_fingerprint != ca_fingerprint
            or info.valid_before - now < RENEW_BEFORE
        ):
            yield key


async def renew_once(ngrok: AsyncClient, ca_id: str, keys_dir: pathlib.Path) -> tuple[int, int]:
    """One round: returns (certificates written, keys that failed)."""
    ca = await ngrok.ssh_certificate_authorities.get(ca_id)
    now = datetime.now(timezone.utc)
    requests = (
        SSHUserCertificateRequest(ca.id, key, principals=[PRINCIPAL], valid_until=now + VALID_FOR)
        for key in due(keys_dir, ca, now)
    )
    written = failed = 0
    async with ngrok.ssh_user_certificates.create_many(requests, reconcile=True) as results:
        async for result in results:
            key = pathlib.Path(result.request.public_key)  # type: ignore[arg-type]
            if result.record is None:
                failed += 1
                log.warning("%s: %s (%s)", key.name, result.outcome.value, result.error)
                continue
            try:
                result.record.verify(ca, principal=PRINCIPAL)  # never write what does not verify
                write_certificate(key, result.record)
            except (CertificateVerificationError, OSError) as exc:
                failed += 1
                log.warning("%s: issued %s but not written: %s", key.name, result.record.id, exc)
                continue
            written += 1
            log.info("%s: renewed until %s", key.name, result.record.valid_until)
    return written, failed


async def run(ngrok: AsyncClient, ca_id: str, keys_dir: pathlib.Path, every: float) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # Windows has no signal handlers
            loop.add_signal_handler(sig, stop.set)
    while not stop.is_set():
        try:
            written, failed = await renew_once(ngrok, ca_id, keys_dir)
        except NgrokError as exc:  # the API is down or the CA is gone: try again next round
            log.error("round failed: %s", exc)
        else:
            log.info("round done: %d renewed, %d failed; next in %.0f s", written, failed, every)
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every)
    log.info("stopped")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keys-dir", type=pathlib.Path, required=True)
    parser.add_argument("--ca", help="SSH certificate authority id (not needed with --fake)")
    parser.add_argument("--every", type=float, default=600.0, help="seconds between rounds")
    parser.add_argument("--fake", action="store_true", help="use the embedded fake API")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if args.fake:
        from ngrok_async.testing import FakeNgrok

        client = FakeNgrok().client()
    else:
        client = AsyncClient()  # NGROK_API_KEY
    async with client as ngrok:
        ca_id = args.ca
        if args.fake:
            ca_id = (await ngrok.ssh_certificate_authorities.create(description="bot (fake)")).id
        if not ca_id:
            parser.error("--ca is required without --fake")
        await run(ngrok, ca_id, args.keys_dir, args.every)


if __name__ == "__main__":
    asyncio.run(main())
