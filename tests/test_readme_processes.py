"""README's "Many processes" and "Resuming a bulk run" examples run as written: against a real
Redis server and FakeNgrok (``AsyncClient`` is swapped for the fake's client)."""

from __future__ import annotations

import pathlib
import secrets
from typing import Any

import anyio
import pytest

import ngrok_async
from ngrok_async.testing import FakeNgrok

from .markdown_blocks import section_code
from .test_bulk_services import keys
from .test_readme import README


def run_section(heading: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "readme"}
    exec(compile(section_code(README, heading), str(README), "exec"), namespace)
    return namespace


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeNgrok:
    fake = FakeNgrok(seed=31)
    real = ngrok_async.AsyncClient

    def client(**options: Any) -> ngrok_async.AsyncClient:
        return real(fake.api_key, base_url=fake.base_url, transport=fake, **options)

    monkeypatch.setattr(ngrok_async, "AsyncClient", client)
    return fake


async def test_many_processes_example(
    fake: FakeNgrok, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDIS_URL", redis_url)
    section = run_section("Many processes")
    async with section["lifespan"](None) as state:
        assert (await state["ngrok"].credentials.create()).id

    send, receive = anyio.create_memory_object_stream[str](10)
    queues = [receive.clone() for _ in range(2)]
    receive.close()
    async with anyio.create_task_group() as workers:
        for queue in queues:  # two replicas sharing the account's limits
            workers.start_soon(section["queue_worker"], queue)
        async with send:
            for n in range(6):
                await send.send(f"job {n}")
    for queue in queues:
        queue.close()
    assert len(fake.resources("credentials")) == 7


async def test_resuming_example(fake: FakeNgrok, tmp_path: pathlib.Path) -> None:
    section = run_section("Resuming a bulk run")
    async with ngrok_async.AsyncClient(rate_limit=None) as setup:
        ca = await setup.ssh_certificate_authorities.create(private_key_type="ed25519")
    public_keys = keys(4)
    journal = str(tmp_path / "certs.journal")
    assert await section["issue"](ca.id, public_keys[:2], journal) == 2
    assert await section["issue"](ca.id, public_keys, journal) == 4
    assert len(fake.resources("ssh_user_certificates")) == 4

    vault: dict[str, str] = {}
    agents = str(tmp_path / "agents.journal")
    await section["create_agents"](["b", "a"], agents, vault)
    await section["create_agents"](["a", "b", "c"], agents, vault)
    assert len(vault) == 3
    assert all(token for token in vault.values())
    assert len(fake.resources("credentials")) == 3


async def test_resuming_example_on_redis(
    fake: FakeNgrok, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDIS_URL", redis_url)
    section = run_section("Resuming a bulk run")
    async with ngrok_async.AsyncClient(rate_limit=None) as setup:
        ca = await setup.ssh_certificate_authorities.create(private_key_type="ed25519")
    public_keys = keys(4)
    job = f"readme-{secrets.token_hex(4)}"
    assert await section["issue"](ca.id, public_keys[:2], section["fleet_journal"](job)) == 2
    assert await section["issue"](ca.id, public_keys, section["fleet_journal"](job)) == 4
    assert len(fake.resources("ssh_user_certificates")) == 4
