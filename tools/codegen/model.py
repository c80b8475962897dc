"""The generator's model of the spec: parameters, operations, and services grouping them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

METHOD_ORDER = ("create", "get", "list", "pages", "update", "replace", "delete")
PAGING = ("before_id", "limit")


@dataclass
class Param:
    name: str
    schema: dict[str, Any]
    description: str = ""


@dataclass
class Operation:
    op_id: str
    tag: str
    method: str
    path: str
    name: str
    summary: str
    description: str
    path_params: list[str]
    query: list[Param]
    body: list[Param]
    body_schema: str | None
    response: str | None
    list_key: str | None = None
    extra: bool = False  # from spec/extra.yaml, not ngrok's spec

    @property
    def query_extra(self) -> list[Param]:
        """Query parameters besides paging (e.g. ``filter``, ``ids``): passed through."""
        return [q for q in self.query if q.name not in PAGING]


@dataclass
class Service:
    tag: str
    attr: str
    module: str
    cls: str
    ops: list[Operation] = field(default_factory=list)
    record: str | None = None
    flat_path: str | None = None  # set when ResourceService fits (flat get/list/delete)


def op_order(op: Operation) -> tuple[int, str]:
    return (METHOD_ORDER.index(op.name) if op.name in METHOD_ORDER else 99, op.name)
