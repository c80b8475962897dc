"""Journals that let a bulk run survive a crash: the protocol, and the SQLite one.

``create_many(requests, journal="certs.journal")`` writes each request's row *before* its create
goes on the wire and its outcome after. Rerun the same job with the same journal and every
request ends exactly once: created ones come back from the journal, in-doubt ones (sent, no
answer recorded) are settled by the metadata marker, the rest are created. A path means a
:class:`SQLiteJournal`; anything implementing :class:`Journal` (Postgres, Redis, ...) works too.

Secrets the API shows only once (a credential's or API key's ``token``, any field a record
hides from ``repr``) are dropped from the rows: a resumed run returns those records without
them. To keep them, pass
``on_created=`` to ``create_many``: it receives each created record, token included, before
the row is marked done.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any, Literal, Protocol, TypeVar, runtime_checkable

import anyio
import anyio.to_thread
import attrs

from ._errors import NgrokError

__all__ = ["SECRET_FIELDS", "Journal", "JournalEntry", "JournalError", "SQLiteJournal"]

JOURNAL_FORMAT = "ngrok_async.journal/1"
SECRET_FIELDS = frozenset({"token"})
"""Record fields never written to a journal (nor is any field a record hides from ``repr``)."""

State = Literal["sent", "created", "not_created"]
T = TypeVar("T")


class JournalError(NgrokError):
    """A journal cannot be used: unreadable or corrupt, written for another job or input, or
    a write failed (then nothing more is sent)."""


@attrs.frozen(slots=True)
class JournalEntry:
    """One request's row: ``sent`` (in doubt), ``created`` (with its record) or
    ``not_created`` (settled: nothing exists)."""

    key: str
    digest: str
    """A hash of the request's create body: a rerun with other input is refused."""
    state: State
    sent_at: datetime | None = None
    record: Mapping[str, Any] | None = None
    """The created record as API JSON, without :data:`SECRET_FIELDS`."""


@runtime_checkable
class Journal(Protocol):
    """What ``create_many(journal=...)`` needs. Each write must be durable when it returns."""

    async def open(self, job: str) -> str:
        """Start or resume ``job`` (the API collection, e.g. ``/ssh_user_certificates``);
        return its run id, stable across resumes. Raise :class:`JournalError` if the journal
        belongs to another job or cannot be read."""
        ...

    async def entries(self) -> Mapping[str, JournalEntry]:
        """Every row, by key."""
        ...

    async def sent(self, key: str, digest: str, sent_at: datetime) -> None:
        """Record that ``key``'s create is about to be sent (insert or update)."""
        ...

    async def created(self, key: str, record: Mapping[str, Any]) -> None:
        """Record that ``key`` exists, as ``record``."""
        ...

    async def not_created(self, key: str) -> None:
        """Record that ``key`` provably created nothing."""
        ...

    async def aclose(self) -> None: ...


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS requests (
    key TEXT PRIMARY KEY,
    digest TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('sent', 'created', 'not_created')),
    sent_at TEXT,
    record TEXT
);
"""


def _lock(path: str) -> int | None:
    """Hold an exclusive ``flock`` on the file while this run has it open: a second run on the
    same journal (which would send the same requests) is refused. The lock dies with the
    process; where ``fcntl`` is missing (Windows) there is no lock."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        return None
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise JournalError(f"journal {path!r} is in use by another run") from None
    return fd


