"""What an attempt's outcome becomes: the retry verdict, the error raised, the decoded body."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import httpx

from . import _retry
from ._attempt import Attempt
from ._convert import loads
from ._errors import (
    ClientStateError,
    CreatedButUndecodableError,
    NgrokConnectionError,
    NgrokDecodeError,
    NgrokError,
    NgrokTimeoutError,
    api_error,
)

R = TypeVar("R")


def decide(
    method: str,
    status: int | None,
    error: BaseException | None,
    maybe_sent: bool,
    retries: int,
    max_retries: int,
) -> _retry.Verdict:
    """The retry rule's verdict; a failure it does not know (already an ``NgrokError``) is final,
    and ambiguous for a create that may have left."""
    if status is not None or isinstance(error, httpx.HTTPError):
        return _retry.decide(
            method, status=status, error=error, retries_done=retries, max_retries=max_retries
        )
    if method == "POST" and maybe_sent and not isinstance(error, ClientStateError):
        return _retry.Verdict.AMBIGUOUS
    return _retry.Verdict.FAIL


def outcome_error(
    outcome: Attempt,
    status: int | None,
    error: BaseException | None,
    method: str,
    path: str,
    secret: str,
) -> NgrokError:
    """The error a failed call raises: the API's typed error for a status (``secret``, the API
    key, redacted from its body), the SDK's own as it is, a transport error as
    ``NgrokConnectionError``/``NgrokTimeoutError`` chained to it."""
    if status is not None:
        return api_error(status, outcome.content, method=method, path=path, secret=secret)
    if isinstance(error, NgrokError):
        return error
    kind = NgrokTimeoutError if isinstance(error, httpx.TimeoutException) else NgrokConnectionError
    failure = kind(f"{method} {path} failed: {type(error).__name__}: {error}")
    failure.__cause__ = error
    return failure


def parse(
    content: bytes, method: str, where: str, status: int, decode: Callable[[Any], R] | None
) -> Any:
    """A 2xx body parsed and decoded; a create's that does not decode is
    :class:`CreatedButUndecodableError`."""
    try:
        if status == 204 or not content:
            data = None
        else:
            try:
                data = loads(content)
            except (ValueError, RecursionError):
                raise NgrokDecodeError(
                    resource=where, field="", reason="response body is not JSON"
                ) from None
        return data if decode is None else decode(data)
    except NgrokDecodeError as exc:
        if method != "POST":
            raise
        raise CreatedButUndecodableError(
            resource=exc.resource, field=exc.field, reason=exc.reason, status_code=status
        ) from exc
