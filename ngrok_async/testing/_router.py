"""The one router both entry points share: headers → route → method → operation → JSON."""

from __future__ import annotations

import hmac
import json
import re
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any

from . import _api as api
from . import _codes as codes
from . import _schema as schema
from . import _wire as wire
from ._codes import FakeAPIError, bad_request, not_found
from ._fields import format_timestamp
from ._filter import compile_filter
from ._ids import is_id
from ._kinds import AnyKind, Kinds
from ._resources import CreateContext, Record
from ._spec_kind import SpecKind
from ._store import Store
from ._wire import FakeRequest, Outcome

DEFAULT_LIMIT = 100
MAX_LIMIT = 100

_INTEGER = re.compile(r"-?[0-9]{1,12}")


class Router:
    """Checks auth and version headers, routes, and runs the operation on the store.

    ``make_context(prefix)`` returns the context for one create (a fresh id, the time, ...);
    ``now()`` is the Unix time ``filter=`` reads as ``time.now``.
    """

    def __init__(
        self,
        *,
        api_key: str,
        store: Store,
        make_context: Callable[[str], CreateContext],
        now: Callable[[], float] = time.time,
    ) -> None:
        self._expected = f"Bearer {api_key}".encode()
        self._now = now
        self._store = store
        self._make_context = make_context
        self._kinds = Kinds(store)

    @property
    def kinds(self) -> Kinds:
        return self._kinds

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
        matches = api.match(request.path)
        if not matches:
            raise FakeAPIError(404, codes.NOT_FOUND, f"no route for {request.path[:200]!r}")
        chosen = next((m for m in matches if m.op.method == request.method), None)
        if chosen is None:
            methods = {m.op.method for m in matches}
            allowed = [m for m in ("GET", "POST", "PUT", "PATCH", "DELETE") if m in methods]
            raise FakeAPIError(
                405,
                codes.METHOD_NOT_ALLOWED,
                f"{request.method} is not allowed on {request.path[:200]!r}",
                headers={"allow": ", ".join(allowed)},
            )
        op, params = chosen.op, chosen.params
        if op.path in api.CHILD_LISTS:
            return self._child_list(op, params, request.query, base_url)
        template = api.collection_of(op)
        kind = self._kinds.kind(template)
        self._check_parents(template, params)
        collection = api.fill(template, params)
        if op.action == "list":
            query = request.query
            if op.op_id not in api.FILTERED:  # ngrok ignores the parameter: everything is listed
                query = {k: v for k, v in query.items() if k != "filter"}
            return self._list(kind, collection, query, base_url)
        if op.action == "create":
            return self._create(kind, collection, _checked_body(op, kind, request), base_url)
        ident = params[kind.key]
        record = self._store.get(collection, ident)
        if record is None:  # the item is looked up before its body is read
            raise not_found(kind.label, ident)
        return self._on_item(op, kind, record, _checked_body(op, kind, request), base_url)

    def _on_item(
        self, op: api.Operation, kind: AnyKind, record: Record, body: dict[str, Any], base_url: str
    ) -> Outcome:
        action, field = op.action, op.segments[-1]
        if action == "get":
            return Outcome(status=200, payload=self._kinds.render(kind, record, base_url))
        if action == "update":
            if isinstance(kind, SpecKind):
                kind.update(record, body, self._kinds.resolve)
            else:
                kind.update(record, body)
            return Outcome(status=200, payload=self._kinds.render(kind, record, base_url))
        if action == "delete":
            self._kinds.delete(kind, record)
            return Outcome(status=204)
        if action == "module_replace":
            record.fields[field] = schema.project(body, op.body, op.response, self._kinds.resolve)
            return Outcome(status=200, payload=schema.render(record.fields[field], base_url))
        if action == "module_get":
            module = record.fields.get(field)
            if module is None:
                raise FakeAPIError(
                    404, codes.NOT_FOUND, f"{kind.label} {record.id!r} has no {field} module"
                )
            return Outcome(status=200, payload=schema.render(module, base_url))
        if action in ("module_delete", "clear"):
            record.fields[field] = None
            return Outcome(status=204)
        return Outcome(status=204)  # an action: the body was checked, nothing changes

    def _check_parents(self, template: str, params: Mapping[str, str]) -> None:
        """A nested collection's parents must exist: a route on a missing edge is a 404."""
        segments = template.split("/")
        for i, segment in enumerate(segments):
            if segment.startswith("{"):
                parent = "/".join(segments[:i])
                ident = params[segment[1:-1]]
                if self._store.get(api.fill(parent, params), ident) is None:
                    raise not_found(self._kinds.kind(parent).label, ident)

    def _create(
        self, kind: AnyKind, collection: str, body: dict[str, Any], base_url: str
    ) -> Outcome:
        ctx = self._make_context(kind.prefix)
        if isinstance(kind, SpecKind):
            created = kind.create_fields(ctx, body, self._kinds.resolve)
        else:
            created = kind.create(ctx, body)
        ident = ctx.new_id
        if kind.key != "id":  # keyed by a body field (an event source's type)
            keyed = body.get(kind.key)
            if not isinstance(keyed, str) or not keyed:
                raise bad_request(codes.MISSING_FIELD, f"{kind.key} is required")
            ident = keyed
            if self._store.get(collection, ident) is not None:
                raise FakeAPIError(409, codes.CONFLICT, f"{kind.label} {ident!r} already exists")
        record = Record(
            kind=collection,
            id=ident,
            created_at=format_timestamp(ctx.now),
            fields=created.fields,
            secret=created.secret,
        )
        self._store.add(record)
        payload = self._kinds.render(kind, record, base_url, once=created.once)
        return Outcome(status=201, payload=payload, created_kind=kind.name)

    def _list(
        self, kind: AnyKind, collection: str, query: Mapping[str, str], base_url: str
    ) -> Outcome:
        limit = parse_limit(query.get("limit"))
        before_id = parse_before_id(query.get("before_id"), kind)
        text = query.get("filter") or None
        if text is None:
            records, more = self._store.page(collection, before_id, limit)
            rendered = [self._kinds.render(kind, record, base_url) for record in records]
        else:
            rendered, more = self._filtered(kind, collection, before_id, limit, text, base_url)
        payload = wire.page(kind.items_key, f"{base_url}/{collection}", rendered, more, limit, text)
        return Outcome(status=200, payload=payload)

    def _filtered(
        self,
        kind: AnyKind,
        collection: str,
        before_id: str | None,
        limit: int,
        text: str,
        base_url: str,
    ) -> tuple[list[Any], bool]:
        now = datetime.fromtimestamp(self._now(), timezone.utc)
        predicate = compile_filter(text, api.record_schema(kind.name), now)
        out: list[Any] = []
        for record in reversed(self._store.all(collection)):
            if before_id is not None and record.id >= before_id:
                continue
            rendered = self._kinds.render(kind, record, base_url)
            if predicate(rendered):
                if len(out) == limit:
                    return out, True
                out.append(rendered)
        return out, False

    def _child_list(
        self, op: api.Operation, params: Mapping[str, str], query: Mapping[str, str], base_url: str
    ) -> Outcome:
        collection, field = api.CHILD_LISTS[op.path]
        parent = api.collection_of(op).rsplit("/", 2)[0]
        if self._store.get(parent, params["id"]) is None:
            raise not_found(self._kinds.kind(parent).label, params["id"])
        kind = self._kinds.kind(collection)
        limit = parse_limit(query.get("limit"))
        before_id = parse_before_id(query.get("before_id"), kind)
        items = []
        for record in reversed(self._store.all(collection)):
            ref = record.fields.get(field)
            mine = isinstance(ref, schema.RefValue) and ref.id == params["id"]
            if mine and (before_id is None or record.id < before_id):
                items.append(self._kinds.render(kind, record, base_url))
        more = len(items) > limit
        url = f"{base_url}{api.fill(op.path, params)}"
        payload = wire.page(kind.items_key, url, items[:limit], more, limit, None)
        return Outcome(status=200, payload=payload)


