"""The fake's wire encoders: success and error responses, list pages. Shared with the
benchmarks' lean server so both speak one set of wire rules."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode

import attrs

from ._codes import FakeAPIError

JSON_HEADER = ("content-type", "application/json")


@attrs.frozen(slots=True, kw_only=True)
class FakeRequest:
    """A request as the router sees it; ``headers`` keys are lower-case."""

    method: str
    path: str
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: bytes


@attrs.frozen(slots=True, kw_only=True)
class FakeResponse:
    """A complete response; ``headers`` names are lower-case (content-length is added on
    the wire)."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


@attrs.frozen(slots=True, kw_only=True)
class Outcome:
    """The operation's result: status and JSON payload (``None`` for an empty body)."""

    status: int
    payload: Any = None
    created_kind: str | None = None


def dumps(value: Any) -> bytes:
    """Compact JSON, as the API sends it."""
    return json.dumps(value, separators=(",", ":")).encode()


def success(outcome: Outcome) -> FakeResponse:
    if outcome.payload is None:
        return FakeResponse(status=outcome.status, headers=(), body=b"")
    return FakeResponse(status=outcome.status, headers=(JSON_HEADER,), body=dumps(outcome.payload))


def error(exc: FakeAPIError, operation_id: str) -> FakeResponse:
    """The API's error body: ``error_code``, ``status_code``, ``msg``, ``details``."""
    payload = {
        "error_code": exc.code,
        "status_code": exc.status,
        "msg": exc.msg,
        "details": {"operation_id": operation_id},
    }
    headers = (JSON_HEADER, *exc.headers.items())
    return FakeResponse(status=exc.status, headers=headers, body=dumps(payload))


def next_page_uri(url: str, last_id: str, limit: int, text: str | None = None) -> str:
    """The full URL of the page after ``last_id`` (``filter`` kept when given)."""
    query = {"before_id": last_id, "limit": str(limit)}
    if text is not None:
        query["filter"] = text
    return f"{url}?{urlencode(query, quote_via=quote)}"


def page(key: str, url: str, items: list[Any], more: bool, limit: int, text: str | None) -> Any:
    """A list response: the items under ``key``, ``uri`` and ``next_page_uri``."""
    next_uri = next_page_uri(url, items[-1]["id"], limit, text) if more and items else None
    return {key: items, "uri": url, "next_page_uri": next_uri}
