"""Bulk creation: the one engine behind ``create_many`` on the credential and SSH services.

::

    requests = (SSHUserCertificateRequest(ca.id, key, principals=["deploy"]) for key in keys)
    async with ngrok.ssh_user_certificates.create_many(requests, reconcile=True) as results:
        async for result in results:  # in completion order, exactly one per request
            if result.ok:
                print(result.index, result.record.id)  # narrowed: record is set
            else:
                print(result.index, result.outcome.value, result.error)

``concurrency`` workers pull requests lazily (sync or async iterables; a worker pulls only when
it is free) and share the client's limiter. Each request ends in one :data:`BulkResult`:
``Created`` (``record`` set), ``NotCreated`` (nothing exists; safe to create again) or
``Unknown`` (it may exist). ``reconcile=True`` lets the SDK add ``"ngrok_async_bulk":
"<run_id>:<key>"`` to each request's JSON ``metadata`` so that an ambiguous failure is settled
by listing newest first (:mod:`ngrok_async._reconcile`). ``journal=`` (a path or a
:class:`~ngrok_async.journal.Journal`) makes the run resumable after a crash and implies the
marker; see :mod:`ngrok_async.journal`. Results are read inside ``async with``: a task group
must not stay open across the ``yield`` of an async generator (PEP 789).
"""

from __future__ import annotations

import collections
import os
import secrets
from collections.abc import AsyncIterable, Callable, Iterable
from datetime import datetime, timedelta, timezone
from types import TracebackType
from typing import Any, Generic, TypeVar

import anyio
import anyio.lowlevel

from ._bulk_journal import journal_of, keep_claims
from ._bulk_results import (
    BulkCancelledError,
    BulkProgress,
    BulkResult,
    Created,
    NotCreated,
    Outcome,
    Unknown,
    _Counters,
    _Results,
)
from ._bulk_settle import BulkOps, Job, Settler
from ._errors import InvalidParameterError
from ._journal import Journal
from ._reconcile import MARKER_KEY, M, Marked, Reconciler, add_marker, read_marker
from ._types import DEFAULT_CLOCK_SKEW

__all__ = [
    "DEFAULT_CLOCK_SKEW",
    "MARKER_KEY",
    "BulkCancelledError",
    "BulkOps",
    "BulkProgress",
    "BulkResult",
    "BulkRun",
    "Created",
    "Marked",
    "NotCreated",
    "Outcome",
    "Unknown",
    "add_marker",
    "read_marker",
]


Q = TypeVar("Q")
R = TypeVar("R")
T = TypeVar("T")
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


