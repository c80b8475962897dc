"""A resource kind derived from the spec: what every service without hand-written rules gets.

Create keeps the response fields the (already checked, ``_schema.check``) body sets (a
``token`` the record has and the request cannot set is made up and shown only in the create
response, as for an AI Gateway API key); update
applies the present, non-null fields of the update schema; rendering prints ``id``, ``uri``,
``created_at`` (when the schema has it) and the stored fields in the schema's order, empty
``description`` / ``metadata`` as ``""``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import attrs

from . import _api as api
from . import _schema as schema
from ._resources import CreateContext, Created, Record

_WORDS = re.compile(r"[A-Z]+(?=[A-Z][a-z]|$)|[A-Z]?[a-z0-9]+")

Resolve = Callable[[str, str], schema.RefValue]


@attrs.frozen(slots=True, kw_only=True)
class SpecKind:
    name: str  # collection template, e.g. "edges/https/{edge_id}/routes"
    label: str
    prefix: str
    key: str  # the item's path parameter: "id", or "type" for event sources
    record: str  # response schema
    create_schema: str
    update_schema: str
    list_key: str

    @property
    def items_key(self) -> str:
        return self.list_key

    def render(self, record: Record, base_url: str, once: dict[str, Any] | None = None) -> Any:
        out: dict[str, Any] = {"id": record.id}
        props = api.SCHEMAS.get(self.record, {})
        if "uri" in props:
            out["uri"] = f"{base_url}/{record.kind}/{record.id}"
        if "created_at" in props:
            out["created_at"] = record.created_at
        extra = once or {}
        for name in props:
            value = extra[name] if name in extra else schema.shown(name, record.fields.get(name))
            if value is None or name in out:
                continue
            out[name] = schema.render(value, base_url)
        if self.key != "id":  # keyed by a field (an event source's type): no generated id
            del out["id"]
            out.setdefault(self.key, record.id)
        return out

    def create_fields(self, ctx: CreateContext, body: dict[str, Any], resolve: Resolve) -> Created:
        fields = schema.project(body, self.create_schema, self.record, resolve)
        once = {}
        if "token" in api.SCHEMAS.get(self.record, {}) and "token" not in api.SCHEMAS.get(
            self.create_schema, {}
        ):
            once["token"] = f"{self.prefix}_{ctx.token(40)}"
        return Created(fields=fields, once=once)

    def update(self, record: Record, body: dict[str, Any], resolve: Resolve) -> None:
        record.fields.update(schema.project(body, self.update_schema, self.record, resolve))


def _label(record: str) -> str:
    return " ".join(word.lower() for word in _WORDS.findall(record)) or "resource"


def build(collection: str) -> SpecKind:
    record = api.record_schema(collection)
    create = update = lst = ""
    for op in api.OPERATIONS:
        if api.collection_of(op) != collection:
            continue
        if op.action == "create":
            create = op.body
        elif op.action == "update":
            update = op.body
        elif op.action == "list":
            lst = op.response
    return SpecKind(
        name=collection,
        label=_label(record),
        prefix=api.prefix_for(collection),
        key=api.key_param(collection),
        record=record,
        create_schema=create,
        update_schema=update,
        list_key=api.list_key(lst) if lst else collection.rsplit("/", 1)[-1],
    )
