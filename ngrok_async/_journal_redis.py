"""RedisJournal: a :class:`~ngrok_async.journal.Journal` on Redis (see :mod:`ngrok_async.redis`)."""

from __future__ import annotations

import contextlib
import json
import math
import secrets
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

import anyio

from ._errors import InvalidParameterError
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
from ._journal_redis_lua import CLAIM, DONE, ENTRIES, OPEN, REMEMBER, RENEW, SENT
from ._redis_client import connect, scripts

DEFAULT_TTL_SECONDS = 7 * 24 * 3600.0
_PARTS = ("meta", "state", "digest", "sent_at", "record", "holder", "lease")
_STATES: frozenset[str] = frozenset({"sent", "created", "not_created"})


class RedisJournal:
    """A journal on Redis: a job killed on one machine resumes on another.

    Args:
        url_or_client: a ``redis://`` / ``rediss://`` URL (a coredis client is made and closed
            here), a coredis client you have entered yourself, or a ``redis.asyncio`` client
            (asyncio only).
        name: names the job's journal: every run (on any machine) passing the same name
            resumes or shares the same job.
        lease_seconds: how long a claim of a run that stopped renewing it (it died) keeps
            other runs off its key.
        ttl_seconds: how long the journal stays after its last write (7 days by default);
            then Redis drops it, and a run with the same name starts a new job.

    Pass it as ``create_many(requests, journal=RedisJournal(url, name="certs-2026-06"))``;
    the run opens and closes it. The job's keys share the hash tag ``{ngrok-journal:NAME}``
    (one Redis Cluster slot) and every write is one Lua script (atomic), timed by Redis's
    clock, so the hosts' clocks never matter.
    """

    def __init__(
        self,
        url_or_client: str | Any,
        *,
        name: str,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
    ) -> None:
        if not isinstance(name, str) or not name or "{" in name or "}" in name:
            raise InvalidParameterError("name", "must be a non-empty str without braces")
        if isinstance(ttl_seconds, bool) or not isinstance(ttl_seconds, (int, float)):
            raise InvalidParameterError("ttl_seconds", "must be a number of seconds")
        if not 60 <= ttl_seconds < math.inf:
            raise InvalidParameterError("ttl_seconds", "must be finite and >= 60")
        self._target = url_or_client
        self._name = name
        self._lease = check_lease(lease_seconds)
        self._lease_ms = math.ceil(self._lease * 1000)
        self._ttl_ms = math.ceil(ttl_seconds * 1000)
        self._keys = [f"{{ngrok-journal:{name}}}:{part}" for part in _PARTS]
        self._holder = secrets.token_hex(8)
        self._held: set[str] = set()
        self._scripts: dict[str, Any] = {}
        self._stack: contextlib.AsyncExitStack | None = None

    @property
    def name(self) -> str:
        return self._name

    @property
    def lease_seconds(self) -> float:
        return self._lease

    @property
    def keys(self) -> Sequence[str]:
        """The Redis keys of the job (all expire ``ttl_seconds`` after the last write)."""
        return tuple(self._keys)

    def __repr__(self) -> str:
        return f"RedisJournal(name={self._name!r})"

    async def open(self, job: str) -> str:
        if self._stack is not None:
            raise JournalError(f"journal {self._name!r} is already open")
        stack = contextlib.AsyncExitStack()
        await stack.__aenter__()
        self._stack = stack
        self._holder = secrets.token_hex(8)  # a closed holder claims nothing any more
        try:
            client = await connect(self._target, stack, JournalError)
            self._scripts = scripts(
                client,
                {
                    "open": OPEN,
                    "remember": REMEMBER,
                    "entries": ENTRIES,
                    "claim": CLAIM,
                    "sent": SENT,
                    "done": DONE,
                    "renew": RENEW,
                },
            )
            started = datetime.now(timezone.utc).isoformat()
            header = await self._call(
                "open", [job, JOURNAL_FORMAT, secrets.token_hex(8), started, self._ttl_ms]
            )
            if not header:
                raise JournalError(f"Redis journal {self._name!r} has rows but no header")
            fmt, owner, run_id = (_text(part) for part in header)
            if fmt != JOURNAL_FORMAT or not run_id:
                raise JournalError(
                    f"Redis journal {self._name!r} is not an ngrok_async journal "
                    "(or another version)"
                )
            if owner != job:
                raise JournalError(
                    f"Redis journal {self._name!r} is the journal of a {owner!r} run, not {job!r}"
                )
            return run_id
        except BaseException:
            await self.aclose()
            raise

    async def _call(self, script: str, args: Sequence[str | int]) -> Any:
        if self._stack is None:
            raise JournalError(f"journal {self._name!r} is not open")
        try:
            return await self._scripts[script](keys=self._keys, args=list(args))
        except Exception as exc:
            raise JournalError(
                f"Redis journal {self._name!r}: {type(exc).__name__}: {exc}"
            ) from None

    async def remember(self, name: str, value: str) -> str:
        """The value stored under ``name`` by an earlier run, else store ``value`` and return
        it (for job parameters that must not change on resume, such as an expiry time)."""
        return _text(await self._call("remember", [name, value, self._ttl_ms]))

    async def entries(self) -> Mapping[str, JournalEntry]:
        states, digests, sent, records = (_pairs(part) for part in await self._call("entries", []))
        return {
            key: self._entry(key, state, *(part.get(key, "") for part in (digests, sent, records)))
            for key, state in states.items()
        }

    def _entry(self, key: str, state: str, digest: str, sent_at: str, record: str) -> JournalEntry:
        if state not in _STATES:
            raise JournalError(f"Redis journal {self._name!r}: corrupt row {key!r}")
        try:
            loaded = json.loads(record) if record else None
            return JournalEntry(key, digest, _state(state), parse_time(sent_at or None), loaded)
        except ValueError as exc:
            raise JournalError(
                f"Redis journal {self._name!r}: corrupt row {key!r}: {exc}"
            ) from None

    async def claim(self, key: str, digest: str) -> Claim:
        self._held.add(key)  # before the call: a cancelled call may still have claimed it
        reply = await self._call("claim", [key, digest, self._holder, self._lease_ms, self._ttl_ms])
        ours = int(reply[0]) == 1
        if not ours:
            self._held.discard(key)
        if len(reply) == 1:
            return Claim(ours, None)
        return Claim(ours, self._entry(key, *(_text(part) for part in reply[1:5])))

    async def sent(self, key: str, sent_at: datetime) -> bool:
        args: list[str | int] = [key, self._holder, sent_at.isoformat(), self._lease_ms]
        args.append(self._ttl_ms)
        ours = int(await self._call("sent", args)) == 1
        if not ours:
            self._held.discard(key)
        return ours

    async def created(self, key: str, record: Mapping[str, Any]) -> None:
        text = json.dumps(dict(record), separators=(",", ":"))
        await self._call("done", [key, self._holder, "created", text, self._ttl_ms])
        self._held.discard(key)

    async def not_created(self, key: str) -> None:
        await self._call("done", [key, self._holder, "not_created", "", self._ttl_ms])
        self._held.discard(key)

    async def renew(self) -> None:
        if self._held:
            await self._call("renew", [self._holder, self._lease_ms, self._ttl_ms, *self._held])

    async def aclose(self) -> None:
        stack, self._stack = self._stack, None
        if stack is None:
            return
        held, self._held = self._held, set()
        if self._scripts:  # release them; if that fails they expire by themselves
            with (
                anyio.CancelScope(shield=True),
                anyio.move_on_after(5.0),
                contextlib.suppress(Exception),
            ):
                args = [self._holder, 0, self._ttl_ms, *held]
                await self._scripts["renew"](keys=self._keys, args=args)
        # not shielded: the client's own cancel scopes must be exited in their order
        await stack.__aexit__(None, None, None)


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _pairs(flat: Sequence[object]) -> dict[str, str]:
    return {_text(flat[i]): _text(flat[i + 1]) for i in range(0, len(flat), 2)}


def _state(text: str) -> State:
    if text == "sent":
        return "sent"
    return "created" if text == "created" else "not_created"
