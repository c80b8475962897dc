"""An asyncio bot that keeps an SSH user certificate fresh for every key in a directory.

Each ``<dir>/*.pub`` key gets a :func:`ngrok_async.renew.keep_fresh` task: its
``-cert.pub`` is kept while it is good, renewed at about two thirds of its lifetime
(jittered, so a fleet started together spreads its renewals), verified against the CA and
written atomically; failures back off and retry before the certificate would expire. Ctrl-C or
SIGTERM cancels every task; a file being written is either the old certificate or the new one.

::

    NGROK_API_KEY=... python examples/bot.py --ca sshca_... --keys-dir /etc/ssh/fleet
    python examples/bot.py --fake --keys-dir /tmp/keys   # on the embedded fake API

One ``AsyncClient`` is opened in ``main`` and shared by every task, so they share its rate
limiter (ngrok allows 120 requests a minute per account) and its retry rules.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import pathlib
import signal
from datetime import timedelta

import anyio

from ngrok_async import AsyncClient
from ngrok_async.renew import RenewalEvent, RenewalPolicy, Status, keep_fresh

log = logging.getLogger("cert-bot")

PRINCIPAL = "deploy"
POLICY = RenewalPolicy(valid_for=timedelta(hours=8), renew_at=2 / 3)


def report(event: RenewalEvent) -> None:
    """The renewal callback: one log line per step."""
    name = event.key.name
    if event.status is Status.FAILED:
        log.warning("%s: renewal failed (%s); retry at %s", name, event.error, event.next_at)
    elif event.status is Status.RENEWED:
        log.info("%s: renewed until %s; next renewal %s", name, event.valid_until, event.next_at)
    else:
        log.info(
            "%s: certificate good until %s; renewal %s", name, event.valid_until, event.next_at
        )


def keys(keys_dir: pathlib.Path) -> list[pathlib.Path]:
    return sorted(k for k in keys_dir.glob("*.pub") if not k.name.endswith("-cert.pub"))


async def run(
    ngrok: AsyncClient, ca_id: str, keys_dir: pathlib.Path, *, on_event=report, **options
) -> None:
    """Keep every key of ``keys_dir`` certified until cancelled."""
    async with anyio.create_task_group() as tasks:
        for key in keys(keys_dir):
            tasks.start_soon(
                lambda key=key: keep_fresh(
                    ngrok,
                    key,
                    ca_id=ca_id,
                    principals=[PRINCIPAL],
                    policy=POLICY,
                    on_event=on_event,
                    **options,
                )
            )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keys-dir", type=pathlib.Path, required=True)
    parser.add_argument("--ca", help="SSH certificate authority id (not needed with --fake)")
    parser.add_argument("--fake", action="store_true", help="use the embedded fake API")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if args.fake:
        from ngrok_async.testing import FakeNgrok

        client = FakeNgrok().client()
    else:
        client = AsyncClient()  # NGROK_API_KEY (and NGROK_BASE_URL, if set)
    async with client as ngrok:
        ca_id = args.ca
        if args.fake:
            ca_id = (await ngrok.ssh_certificate_authorities.create(description="bot (fake)")).id
        if not ca_id:
            parser.error("--ca is required without --fake")
        task = asyncio.current_task()
        assert task is not None
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):  # Windows has no signal handlers
                loop.add_signal_handler(sig, task.cancel)
        with contextlib.suppress(asyncio.CancelledError):
            await run(ngrok, ca_id, args.keys_dir)
    log.info("stopped")


if __name__ == "__main__":
    asyncio.run(main())
