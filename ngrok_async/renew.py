"""Keep one key's SSH user certificate fresh, for as long as a bot runs.

``await keep_fresh(ngrok, key, ca_id=..., principals=[...])`` runs until cancelled: it renews
the certificate at a fraction of its lifetime (⅔ by default, jittered so a fleet started
together does not renew together), verifies each new certificate against the CA and the key,
writes it atomically as ``<key>-cert.pub``, and reports every step to a callback. The
client's own retry rules apply to each request (429s, 503s, connection failures); when a
renewal still fails, it backs off and tries again, never waiting past the point where the
current certificate would expire unreplaced. It uses anyio, so it runs on asyncio and trio;
cancel it with a cancel scope or ``task.cancel()``.
"""

from __future__ import annotations

import enum
import inspect
import pathlib
import random
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Protocol

import anyio
import anyio.to_thread
import attrs

from ._errors import InvalidParameterError, NgrokError
from ._types import NOT_GIVEN
from .ssh_keys import (
    CertificateVerificationError,
    InvalidCertificateError,
    certificate_path,
    fingerprint_sha256,
    parse_certificate,
    write_certificate,
)

if TYPE_CHECKING:
    from ._client import AsyncClient
    from .resources.ssh import SSHCertificateAuthority, SSHUserCertificate

__all__ = ["Clock", "RenewalEvent", "RenewalPolicy", "Status", "keep_fresh"]


