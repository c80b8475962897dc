"""The fake over real loopback sockets (Hypercorn): keep-alive, TLS, concurrency, shutdown."""

from __future__ import annotations

import socket
import ssl
import sys
import time
from pathlib import Path

import anyio
import httpx
import pytest
import trio

from ngrok_async.testing import FakeNgrok, Faults

from .conftest import API_KEY, HEADERS, error_of

RAW_HEADERS = f"Authorization: Bearer {API_KEY}\r\nNgrok-Version: 2\r\n"


async def raw_exchange(url: str, payload: bytes, *, read_until_close: bool = True) -> bytes:
    host, port = url.removeprefix("http://").split(":")
    async with await anyio.connect_tcp(host, int(port)) as stream:
        await stream.send(payload)
        chunks = []
        with anyio.fail_after(5):
            while True:
                try:
                    chunks.append(await stream.receive())
                except (anyio.EndOfStream, anyio.BrokenResourceError):
                    break
                if not read_until_close:
                    break
        return b"".join(chunks)


async def test_plain_http_end_to_end(fake: FakeNgrok) -> None:
    async with fake.serve() as url:
        assert url.startswith("http://127.0.0.1:")
        async with httpx.AsyncClient(base_url=url, headers=HEADERS) as fake_http:
            ids = [(await fake_http.post("/credentials", json={"description": str(i)})).json()["id"]
                   for i in range(3)]  # fmt: skip
            first = await fake_http.get("/credentials", params={"limit": 2})
            assert first.status_code == 200
            assert first.http_version == "HTTP/1.1"
            body = first.json()
            assert body["uri"] == f"{url}/credentials"
            assert body["credentials"][0]["uri"] == f"{url}/credentials/{ids[2]}"
            second = (await fake_http.get(body["next_page_uri"])).json()  # followable on the socket
            assert [c["id"] for c in second["credentials"]] == [ids[0]]
            deleted = await fake_http.delete(f"/credentials/{ids[0]}")
            assert deleted.status_code == 204
            assert deleted.content == b""
            missing = await fake_http.get(f"/credentials/{ids[0]}")
            assert error_of(missing)["error_code"] == "ERR_NGROK_404"
            unauthorized = await fake_http.get(
                "/credentials", headers={"Authorization": "Bearer no"}
            )
            assert unauthorized.status_code == 401
    # the transport keeps using the configured base URL
    assert fake.resources("credentials")[0]["uri"].startswith("https://api.ngrok.com/")


async def test_tls(fake: FakeNgrok, tls_files: tuple[Path, Path]) -> None:
    cert_path, key_path = tls_files
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert_path, key_path)
    client_ctx = ssl.create_default_context(cafile=str(cert_path))
    async with fake.serve(ssl_context=server_ctx) as url:
        assert url.startswith("https://127.0.0.1:")
        async with httpx.AsyncClient(base_url=url, headers=HEADERS, verify=client_ctx) as fake_http:
            created = await fake_http.post("/ssh_certificate_authorities", json={})
            assert created.status_code == 201
            assert created.json()["uri"].startswith(f"{url}/ssh_certificate_authorities/sshca_")
            assert (await fake_http.get("/ssh_certificate_authorities")).status_code == 200
        # a plain-text client on the TLS port fails its handshake without hurting the server
        with pytest.raises(httpx.TransportError):
            async with httpx.AsyncClient(base_url=url.replace("https", "http")) as plain:
                await plain.get("/credentials", timeout=2)
        async with httpx.AsyncClient(base_url=url, headers=HEADERS, verify=client_ctx) as fake_http:
            assert (await fake_http.get("/credentials")).status_code == 200


async def read_response(stream: anyio.abc.ByteStream, buffer: bytearray) -> bytes:
    """One Content-Length framed response from ``stream`` (``buffer`` keeps the excess)."""
    while b"\r\n\r\n" not in buffer:
        buffer += await stream.receive()
    head, _, _ = bytes(buffer).partition(b"\r\n\r\n")
    length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
    total = len(head) + 4 + length
    while len(buffer) < total:
        buffer += await stream.receive()
    response = bytes(buffer[:total])
    del buffer[:total]
    return response


