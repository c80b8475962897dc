"""A raw-socket HTTP/1.1 server on 127.0.0.1 that misbehaves byte by byte, for robustness tests.

Each connection runs a *behaviour* ``(conn, request) -> None`` in a thread; the server counts
every request that reached it. Everything is bounded: accept and reads time out, drips stop
after a fixed number of bytes, and ``stop()`` closes every socket.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

READ_TIMEOUT = 10.0


@dataclass
class Request:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes


Behaviour = Callable[[socket.socket, Request, "Hostile"], None]


@dataclass
class Hostile:
    behaviour: Behaviour
    requests: list[Request] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def count(self, method: str | None = None) -> int:
        with self.lock:
            return sum(1 for r in self.requests if method is None or r.method == method)


def _recv(conn: socket.socket) -> bytes:
    """The next bytes on ``conn``; ``b""`` at EOF or on a socket error."""
    try:
        return conn.recv(65536)
    except OSError:
        return b""


def read_request(conn: socket.socket) -> Request | None:
    """One request off ``conn`` (Content-Length bodies only), or None at EOF."""
    conn.settimeout(READ_TIMEOUT)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = _recv(conn)
        if not chunk:
            return None
        data += chunk
        if len(data) > 1 << 20:
            return None
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = _recv(conn)
        if not chunk:
            return None
        body += chunk
    return Request(method, target, headers, body)


def response(status: int, body: bytes, *headers: str, reason: str = "X") -> bytes:
    lines = [f"HTTP/1.1 {status} {reason}", f"Content-Length: {len(body)}", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def _serve_connection(server: Hostile, conn: socket.socket) -> None:
    with contextlib.closing(conn):
        for _ in range(100):  # keep-alive, bounded
            request = read_request(conn)
            if request is None or server.stopping.is_set():
                return
            with server.lock:
                server.requests.append(request)
            try:
                server.behaviour(conn, request, server)
            except OSError:
                return
            if conn.fileno() == -1:
                return


@contextlib.contextmanager
def hostile(behaviour: Behaviour) -> Iterator[Hostile]:
    """Serve ``behaviour`` on a free loopback port until the block ends."""
    server = Hostile(behaviour)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    server.port = listener.getsockname()[1]
    threads: list[threading.Thread] = []
    open_conns: list[socket.socket] = []

    def accept() -> None:
        deadline = time.monotonic() + 120  # no test runs this long
        while not server.stopping.is_set() and time.monotonic() < deadline:
            try:
                conn, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            open_conns.append(conn)
            thread = threading.Thread(target=_serve_connection, args=(server, conn), daemon=True)
            thread.start()
            threads.append(thread)

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    try:
        yield server
    finally:
        server.stopping.set()
        acceptor.join(5)
        listener.close()
        for conn in open_conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()
        for thread in threads:
            thread.join(5)


# -- behaviours ----------------------------------------------------------------------------


def hang_up(conn: socket.socket, request: Request, server: Hostile) -> None:
    """Read the request, answer nothing, close (as a server that dies mid-request)."""
    conn.close()


def drip(interval: float, count: int = 200) -> Behaviour:
    """Headers at once, then a JSON body one byte every ``interval`` seconds."""

    def behave(conn: socket.socket, request: Request, server: Hostile) -> None:
        body = b'{"id": "cr_1"' + b" " * count + b"}"
        conn.sendall(f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n\r\n".encode())
        for byte in body:
            if server.stopping.wait(interval):
                return
            conn.sendall(bytes([byte]))

    return behave


def endless_chunked(conn: socket.socket, request: Request, server: Hostile) -> None:
    """A 200 whose chunked body never ends (bounded here at 256 MiB)."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"[" * 65536
    frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    for _ in range(4096):
        if server.stopping.is_set():
            return
        conn.sendall(frame)


def fixed(status: int, body: bytes, *headers: str) -> Behaviour:
    def behave(conn: socket.socket, request: Request, server: Hostile) -> None:
        conn.sendall(response(status, body, *headers))

    return behave


def short_body(status: int, body: bytes, claimed: int) -> Behaviour:
    """Claim ``claimed`` bytes of Content-Length, send ``body``, hang up."""

    def behave(conn: socket.socket, request: Request, server: Hostile) -> None:
        head = f"HTTP/1.1 {status} X\r\nContent-Length: {claimed}\r\n\r\n".encode()
        conn.sendall(head + body)
        conn.close()

    return behave


def silent(conn: socket.socket, request: Request, server: Hostile) -> None:
    """Read the request and never answer (until the server stops)."""
    server.stopping.wait(30)
