"""The exceptions ngrok_async raises; every one derives from :class:`NgrokError`.

``NgrokError``
 ├─ ``InvalidParameterError`` (also a ``ValueError``): bad input, raised before any request
 ├─ ``UnsafeURLError`` (also a ``ValueError``): a URL the SDK refuses to send the API key to
 ├─ ``NgrokAPIError``: the API answered with an error status
 │   ├─ ``BadRequestError`` 400, ``AuthenticationError`` 401, ``PermissionDeniedError`` 403
 │   ├─ ``NotFoundError`` 404, ``ConflictError`` 409, ``RateLimitError`` 429
 │   └─ ``ServerError`` 5xx
 ├─ ``NgrokConnectionError``: the request failed in transport
 │   └─ ``NgrokTimeoutError``
 ├─ ``AmbiguousCreateError``: a create failed in a way that leaves its outcome unknown
 └─ ``NgrokDecodeError``: a response the SDK could not decode
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

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


class NgrokAPIError(NgrokError):
    """The ngrok API answered with an error status.

    ``error_code`` (e.g. ``"ERR_NGROK_226"``), ``msg``, ``details`` and ``operation_id`` come
    from the error body when it is ngrok's JSON; otherwise they are empty and ``body`` keeps the
    raw text (truncated). Quote ``operation_id`` when contacting ngrok support.
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
        self.details: Mapping[str, Any] = details or {}
        operation_id = self.details.get("operation_id")
        self.operation_id = operation_id if isinstance(operation_id, str) else ""
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


class NotFoundError(NgrokAPIError):
    """HTTP 404: no such resource (or route)."""


class ConflictError(NgrokAPIError):
    """HTTP 409: the request conflicts with the resource's current state."""


class RateLimitError(NgrokAPIError):
    """HTTP 429: the account's rate limit (``ERR_NGROK_226``) or its cap on simultaneous
    requests (``ERR_NGROK_225``) was hit, and the SDK's retries were exhausted."""


class ServerError(NgrokAPIError):
    """HTTP 5xx: ngrok failed to handle the request."""


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
    """The request timed out (connect, write, read or waiting for a pooled connection)."""


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


def api_error(
    status_code: int, content: bytes, *, method: str, path: str, secret: str = ""
) -> NgrokAPIError:
    """Build the typed error for an error response; never raises on a malformed body.

    ``secret`` (the API key) is replaced by ``[redacted]`` wherever the body echoes it.
    """
    if secret and secret.encode() in content:
        content = content.replace(secret.encode(), b"[redacted]")
    cls = _BY_STATUS.get(status_code) or (ServerError if status_code >= 500 else NgrokAPIError)
    text = content[:_RAW_TEXT_LIMIT].decode("utf-8", "replace")
    try:
        data = json.loads(content) if content else None
    except ValueError:
        data = None
    if not isinstance(data, dict):
        return cls(status_code=status_code, method=method, path=path, body=text)
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
