"""What every journal shares: the :class:`Journal` protocol, its rows and claims, its error."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal, Protocol, runtime_checkable

import attrs

from ._errors import InvalidParameterError, NgrokError

JOURNAL_FORMAT = "ngrok_async.journal/1"
SECRET_FIELDS = frozenset({"token"})
"""Record fields never written to a journal (nor is any field a record hides from ``repr``)."""
DEFAULT_LEASE_SECONDS = 15.0

State = Literal["sent", "created", "not_created"]


class JournalError(NgrokError):
    """A journal cannot be used: unreadable or corrupt, written for another job or input, or
    a write failed (then nothing more is sent)."""


@attrs.frozen(slots=True)
class JournalEntry:
    """One request's row: ``sent`` (in doubt), ``created`` (with its record) or
    ``not_created`` (settled, or claimed and not sent yet: nothing exists)."""

    key: str
    digest: str
    """A hash of the request's create body: a rerun with other input is refused."""
    state: State
    sent_at: datetime | None = None
    record: Mapping[str, Any] | None = None
    """The created record as API JSON, without :data:`SECRET_FIELDS`."""


@attrs.frozen(slots=True)
class Claim:
    """The answer to :meth:`Journal.claim`."""

    ours: bool
    """This journal now holds the row's lease and may send its create. False when the row is
    ``created`` (nothing to send), belongs to other input (``entry.digest`` differs) or is
    held by another run whose lease is still alive."""
    entry: JournalEntry | None
    """The row as it was before the claim (``None``: the key was new). ``sent`` means in
    doubt: a run that held it may have created it, so settle it by the marker first."""


@runtime_checkable
class Journal(Protocol):
    """What ``create_many(journal=...)`` needs. Each write must be durable when it returns.

    Several runs of one job may use one journal at once (pods of one job, an old one and its
    replacement): a run sends a key's create only while it holds the key's claim, a lease of
    :attr:`lease_seconds` that it renews while the key is in flight and that another run
    takes over once it has expired (the holder died).
    """

    @property
    def lease_seconds(self) -> float:
        """How long a claim lasts unless renewed."""
        ...

    async def open(self, job: str) -> str:
        """Start or resume ``job`` (the API collection, e.g. ``/ssh_user_certificates``);
        return its run id, stable across resumes. Raise :class:`JournalError` if the journal
        belongs to another job or cannot be read."""
        ...

    async def entries(self) -> Mapping[str, JournalEntry]:
        """Every row, by key."""
        ...

    async def claim(self, key: str, digest: str) -> Claim:
        """Atomically take ``key``'s lease, unless its row is ``created``, has another digest
        or is held by another live run; a new key gets a ``not_created`` row."""
        ...

    async def sent(self, key: str, sent_at: datetime) -> bool:
        """Record that ``key``'s create is about to be sent, if this journal still holds its
        claim; return whether it does (if not, the create must not be sent)."""
        ...

    async def created(self, key: str, record: Mapping[str, Any]) -> None:
        """Record that ``key`` exists, as ``record``, and release its claim."""
        ...

    async def not_created(self, key: str) -> None:
        """Record that ``key`` provably created nothing and release its claim (if this
        journal holds it)."""
        ...

    async def renew(self) -> None:
        """Extend the lease of every claim this journal holds."""
        ...

    async def aclose(self) -> None:
        """Release the claims still held and close."""
        ...


def check_lease(lease_seconds: object) -> float:
    if isinstance(lease_seconds, bool) or not isinstance(lease_seconds, (int, float)):
        raise InvalidParameterError("lease_seconds", "must be a number of seconds")
    if not 1 <= lease_seconds < math.inf:
        raise InvalidParameterError("lease_seconds", "must be finite and >= 1")
    return float(lease_seconds)


def parse_time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)
