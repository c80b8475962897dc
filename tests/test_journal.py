"""Resumable bulk runs on both journals (SQLite and Redis): resuming after a crash, refusing the
wrong journal, secrets kept out, ``key=``, reconciliation lookups, claims and their
leases; asyncio and trio."""

from __future__ import annotations

import collections
import pathlib
import secrets
import sqlite3
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import anyio
import pytest

from ngrok_async import (
    AsyncClient,
    CredentialRequest,
    JournalError,
    SQLiteJournal,
    SSHUserCertificateRequest,
)
from ngrok_async.journal import Journal
from ngrok_async.redis import RedisJournal
from ngrok_async.testing import FakeNgrok

from .test_bulk_services import LoseResponses, collect, keys, with_ca

pytestmark = pytest.mark.usefixtures("sleeps")
BACKENDS = ["asyncio", "trio"]


class Journals:
    """Makes the journals of one kind for a test: ``spec()`` what ``create_many`` takes (a path
    or a RedisJournal), ``open()`` a Journal to drive by hand; one name per test."""

    def __init__(self, kind: str, tmp_path: pathlib.Path, redis_url: str | None) -> None:
        self.kind, self.tmp_path, self.redis_url = kind, tmp_path, redis_url
        self.prefix = secrets.token_hex(4)

    def spec(self, name: str = "j", **options: Any) -> Any:
        if self.kind == "sqlite":
            return self.tmp_path / name if not options else self.journal(name, **options)
        return self.journal(name, **options)

    def journal(self, name: str = "j", **options: Any) -> Journal:
        if self.kind == "sqlite":
            return SQLiteJournal(self.tmp_path / name, **options)
        assert self.redis_url is not None
        return RedisJournal(self.redis_url, name=f"{self.prefix}-{name}", **options)

    def stored(self, name: str = "j") -> bytes:
        """Every byte the journal keeps."""
        if self.kind == "sqlite":
            return (self.tmp_path / name).read_bytes()
        import redis

        client = redis.Redis.from_url(self.redis_url or "")
        try:
            keys = RedisJournal(self.redis_url, name=f"{self.prefix}-{name}").keys
            return b"".join(
                k + v
                for key in keys
                for k, v in client.hgetall(key).items()  # type: ignore[union-attr]
            )
        finally:
            client.close()


async def a_run_stopped_half_way_resumes_to_exactly_one_certificate_per_key(
    journals: Journals,
) -> None:
    fake = FakeNgrok(seed=21)
    public_keys = keys(30)
    async with fake.client(rate_limit=None) as setup:
        ca = await with_ca(setup)

    def requests() -> list[SSHUserCertificateRequest]:
        return [SSHUserCertificateRequest(ca, key, principals=["ops"]) for key in public_keys]

    # lose the responses of some creates the fake did perform, then stop half way
    transport = LoseResponses(fake, after=(3, 7, 12))
    async with AsyncClient("test", transport=transport, rate_limit=None) as ngrok:
        run = ngrok.ssh_user_certificates.create_many(
            requests(), journal=journals.spec(), reconcile_delay=0, concurrency=4
        )
        seen = 0
        async with run:
            async for _ in run:
                seen += 1
                if seen == 15:
                    break
    assert 15 <= len(fake.resources("ssh_user_certificates")) < 30

    async with fake.client(rate_limit=None) as ngrok:
        run = ngrok.ssh_user_certificates.create_many(
            requests(), journal=journals.spec(), reconcile_delay=0
        )
        results = await collect(run)

    assert sorted(results) == list(range(30))
    assert all(result.ok for result in results.values())
    resumed = [r for r in results.values() if r.resumed]
    assert len(resumed) >= 15
    assert all(r.attempts == 0 and r.record.certificate for r in resumed)
    stored = collections.Counter(c["public_key"] for c in fake.resources("ssh_user_certificates"))
    assert len(stored) == 30
    assert set(stored.values()) == {1}
    # ngrok does not filter SSH user certificates: the lookups list without ``filter=`` and
    # stop at the oldest in-doubt send time themselves
    listings = [r for r in fake.requests if r.method == "GET"]
    assert listings
    assert not any("filter" in r.query for r in listings)

    async with fake.client(rate_limit=None) as ngrok:  # a third run sends no create at all
        before = len(fake.requests)
        results = await collect(
            ngrok.ssh_user_certificates.create_many(requests(), journal=journals.spec())
        )
    assert all(r.resumed for r in results.values())
    assert not [r for r in fake.requests[before:] if r.method == "POST"]


