"""Reconciling ambiguous creates: the metadata marker, and batched newest-first lookups.

Used by :mod:`ngrok_async.bulk`; the marker format is documented there.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any, Generic, Literal, Protocol, TypeVar

import anyio

from ._errors import (
    AmbiguousCreateError,
    InvalidParameterError,
    NgrokAPIError,
    NgrokConnectionError,
    NgrokDecodeError,
    NgrokError,
)
from ._retry import Failure, classify
from ._validate import METADATA_MAX_BYTES

MARKER_KEY = "ngrok_async_bulk"
"""The ``metadata`` JSON member holding a request's marker, ``"<run_id>:<index>"``."""

R = TypeVar("R")


def add_marker(metadata: str, marker: str) -> str:
    """``metadata`` with ``"ngrok_async_bulk": marker`` added (see the module docs)."""
    member = json.dumps({MARKER_KEY: marker}, separators=(",", ":"))
    text = metadata.strip()
    if text:
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise InvalidParameterError(
                "metadata", "reconcile=True needs metadata to be empty or a JSON object"
            )
        if MARKER_KEY in data:
            raise InvalidParameterError("metadata", f"already has a {MARKER_KEY!r} member")
        member = text[:-1].rstrip() + ("," if data else "") + member[1:]
    size = len(member.encode("utf-8"))
    if size > METADATA_MAX_BYTES:
        raise InvalidParameterError(
            "metadata",
            f"would be {size} UTF-8 bytes with the reconcile marker; the limit is "
            f"{METADATA_MAX_BYTES}",
        )
    return member


def read_marker(metadata: str) -> str | None:
    """The marker ``add_marker`` put in ``metadata``, or None."""
    if MARKER_KEY not in metadata:
        return None
    try:
        data = json.loads(metadata)
    except ValueError:
        return None
    value = data.get(MARKER_KEY) if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


class Marked(Protocol):
    """What reconciliation reads from a record."""

    @property
    def created_at(self) -> datetime: ...

    @property
    def metadata(self) -> str: ...


M = TypeVar("M", bound=Marked)


class Lookup(Generic[R]):
    __slots__ = ("body", "done", "error", "marker", "record", "sent_at")

    def __init__(self, marker: str, body: Mapping[str, Any], sent_at: datetime) -> None:
        self.marker = marker
        self.body = body
        self.sent_at = sent_at
        self.record: R | None = None
        self.error: NgrokError | None = None
        self.done = anyio.Event()


class Reconciler(Generic[M]):
    """Batches lookups: each pass lists newest first once for every lookup waiting, back to
    the oldest one's send time less the clock skew (``filter=`` on ``created_at``)."""

    PASS_ATTEMPTS = 3

    def __init__(
        self,
        newest_first: Callable[[str | None], AsyncIterator[M]],
        same: Callable[[Mapping[str, Any], M], bool],
        *,
        delay: float,
        skew: timedelta,
    ) -> None:
        self._newest_first = newest_first
        self._same = same
        self._delay = delay
        self._skew = skew
        self._pending: list[Lookup[M]] = []
        self._wake: anyio.Event | None = None

    def _nudge(self) -> None:
        if self._wake is not None:
            self._wake.set()

    async def find(self, marker: str, body: Mapping[str, Any], sent_at: datetime) -> Lookup[M]:
        lookup: Lookup[M] = Lookup(marker, body, sent_at)
        self._pending.append(lookup)
        self._nudge()
        await lookup.done.wait()
        return lookup

    async def run(self) -> None:
        while True:
            if not self._pending:
                self._wake = anyio.Event()
                await self._wake.wait()
            self._wake = None
            await anyio.sleep(self._delay)  # let late creates land and other failures join
            batch, self._pending = self._pending, []
            for attempt in range(self.PASS_ATTEMPTS):
                try:
                    await self._pass(batch)
                    break
                except NgrokError as exc:
                    if attempt == self.PASS_ATTEMPTS - 1:
                        for lookup in batch:
                            lookup.error = exc
            for lookup in batch:
                lookup.done.set()

    async def _pass(self, batch: list[Lookup[M]]) -> None:
        wanted = {lookup.marker: lookup for lookup in batch if lookup.record is None}
        horizon = min(lookup.sent_at for lookup in batch) - self._skew
        records = self._newest_first(created_since(horizon))
        try:
            async for record in records:
                if not wanted or record.created_at < horizon:
                    break
                lookup = wanted.get(read_marker(record.metadata) or "")
                if lookup is not None and self._same(lookup.body, record):
                    lookup.record = record
                    del wanted[lookup.marker]
        finally:
            aclose = getattr(records, "aclose", None)
            if aclose is not None:
                await aclose()


def created_since(moment: datetime) -> str:
    """The API ``filter=`` for records created at ``moment`` (whole seconds) or later; the
    listing also stops there by itself, for servers that ignore the filter."""
    stamp = moment.astimezone(timezone.utc).replace(microsecond=0)
    return f'obj.created_at >= timestamp("{stamp:%Y-%m-%dT%H:%M:%SZ}")'


def verdict(error: NgrokError) -> Literal["ambiguous", "transient", "rejected"]:
    """What a failed create says: it may have created the resource; it provably did not and
    trying again may work (429, 503, never sent); or it was refused."""
    if isinstance(error, (AmbiguousCreateError, NgrokDecodeError)):
        return "ambiguous"  # a 2xx we could not decode did create it
    if isinstance(error, NgrokConnectionError):  # a transport failure: its cause says which
        return "transient" if classify(None, error.__cause__) is Failure.NO_WORK else "ambiguous"
    if not isinstance(error, NgrokAPIError):
        return "rejected"
    failure = classify(error.status_code, None)
    if failure is Failure.NO_WORK:
        return "transient"
    return "rejected" if failure is Failure.FATAL else "ambiguous"
