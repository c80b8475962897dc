"""The bot example renews what is due, and README's "Bulk issuance" example runs as written."""

from __future__ import annotations

import importlib.util
import pathlib
from datetime import datetime, timedelta, timezone
from types import ModuleType
from typing import Any

import pytest

from ngrok_async import AsyncClient
from ngrok_async.ssh_keys import generate_key_pair, parse_certificate, write_certificate
from ngrok_async.testing import FakeNgrok

ROOT = pathlib.Path(__file__).parent.parent


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "examples" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_keys(directory: pathlib.Path, *names: str) -> None:
    for name in names:
        (directory / f"{name}.pub").write_text(generate_key_pair()[1] + "\n")


async def certify(ngrok: AsyncClient, ca_id: str, key: pathlib.Path, hours: float) -> None:
    until = datetime.now(timezone.utc) + timedelta(hours=hours)
    cert = await ngrok.ssh_user_certificates.create(ca_id, key, valid_until=until)
    write_certificate(key, cert)


async def test_the_bot_renews_missing_foreign_and_expiring_certificates(
    tmp_path: pathlib.Path,
) -> None:
    bot = load("bot")
    write_keys(tmp_path, "fresh", "expiring", "foreign", "missing")
    async with FakeNgrok(seed=1).client(rate_limit=None) as ngrok:
        ca = await ngrok.ssh_certificate_authorities.create()
        other = await ngrok.ssh_certificate_authorities.create()
        await certify(ngrok, ca.id, tmp_path / "fresh.pub", hours=8)
        await certify(ngrok, ca.id, tmp_path / "expiring.pub", hours=1)
        await certify(ngrok, other.id, tmp_path / "foreign.pub", hours=8)
        fresh_before = (tmp_path / "fresh-cert.pub").read_text()

        first = await bot.renew_once(ngrok, ca.id, tmp_path)
        second = await bot.renew_once(ngrok, ca.id, tmp_path)

    assert first == (3, 0)
    assert second == (0, 0)
    assert (tmp_path / "fresh-cert.pub").read_text() == fresh_before
    for name in ("expiring", "foreign", "missing"):
        info = parse_certificate(tmp_path / f"{name}-cert.pub")
        assert info.principals == (bot.PRINCIPAL,)
        assert info.valid_before - datetime.now(timezone.utc) > timedelta(hours=7)


def _readme_block(heading: str) -> str:
    text = (ROOT / "README.md").read_text()
    section = text.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return section.split("```python\n", 1)[1].split("```", 1)[0]


async def test_readme_bulk_issuance_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    namespace: dict[str, Any] = {}
    exec(compile(_readme_block("Bulk issuance"), "README.md", "exec"), namespace)

    await namespace["main"]()

    out = capsys.readouterr().out
    assert "created 50, not created 0, unknown 0" in out