async def in_doubt_rows_are_settled_by_the_marker_not_sent_again(journals: Journals) -> None:
    """A row written as sent, no outcome: a crash after the server created it, or before."""
    fake = FakeNgrok(seed=22)
    async with fake.client(rate_limit=None) as ngrok:
        ca = await with_ca(ngrok)
        requests = [SSHUserCertificateRequest(ca, key) for key in keys(2)]
        transport = LoseResponses(fake, after=(1,), before=(2,))
        async with AsyncClient(
            "test", transport=transport, rate_limit=None, max_retries=0
        ) as lossy:
            first = await collect(
                lossy.ssh_user_certificates.create_many(
                    requests,
                    journal=journals.spec(),
                    max_attempts=1,
                    reconcile=True,
                    reconcile_delay=0,
                    concurrency=1,  # the first POST is request 0's
                )
            )
        # the first was found by its marker; the second was proven absent, out of attempts
        assert (first[0].ok, first[0].reconciled) == (True, True)
        assert first[1].outcome.value == "not_created"
        await in_doubt(journals.journal(), "/ssh_user_certificates", "1")
        second = await collect(
            ngrok.ssh_user_certificates.create_many(requests, journal=journals.spec())
        )
    assert second[0].resumed
    assert second[1].ok
    assert not second[1].resumed
    assert len(fake.resources("ssh_user_certificates")) == 2


async def a_journal_of_another_input_job_or_program_is_refused(journals: Journals) -> None:
    fake = FakeNgrok(seed=23)
    path = journals.spec
    async with fake.client(rate_limit=None) as ngrok:
        await collect(
            ngrok.credentials.create_many([CredentialRequest(description="a")], journal=path())
        )

        with pytest.raises(JournalError, match="differs from the one in the journal"):
            await collect(
                ngrok.credentials.create_many([CredentialRequest(description="b")], journal=path())
            )
        ca = await with_ca(ngrok)
        with pytest.raises(JournalError, match="journal of a '/credentials' run"):
            await collect(
                ngrok.ssh_user_certificates.create_many(
                    [SSHUserCertificateRequest(ca, keys(1)[0])], journal=path()
                )
            )
        for spec, match in foreign_journals(journals):
            with pytest.raises(JournalError, match=match):
                await collect(ngrok.credentials.create_many([CredentialRequest()], journal=spec))
    assert len(fake.resources("credentials")) == 1  # nothing was sent on a refused journal


async def tokens_stay_out_of_the_journal_unless_the_caller_keeps_them(journals: Journals) -> None:
    fake = FakeNgrok(seed=24)
    kept: dict[str, str] = {}

    def keep(record: Any) -> None:
        kept[record.id] = record.token

    async with fake.client(rate_limit=None) as ngrok:
        requests = [CredentialRequest(description=f"agent {n}") for n in range(3)]
        first = await collect(
            ngrok.credentials.create_many(requests, journal=journals.spec(), on_created=keep)
        )
        second = await collect(ngrok.credentials.create_many(requests, journal=journals.spec()))

    assert all(r.record.token for r in first.values())
    assert sorted(kept) == sorted(r.record.id for r in first.values())
    assert all(r.resumed and r.record.token is None for r in second.values())
    stored = journals.stored()
    assert b"token" not in stored.replace(b'"token"', b"")  # no value stored
    for result in first.values():
        assert result.record.token.encode() not in stored


async def a_key_function_survives_reordered_and_filtered_input(journals: Journals) -> None:
    fake = FakeNgrok(seed=25)
    names = [f"host-{n}" for n in range(6)]
    async with fake.client(rate_limit=None) as ngrok:

        def run(subset: list[str]) -> Any:
            requests = [CredentialRequest(description=name) for name in subset]
            return ngrok.credentials.create_many(
                requests, journal=journals.spec(), key=lambda request: request.description
            )

        await collect(run(names[:4]))
        results = await collect(run(list(reversed(names))))

    assert len(fake.resources("credentials")) == 6
    assert sum(r.resumed for r in results.values()) == 4


async def duplicate_keys_fail_alone_before_any_request(journals: Journals) -> None:
    fake = FakeNgrok(seed=26)
    async with fake.client(rate_limit=None) as ngrok:
        results = await collect(
            ngrok.credentials.create_many(
                [CredentialRequest(description="x")] * 2,
                journal=journals.spec(),
                key=lambda request: "same",
            )
        )
    outcomes = sorted(r.outcome.value for r in results.values())
    assert outcomes == ["created", "not_created"]
    assert len(fake.resources("credentials")) == 1


