"""``keep_fresh``: renewal points, jitter, keeping a good certificate, backoff, trio, cancel.

A fake clock stands in for time: ``sleep`` advances it at once, so hours of a bot's life run
in milliseconds. The fake API signs real certificates (its own clock is the real one, which
is why renewal is scheduled from when a certificate was received, on the caller's clock).
"""

from __future__ import annotations

import pathlib
import random
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import anyio
import anyio.lowlevel
import pytest

from ngrok_async import InvalidParameterError
from ngrok_async.renew import RenewalEvent, RenewalPolicy, Status, keep_fresh
from ngrok_async.ssh_keys import generate_key_pair, parse_certificate, write_certificate
from ngrok_async.testing import FakeNgrok, Faults

HOURS_8 = timedelta(hours=8)


class FakeClock:
    def __init__(self) -> None:
        self.time = datetime.now(timezone.utc)
        self.sleeps: list[float] = []

    def now(self) -> datetime:
        return self.time

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.time += timedelta(seconds=seconds)
        await anyio.lowlevel.checkpoint()


class Enough(Exception):
    """Raised by the callback to end a run after some events."""


def stop_after(count: int, events: list[RenewalEvent]) -> Callable[[RenewalEvent], None]:
    def on_event(event: RenewalEvent) -> None:
        events.append(event)
        if len(events) >= count:
            raise Enough

    return on_event


def key_file(directory: pathlib.Path, name: str = "bot") -> pathlib.Path:
    path = directory / f"{name}.pub"
    path.write_text(generate_key_pair()[1] + "\n")
    return path


def run(main: Callable[[], Awaitable[Any]], backend: str = "asyncio") -> Any:
    return anyio.run(main, backend=backend)


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_renews_at_two_thirds_of_the_lifetime_jittered(
    tmp_path: pathlib.Path, backend: str
) -> None:
    key = key_file(tmp_path)
    clock = FakeClock()
    events: list[RenewalEvent] = []
    written: list[str] = []
    fake = FakeNgrok(seed=2)

    def on_event(event: RenewalEvent) -> None:
        written.append(event.path.read_text())
        stop_after(4, events)(event)

    async def main() -> None:
        async with fake.client(rate_limit=None) as ngrok:
            ca = await ngrok.ssh_certificate_authorities.create(private_key_type="ed25519")
            with pytest.raises(Enough):
                await keep_fresh(ngrok, key, ca_id=ca.id, principals=["deploy"], clock=clock,
                                 on_event=on_event, rng=random.Random(7))  # fmt: skip

    run(main, backend)

    assert [e.status for e in events] == [Status.RENEWED] * 4
    assert len(set(written)) == 4  # a new certificate each time, written in place
    low, high = (2 / 3 - 0.05) * HOURS_8.total_seconds(), (2 / 3 + 0.05) * HOURS_8.total_seconds()
    assert len(clock.sleeps) == 3
    assert all(low <= s <= high for s in clock.sleeps)
    assert len(set(clock.sleeps)) == 3  # jittered
    info = parse_certificate(tmp_path / "bot-cert.pub")
    assert info.principals == ("deploy",)
    assert info.valid_before - info.valid_after == HOURS_8
    assert (tmp_path / "bot-cert.pub").stat().st_mode & 0o777 == 0o644
    assert fake.stats.created["ssh_user_certificates"] == 4


def test_a_good_certificate_on_disk_is_kept_until_its_renewal_point(
    tmp_path: pathlib.Path,
) -> None:
    key = key_file(tmp_path)
    clock = FakeClock()
    events: list[RenewalEvent] = []
    fake = FakeNgrok(seed=3)

    async def main() -> None:
        async with fake.client(rate_limit=None) as ngrok:
            ca = await ngrok.ssh_certificate_authorities.create()
            cert = await ngrok.ssh_user_certificates.create(
                ca.id, key, principals=["deploy"], valid_for=HOURS_8
            )
            write_certificate(key, cert)
            with pytest.raises(Enough):
                await keep_fresh(ngrok, key, ca_id=ca.id, principals=["deploy"], clock=clock,
                                 on_event=stop_after(2, events))  # fmt: skip
            return cert

    cert = run(main)

    kept, renewed = events
    assert kept.status is Status.KEPT
    assert kept.valid_until == cert.valid_until
    point = (kept.next_at - cert.valid_after) / HOURS_8
    assert 2 / 3 - 0.05 <= point <= 2 / 3 + 0.05
    assert renewed.status is Status.RENEWED
    assert fake.stats.created["ssh_user_certificates"] == 2


