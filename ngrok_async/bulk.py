"""Bulk creation: the one engine behind ``create_many`` on the credential and SSH services.

::

    requests = (SSHUserCertificateRequest(ca.id, key, principals=["deploy"]) for key in keys)
    async with ngrok.ssh_user_certificates.create_many(requests, reconcile=True) as results:
        async for result in results:  # in completion order, exactly one per request
            print(result.index, result.outcome.value, result.record or result.error)

``concurrency`` workers pull requests lazily (sync or async iterables) and share the client's
limiter. Each request ends in one :class:`BulkResult`: ``CREATED`` (``record`` set),
``NOT_CREATED`` (nothing exists; safe to create again) or ``UNKNOWN`` (it may exist).
``reconcile=True`` lets the SDK add ``"ngrok_async_bulk": "<run_id>:<index>"`` to each
request's JSON ``metadata`` so that an ambiguous failure is settled by listing newest first
(:mod:`ngrok_async._reconcile`). Results are read inside ``async with``: a task group must not
stay open across the ``yield`` of an async generator (PEP 789). README "Bulk issuance" has
the details.
"""

from __future__ import annotations

import contextlib
import enum
import secrets
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Mapping,
)
from datetime import datetime, timedelta, timezone
from types import TracebackType
from typing import Any, Generic, TypeVar

import anyio
import attrs
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from ._errors import InvalidParameterError, NgrokError
from ._reconcile import MARKER_KEY, M, Marked, Reconciler, add_marker, read_marker
from ._reconcile import verdict as judge

__all__ = [
    "DEFAULT_CLOCK_SKEW",
    "MARKER_KEY",
    "BulkCancelledError",
    "BulkOps",
    "BulkProgress",
    "BulkResult",
    "BulkRun",
    "Marked",
    "Outcome",
    "add_marker",
    "read_marker",
]

DEFAULT_CLOCK_SKEW = timedelta(minutes=5)
"""How far before a failed attempt reconciliation lists back (client/server clock skew)."""

Q = TypeVar("Q")
R = TypeVar("R")


class Outcome(enum.Enum):
    """How one request ended."""

    CREATED = "created"
    NOT_CREATED = "not_created"
    UNKNOWN = "unknown"


class BulkCancelledError(NgrokError):
    """The bulk run stopped (``break``, an exception, a cancel, ``stop()``) before this request
    finished; with outcome ``UNKNOWN`` its create was on the wire."""


@attrs.frozen(slots=True)
class BulkResult(Generic[Q, R]):
    """The result for the request at ``index`` (its position in the input)."""

    index: int
    request: Q
    outcome: Outcome
    record: R | None = None
    error: NgrokError | None = None
    attempts: int = 0
    """Create requests sent (0 when it failed local validation)."""
    reconciled: bool = False
    """True when the outcome was settled by listing after an ambiguous failure."""

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.CREATED


@attrs.frozen(slots=True)
class BulkProgress:
    """Counters of one run, as passed to ``on_progress`` and read from ``BulkRun.progress``."""

    pulled: int = 0
    in_flight: int = 0
    created: int = 0
    not_created: int = 0
    unknown: int = 0
    reconciled: int = 0
    retried: int = 0

    @property
    def done(self) -> int:
        return self.created + self.not_created + self.unknown


@attrs.frozen(slots=True)
class BulkOps(Generic[Q, R]):
    """What the engine needs from a service (built by the services' ``create_many``)."""

    body: Callable[[Q], dict[str, Any]]
    """Validate a request into a create body; raises InvalidParameterError."""
    create: Callable[[dict[str, Any]], Awaitable[R]]
    newest_first: Callable[[], AsyncIterator[R]]
    same: Callable[[Mapping[str, Any], R], bool]
    """Whether a listed record carrying the request's marker matches its body."""


@attrs.define(slots=True)
class _Counters:
    pulled: int = 0
    in_flight: int = 0
    created: int = 0
    not_created: int = 0
    unknown: int = 0
    reconciled: int = 0
    retried: int = 0

    def snapshot(self) -> BulkProgress:
        return BulkProgress(**attrs.asdict(self))


class _Job(Generic[Q]):
    __slots__ = ("attempts", "index", "request", "sent")

    def __init__(self, index: int, request: Q) -> None:
        self.index = index
        self.request = request
        self.attempts = 0
        self.sent = False  # a create may be on the wire or done, unconfirmed