async def test_256_concurrent_keep_alive_connections(fake: FakeNgrok) -> None:
    fake.faults = Faults(latency=0.3)  # every request overlaps every other
    request = f"GET /credentials HTTP/1.1\r\nHost: x\r\n{RAW_HEADERS}\r\n".encode()
    async with fake.serve() as url:
        host, port = url.removeprefix("http://").split(":")
        streams = [await anyio.connect_tcp(host, int(port)) for _ in range(256)]

        async def one(stream: anyio.abc.ByteStream, replies: list[bytes]) -> None:
            await stream.send(request)
            replies.append(await read_response(stream, bytearray()))

        try:
            for _ in range(2):  # the second round reuses every connection
                replies: list[bytes] = []
                started = time.monotonic()
                with anyio.fail_after(10):
                    async with anyio.create_task_group() as tg:
                        for stream in streams:
                            tg.start_soon(one, stream, replies)
                assert time.monotonic() - started < 5  # serialized would take 77 s
                assert len(replies) == 256
                assert all(r.startswith(b"HTTP/1.1 200 ") for r in replies)
        finally:
            for stream in streams:
                await stream.aclose()
    assert fake.stats.requests == 512


async def test_concurrent_requests_with_httpx(fake: FakeNgrok) -> None:
    fake.faults = Faults(latency=0.1)
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with (
        fake.serve() as url,
        httpx.AsyncClient(base_url=url, headers=HEADERS, limits=limits) as fake_http,
    ):
        created: list[httpx.Response] = []

        async def one(i: int) -> None:
            created.append(await fake_http.post("/credentials", json={"description": str(i)}))

        async with anyio.create_task_group() as tg:
            for i in range(64):
                tg.start_soon(one, i)
        assert [r.status_code for r in created] == [201] * 64
        assert len({r.json()["id"] for r in created}) == 64
        listed = (await fake_http.get("/credentials")).json()["credentials"]
        assert sorted(c["description"] for c in listed) == sorted(map(str, range(64)))


async def test_keep_alive_serves_several_requests_on_one_connection(fake: FakeNgrok) -> None:
    request = f"GET /credentials HTTP/1.1\r\nHost: x\r\n{RAW_HEADERS}\r\n".encode()
    closing = f"GET /credentials HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{RAW_HEADERS}\r\n"
    async with fake.serve() as url:
        reply = await raw_exchange(url, request * 2 + closing.encode())
    assert reply.count(b"HTTP/1.1 200 ") == 3
    assert reply.lower().count(b"connection: close") == 1


async def test_http_10_closes_after_one_response(fake: FakeNgrok) -> None:
    async with fake.serve() as url:
        reply = await raw_exchange(url, f"GET /credentials HTTP/1.0\r\n{RAW_HEADERS}\r\n".encode())
    assert reply.startswith(b"HTTP/1.1 200 ")
    assert b"connection: close" in reply.lower()


async def test_chunked_body_and_expect_continue(fake: FakeNgrok) -> None:
    body = b'{"description": "chunked"}'
    request = (
        f"POST /credentials HTTP/1.1\r\nHost: x\r\n{RAW_HEADERS}Transfer-Encoding: chunked\r\n"
        "Expect: 100-continue\r\nConnection: close\r\n\r\n"
    ).encode() + b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    async with fake.serve() as url:
        reply = await raw_exchange(url, request)
    assert reply.startswith(b"HTTP/1.1 100 ")
    assert b"HTTP/1.1 201 " in reply
    assert [c["description"] for c in fake.resources("credentials")] == ["chunked"]


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        (b"NONSENSE\r\n\r\n", b"400"),
        (b"POST /credentials HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", b"400"),
        (b"POST /credentials HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n", b"413"),
        (b"GET /credentials HTTP/1.1\r\nX: " + b"a" * 70000 + b"\r\n\r\n", b"431"),
    ],
)
async def test_malformed_http_gets_an_error_and_a_close(
    fake: FakeNgrok, payload: bytes, status: bytes
) -> None:
    async with fake.serve() as url:
        reply = await raw_exchange(url, payload)
        assert reply.startswith(b"HTTP/1.1 " + status)
        async with httpx.AsyncClient(base_url=url, headers=HEADERS) as fake_http:
            assert (await fake_http.get("/credentials")).status_code == 200


