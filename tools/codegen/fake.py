"""Emit ``ngrok_async/testing/_api_table.json``: the spec as data for ``FakeNgrok``.

The fake serves every operation of the spec (plus ``spec/extra.yaml``) from this table: each
operation's method, path, action and schemas, and every schema reachable from them as ``{field:
type}`` (``string``, ``time`` (a string holding an RFC 3339 time), ``boolean``, ``integer``,
``number``, ``object``, a schema name, or one of those in ``[...]`` for an array) with its
``required`` fields. The action says what the fake does: ``create``, ``list``, ``get``, ``update``,
``delete`` on a collection and its items; ``module_replace``/``module_get``/``module_delete`` on a
module of an item (an edge's or route's sub-object); ``action`` (a POST on an item answering 204);
``clear`` (a DELETE on a field of an item). ``filtered`` names the list operations that take
``filter``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .paths import ROOT

FAKE_TABLE = ROOT / "ngrok_async" / "testing" / "_api_table.json"
_METHODS = ("get", "post", "put", "patch", "delete")


def _ref(schema: dict[str, Any]) -> str | None:
    ref = schema.get("$ref")
    return ref.rsplit("/", 1)[-1] if ref else None


# A string the spec describes as a point in time (it gives no ``format``): ``time`` in the table,
# so ``filter=`` compares it as a timestamp.
_TIME = re.compile(r"RFC ?3339|^(timestamp|time) (when|that)", re.IGNORECASE)


def _type(schema: dict[str, Any]) -> str:
    name = _ref(schema)
    if name:
        return name
    kind = schema.get("type", "object")
    if kind == "array":
        return f"[{_type(schema.get('items', {}))}]"
    if kind == "string" and _TIME.search(schema.get("description", "").strip()):
        return "time"
    return str(kind)


def _action(method: str, path: str, paths: dict[str, Any], status: str, response: str) -> str:
    ends_with_param = path.endswith("}")
    if ends_with_param:
        return {"GET": "get", "PATCH": "update", "DELETE": "delete"}[method]
    if method == "GET":
        return "list" if response.endswith("List") else "module_get"
    if method == "PUT":
        return "module_replace"
    if method == "POST":
        return "create" if status == "201" else "action"
    # DELETE on a literal segment: a module (it has a PUT) or a field of the item.
    return "module_delete" if "put" in paths.get(path, {}) else "clear"


def build_table(spec: dict[str, Any]) -> dict[str, Any]:
    schemas = spec["components"]["schemas"]
    paths: dict[str, Any] = spec["paths"]
    operations = []
    filtered = []  # list operations that take ``filter`` (ngrok ignores it on the others)
    roots: set[str] = set()
    for path, item in paths.items():
        for method, op in item.items():
            if method not in _METHODS:
                continue
            body = _ref(
                op.get("requestBody", {})
                .get("content", {})
                .get("application/json", {})
                .get("schema", {})
            )
            status, resp = next(iter(op["responses"].items()))
            response = _ref(
                (resp or {}).get("content", {}).get("application/json", {}).get("schema", {})
            )
            if method == "put" and body:
                props = [
                    n for n in schemas[body]["properties"] if n not in re.findall(r"{(\w+)}", path)
                ]
                if props == ["module"]:  # a module replace sends the module itself
                    body = _ref(schemas[body]["properties"]["module"])
            action = _action(method.upper(), path, paths, str(status), response or "")
            if any(p.get("name") == "filter" for p in op.get("parameters", [])):
                filtered.append(op["operationId"])
            operations.append(
                [method.upper(), path, op["operationId"], action, body or "", response or ""]
            )
            roots.update(name for name in (body, response) if name)
    table: dict[str, Any] = {}
    todo = sorted(roots)
    while todo:
        name = todo.pop()
        if name in table:
            continue
        props = schemas[name].get("properties", {})
        fields = {field: _type(schema) for field, schema in props.items()}
        table[name] = {"fields": fields, "required": list(schemas[name].get("required", []))}
        todo.extend(t.strip("[]") for t in fields.values() if t.strip("[]") in schemas)
    return {
        "operations": operations,
        "filtered": sorted(filtered),
        "schemas": dict(sorted(table.items())),
    }


def render_table(spec: dict[str, Any]) -> str:
    return json.dumps(build_table(spec), indent=1) + "\n"


def write_table(spec: dict[str, Any]) -> None:
    FAKE_TABLE.write_text(render_table(spec), encoding="utf-8")


def table_is_fresh(spec: dict[str, Any]) -> bool:
    return FAKE_TABLE.exists() and FAKE_TABLE.read_text(encoding="utf-8") == render_table(spec)
