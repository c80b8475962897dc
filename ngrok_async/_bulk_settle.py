"""Settling one request of a bulk run: validate it, claim its journal row, create it (with
retries while earlier attempts provably created nothing), settle doubts by the marker, and
record the outcome."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from datetime import datetime, timezone
from typing import Any, Generic, TypeVar

import anyio
import attrs

from ._bulk_journal import claim, digest, journal_record, wait_seconds
from ._bulk_results import BulkCancelledError, BulkResult, Created, NotCreated, Unknown, _Counters
from ._errors import InvalidParameterError, NgrokError
from ._journal import Journal
from ._reconcile import M, Reconciler, add_marker
from ._reconcile import verdict as judge

Q = TypeVar("Q")
R = TypeVar("R")
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


@attrs.frozen(slots=True)
class BulkOps(Generic[Q, R]):
    """What the engine needs from a service (built by the services' ``create_many``)."""

    body: Callable[[Q], dict[str, Any]]
    """Validate a request into a create body; raises InvalidParameterError."""
    create: Callable[[dict[str, Any]], Awaitable[R]]
    newest_first: Callable[[str | None], AsyncIterator[R]]
    """List newest first, with an optional API ``filter=`` expression."""
    same: Callable[[Mapping[str, Any], R], bool]
    """Whether a listed record carrying the request's marker matches its body."""
    decode: Callable[[Any], R] | None = None
    """API JSON to a record (for records kept in a journal)."""
    job: str = "bulk"
    """Names the collection in a journal, so a journal of another one is refused."""


class Job(Generic[Q]):
    """One request pulled by a worker, and what is known about it so far."""

    __slots__ = ("attempts", "body", "deferred", "digest", "index", "key", "request", "sent")

    def __init__(self, index: int, request: Q) -> None:
        self.index = index
        self.request = request
        self.key = str(index)
        self.attempts = 0
        self.sent = False  # a create may be on the wire or done, unconfirmed
        self.deferred = False  # another run held its row: now wait for it
        self.body: dict[str, Any] | None = None
        self.digest = ""


class Settler(Generic[Q, M]):
    """Turns each request into its one result (the bulk run's workers call :meth:`settle`)."""

    def __init__(
        self,
        ops: BulkOps[Q, M],
        *,
        journal: Journal | None,
        reconciler: Reconciler[M] | None,
        max_attempts: int,
        key: Callable[[Q], str] | None,
        on_created: Callable[[M], object] | None,
        counters: _Counters,
        run_id: str,
    ) -> None:
        self._ops = ops
        self._journal = journal
        self._reconciler = reconciler
        self._max_attempts = max_attempts
        self._key = key
        self._on_created = on_created
        self.counters = counters
        self.run_id = run_id
        self._keys: set[str] = set()

    async def settle(self, job: Job[Q]) -> BulkResult[Q, M] | None:
        """The request's result, or None to defer it (another run holds its row)."""
        if job.body is None:
            try:
                job.body = self._prepare(job)
            except InvalidParameterError as exc:
                return NotCreated(job.index, job.request, error=exc, attempts=job.attempts)
        body, marker = job.body, f"{self.run_id}:{job.key}"
        journal = self._journal
        while journal is not None:
            taken = await claim(journal, job.key, job.digest)
            entry = taken.entry
            if entry is not None and entry.state == "created" and self._ops.decode is not None:
                record = self._ops.decode(entry.record)
                return Created(job.index, job.request, record=record, resumed=True)
            if not taken.ours:  # another live run holds it
                if not job.deferred:
                    return None
                await anyio.sleep(wait_seconds(journal))
                continue
            if entry is not None and entry.state == "sent" and entry.sent_at is not None:
                job.sent = True  # in doubt since a run that did not finish
                found = await self._found(job, marker, body, entry.sent_at)
                if found is not None:
                    return found
                job.sent = False
            result = await self._send(job, body, marker, journal)
            if result is not None:
                return result
            job.deferred = True  # the claim lapsed before sending: wait for its new holder
        return await self._send(job, body, marker, None)

    def _prepare(self, job: Job[Q]) -> dict[str, Any]:
        """Validate the request into its create body, with its key, digest and marker."""
        body = self._ops.body(job.request)
        if self._key is not None:
            job.key = self._key(job.request)
            if not isinstance(job.key, str) or not job.key:
                raise InvalidParameterError("key", f"must return a non-empty str: {job.key!r}")
        if job.key in self._keys:
            raise InvalidParameterError("key", f"two requests have the key {job.key!r}")
        self._keys.add(job.key)
        job.digest = digest(body) if self._journal is not None else ""
        if self._reconciler is not None:
            body["metadata"] = add_marker(body.get("metadata", ""), f"{self.run_id}:{job.key}")
        return body

    async def _send(
        self, job: Job[Q], body: dict[str, Any], marker: str, journal: Journal | None
    ) -> BulkResult[Q, M] | None:
        """Create until it ends; None if the journal's claim lapsed before a send."""

        def failed(error: NgrokError, reconciled: bool = False) -> NotCreated[Q]:
            return NotCreated(
                job.index, job.request, error=error, attempts=job.attempts, reconciled=reconciled
            )

        while True:
            sent_at = datetime.now(timezone.utc) if self._reconciler is not None else _EPOCH
            if journal is not None and not await journal.sent(job.key, sent_at):
                return None
            job.attempts += 1
            job.sent = True
            try:
                return await self._created(job, await self._ops.create(body))
            except NgrokError as exc:
                error = exc
            verdict = judge(error)
            if verdict == "ambiguous":
                if self._reconciler is None:
                    return Unknown(job.index, job.request, error=error, attempts=job.attempts)
                found = await self._found(job, marker, body, sent_at, error)
                if found is not None:
                    return found
            if verdict == "rejected" or job.attempts >= self._max_attempts:
                if journal is not None:
                    await journal.not_created(job.key)
                job.sent = False
                return failed(error, reconciled=verdict == "ambiguous")
            job.sent = False
            self.counters.retried += 1

    async def _found(
        self,
        job: Job[Q],
        marker: str,
        body: Mapping[str, Any],
        sent_at: datetime,
        error: NgrokError | None = None,
    ) -> BulkResult[Q, M] | None:
        """Settle an in-doubt create by its marker: the result, or None when proven absent."""
        assert self._reconciler is not None
        lookup = await self._reconciler.find(marker, body, sent_at)
        if lookup.record is not None:
            return await self._created(job, lookup.record, reconciled=True)
        if lookup.error is not None:  # the listing itself kept failing
            return Unknown(
                job.index, job.request, error=error or lookup.error, attempts=job.attempts
            )
        return None

    async def _created(self, job: Job[Q], record: M, *, reconciled: bool = False) -> Created[Q, M]:
        if self._on_created is not None:
            done = self._on_created(record)
            if inspect.isawaitable(done):
                await done
        if self._journal is not None:
            await self._journal.created(job.key, journal_record(record))
        return Created(
            job.index, job.request, record=record, attempts=job.attempts, reconciled=reconciled
        )

    def abandoned(self, job: Job[Q]) -> BulkResult[Q, M]:
        error = BulkCancelledError(f"the bulk run stopped before request {job.index} finished")
        if job.sent:
            return Unknown(job.index, job.request, error=error, attempts=job.attempts)
        return NotCreated(job.index, job.request, error=error, attempts=job.attempts)
