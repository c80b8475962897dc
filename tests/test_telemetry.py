"""The SDK's own spans (OpenTelemetry's SDK, in memory): one per operation, one per page of a
listing, named ``service.operation``, with HTTP client conventions and ngrok's attributes, and
nothing secret; and no OpenTelemetry import when the application did not import it."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from typing import Any

import httpx
import pytest
import respx
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from ngrok_async import AmbiguousCreateError, AsyncClient, NotFoundError

from .conftest import API_KEY, BASE
from .e2e.hostile import hang_up, hostile

TOKEN = "tk_telemetry_secret_0123456789"
CREATED = {
    "id": "cr_1",
    "uri": f"{BASE}/credentials/cr_1",
    "created_at": "2025-01-01T00:00:00Z",
    "description": "",
    "metadata": "",
    "token": TOKEN,
    "acl": [],
}


def only(spans: InMemorySpanExporter, name: str) -> list[ReadableSpan]:
    return [span for span in spans.get_finished_spans() if span.name == name]


def attributes(span: ReadableSpan) -> dict[str, Any]:
    return dict(span.attributes or {})


def assert_nothing_secret(spans: InMemorySpanExporter) -> None:
    for span in spans.get_finished_spans():
        text = repr(attributes(span)) + repr(span.events) + str(span.status.description)
        assert API_KEY not in text
        assert TOKEN not in text
        assert '"description"' not in text  # no body


async def test_a_create_is_one_span_named_after_the_operation(
    client: AsyncClient, api: respx.MockRouter, otel_exporter: InMemorySpanExporter
) -> None:
    api.post("/credentials").respond(201, json=CREATED)

    await client.credentials.create(description="x")

    (span,) = only(otel_exporter, "credentials.create")
    assert span.kind is SpanKind.INTERNAL
    found = attributes(span)
    assert found.pop("ngrok.limiter_wait_seconds") >= 0
    assert found == {
        "ngrok.operation": "credentials.create",
        "http.request.method": "POST",
        "url.template": "/credentials",
        "server.address": "api.ngrok.com",
        "http.response.status_code": 201,
        "ngrok.attempts": 1,
        "ngrok.retries": 0,
        "ngrok.create_ambiguous": False,
    }
    assert span.status.status_code is StatusCode.UNSET
    assert_nothing_secret(otel_exporter)


async def test_retries_are_counted_on_the_one_span(
    client: AsyncClient, api: respx.MockRouter, otel_exporter: InMemorySpanExporter
) -> None:
    api.get("/credentials/cr_1").mock(
        side_effect=[httpx.Response(503), httpx.Response(200, json=CREATED)]
    )

    await client.credentials.get("cr_1")

    (span,) = only(otel_exporter, "credentials.get")
    found = attributes(span)
    assert found["url.template"] == "/credentials/{id}"
    assert (found["ngrok.attempts"], found["ngrok.retries"]) == (2, 1)
    assert found["http.response.status_code"] == 200


async def test_an_api_error_records_its_type_code_and_operation_id(
    client: AsyncClient, api: respx.MockRouter, otel_exporter: InMemorySpanExporter
) -> None:
    body = {
        "error_code": "ERR_NGROK_404",
        "status_code": 404,
        "msg": f"no such credential; your key {API_KEY}",
        "details": {"operation_id": "op_abc"},
    }
    api.delete("/credentials/cr_9").respond(404, json=body)

    with pytest.raises(NotFoundError):
        await client.credentials.delete("cr_9")

    (span,) = only(otel_exporter, "credentials.delete")
    found = attributes(span)
    assert found["error.type"] == "NotFoundError"
    assert found["ngrok.error_code"] == "ERR_NGROK_404"
    assert found["ngrok.operation_id"] == "op_abc"
    assert found["http.response.status_code"] == 404
    assert span.status.status_code is StatusCode.ERROR
    assert_nothing_secret(otel_exporter)


def test_an_ambiguous_create_says_so(otel_exporter: InMemorySpanExporter) -> None:
    import anyio

    with hostile(hang_up) as server:

        async def main() -> None:
            async with AsyncClient(API_KEY, base_url=server.url) as ngrok:
                with pytest.raises(AmbiguousCreateError):
                    await ngrok.credentials.create(description="x")

        anyio.run(main)
    (span,) = only(otel_exporter, "credentials.create")
    found = attributes(span)
    assert found["ngrok.create_ambiguous"] is True
    assert found["error.type"] == "AmbiguousCreateError"


async def test_a_listing_is_one_span_per_page(
    client: AsyncClient, api: respx.MockRouter, otel_exporter: InMemorySpanExporter
) -> None:
    second = f"{BASE}/credentials?before_id=cr_2&limit=1"
    api.get("/credentials", params={"before_id": "cr_2", "limit": "1"}).respond(
        200, json={"credentials": [CREATED], "uri": second, "next_page_uri": None}
    )
    api.get("/credentials", params={"limit": "1"}).respond(
        200, json={"credentials": [CREATED], "uri": "", "next_page_uri": second}
    )

    assert len([c async for c in client.credentials.list(limit=1)]) == 2

    spans = only(otel_exporter, "credentials.list")
    assert [attributes(span)["ngrok.page"] for span in spans] == [1, 2]
    assert {attributes(span)["url.template"] for span in spans} == {"/credentials"}
    assert_nothing_secret(otel_exporter)


async def test_a_generated_operation_is_named_by_its_method(
    client: AsyncClient, api: respx.MockRouter, otel_exporter: InMemorySpanExporter
) -> None:
    api.post("/tunnel_sessions/ts_1/restart").respond(204)
    api.put("/edges/https/edghts_1/mutual_tls").respond(200, json={"enabled": True})

    await client.tunnel_sessions.restart("ts_1")
    with pytest.warns(DeprecationWarning, match="deprecated"):  # Edges: still served
        await client.edge_modules.https_edge_mutual_tls.replace("edghts_1", enabled=True)

    (restart,) = only(otel_exporter, "tunnel_sessions.restart")
    assert attributes(restart)["url.template"] == "/tunnel_sessions/{id}/restart"
    assert "ngrok.create_ambiguous" in attributes(restart)  # a POST
    (replace,) = only(otel_exporter, "edge_modules.https_edge_mutual_tls.replace")
    assert attributes(replace)["url.template"] == "/edges/https/{id}/mutual_tls"


def test_without_opentelemetry_imported_nothing_imports_it() -> None:
    code = textwrap.dedent(
        """
        import sys, anyio
        from ngrok_async.testing import FakeNgrok

        async def main():
            async with FakeNgrok().client() as ngrok:
                await ngrok.credentials.create(description="x")
                [c async for c in ngrok.credentials.list()]

        anyio.run(main)
        print(sorted(name for name in sys.modules if name.startswith("opentelemetry")))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert json.loads(done.stdout.strip().replace("'", '"')) == []
