"""One attempt on the wire: a limiter slot, a total deadline, a capped body, a known outcome.

An attempt never raises for what happens on the wire: it returns an :class:`Attempt` holding the
status (if one arrived), the body read so far, the failure (an httpx error for the retry rule,
or an :class:`NgrokError`) and whether the request may have reached the server. Only
cancellation propagates; a create cancelled after it may have left is marked (:func:`in_doubt`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import anyio
import httpx

from ._body import ERROR_BODY_BYTES
from ._errors import ClientStateError, NgrokConnectionError, NgrokError
from ._limits import RequestLimiter
from ._telemetry import Report
from ._wire import Forms, Outgoing, Wire

logger = logging.getLogger("ngrok_async")

_IN_DOUBT = "ngrok_async: this cancelled a create that may have reached ngrok"


class Attempt:
    """What one attempt ended with."""

    __slots__ = ("content", "error", "maybe_sent", "retry_after", "status")

    def __init__(self) -> None:
        self.status: int | None = None
        self.retry_after: str | None = None
        self.content = b""
        self.error: BaseException | None = None
        self.maybe_sent = True


class _Sent:
    """Follows httpx's ``trace`` extension: has the request started to leave the machine?"""

    __slots__ = ("sent",)

    def __init__(self, sent: bool | None) -> None:
        self.sent = sent  # None: the transport does not report it, so assume it may have

    async def trace(self, event: str, info: Any) -> None:
        if event.endswith("send_request_headers.started"):
            self.sent = True


async def attempt(
    wire: Wire,
    out: Outgoing,
    forms: Forms,
    limiter: RequestLimiter,
    *,
    deadline: float,
    max_bytes: int,
    resource: str,
    closed: Callable[[], bool],
    report: Report | None = None,
) -> Attempt:
    """Send ``out`` once, holding a limiter slot only while it is on the wire (its body is made
    once the slot is held, so send-time values count from then)."""
    tracker = _Sent(False)
    result = Attempt()
    asked = time.perf_counter() if report is not None else 0.0
    try:
        async with limiter.slot():
            if report is not None:
                report.waited(asked)
            if not wire.traced:
                tracker.sent = None  # from here on it may have left: nothing will say
            body = out.body()
            with anyio.move_on_after(deadline) as scope:
                reply = await wire.send(out, body, forms, tracker.trace)
                result.status = status = reply.status_code
                try:
                    if 200 <= status < 300:
                        result.content = await reply.read(max_bytes, resource, truncate=False)
                    else:
                        result.retry_after = reply.header("retry-after")
                        result.content = await reply.read(ERROR_BODY_BYTES, resource, truncate=True)
                except BaseException:
                    with anyio.CancelScope(shield=True):
                        await reply.aclose()
                    raise
                await reply.aclose()
            if scope.cancelled_caught:
                kind = httpx.ConnectTimeout if tracker.sent is False else httpx.ReadTimeout
                result.error = kind(
                    f"the attempt did not complete within its {deadline:g} s deadline"
                )
    except (httpx.HTTPError, NgrokError) as exc:
        result.error = exc
    except Exception as exc:
        if closed():
            result.error = ClientStateError("the client was closed while the request was running")
        else:
            result.error = NgrokConnectionError(f"{resource} failed: {type(exc).__name__}: {exc}")
            result.error.__cause__ = exc
    except BaseException as exc:
        if out.method == "POST" and tracker.sent is not False:
            _mark_in_doubt(exc, resource)
        raise
    result.maybe_sent = tracker.sent is not False
    return result


def _mark_in_doubt(exc: BaseException, resource: str) -> None:
    logger.warning("%s was cancelled after it may have reached ngrok", resource)
    notes = getattr(exc, "__notes__", None)
    try:
        if notes is None:
            exc.__notes__ = [_IN_DOUBT]  # type: ignore[attr-defined]  # add_note() is 3.11+
        elif _IN_DOUBT not in notes:
            notes.append(_IN_DOUBT)
    except (AttributeError, TypeError):  # pragma: no cover - an exception type without notes
        pass


def in_doubt(exc: BaseException) -> bool:
    """Whether ``exc`` (a cancellation, ``KeyboardInterrupt``…) interrupted a create after it
    may have reached ngrok, so the resource may exist: look before creating it again.

    A create cancelled before it left the machine is not in doubt; neither is one that failed
    with an :class:`NgrokError` (:class:`AmbiguousCreateError` says so itself).
    """
    return _IN_DOUBT in (getattr(exc, "__notes__", None) or ())