class SQLiteJournal:
    """A journal in one SQLite file (stdlib ``sqlite3``, WAL, ``synchronous=FULL``).

    Every statement runs in a worker thread (``anyio.to_thread``), one at a time, so the event
    loop never blocks on the disk; each write is committed before its call returns. One file
    serves one job: a file of another job, of another program, or a corrupt one is refused,
    and so is one another run holds open (an exclusive ``flock`` while open).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._path = os.fspath(path)
        self._db: sqlite3.Connection | None = None
        self._lock_fd: int | None = None
        self._lock = anyio.Lock()

    @property
    def path(self) -> str:
        return self._path

    def __repr__(self) -> str:
        return f"SQLiteJournal({self._path!r})"

    async def _run(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        if self._db is None:
            raise JournalError(f"journal {self._path!r} is not open")
        db = self._db
        async with self._lock:
            try:
                return await anyio.to_thread.run_sync(fn, db)
            except sqlite3.Error as exc:
                raise JournalError(f"journal {self._path!r}: {exc}") from None

    async def open(self, job: str) -> str:
        if self._db is not None:
            raise JournalError(f"journal {self._path!r} is already open")
        try:
            self._db = await anyio.to_thread.run_sync(self._connect)
        except sqlite3.Error as exc:
            raise JournalError(
                f"{self._path!r} is not a usable journal (corrupt or not SQLite): {exc}"
            ) from None
        try:
            self._lock_fd = _lock(self._path)
        except BaseException:
            await self.aclose()
            raise
        try:
            return await self._run(lambda db: self._claim(db, job))
        except BaseException:
            await self.aclose()
            raise

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        try:
            if db.execute("PRAGMA quick_check").fetchone() != ("ok",):
                raise sqlite3.DatabaseError("integrity check failed")
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
        except BaseException:
            db.close()
            raise
        return db

    def _claim(self, db: sqlite3.Connection, job: str) -> str:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
        if tables - {"meta", "requests", "sqlite_autoindex_meta_1", "sqlite_autoindex_requests_1"}:
            raise JournalError(f"{self._path!r} is an SQLite file of another program")
        db.executescript(_SCHEMA)
        meta = dict(db.execute("SELECT name, value FROM meta").fetchall())
        if not meta:
            if db.execute("SELECT count(*) FROM requests").fetchone() != (0,):
                raise JournalError(f"{self._path!r} has rows but no header: not a journal")
            run_id = secrets.token_hex(8)
            started = datetime.now(timezone.utc).isoformat()
            with db:
                db.executemany(
                    "INSERT INTO meta VALUES (?, ?)",
                    [
                        ("format", JOURNAL_FORMAT),
                        ("job", job),
                        ("run_id", run_id),
                        ("started_at", started),
                    ],
                )
            return run_id
        if meta.get("format") != JOURNAL_FORMAT or "run_id" not in meta:
            raise JournalError(f"{self._path!r} is not an ngrok_async journal (or another version)")
        if meta.get("job") != job:
            raise JournalError(
                f"{self._path!r} is the journal of a {meta.get('job')!r} run, not {job!r}"
            )
        return str(meta["run_id"])

    async def remember(self, name: str, value: str) -> str:
        """The value stored under ``name`` by an earlier run, else store ``value`` and return
        it (for job parameters that must not change on resume, such as an expiry time)."""

        def run(db: sqlite3.Connection) -> str:
            with db:
                db.execute("INSERT OR IGNORE INTO meta VALUES (?, ?)", (f"user:{name}", value))
                row = db.execute("SELECT value FROM meta WHERE name = ?", (f"user:{name}",))
                return str(row.fetchone()[0])

        return await self._run(run)

    async def entries(self) -> Mapping[str, JournalEntry]:
        def run(db: sqlite3.Connection) -> dict[str, JournalEntry]:
            rows = db.execute("SELECT key, digest, state, sent_at, record FROM requests")
            return {row[0]: self._entry(*row) for row in rows}

        return await self._run(run)

    def _entry(
        self, key: str, digest: str, state: State, sent_at: str | None, record: str | None
    ) -> JournalEntry:
        try:
            return JournalEntry(
                key,
                digest,
                state,
                None if sent_at is None else datetime.fromisoformat(sent_at),
                None if record is None else json.loads(record),
            )
        except ValueError as exc:
            raise JournalError(f"journal {self._path!r}: corrupt row {key!r}: {exc}") from None

    async def sent(self, key: str, digest: str, sent_at: datetime) -> None:
        def run(db: sqlite3.Connection) -> None:
            with db:
                db.execute(
                    "INSERT INTO requests VALUES (?, ?, 'sent', ?, NULL) ON CONFLICT (key) DO "
                    "UPDATE SET digest = excluded.digest, state = 'sent', sent_at = "
                    "excluded.sent_at, record = NULL",
                    (key, digest, sent_at.isoformat()),
                )

        await self._run(run)

    async def created(self, key: str, record: Mapping[str, Any]) -> None:
        text = json.dumps(dict(record), separators=(",", ":"))
        await self._set(key, "created", text)

    async def not_created(self, key: str) -> None:
        await self._set(key, "not_created", None)

    async def _set(self, key: str, state: State, record: str | None) -> None:
        def run(db: sqlite3.Connection) -> None:
            with db:
                db.execute(
                    "UPDATE requests SET state = ?, record = ? WHERE key = ?", (state, record, key)
                )

        await self._run(run)

    async def aclose(self) -> None:
        fd, self._lock_fd = self._lock_fd, None
        if fd is not None:
            os.close(fd)  # releases the lock
        db, self._db = self._db, None
        if db is not None:
            with anyio.CancelScope(shield=True):
                async with self._lock:
                    await anyio.to_thread.run_sync(db.close)
