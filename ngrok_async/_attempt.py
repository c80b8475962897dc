"""One attempt on the wire: a limiter slot, a total deadline, a capped body, a known outcome.

An attempt never raises for what happens on the wire: it returns an :class:`Attempt` holding the
status (if one arrived), the body read so far, the failure (an httpx error for the retry rule,
or an :class:`NgrokError`) and whether the request may have reached the server. Only
cancellation propagates; a create cancelled after it may have left is marked (:func:`in_doubt`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import anyio
import httpx

from ._body import ERROR_BODY_BYTES, read_body
from ._errors import ClientStateError, NgrokConnectionError, NgrokError
from ._limits import RequestLimiter
from ._transport import Send

logger = logging.getLogger("ngrok_async")

_IN_DOUBT = "ngrok_async: this cancelled a create that may have reached ngrok"
_NO_HEADERS = httpx.Headers()


class Attempt:
    """What one attempt ended with."""

    __slots__ = ("content", "error", "headers", "maybe_sent", "status")

    def __init__(self) -> None:
        self.status: int | None = None
        self.headers: httpx.Headers = _NO_HEADERS
        self.content = b""
        self.error: BaseException | None = None
        self.maybe_sent = True


class _Wire:
    """Follows httpx's ``trace`` extension: has the request started to leave the machine?"""

    __slots__ = ("sent",)

    def __init__(self, sent: bool | None) -> None:
        self.sent = sent  # None: the transport does not report it, so assume it may have

    async def trace(self, event: str, info: Any) -> None:
        if event.endswith("send_request_headers.started"):
            self.sent = True


async def attempt(
    send: Send,
    prepared: httpx.Request | Callable[[], httpx.Request],
    limiter: RequestLimiter,
    *,
    method: str,
    deadline: float,
    max_bytes: int,
    resource: str,
    traced: bool,
    closed: Callable[[], bool],
) -> Attempt:
    """Send the request once, holding a limiter slot only while it is on the wire.

    ``prepared``: the request, or a function that builds it once the slot is held (for bodies
    with values that must be computed at send time). ``traced``: the transport reports
    httpcore's trace events, so "not sent yet" can be known.
    """
    wire = _Wire(False)
    out = Attempt()
    try:
        async with limiter.slot():
            request = prepared if isinstance(prepared, httpx.Request) else prepared()
            request.extensions["trace"] = wire.trace
            if not traced:
                wire.sent = None
            with anyio.move_on_after(deadline) as scope:
                response = await send(request)
                out.status = status = response.status_code
                out.headers = response.headers
                try:
                    if 200 <= status < 300:
                        out.content = await read_body(response, max_bytes, resource)
                    else:
                        out.content = await read_body(
                            response, ERROR_BODY_BYTES, resource, truncate=True
                        )
                except BaseException:
                    with anyio.CancelScope(shield=True):
                        await response.aclose()
                    raise
                await response.aclose()
            if scope.cancelled_caught:
                kind = httpx.ConnectTimeout if wire.sent is False else httpx.ReadTimeout
                out.error = kind(
                    f"the attempt did not complete within its {deadline:g} s deadline",
                    request=request,
                )
    except (httpx.HTTPError, NgrokError) as exc:
        out.error = exc
    except Exception as exc:
        if closed():
            out.error = ClientStateError("the client was closed while the request was running")
        else:
            out.error = NgrokConnectionError(f"{resource} failed: {type(exc).__name__}: {exc}")
            out.error.__cause__ = exc
    except BaseException as exc:
        if method == "POST" and wire.sent is not False:
            _mark_in_doubt(exc, resource)
        raise
    out.maybe_sent = wire.sent is not False
    return out


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
