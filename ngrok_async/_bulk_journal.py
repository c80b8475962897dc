"""What the bulk engine does with a journal: pick it, digest bodies, keep records, claim rows,
keep claims alive."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Mapping
from typing import Any, cast

import anyio
import attrs

from ._convert import to_dict
from ._errors import InvalidParameterError
from ._journal import SECRET_FIELDS, Claim, Journal, JournalError
from ._journal_sqlite import SQLiteJournal


def journal_of(journal: object) -> Journal | None:
    """A path means an SQLite journal; a :class:`Journal` is used as it is."""
    if journal is None or isinstance(journal, Journal):
        return journal
    if isinstance(journal, (str, os.PathLike)):
        return SQLiteJournal(journal)
    raise InvalidParameterError("journal", "must be a path, a Journal or None")


def digest(body: Mapping[str, Any]) -> str:
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def journal_record(record: object) -> dict[str, Any]:
    """``record`` as API JSON without secrets: :data:`SECRET_FIELDS` and fields kept out of
    its ``repr``."""
    data = to_dict(record)  # raises TypeError unless it is an attrs record
    fields = attrs.fields(cast(Any, type(record)))
    hidden = SECRET_FIELDS | {field.name for field in fields if field.repr is False}
    return {k: v for k, v in data.items() if k not in hidden}


async def claim(journal: Journal, key: str, body_digest: str) -> Claim:
    """``journal.claim``, refusing a row written for other input."""
    taken = await journal.claim(key, body_digest)
    if taken.entry is not None and taken.entry.digest != body_digest:
        raise JournalError(
            f"request {key!r} differs from the one in the journal: "
            "a journal resumes the same input only"
        )
    return taken


def wait_seconds(journal: Journal) -> float:
    """How often a run looks again at a row another run holds."""
    return max(0.05, min(1.0, journal.lease_seconds / 10))


async def keep_claims(journal: Journal, failed: Callable[[Exception], None]) -> None:
    """Renew the journal's claims three times a lease until cancelled; a failure is passed
    to ``failed`` (which stops the run: claims about to lapse must not be sent on)."""
    try:
        while True:
            await anyio.sleep(journal.lease_seconds / 3)
            await journal.renew()
    except Exception as exc:
        failed(exc)
