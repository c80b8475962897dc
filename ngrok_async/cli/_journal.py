"""``--journal FILE|redis://HOST:6379/0#NAME``: the journal a command line names."""

from __future__ import annotations

import urllib.parse
from datetime import datetime

import click

from .._journal import DEFAULT_LEASE_SECONDS, JournalError
from .._journal_redis import RedisJournal
from .._journal_sqlite import SQLiteJournal

HELP = (
    "Record every request before it is sent, in FILE (SQLite, one machine) or in Redis "
    "(redis://[:PASSWORD@]HOST:6379/0#NAME, any machine); run again with the same journal to "
    "resume an interrupted run, or run several at once: nothing is issued twice."
)


def journal_from(
    spec: str, *, lease_seconds: float = DEFAULT_LEASE_SECONDS
) -> SQLiteJournal | RedisJournal:
    """A ``redis://`` / ``rediss://`` URL with the journal's name as its fragment, or a path."""
    parts = urllib.parse.urlsplit(spec)
    if parts.scheme not in ("redis", "rediss"):
        return SQLiteJournal(spec, lease_seconds=lease_seconds)
    if not parts.fragment:
        raise click.UsageError("a Redis journal needs a name: redis://HOST:6379/0#NAME")
    url = urllib.parse.urlunsplit(parts._replace(fragment=""))
    name = urllib.parse.unquote(parts.fragment)
    return RedisJournal(url, name=name, lease_seconds=lease_seconds)


async def remembered_until(spec: str, job: str, until: datetime) -> datetime:
    """The expiry the job's first run chose (a resumed run asks for the same one)."""
    journal = journal_from(spec)
    try:
        await journal.open(job)
        return datetime.fromisoformat(await journal.remember("valid_until", until.isoformat()))
    except JournalError as exc:
        raise click.UsageError(str(exc)) from None
    finally:
        await journal.aclose()
