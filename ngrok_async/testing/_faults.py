"""Fault injection: what to inject (``Faults``), the bookkeeping (``FaultGate``), the counters.

Order for each authenticated request: rate window (at arrival) → concurrency cap → latency →
503 roll → the work → 502 roll → drop roll. The three rolls are drawn together at admission
from one seeded ``random.Random``, so a seed and the order requests arrive in fully determine
which requests fail, whatever the scheduling afterwards.
"""

from __future__ import annotations

import collections
import random
from collections.abc import Callable
from typing import Any

import attrs

from . import _codes as codes
from ._codes import FakeAPIError

FAULT_KINDS = ("rate_limit", "max_concurrent", "unavailable", "bad_gateway", "drop")


def _check_rate(_: Any, __: attrs.Attribute[Any], value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, tuple) or len(value) != 2:
        raise ValueError(f"rate_limit must be (requests, seconds) or None, got {value!r}")
    count, window = value
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"rate_limit requests must be a positive int, got {count!r}")
    if isinstance(window, bool) or not isinstance(window, (int, float)) or not window > 0:
        raise ValueError(f"rate_limit seconds must be a positive number, got {window!r}")


def _check_cap(_: Any, __: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise ValueError(f"max_concurrent must be a positive int or None, got {value!r}")


def _check_seconds(_: Any, attr: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
        raise ValueError(f"{attr.name} must be a number >= 0, got {value!r}")


def _check_probability(_: Any, attr: attrs.Attribute[Any], value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ValueError(f"{attr.name} must be a probability in [0, 1], got {value!r}")


@attrs.frozen(kw_only=True)
class Faults:
    """What the fake injects. All off by default; replace with ``fake.faults = Faults(...)``.

    Attributes:
        rate_limit: ``(n, w)``: at most ``n`` requests admitted in any rolling ``w`` seconds,
            counted at arrival; the excess get 429 ``ERR_NGROK_226`` and do no work (and are
            not counted against the window).
        max_concurrent: requests in flight at once; the excess get 429 ``ERR_NGROK_225``.
        latency: seconds slept (``anyio.sleep``) before an admitted request is answered.
        p_unavailable: probability of a 503 before any work.
        p_bad_gateway_after: probability of doing the work, then answering 502.
        p_drop_after: probability of doing the work, then dropping the connection with no
            final response (``httpx.RemoteProtocolError``; over :meth:`FakeNgrok.serve` an
            interim ``103`` goes first, which clients skip).
    """

    rate_limit: tuple[int, float] | None = attrs.field(default=None, validator=_check_rate)
    max_concurrent: int | None = attrs.field(default=None, validator=_check_cap)
    latency: float = attrs.field(default=0.0, validator=_check_seconds)
    p_unavailable: float = attrs.field(default=0.0, validator=_check_probability)
    p_bad_gateway_after: float = attrs.field(default=0.0, validator=_check_probability)
    p_drop_after: float = attrs.field(default=0.0, validator=_check_probability)


@attrs.define(kw_only=True)
class FakeStats:
    """Counters since construction or the last ``reset()``."""

    requests: int = 0
    """Every request seen, whatever its outcome."""
    created: collections.Counter[str] = attrs.field(factory=collections.Counter)
    """Resources created, by kind (``"credentials"``, ...)."""
    faults: collections.Counter[str] = attrs.field(factory=collections.Counter)
    """Injected faults by kind: ``rate_limit``, ``max_concurrent``, ``unavailable``,
    ``bad_gateway``, ``drop``."""
    responses: collections.Counter[int] = attrs.field(factory=collections.Counter)
    """Responses sent, by HTTP status (dropped requests are not responses)."""


@attrs.frozen(slots=True)
class Rolls:
    unavailable: bool
    bad_gateway: bool
    drop: bool


class FaultGate:
    """Admission (rate window, concurrency cap) and the per-request dice."""

    def __init__(self, clock: Callable[[], float], rng: random.Random) -> None:
        self._clock = clock
        self._rng = rng
        self._admitted: collections.deque[float] = collections.deque()
        self.in_flight = 0

    def admit(self, faults: Faults, stats: FakeStats) -> Rolls:
        """Admit one request (the caller must ``release()`` it) or raise the 429."""
        if faults.rate_limit is not None:
            count, window = faults.rate_limit
            now = self._clock()
            while self._admitted and self._admitted[0] <= now - window:
                self._admitted.popleft()
            if len(self._admitted) >= count:
                stats.faults["rate_limit"] += 1
                raise FakeAPIError(
                    429,
                    codes.RATE_LIMIT,
                    f"Your account is rate limited to {count} API requests per {_seconds(window)}.",
                )
            self._admitted.append(now)
        if faults.max_concurrent is not None and self.in_flight >= faults.max_concurrent:
            stats.faults["max_concurrent"] += 1
            raise FakeAPIError(
                429,
                codes.CONCURRENCY_LIMIT,
                f"Your account is limited to {faults.max_concurrent} simultaneous API requests.",
            )
        self.in_flight += 1
        rng = self._rng
        u_unavailable, u_bad_gateway, u_drop = rng.random(), rng.random(), rng.random()
        return Rolls(
            unavailable=u_unavailable < faults.p_unavailable,
            bad_gateway=u_bad_gateway < faults.p_bad_gateway_after,
            drop=u_drop < faults.p_drop_after,
        )

    def release(self) -> None:
        self.in_flight -= 1

    def reset(self) -> None:
        self._admitted.clear()


def _seconds(window: float) -> str:
    return f"{window:g} seconds" if window != 1 else "second"