async def the_journal_on_its_own(journals: Journals) -> None:
    journal = journals.journal()
    run_id = await journal.open("/things")
    assert await journal.remember("valid_until", "A") == "A"  # type: ignore[attr-defined]
    assert (await journal.claim("k", "d")).ours
    assert await journal.sent("k", datetime.now(timezone.utc))
    await journal.created("k", {"id": "x", "n": 12345678901234567890})
    await journal.aclose()
    again = journals.journal()
    assert await again.open("/things") == run_id
    assert await again.remember("valid_until", "B") == "A"  # type: ignore[attr-defined]
    entries = await again.entries()
    assert entries["k"].state == "created"
    assert entries["k"].record == {"id": "x", "n": 12345678901234567890}
    with pytest.raises(JournalError, match="already open"):
        await again.open("/things")
    with pytest.raises(JournalError, match="run, not"):
        await journals.journal().open("/other")
    await again.aclose()
    with pytest.raises(JournalError, match="not open"):
        await again.entries()


async def claims_keep_two_runs_off_each_others_rows(journals: Journals) -> None:
    one, two = journals.journal(), journals.journal(lease_seconds=1)
    assert await one.open("/things") == await two.open("/things")
    now = datetime.now(timezone.utc)
    try:
        assert (await one.claim("a", "d")).ours
        held = await two.claim("a", "d")
        assert not held.ours
        assert held.entry is not None
        assert held.entry.state == "not_created"
        assert not await two.sent("a", now)  # not its claim: it must not send
        assert await one.sent("a", now)
        await one.created("a", {"id": "A"})
        done = await two.claim("a", "d")
        assert not done.ours
        assert done.entry is not None
        assert done.entry.record == {"id": "A"}
        other = await two.claim("b", "d")
        assert other.ours
        refused = await one.claim("b", "other input")  # the run refuses it (a JournalError)
        assert not refused.ours
        assert refused.entry is not None
        assert refused.entry.digest == "d"
        await two.not_created("b")
        # a claim whose holder stops renewing it (it died) is taken over once it lapses
        assert (await two.claim("b", "d")).ours
        assert await two.sent("b", now)
        assert not (await one.claim("b", "d")).ours
        await anyio.sleep(0.6)
        await two.renew()
        await anyio.sleep(0.6)
        assert not (await one.claim("b", "d")).ours  # renewed: still held
        await anyio.sleep(1.1)
        taken = await one.claim("b", "d")
        assert taken.ours
        assert taken.entry is not None
        assert taken.entry.state == "sent"  # in doubt: the taker settles it by the marker
        assert not await two.sent("b", now)
        await two.not_created("b")  # no longer its row: changes nothing
        assert (await one.entries())["b"].state == "sent"
        # a run that closes releases what it holds
        assert (await two.claim("c", "d")).ours
        await two.aclose()
        assert (await one.claim("c", "d")).ours
    finally:
        await one.aclose()
        await two.aclose()


async def in_doubt(journal: Journal, job: str, key: str) -> None:
    """Leave ``key``'s row sent with no outcome, as a run killed mid-create does."""
    await journal.open(job)
    try:
        digest = (await journal.entries())[key].digest
        await journal.claim(key, digest)
        assert await journal.sent(key, datetime.now(timezone.utc))
    finally:
        await journal.aclose()


def foreign_journals(journals: Journals) -> list[tuple[Any, str]]:
    """Journals that are not ngrok_async's, and what the refusal says."""
    if journals.kind == "sqlite":
        garbage = journals.tmp_path / "garbage"
        garbage.write_bytes(b"not a database at all" * 100)
        foreign = journals.tmp_path / "foreign.sqlite"
        with sqlite3.connect(foreign) as db:
            db.execute("CREATE TABLE users (name TEXT)")
        db.close()
        return [(garbage, "not a usable journal"), (foreign, "another program")]
    import redis

    journal = journals.journal("foreign")
    client = redis.Redis.from_url(journals.redis_url or "")
    try:
        client.set(journal.keys[0], "a string")  # type: ignore[attr-defined]
        client.hset(journals.journal("rows").keys[1], "0", "created")  # type: ignore[attr-defined]
    finally:
        client.close()
    return [(journal, "WRONGTYPE"), (journals.journal("rows"), "rows but no header")]


SCENARIOS = [
    a_run_stopped_half_way_resumes_to_exactly_one_certificate_per_key,
    in_doubt_rows_are_settled_by_the_marker_not_sent_again,
    a_journal_of_another_input_job_or_program_is_refused,
    tokens_stay_out_of_the_journal_unless_the_caller_keeps_them,
    a_key_function_survives_reordered_and_filtered_input,
    duplicate_keys_fail_alone_before_any_request,
    the_journal_on_its_own,
    claims_keep_two_runs_off_each_others_rows,
]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("kind", ["sqlite", "redis"])
@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda scenario: scenario.__name__)
def test_journal(
    scenario: Callable[[Journals], Any],
    kind: str,
    backend: str,
    tmp_path: pathlib.Path,
    request: pytest.FixtureRequest,
) -> None:
    redis_url = request.getfixturevalue("redis_url") if kind == "redis" else None
    anyio.run(scenario, Journals(kind, tmp_path, redis_url), backend=backend)
