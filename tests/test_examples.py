"""The examples run: the bot keeps every key's certificate fresh through ``keep_fresh``."""

from __future__ import annotations

import importlib.util
import pathlib
import sys
from datetime import datetime, timedelta, timezone
from types import ModuleType

import anyio
import anyio.from_thread
import anyio.lowlevel
import pytest

from ngrok_async.renew import RenewalEvent, Status
from ngrok_async.ssh_keys import generate_key_pair, parse_certificate, write_certificate
from ngrok_async.testing import FakeNgrok

ROOT = pathlib.Path(__file__).parent.parent


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "examples" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # pydantic resolves annotations through it
    spec.loader.exec_module(module)
    return module


class FakeClock:
    def __init__(self) -> None:
        self.time = datetime.now(timezone.utc)

    def now(self) -> datetime:
        return self.time

    async def sleep(self, seconds: float) -> None:
        self.time += timedelta(seconds=seconds)
        await anyio.lowlevel.checkpoint()


def test_the_bot_keeps_every_key_certified(tmp_path: pathlib.Path) -> None:
    bot = load("bot")
    for name in ("fresh", "foreign", "missing"):
        (tmp_path / f"{name}.pub").write_text(generate_key_pair()[1] + "\n")
    events: list[RenewalEvent] = []

    async def main() -> None:
        async with FakeNgrok(seed=1).client(rate_limit=None) as ngrok:
            ca = await ngrok.ssh_certificate_authorities.create()
            other = await ngrok.ssh_certificate_authorities.create()
            for signer, name in ((ca, "fresh"), (other, "foreign")):
                key = tmp_path / f"{name}.pub"
                cert = await ngrok.ssh_user_certificates.create(
                    signer.id, key, principals=[bot.PRINCIPAL], valid_for=timedelta(hours=8)
                )
                write_certificate(key, cert)
            fresh_before = (tmp_path / "fresh-cert.pub").read_text()
            with anyio.move_on_after(5) as scope:

                def on_event(event: RenewalEvent) -> None:
                    bot.report(event)
                    events.append(event)
                    if len(events) == 6:  # each key: its first step, then one renewal
                        scope.cancel()

                await bot.run(ngrok, ca.id, tmp_path, on_event=on_event, clock=FakeClock())
            return fresh_before

    fresh_before = anyio.run(main)

    assert len(events) >= 6  # tasks that were already running may report once more
    first = {event.key.name: event.status for event in events[:3]}
    assert first == {
        "fresh.pub": Status.KEPT,
        "foreign.pub": Status.RENEWED,
        "missing.pub": Status.RENEWED,
    }
    assert {e.key.name for e in events[3:] if e.status is Status.RENEWED} == {
        "fresh.pub",
        "foreign.pub",
        "missing.pub",
    }
    assert (tmp_path / "fresh-cert.pub").read_text() != fresh_before  # renewed at its point
    for name in ("fresh", "foreign", "missing"):
        info = parse_certificate(tmp_path / f"{name}-cert.pub")
        assert info.principals == (bot.PRINCIPAL,)
        assert info.valid_before - info.valid_after == timedelta(hours=8)


def test_the_fastapi_app_runs_unchanged_against_a_served_fake(
    tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fastapi.testclient import TestClient

    fake = FakeNgrok(api_key="sk_fastapi")
    public_key = generate_key_pair()[1]
    with (
        anyio.from_thread.start_blocking_portal() as portal,
        portal.wrap_async_context_manager(fake.serve()) as url,
    ):

        async def make_ca() -> str:
            async with fake.client() as ngrok:
                return (await ngrok.ssh_certificate_authorities.create()).id

        monkeypatch.setenv("NGROK_SSH_CA_ID", portal.call(make_ca))
        monkeypatch.setenv("NGROK_API_KEY", "sk_fastapi")
        monkeypatch.setenv("NGROK_BASE_URL", url)
        app = load("fastapi_app")
        with TestClient(app.app) as http:
            issued = http.post(
                "/certificates",
                json={"public_key": public_key},
                headers={"X-Forwarded-User": "alice"},
            )
            refused = http.post("/certificates", json={"public_key": "nope"},
                                    headers={"X-Forwarded-User": "alice"})  # fmt: skip
            anonymous = http.post("/certificates", json={"public_key": public_key})

    assert issued.status_code == 201, issued.text
    info = parse_certificate(issued.json()["certificate"])
    assert info.principals == ("alice",)
    assert info.valid_before - info.valid_after == timedelta(hours=8)
    assert refused.status_code == 422
    assert anonymous.status_code == 401
    assert fake.stats.created["ssh_user_certificates"] == 1
