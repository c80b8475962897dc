"""The SDK's AsyncClient against the fake: ``fake.client()`` and a served loopback URL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

import ngrok_async
from ngrok_async import ssh_keys
from ngrok_async.testing import FakeNgrok, Faults

from .conftest import ED25519_KEY


async def test_client_round_trip(fake: FakeNgrok) -> None:
    async with fake.client(rate_limit=None) as ngrok:
        assert isinstance(ngrok, ngrok_async.AsyncClient)
        created = [await ngrok.credentials.create(description=f"c{i}") for i in range(5)]
        assert all(c.token for c in created)
        fetched = await ngrok.credentials.get(created[0].id)
        assert fetched.description == "c0"
        assert not fetched.token
        listed = [c.id async for c in ngrok.credentials.list(limit=2)]
        assert listed == [c.id for c in reversed(created)]
        pages = [page async for page in ngrok.credentials.pages(limit=2)]
        assert [len(p.items) for p in pages] == [2, 2, 1]
        updated = await ngrok.credentials.update(created[1].id, metadata="m", description=None)
        assert (updated.description, updated.metadata) == ("c1", "m")
        await ngrok.credentials.delete(created[1].id)
        with pytest.raises(ngrok_async.NotFoundError) as caught:
            await ngrok.credentials.get(created[1].id)
        assert caught.value.error_code == "ERR_NGROK_404"
        assert caught.value.operation_id.startswith("op_")


async def test_client_signs_certificates(fake: FakeNgrok) -> None:
    async with fake.client(rate_limit=None) as ngrok:
        ca = await ngrok.ssh_certificate_authorities.create(private_key_type="ecdsa")
        start = datetime.now(timezone.utc).replace(microsecond=0)
        cert = await ngrok.ssh_user_certificates.create(
            ca.id, ED25519_KEY, principals=["deploy"], valid_after=start,
            valid_until=start + timedelta(hours=1),
        )  # fmt: skip
        assert cert.valid_until - cert.valid_after == timedelta(hours=1)
        info = ssh_keys.verify_certificate(
            cert.certificate, ca_public_key=ca.public_key, public_key=ED25519_KEY,
            principal="deploy", at=start + timedelta(minutes=1),
        )  # fmt: skip
        assert info.key_id == cert.id


async def test_client_sees_typed_errors_for_faults(fake: FakeNgrok, sleeps: list[float]) -> None:
    async with fake.client(rate_limit=None, max_retries=0) as ngrok:
        fake.faults = Faults(p_bad_gateway_after=1.0)
        with pytest.raises(ngrok_async.AmbiguousCreateError):
            await ngrok.credentials.create(description="maybe")
        assert [c.get("description") for c in fake.resources("credentials")] == ["maybe"]

        fake.faults = Faults(rate_limit=(1, 60.0))
        await ngrok.credentials.create()
        with pytest.raises(ngrok_async.RateLimitError) as limited:
            await ngrok.credentials.create()
        assert limited.value.error_code == "ERR_NGROK_226"
        assert fake.store.count("credentials") == 2
        assert sleeps == []


async def test_client_retries_through_seeded_unavailability(sleeps: list[float]) -> None:
    fake = FakeNgrok("k", faults=Faults(p_unavailable=0.5), seed=5)
    async with fake.client(rate_limit=None, max_retries=10) as ngrok:
        for _ in range(10):
            await ngrok.credentials.create()
    assert fake.store.count("credentials") == 10
    assert fake.stats.faults["unavailable"] == len(sleeps) > 0


async def test_client_over_a_served_loopback_url(fake: FakeNgrok) -> None:
    async with (
        fake.serve() as url,
        ngrok_async.AsyncClient(fake.api_key, base_url=url, rate_limit=None) as ngrok,
    ):
        ids = [(await ngrok.ssh_credentials.create(ED25519_KEY)).id for _ in range(3)]
        assert [c.id async for c in ngrok.ssh_credentials.list(limit=1)] == ids[::-1]
