"""create_many on the services, against the fake: every request accounted for, ambiguous
failures reconciled, bad items failing alone. (The engine itself: ``test_bulk_engine.py``.)

Faulty runs use the fake's seeded faults or a transport that loses responses; retry sleeps are
patched (``sleeps``) and the reconciler's settle delay is 0, so nothing here waits for real.
"""

from __future__ import annotations

import collections
from typing import Any

import anyio
import httpx
import pytest

from ngrok_async import (
    AmbiguousCreateError,
    AsyncClient,
    BulkProgress,
    BulkRun,
    CredentialRequest,
    InvalidParameterError,
    Outcome,
    ServerError,
    SSHCredentialRequest,
    SSHUserCertificateRequest,
)
from ngrok_async.bulk import read_marker
from ngrok_async.ssh_keys import generate_key_pair
from ngrok_async.testing import FakeNgrok, Faults

pytestmark = pytest.mark.usefixtures("sleeps")


def keys(n: int) -> list[str]:
    return [generate_key_pair()[1] for _ in range(n)]


class LoseResponses(httpx.AsyncBaseTransport):
    """Fails the n-th create POSTs (1-based) with a read timeout, before or after the fake did
    the work; every other request goes through."""

    def __init__(
        self,
        fake: FakeNgrok,
        *,
        before: tuple[int, ...] = (),
        after: tuple[int, ...] = (),
        path: str = "/ssh_user_certificates",
    ) -> None:
        self.fake, self.before, self.after, self.path, self.posts = fake, before, after, path, 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path == self.path:
            self.posts += 1
            if self.posts in self.before:
                raise httpx.ReadTimeout("lost before the work", request=request)
            if self.posts in self.after:
                await self.fake.handle_async_request(request)
                raise httpx.ReadTimeout("lost after the work", request=request)
        return await self.fake.handle_async_request(request)


async def with_ca(ngrok: AsyncClient) -> str:
    return (await ngrok.ssh_certificate_authorities.create(private_key_type="ed25519")).id


async def collect(run: BulkRun[Any, Any], into: dict[int, Any] | None = None) -> dict[int, Any]:
    results: dict[int, Any] = {} if into is None else into
    async with run:
        async for result in run:
            assert result.index not in results
            results[result.index] = result
    return results


# -- the 1,000-issuance figure ------------------------------------------------------------


async def test_thousand_issuances_with_faults_are_all_accounted_for() -> None:
    fake = FakeNgrok(seed=2024, record_requests=False)
    async with fake.client(rate_limit=None, max_concurrency=32) as ngrok:
        ca_id = await with_ca(ngrok)
        public_keys = keys(1000)
        fake.faults = Faults(p_unavailable=0.10, p_bad_gateway_after=0.028, p_drop_after=0.028)
        requests = (
            SSHUserCertificateRequest(ca_id, key, principals=["deploy"]) for key in public_keys
        )
        run = ngrok.ssh_user_certificates.create_many(
            requests, concurrency=32, reconcile=True, reconcile_delay=0
        )
        results = await collect(run)

    stored = fake.resources("ssh_user_certificates")
    per_marker = collections.Counter(read_marker(cert.get("metadata", "")) for cert in stored)
    duplicates = sum(count - 1 for count in per_marker.values())
    stored_ids = {cert["id"]: read_marker(cert["metadata"]) for cert in stored}
    created = {i: r.record for i, r in results.items() if r.outcome is Outcome.CREATED}
    lost = [i for i in range(1000) if per_marker[run.marker(i)] and i not in created]
    phantom = [i for i, rec in created.items() if stored_ids.get(rec.id) != run.marker(i)]
    reconciled = sum(r.reconciled for r in results.values())
    print(
        f"\n1,000 issuances: {len(results)} accounted, {duplicates} duplicates, {len(lost)} lost, "
        f"{len(created)} created ({reconciled} reconciled), faults {dict(fake.stats.faults)}"
    )
    assert sorted(results) == list(range(1000))
    assert duplicates == 0
    assert lost == []
    assert phantom == []
    assert len(created) == 1000 == len(stored)
    assert all(created[i].public_key == public_keys[i] for i in created)
    assert reconciled >= 25  # ~5% of creates failed ambiguously and were found by listing
    assert fake.stats.faults["unavailable"] >= 80
    assert run.progress == BulkProgress(
        pulled=1000, created=1000, reconciled=reconciled, retried=run.progress.retried
    )


# -- reconciliation -----------------------------------------------------------------------


