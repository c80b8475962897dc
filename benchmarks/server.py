"""The loopback API server the benchmarks drive, run in its own process.

``python -m benchmarks.server [--backend lean|fake] [--latency S] [--rate-limit N W]
[--records N] [--tls-cert F --tls-key F]`` prints its base URL on the first line of stdout and
serves until its standard input closes (so it dies with the harness).

Two backends speak the same wire contract for the calls the benchmarks make
(``/ssh_certificate_authorities`` create, ``/ssh_user_certificates`` create / get / update /
delete / list with ``before_id`` + ``limit`` + ``next_page_uri``, Bearer + ``Ngrok-Version: 2``
checks, 429 ``ERR_NGROK_226`` from a rolling window counted at arrival):

``fake``
    ``ngrok_async.testing.FakeNgrok``'s ASGI app on Hypercorn (real ed25519 signatures).
``lean`` (default)
    an ``asyncio.Protocol`` server answering from byte templates (the certificate string is
    canned, not signed). It exists because FakeNgrok's own Python cost per request is of the
    same order as the client's (see benchmarks/README.md), so on a 2-core machine it, not the
    client, would set the pace of every concurrent scenario. Its wire rules are the fake's
    own: the header checks, the rate window, the error bodies, the record rendering and the
    paging links come from ``ngrok_async.testing``; only the HTTP framing is its own.

Both add ``GET /_bench/stats`` (``{"requests": n, "status": {"201": n, ...}, "cpu": s}``, the
server process's CPU seconds so far) and
``POST /_bench/reset`` (zero the counters and the rate window). ``--records N`` seeds N user
certificates for paging (ids ``sucrt_`` + 27 digits, in creation order).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import ssl
import sys
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from ngrok_async.testing import FakeStats, Faults, Store
from ngrok_async.testing import _codes as codes
from ngrok_async.testing import _wire as wire
from ngrok_async.testing._codes import FakeAPIError, bad_request, not_found
from ngrok_async.testing._faults import FaultGate
from ngrok_async.testing._resources import KINDS, Record
from ngrok_async.testing._router import Router, parse_limit

API_KEY = "bench-key"
LIST_KEY = "ssh_user_certificates"
CA_ID = "sshca_2rwwl4SDEadVIHE5LIPmoVwx9q5"
CA_PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINXZK3bBtcwnxRnG+OoZYtyNjt8vRENtwFIbvhZaMuvX"
PUBLIC_KEY = (
    "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBK58lFzmWlDimDtBz"
    "78wVT4oauA8PjY0CiXTCEIsBNC6UwOJvZ0jdSaYNhDaa7dRV84DfBb/gKzqlXC7cVMZjl0= alan@work-laptop"
)
CERTIFICATE = (
    "ecdsa-sha2-nistp256-cert-v01@openssh.com AAAAKGVjZHNhLXNoYTItbmlzdHAyNTYtY2VydC12MDFAb3Blb"
    "nNzaC5jb20AAAAgpigdjZhZTdVoFIMER4hFY8QcQPVeemISGY0zsbwj/3wAAAAIbmlzdHAyNTYAAABBBK58lFzmWlD"
    "imDtBz78wVT4oauA8PjY0CiXTCEIsBNC6UwOJvZ0jdSaYNhDaa7dRV84DfBb/gKzqlXC7cVMZjl0AAAAAAAAAAAAAAA"
    "EAAAAhc3VjcnRfMnJ3d2wyVDZrS0ROa2xOc1NYR2YzRDUzS3BqAAAAFAAAAAhlYzItdXNlcgAAAARyb290AAAAAGeP"
    "5UgAAAAAaAaMSAAAAAAAAAAoAAAACnBlcm1pdC1wdHkAAAAAAAAADnBlcm1pdC11c2VyLXJjAAAAAAAAAAAAAAAzAA"
    "AAC3NzaC1lZDI1NTE5AAAAINXZK3bBtcwnxRnG+OoZYtyNjt8vRENtwFIbvhZaMuvXAAAAUwAAAAtzc2gtZWQyNTUx"
    "OQAAAEB7gbMaqdltadzMQud6g5lRW4K2cAXJXKk7EeweEtVYxwgahOKr7E+EHyt+cCTYcybkq1ZFNlj4hGurCWn47j"
    "oB"
)
CREATED_AT = "2025-01-21T18:19:52Z"
OPERATION_ID = "op_2rwwl2T6kKDNklNsSXGf3D53Kpj"
MAX_HEADER = 64 * 1024
_REASONS = {200: "OK", 201: "Created", 204: "No Content", 400: "Bad Request"}
_REASONS.update({401: "Unauthorized", 404: "Not Found", 405: "Method Not Allowed"})
_REASONS.update({411: "Length Required", 429: "Too Many Requests"})

Response = tuple[int, bytes]
KIND = KINDS[LIST_KEY]
CA_KIND = KINDS["ssh_certificate_authorities"]


def _error(exc: FakeAPIError) -> Response:
    response = wire.error(exc, OPERATION_ID)
    return response.status, response.body


class LeanAPI:
    """The request handler of the lean backend: routes → canned JSON bytes."""

    def __init__(self, base_url: str, records: int, rate: tuple[int, float] | None) -> None:
        self.base = base_url
        self.records = records
        self.faults = Faults(rate_limit=rate)
        self.gate = FaultGate(time.monotonic, random.Random(0))
        self.stats = FakeStats()
        self.headers = Router(api_key=API_KEY, store=Store(), make_context=_no_creates)
        self.created: dict[str, Record] = {}
        self.bodies: dict[str, bytes] = {}  # each created record, rendered once
        self.sequence = 10**26  # created ids sort after the seeded ones
        # A seeded record as bytes around its id (which occurs three times).
        marker = "@@ID@@"
        body = {"description": "seeded", "principals": ["root"]}
        template = wire.dumps(self._render(self._record(marker, body)))
        self.parts = template.split(marker.encode())

    def _record(self, ident: str, body: dict[str, Any]) -> Record:
        fields: dict[str, Any] = {
            "description": body.get("description") or "",
            "metadata": body.get("metadata") or "",
            "public_key": body.get("public_key", PUBLIC_KEY),
            "key_type": "ecdsa",
            "ssh_certificate_authority_id": body.get("ssh_certificate_authority_id", CA_ID),
            "principals": body.get("principals") or [],
            "critical_options": body.get("critical_options") or {},
            "extensions": body.get("extensions", {"permit-pty": "", "permit-user-rc": ""}),
            "valid_after": CREATED_AT,
            "valid_until": "2025-04-21T18:19:52Z",
            "certificate": f"{CERTIFICATE} {ident}",
        }
        return Record(kind=LIST_KEY, id=ident, created_at=CREATED_AT, fields=fields)

    def _render(self, record: Record) -> Any:
        return KIND.render(record, self.base)

    def seeded(self, index: int) -> bytes:
        ident = f"sucrt_{index:027d}".encode()
        return ident.join(self.parts)

    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Response:
        path, _, query = target.partition("?")
        if path.startswith("/_bench/"):
            return self._control(method, path)
        self.stats.requests += 1
        try:
            self.headers.check_headers(headers)
            self.gate.admit(self.faults, self.stats)
            self.gate.release()
            response = self._route(method, path, query, body)
        except FakeAPIError as exc:
            response = _error(exc)
        self.stats.responses[response[0]] += 1
        return response

    def _route(self, method: str, path: str, query: str, body: bytes) -> Response:
        if path == f"/{LIST_KEY}":
            if method == "POST":
                return self._create(body)
            if method == "GET":
                return self._list(dict(parse_qsl(query)))
            raise FakeAPIError(405, codes.METHOD_NOT_ALLOWED, "method not allowed")
        if path.startswith(f"/{LIST_KEY}/"):
            return self._item(method, path.rpartition("/")[2], body)
        if path == "/ssh_certificate_authorities" and method == "POST":
            fields = {"public_key": CA_PUBLIC_KEY, "key_type": "ed25519"}
            ca = Record(kind=CA_KIND.name, id=CA_ID, created_at=CREATED_AT, fields=fields)
            return 201, wire.dumps(CA_KIND.render(ca, self.base))
        raise FakeAPIError(404, codes.NOT_FOUND, f"no route for {path[:200]!r}")

    def _control(self, method: str, path: str) -> Response:
        if path == "/_bench/reset" and method == "POST":
            self.stats = FakeStats()
            self.gate.reset()
            self.created.clear()
            self.bodies.clear()
            return 204, b""
        return 200, _stats(self.stats)

    def _create(self, raw: bytes) -> Response:
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            raise bad_request(codes.UNPARSEABLE_BODY, "body is not JSON") from None
        if not isinstance(body, dict) or body.get("ssh_certificate_authority_id") != CA_ID:
            raise FakeAPIError(404, codes.CA_NOT_FOUND, "unknown SSH certificate authority")
        if not body.get("public_key"):
            raise bad_request(codes.MISSING_PUBLIC_KEY, "public_key is required")
        self.sequence += 1
        ident = f"sucrt_{self.sequence:027d}"
        self.created[ident] = self._record(ident, body)
        encoded = self.bodies[ident] = wire.dumps(self._render(self.created[ident]))
        return 201, encoded

    def _item(self, method: str, ident: str, raw: bytes) -> Response:
        record = self.created.get(ident)
        seeded = (
            ident.startswith("sucrt_") and ident[6:].isdigit() and int(ident[6:]) < self.records
        )
        if record is None and seeded and method == "GET":
            return 200, self.seeded(int(ident[6:]))
        if record is None:
            raise not_found(KIND.label, ident)
        if method == "GET":
            return 200, self.bodies[ident]
        if method == "DELETE":
            del self.created[ident], self.bodies[ident]
            return 204, b""
        if method == "PATCH":
            KIND.update(record, json.loads(raw) if raw else {})
            self.bodies[ident] = wire.dumps(self._render(record))
            return 200, self.bodies[ident]
        raise FakeAPIError(405, codes.METHOD_NOT_ALLOWED, "method not allowed")

    def _list(self, query: dict[str, str]) -> Response:
        limit = parse_limit(query.get("limit"))
        before = query.get("before_id")
        end = self.records if before is None else min(int(before[6:]), self.records)
        start = max(0, end - limit)
        items = b",".join(self.seeded(i) for i in range(end - 1, start - 1, -1))
        url = f"{self.base}/{LIST_KEY}"
        more = (
            wire.dumps(wire.next_page_uri(url, f"sucrt_{start:027d}", limit)) if start else b"null"
        )
        body = b'{"%s":[%s],"uri":%s,"next_page_uri":%s}' % (
            LIST_KEY.encode(),
            items,
            wire.dumps(url),
            more,
        )
        return 200, body


def _no_creates(prefix: str) -> Any:
    raise AssertionError("the lean backend creates nothing through the fake's router")


def _stats(stats: FakeStats) -> bytes:
    out = {
        "requests": stats.requests,
        "status": {str(k): v for k, v in stats.responses.items()},
        "cpu": time.process_time(),
    }
    return wire.dumps(out)


class _Connection(asyncio.Protocol):
    """HTTP/1.1 keep-alive with Content-Length bodies (what every contender sends)."""

    def __init__(self, handle: Callable[..., Response], latency: float) -> None:
        self.handle = handle
        self.latency = latency
        self.buffer = b""
        self.transport: asyncio.Transport | None = None
        self.loop = asyncio.get_running_loop()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while self.transport is not None:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(self.buffer) > MAX_HEADER:
                    self.transport.close()
                return
            lines = self.buffer[:end].decode("latin-1").split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            if "chunked" in headers.get("transfer-encoding", ""):
                self._send(
                    *_error(FakeAPIError(411, "ERR_NGROK_411", "send Content-Length")), close=True
                )
                return
            length = int(headers.get("content-length", "0"))
            if len(self.buffer) < end + 4 + length:
                return
            body = self.buffer[end + 4 : end + 4 + length]
            self.buffer = self.buffer[end + 4 + length :]
            status, payload = self.handle(method, target, headers, body)
            close = headers.get("connection", "").lower() == "close"
            wait = self.latency if not target.startswith("/_bench/") else 0.0
            if wait:
                self.loop.call_later(wait, self._send, status, payload, close)
            else:
                self._send(status, payload, close)

    def _send(self, status: int, payload: bytes, close: bool = False) -> None:
        if self.transport is None:
            return
        head = f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}\r\n"
        if status != 204:
            head += f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
        if close:
            head += "Connection: close\r\n"
        self.transport.write(head.encode() + b"\r\n" + payload)
        if close:
            self.transport.close()


async def _serve_lean(args: argparse.Namespace, tls: ssl.SSLContext | None) -> None:
    loop = asyncio.get_running_loop()
    api: LeanAPI | None = None

    def factory() -> _Connection:
        assert api is not None
        return _Connection(api.handle, args.latency)

    server = await loop.create_server(factory, "127.0.0.1", 0, ssl=tls, backlog=4096)
    port = server.sockets[0].getsockname()[1]
    url = f"{'https' if tls else 'http'}://127.0.0.1:{port}"
    api = LeanAPI(url, args.records, args.rate_limit)
    async with server:
        await _announce_and_wait(url)


async def _serve_fake(args: argparse.Namespace, tls: ssl.SSLContext | None) -> None:
    import attrs
    import httpx

    from ngrok_async.testing import FakeNgrok
    from ngrok_async.testing._serve import serve_asgi

    faults = Faults(latency=args.latency, rate_limit=args.rate_limit)
    fake = FakeNgrok(api_key=API_KEY, faults=faults, seed=1, record_requests=False)

    async def app(scope: Any, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/_bench/"):
            await fake(scope, receive, send)
            return
        if path == "/_bench/reset":  # counters and rate window, not the resources
            fake.reset_counters()
            status, body = 204, b""
        else:
            status, body = 200, _stats(fake.stats)
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    auth = {"authorization": f"Bearer {API_KEY}", "ngrok-version": "2"}
    async with httpx.AsyncClient(transport=fake, base_url=fake.base_url, headers=auth) as local:
        # The certificate authority every benchmark names, under the lean server's fixed id.
        made = (await local.post("/ssh_certificate_authorities", json={})).json()
        ca = fake.store.get(CA_KIND.name, made["id"])
        assert ca is not None
        fake.store.add(attrs.evolve(ca, id=CA_ID, kind=CA_KIND.name))
        if args.records:
            # Seed by copying one really signed certificate's fields under fresh ids.
            body = {"ssh_certificate_authority_id": CA_ID, "public_key": PUBLIC_KEY}
            one = (await local.post(f"/{LIST_KEY}", json=body)).json()
            template = fake.store.get(LIST_KEY, one["id"])
            assert template is not None
            fake.store.delete(LIST_KEY, one["id"])
            for i in range(args.records):
                fields = {**template.fields, "description": "seeded"}
                record = Record(
                    kind=LIST_KEY, id=f"sucrt_{i:027d}", created_at=CREATED_AT, fields=fields
                )
                fake.store.add(record)
    fake.reset_counters()
    async with serve_asgi(lambda url: app, ssl_context=tls) as url:
        await _announce_and_wait(url)


async def _announce_and_wait(url: str) -> None:
    print(url, flush=True)
    loop = asyncio.get_running_loop()
    done = loop.run_in_executor(None, sys.stdin.read)  # EOF when the harness goes away
    with contextlib.suppress(asyncio.CancelledError):
        await done


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("lean", "fake"), default="lean")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before answering")
    parser.add_argument("--rate-limit", type=float, nargs=2, metavar=("N", "SECONDS"))
    parser.add_argument("--records", type=int, default=0, help="user certificates to seed")
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    args = parser.parse_args(argv)
    if args.rate_limit is not None:
        args.rate_limit = (int(args.rate_limit[0]), float(args.rate_limit[1]))
    tls = None
    if args.tls_cert:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(args.tls_cert, args.tls_key)
    serve = _serve_lean if args.backend == "lean" else _serve_fake
    asyncio.run(serve(args, tls))


if __name__ == "__main__":
    main()
