"""The one router both entry points share: headers → route → method → operation → JSON."""

from __future__ import annotations

import hmac
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from . import _codes as codes
from ._codes import FakeAPIError, bad_request, not_found
from ._fields import format_timestamp
from ._ids import is_id
from ._resources import KINDS, CreateContext, Kind, Record
from ._store import Store

DEFAULT_LIMIT = 100
MAX_LIMIT = 100

_INTEGER = re.compile(r"-?[0-9]{1,12}")
_COLLECTION_METHODS = ("GET", "POST")
_ITEM_METHODS = ("GET", "PATCH", "DELETE")


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


class Router:
    """Checks auth and version headers, routes, and runs the operation on the store.

    ``make_context(kind)`` returns the context for one create (a fresh id, the time, ...).
    """

    def __init__(
        self,
        *,
        api_key: str,
        store: Store,
        make_context: Callable[[Kind], CreateContext],
    ) -> None:
        self._expected = f"Bearer {api_key}".encode()
        self._store = store
        self._make_context = make_context

    def check_headers(self, headers: Mapping[str, str]) -> None:
        auth = headers.get("authorization")
        if auth is None:
            raise FakeAPIError(
                401,
                codes.MISSING_AUTH,
                "The ngrok API requires that you set the Authorization header for authentication.",
            )
        scheme, _, token = auth.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise FakeAPIError(
                401,
                codes.BAD_AUTH_HEADER,
                "The ngrok API requires that you use Bearer authentication via the "
                "Authorization header. It could not parse the header in this request.",
            )
        if not hmac.compare_digest(f"Bearer {token.strip()}".encode(), self._expected):
            raise FakeAPIError(
                401,
                codes.INVALID_API_KEY,
                "The API authentication you specified is properly formed, but it is invalid.",
            )
        version = headers.get("ngrok-version")
        if version is None:
            raise bad_request(
                codes.MISSING_VERSION,
                "Your request has not specified an API version. Include the version you wish "
                "to use in the Ngrok-Version header. Supported versions: 2.",
            )
        if version.strip() != "2":
            raise bad_request(
                codes.INVALID_VERSION,
                f"The provided API version {version[:20]!r} is invalid or unsupported. "
                "Supported versions: 2.",
            )

    def route(self, request: FakeRequest, base_url: str) -> Outcome:
        """Run the request's operation (headers already checked); raises FakeAPIError."""
        parts = request.path.split("/")
        kind = KINDS.get(parts[1]) if len(parts) in (2, 3) and parts[0] == "" else None
        if kind is None or (len(parts) == 3 and not parts[2]):
            raise FakeAPIError(404, codes.NOT_FOUND, f"no route for {request.path[:200]!r}")
        allowed = _COLLECTION_METHODS if len(parts) == 2 else _ITEM_METHODS
        if request.method not in allowed:
            raise FakeAPIError(
                405,
                codes.METHOD_NOT_ALLOWED,
                f"{request.method} is not allowed on {request.path[:200]!r}",
                headers={"allow": ", ".join(allowed)},
            )
        if len(parts) == 2:
            if request.method == "POST":
                return self._create(kind, _json_object(request.body), base_url)
            return self._list(kind, request.query, base_url)
        record = self._store.get(kind.name, parts[2])
        if record is None:
            raise not_found(kind.label, parts[2])
        if request.method == "GET":
            return Outcome(status=200, payload=kind.render(record, base_url))
        if request.method == "PATCH":
            kind.update(record, _json_object(request.body))
            return Outcome(status=200, payload=kind.render(record, base_url))
        self._store.delete(kind.name, record.id)
        return Outcome(status=204)

    def _create(self, kind: Kind, body: dict[str, Any], base_url: str) -> Outcome:
        ctx = self._make_context(kind)
        created = kind.create(ctx, body)
        record = Record(
            kind=kind.name,
            id=ctx.new_id,
            created_at=format_timestamp(ctx.now),
            fields=created.fields,
            secret=created.secret,
        )
        self._store.add(record)
        payload = kind.render(record, base_url, once=created.once)
        return Outcome(status=201, payload=payload, created_kind=kind.name)

    def _list(self, kind: Kind, query: Mapping[str, str], base_url: str) -> Outcome:
        limit = _limit(query.get("limit"))
        before_id = query.get("before_id") or None
        if before_id is not None and not is_id(before_id, kind.prefix):
            raise bad_request(
                codes.INVALID_ID, f"{before_id[:80]!r} is not a valid {kind.label} identifier."
            )
        records, more = self._store.page(kind.name, before_id, limit)
        collection = f"{base_url}/{kind.name}"
        next_uri = (
            f"{collection}?before_id={records[-1].id}&limit={limit}" if more and records else None
        )
        payload = {
            kind.items_key: [kind.render(record, base_url) for record in records],
            "uri": collection,
            "next_page_uri": next_uri,
        }
        return Outcome(status=200, payload=payload)


def _limit(raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    if not _INTEGER.fullmatch(raw):
        raise bad_request(
            codes.LIMIT_NOT_A_NUMBER,
            f"The page size limit must be a number between 1 and {MAX_LIMIT} "
            f"but {raw[:20]!r} was provided.",
        )
    limit = int(raw)
    if not 1 <= limit <= MAX_LIMIT:
        raise bad_request(
            codes.LIMIT_OUT_OF_RANGE,
            f"The page size limit must be between 1 and {MAX_LIMIT} but {limit} was provided.",
        )
    return limit


def _json_object(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        data = json.loads(body)
    except ValueError:  # includes UnicodeDecodeError
        raise bad_request(
            codes.UNPARSEABLE_BODY, "The JSON request body could not be parsed."
        ) from None
    if not isinstance(data, dict):
        raise bad_request(codes.UNPARSEABLE_BODY, "The request body must be a JSON object.")
    return data
