"""The fake as a standalone API server, for other processes and languages.

``ngrok-async fake-server`` and ``python -m ngrok_async.testing`` run :func:`run_server`: one
``FakeNgrok`` served with Hypercorn until SIGINT or SIGTERM. The first line of stdout is the
base URL (with ``--tls`` the second is the path of the CA certificate to trust); stderr gets
one line per request unless ``quiet``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import ssl
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

import anyio
import attrs

from ._asgi import ASGIApp, asgi_app
from ._fake import FakeNgrok
from ._faults import Faults
from ._serve import serve_asgi
from ._tls import self_signed_certificate

_WILDCARDS = ("0.0.0.0", "::", "")


@attrs.frozen(kw_only=True)
class ServerOptions:
    host: str = "127.0.0.1"
    port: int = 0
    api_key: str = "test"
    seed: int | None = None
    tls: bool = False
    ca_file: Path | None = None
    """Where ``tls`` writes the CA certificate; a fresh temporary file (removed on exit) if
    ``None``."""
    faults: Faults = attrs.field(factory=Faults)
    quiet: bool = False


async def run_server(
    options: ServerOptions,
    out: TextIO,
    err: TextIO,
    *,
    stop: anyio.Event | None = None,
) -> None:
    """Serve until SIGINT / SIGTERM (or until ``stop`` is set)."""
    fake = FakeNgrok(
        options.api_key, seed=options.seed, faults=options.faults, record_requests=False
    )
    wildcard = options.host in _WILDCARDS

    def make_app(url: str) -> ASGIApp:  # on a wildcard, uris follow the request's Host
        app = asgi_app(fake._handle, base_url=None if wildcard else url)
        return app if options.quiet else access_log(app, err)

    with _tls_files(options) as (context, ca_path):
        async with serve_asgi(
            make_app, host=options.host or "0.0.0.0", port=options.port, ssl_context=context
        ) as url:
            if wildcard:
                url = url.replace(f"//{options.host or '0.0.0.0'}:", "//127.0.0.1:", 1)
                url = url.replace("//[::]:", "//[::1]:", 1)
            print(url, file=out, flush=True)
            if ca_path is not None:
                print(ca_path, file=out, flush=True)
            await _until_stopped(stop)


async def _until_stopped(stop: anyio.Event | None) -> None:
    async with anyio.create_task_group() as tg:

        async def on_signal() -> None:
            with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
                async for _ in signals:
                    tg.cancel_scope.cancel()
                    return

        async def on_event(event: anyio.Event) -> None:
            await event.wait()
            tg.cancel_scope.cancel()

        tg.start_soon(on_signal)
        if stop is not None:
            tg.start_soon(on_event, stop)


@contextlib.contextmanager
def _tls_files(options: ServerOptions) -> Iterator[tuple[ssl.SSLContext | None, Path | None]]:
    """The server's TLS context and the CA certificate's path (``(None, None)`` without TLS)."""
    if not options.tls:
        yield None, None
        return
    cert, key = self_signed_certificate("127.0.0.1" if options.host in _WILDCARDS else options.host)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    with tempfile.TemporaryDirectory(prefix="ngrok-fake-tls-") as tmp:
        key_path = Path(tmp) / "key.pem"
        key_path.touch(mode=0o600)
        key_path.write_bytes(key)
        cert_path = Path(tmp) / "cert.pem"
        cert_path.write_bytes(cert)
        context.load_cert_chain(cert_path, key_path)
    created = options.ca_file is None
    if options.ca_file is None:
        fd, name = tempfile.mkstemp(prefix="ngrok-fake-ca-", suffix=".pem")
        os.close(fd)
        ca_path = Path(name)
    else:
        ca_path = options.ca_file
    ca_path.write_bytes(cert)
    try:
        yield context, ca_path.resolve()
    finally:
        if created:
            ca_path.unlink(missing_ok=True)


def access_log(app: ASGIApp, err: TextIO, clock: Callable[[], float] = time.perf_counter) -> Any:
    """``app`` writing one line per HTTP request to ``err``: time, method, path and query,
    status (``dropped`` when a fault drops the connection) and milliseconds."""

    async def logged(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        started = clock()
        status = "-"

        async def sending(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = "dropped" if message["status"] < 200 else str(message["status"])
            await send(message)

        try:
            await app(scope, receive, sending)
        finally:
            query = scope.get("query_string", b"").decode("latin-1")
            target = scope["path"] + (f"?{query}" if query else "")
            stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            elapsed = (clock() - started) * 1000
            print(f"{stamp} {scope['method']} {target} {status} {elapsed:.1f}ms", file=err)
            err.flush()

    return logged
