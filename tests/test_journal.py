"""Resumable bulk runs: the SQLite journal, resuming after a crash, refusing the wrong journal,
secrets kept out, ``key=``, reconciliation lookups; asyncio and trio."""

from __future__ import annotations

import collections
import pathlib
import sqlite3
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
from ngrok_async.testing import FakeNgrok

from .test_bulk_services import LoseResponses, collect, keys, with_ca

pytestmark = pytest.mark.usefixtures("sleeps")
BACKENDS = ["asyncio", "trio"]


async def a_run_stopped_half_way_resumes_to_exactly_one_certificate_per_key(
    tmp_path: pathlib.Path,
) -> None:
    journal = tmp_path / "certs.journal"
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
            requests(), journal=journal, reconcile_delay=0, concurrency=4
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
            requests(), journal=journal, reconcile_delay=0
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
            ngrok.ssh_user_certificates.create_many(requests(), journal=journal)
        )
    assert all(r.resumed for r in results.values())
    assert not [r for r in fake.requests[before:] if r.method == "POST"]


async def in_doubt_rows_are_settled_by_the_marker_not_sent_again(
    tmp_path: pathlib.Path,
) -> None:
    """A row written as sent, no outcome: a crash after the server created it, or before."""
    fake = FakeNgrok(seed=22)
    path = tmp_path / "j.sqlite"
    async with fake.client(rate_limit=None) as ngrok:
        ca = await with_ca(ngrok)
        requests = [SSHUserCertificateRequest(ca, key) for key in keys(2)]
        transport = LoseResponses(fake, after=(1,), before=(2,))
        async with AsyncClient(
            "test", transport=transport, rate_limit=None, max_retries=0
        ) as lossy:
            first = await collect(
                lossy.ssh_user_certificates.create_many(
                    requests, journal=path, max_attempts=1, reconcile=True, reconcile_delay=0
                )
            )
        # the first was found by its marker; the second was proven absent, out of attempts
        assert (first[0].ok, first[0].reconciled) == (True, True)
        assert first[1].outcome.value == "not_created"
        with sqlite3.connect(path) as db:  # simulate a crash with the second still in doubt
            db.execute("UPDATE requests SET state = 'sent' WHERE key = '1'")
        db.close()
        second = await collect(ngrok.ssh_user_certificates.create_many(requests, journal=path))
    assert second[0].resumed
    assert second[1].ok
    assert not second[1].resumed
    assert len(fake.resources("ssh_user_certificates")) == 2


async def a_journal_of_another_input_job_or_program_is_refused(tmp_path: pathlib.Path) -> None:
    fake = FakeNgrok(seed=23)
    path = tmp_path / "j"
    async with fake.client(rate_limit=None) as ngrok:
        await collect(
            ngrok.credentials.create_many([CredentialRequest(description="a")], journal=path)
        )

        with pytest.raises(JournalError, match="differs from the one in the journal"):
            await collect(
                ngrok.credentials.create_many([CredentialRequest(description="b")], journal=path)
            )
        ca = await with_ca(ngrok)
        with pytest.raises(JournalError, match="journal of a '/credentials' run"):
            await collect(
                ngrok.ssh_user_certificates.create_many(
                    [SSHUserCertificateRequest(ca, keys(1)[0])], journal=path
                )
            )
        garbage = tmp_path / "garbage"
        garbage.write_bytes(b"not a database at all" * 100)
        with pytest.raises(JournalError, match="not a usable journal"):
            await collect(ngrok.credentials.create_many([CredentialRequest()], journal=garbage))
        foreign = tmp_path / "foreign.sqlite"
        with sqlite3.connect(foreign) as db:
            db.execute("CREATE TABLE users (name TEXT)")
        db.close()
        with pytest.raises(JournalError, match="another program"):
            await collect(ngrok.credentials.create_many([CredentialRequest()], journal=foreign))
    assert len(fake.resources("credentials")) == 1  # nothing was sent on a refused journal


