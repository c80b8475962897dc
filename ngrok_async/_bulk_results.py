"""What a bulk run yields: one result per request, typed so that ``if result.ok:`` narrows;
its counters; and the bounded channel that carries results to the reader.

``BulkResult[Q, R]`` is ``Created[Q, R] | NotCreated[Q] | Unknown[Q]``: after ``if result.ok:``
a type checker knows ``result.record`` is an ``R``; after ``if not result.ok:`` it knows
``result.error`` is an :class:`~ngrok_async.NgrokError`. Every result has the same attributes.
"""

from __future__ import annotations

import enum
from collections import deque
from typing import Generic, Literal, TypeVar

import anyio
import attrs

from ._errors import NgrokError

Q = TypeVar("Q")
R = TypeVar("R")
T = TypeVar("T")


class Outcome(enum.Enum):
    """How one request ended."""

    CREATED = "created"
    NOT_CREATED = "not_created"
    UNKNOWN = "unknown"


class BulkCancelledError(NgrokError):
    """The bulk run stopped (``break``, an exception, a cancel, ``stop()``) before this request
    finished; with outcome ``UNKNOWN`` its create was on the wire."""


@attrs.frozen(slots=True)
class _Result(Generic[Q]):
    index: int
    """The request's position in the input."""
    request: Q
    attempts: int = attrs.field(default=0, kw_only=True)
    """Create requests sent in this run (0 when it failed local validation or was resumed)."""
    reconciled: bool = attrs.field(default=False, kw_only=True)
    """True when the outcome was settled by listing after an ambiguous failure (or a crash)."""
    resumed: bool = attrs.field(default=False, kw_only=True)
    """True when the record came from the journal of an earlier run (see ``journal=``)."""


@attrs.frozen(slots=True)
class Created(_Result[Q], Generic[Q, R]):
    """The resource exists: ``record`` is what the API returned (or what the journal kept)."""

    record: R = attrs.field(kw_only=True)

    @property
    def outcome(self) -> Literal[Outcome.CREATED]:
        return Outcome.CREATED

    @property
    def ok(self) -> Literal[True]:
        return True

    @property
    def error(self) -> None:
        return None


@attrs.frozen(slots=True)
class _NoRecord(_Result[Q]):
    """What ``NotCreated`` and ``Unknown`` share: an ``error`` and no record."""

    error: NgrokError = attrs.field(kw_only=True)

    @property
    def ok(self) -> Literal[False]:
        return False

    @property
    def record(self) -> None:
        return None


@attrs.frozen(slots=True)
class NotCreated(_NoRecord[Q]):
    """Nothing was created: safe to create again. ``error`` says why."""

    @property
    def outcome(self) -> Literal[Outcome.NOT_CREATED]:
        return Outcome.NOT_CREATED


@attrs.frozen(slots=True)
class Unknown(_NoRecord[Q]):
    """The create may have happened: look before creating again. ``error`` says why."""

    @property
    def outcome(self) -> Literal[Outcome.UNKNOWN]:
        return Outcome.UNKNOWN


BulkResult = Created[Q, R] | NotCreated[Q] | Unknown[Q]
"""The result for one request: ``Created``, ``NotCreated`` or ``Unknown`` (see the module)."""


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
    resumed: int = 0

    @property
    def done(self) -> int:
        return self.created + self.not_created + self.unknown


@attrs.define(slots=True)
class _Counters:
    pulled: int = 0
    in_flight: int = 0
    created: int = 0
    not_created: int = 0
    unknown: int = 0
    reconciled: int = 0
    retried: int = 0
    resumed: int = 0

    def snapshot(self) -> BulkProgress:
        return BulkProgress(**attrs.asdict(self))


class _Results(Generic[T]):
    """A bounded FIFO from the workers to the one consumer: a deque and two events."""

    __slots__ = ("_closed", "_items", "_ready", "_size", "_space")

    def __init__(self, size: int) -> None:
        self._items: deque[T] = deque()
        self._size = size
        self._ready = anyio.Event()
        self._space = anyio.Event()
        self._closed = False

    async def put(self, item: T) -> None:
        while len(self._items) >= self._size:
            if self._space.is_set():
                self._space = anyio.Event()
            await self._space.wait()
        self._items.append(item)
        self._ready.set()

    async def get(self) -> T | None:
        """The next item, or None once closed and empty (at most ``size`` items are taken
        without a checkpoint, so a cancelled consumer notices soon)."""
        while not self._items:
            if self._closed:
                return None
            if self._ready.is_set():
                self._ready = anyio.Event()
            await self._ready.wait()
        self._space.set()
        return self._items.popleft()

    def close(self) -> None:
        self._closed = True
        self._ready.set()

    def drain(self) -> list[T]:
        items = list(self._items)
        self._items.clear()
        return items
