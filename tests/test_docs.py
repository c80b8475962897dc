"""The documentation site: every guide's Python blocks run as written, and the API reference
covers every public name, including every generated service."""

from __future__ import annotations

import importlib.util
import inspect
import pathlib
import re
from typing import Any

import httpx
import pytest

import ngrok_async
import ngrok_async.journal
import ngrok_async.redis
import ngrok_async.renew
import ngrok_async.ssh_keys
import ngrok_async.testing
import ngrok_async.types
from ngrok_async.cli._api import api_services

from .markdown_blocks import Block, blocks, run, runnable, unexplained

ROOT = pathlib.Path(__file__).parent.parent
DOCS = ROOT / "docs"
_CLIENT = ngrok_async.AsyncClient(
    "docs", transport=httpx.MockTransport(lambda _: httpx.Response(500))
)
PAGES = sorted(DOCS.rglob("*.md"))
BLOCKS = [block for page in PAGES for block in blocks(page)]


@pytest.mark.parametrize(
    "block", runnable(BLOCKS), ids=lambda block: f"{block.path.parent.name}/{block.id}"
)
def test_docs_block_runs_as_written(block: Block, tmp_path: pathlib.Path) -> None:
    run(block, tmp_path)


def test_every_block_not_run_says_why() -> None:
    assert unexplained(BLOCKS) == []


def test_every_guide_has_runnable_code() -> None:
    guides = [page for page in PAGES if page.parent.name == "guides"]
    with_code = {block.path for block in runnable(BLOCKS)}

    assert len(guides) == 9
    assert [page.name for page in guides if page not in with_code] == ["cli.md"]


def _hooks() -> object:
    spec = importlib.util.spec_from_file_location("docs_hooks", DOCS / "_hooks.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def rendered() -> set[str]:
    """Every identifier a ``::: name`` block renders, with the hook's generated modules."""
    names = set(_hooks().generated_modules())  # type: ignore[attr-defined]
    for page in (DOCS / "reference").glob("*.md"):
        names.update(re.findall(r"^::: ([\w.]+)", page.read_text(), re.MULTILINE))
    return names


@pytest.mark.parametrize(
    "module",
    [
        ngrok_async,
        ngrok_async.testing,
        ngrok_async.ssh_keys,
        ngrok_async.renew,
        ngrok_async.types,
        ngrok_async.journal,
        ngrok_async.redis,
    ],
)
def test_the_reference_covers_every_public_name(module: object) -> None:
    covered = rendered()
    public = getattr(module, "__all__", None) or [
        name for name in vars(module) if not name.startswith("_")
    ]
    missing = []
    for name in public:
        value = getattr(module, name)
        owner = getattr(value, "__module__", "") if inspect.isclass(value) else ""
        if not {f"{module.__name__}.{name}", module.__name__, owner} & covered:  # type: ignore[attr-defined]
            missing.append(name)

    assert missing == []


def test_the_reference_covers_every_service_class() -> None:
    covered = rendered()

    missing = [
        service.path for service in api_services() if not {_module_of(service.path)} & covered
    ]

    assert missing == []


def _module_of(path: str) -> str:
    owner: object = _CLIENT
    for part in path.split("."):
        owner = getattr(owner, part)
    return type(owner).__module__


def test_the_generated_page_lists_every_generated_module() -> None:
    hooks: Any = _hooks()
    modules = hooks.generated_modules()
    page = hooks.on_page_markdown((DOCS / "reference" / "generated.md").read_text(), page=None)

    assert "ngrok_async.resources._generated.domains" in modules
    assert "ngrok_async.resources._generated._nested" not in modules  # checks: machinery
    assert page.count("](generated/") == len(modules)
    assert "[ai gateway](generated/ai_gateway.md) | `AIGatewayAPIKeysService` |" in page


MACHINERY = {"path", "record", "list_key", "request", "create_checks", "update_checks", "name"}


def test_the_reference_shows_no_machinery_and_describes_every_field() -> None:
    """What mkdocstrings renders (read with griffe, as it does): services show no
    implementation attributes, and record fields carry the spec's descriptions."""
    import griffe

    package = griffe.load("ngrok_async.resources._generated", search_paths=[str(DOCS.parent)])
    module = package.modules["ai_gateway"]
    service = module.classes["AIGatewayAPIKeysService"]
    public = {name for name in service.members if not name.startswith("_")}
    assert public == {"create", "update"}  # get/list/pages/delete come from the base
    assert not MACHINERY & public
    record = module.classes["AIGatewayAPIKey"]
    endpoint = record.members["endpoint"].docstring
    assert endpoint is not None
    assert endpoint.value == "reference to the AI Gateway endpoint this key is associated with."
    for family in package.modules.values():
        for cls in family.classes.values():
            if cls.is_alias or not cls.name.endswith("Service"):  # imported, or a record
                continue
            assert not MACHINERY & {n for n in cls.members if not n.startswith("_")}, cls.path
    edge = package.modules["edges_tcp"].classes["EdgesTCPService"]
    text = " ".join(str(edge.docstring and edge.docstring.value).split())
    assert "Deprecated by ngrok since 2025-12-31: use Cloud Endpoints" in text
    method = edge.members["get"].docstring
    assert method is not None
    assert "Deprecated by ngrok since 2025-12-31" in " ".join(method.value.split())
