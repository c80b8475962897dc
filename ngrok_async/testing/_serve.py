"""Serve an ASGI app on a loopback socket with Hypercorn (the ``fake-server`` extra).

Runs in the caller's event loop, on asyncio or trio. The socket is bound here (port 0 picks a
free one) so the URL is known before the first request; on exit the server stops accepting,
gives in-flight requests :data:`GRACE_SECONDS`, then closes every connection.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import ssl
import sys
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio

GRACE_SECONDS = 0.2
EXTRA_HINT = "pip install 'ngrok-async[fake-server]'"

logger = logging.getLogger("ngrok_async.testing")


class HypercornMissingError(RuntimeError):
    """Serving over a socket was asked for, but the ``fake-server`` extra is not installed."""


def _hypercorn() -> Any:
    try:
        from hypercorn.config import Config
    except ImportError:
        raise HypercornMissingError(
            f"serving the fake over a socket needs Hypercorn: {EXTRA_HINT}; "
            "in-process use (fake.client(), transport=fake) needs nothing extra"
        ) from None

    class _TLSConfig(Config):
        """Hypercorn's config with a ready-made server SSLContext instead of key files."""

        def __init__(self, context: ssl.SSLContext | None) -> None:
            self._context = context

        @property
        def ssl_enabled(self) -> bool:
            return self._context is not None

        def create_ssl_context(self) -> ssl.SSLContext | None:
            return self._context

    return _TLSConfig


@contextlib.asynccontextmanager
async def serve_asgi(
    make_app: Callable[[str], Any],
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    ssl_context: ssl.SSLContext | None = None,
) -> AsyncIterator[str]:
    """Serve ``make_app(url)`` on ``host:port`` and yield its base URL ``url`` while serving."""
    config_class = _hypercorn()
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(1024)
        bound = sock.getsockname()[1]
        config = config_class(ssl_context)
        config.bind = [f"fd://{os.dup(sock.fileno())}"]  # Hypercorn owns (and closes) the copy
    config.graceful_timeout = GRACE_SECONDS
    config.keep_alive_timeout = 30
    config.keep_alive_max_requests = 2**31  # as the hand-written server: never recycle
    config.include_server_header = False
    config.errorlog = logger
    config.accesslog = None
    scheme = "https" if ssl_context is not None else "http"
    url = f"{scheme}://{_url_host(host)}:{bound}"
    serve: Any
    if _on_trio():
        from hypercorn.trio import serve
    else:
        from hypercorn.asyncio import serve
    stop = anyio.Event()

    async def shutdown_trigger() -> None:
        await stop.wait()

    async with anyio.create_task_group() as tg:
        tg.start_soon(lambda: serve(make_app(url), config, shutdown_trigger=shutdown_trigger))
        try:
            yield url
        finally:
            stop.set()


def _on_trio() -> bool:
    trio = sys.modules.get("trio")
    if trio is None:
        return False
    try:
        trio.lowlevel.current_task()
    except RuntimeError:
        return False
    return True


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host
