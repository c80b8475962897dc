"""The opt-in fast lane: the SDK's ``Wire`` straight onto an ``AiohttpTransport``.

``AsyncClient(transport=AiohttpTransport())`` sends each attempt with
:meth:`AiohttpTransport.exchange`, without building httpx request and response objects and
without ``httpx.AsyncClient.send``: tools that mock or trace httpx (respx, pytest-httpx,
``HTTPXClientInstrumentor``, Sentry's httpx integration) do not see these requests; aiohttp's
own instrumentation (OpenTelemetry's ``AioHttpClientInstrumentor``, Sentry's aiohttp
integration) and the SDK's own spans do.
"""

from __future__ import annotations

from collections.abc import Awaitable

import aiohttp

from ._aiohttp import AiohttpReply, AiohttpTransport, text_headers
from ._wire import JSON, Forms, Outgoing, Trace

TextHeaders = list[tuple[str, str]]


class AiohttpWire:
    """The SDK's ``Wire`` for an :class:`AiohttpTransport` (see :mod:`._wire`)."""

    __slots__ = ("_transport",)
    traced = True

    def __init__(self, transport: AiohttpTransport) -> None:
        self._transport = transport

    def send(
        self, out: Outgoing, body: bytes | None, forms: Forms, trace: Trace
    ) -> Awaitable[AiohttpReply]:
        """The exchange itself, awaited by the caller (no coroutine of its own in between)."""
        transport = self._transport
        derived = forms.cache.get("aiohttp")
        if derived is None:
            derived = forms.cache["aiohttp"] = _derive(forms, transport)
        plain, json, empty_body, timeout = derived
        if body is not None:
            headers = json
        elif out.method in ("POST", "PUT", "PATCH"):
            headers = empty_body
        else:
            headers = plain
        if out.extra:
            headers = [*headers, *((name.lower(), value) for name, value in out.extra.items())]
        return transport.exchange(
            out.method, transport.url_for(out.url), headers, body, timeout, trace
        )


def _derive(
    forms: Forms, transport: AiohttpTransport
) -> tuple[TextHeaders, TextHeaders, TextHeaders, aiohttp.ClientTimeout]:
    """A view's headers as aiohttp takes them (no body; JSON body; empty body) and its timeout."""
    plain = text_headers(forms.raw)
    json = text_headers([*forms.raw, JSON])
    empty_body = [*plain, ("content-length", "0")]
    return plain, json, empty_body, transport.timeout_for(forms.timeout)
