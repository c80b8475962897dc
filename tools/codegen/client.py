"""``_namespaces.py`` and ``_services.py``: the generated services wired onto ``AsyncClient``.

Each service module is imported on first use of its attribute (``client.api_keys``), not at
``import ngrok_async``; type checkers see the classes through ``TYPE_CHECKING`` imports.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from .layout import HAND_WRITTEN
from .model import Service
from .naming import ns_class, title
from .text import HEADER, doc


def render_services(svcs: list[Service]) -> dict[str, str]:
    """``_namespaces.py`` (``client.backends`` …) and ``_services.py`` (the client mixin)."""
    namespaces: dict[str, list[Service]] = defaultdict(list)
    top: list[Service] = []
    for svc in svcs:
        if "." in svc.attr:
            namespaces[svc.attr.split(".")[0]].append(svc)
        else:
            top.append(svc)
    ns_lines = [
        HEADER + '"""Namespaces grouping services by family, as in the API reference."""',
        "from __future__ import annotations",
        "from functools import cached_property",
        "from typing import TYPE_CHECKING",
        "from ..._http import HTTPCore",
        "if TYPE_CHECKING:",
    ]
    ns_lines += _imports(s for group in namespaces.values() for s in group)
    for ns in sorted(namespaces):
        members = ", ".join(s.attr.split(".")[1] for s in sorted(namespaces[ns], key=_attr))
        ns_lines += [
            f"class {ns_class(ns)}:",
            "    " + doc(f"``client.{ns}``: {members}.", 4),
            '    __slots__ = ("__dict__", "_http")',
            "    def __init__(self, http: HTTPCore) -> None:",
            "        self._http = http",
            "    def __repr__(self) -> str:",
            f'        return "<{ns_class(ns)}>"',
        ]
        for svc in sorted(namespaces[ns], key=_attr):
            ns_lines += _prop(svc.attr.split(".")[1], svc.cls, svc.module, title(svc.tag))
    lines = [
        HEADER
        + '"""The generated services as attributes of ``AsyncClient``, namespaces included."""',
        "from __future__ import annotations",
        "from functools import cached_property",
        "from typing import TYPE_CHECKING, Final",
        "from ..._http import HTTPCore",
        "if TYPE_CHECKING:",
        f"    from ._namespaces import {', '.join(ns_class(ns) for ns in sorted(namespaces))}",
    ]
    lines += _imports(top)
    tags = {svc.tag: svc.attr for svc in svcs} | HAND_WRITTEN
    lines.append(
        "TAGS: Final[dict[str, str]] = {"
        + ", ".join(f'"{t}": "{a}"' for t, a in sorted(tags.items()))
        + "}\n"
        '"""Every spec tag and the ``AsyncClient`` attribute that serves it."""'
    )
    lines += [
        "class GeneratedServices:",
        '    """``AsyncClient`` mixin: a cached attribute per generated service or namespace."""',
        "    _http: HTTPCore",
    ]
    for svc in sorted(top, key=_attr):
        lines += _prop(svc.attr, svc.cls, svc.module, title(svc.tag))
    for ns in sorted(namespaces):
        lines += _prop(ns, ns_class(ns), "_namespaces", f"The ``{ns}`` namespace")
    return {"_namespaces.py": "\n".join(ns_lines) + "\n", "_services.py": "\n".join(lines) + "\n"}


def _attr(svc: Service) -> str:
    return svc.attr


def _imports(svcs: Any) -> list[str]:
    by_module: dict[str, list[str]] = defaultdict(list)
    for svc in svcs:
        by_module[svc.module].append(svc.cls)
    return [f"    from .{m} import {', '.join(sorted(c))}" for m, c in sorted(by_module.items())]


def _prop(attr: str, cls: str, module: str, doc: str) -> list[str]:
    return [
        "    @cached_property",
        f"    def {attr}(self) -> {cls}:",
        f'        """{doc}."""',
        f"        from .{module} import {cls}",
        "",
        f"        return {cls}(self._http)",
    ]
