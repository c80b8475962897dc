"""Nested request types: a ``TypedDict`` per nested schema a request can carry, and its check.

``_params*.py`` hold the ``…Param`` TypedDicts (types only: records and other TypedDicts are
imported for type checkers alone); ``_nested.py`` holds one runtime check per schema, which takes
the TypedDict's mapping or the record read from the API and names bad fields by dotted path.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Set
from typing import Any

from .model import Service
from .naming import snake
from .overrides import REQUIRED_NESTED
from .records import dependency_order
from .spec import record_closure, ref_name
from .text import HEADER, doc, sentence, squash
from .typemap import param_type

# Which ``_params`` module holds a schema's TypedDict, by name prefix (first match wins).
PARAMS_SPLIT = (
    ("EndpointOAuth", "_params_auth"),
    ("EndpointOIDC", "_params_auth"),
    ("EndpointSAML", "_params_auth"),
    ("EventTarget", "_params_events"),
    ("EventSource", "_params_events"),
    ("AWS", "_params_events"),
)


def nested_schemas(spec: dict[str, Any], svcs: list[Service]) -> list[str]:
    """Every schema reachable from a request body field, in dependency order."""
    schemas = spec["components"]["schemas"]
    roots = set()
    for svc in svcs:
        for op in svc.ops:
            for p in op.body:
                ref = ref_name(p.schema) or ref_name(p.schema.get("items", {}))
                if ref:
                    roots.add(ref)
    return dependency_order(sorted(record_closure(schemas, roots)), schemas)


def params_home(name: str) -> str:
    return next((mod for prefix, mod in PARAMS_SPLIT if name.startswith(prefix)), "_params")


def _refs(schema: dict[str, Any]) -> set[str]:
    out = set()
    for prop in schema.get("properties", {}).values():
        ref = ref_name(prop) or ref_name(prop.get("items", {}))
        if ref:
            out.add(ref)
    return out


def render_params(
    spec: dict[str, Any], names: list[str], records: dict[str, str]
) -> dict[str, str]:
    """The ``_params*.py`` modules; ``records`` maps record names to their modules."""
    schemas = spec["components"]["schemas"]
    by_module: dict[str, list[str]] = defaultdict(list)
    for name in names:
        by_module[params_home(name)].append(name)
    out = {}
    for module, members in sorted(by_module.items()):
        imports: dict[str, set[str]] = defaultdict(set)
        for name in members:
            if name in records:
                imports[records[name]].add(name)
            for ref in _refs(schemas[name]):
                if params_home(ref) != module:
                    imports[params_home(ref)].add(f"{ref}Param")
                if ref in records:
                    imports[records[ref]].add(ref)
        lines = [
            HEADER + doc("Nested request types (TypedDicts): what a request's nested fields take."),
            "from __future__ import annotations",
            "from collections.abc import Mapping, Sequence",
            "from datetime import datetime, timedelta",
            "from typing import TYPE_CHECKING, Literal, TypedDict",
            "if TYPE_CHECKING:",
            "    from typing_extensions import Required",
        ]
        lines += [
            f"    from .{m} import {', '.join(sorted(n))}" for m, n in sorted(imports.items())
        ]
        lines.append(f"__all__ = {sorted(f'{n}Param' for n in members)!r}")
        for name in members:
            lines += _typed_dict(name, schemas[name], records)
        out[f"{module}.py"] = "\n".join(lines) + "\n"
    return out


def _typed_dict(name: str, schema: dict[str, Any], records: Set[str]) -> list[str]:
    also = f" (or pass the :class:`{name}` record read from the API)" if name in records else ""
    lines = [
        f"class {name}Param(TypedDict, total=False):",
        "    " + doc(f"``{name}`` in a request{also}.", 4),
    ]
    for prop, pschema in schema.get("properties", {}).items():
        annotation = param_type(name, prop, pschema, records)[0]
        if (name, prop) in REQUIRED_NESTED:
            annotation = f"Required[{annotation}]"
        lines.append(f"    {prop}: {annotation}")
        described = squash(pschema.get("description"))
        if described and described != "n/a":  # an attribute docstring: the reference shows it
            lines.append("    " + doc(sentence(described), 4))
    return lines


def render_checks(spec: dict[str, Any], names: list[str], records: Set[str]) -> str:
    """``_nested.py``: one check per nested schema, referenced before it is used."""
    schemas = spec["components"]["schemas"]
    lines = [
        HEADER + doc("Checks of nested request objects, one per schema, for the service tables."),
        "from __future__ import annotations",
        "from ... import _validate as check",
    ]
    for name in names:
        fields = ", ".join(
            f'"{prop}": {param_type(name, prop, ps, records)[1].replace("nested.", "")}'
            for prop, ps in schemas[name].get("properties", {}).items()
        )
        required = tuple(
            p for p in schemas[name].get("properties", {}) if (name, p) in REQUIRED_NESTED
        )
        extra = (", record=True" if name in records else "") + (
            f", required={required!r}" if required else ""
        )
        lines.append(f'{snake(name)} = check.nested("{name}", {{{fields}}}{extra})')
    return "\n".join(lines) + "\n"
