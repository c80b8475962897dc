"""Load ``spec/ngrok.yaml`` and walk it into operations, services and record references."""

from __future__ import annotations

import pathlib
import re
from typing import Any

import yaml

from .layout import HAND_WRITTEN, SERVICES
from .model import Operation, Param, Service, op_order
from .naming import method_name
from .overrides import QUERY_PYTHON_NAMES
from .paths import EXTRA_SPEC, SPEC
from .text import squash

EXTRA_MARK = "x-not-in-spec-copy"


def load_spec(path: pathlib.Path = SPEC, extra: pathlib.Path = EXTRA_SPEC) -> dict[str, Any]:
    """ngrok's spec with ``spec/extra.yaml`` (operations the API has and the spec lacks) added;
    what the spec already has wins, and every operation from the extra is marked."""
    spec: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    more: dict[str, Any] = yaml.safe_load(extra.read_text(encoding="utf-8"))
    schemas = spec["components"]["schemas"]
    for name, schema in more.get("components", {}).get("schemas", {}).items():
        schemas.setdefault(name, schema)
    for route, item in more.get("paths", {}).items():
        target = spec["paths"].setdefault(route, {})
        for method, op in item.items():
            target.setdefault(method, {**op, EXTRA_MARK: True})
    return spec


def ref_name(schema: dict[str, Any]) -> str | None:
    ref = schema.get("$ref")
    return ref.rsplit("/", 1)[-1] if ref else None


def operations(spec: dict[str, Any]) -> list[Operation]:
    schemas = spec["components"]["schemas"]
    ops: list[Operation] = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            tag = op["tags"][0]
            params = [p for p in op.get("parameters", []) if "name" in p]
            path_params = re.findall(r"{(\w+)}", path)
            query = [
                Param(
                    QUERY_PYTHON_NAMES.get(p["name"], p["name"]),
                    p.get("schema", {}),
                    squash(p.get("description")),
                )
                for p in params
                if p["in"] == "query"
            ]
            body_ref = ref_name(
                op.get("requestBody", {})
                .get("content", {})
                .get("application/json", {})
                .get("schema", {})
            )
            body: list[Param] = []
            if body_ref:
                props = schemas[body_ref]["properties"]
                body = [
                    Param(n, s, squash(s.get("description")))
                    for n, s in props.items()
                    if n not in path_params
                ]
                if method == "put" and [p.name for p in body] == ["module"]:
                    # A module replace sends the module itself as the body.
                    body_ref = ref_name(body[0].schema)
                    assert body_ref
                    body = [
                        Param(n, s, squash(s.get("description")))
                        for n, s in schemas[body_ref]["properties"].items()
                    ]
            resp = next(iter(op["responses"].values()))
            response = ref_name(
                (resp or {}).get("content", {}).get("application/json", {}).get("schema", {})
            )
            list_key = None
            if response and response.endswith("List") and method == "get":
                props = schemas[response]["properties"]
                (list_key,) = [n for n, s in props.items() if s.get("type") == "array"]
                response = ref_name(props[list_key]["items"])
            ops.append(
                Operation(
                    op_id=op["operationId"],
                    tag=tag,
                    method=method.upper(),
                    path=path,
                    name=method_name(op["operationId"], tag),
                    summary=squash(op.get("summary")),
                    description=squash(op.get("description")),
                    path_params=path_params,
                    query=query,
                    body=body,
                    body_schema=body_ref,
                    response=response,
                    list_key=list_key,
                    extra=bool(op.get(EXTRA_MARK)),
                )
            )
    return ops


def services(spec: dict[str, Any]) -> list[Service]:
    out: dict[str, Service] = {}
    for op in operations(spec):
        if op.tag in HAND_WRITTEN:
            continue
        if op.tag not in SERVICES:
            raise SystemExit(f"spec tag {op.tag!r} ({op.op_id}) is not in SERVICES: add it")
        attr, module = SERVICES[op.tag]
        svc = out.setdefault(op.tag, Service(op.tag, attr, module, op.tag + "Service"))
        svc.ops.append(op)
    for svc in out.values():
        # The service's record: what its own operations return (``Vaults`` also lists secrets).
        own = [op for op in svc.ops if op.name in ("get", "list", "create")] or svc.ops
        records = {op.response for op in own if op.response}
        if len(records) != 1:
            raise SystemExit(f"{svc.tag}: expected one record type, got {records}")
        (svc.record,) = records
        svc.ops.sort(key=op_order)
        by_name = {op.name: op for op in svc.ops}
        get, lst, delete = by_name.get("get"), by_name.get("list"), by_name.get("delete")
        if (
            get
            and lst
            and delete
            and not lst.path_params
            and get.path == delete.path == lst.path + "/{id}"
        ):
            svc.flat_path = lst.path
    return sorted(out.values(), key=lambda s: (s.module, s.attr))


def record_closure(schemas: dict[str, Any], roots: set[str]) -> dict[str, set[str]]:
    """Every record reachable from ``roots``, with the records each one refers to."""
    deps: dict[str, set[str]] = {}
    todo = sorted(roots)
    while todo:
        name = todo.pop()
        if name in deps:
            continue
        refs: set[str] = set()
        for prop in schemas[name].get("properties", {}).values():
            ref = ref_name(prop) or ref_name(prop.get("items", {}))
            if ref:
                refs.add(ref)
        deps[name] = refs
        todo.extend(sorted(refs))
    return deps
