"""The retry rule as small pure functions: whether to retry a failed attempt and how long to wait.

ngrok has no idempotency keys, so a non-idempotent request (a create, POST) is retried only when
it provably did no work: the connection was never made (connect error, pool timeout) or the
server said so (429, 503). A create that fails after it may have reached the server is
``AMBIGUOUS``: never retried, reported so the caller can look before creating again.
"""

from __future__ import annotations

import enum
import math
import random
import re
from collections.abc import Callable
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

import httpx

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"})
BACKOFF_BASE = 0.5
BACKOFF_CAP = 8.0
RETRY_AFTER_CAP = 60.0

_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_MAYBE_SENT = (httpx.NetworkError, httpx.TimeoutException, httpx.ProtocolError)
_DELTA_SECONDS = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


class Verdict(enum.Enum):
    """What the core does after a failed attempt."""

    RETRY = enum.auto()
    FAIL = enum.auto()  # raise the normal error
    AMBIGUOUS = enum.auto()  # a create may have reached the server: raise AmbiguousCreateError


class Failure(enum.Enum):
    """The one classification of a failed attempt, shared by the retry rule and by bulk
    reconciliation (:func:`ngrok_async._reconcile.verdict`)."""

    NO_WORK = enum.auto()  # provably not processed: retry any method
    MAYBE_SENT = enum.auto()  # transient, may have been processed: retry idempotent methods only
    SERVER_FAILED = enum.auto()  # 500 and unlisted 5xx: may have been processed, not transient
    FATAL = enum.auto()


def classify(status: int | None, error: BaseException | None) -> Failure:
    """What a failure says about the work done, from its error ``status`` or transport ``error``."""
    if status is not None:
        if status in (429, 503):
            return Failure.NO_WORK
        if status in (502, 504):
            return Failure.MAYBE_SENT
        return Failure.SERVER_FAILED if 500 <= status <= 599 else Failure.FATAL
    if isinstance(error, _NOT_SENT):
        return Failure.NO_WORK
    if isinstance(error, _MAYBE_SENT) and not isinstance(error, httpx.LocalProtocolError):
        return Failure.MAYBE_SENT
    return Failure.FATAL


def decide(
    method: str,
    *,
    status: int | None = None,
    error: BaseException | None = None,
    retries_done: int,
    max_retries: int,
) -> Verdict:
    """Classify a failed attempt, given either its error ``status`` or its transport ``error``.

    A would-be retry becomes ``FAIL`` once ``retries_done >= max_retries``; a non-idempotent
    request that may have reached the server is ``AMBIGUOUS`` whatever the retries left.
    """
    if (status is None) == (error is None):
        raise ValueError("pass exactly one of status and error")
    kind = classify(status, error)
    if kind is Failure.FATAL:
        return Verdict.FAIL
    if kind is not Failure.NO_WORK and method.upper() not in IDEMPOTENT_METHODS:
        return Verdict.AMBIGUOUS
    if kind is Failure.SERVER_FAILED or retries_done >= max_retries:
        return Verdict.FAIL
    return Verdict.RETRY


def may_have_reached_server(status: int | None, error: BaseException | None) -> bool:
    """False only when the attempt provably did no work (429, 503, connect or pool failure)."""
    return classify(status, error) is not Failure.NO_WORK


def _ceiling(retries_done: int, base: float, cap: float) -> float:
    return min(cap, base * 2.0 ** min(max(retries_done, 0), 64))


def backoff_delay(
    retries_done: int,
    *,
    base: float = BACKOFF_BASE,
    cap: float = BACKOFF_CAP,
    rand: Callable[[], float] = random.random,
) -> float:
    """Full jitter: uniform in ``[0, min(cap, base * 2**retries_done)]``."""
    return rand() * _ceiling(retries_done, base, cap)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or HTTP-date); None if unusable.

    Negative or past values give 0; non-finite numbers and garbage give None.
    """
    if value is None:
        return None
    text = value.strip()
    if _DELTA_SECONDS.fullmatch(text):
        seconds = float(text)
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # "-0000" parses as naive; HTTP-dates are GMT
        when = when.replace(tzinfo=timezone.utc)
    current = now if now is not None else datetime.now(timezone.utc)
    if current.tzinfo is None:
        current = current.replace(tzinfo=timezone.utc)
    return max(0.0, (when - current).total_seconds())


def retry_delay(
    retries_done: int,
    *,
    status: int | None,
    retry_after: str | None,
    cap: float = RETRY_AFTER_CAP,
    base: float = BACKOFF_BASE,
    rand: Callable[[], float] = random.random,
    now: datetime | None = None,
) -> float:
    """The sleep before retry number ``retries_done + 1``.

    ``Retry-After`` wins (at most ``cap``). Otherwise full-jitter backoff; a 429 without the
    header (ngrok sends none) waits at least ``base``: uniform in ``[base, max(base, ceiling)]``.
    """
    seconds = parse_retry_after(retry_after, now=now)
    if seconds is not None:
        return min(seconds, cap)
    if status == 429:
        high = max(base, _ceiling(retries_done, base, BACKOFF_CAP))
        return base + (high - base) * rand()
    return backoff_delay(retries_done, base=base, rand=rand)


def retry_after_seconds(value: str | None, *, cap: float = RETRY_AFTER_CAP) -> float | None:
    """A ``Retry-After`` header as seconds to hold the client (at most ``cap``), or None."""
    seconds = parse_retry_after(value)
    return None if seconds is None else min(seconds, cap)
