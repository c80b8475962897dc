"""The SDK's own OpenTelemetry spans: one per operation, parent of its attempts' HTTP spans.

Nothing here imports OpenTelemetry: a span is made only when ``opentelemetry.trace`` is
already imported (by the application's tracing set-up, with ``ngrok-async[otel]`` or any
``opentelemetry-api`` installed), so without it a call costs one dictionary look-up.

A span is ``INTERNAL``, named after the operation (``credentials.create``, also in
``ngrok.operation``), and current while the attempts run, so the spans of httpx's or aiohttp's
instrumentation are its children. It follows OpenTelemetry's HTTP client conventions where they
apply (``http.request.method``, ``url.template``, ``server.address``,
``http.response.status_code``, ``error.type``) and adds ngrok's: ``ngrok.error_code``,
``ngrok.operation_id``, ``ngrok.attempts``, ``ngrok.retries``, ``ngrok.limiter_wait_seconds``
and, for a create, ``ngrok.create_ambiguous``. It never carries the API key, a token or a body.
A listing makes one span per page (``ngrok.page``, from 1): a listing is an async generator the
caller may leave half read, for minutes or forever, so a span around it would end whenever the
generator is collected, not when the work did.
"""

from __future__ import annotations

import sys
import time
from typing import Any

_tracer: Any = None


def _get_tracer() -> Any:
    """OpenTelemetry's tracer for this library, or None when OpenTelemetry is not imported."""
    global _tracer
    if _tracer is None:
        trace = sys.modules.get("opentelemetry.trace")
        if trace is None:
            return None
        from ._version import __version__

        _tracer = trace.get_tracer("ngrok_async", __version__)
    return _tracer


class Report:
    """One operation's span, and what its attempts add to it."""

    __slots__ = ("_method", "_span", "_token", "attempts", "limiter_wait")

    def __init__(self, span: Any, token: Any, method: str) -> None:
        self._span = span
        self._token = token
        self._method = method
        self.attempts = 0
        self.limiter_wait = 0.0

    def waited(self, since: float) -> None:
        """An attempt got its limiter slot, having asked for it at ``since``."""
        self.attempts += 1
        self.limiter_wait += time.perf_counter() - since

    def end(self, status: int | None, error: BaseException | None) -> None:
        """Record the outcome and end the span (``error``: what the call raised, scrubbed)."""
        from opentelemetry import context
        from opentelemetry.trace import Status, StatusCode

        span = self._span
        try:
            if span.is_recording():
                attributes: dict[str, Any] = {
                    "ngrok.attempts": self.attempts,
                    "ngrok.retries": max(self.attempts - 1, 0),
                    "ngrok.limiter_wait_seconds": round(self.limiter_wait, 6),
                }
                status = getattr(error, "status_code", status)
                if isinstance(status, int):
                    attributes["http.response.status_code"] = status
                if error is not None:
                    attributes["error.type"] = type(error).__qualname__
                    for name in ("error_code", "operation_id"):
                        value = getattr(error, name, "")
                        if isinstance(value, str) and value:
                            attributes[f"ngrok.{name}"] = value
                    span.set_status(Status(StatusCode.ERROR, type(error).__qualname__))
                if self._method == "POST":
                    from ._errors import AmbiguousCreateError

                    attributes["ngrok.create_ambiguous"] = isinstance(error, AmbiguousCreateError)
                span.set_attributes(attributes)
        finally:
            span.end()
            context.detach(self._token)


def start(operation: str, method: str, path: str, host: str, page: int = 0) -> Report | None:
    """Start ``operation``'s span and make it current, or None when OpenTelemetry is absent.

    ``path``: the request's path, whose ``template`` attribute (see :class:`Templated`) is
    the URL template."""
    tracer = _get_tracer() if "opentelemetry.trace" in sys.modules else None
    if tracer is None:
        return None
    from opentelemetry import context, trace

    attributes: dict[str, Any] = {
        "ngrok.operation": operation,
        "http.request.method": method,
        "url.template": getattr(path, "template", path),
        "server.address": host,
    }
    if page:
        attributes["ngrok.page"] = page
    span = tracer.start_span(operation, kind=trace.SpanKind.INTERNAL, attributes=attributes)
    token = context.attach(trace.set_span_in_context(span))
    return Report(span, token, method)


class Templated(str):
    """A request path that remembers the template it was filled from (``url.template``)."""

    __slots__ = ("template",)
    template: str

    def __new__(cls, path: str, template: str) -> Templated:
        made = super().__new__(cls, path)
        made.template = template
        return made