async def test_clients_disconnecting_mid_request_do_not_hurt_the_server(fake: FakeNgrok) -> None:
    partial_head = b"GET /credentials HTTP/1.1\r\nHost: x\r\n"
    partial_body = f"POST /credentials HTTP/1.1\r\n{RAW_HEADERS}Content-Length: 100\r\n\r\n{{"
    partial_chunk = (
        f"POST /credentials HTTP/1.1\r\n{RAW_HEADERS}Transfer-Encoding: chunked\r\n\r\n5"
    )
    async with fake.serve() as url:
        host, port = url.removeprefix("http://").split(":")
        for payload in (b"", partial_head, partial_body.encode(), partial_chunk.encode()):
            stream = await anyio.connect_tcp(host, int(port))
            if payload:
                await stream.send(payload)
            await stream.aclose()
        # and one that resets the connection outright
        sock = socket.create_connection((host, int(port)))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        sock.sendall(partial_head)
        sock.close()
        await anyio.sleep(0.05)
        async with httpx.AsyncClient(base_url=url, headers=HEADERS) as fake_http:
            assert (await fake_http.get("/credentials")).status_code == 200
    assert fake.store.count("credentials") == 0


async def test_drop_fault_closes_the_connection_without_a_response(fake: FakeNgrok) -> None:
    fake.faults = Faults(p_drop_after=1.0)
    async with fake.serve() as url, httpx.AsyncClient(base_url=url, headers=HEADERS) as fake_http:
        with pytest.raises(httpx.RemoteProtocolError):
            await fake_http.post("/credentials")
        fake.faults = Faults()
        assert (
            (await fake_http.get("/credentials")).json()["credentials"][0]["id"].startswith("cr_")
        )


async def test_shutdown_closes_idle_connections_and_the_port(fake: FakeNgrok) -> None:
    async with httpx.AsyncClient(headers=HEADERS) as fake_http:
        async with fake.serve() as url:
            assert (
                await fake_http.get(f"{url}/credentials")
            ).status_code == 200  # now pooled, idle
            started = time.monotonic()
        assert time.monotonic() - started < 2
        host, port = url.removeprefix("http://").split(":")
        with pytest.raises(OSError, match=r"(?i)refused|failed"):
            await anyio.connect_tcp(host, int(port))
        with pytest.raises(httpx.TransportError):
            await fake_http.get(f"{url}/credentials")


async def test_shutdown_while_a_request_is_in_flight(fake: FakeNgrok) -> None:
    fake.faults = Faults(latency=30)
    async with httpx.AsyncClient(headers=HEADERS) as fake_http:
        outcomes: list[object] = []

        async def slow(url: str) -> None:
            try:
                outcomes.append((await fake_http.get(f"{url}/credentials")).status_code)
            except httpx.TransportError as exc:
                outcomes.append(exc)

        started = time.monotonic()
        async with anyio.create_task_group() as tg, fake.serve() as url:
            tg.start_soon(slow, url)
            await anyio.sleep(0.1)
        assert time.monotonic() - started < 5
        (outcome,) = outcomes  # cut off: a transport error or a server error, never a 200
        assert isinstance(outcome, httpx.TransportError) or outcome >= 500


def test_serve_on_trio() -> None:
    async def main() -> int:
        fake = FakeNgrok(API_KEY)
        async with (
            fake.serve() as url,
            httpx.AsyncClient(base_url=url, headers=HEADERS) as fake_http,
        ):
            await fake_http.post("/credentials")
            return len((await fake_http.get("/credentials")).json()["credentials"])

    assert trio.run(main) == 1


async def test_serving_without_the_extra_names_it_and_in_process_still_works(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "hypercorn.config", None)  # as if not installed
    fake = FakeNgrok(API_KEY)
    with pytest.raises(RuntimeError, match=r"ngrok-async\[fake-server\]"):
        async with fake.serve():
            pass
    async with fake.client() as ngrok:
        assert (await ngrok.credentials.create(description="in process")).id.startswith("cr_")