class BulkRun(Generic[Q, M]):
    """One bulk run: ``async with`` starts it and yields this object to iterate results on.

    Args: ``concurrency`` requests in flight; ``reconcile`` allows the metadata marker;
    ``max_attempts`` creates per request while earlier ones provably created nothing;
    ``reconcile_delay`` seconds before listing; ``clock_skew`` how far before a failed attempt
    to list back; ``on_progress`` called with a :class:`BulkProgress` after each result.
    """

    def __init__(
        self,
        requests: Iterable[Q] | AsyncIterable[Q],
        ops: BulkOps[Q, M],
        *,
        concurrency: int = 8,
        reconcile: bool = False,
        max_attempts: int = 3,
        reconcile_delay: float = 1.0,
        clock_skew: timedelta = DEFAULT_CLOCK_SKEW,
        on_progress: Callable[[BulkProgress], object] | None = None,
    ) -> None:
        _positive_int("concurrency", concurrency)
        _positive_int("max_attempts", max_attempts)
        if not isinstance(reconcile, bool):
            raise InvalidParameterError("reconcile", "must be a bool")
        if type(reconcile_delay) not in (int, float) or not 0 <= reconcile_delay < float("inf"):
            raise InvalidParameterError("reconcile_delay", "must be finite seconds >= 0")
        if not isinstance(clock_skew, timedelta) or clock_skew < timedelta(0):
            raise InvalidParameterError("clock_skew", "must be a timedelta >= 0")
        if on_progress is not None and not callable(on_progress):
            raise InvalidParameterError("on_progress", "must be callable or None")
        if not isinstance(requests, (Iterable, AsyncIterable)) or isinstance(requests, str):
            raise InvalidParameterError("requests", "must be an iterable or async iterable")
        self.run_id = secrets.token_hex(8)
        self._requests = requests
        self._ops = ops
        self._concurrency = concurrency
        self._max_attempts = max_attempts
        self._on_progress = on_progress
        self._reconciler = (
            Reconciler(ops.newest_first, ops.same, delay=reconcile_delay, skew=clock_skew)
            if reconcile
            else None
        )
        self._counters = _Counters()
        self._leftover: list[BulkResult[Q, M]] = []
        self._failure: BaseException | None = None
        self._stopped = False
        self._state = "new"

    # -- the caller's side ---------------------------------------------------------------

    @property
    def progress(self) -> BulkProgress:
        return self._counters.snapshot()

    @property
    def unfinished(self) -> tuple[BulkResult[Q, M], ...]:
        """After the block: results never yielded (completed but unread, or abandoned with a
        :class:`BulkCancelledError`: ``UNKNOWN`` if its create was sent), by index."""
        return tuple(sorted(self._leftover, key=lambda result: result.index))

    def stop(self) -> None:
        """Pull no more requests: those in flight finish and are yielded; one already pulled
        but not started goes to :attr:`unfinished` as ``NOT_CREATED``."""
        self._stopped = True
        if self._state == "running":
            self._feed_scope.cancel()

    def marker(self, index: int) -> str:
        """The marker written for the request at ``index`` when ``reconcile=True``."""
        return f"{self.run_id}:{index}"

    async def __aenter__(self) -> BulkRun[Q, M]:
        if self._state != "new":
            raise RuntimeError("a BulkRun can be entered only once")
        self._feed_scope = anyio.CancelScope()
        self._work_scope = anyio.CancelScope()
        self._send, self._receive = anyio.create_memory_object_stream[BulkResult[Q, M]](
            self._concurrency
        )
        self._group = anyio.create_task_group()
        await self._group.__aenter__()
        self._state = "running"
        self._group.start_soon(self._run)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # Our tasks never raise, so the group adds nothing to (and never wraps) the caller's
        # exception, which propagates unchanged.
        self._group.cancel_scope.cancel()
        try:
            await self._group.__aexit__(None, None, None)
        finally:
            self._state = "closed"
            while True:
                try:
                    self._leftover.append(self._receive.receive_nowait())
                except (anyio.WouldBlock, anyio.EndOfStream, anyio.ClosedResourceError):
                    break
            self._receive.close()

    def __aiter__(self) -> BulkRun[Q, M]:
        if self._state != "running":
            raise TypeError(
                "iterate a bulk run inside its block: "
                "`async with service.create_many(requests) as results: async for r in results:`"
            )
        return self

    async def __anext__(self) -> BulkResult[Q, M]:
        try:
            return await self._receive.receive()
        except (anyio.EndOfStream, anyio.ClosedResourceError):
            if self._failure is not None:
                failure, self._failure = self._failure, None
                raise failure from None
            raise StopAsyncIteration from None

    # -- the engine ----------------------------------------------------------------------

    async def _run(self) -> None:
        items_send, items_receive = anyio.create_memory_object_stream[tuple[int, Q]](0)
        with self._send:
            try:
                async with anyio.create_task_group() as group:
                    if self._reconciler is not None:
                        group.start_soon(self._reconciler.run)
                    with self._work_scope:
                        async with anyio.create_task_group() as workers:
                            workers.start_soon(self._feed, items_send)
                            with items_receive:
                                for _ in range(self._concurrency):
                                    workers.start_soon(
                                        self._work, items_receive.clone(), self._send.clone()
                                    )
                    group.cancel_scope.cancel()  # the reconciler
            except Exception as exc:  # a bug: surface it to the caller's loop, never the group
                self._failure = exc

    async def _feed(self, send: MemoryObjectSendStream[tuple[int, Q]]) -> None:
        held: tuple[int, Q] | None = None
        with send, self._feed_scope:
            if self._stopped:
                return
            try:
                index = 0
                async with contextlib.aclosing(_pull(self._requests)) as pulled:
                    async for request in pulled:
                        held = (index, request)
                        self._counters.pulled += 1
                        await send.send(held)
                        held = None
                        index += 1
            except Exception as exc:  # the caller's iterable failed: finish, then raise it
                self._failure = exc
            finally:
                if held is not None:
                    self._leftover.append(self._abandoned(_Job(*held)))

    async def _work(
        self,
        items: MemoryObjectReceiveStream[tuple[int, Q]],
        results: MemoryObjectSendStream[BulkResult[Q, M]],
    ) -> None:
        with items, results:
            try:
                async for index, request in items:
                    result = await self._one(_Job(index, request))
                    try:
                        if self._on_progress is not None:
                            self._on_progress(self._counters.snapshot())
                        await results.send(result)
                    except BaseException:
                        self._leftover.append(result)
                        raise
            except Exception as exc:  # a bug or a raising on_progress: stop everything
                self._failure = exc
                self._work_scope.cancel()

    async def _one(self, job: _Job[Q]) -> BulkResult[Q, M]:
        counters = self._counters
        counters.in_flight += 1
        try:
            result = await self._settle(job)
        except BaseException:
            self._leftover.append(self._abandoned(job))
            raise
        finally:
            counters.in_flight -= 1
        if result.outcome is Outcome.CREATED:
            counters.created += 1
            counters.reconciled += result.reconciled
        elif result.outcome is Outcome.NOT_CREATED:
            counters.not_created += 1
        else:
            counters.unknown += 1
        return result

    async def _settle(self, job: _Job[Q]) -> BulkResult[Q, M]:
        def done(outcome: Outcome, **fields: Any) -> BulkResult[Q, M]:
            return BulkResult(job.index, job.request, outcome, attempts=job.attempts, **fields)

        try:
            body = self._ops.body(job.request)
            if self._reconciler is not None:
                body["metadata"] = add_marker(body.get("metadata", ""), self.marker(job.index))
        except InvalidParameterError as exc:
            return done(Outcome.NOT_CREATED, error=exc)
        while True:
            job.attempts += 1
            job.sent = True
            sent_at = datetime.now(timezone.utc)
            try:
                return done(Outcome.CREATED, record=await self._ops.create(body))
            except NgrokError as exc:
                error = exc
            verdict = judge(error)
            if verdict == "ambiguous":
                if self._reconciler is None:
                    return done(Outcome.UNKNOWN, error=error)
                lookup = await self._reconciler.find(self.marker(job.index), body, sent_at)
                if lookup.record is not None:
                    return done(Outcome.CREATED, record=lookup.record, reconciled=True)
                if lookup.error is not None:  # the listing itself kept failing
                    return done(Outcome.UNKNOWN, error=error)
            job.sent = False
            if verdict == "rejected" or job.attempts >= self._max_attempts:
                reconciled = verdict == "ambiguous"
                return done(Outcome.NOT_CREATED, error=error, reconciled=reconciled)
            self._counters.retried += 1

    def _abandoned(self, job: _Job[Q]) -> BulkResult[Q, M]:
        outcome = Outcome.UNKNOWN if job.sent else Outcome.NOT_CREATED
        error = BulkCancelledError(f"the bulk run stopped before request {job.index} finished")
        return BulkResult(job.index, job.request, outcome, error=error, attempts=job.attempts)


async def _pull(requests: Iterable[Q] | AsyncIterable[Q]) -> AsyncGenerator[Q, None]:
    if isinstance(requests, AsyncIterable):
        async for request in requests:
            yield request
    else:
        for request in requests:
            yield request


def _positive_int(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidParameterError(name, f"must be an int >= 1, got {value!r}")