class Clock(Protocol):
    """Time for :func:`keep_fresh`; tests pass a fake one."""

    def now(self) -> datetime: ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The wall clock (UTC) and ``anyio.sleep``."""

    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    async def sleep(self, seconds: float) -> None:
        await anyio.sleep(seconds)


@attrs.frozen
class RenewalPolicy:
    """When to renew and how to back off.

    Attributes:
        valid_for: lifetime asked for each certificate.
        renew_at: fraction of a certificate's lifetime after which it is renewed (0 to 1).
        jitter: the fraction is drawn from ``renew_at ± jitter`` for each certificate.
        retry_min, retry_max: a failed renewal is retried after a random delay between
            ``retry_min`` and an exponentially growing cap (at most ``retry_max``), and never
            later than half the time left before the current certificate expires.
    """

    valid_for: timedelta = timedelta(hours=8)
    renew_at: float = 2 / 3
    jitter: float = 0.05
    retry_min: timedelta = timedelta(seconds=5)
    retry_max: timedelta = timedelta(minutes=10)

    def __attrs_post_init__(self) -> None:
        if self.valid_for <= timedelta(0):
            raise InvalidParameterError("valid_for", "must be positive")
        if self.jitter < 0 or not (
            0 < self.renew_at - self.jitter < self.renew_at + self.jitter < 1
        ):
            raise InvalidParameterError("renew_at", "renew_at ± jitter must lie inside (0, 1)")
        if not timedelta(0) < self.retry_min <= self.retry_max:
            raise InvalidParameterError("retry_min", "need 0 < retry_min <= retry_max")


class Status(enum.Enum):
    KEPT = "kept"  # the certificate on disk is still good: renewal scheduled
    RENEWED = "renewed"  # a new certificate was issued, verified and written
    FAILED = "failed"  # this attempt failed; ``retry_at`` says when the next one is


@attrs.frozen
class RenewalEvent:
    """What the callback receives after each step.

    ``valid_until`` is that of the certificate now on disk (``None`` if there is none);
    ``next_at`` is when the next renewal (or retry) is due; ``failures`` counts consecutive
    failed attempts; ``error`` is set for ``FAILED``.
    """

    status: Status
    key: pathlib.Path
    path: pathlib.Path
    next_at: datetime
    valid_until: datetime | None = None
    certificate: SSHUserCertificate | None = None
    error: Exception | None = None
    failures: int = 0


async def keep_fresh(
    ngrok: AsyncClient,
    key: str | pathlib.Path,
    *,
    ca_id: str,
    principals: Sequence[str] = (),
    extensions: Mapping[str, str] | None = None,
    description: str | None = None,
    policy: RenewalPolicy = RenewalPolicy(),  # frozen, so shared safely
    directory: str | pathlib.Path | None = None,
    on_event: Callable[[RenewalEvent], object] | None = None,
    clock: Clock | None = None,
    rng: random.Random | None = None,
) -> None:
    """Keep ``<key>-cert.pub`` (in ``directory``, default next to the key) valid until
    cancelled.

    ``key`` is the ``.pub`` file of the key to certify. An existing certificate is kept
    while it is signed by ``ca_id``, certifies this key with these ``principals`` and is not
    past its renewal point. ``on_event`` (a function or a coroutine function) gets a
    :class:`RenewalEvent` after each step; an exception it raises stops the loop. Failures the
    API or the disk report are retried; ``InvalidParameterError`` (bad input, nothing sent) is
    raised at once.
    """
    renewer = _Renewer(
        ngrok,
        pathlib.Path(key),
        ca_id=ca_id,
        principals=tuple(principals),
        extensions=extensions,
        description=description,
        policy=policy,
        directory=None if directory is None else pathlib.Path(directory),
        on_event=on_event,
        clock=clock or SystemClock(),
        rng=rng or random.Random(),
    )
    await renewer.run()


@attrs.define
class _Renewer:
    ngrok: AsyncClient
    key: pathlib.Path
    ca_id: str
    principals: tuple[str, ...]
    extensions: Mapping[str, str] | None
    description: str | None
    policy: RenewalPolicy
    directory: pathlib.Path | None
    on_event: Callable[[RenewalEvent], object] | None
    clock: Clock
    rng: random.Random
    ca: SSHCertificateAuthority | None = None
    valid_until: datetime | None = None
    failures: int = 0

    @property
    def path(self) -> pathlib.Path:
        return certificate_path(self.key, directory=self.directory)

    async def run(self) -> None:
        due: datetime | None = None
        while True:
            if due is not None:
                await self._sleep_until(due)
            kept = cert = None
            try:
                if self.ca is None:
                    self.ca = await self.ngrok.ssh_certificate_authorities.get(self.ca_id)
                    kept = await self._existing_due(self.ca)
                if kept is None:
                    cert, due = await self._renew(self.ca)
            except InvalidParameterError:
                raise
            except (NgrokError, OSError, CertificateVerificationError, ValueError) as exc:
                self.failures += 1
                due = self.clock.now() + self._retry_delay()
                await self._report(Status.FAILED, due, error=exc)
                continue
            if kept is not None:
                due = kept
                await self._report(Status.KEPT, due)
            else:
                assert due is not None
                await self._report(Status.RENEWED, due, certificate=cert)

    async def _existing_due(self, ca: SSHCertificateAuthority) -> datetime | None:
        """When the certificate on disk needs renewing, or None if it must be renewed now."""
        try:
            info = await anyio.to_thread.run_sync(parse_certificate, self.path)
            key_fingerprint = await anyio.to_thread.run_sync(fingerprint_sha256, self.key)
        except (InvalidCertificateError, OSError):
            return None
        if (
            info.signature_key_fingerprint != fingerprint_sha256(ca.public_key)
            or info.public_key_fingerprint != key_fingerprint
            or set(info.principals) != set(self.principals)
        ):
            return None
        self.valid_until = info.valid_before
        due = self._renewal_point(info.valid_after, info.valid_before)
        return due if due > self.clock.now() else None

    async def _renew(self, ca: SSHCertificateAuthority) -> tuple[SSHUserCertificate, datetime]:
        cert = await self.ngrok.ssh_user_certificates.create(
            ca.id,
            self.key,
            principals=list(self.principals),
            valid_for=self.policy.valid_for,
            extensions=NOT_GIVEN if self.extensions is None else dict(self.extensions),
            description=NOT_GIVEN if self.description is None else self.description,
        )
        received = self.clock.now()
        principal = self.principals[0] if self.principals else None
        cert.verify(ca, principal=principal, at=cert.valid_after)
        await anyio.to_thread.run_sync(
            lambda: write_certificate(self.key, cert, directory=self.directory)
        )
        self.valid_until = cert.valid_until
        self.failures = 0
        # Scheduled from when we received it, on our clock, so server clock skew cannot make
        # the loop renew early or late.
        return cert, received + (cert.valid_until - cert.valid_after) * self._fraction()

    def _fraction(self) -> float:
        return self.policy.renew_at + self.rng.uniform(-self.policy.jitter, self.policy.jitter)

    def _renewal_point(self, valid_after: datetime, valid_until: datetime) -> datetime:
        return valid_after + (valid_until - valid_after) * self._fraction()

    def _retry_delay(self) -> timedelta:
        policy = self.policy
        growth = 2.0 ** min(self.failures - 1, 30)
        cap = min(policy.retry_max, policy.retry_min * growth)
        delay = policy.retry_min + (cap - policy.retry_min) * self.rng.random()
        if self.valid_until is not None:
            left = (self.valid_until - self.clock.now()) / 2
            if left > timedelta(0):
                delay = min(delay, max(left, timedelta(seconds=1)))
        return delay

    async def _sleep_until(self, when: datetime) -> None:
        seconds = (when - self.clock.now()).total_seconds()
        if seconds > 0:
            await self.clock.sleep(seconds)

    async def _report(
        self,
        status: Status,
        next_at: datetime,
        *,
        certificate: SSHUserCertificate | None = None,
        error: Exception | None = None,
    ) -> None:
        if self.on_event is None:
            return
        event = RenewalEvent(
            status,
            self.key,
            self.path,
            next_at,
            valid_until=self.valid_until,
            certificate=certificate,
            error=error,
            failures=self.failures,
        )
        outcome = self.on_event(event)
        if inspect.isawaitable(outcome):
            await outcome