async def test_an_ambiguous_failure_without_permission_is_unknown() -> None:
    fake = FakeNgrok(seed=1)
    async with AsyncClient(
        "test", transport=LoseResponses(fake, after=(2,)), rate_limit=None
    ) as ngrok:
        ca_id = await with_ca(ngrok)
        requests = [SSHUserCertificateRequest(ca_id, key) for key in keys(3)]
        results = await collect(ngrok.ssh_user_certificates.create_many(requests, concurrency=1))

    unknown = [r for r in results.values() if r.outcome is Outcome.UNKNOWN]
    assert len(unknown) == 1
    assert isinstance(unknown[0].error, AmbiguousCreateError)
    assert fake.stats.created["ssh_user_certificates"] == 3  # it did exist: hence "unknown"
    assert all("ngrok_async_bulk" not in r.request.__repr__() for r in results.values())


async def test_a_create_that_did_happen_is_found_by_its_marker() -> None:
    fake = FakeNgrok(seed=2)
    async with AsyncClient(
        "test", transport=LoseResponses(fake, after=(2,)), rate_limit=None
    ) as ngrok:
        ca_id = await with_ca(ngrok)
        requests = [
            SSHUserCertificateRequest(ca_id, key, metadata='{"team": "infra"}') for key in keys(3)
        ]
        run = ngrok.ssh_user_certificates.create_many(
            requests, concurrency=1, reconcile=True, reconcile_delay=0
        )
        results = await collect(run)

    found = results[1]
    assert (found.outcome, found.reconciled, found.attempts) == (Outcome.CREATED, True, 1)
    assert found.record.metadata == '{"team": "infra","ngrok_async_bulk":"' + run.marker(1) + '"}'
    assert (
        fake.stats.created["ssh_user_certificates"]
        == 3
        == len(fake.resources("ssh_user_certificates"))
    )


async def test_a_create_proven_absent_is_created_again_once() -> None:
    fake = FakeNgrok(seed=3)
    async with AsyncClient(
        "test", transport=LoseResponses(fake, before=(1,)), rate_limit=None
    ) as ngrok:
        ca_id = await with_ca(ngrok)
        run = ngrok.ssh_user_certificates.create_many(
            [SSHUserCertificateRequest(ca_id, keys(1)[0])], reconcile=True, reconcile_delay=0
        )
        (result,) = (await collect(run)).values()

    assert (result.outcome, result.attempts, result.reconciled) == (Outcome.CREATED, 2, False)
    assert len(fake.resources("ssh_user_certificates")) == 1
    assert run.progress.retried == 1


async def test_proven_absent_with_no_attempts_left_is_not_created() -> None:
    fake = FakeNgrok(seed=4)
    async with AsyncClient(
        "test", transport=LoseResponses(fake, before=(1,)), rate_limit=None
    ) as ngrok:
        ca_id = await with_ca(ngrok)
        run = ngrok.ssh_user_certificates.create_many(
            [SSHUserCertificateRequest(ca_id, keys(1)[0])],
            reconcile=True,
            reconcile_delay=0,
            max_attempts=1,
        )
        (result,) = (await collect(run)).values()

    assert (result.outcome, result.reconciled) == (Outcome.NOT_CREATED, True)
    assert isinstance(result.error, AmbiguousCreateError)
    assert fake.resources("ssh_user_certificates") == []


async def test_when_listing_keeps_failing_the_outcome_stays_unknown() -> None:
    fake = FakeNgrok(seed=5)
    async with AsyncClient(
        "test", transport=LoseResponses(fake, after=(1,)), rate_limit=None, max_retries=0
    ) as ngrok:
        ca_id = await with_ca(ngrok)
        fake.faults = Faults(p_unavailable=1.0)  # from now on every request (the lists) gets 503
        run = ngrok.ssh_user_certificates.create_many(
            [SSHUserCertificateRequest(ca_id, keys(1)[0])], reconcile=True, reconcile_delay=0
        )
        (result,) = (await collect(run)).values()

    assert result.outcome is Outcome.UNKNOWN
    assert fake.stats.responses[503] >= 3  # the create, then three listing passes


