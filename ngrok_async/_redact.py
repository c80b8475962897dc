"""Keeping the API key and created tokens out of anything the SDK shows: error text, decoded
error bodies, and every exception it raises with all that is chained to it."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

REDACTED = "[redacted]"


def redact_text(text: str, secret: str) -> str:
    """``text`` with every occurrence of ``secret`` replaced by ``[redacted]``."""
    return text.replace(secret, REDACTED) if secret and secret in text else text


def redact_json(content: bytes, secret: str) -> Any:
    """Parse ``content`` as JSON with ``secret`` replaced in every string, keys included.

    Redaction runs on the decoded value, so a body that spells the secret with ``\\u00XX``
    escapes is caught too. Returns ``None`` for a body that is not JSON or nests too deeply to
    parse.
    """
    if not content:
        return None
    try:
        data = json.loads(content)
    except (ValueError, RecursionError):
        return None
    if not secret:
        return data
    try:
        text = json.dumps(data)
    except (ValueError, RecursionError):  # pragma: no cover - what json.loads made, dumps takes
        return None
    needle = json.dumps(secret)[1:-1]
    if needle not in text:
        return data
    return json.loads(text.replace(needle, REDACTED))


_TOKEN = re.compile(rb'"token"\s*:\s*"((?:[^"\\]|\\.)+)"')


def tokens_in(content: bytes) -> list[str]:
    """The ``token`` values a create response body carries (however malformed the rest)."""
    found = []
    for match in _TOKEN.finditer(content[:_TOKEN_SCAN]):
        try:
            found.append(json.loads(b'"' + match.group(1) + b'"'))
        except ValueError:
            found.append(match.group(1).decode("utf-8", "replace"))
    return [token for token in found if isinstance(token, str) and len(token) >= 8]


_TOKEN_SCAN = 1 << 20
_CHAIN_LIMIT = 32


def scrub(exc: BaseException, secrets: Sequence[str]) -> BaseException:
    """``exc`` (the SDK's own error) with ``secrets`` redacted from its message and attributes,
    and its ``__cause__``/``__context__`` chain made of redacted copies.

    The SDK's own errors in the chain are redacted in place (they were made for this call);
    any other exception is replaced by a copy of its type made from its redacted arguments,
    without the state it held (an httpx error's request holds the ``Authorization`` header),
    or, when its type cannot be rebuilt that way, left out of the chain.
    """
    wanted = [secret for secret in secrets if secret]
    if wanted:
        _scrub_chain(exc, wanted)
    return exc


def _scrub_chain(exc: BaseException, secrets: list[str]) -> None:
    from ._errors import NgrokError

    seen: set[int] = set()
    link: BaseException | None = exc
    for _ in range(_CHAIN_LIMIT):
        if link is None or id(link) in seen:
            break
        seen.add(id(link))
        if isinstance(link, NgrokError):
            _redact_own(link, secrets)
        if link.__suppress_context__ or link.__cause__ is not None:
            link.__context__ = None  # not shown, and not to be found either
            link.__cause__ = _stand_in(link.__cause__, secrets)
            link.__suppress_context__ = True
            link = link.__cause__
        else:
            link.__context__ = _stand_in(link.__context__, secrets)
            link = link.__context__
    else:  # pragma: no cover - a chain longer than any the SDK makes
        if link is not None:
            link.__cause__ = link.__context__ = None


def _redact_own(exc: BaseException, secrets: list[str]) -> None:
    exc.args = tuple(_redact_value(arg, secrets) for arg in exc.args)
    for name, value in list(vars(exc).items()):
        redacted = _redact_value(value, secrets)
        if redacted is not value:
            setattr(exc, name, redacted)
    notes = getattr(exc, "__notes__", None)
    if isinstance(notes, list):
        notes[:] = [_redact_value(note, secrets) for note in notes]


def _redact_value(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, str):
        for secret in secrets:
            value = redact_text(value, secret)
        return value
    if isinstance(value, (bytes, bytearray)):
        text = bytes(value)
        for secret in secrets:
            text = text.replace(secret.encode("utf-8", "replace"), REDACTED.encode())
        return text
    if isinstance(value, dict):
        return {key: _redact_value(item, secrets) for key, item in value.items()}
    return value


def _stand_in(exc: BaseException | None, secrets: list[str]) -> BaseException | None:
    """The SDK's own error as it is; any other as a redacted copy of its type, or None."""
    from ._errors import NgrokError

    if exc is None or isinstance(exc, NgrokError):
        return exc
    args = tuple(_redact_value(arg, secrets) for arg in exc.args)
    if any(not isinstance(arg, (str, bytes, int, float, type(None))) for arg in args):
        return None  # state the copy cannot be trusted to hold without the secret
    try:
        copy = type(exc)(*args)
    except Exception:
        return None
    if any(secret in text for text in (str(copy), repr(copy)) for secret in secrets):
        return None
    copy.__traceback__ = exc.__traceback__
    copy.__cause__ = exc.__cause__
    copy.__context__ = exc.__context__
    copy.__suppress_context__ = exc.__suppress_context__
    return copy
