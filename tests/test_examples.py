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


class InstantClock:
    """Real time, but every sleep returns at once: each task's next renewal comes next."""

    def __init__(self) -> None:
        self.sleeps: list[float] = []

    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        await anyio.lowlevel.checkpoint()


def test_the_bot_keeps_every_key_certified(tmp_path: pathlib.Path) -> None:
    bot = load("bot")
    for name in ("fresh", "foreign", "missing"):
        (tmp_path / f"{name}.pub").write_text(generate_key_pair()[1] + "\n")
    events: dict[str, list[Status]] = {}
    clock = InstantClock()

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
                    events.setdefault(event.key.name, []).append(event.status)
                    if len(events) == 3 and all(len(e) >= 2 for e in events.values()):
                        scope.cancel()  # each key: its first step, then one renewal

                await bot.run(ngrok, ca.id, tmp_path, on_event=on_event, clock=clock)
            return fresh_before

    fresh_before = anyio.run(main)

    assert {name: statuses[:2] for name, statuses in events.items()} == {
        "fresh.pub": [Status.KEPT, Status.RENEWED],
        "foreign.pub": [Status.RENEWED, Status.RENEWED],
        "missing.pub": [Status.RENEWED, Status.RENEWED],
    }
    hours = [seconds / 3600 for seconds in clock.sleeps]
    assert all(4.9 < h < 5.8 for h in hours)  # (2/3 ± 0.05) of 8 h, from each certificate
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