def _checked_body(op: api.Operation, kind: AnyKind, request: FakeRequest) -> dict[str, Any]:
    """The JSON object body of ``op``, through the one body rule every service shares."""
    if not op.body and op.action != "create":
        return {}
    body = _json_object(request.body)
    if op.body:
        schema.check(body, op.body, _required(op, kind))
    return body


def _required(op: api.Operation, kind: AnyKind) -> tuple[str, ...]:
    """The top-level fields the body must have: the schema's, except on an update (which
    changes only what it names) and for the hand-written services (whose own rules answer a
    missing field with ngrok's specific codes: ``ERR_NGROK_611`` for ``public_key``, ...)."""
    if op.action == "update" or not isinstance(kind, SpecKind):
        return ()
    return api.REQUIRED.get(op.body, ())


def parse_before_id(raw: str | None, kind: AnyKind) -> str | None:
    """The ``before_id`` query parameter: an id of the listed kind, or ``None`` (absent/empty)."""
    if not raw:
        return None
    if kind.key == "id" and not is_id(raw, kind.prefix):
        raise bad_request(codes.INVALID_ID, f"{raw[:80]!r} is not a valid {kind.label} identifier.")
    return raw


def parse_limit(raw: str | None) -> int:
    """The ``limit`` query parameter: 1..100, default 100 (the API's 400s otherwise)."""
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
