"""``FakeNgrok``: the in-memory API as an ASGI app (and an httpx transport), and its pipeline."""

from __future__ import annotations

import contextlib
import json
import random
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import anyio
import attrs
import httpx

from . import _codes as codes
from . import _wire as wire
from ._asgi import Dropped, asgi_app
from ._codes import FakeAPIError
from ._faults import FakeStats, FaultGate, Faults
from ._fields import format_timestamp
from ._ids import IdGenerator
from ._kinds import AnyKind
from ._resources import CreateContext, Record
from ._router import Router
from ._serve import serve_asgi
from ._store import Store
from ._wire import FakeRequest, FakeResponse

if TYPE_CHECKING:
    import ssl

    from .. import AsyncClient

DEFAULT_BASE_URL = "https://api.ngrok.com"


@attrs.frozen(slots=True, kw_only=True)
class RecordedRequest:
    """One request the fake saw. The ``authorization`` header value is redacted."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    json: Any
    """The parsed JSON body, or ``None`` (no body, or not JSON)."""


class FakeNgrok(httpx.AsyncBaseTransport):
    """An in-memory ngrok API for tests, speaking the real wire contract for every service.

    ``FakeNgrok`` is an ASGI application (``await fake(scope, receive, send)``): serve it with
    any ASGI server, or over a loopback socket with :meth:`serve` (Hypercorn, the
    ``fake-server`` extra). In process it is also an httpx transport (through
    ``httpx.ASGITransport``): ``httpx.AsyncClient(transport=fake, base_url=fake.base_url)``, or
    ``fake.client()`` for an SDK client. It uses no threads; creating an RSA certificate
    authority blocks the event loop while the key is generated (about a second for 4096 bits).

    Args:
        api_key: the only key accepted (``Authorization: Bearer <api_key>``).
        base_url: origin used in ``uri`` / ``next_page_uri`` over the transport.
        faults: what to inject; replace later with ``fake.faults = Faults(...)``.
        seed: seeds the fault dice and the random parts of ids, tokens and serials.
        clock: monotonic seconds for the rate window (inject a fake clock in tests).
        wall_clock: Unix seconds for ``created_at``, ids and certificate validity.
        record_requests: keep every request in :attr:`requests` (turn off for huge runs).
    """

    def __init__(
        self,
        api_key: str = "test",
        *,
        base_url: str = DEFAULT_BASE_URL,
        faults: Faults | None = None,
        seed: int | str | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        record_requests: bool = True,
    ) -> None:
        if not isinstance(api_key, str) or not api_key or api_key != api_key.strip():
            raise ValueError("api_key must be a non-empty string without surrounding spaces")
        url = httpx.URL(base_url)
        if url.scheme not in ("http", "https") or not url.host:
            raise ValueError(f"base_url must be an absolute http(s) URL, got {base_url!r}")
        self._api_key = api_key
        self.base_url: str = str(url).rstrip("/")
        self._base_path = url.path.rstrip("/")
        self.faults = faults if faults is not None else Faults()
        self.record_requests = record_requests
        self._wall_clock = wall_clock
        self._data_rng = random.Random(None if seed is None else f"ngrok-fake-data:{seed}")
        self._ids = IdGenerator(self._data_rng)
        self.user_id: str = "usr_" + self._ids.token(27)
        self._gate = FaultGate(clock, random.Random(seed))
        self._store = Store()
        self._router = Router(
            api_key=api_key,
            store=self._store,
            make_context=self._context,
            now=lambda: self._wall_clock(),
        )
        self.stats: FakeStats = FakeStats()
        self.requests: list[RecordedRequest] = []
        self._app = asgi_app(self._handle, base_url=None)
        self._transport = httpx.ASGITransport(
            app=asgi_app(self._handle, base_url=self.base_url, in_process=True),
            root_path=self._base_path,
        )

    # -- configuration and inspection ----------------------------------------------------

    @property
    def api_key(self) -> str:
        return self._api_key

    @property
    def faults(self) -> Faults:
        return self._faults

    @faults.setter
    def faults(self, value: Faults) -> None:
        if not isinstance(value, Faults):
            raise TypeError(f"faults must be a Faults instance, got {type(value).__name__}")
        self._faults = value

    @property
    def store(self) -> Store:
        """The stored resources (see :meth:`resources` for their API representation)."""
        return self._store

    def resources(self, kind: str) -> list[dict[str, Any]]:
        """Every stored resource of ``kind``, oldest first, as GET would return it.

        ``kind`` is the collection's path without the leading ``/``: ``"credentials"``,
        ``"edges/https"``, ``"edges/https/<edge id>/routes"``.
        """
        spec = self._kind(kind)
        kinds = self._router.kinds
        return [kinds.render(spec, record, self.base_url) for record in self._store.all(kind)]

    def add_resource(self, kind: str, **fields: Any) -> dict[str, Any]:
        """Store a resource of ``kind`` as the API would hold it and return it as GET would.

        For what the API creates itself (``tunnel_sessions``, ``tunnels``, ``app/users``, ...):
        ``fields`` are wire fields, stored as given; ``id`` and ``created_at`` are made here
        unless given.
        """
        spec = self._kind(kind)
        now = self._wall_clock()
        ident = fields.pop("id", None) or self._ids.new(spec.prefix, now)
        created_at = fields.pop("created_at", None) or format_timestamp(now)
        record = Record(kind=kind, id=ident, created_at=created_at, fields=fields)
        self._store.add(record)
        return self._router.kinds.render(spec, record, self.base_url)  # type: ignore[no-any-return]

    def _kind(self, kind: str) -> AnyKind:
        template = self._router.kinds.template_of(kind)
        if template is None:
            known = ", ".join(self._router.kinds.templates)
            raise ValueError(f"unknown kind {kind!r}; expected one of {known}")
        return self._router.kinds.kind(template)

    def reset(self) -> None:
        """Forget resources, recorded requests, counters and the rate window (not ``faults``)."""
        self._store.clear()
        self.reset_counters()

    def reset_counters(self) -> None:
        """Forget recorded requests, counters and the rate window; keep the resources."""
        self.requests.clear()
        self.stats = FakeStats()
        self._gate.reset()

    def client(self, **kwargs: Any) -> AsyncClient:
        """An ``ngrok_async.AsyncClient`` wired to this fake (extra keywords pass through)."""
        from .. import AsyncClient

        return AsyncClient(api_key=self.api_key, base_url=self.base_url, transport=self, **kwargs)

    def serve(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        ssl_context: ssl.SSLContext | None = None,
    ) -> contextlib.AbstractAsyncContextManager[str]:
        """Serve this fake on a real socket with Hypercorn; yields the base URL.

        ``async with fake.serve() as url:`` — ``uri`` and ``next_page_uri`` in responses use
        ``url``, so any HTTP client can follow them. ``ssl_context`` (a server context with
        its certificate loaded) serves https. Closes every connection on exit. Needs the
        ``fake-server`` extra (``pip install 'ngrok-async[fake-server]'``).
        """

        def make_app(url: str) -> Any:
            return asgi_app(self._handle, base_url=url)

        return serve_asgi(make_app, host=host, port=port, ssl_context=ssl_context)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """The ASGI application: ``uri`` fields are built on the request's scheme and host."""
        await self._app(scope, receive, send)

    def __repr__(self) -> str:
        return f"FakeNgrok(base_url={self.base_url!r}, faults={self.faults!r})"

    # -- the transport -----------------------------------------------------------------

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await self._transport.handle_async_request(request)
        except Dropped:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response.", request=request
            ) from None

    # -- the pipeline both entry points share ------------------------------------------

    async def _handle(self, request: FakeRequest, base_url: str) -> FakeResponse | None:
        """Answer one request, or return ``None`` to drop the connection."""
        stats = self.stats
        stats.requests += 1
        if self.record_requests:
            self.requests.append(_record(request))
        faults = self._faults
        try:
            self._router.check_headers(request.headers)
            rolls = self._gate.admit(faults, stats)
        except FakeAPIError as exc:
            return self._respond(wire.error(exc, self._operation_id()))
        try:
            if faults.latency:
                await anyio.sleep(faults.latency)
            if rolls.unavailable:
                stats.faults["unavailable"] += 1
                unavailable = FakeAPIError(503, codes.UNAVAILABLE, "Service Unavailable")
                return self._respond(wire.error(unavailable, self._operation_id()))
            try:
                outcome = self._router.route(request, base_url)
            except FakeAPIError as exc:
                response = wire.error(exc, self._operation_id())
            else:
                if outcome.created_kind is not None:
                    stats.created[outcome.created_kind] += 1
                response = wire.success(outcome)
            if rolls.bad_gateway:
                stats.faults["bad_gateway"] += 1
                bad_gateway = FakeAPIError(502, codes.BAD_GATEWAY, "Bad Gateway")
                return self._respond(wire.error(bad_gateway, self._operation_id()))
            if rolls.drop:
                stats.faults["drop"] += 1
                return None
            return self._respond(response)
        finally:
            self._gate.release()

    def _respond(self, response: FakeResponse) -> FakeResponse:
        self.stats.responses[response.status] += 1
        return response

    def _operation_id(self) -> str:
        return "op_" + self._ids.token(27)

    def _context(self, prefix: str) -> CreateContext:
        now = self._wall_clock()
        return CreateContext(
            new_id=self._ids.new(prefix, now),
            now=int(now),
            user_id=self.user_id,
            token=self._ids.token,
            serial=lambda: self._data_rng.getrandbits(64),
            lookup=self._store.get,
        )


def _record(request: FakeRequest) -> RecordedRequest:
    headers = dict(request.headers)
    if "authorization" in headers:
        headers["authorization"] = "[redacted]"
    try:
        parsed = json.loads(request.body) if request.body else None
    except ValueError:
        parsed = None
    return RecordedRequest(
        method=request.method,
        path=request.path,
        query=dict(request.query),
        headers=headers,
        json=parsed,
    )
