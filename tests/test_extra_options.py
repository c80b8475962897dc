"""Per-call ``extra_headers`` and ``extra_query`` on every method: on the wire for that call only,
on every page of a listing (the query on the first request), checked before any request."""

from __future__ import annotations

import json
from typing import Any

import anyio
import httpx
import pytest
import respx

from ngrok_async import AsyncClient, InvalidParameterError
from ngrok_async.cli._introspect import PER_CALL_OPTIONS

from .deprecations import ALLOW
from .e2e.hostile import fixed, hostile

pytestmark = ALLOW  # edge routes and tunnels stand for any generated service here

KEY = "sk_extra_options"
CRED = {"id": "cr_1", "uri": "", "created_at": "2025-01-01T00:00:00Z"}
ROUTE = {"id": "edghtsrt_1", "uri": "", "created_at": "2025-01-01T00:00:00Z", "edge_id": "edghts_1"}
EXTRA: dict[str, Any] = {
    "extra_headers": {"X-Trace": "t1"},
    "extra_query": {"debug": "1"},
}


async def test_they_reach_the_wire_of_that_call_only() -> None:
    with respx.mock(base_url="https://api.ngrok.com") as router:
        router.get("/credentials/cr_1").respond(200, json=CRED)
        router.post("/credentials").respond(201, json=CRED)
        router.patch("/credentials/cr_1").respond(200, json=CRED)
        router.delete("/credentials/cr_1").respond(204)
        router.get("/edges/https/edghts_1/routes/edghtsrt_1").respond(200, json=ROUTE)
        async with AsyncClient(KEY) as ngrok:
            await ngrok.credentials.get("cr_1")
            await ngrok.credentials.get("cr_1", **EXTRA)
            await ngrok.credentials.create(description="x", **EXTRA)
            await ngrok.credentials.update("cr_1", description="y", **EXTRA)
            await ngrok.credentials.delete("cr_1", **EXTRA)
            await ngrok.edges.https_routes.get("edghts_1", "edghtsrt_1", **EXTRA)
            await ngrok.credentials.get("cr_1")
        calls = router.calls
        assert len(calls) == 7
        for i, call in enumerate(calls):
            extra = 1 <= i <= 5
            assert (call.request.headers.get("x-trace") == "t1") is extra, i
            assert (call.request.url.params.get("debug") == "1") is extra, i
            assert call.request.headers["authorization"] == f"Bearer {KEY}"
        assert json.loads(calls[2].request.content) == {"description": "x"}


async def test_a_listing_sends_the_headers_with_every_page_and_the_query_with_the_first() -> None:
    second = "https://api.ngrok.com/credentials?before_id=cr_2&limit=1"
    pages = [
        {"credentials": [CRED], "uri": "", "next_page_uri": second},
        {"credentials": [CRED], "uri": "", "next_page_uri": None},
    ]
    with respx.mock(base_url="https://api.ngrok.com") as router:
        route = router.get("/credentials").mock(
            side_effect=[httpx.Response(200, json=page) for page in pages]
        )
        async with AsyncClient(KEY) as ngrok:
            found = [c.id async for c in ngrok.credentials.list(limit=1, **EXTRA)]
        assert found == ["cr_1", "cr_1"]
        first, then = (call.request for call in route.calls)
        assert first.headers["x-trace"] == then.headers["x-trace"] == "t1"
        assert first.url.params["debug"] == "1"
        assert str(then.url) == second  # the API's own link, followed as it is


@pytest.mark.parametrize(
    "options",
    [
        {"extra_headers": {"Authorization": "Bearer other"}},
        {"extra_headers": {"Ngrok-Version": "3"}},
        {"extra_headers": {"X-A": "1\r\nX-Injected: 1"}},
        {"extra_headers": {"X-A": 5}},
        {"extra_headers": "X-A: 1"},
        {"extra_query": {"": "1"}},
        {"extra_query": {"a": 1}},
    ],
)
async def test_bad_ones_are_refused_before_any_request(options: dict[str, Any]) -> None:
    with respx.mock(assert_all_called=False) as router:
        route = router.route().respond(200, json={"credentials": [], "next_page_uri": None})
        async with AsyncClient(KEY) as ngrok:
            with pytest.raises(InvalidParameterError, match="extra_"):
                await ngrok.credentials.get("cr_1", **options)
            with pytest.raises(InvalidParameterError, match="extra_"):
                await ngrok.tunnels.list(**options).__anext__()
            with pytest.raises(InvalidParameterError, match="extra_"):
                await ngrok.edges.https_routes.get("edghts_1", "edghtsrt_1", **options)
        assert not route.called


@pytest.mark.parametrize(
    ("backend", "choice"), [("asyncio", "httpx"), ("trio", "httpx"), ("asyncio", "aiohttp")]
)
def test_on_each_transport_they_are_bytes_on_the_wire(
    backend: str, choice: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NGROK_TRANSPORT", choice)
    with hostile(fixed(200, json.dumps(CRED).encode())) as server:

        async def main() -> None:
            async with AsyncClient(KEY, base_url=server.url) as ngrok:
                await ngrok.credentials.get("cr_1", **EXTRA)
                await ngrok.credentials.get("cr_1")

        anyio.run(main, backend=backend)
    first, second = server.requests
    assert first.headers["x-trace"] == "t1"
    assert first.target == "/credentials/cr_1?debug=1"
    assert "x-trace" not in second.headers
    assert second.target == "/credentials/cr_1"


def test_the_command_line_leaves_them_out() -> None:
    from ngrok_async.cli._introspect import operations
    from ngrok_async.resources.credentials import CredentialsService

    for operation in operations("credentials", CredentialsService):
        assert not PER_CALL_OPTIONS & {param.name for param in operation.params}