@pytest.mark.parametrize("case", ["other principals", "other CA", "unreadable"])
def test_a_certificate_that_does_not_fit_is_renewed_at_once(
    tmp_path: pathlib.Path, case: str
) -> None:
    key = key_file(tmp_path)
    events: list[RenewalEvent] = []
    fake = FakeNgrok(seed=4)

    async def main() -> None:
        async with fake.client(rate_limit=None) as ngrok:
            ca = await ngrok.ssh_certificate_authorities.create()
            other = await ngrok.ssh_certificate_authorities.create()
            signer = other.id if case == "other CA" else ca.id
            principals = ["root"] if case == "other principals" else ["deploy"]
            cert = await ngrok.ssh_user_certificates.create(signer, key, principals=principals)
            write_certificate(key, cert)
            if case == "unreadable":
                (tmp_path / "bot-cert.pub").write_text("garbage\n")
            with pytest.raises(Enough):
                await keep_fresh(ngrok, key, ca_id=ca.id, principals=["deploy"],
                                 clock=FakeClock(), on_event=stop_after(1, events))  # fmt: skip
            return ca

    ca = run(main)

    assert events[0].status is Status.RENEWED
    assert events[0].certificate is not None
    assert events[0].certificate.ssh_certificate_authority_id == ca.id
    assert parse_certificate(tmp_path / "bot-cert.pub").principals == ("deploy",)


def test_failures_back_off_and_retry_before_expiry(
    tmp_path: pathlib.Path, sleeps: list[float]
) -> None:
    key = key_file(tmp_path)
    clock = FakeClock()
    events: list[RenewalEvent] = []
    fake = FakeNgrok(seed=5)
    policy = RenewalPolicy(valid_for=timedelta(hours=1), retry_min=timedelta(seconds=10),
                           retry_max=timedelta(minutes=30))  # fmt: skip

    def on_event(event: RenewalEvent) -> None:
        events.append(event)
        if len(events) == 1:
            fake.faults = Faults(p_unavailable=1.0)  # every request 503 from now on
        if len(events) == 12:
            fake.faults = Faults()
        if len(events) == 13:
            raise Enough

    async def main() -> None:
        async with fake.client(rate_limit=None, max_retries=1) as ngrok:
            ca = await ngrok.ssh_certificate_authorities.create()
            with pytest.raises(Enough):
                await keep_fresh(ngrok, key, ca_id=ca.id, policy=policy, clock=clock,
                                 on_event=on_event, rng=random.Random(1))  # fmt: skip

    run(main)

    first, *failed, recovered = events
    assert first.status is Status.RENEWED
    assert [e.status for e in failed] == [Status.FAILED] * 11
    assert [e.failures for e in failed] == list(range(1, 12))
    assert recovered.status is Status.RENEWED
    assert recovered.failures == 0
    assert first.valid_until is not None
    assert all(event.error is not None for event in failed)
    assert len(sleeps) == 11  # the client retried each attempt once, then gave up
    waits = clock.sleeps[1:]  # after the first renewal's wait
    assert all(wait >= 1 for wait in waits)
    # Each retry waits at most half the time left, so it lands before the certificate expires.
    before_expiry = [e for e in failed if e.next_at < first.valid_until]
    assert len(before_expiry) >= 8


def test_cancelling_stops_the_loop_and_leaves_a_whole_file(tmp_path: pathlib.Path) -> None:
    key = key_file(tmp_path)
    fake = FakeNgrok(seed=6)
    events: list[RenewalEvent] = []

    async def main() -> None:
        async with fake.client(rate_limit=None) as ngrok:
            ca = await ngrok.ssh_certificate_authorities.create()
            with anyio.fail_after(10), anyio.CancelScope() as scope:

                def on_event(event: RenewalEvent) -> None:
                    events.append(event)
                    scope.cancel()

                await keep_fresh(ngrok, key, ca_id=ca.id, on_event=on_event)  # real clock
            assert scope.cancelled_caught

    run(main)

    assert len(events) == 1
    parse_certificate(tmp_path / "bot-cert.pub")


def test_bad_input_is_raised_not_retried(tmp_path: pathlib.Path) -> None:
    missing = tmp_path / "missing.pub"

    async def main() -> None:
        async with FakeNgrok().client(rate_limit=None) as ngrok:
            ca = await ngrok.ssh_certificate_authorities.create()
            await keep_fresh(ngrok, missing, ca_id=ca.id, clock=FakeClock())

    with pytest.raises(InvalidParameterError):
        run(main)
    with pytest.raises(InvalidParameterError):
        RenewalPolicy(renew_at=0.99, jitter=0.05)
    with pytest.raises(InvalidParameterError):
        RenewalPolicy(valid_for=timedelta(0))
