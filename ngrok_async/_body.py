"""Reading a response body incrementally, with a cap on bytes received and bytes decoded.

The SDK asks for ``gzip, deflate`` only and decodes them itself with ``zlib``'s ``max_length``,
so neither an endless chunked body nor a small gzip body that inflates to gigabytes can grow
memory past the cap: the read stops with :class:`ResponseTooLargeError` as soon as either
count passes it.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator
from typing import Final

import httpx

from ._errors import NgrokDecodeError, ResponseTooLargeError

ACCEPT_ENCODING: Final = "gzip, deflate"
DEFAULT_MAX_RESPONSE_BYTES: Final = 32 * 1024 * 1024
"""32 MiB: over 100 times the largest 100-item page of any record."""
ERROR_BODY_BYTES: Final = 64 * 1024
"""How much of an error response is read; ngrok's error bodies are a few hundred bytes."""


class _Inflater:
    """zlib decoding that never produces more than ``budget`` bytes in all."""

    __slots__ = ("_raw", "_started", "_z", "budget")

    def __init__(self, wbits: int, budget: int, *, raw_fallback: bool) -> None:
        self._z = zlib.decompressobj(wbits)
        self._raw = raw_fallback  # "deflate" is zlib-wrapped per RFC, raw in the wild
        self._started = False
        self.budget = budget

    def feed(self, data: bytes) -> bytes:
        try:
            piece = self._z.decompress(data, self.budget + 1)
        except zlib.error:
            if not (self._raw and not self._started):
                raise
            self._z = zlib.decompressobj(-zlib.MAX_WBITS)
            piece = self._z.decompress(data, self.budget + 1)
        self._started = True
        self.budget -= len(piece)
        return piece  # when it is shorter than the budget, zlib consumed all of ``data``

    def flush(self) -> bytes:
        piece = self._z.flush()
        self.budget -= len(piece)
        return piece


async def read_body(
    response: httpx.Response, limit: int, resource: str, *, truncate: bool = False
) -> bytes:
    """Read and decode an httpx ``response``'s body (see :func:`read_capped`)."""
    if response.is_stream_consumed:  # built with its content (mock transports): decoded already
        content = response.content
        if len(content) > limit:
            return _past_limit([content], limit, resource, truncate=truncate, decoded=True)
        return content
    stream = response.stream
    encoding = response.headers.get("content-encoding", "")
    if isinstance(stream, httpx.ByteStream):  # in memory already (read by the transport)
        return capped(b"".join(stream), encoding, limit, resource, truncate=truncate)
    if not isinstance(stream, httpx.AsyncByteStream):
        raise TypeError("a synchronous response stream on an async client")
    return await read_capped(stream.__aiter__(), encoding, limit, resource, truncate=truncate)


def _inflater(encoding: str, limit: int, resource: str) -> _Inflater | None:
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return _Inflater(16 + zlib.MAX_WBITS, limit, raw_fallback=False)
    if encoding == "deflate":
        return _Inflater(zlib.MAX_WBITS, limit, raw_fallback=True)
    raise NgrokDecodeError(
        resource=resource, field="", reason=f"unsupported Content-Encoding {encoding[:40]!r}"
    )


def capped(content: bytes, encoding: str, limit: int, resource: str, *, truncate: bool) -> bytes:
    """A body already in memory (``Content-Encoding`` ``encoding``), decoded under ``limit``
    as :func:`read_capped` does."""
    if not encoding:
        if len(content) > limit:
            return _past_limit([content], limit, resource, truncate=truncate, decoded=False)
        return content
    inflater = _inflater(encoding, limit, resource)
    if inflater is None:
        return capped(content, "", limit, resource, truncate=truncate)
    try:
        chunks = [inflater.feed(content)]
        if inflater.budget >= 0:
            chunks.append(inflater.flush())
    except zlib.error as exc:
        raise NgrokDecodeError(
            resource=resource, field="", reason=f"corrupt {encoding[:40]} body: {exc}"
        ) from None
    if len(content) > limit or inflater.budget < 0:
        return _past_limit(chunks, limit, resource, truncate=truncate, decoded=inflater.budget < 0)
    return b"".join(chunks)


async def read_capped(
    chunks_in: AsyncIterator[bytes], encoding: str, limit: int, resource: str, *, truncate: bool
) -> bytes:
    """Read and decode a body (``Content-Encoding`` ``encoding``) as it arrives, at most
    ``limit`` bytes received and decoded; ``chunks_in`` is closed however this ends.

    Past the limit: with ``truncate``, stop reading and return the first ``limit`` decoded bytes
    (for error bodies); otherwise raise :class:`ResponseTooLargeError`. Raises
    :class:`NgrokDecodeError` for an encoding the SDK did not ask for or a corrupt compressed
    body; transport errors from the stream propagate as the transport raised them.
    """
    chunks: list[bytes] = []
    received = 0
    try:
        inflater = _inflater(encoding, limit, resource)
        try:
            async for chunk in chunks_in:
                received += len(chunk)
                chunks.append(chunk if inflater is None else inflater.feed(chunk))
                decoded_over = inflater is not None and inflater.budget < 0
                if received > limit or decoded_over:
                    return _past_limit(
                        chunks, limit, resource, truncate=truncate, decoded=decoded_over
                    )
            if inflater is not None:
                chunks.append(inflater.flush())
                if inflater.budget < 0:
                    return _past_limit(chunks, limit, resource, truncate=truncate, decoded=True)
        except zlib.error as exc:
            raise NgrokDecodeError(
                resource=resource, field="", reason=f"corrupt {encoding[:40]} body: {exc}"
            ) from None
    finally:
        # Closed even when left early: an async generator left for the GC warns on trio.
        aclose = getattr(chunks_in, "aclose", None)
        if aclose is not None:
            await aclose()
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _past_limit(
    chunks: list[bytes], limit: int, resource: str, *, truncate: bool, decoded: bool
) -> bytes:
    """What a body past ``limit`` gives: its first ``limit`` bytes when ``truncate``, else
    :class:`ResponseTooLargeError`."""
    if truncate:
        return b"".join(chunks)[:limit]
    raise ResponseTooLargeError(resource=resource, limit=limit, decoded=decoded)
