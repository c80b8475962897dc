"""SQLiteJournal: a :class:`~ngrok_async.journal.Journal` in one SQLite file."""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any, TypeVar

import anyio
import anyio.to_thread

from ._journal import (
    DEFAULT_LEASE_SECONDS,
    JOURNAL_FORMAT,
    Claim,
    JournalEntry,
    JournalError,
    State,
    check_lease,
    parse_time,
)

T = TypeVar("T")

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS requests (
    key TEXT PRIMARY KEY,
    digest TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('sent', 'created', 'not_created')),
    sent_at TEXT,
    record TEXT,
    holder TEXT,
    lease_until REAL
)""",
)
_OWN = {"meta", "requests", "requests_holder", "sqlite_autoindex_meta_1"}
_OWN |= {"sqlite_autoindex_requests_1"}
_ROW = "SELECT key, digest, state, sent_at, record, holder, lease_until FROM requests"


class SQLiteJournal:
    """A journal in one SQLite file (stdlib ``sqlite3``, WAL, ``synchronous=FULL``).

    Every statement runs in a worker thread (``anyio.to_thread``), one at a time, so the event
    loop never blocks on the disk; each write is committed before its call returns. One file
    serves one job: a file of another job, of another program, or a corrupt one is refused.
    Several processes on one machine may run the job on one file at once: claims are taken
    in ``BEGIN IMMEDIATE`` transactions and leases timed by this machine's clock
    (``lease_seconds``). For runs on several machines use
    :class:`~ngrok_async.redis.RedisJournal` (SQLite's locks do not hold on network disks).
    """

    def __init__(
        self, path: str | os.PathLike[str], *, lease_seconds: float = DEFAULT_LEASE_SECONDS
    ) -> None:
        self._path = os.fspath(path)
        self._lease = check_lease(lease_seconds)
        self._holder = secrets.token_hex(8)
        self._db: sqlite3.Connection | None = None
        self._lock = anyio.Lock()

    @property
    def path(self) -> str:
        return self._path

    @property
    def lease_seconds(self) -> float:
        return self._lease

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
            return await self._run(lambda db: self._start(db, job))
        except BaseException:
            await self.aclose()
            raise

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(
            self._path, isolation_level=None, check_same_thread=False, timeout=30.0
        )
        try:
            if db.execute("PRAGMA quick_check").fetchone() != ("ok",):
                raise sqlite3.DatabaseError("integrity check failed")
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
        except BaseException:
            db.close()
            raise
        return db

    def _start(self, db: sqlite3.Connection, job: str) -> str:
        with _immediate(db):
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
            if tables - _OWN:
                raise JournalError(f"{self._path!r} is an SQLite file of another program")
            for statement in _SCHEMA:
                db.execute(statement)
            columns = {row[1] for row in db.execute("PRAGMA table_info(requests)")}
            for column, kind in (("holder", "TEXT"), ("lease_until", "REAL")):
                if column not in columns:  # a journal written before claims existed
                    db.execute(f"ALTER TABLE requests ADD COLUMN {column} {kind}")
            db.execute("CREATE INDEX IF NOT EXISTS requests_holder ON requests (holder)")
            meta = dict(db.execute("SELECT name, value FROM meta").fetchall())
            if not meta:
                if db.execute("SELECT count(*) FROM requests").fetchone() != (0,):
                    raise JournalError(f"{self._path!r} has rows but no header: not a journal")
                run_id = secrets.token_hex(8)
                started = datetime.now(timezone.utc).isoformat()
                header = {"format": JOURNAL_FORMAT, "job": job, "run_id": run_id}
                header["started_at"] = started
                db.executemany("INSERT INTO meta VALUES (?, ?)", header.items())
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
            with _immediate(db):
                db.execute("INSERT OR IGNORE INTO meta VALUES (?, ?)", (f"user:{name}", value))
                row = db.execute("SELECT value FROM meta WHERE name = ?", (f"user:{name}",))
                return str(row.fetchone()[0])

        return await self._run(run)

    async def entries(self) -> Mapping[str, JournalEntry]:
        def run(db: sqlite3.Connection) -> dict[str, JournalEntry]:
            return {row[0]: self._entry(*row[:5]) for row in db.execute(_ROW)}

        return await self._run(run)

    def _entry(
        self, key: str, digest: str, state: State, sent_at: str | None, record: str | None
    ) -> JournalEntry:
        try:
            loaded = None if record is None else json.loads(record)
            return JournalEntry(key, digest, state, parse_time(sent_at), loaded)
        except ValueError as exc:
            raise JournalError(f"journal {self._path!r}: corrupt row {key!r}: {exc}") from None

    async def claim(self, key: str, digest: str) -> Claim:
        def run(db: sqlite3.Connection) -> Claim:
            with _immediate(db):
                now = time.time()
                row = db.execute(_ROW + " WHERE key = ?", (key,)).fetchone()
                if row is None:
                    db.execute(
                        "INSERT INTO requests VALUES (?, ?, 'not_created', NULL, NULL, ?, ?)",
                        (key, digest, self._holder, now + self._lease),
                    )
                    return Claim(True, None)
                entry = self._entry(*row[:5])
                holder, until = row[5], row[6]
                held = holder not in (None, self._holder) and until is not None and until > now
                if entry.digest != digest or entry.state == "created" or held:
                    return Claim(False, entry)
                db.execute(
                    "UPDATE requests SET holder = ?, lease_until = ? WHERE key = ?",
                    (self._holder, now + self._lease, key),
                )
                return Claim(True, entry)

        return await self._run(run)

    async def sent(self, key: str, sent_at: datetime) -> bool:
        def run(db: sqlite3.Connection) -> bool:
            with _immediate(db):
                cursor = db.execute(
                    "UPDATE requests SET state = 'sent', sent_at = ?, record = NULL, "
                    "lease_until = ? WHERE key = ? AND holder = ?",
                    (sent_at.isoformat(), time.time() + self._lease, key, self._holder),
                )
                return cursor.rowcount == 1

        return await self._run(run)

    async def created(self, key: str, record: Mapping[str, Any]) -> None:
        text = json.dumps(dict(record), separators=(",", ":"))
        await self._write(
            "UPDATE requests SET state = 'created', record = ?, "
            "lease_until = CASE WHEN holder = ? THEN NULL ELSE lease_until END, "
            "holder = CASE WHEN holder = ? THEN NULL ELSE holder END WHERE key = ?",
            (text, self._holder, self._holder, key),
        )

    async def not_created(self, key: str) -> None:
        await self._write(
            "UPDATE requests SET state = 'not_created', record = NULL, holder = NULL, "
            "lease_until = NULL WHERE key = ? AND holder = ? AND state != 'created'",
            (key, self._holder),
        )

    async def renew(self) -> None:
        await self._write(
            "UPDATE requests SET lease_until = ? WHERE holder = ?",
            (time.time() + self._lease, self._holder),
        )

    async def _write(self, sql: str, params: tuple[object, ...]) -> None:
        def run(db: sqlite3.Connection) -> None:
            with _immediate(db):
                db.execute(sql, params)

        await self._run(run)

    async def aclose(self) -> None:
        db, self._db = self._db, None
        if db is None:
            return
        with anyio.CancelScope(shield=True):
            async with self._lock:
                await anyio.to_thread.run_sync(self._release_and_close, db)

    def _release_and_close(self, db: sqlite3.Connection) -> None:
        try:
            with _immediate(db):
                db.execute(
                    "UPDATE requests SET holder = NULL, lease_until = NULL WHERE holder = ?",
                    (self._holder,),
                )
        except sqlite3.Error:
            pass  # the leases expire by themselves
        finally:
            db.close()


class _immediate:
    """``with _immediate(db):`` one write transaction, its lock taken at ``BEGIN``."""

    __slots__ = ("_db",)

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self._db.execute("COMMIT" if exc_type is None else "ROLLBACK")