class BulkRun(Generic[Q, M]):
    """One bulk run: ``async with`` starts it and yields this object to iterate results on.

    Args: ``concurrency`` requests in flight; ``reconcile`` allows the metadata marker;
    ``max_attempts`` creates per request while earlier ones provably created nothing;
    ``reconcile_delay`` seconds before listing; ``clock_skew`` how far before a failed attempt
    to list back; ``on_progress`` called with a :class:`BulkProgress` after each result;
    ``journal`` a path (an SQLite journal) or a :class:`~ngrok_async.journal.Journal` that
    makes the run resumable (it implies ``reconcile``); ``key`` a request's stable key in the
    journal (default: its index; pass one when inputs are reordered or filtered between
    runs); ``on_created`` called (or awaited) with each new record before the journal marks
    it done: the one place a once-only ``token`` can be kept.
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
        journal: Journal | str | os.PathLike[str] | None = None,
        key: Callable[[Q], str] | None = None,
        on_created: Callable[[M], object] | None = None,
    ) -> None:
        _positive_int("concurrency", concurrency)
        _positive_int("max_attempts", max_attempts)
        if not isinstance(reconcile, bool):
            raise InvalidParameterError("reconcile", "must be a bool")
        if type(reconcile_delay) not in (int, float) or not 0 <= reconcile_delay < float("inf"):
            raise InvalidParameterError("reconcile_delay", "must be finite seconds >= 0")
        if not isinstance(clock_skew, timedelta) or clock_skew < timedelta(0):
            raise InvalidParameterError("clock_skew", "must be a timedelta >= 0")
        for name, hook in (("on_progress", on_progress), ("key", key), ("on_created", on_created)):
            if hook is not None and not callable(hook):
                raise InvalidParameterError(name, "must be callable or None")
        if not isinstance(requests, (Iterable, AsyncIterable)) or isinstance(requests, str):
            raise InvalidParameterError("requests", "must be an iterable or async iterable")
        journal = journal_of(journal)
        if journal is not None and ops.decode is None:
            raise InvalidParameterError("journal", "this service cannot keep records in one")
        self._requests = requests
        self._ops = ops
        self._concurrency = concurrency
        self._on_progress = on_progress
        self._journal = journal
        self._deferred: collections.deque[Job[Q]] = collections.deque()
        self._reconciler = (
            Reconciler(ops.newest_first, ops.same, delay=reconcile_delay, skew=clock_skew)
            if reconcile or journal is not None
            else None
        )
        self._counters = _Counters()
        self._settler = Settler(
            ops,
            journal=journal,
            reconciler=self._reconciler,
            max_attempts=max_attempts,
            key=key,
            on_created=on_created,
            counters=self._counters,
            run_id=secrets.token_hex(8),
        )
        self._leftover: list[BulkResult[Q, M]] = []
        self._failure: BaseException | None = None
        self._stopped = False
        self._exhausted = False
        self._pulling: anyio.CancelScope | None = None
        self._state = "new"

    # -- the caller's side ---------------------------------------------------------------

    @property
    def run_id(self) -> str:
        """The marker prefix: random per run, or the journal's (stable across resumes)."""
        return self._settler.run_id

    @property
    def progress(self) -> BulkProgress:
        return self._counters.snapshot()

    @property
    def unfinished(self) -> tuple[BulkResult[Q, M], ...]:
        """After the block: results never yielded (completed but unread, or abandoned with a
        :class:`BulkCancelledError`: ``UNKNOWN`` if its create was sent), by index."""
        return tuple(sorted(self._leftover, key=lambda result: result.index))

    def stop(self) -> None:
        """Pull no more requests: those in flight finish and are yielded."""
        self._stopped = True
        if self._pulling is not None:
            self._pulling.cancel()

    def marker(self, index: int) -> str:
        """The marker written for the request at ``index`` (default keys; with a journal,
        ``run_id`` is the journal's)."""
        return f"{self.run_id}:{index}"

    async def __aenter__(self) -> BulkRun[Q, M]:
        if self._state != "new":
            raise RuntimeError("a BulkRun can be entered only once")
        self._work_scope = anyio.CancelScope()
        self._results: _Results[BulkResult[Q, M]] = _Results(self._concurrency)
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
            self._leftover.extend(self._results.drain())
            self._leftover.extend(self._settler.abandoned(job) for job in self._deferred)
            self._deferred.clear()

    def __aiter__(self) -> BulkRun[Q, M]:
        if self._state != "running":
            raise TypeError(
                "iterate a bulk run inside its block: "
                "`async with service.create_many(requests) as results: async for r in results:`"
            )
        return self

    async def __anext__(self) -> BulkResult[Q, M]:
        result = await self._results.get()
        if result is not None:
            return result
        if self._failure is not None:
            failure, self._failure = self._failure, None
            raise failure from None
        raise StopAsyncIteration

    # -- the engine ----------------------------------------------------------------------

    async def _run(self) -> None:
        journal = self._journal
        try:
            if journal is not None:  # opened and closed in this task (a Redis client's rule)
                self._settler.run_id = await journal.open(self._ops.job)
            if isinstance(self._requests, AsyncIterable):
                source: Any = aiter(self._requests)
                pull_lock: anyio.Lock | None = anyio.Lock()
            else:
                source, pull_lock = iter(self._requests), None
            async with anyio.create_task_group() as group:
                if self._reconciler is not None:
                    group.start_soon(self._reconciler.run)
                if journal is not None:
                    group.start_soon(keep_claims, journal, self._fail)
                with self._work_scope:
                    async with anyio.create_task_group() as workers:
                        for _ in range(self._concurrency):
                            workers.start_soon(self._work, source, pull_lock)
                group.cancel_scope.cancel()  # the reconciler and the claims' heartbeat
        except Exception as exc:  # a bug or a journal failure: surface it to the caller's loop
            self._failure = exc
        finally:
            if journal is not None:  # not shielded here: a client's cancel scopes must nest
                try:
                    await journal.aclose()
                except Exception as exc:
                    self._failure = self._failure or exc
            self._results.close()

    def _fail(self, exc: Exception) -> None:
        """Stop everything: a bug, a journal failure or a raising hook."""
        self._failure = exc
        self._work_scope.cancel()

    async def _pull(self, source: Any, lock: anyio.Lock | None) -> Job[Q] | None:
        """The next request, then the ones deferred because another run held them."""
        job = await self._pull_new(source, lock)
        if job is None and self._deferred:
            job = self._deferred.popleft()
            job.deferred = True
        return job

    async def _pull_new(self, source: Any, lock: anyio.Lock | None) -> Job[Q] | None:
        if lock is None:
            if self._exhausted or self._stopped:
                return None
            try:
                request = next(source)
            except StopIteration:
                request = self._end()
            except Exception as exc:  # the caller's iterable failed: finish, then raise it
                request = self._end(exc)
        else:
            async with lock:
                if self._exhausted or self._stopped:
                    return None
                with anyio.CancelScope() as self._pulling:
                    try:
                        request = await anext(source)
                    except StopAsyncIteration:
                        request = self._end()
                    except Exception as exc:
                        request = self._end(exc)
                self._pulling = None
                if self._stopped:
                    return None
        if self._exhausted:
            return None
        job = Job(self._counters.pulled, request)
        self._counters.pulled += 1
        return job

    def _end(self, failure: Exception | None = None) -> Any:
        self._exhausted = True
        if failure is not None:
            self._failure = failure

    async def _work(self, source: Any, lock: anyio.Lock | None) -> None:
        try:
            while (job := await self._pull(source, lock)) is not None:
                result = await self._one(job)
                if result is None:  # another run holds it: come back to it at the end
                    self._deferred.append(job)
                    continue
                try:
                    if self._on_progress is not None:
                        self._on_progress(self._counters.snapshot())
                    await self._results.put(result)
                except BaseException:
                    self._leftover.append(result)
                    raise
        except Exception as exc:
            self._fail(exc)

    async def _one(self, job: Job[Q]) -> BulkResult[Q, M] | None:
        counters = self._counters
        counters.in_flight += 1
        try:
            result = await self._settler.settle(job)
        except BaseException:
            self._leftover.append(self._settler.abandoned(job))
            raise
        finally:
            counters.in_flight -= 1
        if result is None:
            return None
        if result.ok:
            counters.created += 1
            counters.reconciled += result.reconciled
            counters.resumed += result.resumed
        elif result.outcome is Outcome.NOT_CREATED:
            counters.not_created += 1
        else:
            counters.unknown += 1
        return result


def _positive_int(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidParameterError(name, f"must be an int >= 1, got {value!r}")
