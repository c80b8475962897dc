"""Every promise of the request path against servers that misbehave at the byte level.

Each test runs on five transports: the default client on asyncio (httpx's own pool), the default
on trio (the same), ``NGROK_TRANSPORT=aiohttp``, an injected plain ``httpx.AsyncClient``, and an
explicit ``AiohttpTransport``.
"""

from __future__ import annotations

import gc
import gzip
import json
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import anyio
import httpx
import pytest

from ngrok_async import (
    AiohttpTransport,
    AmbiguousCreateError,
    AsyncClient,
    BadRequestError,
    CreatedButUndecodableError,
    NgrokConnectionError,
    NgrokError,
    NgrokTimeoutError,
    PagingLoopError,
    RateLimit,
    ResponseTooLargeError,
    ServerError,
    UnsafeURLError,
    in_doubt,
)

from .hostile import (
    Hostile,
    Request,
    drip,
    endless_chunked,
    fixed,
    hang_up,
    hostile,
    response,
    short_body,
    silent,
)

KEY = "ak_hostile_4f9b2c1d8e7a6b5c4d3e2f1a0b9c8d7e"
TRANSPORTS = ["default", "env-aiohttp", "default-trio", "httpx-client", "aiohttp"]
CREDENTIAL = {"id": "cr_1", "uri": "", "created_at": "2025-01-01T00:00:00Z"}


@asynccontextmanager
async def client_for(kind: str, url: str, **options: Any) -> AsyncIterator[AsyncClient]:
    options.setdefault("rate_limit", RateLimit(1000, 60))
    if kind == "httpx-client":
        async with (
            httpx.AsyncClient() as http,
            AsyncClient(KEY, base_url=url, http_client=http, **options) as ngrok,
        ):
            yield ngrok
        return
    if kind == "aiohttp":
        options["transport"] = AiohttpTransport()
    with transport_variable("aiohttp" if kind == "env-aiohttp" else None):
        client = AsyncClient(KEY, base_url=url, **options)
    async with client as ngrok:
        yield ngrok


@contextmanager
def transport_variable(value: str | None) -> Iterator[None]:
    """``NGROK_TRANSPORT`` set to ``value`` (or unset) while a client is made."""
    saved = os.environ.pop("NGROK_TRANSPORT", None)
    if value is not None:
        os.environ["NGROK_TRANSPORT"] = value
    try:
        yield
    finally:
        os.environ.pop("NGROK_TRANSPORT", None)
        if saved is not None:
            os.environ["NGROK_TRANSPORT"] = saved


def run(kind: str, main: Callable[[], Awaitable[None]]) -> None:
    anyio.run(main, backend="trio" if kind.endswith("trio") else "asyncio")
    gc.collect()  # any warning from a collected generator lands in this test


# httpx and httpcore iterate a response body through nested async generators and close only the
# outermost; stopping a body early (at the size cap) leaves the inner ones for the GC, which
# trio reports as a ResourceWarning. The connection itself is closed.
EARLY_CLOSE_ON_TRIO = pytest.mark.filterwarnings(
    "ignore:Exception ignored in. <async_generator object:pytest.PytestUnraisableExceptionWarning"
)


@pytest.fixture(params=TRANSPORTS)
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def no_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    import ngrok_async._http as core

    async def instant(_: float) -> None:
        await anyio.lowlevel.checkpoint()

    monkeypatch.setattr(core, "sleep", instant)


# -- second sends ---------------------------------------------------------------------------


