"""Assemble the generated package: one text per module, keyed by file name."""

from __future__ import annotations

import textwrap
from collections import defaultdict
from typing import Any

from .client import render_services
from .model import Service
from .nested import nested_schemas, params_home, render_checks, render_params
from .records import dependency_order, record_homes, render_record
from .services import render_service
from .spec import record_closure, ref_name, services
from .text import HEADER, doc

IMPORTS = """\
from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import attrs
from typing_extensions import deprecated

from ... import _validate as check
from . import _nested as nested
from ..._paging import Page, iter_pages
from ..._types import NOT_GIVEN, NotGivenOr
from .. import _ops as ops
from .._base import Checks, FilteredResourceService, ResourceService, Service, build_body
"""


def render_modules(spec: dict[str, Any]) -> dict[str, str]:
    schemas = spec["components"]["schemas"]
    svcs = services(spec)
    homes = record_homes(spec, svcs)
    users: dict[str, list[str]] = defaultdict(list)
    for svc in svcs:
        assert svc.record
        users[svc.record].append(svc.attr)
    by_module: dict[str, list[str]] = defaultdict(list)
    for name in sorted(homes):
        by_module[homes[name]].append(name)
    known = set(homes)  # schemas with a record class
    nested_names = nested_schemas(spec, svcs)
    modules: dict[str, str] = render_params(spec, nested_names, homes)
    modules["_nested.py"] = render_checks(spec, nested_names, known)
    for name in nested_names:
        by_module[params_home(name)].append(f"{name}Param")
    family_modules = sorted({s.module for s in svcs})
    shared = sorted({home for home in homes.values() if home.startswith("_common")})
    for module in [*shared, *family_modules]:
        records = dependency_order(by_module.get(module, []), schemas)
        parts = [_module_doc(module, svcs), IMPORTS]
        needed = {dep for name in records for dep in record_closure(schemas, {name})[name]}
        needed |= {s.record for s in svcs if s.module == module and s.record}
        params: dict[str, list[str]] = defaultdict(list)
        for ref in sorted(_request_refs(svcs, module)):
            params[params_home(ref)].append(f"{ref}Param")
            if ref in known:
                needed.add(ref)
        foreign: dict[str, list[str]] = defaultdict(list)
        for name in sorted(needed):
            if homes[name] != module:
                foreign[homes[name]].append(name)
        for home in sorted(foreign):
            parts.append(f"from .{home} import {', '.join(foreign[home])}\n")
        if params:
            parts.append(
                "if TYPE_CHECKING:\n"
                + "".join(
                    f"    from .{m} import {', '.join(n)}\n" for m, n in sorted(params.items())
                )
            )
        all_names = [*records, *(s.cls for s in svcs if s.module == module)]
        parts.append(f"__all__ = {sorted(all_names)!r}\n")
        for name in records:
            parts.append(render_record(name, schemas[name], users.get(name, [])))
        for svc in svcs:
            if svc.module == module:
                parts.append(render_service(svc, known))
        modules[f"{module}.py"] = "\n\n".join(parts)
    modules.update(render_services(svcs))
    modules["__init__.py"] = render_init(modules, svcs, by_module)
    return modules


def _request_refs(svcs: list[Service], module: str) -> set[str]:
    """The nested schemas the services of ``module`` take in a request body."""
    refs = set()
    for svc in svcs:
        if svc.module == module:
            for op in svc.ops:
                for p in op.body:
                    ref = ref_name(p.schema) or ref_name(p.schema.get("items", {}))
                    if ref:
                        refs.add(ref)
    return refs


def _module_doc(module: str, svcs: list[Service]) -> str:
    attrs_ = [f"``client.{s.attr}``" for s in svcs if s.module == module]
    what = ", ".join(attrs_) if attrs_ else "records shared by several service families"
    return HEADER + doc(f"Generated records and services: {what}.") + "\n"


def render_init(
    modules: dict[str, str], svcs: list[Service], by_module: dict[str, list[str]]
) -> str:
    """The package ``__init__``: every name re-exported, each module imported on first use."""
    lines = [
        HEADER + '"""Every generated record and service, each module imported on first use."""',
        "from __future__ import annotations",
        "import importlib",
        "from typing import TYPE_CHECKING, Any",
        "from ._services import TAGS, GeneratedServices",
        "if TYPE_CHECKING:",
    ]
    names: list[str] = []
    homes: list[str] = []
    for module in sorted(m.removesuffix(".py") for m in modules):
        if module in ("__init__", "_namespaces", "_services", "_nested"):
            continue
        exported = sorted(
            [*by_module.get(module, []), *(s.cls for s in svcs if s.module == module)]
        )
        names += exported
        lines.append(f"    from .{module} import {', '.join(exported)}")
        chunks = textwrap.wrap(" ".join(exported), 84, break_on_hyphens=False)
        text = " ".join(f'"{chunk} "' for chunk in chunks[:-1]) + f' "{chunks[-1]}"'
        homes.append(f'    "{module}": ({text.strip()}),')
    lines += [
        "_HOMES: dict[str, str] = {",
        *homes,
        "}",
        "_MODULE_OF = {name: module for module, names in _HOMES.items() for name in names.split()}",
        f"__all__ = {sorted([*names, 'GeneratedServices', 'TAGS'])!r}",
        "def __getattr__(name: str) -> Any:",
        "    module = _MODULE_OF.get(name)",
        "    if module is None:",
        '        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")',
        '    value = getattr(importlib.import_module(f".{module}", __name__), name)',
        "    globals()[name] = value",
        "    return value",
        "def __dir__() -> list[str]:",
        "    return sorted(__all__)",
    ]
    return "\n".join(lines) + "\n"
