"""The Redis connection behind :mod:`ngrok_async.redis`: a client from a URL or the caller's,
its Lua scripts registered, a channel listened to, and a URL without its password."""

from __future__ import annotations

import contextlib
import urllib.parse
from collections.abc import Callable, Mapping
from typing import Any

import anyio

from ._errors import InvalidParameterError, NgrokError


async def connect(
    target: str | Any, stack: contextlib.AsyncExitStack, error: type[NgrokError]
) -> Any:
    """The client to use: made from a ``redis://`` / ``rediss://`` URL and entered on
    ``stack`` (closed with it), or the caller's own coredis / ``redis.asyncio`` client.
    A client that cannot be opened raises ``error``."""
    if isinstance(target, str):
        client = coredis_client(target)
        try:
            await stack.enter_async_context(client)
        except Exception as exc:
            raise error(f"cannot open a Redis client: {type(exc).__name__}") from None
        return client
    if not callable(getattr(target, "register_script", None)):
        raise InvalidParameterError(
            "url_or_client", "must be a Redis URL, a coredis client or a redis.asyncio one"
        )
    return target


def scripts(client: Any, sources: Mapping[str, str]) -> dict[str, Any]:
    """Each Lua source registered on ``client``: call one as
    ``await script(keys=[...], args=[...])`` (the same shape on coredis and redis-py)."""
    return {name: client.register_script(source) for name, source in sources.items()}


def is_coredis(client: Any) -> bool:
    return type(client).__module__.startswith("coredis")


async def listen(
    client: Any, channel: str, notice: Callable[[], None], listening: Callable[[bool], None]
) -> None:
    """Call ``notice()`` for every message published on ``channel`` until cancelled;
    ``listening(True)`` once subscribed, ``listening(False)`` when the subscription ends.
    Raises what the subscription raises (the caller decides when to try again)."""
    if is_coredis(client):
        async with client.pubsub(channels=[channel], ignore_subscribe_messages=True) as pubsub:
            listening(True)
            try:
                async for _ in pubsub:
                    notice()
            finally:
                listening(False)
        return
    pubsub = client.pubsub(ignore_subscribe_messages=True)  # redis.asyncio
    try:
        await pubsub.subscribe(channel)
        listening(True)
        async for _ in pubsub.listen():
            notice()
    finally:
        listening(False)
        with anyio.CancelScope(shield=True), anyio.move_on_after(2.0):
            await pubsub.aclose()


def coredis_client(url: str) -> Any:
    check_url(url)
    try:
        import coredis
    except ImportError:  # pragma: no cover - the extra is missing
        raise InvalidParameterError(
            "url_or_client", "a Redis URL needs coredis: pip install 'ngrok-async[redis]'"
        ) from None
    return coredis.Redis.from_url(url, decode_responses=False)


def check_url(url: str) -> None:
    if urllib.parse.urlsplit(url).scheme not in ("redis", "rediss", "unix"):
        raise InvalidParameterError(
            "url_or_client", f"must be a redis:// or rediss:// URL, not {safe_url(url)!r}"
        )


def safe_url(url: str) -> str:
    """``url`` without its password (for messages and reprs)."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    user = parts.username or ""
    return urllib.parse.urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))
