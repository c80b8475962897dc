"""``valid_for``: a relative validity window, resolved when the request body is built."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from ngrok_async import InvalidParameterError, Outcome, SSHUserCertificateRequest
from ngrok_async import _validate as check
from ngrok_async.ssh_keys import generate_key_pair
from ngrok_async.testing import FakeNgrok

T0 = datetime(2031, 5, 1, 12, 0, 0, tzinfo=timezone.utc)


def sent_bodies(fake: FakeNgrok) -> list[dict[str, object]]:
    return [
        r.json for r in fake.requests if r.method == "POST" and r.path == "/ssh_user_certificates"
    ]


async def test_valid_for_sends_now_plus_the_span(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(check, "_now", lambda: T0 + timedelta(microseconds=123))
    fake = FakeNgrok()
    async with fake.client(rate_limit=None) as ngrok:
        ca = await ngrok.ssh_certificate_authorities.create()
        await ngrok.ssh_user_certificates.create(
            ca.id, generate_key_pair()[1], valid_for=timedelta(hours=8)
        )
        await ngrok.ssh_user_certificates.create(
            ca.id, generate_key_pair()[1], valid_after=T0, valid_for=timedelta(minutes=5)
        )

    first, second = sent_bodies(fake)
    assert first["valid_until"] == "2031-05-01T20:00:00Z"
    assert "valid_after" not in first
    assert "valid_for" not in first
    assert (second["valid_after"], second["valid_until"]) == (
        "2031-05-01T12:00:00Z",
        "2031-05-01T12:05:00Z",
    )


@pytest.mark.parametrize(
    ("extra", "param"),
    [
        ({"valid_until": T0}, "valid_for"),
        ({"valid_for": timedelta(0)}, "valid_for"),
        ({"valid_for": 3600}, "valid_for"),
        ({"valid_after": T0.replace(tzinfo=None)}, "valid_after"),
    ],
)
async def test_bad_valid_for_is_refused_before_any_request(
    extra: dict[str, object], param: str
) -> None:
    fake = FakeNgrok()
    async with fake.client(rate_limit=None) as ngrok:
        ca = await ngrok.ssh_certificate_authorities.create()
        before = fake.stats.requests
        kwargs = {"valid_for": timedelta(hours=1), **extra}
        with pytest.raises(InvalidParameterError) as info:
            await ngrok.ssh_user_certificates.create(ca.id, generate_key_pair()[1], **kwargs)  # type: ignore[arg-type]

    assert info.value.param == param
    assert fake.stats.requests == before


async def test_a_bulk_request_gets_its_window_when_a_worker_takes_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = {"now": T0}
    monkeypatch.setattr(check, "_now", lambda: clock["now"])
    fake = FakeNgrok()
    async with fake.client(rate_limit=None) as ngrok:
        ca = await ngrok.ssh_certificate_authorities.create()
        built = [
            SSHUserCertificateRequest(ca.id, generate_key_pair()[1], valid_for=timedelta(hours=1))
            for _ in range(3)
        ]  # built at T0 ...

        def later() -> object:
            for n, request in enumerate(built):
                clock["now"] = T0 + timedelta(minutes=10 * (n + 1))  # ... taken much later
                yield request

        async with ngrok.ssh_user_certificates.create_many(later(), concurrency=1) as results:
            outcomes = [result.outcome async for result in results]

    assert outcomes == [Outcome.CREATED] * 3
    assert [body["valid_until"] for body in sent_bodies(fake)] == [
        "2031-05-01T13:10:00Z",
        "2031-05-01T13:20:00Z",
        "2031-05-01T13:30:00Z",
    ]


async def test_a_create_that_waited_on_the_limiter_still_gets_its_whole_span(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import time

    from ngrok_async import RateLimit

    started = time.monotonic()
    monkeypatch.setattr(check, "_now", lambda: T0 + timedelta(seconds=time.monotonic() - started))
    fake = FakeNgrok()
    async with fake.client(rate_limit=RateLimit(1, 1.5)) as ngrok:
        ca = await ngrok.ssh_certificate_authorities.create()  # takes the window's one permit
        await ngrok.ssh_user_certificates.create(  # built now, sent ~1.5 s later
            ca.id, generate_key_pair()[1], valid_for=timedelta(hours=1)
        )

    (body,) = sent_bodies(fake)
    sent_until = datetime.fromisoformat(str(body["valid_until"]).replace("Z", "+00:00"))
    assert sent_until >= T0 + timedelta(hours=1, seconds=1)


async def test_host_certificates_take_valid_for_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(check, "_now", lambda: T0)
    fake = FakeNgrok()
    async with fake.client(rate_limit=None) as ngrok:
        ca = await ngrok.ssh_certificate_authorities.create()
        await ngrok.ssh_host_certificates.create(
            ssh_certificate_authority_id=ca.id,
            public_key=generate_key_pair()[1],
            principals=["host.example.com"],
            valid_for=timedelta(days=30),
        )
        with pytest.raises(InvalidParameterError):
            await ngrok.ssh_host_certificates.create(
                ssh_certificate_authority_id=ca.id,
                public_key=generate_key_pair()[1],
                valid_until=T0 + timedelta(days=1),
                valid_for=timedelta(days=30),
            )

    (body,) = [r.json for r in fake.requests if r.path == "/ssh_host_certificates"]
    assert body["valid_until"] == "2031-05-31T12:00:00Z"
    assert "valid_for" not in body
