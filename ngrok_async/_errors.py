"""The exceptions ngrok_async raises; every one derives from :class:`NgrokError`.

``NgrokError``
 ├─ ``InvalidParameterError`` (also a ``ValueError``): bad input, raised before any request
 ├─ ``UnsafeURLError`` (also a ``ValueError``): a URL the SDK refuses to send the API key to
 ├─ ``NgrokAPIError``: the API answered with an error status
 │   ├─ ``BadRequestError`` 400, ``AuthenticationError`` 401, ``PermissionDeniedError`` 403
 │   │   └─ ``EdgesDeprecatedError``: ``EdgesUnavailableError`` (``ERR_NGROK_7008``),
 │   │       ``EdgesReadOnlyError`` (``ERR_NGROK_7196``), by error code whatever the status
 │   ├─ ``NotFoundError`` 404, ``ConflictError`` 409, ``RateLimitError`` 429
 │   └─ ``ServerError`` 5xx
 ├─ ``ClientStateError`` (also a ``RuntimeError``): the client is closed, or is used from an
 │   event loop other than the one it first ran in
 ├─ ``NgrokConnectionError``: the request failed in transport
 │   └─ ``NgrokTimeoutError``: a phase timeout or the attempt's total deadline
 ├─ ``AmbiguousCreateError``: a create failed in a way that leaves its outcome unknown
 └─ ``NgrokDecodeError``: a response the SDK could not decode
     ├─ ``ResponseTooLargeError``: a body past the client's ``max_response_bytes``
     ├─ ``PagingLoopError``: a listing's ``next_page_uri`` came back to a page already read
     └─ ``CreatedButUndecodableError``: a create succeeded but its response did not decode
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, TypedDict

from ._redact import redact_json, redact_text

_RAW_TEXT_LIMIT = 2000


class NgrokError(Exception):
    """Base class of every error raised by ngrok_async."""


class InvalidParameterError(NgrokError, ValueError):
    """A parameter failed local validation; no request was sent."""

    def __init__(self, param: str, reason: str) -> None:
        self.param = param
        self.reason = reason
        super().__init__(f"invalid {param}: {reason}")


class UnsafeURLError(NgrokError, ValueError):
    """A URL is not on the configured API origin (or not https), so it is never requested."""


class ClientStateError(NgrokError, RuntimeError):
    """The client cannot send now: it is closed, or it runs in another event loop than the one
    it was first used in (one client belongs to one event loop; create one per loop)."""


class ErrorDetails(TypedDict, total=False):
    """The ``details`` object of an ngrok error body, as far as ngrok documents it."""

    operation_id: str
    """The id of the failed operation; quote it when contacting ngrok support."""


class NgrokAPIError(NgrokError):
    """The ngrok API answered with an error status.

    ``error_code`` (e.g. ``"ERR_NGROK_226"``), ``msg``, ``details`` and ``operation_id`` come
    from the error body when it is ngrok's JSON; otherwise they are empty and ``body`` keeps the
    raw text (truncated). Quote ``operation_id`` when contacting ngrok support. The API key is
    replaced by ``[redacted]`` in every field, however the body spelled it.
    """

    def __init__(
        self,
        *,
        status_code: int,
        error_code: str = "",
        msg: str = "",
        details: Mapping[str, Any] | None = None,
        method: str = "",
        path: str = "",
        body: str = "",
    ) -> None:
        self.status_code = status_code
        self.error_code = error_code
        self.msg = msg
        self.details: ErrorDetails = dict(details or {})  # type: ignore[assignment]
        operation_id = self.details.get("operation_id")
        self.operation_id: str = operation_id if isinstance(operation_id, str) else ""
        self.method = method
        self.path = path
        self.body = body
        super().__init__(self._one_line())

    def _one_line(self) -> str:
        head = " ".join(f"{self.status_code} {self.error_code}".split())
        where = f" on {self.method} {self.path}" if self.method else ""
        text = " ".join((self.msg or self.body[:200]).split()) or "(no message)"
        op = f" (operation_id={self.operation_id})" if self.operation_id else ""
        return f"{head}{where}: {text}{op}"


class BadRequestError(NgrokAPIError):
    """HTTP 400: the API rejected the request's parameters."""


class AuthenticationError(NgrokAPIError):
    """HTTP 401: the API key is missing, wrong or revoked."""


class PermissionDeniedError(NgrokAPIError):
    """HTTP 403: the API key may not do this."""


class EdgesDeprecatedError(PermissionDeniedError):
    """The API refused an Edges operation because ngrok deprecated Edges (with their routes,
    modules and Backends) on 2025-12-31; the message says what replaces them. Raised as one of
    the two subclasses."""

    _explain = "ngrok deprecated Edges on 2025-12-31"

    def _one_line(self) -> str:
        return f"{super()._one_line()} [{self._explain}]"


class EdgesUnavailableError(EdgesDeprecatedError):
    """``ERR_NGROK_7008``: this account can no longer use Edges, edge routes, modules and
    Backends. Use Cloud Endpoints with Traffic Policy (``client.endpoints``) instead."""

    _explain = (
        "Edges, edge routes, modules and Backends are no longer available to this account "
        "(deprecated 2025-12-31); use Cloud Endpoints with Traffic Policy (client.endpoints)"
    )


