"""A small HTTP/1.1 server on anyio streams that feeds requests to the fake's pipeline.

Keep-alive, ``Content-Length`` and chunked request bodies, ``Expect: 100-continue``, optional
TLS. Each connection runs in its own task; a client that disconnects at any point only ends
its own task. On exit every connection is closed and the listening socket released.
"""

from __future__ import annotations

import contextlib
import email.utils
import http
import logging
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from urllib.parse import parse_qsl, unquote, urlsplit

import anyio
from anyio.abc import ByteStream, SocketAttribute, SocketListener, TaskGroup
from anyio.streams.buffered import BufferedByteReceiveStream
from anyio.streams.tls import TLSStream

from ._router import FakeRequest, FakeResponse

Handler = Callable[[FakeRequest, str], Awaitable["FakeResponse | None"]]

MAX_HEADER_BYTES = 64 * 1024
MAX_BODY_BYTES = 1024 * 1024
TLS_HANDSHAKE_TIMEOUT = 10.0

logger = logging.getLogger("ngrok_async.testing")

_DISCONNECTED = (
    anyio.EndOfStream,
    anyio.IncompleteRead,
    anyio.BrokenResourceError,
    anyio.ClosedResourceError,
    ssl.SSLError,
    OSError,
)
_NO_BODY_STATUSES = frozenset({204, 304})


class _HTTPError(Exception):
    """A framing error: answer ``status`` and close the connection."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


@contextlib.asynccontextmanager
async def serve_http(
    handler: Handler,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    ssl_context: ssl.SSLContext | None = None,
) -> AsyncIterator[str]:
    """Listen on ``host:port`` (0 picks a free port) and yield the base URL while serving."""
    listener = await anyio.create_tcp_listener(local_host=host, local_port=port)
    try:
        bound = listener.extra(SocketAttribute.local_port)
        scheme = "https" if ssl_context is not None else "http"
        url = f"{scheme}://{_url_host(host)}:{bound}"
        async with anyio.create_task_group() as tg:
            for sub in listener.listeners:
                assert isinstance(sub, SocketListener)  # what create_tcp_listener makes
                tg.start_soon(_accept_loop, sub, tg, handler, url, ssl_context)
            try:
                yield url
            finally:
                tg.cancel_scope.cancel()
    finally:
        await listener.aclose()


async def _accept_loop(
    listener: SocketListener,
    tg: TaskGroup,
    handler: Handler,
    url: str,
    ssl_context: ssl.SSLContext | None,
) -> None:
    while True:
        try:
            stream = await listener.accept()
        except (anyio.ClosedResourceError, anyio.BrokenResourceError):
            return
        except OSError as exc:  # e.g. out of file descriptors: back off, keep serving
            logger.debug("accept failed: %s", exc)
            await anyio.sleep(0.05)
            continue
        tg.start_soon(_connection, stream, handler, url, ssl_context)


async def _connection(
    raw: ByteStream, handler: Handler, url: str, ssl_context: ssl.SSLContext | None
) -> None:
    stream: ByteStream = raw
    try:
        if ssl_context is not None:
            with anyio.fail_after(TLS_HANDSHAKE_TIMEOUT):
                stream = await TLSStream.wrap(
                    raw, server_side=True, ssl_context=ssl_context, standard_compatible=False
                )
        reader = BufferedByteReceiveStream(stream)
        while True:
            try:
                request, keep_alive = await _read_request(reader, stream)
            except _HTTPError as exc:
                await stream.send(_plain_error(exc))
                return
            if request is None:
                return
            response = await handler(request, url)
            if response is None:  # an injected drop: close without answering
                return
            await stream.send(_encode(response, keep_alive, head=request.method == "HEAD"))
            if not keep_alive:
                return
    except (*_DISCONNECTED, TimeoutError):
        return
    except Exception:  # never let one connection take the server down
        logger.exception("fake ngrok server: unexpected error on a connection")
    finally:
        await anyio.aclose_forcefully(stream)


async def _read_request(
    reader: BufferedByteReceiveStream, stream: ByteStream
) -> tuple[FakeRequest | None, bool]:
    """The next request, or ``(None, False)`` when the client closed between requests."""
    try:
        head = await reader.receive_until(b"\r\n\r\n", MAX_HEADER_BYTES)
    except anyio.IncompleteRead:
        return None, False
    except anyio.DelimiterNotFound:
        raise _HTTPError(431, "request header block too large") from None
    lines = head.lstrip(b"\r\n").decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or parts[2] not in ("HTTP/1.1", "HTTP/1.0") or not parts[0].isalpha():
        raise _HTTPError(400, "malformed request line")
    method, target, version = parts
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip():
            raise _HTTPError(400, "malformed header line")
        key = name.lower()
        headers[key] = f"{headers[key]}, {value.strip()}" if key in headers else value.strip()
    connection = headers.get("connection", "").lower()
    keep_alive = "close" not in connection and (version == "HTTP/1.1" or "keep-alive" in connection)
    if headers.get("expect", "").lower() == "100-continue":
        await stream.send(b"HTTP/1.1 100 Continue\r\n\r\n")
    body = await _read_body(reader, headers)
    split = urlsplit(target)
    request = FakeRequest(
        method=method.upper(),
        path=unquote(split.path) or "/",
        query=dict(parse_qsl(split.query, keep_blank_values=True)),
        headers=headers,
        body=body,
    )
    return request, keep_alive


async def _read_body(reader: BufferedByteReceiveStream, headers: dict[str, str]) -> bytes:
    if "chunked" in headers.get("transfer-encoding", "").lower():
        return await _read_chunked(reader)
    raw_length = headers.get("content-length")
    if raw_length is None:
        return b""
    if not raw_length.isdigit():
        raise _HTTPError(400, "invalid Content-Length")
    length = int(raw_length)
    if length > MAX_BODY_BYTES:
        raise _HTTPError(413, "request body too large")
    return await reader.receive_exactly(length) if length else b""


async def _read_chunked(reader: BufferedByteReceiveStream) -> bytes:
    body = bytearray()
    while True:
        try:
            line = await reader.receive_until(b"\r\n", 1024)
            size = int(line.split(b";", 1)[0].strip(), 16)
        except (anyio.DelimiterNotFound, ValueError):
            raise _HTTPError(400, "malformed chunk size") from None
        if size == 0:
            while await reader.receive_until(b"\r\n", MAX_HEADER_BYTES):  # trailers
                pass
            return bytes(body)
        if len(body) + size > MAX_BODY_BYTES:
            raise _HTTPError(413, "request body too large")
        body += await reader.receive_exactly(size)
        if await reader.receive_exactly(2) != b"\r\n":
            raise _HTTPError(400, "malformed chunk")


def _encode(response: FakeResponse, keep_alive: bool, *, head: bool = False) -> bytes:
    lines = [f"HTTP/1.1 {response.status} {_phrase(response.status)}"]
    lines += [f"{name}: {value}" for name, value in response.headers]
    if response.status not in _NO_BODY_STATUSES:
        lines.append(f"content-length: {len(response.body)}")
    lines.append(f"date: {email.utils.formatdate(usegmt=True)}")
    lines.append(f"connection: {'keep-alive' if keep_alive else 'close'}")
    body = b"" if head else response.body
    return "\r\n".join(lines).encode("latin-1") + b"\r\n\r\n" + body


def _plain_error(exc: _HTTPError) -> bytes:
    body = f"{exc}\n".encode()
    return (
        f"HTTP/1.1 {exc.status} {_phrase(exc.status)}\r\ncontent-type: text/plain\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    ).encode() + body


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host
