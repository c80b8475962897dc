"""How one attempt goes on the wire: a :class:`Wire` sends a request and gives back a
:class:`Reply`, whatever the transport underneath.

:class:`HttpxWire` builds an ``httpx.Request`` and hands it to an httpx transport or client
(so mocks of httpx and httpcore see it); ``ngrok_async._aiohttp.AiohttpWire`` calls the
``AiohttpTransport`` it belongs to without building httpx's request and response objects.
Both report through ``trace`` once the request may have left, and raise httpx's exception
classes, so the retry rule reads every transport alike.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

import httpx

from ._body import read_body

Send = Callable[[httpx.Request], Awaitable[httpx.Response]]
Trace = Callable[[str, Any], Awaitable[None]]
_EMPTY = httpx.ByteStream(b"")
JSON = (b"content-type", b"application/json")


class Reply(Protocol):
    """A response whose status and headers have arrived; its body is read with :meth:`read`."""

    @property
    def status_code(self) -> int: ...

    def header(self, name: str) -> str | None:
        """The header's value (``name`` in lower case), or None."""

    async def read(self, limit: int, resource: str, *, truncate: bool) -> bytes:
        """The decoded body, at most ``limit`` bytes received and decoded (:mod:`._body`)."""

    async def aclose(self) -> None:
        """Give the connection back (or close it if the body was left unread)."""


class Outgoing:
    """One call's request, the same for each of its attempts: ``content`` is the body, or a
    function that makes it as each attempt goes on the wire (send-time values)."""

    __slots__ = ("content", "extra", "method", "url")
    method: str
    url: httpx.URL
    content: bytes | Callable[[], bytes] | None
    extra: Mapping[str, str] | None

    def __init__(
        self,
        method: str,
        url: httpx.URL,
        content: bytes | Callable[[], bytes] | None,
        extra: Mapping[str, str] | None,
    ) -> None:
        self.method = method
        self.url = url
        self.content = content
        self.extra = extra

    def body(self) -> bytes | None:
        """The body for one attempt."""
        content = self.content
        return content() if callable(content) else content


class Forms:
    """One view's headers and timeouts in the forms the wires send them, built once.

    ``raw``: every request's headers as httpx keeps them, ``Host`` first; ``plain``/``json``:
    the same parsed as ``httpx.Headers``, without and with a JSON content type; ``timeout``:
    httpx's timeout extension; ``cache``: what a wire derives from these for itself.
    """

    __slots__ = ("cache", "json", "plain", "raw", "timeout")
    raw: list[tuple[bytes, bytes]]
    plain: httpx.Headers
    json: httpx.Headers
    timeout: dict[str, float | None]
    cache: dict[str, Any]

    def __init__(self, raw: list[tuple[bytes, bytes]], timeout: dict[str, float | None]) -> None:
        self.raw = raw
        self.plain = httpx.Headers(raw)
        self.json = httpx.Headers([*raw, JSON])
        self.timeout = timeout
        self.cache = {}


class Wire(Protocol):
    """Sends one request of one view and returns its :class:`Reply`."""

    traced: bool
    """Whether ``trace`` is called once the request may have left (else assume it may have)."""

    def send(
        self, out: Outgoing, body: bytes | None, forms: Forms, trace: Trace
    ) -> Awaitable[Reply]:
        """Send ``out`` with ``body`` (its content, made for this attempt)."""
        ...


class HttpxReply:
    """An ``httpx.Response`` as a :class:`Reply`."""

    __slots__ = ("_response",)

    def __init__(self, response: httpx.Response) -> None:
        self._response = response

    @property
    def status_code(self) -> int:
        return self._response.status_code

    def header(self, name: str) -> str | None:
        value: str | None = self._response.headers.get(name)
        return value

    async def read(self, limit: int, resource: str, *, truncate: bool) -> bytes:
        return await read_body(self._response, limit, resource, truncate=truncate)

    async def aclose(self) -> None:
        await self._response.aclose()


class HttpxWire:
    """Sends ``httpx.Request`` objects built from the view's header templates through ``send``
    (a transport's ``handle_async_request``, looked up per call so patches apply, or a client)."""

    __slots__ = ("_send", "traced")

    def __init__(self, send: Send, *, traced: bool) -> None:
        self._send = send
        self.traced = traced

    async def send(self, out: Outgoing, body: bytes | None, forms: Forms, trace: Trace) -> Reply:
        headers: httpx.Headers | list[tuple[bytes, bytes]]
        if out.extra:
            raw = [*forms.raw, *encode_headers(out.extra)]
            headers = raw if body is None else [*raw, JSON]
        else:
            headers = forms.plain if body is None else forms.json
        request = httpx.Request(
            out.method,
            out.url,
            headers=headers,
            stream=_EMPTY if body is None else httpx.ByteStream(body),
            extensions={"timeout": forms.timeout, "trace": trace},
        )
        if body is not None:
            request.headers["content-length"] = str(len(body))
        elif out.method in ("POST", "PUT", "PATCH"):
            request.headers["content-length"] = "0"
        return HttpxReply(await self._send(request))


def encode_headers(headers: Mapping[str, str]) -> list[tuple[bytes, bytes]]:
    """Headers (already checked printable ASCII) as lower-case byte pairs."""
    return [(key.lower().encode("ascii"), value.encode("ascii")) for key, value in headers.items()]