@pytest.mark.parametrize("retries", [0, 2])
def test_every_request_on_the_wire_was_counted(
    kind: str, retries: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_sleep(monkeypatch)
    with hostile(hang_up) as server:

        async def main() -> None:
            async with client_for(kind, server.url, max_retries=retries) as ngrok:
                with pytest.raises(NgrokConnectionError):
                    await ngrok.credentials.get("cr_1")
                assert ngrok._http.limiter.window_used == retries + 1
                with pytest.raises(AmbiguousCreateError):
                    await ngrok.credentials.create(description="x")

        run(kind, main)
        assert server.count("GET") == retries + 1
        assert server.count("POST") == 1


# -- deadlines ------------------------------------------------------------------------------


def test_a_number_bounds_the_whole_attempt(kind: str) -> None:
    with hostile(drip(0.3)) as server:

        async def main() -> None:
            async with client_for(kind, server.url, timeout=1, max_retries=0) as ngrok:
                started = time.monotonic()
                with pytest.raises(NgrokTimeoutError, match="deadline"):
                    await ngrok.credentials.get("cr_1")
                assert time.monotonic() - started < 3

        run(kind, main)


def test_phases_bound_the_attempt_by_the_largest(kind: str) -> None:
    phases = httpx.Timeout(connect=1.0, read=1.0, write=1.0, pool=1.5)
    with hostile(drip(0.3)) as server:

        async def main() -> None:
            async with client_for(kind, server.url, timeout=phases, max_retries=0) as ngrok:
                assert ngrok.deadline == 1.5
                started = time.monotonic()
                with pytest.raises(NgrokTimeoutError):
                    await ngrok.credentials.get("cr_1")
                assert 1.4 < time.monotonic() - started < 3.5

        run(kind, main)


def test_the_default_deadline_is_finite() -> None:
    ngrok = AsyncClient(KEY)
    assert ngrok.deadline == 60.0


class Stalling(httpx.AsyncHTTPTransport):
    """httpx's transport class (so the SDK trusts its trace events) that stalls, optionally
    after reporting that the request's headers started to go out."""

    def __init__(self, sent: bool) -> None:
        super().__init__()
        self.sent = sent
        self.calls = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        if self.sent:
            await request.extensions["trace"]("http11.send_request_headers.started", {})
        await anyio.sleep(30)
        raise AssertionError("the deadline should have ended this attempt")


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
@pytest.mark.parametrize(
    ("sent", "error", "calls"),
    [(False, NgrokTimeoutError, 3), (True, AmbiguousCreateError, 1)],
    ids=["before-sending-is-retried", "after-sending-is-ambiguous"],
)
def test_a_stalled_create(
    backend: str,
    sent: bool,
    error: type[Exception],
    calls: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    no_sleep(monkeypatch)
    transport = Stalling(sent=sent)

    async def main() -> None:
        async with AsyncClient(KEY, transport=transport, timeout=0.2, max_retries=2) as ngrok:
            with pytest.raises(error) as caught:
                await ngrok.credentials.create(description="x")
        assert sent or not isinstance(caught.value, AmbiguousCreateError)

    anyio.run(main, backend=backend)
    assert transport.calls == calls


# -- body caps ------------------------------------------------------------------------------


@EARLY_CLOSE_ON_TRIO
def test_an_endless_body_stops_at_the_cap(kind: str) -> None:
    with hostile(endless_chunked) as server:

        async def main() -> None:
            async with client_for(
                kind, server.url, max_response_bytes=1 << 20, max_retries=0
            ) as ngrok:
                started = time.monotonic()
                with pytest.raises(ResponseTooLargeError) as caught:
                    await ngrok.credentials.get("cr_1")
                assert caught.value.limit == 1 << 20
                assert time.monotonic() - started < 5

        run(kind, main)


@EARLY_CLOSE_ON_TRIO
def test_a_gzip_bomb_stops_at_the_cap(kind: str) -> None:
    bomb = gzip.compress(b" " * (40 << 20), compresslevel=9)
    assert len(bomb) < 100_000
    behaviour = fixed(200, bomb, "Content-Encoding: gzip")
    with hostile(behaviour) as server:

        async def main() -> None:
            async with client_for(kind, server.url, max_retries=0) as ngrok:
                with pytest.raises(ResponseTooLargeError, match="decodes to"):
                    await ngrok.credentials.get("cr_1")

        run(kind, main)


def test_a_gzip_body_within_the_cap_decodes(kind: str) -> None:
    body = gzip.compress(json.dumps({**CREDENTIAL, "description": "z" * 5000}).encode())
    with hostile(fixed(200, body, "Content-Encoding: gzip")) as server:

        async def main() -> None:
            async with client_for(kind, server.url) as ngrok:
                cred = await ngrok.credentials.get("cr_1")
                assert cred.description == "z" * 5000

        run(kind, main)
        assert "gzip" in server.requests[0].headers["accept-encoding"]
        assert "br" not in server.requests[0].headers["accept-encoding"]


# -- paging cycles --------------------------------------------------------------------------


def pages(links: dict[str, str | None]) -> Callable[..., None]:
    """A listing whose page at each path links to ``links[path]``."""

    def behave(conn: Any, request: Request, server: Hostile) -> None:
        path = request.target.split("?")[0] if "cursor" not in request.target else request.target
        name = path.rsplit("=", 1)[-1] if "cursor" in path else "A"
        nxt = links[name]
        body = {
            "credentials": [{**CREDENTIAL, "id": f"cr_{name}"}],
            "uri": f"{server.url}/credentials?cursor={name}",
            "next_page_uri": None if nxt is None else f"{server.url}/credentials?cursor={nxt}",
        }
        conn.sendall(response(200, json.dumps(body).encode()))

    return behave


@pytest.mark.parametrize(
    ("links", "expected"),
    [({"A": "B", "B": "A"}, ["cr_A", "cr_B"]), ({"A": "A"}, ["cr_A"])],
)
def test_a_paging_cycle_is_an_error_before_a_duplicate(
    kind: str, links: dict[str, str | None], expected: list[str]
) -> None:
    with hostile(pages(links)) as server:

        async def main() -> None:
            seen: list[str] = []

            async def listing(ngrok: AsyncClient) -> None:
                async for cred in ngrok.credentials.list():
                    seen.append(cred.id)
                    assert len(seen) < 10

            async with client_for(kind, server.url) as ngrok:
                with pytest.raises(PagingLoopError):
                    await listing(ngrok)
            assert seen == expected

        run(kind, main)


# -- errors stay in the hierarchy -----------------------------------------------------------


@EARLY_CLOSE_ON_TRIO
def test_a_deeply_nested_error_body(kind: str) -> None:
    body = b"[" * 100_000 + b"]" * 100_000
    with hostile(fixed(400, body)) as server:

        async def main() -> None:
            async with client_for(kind, server.url) as ngrok:
                with pytest.raises(BadRequestError):
                    await ngrok.credentials.get("cr_1")

        run(kind, main)


def test_a_deeply_nested_success_body(kind: str) -> None:
    body = b"[" * 100_000 + b"]" * 100_000
    with hostile(fixed(200, body)) as server:

        async def main() -> None:
            async with client_for(kind, server.url) as ngrok:
                with pytest.raises(NgrokError):
                    await ngrok.credentials.get("cr_1")

        run(kind, main)


@pytest.mark.parametrize(
    "link",
    ["http://[::1", "/credentials?a=1\r\nX-Evil: 1", "http://user:pw@127.0.0.1:{port}/c", "\x00"],
)
def test_an_unusable_next_page_uri_is_unsafe(kind: str, link: str) -> None:
    def behave(conn: Any, request: Request, server: Hostile) -> None:
        body = {
            "credentials": [CREDENTIAL],
            "uri": "",
            "next_page_uri": link.format(port=server.port),
        }
        conn.sendall(response(200, json.dumps(body).encode()))

    with hostile(behave) as server:

        async def main() -> None:
            async with client_for(kind, server.url) as ngrok:
                with pytest.raises(UnsafeURLError) as caught:
                    async for _ in ngrok.credentials.list():
                        pass
                assert "pw" not in str(caught.value)

        run(kind, main)
        assert server.count() == 1


def test_calls_after_close_are_client_state_errors(kind: str) -> None:
    from ngrok_async import ClientStateError

    with hostile(fixed(200, json.dumps(CREDENTIAL).encode())) as server:

        async def main() -> None:
            async with client_for(kind, server.url) as ngrok:
                view = ngrok.with_options(max_retries=0)
                await ngrok.credentials.get("cr_1")
            for client in (ngrok, view):
                with pytest.raises(ClientStateError, match="closed"):
                    await client.credentials.get("cr_1")

        run(kind, main)


@pytest.mark.parametrize("kind", ["default", "default-trio"])
def test_a_second_event_loop_is_a_client_state_error(kind: str) -> None:
    from ngrok_async import ClientStateError

    with hostile(fixed(200, json.dumps(CREDENTIAL).encode(), "Connection: close")) as server:
        ngrok = AsyncClient(KEY, base_url=server.url)

        async def first() -> None:
            await ngrok.credentials.get("cr_1")

        async def second() -> None:
            with pytest.raises(ClientStateError, match="event loop"):
                await ngrok.credentials.get("cr_1")
            await ngrok.aclose()

        run(kind, first)
        run(kind, second)


# -- secrets --------------------------------------------------------------------------------


def escaped(text: str) -> str:
    return "".join(f"\\u{ord(ch):04x}" for ch in text)


def echo_key(status: int) -> Callable[..., None]:
    def behave(conn: Any, request: Request, server: Hostile) -> None:
        key = request.headers["authorization"].removeprefix("Bearer ")
        hidden = escaped(key)
        raw = (
            f'{{"error_code": "ERR_NGROK_1", "status_code": {status}, "msg": "bad key {hidden}", '
            f'"details": {{"operation_id": "op_1", "echo": "{hidden}", "{hidden}": 1}}}}'
        )
        conn.sendall(response(status, raw.encode()))

    return behave


def test_an_echoed_key_is_redacted_everywhere(kind: str) -> None:
    with hostile(echo_key(400)) as server:

        async def main() -> None:
            async with client_for(kind, server.url) as ngrok:
                with pytest.raises(BadRequestError) as caught:
                    await ngrok.credentials.get("cr_1")
            err = caught.value
            for text in (str(err), repr(err), err.msg, repr(err.details), err.body):
                assert KEY not in text
                assert escaped(KEY) not in text
            assert "[redacted]" in err.msg
            assert err.operation_id == "op_1"

        run(kind, main)


def test_an_echoed_key_in_an_ambiguous_create_is_redacted(kind: str) -> None:
    with hostile(echo_key(500)) as server:

        async def main() -> None:
            async with client_for(kind, server.url) as ngrok:
                with pytest.raises(AmbiguousCreateError) as caught:
                    await ngrok.credentials.create(description="x")
            assert KEY not in str(caught.value)
            assert isinstance(caught.value.__cause__, ServerError)
            assert KEY not in str(caught.value.__cause__)

        run(kind, main)


def test_user_info_in_the_base_url_is_refused_without_echo() -> None:
    with pytest.raises(UnsafeURLError) as caught:
        AsyncClient(KEY, base_url="https://alice:hunter2@api.ngrok.com")
    assert "hunter2" not in str(caught.value)
    assert "hunter2" not in repr(caught.value)


# -- ambiguity the caller can act on --------------------------------------------------------


@pytest.mark.parametrize(
    "behaviour",
    [
        fixed(201, b"<html>oops</html>"),
        fixed(201, b'{"id": 5}'),
        short_body(201, b'{"id": "cr_', 500),
    ],
    ids=["not-json", "wrong-shape", "cut-off"],
)
def test_a_created_resource_whose_body_breaks_says_it_exists(
    kind: str, behaviour: Callable[..., None]
) -> None:
    with hostile(behaviour) as server:

        async def main() -> None:
            async with client_for(kind, server.url) as ngrok:
                with pytest.raises(CreatedButUndecodableError, match="was created") as caught:
                    await ngrok.credentials.create(description="x")
                assert caught.value.status_code == 201

        run(kind, main)
        assert server.count("POST") == 1


def test_a_cancelled_create_on_the_wire_is_in_doubt(kind: str) -> None:
    with hostile(silent) as server:

        async def main() -> None:
            async with client_for(kind, server.url) as ngrok:
                caught: list[BaseException] = []
                with anyio.move_on_after(0.5):
                    try:
                        await ngrok.credentials.create(description="x")
                    except BaseException as exc:
                        caught.append(exc)
                        raise
                assert caught
                assert in_doubt(caught[0])

        run(kind, main)


def test_a_create_cancelled_before_it_left_is_not_in_doubt(kind: str) -> None:
    with hostile(silent) as server:

        async def main() -> None:
            async with client_for(kind, server.url, max_concurrency=1) as ngrok:
                caught: list[BaseException] = []

                async def queued() -> None:
                    try:
                        await ngrok.credentials.create(description="queued")
                    except BaseException as exc:
                        caught.append(exc)
                        raise

                with anyio.move_on_after(0.5):
                    async with anyio.create_task_group() as tg:
                        tg.start_soon(ngrok.credentials.get, "cr_1")  # holds the only slot
                        await anyio.sleep(0.1)
                        tg.start_soon(queued)
                assert caught
                assert not in_doubt(caught[0])

        run(kind, main)


def test_a_generated_create_with_a_broken_body_says_it_exists() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(201, content=b'{"id": ')

    async def main() -> None:
        async with AsyncClient(KEY, transport=httpx.MockTransport(handler)) as ngrok:
            with pytest.raises(CreatedButUndecodableError, match="was created"):
                await ngrok.reserved_addrs.create(description="x")

    anyio.run(main)
