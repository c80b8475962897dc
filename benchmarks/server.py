"""The loopback API server the benchmarks drive, run in its own process.

``python -m benchmarks.server [--backend lean|fake] [--latency S] [--rate-limit N W]
[--records N] [--tls-cert F --tls-key F]`` prints its base URL on the first line of stdout and
serves until its standard input closes (so it dies with the harness).

Two backends speak the same wire contract for the calls the benchmarks make
(``/ssh_certificate_authorities`` create, ``/ssh_user_certificates`` create / get / update /
delete / list with ``before_id`` + ``limit`` + ``next_page_uri``, Bearer + ``Ngrok-Version: 2``
checks, 429 ``ERR_NGROK_226`` from a rolling window counted at arrival):

``fake``
    ``ngrok_async.testing.FakeNgrok`` itself (real ed25519 signatures, anyio streams).
``lean`` (default)
    an ``asyncio.Protocol`` server answering from byte templates (the certificate string is
    canned, not signed). It exists because FakeNgrok's own Python cost per request is of the
    same order as the client's (see benchmarks/README.md), so on a 2-core machine it, not the
    client, would set the pace of every concurrent scenario.

Both add ``GET /_bench/stats`` (``{"requests": n, "status": {"201": n, ...}, "cpu": s}``, the
server process's CPU seconds so far) and
``POST /_bench/reset`` (zero the counters and the rate window). ``--records N`` seeds N user
certificates for paging (ids ``sucrt_`` + 27 digits, in creation order).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import ssl
import sys
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

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
MAX_HEADER = 64 * 1024
_REASONS = {200: "OK", 201: "Created", 204: "No Content", 400: "Bad Request"}
_REASONS.update({401: "Unauthorized", 404: "Not Found", 405: "Method Not Allowed"})
_REASONS.update({411: "Length Required", 429: "Too Many Requests"})

Response = tuple[int, bytes]


def dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def _error(status: int, code: str, msg: str) -> Response:
    details = {"operation_id": "op_2rwwl2T6kKDNklNsSXGf3D53Kpj"}
    body = {"error_code": code, "status_code": status, "msg": msg, "details": details}
    return status, dumps(body)


class RateWindow:
    """At most ``count`` requests admitted in any rolling ``seconds``, counted at arrival."""

    def __init__(self, limit: tuple[int, float] | None) -> None:
        self.limit = limit
        self.admitted: collections.deque[float] = collections.deque()

    def admit(self) -> bool:
        if self.limit is None:
            return True
        count, window = self.limit
        now = time.monotonic()
        while self.admitted and self.admitted[0] <= now - window:
            self.admitted.popleft()
        if len(self.admitted) >= count:
            return False
        self.admitted.append(now)
        return True


class LeanAPI:
    """The request handler of the lean backend: routes → canned JSON bytes."""

    def __init__(self, base_url: str, records: int, rate: RateWindow) -> None:
        self.base = base_url
        self.records = records
        self.rate = rate
        self.created: dict[str, dict[str, Any]] = {}
        self.sequence = 10**26  # created ids sort after the seeded ones
        self.requests = 0
        self.statuses: collections.Counter[int] = collections.Counter()
        self.auth = f"Bearer {API_KEY}"
        # A seeded record as bytes around its id (which occurs three times).
        marker = "@@ID@@"
        template = dumps(self._record(marker, {"description": "seeded", "principals": ["root"]}))
        self.parts = template.split(marker.encode())

    def _record(self, ident: str, body: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": ident,
            "uri": f"{self.base}/{LIST_KEY}/{ident}",
            "created_at": CREATED_AT,
        }
        for name in ("description", "metadata"):
            if body.get(name):
                out[name] = body[name]
        out.update(
            public_key=body.get("public_key", PUBLIC_KEY),
            key_type="ecdsa",
            ssh_certificate_authority_id=body.get("ssh_certificate_authority_id", CA_ID),
            principals=body.get("principals") or [],
            critical_options=body.get("critical_options") or {},
            extensions=body.get("extensions", {"permit-pty": "", "permit-user-rc": ""}),
            valid_after=CREATED_AT,
            valid_until="2025-04-21T18:19:52Z",
            certificate=f"{CERTIFICATE} {ident}",
        )
        return out

    def seeded(self, index: int) -> bytes:
        ident = f"sucrt_{index:027d}".encode()
        return ident.join(self.parts)

    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Response:
        path, _, query = target.partition("?")
        if path.startswith("/_bench/"):
            return self._control(method, path)
        self.requests += 1
        response = self._route(method, path, query, headers, body)
        self.statuses[response[0]] += 1
        return response

    def _route(
        self, method: str, path: str, query: str, headers: dict[str, str], body: bytes
    ) -> Response:
        if headers.get("authorization") != self.auth:
            return _error(401, "ERR_NGROK_203", "The API key is invalid.")
        if headers.get("ngrok-version") != "2":
            return _error(400, "ERR_NGROK_218", "Ngrok-Version header is missing or not 2.")
        if not self.rate.admit():
            count, window = self.rate.limit or (0, 0.0)
            return _error(429, "ERR_NGROK_226", f"rate limited to {count} per {window:g} s")
        if path == f"/{LIST_KEY}":
            if method == "POST":
                return self._create(body)
            if method == "GET":
                return self._list(dict(parse_qsl(query)))
            return _error(405, "ERR_NGROK_405", "method not allowed")
        if path.startswith(f"/{LIST_KEY}/"):
            return self._item(method, path.rpartition("/")[2], body)
        if path == "/ssh_certificate_authorities" and method == "POST":
            ca = {
                "id": CA_ID,
                "uri": f"{self.base}/ssh_certificate_authorities/{CA_ID}",
                "created_at": CREATED_AT,
                "public_key": CA_PUBLIC_KEY,
                "key_type": "ed25519",
            }
            return 201, dumps(ca)
        return _error(404, "ERR_NGROK_404", "not found")

    def _control(self, method: str, path: str) -> Response:
        if path == "/_bench/reset" and method == "POST":
            self.requests = 0
            self.statuses.clear()
            self.rate.admitted.clear()
            self.created.clear()
            return 204, b""
        out = {
            "requests": self.requests,
            "status": {str(k): v for k, v in self.statuses.items()},
            "cpu": time.process_time(),
        }
        return 200, dumps(out)

    def _create(self, raw: bytes) -> Response:
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            return _error(400, "ERR_NGROK_213", "body is not JSON")
        if not isinstance(body, dict) or body.get("ssh_certificate_authority_id") != CA_ID:
            return _error(404, "ERR_NGROK_1949", "unknown SSH certificate authority")
        if not body.get("public_key"):
            return _error(400, "ERR_NGROK_611", "public_key is required")
        self.sequence += 1
        ident = f"sucrt_{self.sequence:027d}"
        record = self.created[ident] = self._record(ident, body)
        return 201, dumps(record)

    def _item(self, method: str, ident: str, raw: bytes) -> Response:
        record = self.created.get(ident)
        seeded = (
            ident.startswith("sucrt_") and ident[6:].isdigit() and int(ident[6:]) < self.records
        )
        if record is None and seeded and method == "GET":
            return 200, self.seeded(int(ident[6:]))
        if record is None:
            return _error(404, "ERR_NGROK_404", f"{ident} not found")
        if method == "GET":
            return 200, dumps(record)
        if method == "DELETE":
            del self.created[ident]
            return 204, b""
        if method == "PATCH":
            body = json.loads(raw) if raw else {}
            for name in ("description", "metadata"):
                if isinstance(body.get(name), str):
                    record[name] = body[name]
            return 200, dumps(record)
        return _error(405, "ERR_NGROK_405", "method not allowed")

    def _list(self, query: dict[str, str]) -> Response:
        limit = int(query.get("limit", "100"))
        if not 1 <= limit <= 100:
            return _error(400, "ERR_NGROK_233", "limit must be 1..100")
        before = query.get("before_id")
        end = self.records if before is None else min(int(before[6:]), self.records)
        start = max(0, end - limit)
        items = b",".join(self.seeded(i) for i in range(end - 1, start - 1, -1))
        more = (
            dumps(f"{self.base}/{LIST_KEY}?before_id=sucrt_{start:027d}&limit={limit}")
            if start > 0
            else b"null"
        )
        uri = dumps(f"{self.base}/{LIST_KEY}")
        body = b'{"%s":[%s],"uri":%s,"next_page_uri":%s}' % (LIST_KEY.encode(), items, uri, more)
        return 200, body


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
                self._send(*_error(411, "ERR_NGROK_411", "send Content-Length"), close=True)
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
    rate = RateWindow(args.rate_limit)
    api: LeanAPI | None = None

    def factory() -> _Connection:
        assert api is not None
        return _Connection(api.handle, args.latency)

    server = await loop.create_server(factory, "127.0.0.1", 0, ssl=tls, backlog=4096)
    port = server.sockets[0].getsockname()[1]
    url = f"{'https' if tls else 'http'}://127.0.0.1:{port}"
    api = LeanAPI(url, args.records, rate)
    async with server:
        await _announce_and_wait(url)


async def _serve_fake(args: argparse.Namespace, tls: ssl.SSLContext | None) -> None:
    import attrs
    from ngrok_async.testing._server import serve_http

    from ngrok_async.testing import FakeNgrok, Faults
    from ngrok_async.testing._resources import KINDS, Record
    from ngrok_async.testing._router import FakeRequest, FakeResponse

    faults = Faults(latency=args.latency, rate_limit=args.rate_limit)
    fake = FakeNgrok(api_key=API_KEY, faults=faults, seed=1, record_requests=False)
    json_header = (("content-type", "application/json"),)

    async def handler(request: FakeRequest, url: str) -> FakeResponse | None:
        if request.path == "/_bench/reset":  # counters and rate window, not the resources
            fake.stats = type(fake.stats)()
            fake._gate.reset()
            return FakeResponse(status=204, headers=(), body=b"")
        if request.path == "/_bench/stats":
            stats = {
                "requests": fake.stats.requests,
                "status": dict(fake.stats.responses),
                "cpu": time.process_time(),
            }
            return FakeResponse(status=200, headers=json_header, body=dumps(stats))
        return await fake._handle(request, url)

    async with serve_http(handler, ssl_context=tls) as url:
        # The certificate authority every benchmark names, under the lean server's fixed id.
        made = await _fake_call(fake, "POST", "/ssh_certificate_authorities", {}, url)
        ca = fake.store.get("ssh_certificate_authorities", made["id"])
        assert ca is not None
        fake.store.add(attrs.evolve(ca, id=CA_ID))
        if args.records:
            # Seed by copying one really signed certificate's fields under fresh ids.
            kind = KINDS[LIST_KEY]
            body = {"ssh_certificate_authority_id": CA_ID, "public_key": PUBLIC_KEY}
            one = await _fake_call(fake, "POST", f"/{LIST_KEY}", body, url)
            template = fake.store.get(LIST_KEY, one["id"])
            assert template is not None
            fake.store.delete(LIST_KEY, one["id"])
            for i in range(args.records):
                fields = {**template.fields, "description": "seeded"}
                record = Record(
                    kind=kind.name, id=f"sucrt_{i:027d}", created_at=CREATED_AT, fields=fields
                )
                fake.store.add(record)
        fake.stats = type(fake.stats)()
        await _announce_and_wait(url)


async def _fake_call(fake: Any, method: str, path: str, body: Any, url: str) -> Any:
    from ngrok_async.testing._router import FakeRequest

    headers = {"authorization": f"Bearer {API_KEY}", "ngrok-version": "2"}
    request = FakeRequest(method=method, path=path, query={}, headers=headers, body=dumps(body))
    response = await fake._handle(request, url)
    return json.loads(response.body)


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
