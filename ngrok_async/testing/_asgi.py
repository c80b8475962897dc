"""The ASGI face of the fake: an HTTP scope in, one complete response (or a drop) out."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from ._wire import FakeRequest, FakeResponse

Handler = Callable[[FakeRequest, str], Awaitable["FakeResponse | None"]]
ASGIApp = Callable[[Any, Any, Any], Awaitable[None]]

MAX_BODY_BYTES = 1024 * 1024


class Dropped(Exception):
    """Raised out of the app in process when a fault drops the connection."""


def asgi_app(handler: Handler, *, base_url: str | None, in_process: bool = False) -> ASGIApp:
    """An ASGI app answering with ``handler``; ``uri`` fields use ``base_url``, or the
    request's own scheme, host and root path when it is ``None``."""

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            raise ValueError(f"FakeNgrok serves HTTP only, not {scope['type']!r}")
        headers: dict[str, str] = {}
        for raw_name, raw_value in scope["headers"]:
            name, value = raw_name.decode("latin-1").lower(), raw_value.decode("latin-1")
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        declared = headers.get("content-length", "0")
        too_large = not declared.isdigit() or int(declared) > MAX_BODY_BYTES
        body = b"" if too_large else await _read_body(receive)
        if body is None:  # the client went away
            return
        root = scope.get("root_path", "")
        path = scope["path"]
        if root and path.startswith(root):
            path = path[len(root) :] or "/"
        request = FakeRequest(
            method=scope["method"],
            path=path,
            query=dict(parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)),
            headers=headers,
            body=body,
        )
        url = base_url if base_url is not None else _origin(scope, headers) + root
        if too_large or len(body) > MAX_BODY_BYTES:
            response: FakeResponse | None = FakeResponse(
                status=413,
                headers=(("content-type", "text/plain"), ("connection", "close")),
                body=b"body too large\n",
            )
        else:
            response = await handler(request, url)
        if response is None:
            await _drop(send, in_process)
            return
        await send(
            {
                "type": "http.response.start",
                "status": response.status,
                "headers": [
                    *((n.encode("latin-1"), v.encode("latin-1")) for n, v in response.headers),
                    *_length(response),
                ],
            }
        )
        await send({"type": "http.response.body", "body": response.body})

    return app


def _length(response: FakeResponse) -> list[tuple[bytes, bytes]]:
    if response.status in (204, 304):
        return []
    return [(b"content-length", str(len(response.body)).encode())]


async def _drop(send: Any, in_process: bool) -> None:
    if in_process:
        raise Dropped
    # ASGI has no way to close a connection unanswered. An interim (1xx) response, which
    # clients skip while they wait for the final one, ends the exchange without a final
    # response: the server closes the connection and the client sees no status at all.
    await send({"type": "http.response.start", "status": 103, "headers": []})


async def _read_body(receive: Any) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size <= MAX_BODY_BYTES + 1:
            chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _origin(scope: Any, headers: dict[str, str]) -> str:
    scheme = scope.get("scheme", "http")
    host = headers.get("host")
    if not host:
        server = scope.get("server") or ("127.0.0.1", 80)
        host = f"{server[0]}:{server[1]}"
    return f"{scheme}://{host}"


async def _lifespan(receive: Any, send: Any) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
