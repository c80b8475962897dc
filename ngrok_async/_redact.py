"""Keeping the API key out of anything the SDK shows: error text, decoded error bodies."""

from __future__ import annotations

import json
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