async def test_503s_that_outlast_the_client_retries_are_retried_then_not_created() -> None:
    fake = FakeNgrok(seed=6)
    async with fake.client(rate_limit=None, max_retries=0) as ngrok:
        fake.faults = Faults(p_unavailable=1.0)
        run = ngrok.credentials.create_many([CredentialRequest(description="x")], max_attempts=3)
        (result,) = (await collect(run)).values()

    assert (result.outcome, result.attempts) == (Outcome.NOT_CREATED, 3)
    assert isinstance(result.error, ServerError)
    assert result.error.status_code == 503
    assert fake.stats.requests == 3
    assert fake.resources("credentials") == []


# -- metadata marker ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("metadata", "reason"),
    [
        ("team=infra", "empty or a JSON object"),
        ("[1, 2]", "empty or a JSON object"),
        ('{"ngrok_async_bulk": "mine"}', "already has"),
        ('{"pad": "' + "x" * 4050 + '"}', "4096"),
    ],
)
async def test_metadata_that_cannot_take_the_marker_fails_that_item_only(
    metadata: str, reason: str
) -> None:
    fake = FakeNgrok(seed=7)
    async with fake.client(rate_limit=None) as ngrok:
        requests = [CredentialRequest(metadata=metadata), CredentialRequest(metadata="")]
        results = await collect(ngrok.credentials.create_many(requests, reconcile=True))

    assert results[0].outcome is Outcome.NOT_CREATED
    assert results[0].attempts == 0
    assert isinstance(results[0].error, InvalidParameterError)
    assert results[0].error.param == "metadata"
    assert reason in str(results[0].error)
    assert results[1].ok
    assert read_marker(results[1].record.metadata) is not None
    assert fake.stats.requests == 1


async def test_invalid_items_fail_alone_before_any_request() -> None:
    fake = FakeNgrok(seed=8)
    async with fake.client(rate_limit=None) as ngrok:
        requests: list[Any] = [
            SSHCredentialRequest("not a key"),
            "not a request",
            SSHCredentialRequest(keys(1)[0]),
        ]
        results = await collect(ngrok.ssh_credentials.create_many(requests))

    assert [r.outcome for r in sorted(results.values(), key=lambda r: r.index)] == [
        Outcome.NOT_CREATED,
        Outcome.NOT_CREATED,
        Outcome.CREATED,
    ]
    assert results[0].error.param == "public_key"
    assert results[1].error.param == "request"
    assert fake.stats.requests == 1


async def test_leaving_with_an_error_cancels_work_and_the_error_is_not_wrapped() -> None:
    async def leave_with_an_error(run: BulkRun[Any, Any]) -> None:
        async with run:
            while run.progress.in_flight < 8:
                await anyio.lowlevel.checkpoint()
            raise KeyError("mine")

    fake = FakeNgrok(seed=9, faults=Faults(latency=5.0))  # requests stay in flight
    async with fake.client(rate_limit=None) as ngrok:
        run = ngrok.credentials.create_many(CredentialRequest() for _ in range(20))
        with pytest.raises(KeyError, match="mine"):  # the caller's own error, not a group
            await leave_with_an_error(run)
        assert ngrok._http.limiter.in_flight == 0
        fake.faults = Faults()
        assert (await ngrok.credentials.create()).id  # the client still works
    assert [r.outcome for r in run.unfinished] == [Outcome.UNKNOWN] * 8  # none pulled ahead


def test_bulk_runs_on_trio() -> None:
    async def main() -> dict[int, Any]:
        fake = FakeNgrok(seed=10)
        async with fake.client(rate_limit=None) as ngrok:
            requests = [SSHCredentialRequest(key) for key in keys(5)]
            return await collect(ngrok.ssh_credentials.create_many(requests, reconcile=True))

    results = anyio.run(main, backend="trio")
    assert sorted(results) == list(range(5))
    assert all(r.ok for r in results.values())


async def test_credentials_found_by_reconciliation_have_no_token() -> None:
    fake = FakeNgrok(seed=11)
    transport = LoseResponses(fake, after=(1,), path="/credentials")
    async with AsyncClient("test", transport=transport, rate_limit=None) as ngrok:
        requests = [CredentialRequest(acl=["bind:x.example.com"])]
        run = ngrok.credentials.create_many(requests, reconcile=True, reconcile_delay=0)
        (result,) = (await collect(run)).values()

    assert (result.outcome, result.reconciled) == (Outcome.CREATED, True)
    assert result.record.token is None
    assert result.record.acl == ("bind:x.example.com",)
    # ngrok filters credentials: the lookup asks only for what was created since the send
    listings = [r for r in fake.requests if r.method == "GET"]
    assert listings
    assert all(r.query["filter"].startswith("obj.created_at >= timestamp(") for r in listings)
