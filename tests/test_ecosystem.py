"""The tools users mock and trace httpx with, each used as its own documentation shows, around
one ``credentials.create`` of a client made with no setting: respx (decorator and context
manager), pytest-httpx, OpenTelemetry's SDK with its httpx and aiohttp instrumentations, and
sentry-sdk with its default integrations. Each runs on asyncio and trio; the tracing tools also
with the ``AiohttpTransport`` opt-in. Servers are on 127.0.0.1 only.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, ClassVar

import anyio
import httpx
import pytest
import respx
import sentry_sdk
from opentelemetry.instrumentation.aiohttp_client import AioHttpClientInstrumentor
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from pytest_httpx import HTTPXMock
from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import Transport

from ngrok_async import AiohttpTransport, AsyncClient, Credential, NgrokError

from .e2e.hostile import fixed, hostile

KEY = "ak_ecosystem_4f9b2c1d8e7a6b5c4d3e2f1a0b9c8d7e"
CREDENTIAL = {
    "id": "cr_1",
    "uri": "https://api.ngrok.com/credentials/cr_1",
    "created_at": "2025-01-01T00:00:00Z",
    "description": "eco",
    "metadata": "",
    "token": "tok_secret_ecosystem",
    "acl": [],
}
BACKENDS = ["asyncio", "trio"]
TRACED = [("asyncio", "default"), ("trio", "default"), ("asyncio", "aiohttp")]


async def create(**options: Any) -> Credential:
    async with AsyncClient(KEY, **options) as ngrok:
        with anyio.fail_after(10):
            return await ngrok.credentials.create(description="eco")


def run_create(backend: str, **options: Any) -> Credential:
    async def main() -> Credential:
        return await create(**options)

    return anyio.run(main, backend=backend)


# -- respx and pytest-httpx see the default client with no setting -----------------------------


@pytest.mark.parametrize("backend", BACKENDS)
@respx.mock
def test_respx_decorator_sees_the_default_client(
    backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NGROK_TRANSPORT", raising=False)
    route = respx.post("https://api.ngrok.com/credentials").respond(201, json=CREDENTIAL)

    assert run_create(backend).id == "cr_1"

    assert route.call_count == 1
    assert route.calls.last.request.headers["authorization"] == f"Bearer {KEY}"


@pytest.mark.parametrize("backend", BACKENDS)
def test_respx_context_manager_sees_the_default_client(
    backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NGROK_TRANSPORT", raising=False)
    with respx.mock(base_url="https://api.ngrok.com") as router:
        route = router.post("/credentials").respond(201, json=CREDENTIAL)
        assert run_create(backend).id == "cr_1"
    assert route.call_count == 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_respx_refuses_an_unmocked_call_instead_of_reaching_the_network(
    backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NGROK_TRANSPORT", raising=False)
    with respx.mock(base_url="https://api.ngrok.com", assert_all_called=False) as router:
        route = router.get("/credentials/cr_1").respond(200, json=CREDENTIAL)
        with pytest.raises(NgrokError, match=r"AllMockedAssertionError.*not mocked"):
            run_create(backend)
    assert not route.called


@pytest.mark.parametrize("backend", BACKENDS)
def test_pytest_httpx_sees_the_default_client(
    backend: str, httpx_mock: HTTPXMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NGROK_TRANSPORT", raising=False)
    httpx_mock.add_response(
        method="POST", url="https://api.ngrok.com/credentials", status_code=201, json=CREDENTIAL
    )

    assert run_create(backend).id == "cr_1"

    (request,) = httpx_mock.get_requests()
    assert json.loads(request.content) == {"description": "eco"}
    assert request.headers["ngrok-version"] == "2"


@pytest.mark.parametrize("backend", BACKENDS)
def test_httpx_event_hooks_see_every_attempt_of_an_injected_client(backend: str) -> None:
    seen: list[str] = []

    async def hook(request: httpx.Request) -> None:
        seen.append(request.method)

    with hostile(fixed(201, json.dumps(CREDENTIAL).encode())) as server:

        async def main() -> None:
            async with httpx.AsyncClient(event_hooks={"request": [hook]}) as http:
                await create(base_url=server.url, http_client=http)

        anyio.run(main, backend=backend)
    assert seen == ["POST"]


# -- OpenTelemetry's SDK -----------------------------------------------------------------------


@pytest.fixture
def spans(otel_exporter: InMemorySpanExporter) -> Iterator[InMemorySpanExporter]:
    httpx_instrumentor = HTTPXClientInstrumentor()
    aiohttp_instrumentor = AioHttpClientInstrumentor()
    httpx_instrumentor.instrument()
    aiohttp_instrumentor.instrument()
    try:
        yield otel_exporter
    finally:
        httpx_instrumentor.uninstrument()
        aiohttp_instrumentor.uninstrument()


def client_spans(finished: tuple[ReadableSpan, ...]) -> list[ReadableSpan]:
    return [span for span in finished if span.kind is SpanKind.CLIENT]


@pytest.mark.parametrize(("backend", "transport"), TRACED)
def test_opentelemetry_sees_each_attempt(
    backend: str, transport: str, spans: InMemorySpanExporter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NGROK_TRANSPORT", raising=False)
    with hostile(fixed(201, json.dumps(CREDENTIAL).encode())) as server:
        options: dict[str, Any] = {"base_url": server.url}
        if transport == "aiohttp":
            options["transport"] = AiohttpTransport()
        assert run_create(backend, **options).id == "cr_1"

    finished = spans.get_finished_spans()
    (http_span,) = client_spans(finished)
    assert http_span.attributes is not None
    assert http_span.attributes.get("http.request.method", http_span.attributes.get("http.method"))
    (sdk_span,) = [span for span in finished if span.name == "credentials.create"]
    assert sdk_span.kind is SpanKind.INTERNAL
    assert http_span.parent is not None
    assert sdk_span.context is not None
    assert http_span.parent.span_id == sdk_span.context.span_id  # the SDK's span is its parent
    assert http_span.context is not None
    assert http_span.context.trace_id == sdk_span.context.trace_id
    text = repr([dict(span.attributes or {}) for span in finished])
    assert KEY not in text
    assert "tok_secret_ecosystem" not in text


# -- sentry-sdk --------------------------------------------------------------------------------


class Captured(Transport):
    """A Sentry transport that keeps envelopes in memory."""

    envelopes: ClassVar[list[Envelope]] = []

    def capture_envelope(self, envelope: Envelope) -> None:
        Captured.envelopes.append(envelope)


@pytest.fixture
def sentry() -> Iterator[None]:
    """Sentry as its docs set it up (default integrations, every transaction sampled), its
    envelopes kept in memory."""
    Captured.envelopes = []
    sentry_sdk.init(dsn="http://public@127.0.0.1:9/1", transport=Captured, traces_sample_rate=1.0)
    try:
        yield
    finally:
        sentry_sdk.get_client().close()
        sentry_sdk.init()  # no DSN: off


@pytest.mark.parametrize(("backend", "transport"), TRACED)
def test_sentry_sees_each_attempt(
    backend: str,
    transport: str,
    sentry: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("NGROK_TRANSPORT", raising=False)
    with hostile(fixed(201, json.dumps(CREDENTIAL).encode())) as server:
        options: dict[str, Any] = {"base_url": server.url}
        if transport == "aiohttp":
            options["transport"] = AiohttpTransport()

        async def main() -> None:
            with sentry_sdk.start_transaction(name="issue", op="task"):
                await create(**options)

        anyio.run(main, backend=backend)
        sentry_sdk.flush()
        transactions = _sentry_transactions()
    (transaction,) = transactions
    http_spans = [span for span in transaction["spans"] if span["op"] == "http.client"]
    assert len(http_spans) == 1
    assert http_spans[0]["description"].startswith("POST ")
    text = json.dumps(transaction)
    assert KEY not in text
    assert "tok_secret_ecosystem" not in text


def _sentry_transactions() -> list[dict[str, Any]]:
    found = []
    for envelope in Captured.envelopes:
        for item in envelope.items:
            payload = item.payload.json
            if payload is not None and payload.get("type") == "transaction":
                found.append(payload)
    return found