async def tokens_stay_out_of_the_journal_unless_the_caller_keeps_them(
    tmp_path: pathlib.Path,
) -> None:
    fake = FakeNgrok(seed=24)
    path = tmp_path / "tokens.journal"
    kept: dict[str, str] = {}

    def keep(record: Any) -> None:
        kept[record.id] = record.token

    async with fake.client(rate_limit=None) as ngrok:
        requests = [CredentialRequest(description=f"agent {n}") for n in range(3)]
        first = await collect(
            ngrok.credentials.create_many(requests, journal=path, on_created=keep)
        )
        second = await collect(ngrok.credentials.create_many(requests, journal=path))

    assert all(r.record.token for r in first.values())
    assert sorted(kept) == sorted(r.record.id for r in first.values())
    assert all(r.resumed and r.record.token is None for r in second.values())
    assert b"token" not in path.read_bytes().replace(b'"token"', b"")  # no value stored
    for result in first.values():
        assert result.record.token.encode() not in path.read_bytes()


async def a_key_function_survives_reordered_and_filtered_input(tmp_path: pathlib.Path) -> None:
    fake = FakeNgrok(seed=25)
    path = tmp_path / "keyed.journal"
    names = [f"host-{n}" for n in range(6)]
    async with fake.client(rate_limit=None) as ngrok:

        def run(subset: list[str]) -> Any:
            requests = [CredentialRequest(description=name) for name in subset]
            return ngrok.credentials.create_many(
                requests, journal=path, key=lambda request: request.description
            )

        await collect(run(names[:4]))
        results = await collect(run(list(reversed(names))))

    assert len(fake.resources("credentials")) == 6
    assert sum(r.resumed for r in results.values()) == 4


async def duplicate_keys_fail_alone_before_any_request(tmp_path: pathlib.Path) -> None:
    fake = FakeNgrok(seed=26)
    async with fake.client(rate_limit=None) as ngrok:
        results = await collect(
            ngrok.credentials.create_many(
                [CredentialRequest(description="x")] * 2,
                journal=tmp_path / "dup",
                key=lambda request: "same",
            )
        )
    outcomes = sorted(r.outcome.value for r in results.values())
    assert outcomes == ["created", "not_created"]
    assert len(fake.resources("credentials")) == 1


async def the_sqlite_journal_on_its_own(tmp_path: pathlib.Path) -> None:
    journal = SQLiteJournal(tmp_path / "own")
    run_id = await journal.open("/things")
    assert await journal.remember("valid_until", "A") == "A"
    from datetime import datetime, timezone

    await journal.sent("k", "d", datetime.now(timezone.utc))
    await journal.created("k", {"id": "x"})
    await journal.aclose()
    again = SQLiteJournal(tmp_path / "own")
    assert await again.open("/things") == run_id
    assert await again.remember("valid_until", "B") == "A"
    entries = await again.entries()
    assert entries["k"].state == "created"
    assert entries["k"].record == {"id": "x"}
    with pytest.raises(JournalError, match="already open"):
        await again.open("/things")
    with pytest.raises(JournalError, match="in use by another run"):
        await SQLiteJournal(tmp_path / "own").open("/things")
    await again.aclose()
    with pytest.raises(JournalError, match="not open"):
        await again.entries()


SCENARIOS = [
    a_run_stopped_half_way_resumes_to_exactly_one_certificate_per_key,
    in_doubt_rows_are_settled_by_the_marker_not_sent_again,
    a_journal_of_another_input_job_or_program_is_refused,
    tokens_stay_out_of_the_journal_unless_the_caller_keeps_them,
    a_key_function_survives_reordered_and_filtered_input,
    duplicate_keys_fail_alone_before_any_request,
    the_sqlite_journal_on_its_own,
]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda scenario: scenario.__name__)
def test_journal(scenario: Any, backend: str, tmp_path: pathlib.Path) -> None:
    anyio.run(scenario, tmp_path, backend=backend)
