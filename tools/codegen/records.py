"""Records: which module defines each, their order there, and the frozen attrs class text."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from .layout import SHARED_SPLIT
from .model import Service
from .spec import record_closure
from .text import doc, sentence, squash
from .typemap import record_field


def record_homes(spec: dict[str, Any], svcs: list[Service]) -> dict[str, str]:
    """Which module defines each record: its family's, or a shared one if several use it."""
    schemas = spec["components"]["schemas"]
    users: dict[str, set[str]] = defaultdict(set)
    for svc in svcs:
        assert svc.record
        roots = {svc.record} | {op.response for op in svc.ops if op.response}
        for name in record_closure(schemas, roots):
            users[name].add(svc.module)
    homes = {}
    for name, mods in users.items():
        if len(mods) == 1:
            homes[name] = next(iter(mods))
        else:
            homes[name] = next(
                (mod for prefix, mod in SHARED_SPLIT if name.startswith(prefix)), "_common"
            )
    return homes


def render_record(name: str, schema: dict[str, Any], users: list[str]) -> str:
    props = schema.get("properties", {})
    used = ", ".join(f"``client.{u}``" for u in users) if users else "nested in other records"
    lines = [
        "@attrs.frozen(slots=True, kw_only=True)",
        f"class {name}:",
        "    " + doc(f"``{name}`` as the API returns it: {used}.", 4),
        "",
    ]
    for prop, pschema in props.items():
        annotation, default = record_field(name, prop, pschema)
        lines.append(f"    {prop}: {annotation}" + (f" = {default}" if default else ""))
        described = squash(pschema.get("description"))
        if described and described != "n/a":  # an attribute docstring: the reference shows it
            lines.append("    " + doc(sentence(described), 4))
    return "\n".join(lines) + "\n"


def dependency_order(names: list[str], schemas: dict[str, Any]) -> list[str]:
    """Records in dependency order (referenced before referencing), names otherwise sorted."""
    order: list[str] = []
    pending = set(names)

    def visit(name: str) -> None:
        if name not in pending:
            return
        pending.discard(name)
        for dep in sorted(record_closure(schemas, {name})[name]):
            visit(dep)
        order.append(name)

    for name in sorted(names):
        visit(name)
    return order
