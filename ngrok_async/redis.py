"""Redis for many processes (``ngrok-async[redis]``): one account's limits shared by all of them
(:class:`RedisLimiter`), and bulk jobs that resume on any machine (:class:`RedisJournal`).

::

    async with RedisLimiter("redis://cache:6379/0", key="ngrok:acme") as limiter:
        async with AsyncClient(limiter=limiter) as ngrok:
            ...

Every process (FastAPI workers, bot replicas, queue workers) using the same ``key`` shares one
rolling window of ``rate_limit`` and one cap of ``max_concurrency`` requests in flight, with
the same rule as the in-process :class:`~ngrok_async.Limiter`: a permit is taken when an attempt
starts and expires one window after it *completes*. All bookkeeping happens in small Lua
scripts that read Redis's own clock (``TIME``), so the hosts' clocks never matter:

- ``{key}:leases`` holds the attempts in flight, each with a lease that this process renews
  while it runs (``lease_seconds``); a process that dies holding one stops renewing it, and on
  expiry the lease becomes a permit expiring one window later (its request may have reached
  the server just before the death).
- ``{key}:permits`` holds completed attempts until their window ends; ``{key}:pause`` the time
  before which nobody starts (after a 429).
- ``{key}:queue`` orders one waiter per process (the others wait in line locally), first come
  first served, so no process starves; a waiter that stops polling (its process died) drops
  out after 2 s.

The keys share one ``{hash tag}`` (Redis Cluster keeps them on one node) and expire when idle.

When Redis cannot be reached, ``on_unavailable="raise"`` (the default) fails the request with
:class:`LimiterUnavailableError`; ``on_unavailable="local"`` falls back to an in-process limiter
with ``fallback_share`` of the limits (say 0.25 with four processes) and tries Redis again
after ``retry_seconds``.

``url_or_client`` is a ``redis://`` / ``rediss://`` URL (a coredis client is made and closed
here), a ``coredis.Redis`` / ``coredis.RedisCluster`` you have entered yourself, or an existing
``redis.asyncio.Redis`` (asyncio only). coredis runs on anyio, so the limiter works on asyncio
and trio alike.

:class:`RedisJournal` is a :class:`~ngrok_async.journal.Journal` for
``create_many(requests, journal=RedisJournal(url, name="certs-2026-06"))``: a job killed on one
machine resumes on another (a rescheduled pod with an empty disk), and runs of the same job
at once never send a key twice. Its keys share the hash tag ``{ngrok-journal:NAME}``, every
write is one Lua script, and the whole journal expires ``ttl_seconds`` (7 days by default)
after its last write: a finished job's journal disappears by itself (and a rerun after that
starts anew). Like the SQLite journal it stores no secret (no ``token``).
"""

from ._journal_redis import RedisJournal
from ._redis_limiter import LimiterUnavailableError, RedisLimiter

__all__ = ["LimiterUnavailableError", "RedisJournal", "RedisLimiter"]

for _public in (LimiterUnavailableError, RedisJournal, RedisLimiter):
    _public.__module__ = __name__  # documented, pickled and shown under this module