class EdgesReadOnlyError(EdgesDeprecatedError):
    """``ERR_NGROK_7196``: this account's Edges are read-only: they can be listed and read, not
    created, changed or deleted. Recreate them as Cloud Endpoints with Traffic Policy
    (``client.endpoints``)."""

    _explain = (
        "this account's Edges, edge routes, modules and Backends are read-only (deprecated "
        "2025-12-31); recreate what you need as Cloud Endpoints with Traffic Policy "
        "(client.endpoints)"
    )


class NotFoundError(NgrokAPIError):
    """HTTP 404: no such resource (or route)."""


class ConflictError(NgrokAPIError):
    """HTTP 409: the request conflicts with the resource's current state."""


class RateLimitError(NgrokAPIError):
    """HTTP 429: the account's rate limit (``ERR_NGROK_226``) or its cap on simultaneous
    requests (``ERR_NGROK_225``) was hit, and the SDK's retries were exhausted."""


class ServerError(NgrokAPIError):
    """HTTP 5xx: ngrok failed to handle the request."""


# Error codes with a class of their own, whatever the status they come with.
_BY_CODE: dict[str, type[NgrokAPIError]] = {
    "ERR_NGROK_7008": EdgesUnavailableError,
    "ERR_NGROK_7196": EdgesReadOnlyError,
}
_BY_STATUS: dict[int, type[NgrokAPIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitError,
}


class NgrokConnectionError(NgrokError):
    """The request failed in transport (DNS, connect, reset, protocol); see ``__cause__``."""


class NgrokTimeoutError(NgrokConnectionError):
    """The request timed out: a phase limit (connect, write, read, waiting for a pooled
    connection) or the attempt's total deadline (the client's ``timeout``)."""


class AmbiguousCreateError(NgrokError):
    """A create request failed after it may have reached the server.

    The resource may or may not exist: the SDK does not retry, because ngrok has no idempotency
    keys and a blind retry could create a duplicate. Look the resource up (for example by
    listing newest first) before creating it again. ``__cause__`` holds the underlying error.
    """

    def __init__(self, *, method: str, path: str, reason: str) -> None:
        self.method = method
        self.path = path
        self.reason = reason
        super().__init__(
            f"{method} {path} failed after the request may have reached ngrok ({reason}); "
            "the resource may or may not exist, so it was not retried"
        )


class NgrokDecodeError(NgrokError):
    """A response body did not match the record the SDK expected."""

    def __init__(self, *, resource: str, field: str, reason: str) -> None:
        self.resource = resource
        self.field = field
        self.reason = reason
        where = f"{resource}.{field}" if field else resource
        super().__init__(f"could not decode {where}: {reason}")


class ResponseTooLargeError(NgrokDecodeError):
    """A response body grew past ``limit`` bytes (received, or after Content-Encoding
    decoding); the rest was not read. Raise the client's ``max_response_bytes`` if legitimate."""

    def __init__(self, *, resource: str, limit: int, decoded: bool) -> None:
        self.limit = limit
        what = "decodes to" if decoded else "is"
        super().__init__(
            resource=resource, field="", reason=f"the response body {what} more than {limit} bytes"
        )


class PagingLoopError(NgrokDecodeError):
    """A listing's ``next_page_uri`` pointed back at a page it had already read; stopping
    there keeps the listing from yielding records twice or looping forever."""


class CreatedButUndecodableError(NgrokDecodeError):
    """A create answered 2xx, so **the resource exists**, but its response could not be read.

    Do not create it again: look it up instead (list newest first, or by its metadata).
    ``status_code`` is the success status the API answered.
    """

    def __init__(self, *, resource: str, field: str, reason: str, status_code: int) -> None:
        self.status_code = status_code
        super().__init__(
            resource=resource,
            field=field,
            reason=f"{reason} (HTTP {status_code}: the resource was created; do not create it "
            "again, look it up)",
        )


def api_error(
    status_code: int, content: bytes, *, method: str, path: str, secret: str = ""
) -> NgrokAPIError:
    """Build the typed error for an error response; never raises on a malformed body.

    ``secret`` (the API key) is replaced by ``[redacted]`` wherever the body echoes it: in the
    raw text, and in every string of the decoded JSON (so ``\\u00XX`` escapes cannot hide it).
    """
    cls = _BY_STATUS.get(status_code) or (ServerError if status_code >= 500 else NgrokAPIError)
    data = redact_json(content, secret)
    code = data.get("error_code") if isinstance(data, dict) else None
    if isinstance(code, str):
        cls = _BY_CODE.get(code, cls)
    if not isinstance(data, dict):
        text = redact_text(content.decode("utf-8", "replace"), secret)[:_RAW_TEXT_LIMIT]
        return cls(status_code=status_code, method=method, path=path, body=text)
    text = json.dumps(data, ensure_ascii=False)[:_RAW_TEXT_LIMIT]
    details = data.get("details")
    return cls(
        status_code=status_code,
        error_code=_str_or_empty(data.get("error_code")),
        msg=_str_or_empty(data.get("msg")),
        details=details if isinstance(details, dict) else None,
        method=method,
        path=path,
        body=text,
    )


def _str_or_empty(value: object) -> str:
    return value if isinstance(value, str) else ""
