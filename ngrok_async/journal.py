"""Journals that let a bulk run survive a crash, and run on several machines at once.

``create_many(requests, journal="certs.journal")`` claims each request's row *before* its
create goes on the wire, marks it sent, and records its outcome after. Rerun the same job with
the same journal and every request ends exactly once: created ones come back from the journal,
in-doubt ones (sent, no answer recorded) are settled by the metadata marker, the rest are
created. A path means a :class:`SQLiteJournal` (one machine);
:class:`~ngrok_async.redis.RedisJournal` lets a job killed on one machine resume on another;
anything implementing :class:`Journal` (Postgres, ...) works too.

Two runs of one job may share a journal at the same time (a pod and its replacement): a run
sends a key's create only while it holds the key's claim, a lease it renews while the create
is in flight. A run skips keys another live run holds, comes back to them after its other
work, and takes a claim over when its holder stopped renewing it (it died); a key the other
run settled as not created is tried again, as a rerun would.

Secrets the API shows only once (a credential's or API key's ``token``, any field a record
hides from ``repr``) are dropped from the rows: a resumed run returns those records without
them. To keep them, pass ``on_created=`` to ``create_many``: it receives each created record,
token included, before the row is marked done.
"""

from ._journal import SECRET_FIELDS, Claim, Journal, JournalEntry, JournalError
from ._journal_sqlite import SQLiteJournal

__all__ = ["SECRET_FIELDS", "Claim", "Journal", "JournalEntry", "JournalError", "SQLiteJournal"]

for _public in (Claim, Journal, JournalEntry, JournalError, SQLiteJournal):
    _public.__module__ = __name__  # documented, pickled and shown under this module
