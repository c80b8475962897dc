"""mkdocs hook: the "Generated services" page lists every module tools/generate.py writes.

``<!-- generated-modules -->`` in a page becomes one ``::: module`` block per module of
``ngrok_async.resources._generated`` (namespaces and mounts first), so a service the
generator adds later is in the reference without editing the docs.
"""

from __future__ import annotations

import pkgutil
from typing import Any

MARKER = "<!-- generated-modules -->"
PACKAGE = "ngrok_async.resources._generated"


def generated_modules() -> list[str]:
    import ngrok_async.resources._generated as package

    names = [info.name for info in pkgutil.iter_modules(package.__path__)]
    return [f"{PACKAGE}.{name}" for name in sorted(names, key=lambda n: (not n.startswith("_"), n))]


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    if MARKER not in markdown:
        return markdown
    blocks = []
    for module in generated_modules():
        title = module.rsplit(".", 1)[1]
        blocks.append(
            f"## `{title}`\n\n::: {module}\n    options:\n      show_root_heading: false\n"
            "      heading_level: 3\n      show_submodules: false\n      inherited_members: true\n"
        )
    return markdown.replace(MARKER, "\n".join(blocks))
