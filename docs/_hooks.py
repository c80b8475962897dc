"""mkdocs hook: one reference page per module tools/generate.py writes, listed in the nav.

Each module of ``ngrok_async.resources._generated`` gets ``reference/generated/<module>.md``
(a ``::: module`` block) and a nav entry under "Generated services"; ``<!-- generated-modules
-->`` on the index page becomes a table of them, with the services each one holds. A module the
generator adds later is in the reference without editing the docs.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from typing import Any

from mkdocs.structure.files import File, Files

MARKER = "<!-- generated-modules -->"
PACKAGE = "ngrok_async.resources._generated"
SECTION = "Generated services"
INDEX = "reference/generated.md"
HIDDEN = {"_nested"}
"""Machinery, not API: the checks of nested request fields."""


def generated_modules() -> list[str]:
    """Every generated module's dotted name, the families first, then the shared ones."""
    package = importlib.import_module(PACKAGE)
    names = [info.name for info in pkgutil.iter_modules(package.__path__)]
    kept = sorted((n for n in names if n not in HIDDEN), key=lambda n: (n.startswith("_"), n))
    return [f"{PACKAGE}.{name}" for name in kept]


def _short(module: str) -> str:
    return module.rsplit(".", 1)[1]


def page_of(module: str) -> str:
    return f"reference/generated/{_short(module).lstrip('_')}.md"


def title_of(module: str) -> str:
    return _short(module).lstrip("_").replace("_", " ")


def on_config(config: Any, **_: Any) -> Any:
    """Put one nav entry per generated module under the "Generated services" section."""
    pages = [INDEX] + [{title_of(m): page_of(m)} for m in generated_modules()]
    for section in config["nav"] or []:
        if isinstance(section, dict) and "API reference" in section:
            entries = section["API reference"]
            for i, entry in enumerate(entries):
                if isinstance(entry, dict) and SECTION in entry:
                    entries[i] = {SECTION: pages}
    return config


def on_files(files: Files, config: Any, **_: Any) -> Files:
    for module in generated_modules():
        content = (
            f"# {title_of(module)}\n\n::: {module}\n    options:\n"
            "      show_root_heading: false\n      heading_level: 2\n"
            "      show_submodules: false\n      inherited_members: true\n"
        )
        files.append(File.generated(config, page_of(module), content=content))
    return files


def _services_of(module: str) -> str:
    loaded = importlib.import_module(module)
    names = [
        name
        for name, value in vars(loaded).items()
        if inspect.isclass(value) and value.__module__ == loaded.__name__
        and name.endswith("Service")
    ]  # fmt: skip
    return ", ".join(f"`{name}`" for name in sorted(names)) or "nested request types and records"


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    if MARKER not in markdown:
        return markdown
    rows = ["| module | services |", "|---|---|"]
    for module in generated_modules():
        link = page_of(module).removeprefix("reference/")
        rows.append(f"| [{title_of(module)}]({link}) | {_services_of(module)} |")
    return markdown.replace(MARKER, "\n".join(rows))
