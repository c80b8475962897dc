"""What ngrok deprecated on 2025-12-31, said the way Python says it.

Edges, edge routes, every edge and route module, the five Backends, Bot Users and (labeled)
tunnels: each method is ``@deprecated`` (PEP 702), so mypy and pyright flag each use and
nothing else, and warns at call time naming what replaces it. ``ERR_NGROK_7008`` and
``ERR_NGROK_7196`` are typed errors saying what happened and what to use instead.
"""

from __future__ import annotations

import inspect
import json
import pathlib
import re
import subprocess
import sys
import warnings
from typing import Any

import pytest
import respx

from ngrok_async import (
    AsyncClient,
    EdgesDeprecatedError,
    EdgesReadOnlyError,
    EdgesUnavailableError,
    NgrokAPIError,
    PermissionDeniedError,
)
from ngrok_async.resources._generated import TAGS

from . import deprecations

PROGRAM = pathlib.Path(__file__).parent / "typing" / "deprecated_program.py"
MARKED = {
    number
    for number, text in enumerate(PROGRAM.read_text().splitlines(), 1)
    if text.endswith("# deprecated")
}


def flagged_lines(output: str, pattern: str) -> set[int]:
    return {int(m[1]) for m in re.finditer(pattern, output)}


def test_mypy_flags_exactly_the_deprecated_calls(tmp_path: pathlib.Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--enable-error-code", "deprecated",
         "--cache-dir", str(tmp_path / "cache"), "--no-error-summary", str(PROGRAM)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert len(MARKED) == 7
    assert flagged_lines(run.stdout, r"deprecated_program\.py:(\d+): error: .*\[deprecated\]") == (
        MARKED
    ), run.stdout
    assert "Cloud Endpoints with Traffic Policy" in run.stdout
    assert "Service Users (client.service_users)" in run.stdout
    assert flagged_lines(run.stdout, r"deprecated_program\.py:(\d+): error") == MARKED


def test_pyright_flags_exactly_the_deprecated_calls(tmp_path: pathlib.Path) -> None:
    config = tmp_path / "pyrightconfig.json"
    config.write_text(json.dumps({"typeCheckingMode": "strict", "pythonVersion": "3.10"}))
    exe = pathlib.Path(sys.executable).parent / "basedpyright"
    run = subprocess.run(
        [str(exe), "--project", str(config), "--pythonpath", sys.executable, str(PROGRAM)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    found = flagged_lines(run.stdout, r"deprecated_program\.py:(\d+):\d+ - \w+: .*deprecated")
    assert found == MARKED, run.stdout


def methods(service: Any) -> list[str]:
    return [
        name
        for name, member in inspect.getmembers(type(service))
        if not name.startswith("_") and inspect.isfunction(member) and name != "create_many"
    ]


def test_every_method_of_a_deprecated_service_and_no_other_is_marked() -> None:
    client = AsyncClient("k")
    marked: set[str] = set()
    for tag, path in TAGS.items():
        service: Any = client
        for part in path.split("."):
            service = getattr(service, part)
        for name in methods(service):
            message = getattr(getattr(service, name), "__deprecated__", None)
            if message is not None:
                marked.add(tag)
                assert message.startswith(f"client.{path}.{name}() is deprecated (ngrok, ")
            else:
                assert not deprecations.deprecated(tag), f"{path}.{name} is not marked"
    assert marked == {tag for tag in TAGS if deprecations.deprecated(tag)}
    assert len(marked) == 34  # 4 edge services, 20 edge and route modules, 5 backends, 2 more
    assert {"BotUsers", "Tunnels", "EdgesHTTPS", "WeightedBackends"} <= marked
    assert not {"ServiceUsers", "Endpoints", "TunnelSessions", "AIGatewayAPIKeys"} & marked


async def test_a_deprecated_call_warns_once_at_the_callers_line(
    client: AsyncClient, api: respx.MockRouter
) -> None:
    api.get("/bot_users/bot_1").respond(200, json={"id": "bot_1", "uri": "u", "name": "ci"})
    with pytest.warns(DeprecationWarning, match="Service Users") as record:
        user = await client.bot_users.get("bot_1")
    assert user.name == "ci"
    assert len(record) == 1
    assert str(record[0].message) == (
        "client.bot_users.get() is deprecated (ngrok, 2025-12-31): use Service Users "
        "(client.service_users) instead"
    )
    assert record[0].filename == __file__

    page = {"https_edges": [], "uri": "u", "next_page_uri": None}
    api.get("/edges/https").respond(200, json=page)
    with pytest.warns(DeprecationWarning, match="Cloud Endpoints") as record:
        assert [edge async for edge in client.edges.https.list(limit=5)] == []
    assert len(record) == 1  # list does not warn again through pages

    api.get("/service_users/svc_1").respond(200, json={"id": "svc_1", "uri": "u"})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        await client.service_users.get("svc_1")


def error_body(code: str, status: int) -> dict[str, Any]:
    return {
        "error_code": code,
        "status_code": status,
        "msg": "Edges are no longer supported.",
        "details": {"operation_id": "op_1"},
    }


@deprecations.ALLOW
@pytest.mark.parametrize(
    ("code", "status", "cls", "says"),
    [
        ("ERR_NGROK_7008", 403, EdgesUnavailableError, "no longer available"),
        ("ERR_NGROK_7196", 403, EdgesReadOnlyError, "read-only"),
        ("ERR_NGROK_7008", 400, EdgesUnavailableError, "no longer available"),
    ],
)
async def test_edge_errors_are_typed_and_say_what_replaces_edges(
    client: AsyncClient,
    api: respx.MockRouter,
    code: str,
    status: int,
    cls: type[NgrokAPIError],
    says: str,
) -> None:
    api.post("/edges/https").respond(status, json=error_body(code, status))
    with pytest.raises(cls) as caught:
        await client.edges.https.create(description="x")
    error = caught.value
    assert isinstance(error, EdgesDeprecatedError)
    assert isinstance(error, PermissionDeniedError)
    assert (error.status_code, error.error_code, error.operation_id) == (status, code, "op_1")
    assert says in str(error)
    assert "Cloud Endpoints with Traffic Policy (client.endpoints)" in str(error)
    assert "op_1" in str(error)


async def test_other_permission_errors_stay_plain(
    client: AsyncClient, api: respx.MockRouter
) -> None:
    api.get("/api_keys/ak_1").respond(403, json=error_body("ERR_NGROK_218", 403))
    with pytest.raises(PermissionDeniedError) as caught:
        await client.api_keys.get("ak_1")
    assert type(caught.value) is PermissionDeniedError
