"""The one default TLS context.

Building an ``ssl.SSLContext`` with the system's CA bundle takes ~25 ms and ~830 KiB, so the
default one is built once per process, on first use, and shared by every client and transport
that does not bring its own.
"""

from __future__ import annotations

import functools
import ssl

import httpx


@functools.cache
def default_ssl_context() -> ssl.SSLContext:
    """The process-wide TLS context (certifi's CA bundle, httpx's defaults), built once."""
    return httpx.create_ssl_context()
