"""``NGROK_BASE_URL`` and ``NGROK_LOG``: read when the argument is not passed."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from ngrok_async import AsyncClient, UnsafeURLError, _logging
from ngrok_async.testing import FakeNgrok

KEY = "sk_env_4f9b2c1d8e7a6b5c"


@pytest.fixture
def clean_logger(monkeypatch: pytest.MonkeyPatch) -> Iterator[logging.Logger]:
    logger = logging.getLogger("ngrok_async")
    level, handlers = logger.level, logger.handlers[:]
    monkeypatch.setattr(_logging, "_handler", None)
    monkeypatch.setattr(_logging, "_redact", _logging._Redact())
    yield logger
    logger.setLevel(level)
    logger.handlers[:] = handlers


async def test_base_url_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeNgrok(api_key=KEY)
    async with fake.serve() as url:
        monkeypatch.setenv("NGROK_BASE_URL", url)
        async with AsyncClient(KEY) as ngrok:
            await ngrok.credentials.create(description="via env")
            assert ngrok.base_url == url.rstrip("/")
        async with AsyncClient(KEY, base_url="https://api.ngrok.com") as explicit:
            assert explicit.base_url == "https://api.ngrok.com"

    assert fake.stats.created["credentials"] == 1


def test_an_unsafe_base_url_in_the_environment_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NGROK_BASE_URL", "http://api.ngrok.com")

    with pytest.raises(UnsafeURLError):
        AsyncClient(KEY)


def test_without_the_variable_the_default_origin_is_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("NGROK_BASE_URL", raising=False)

    assert AsyncClient(KEY).base_url == "https://api.ngrok.com"


@pytest.mark.parametrize(("value", "level"), [("debug", logging.DEBUG), ("INFO", logging.INFO)])
async def test_ngrok_log_logs_to_stderr_with_the_key_redacted(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    clean_logger: logging.Logger,
    value: str,
    level: int,
) -> None:
    monkeypatch.setenv("NGROK_LOG", value)

    async with FakeNgrok(api_key=KEY).client() as ngrok:
        await ngrok.credentials.create(description="logged")
    clean_logger.info("a message that quotes %s", KEY)
    AsyncClient(KEY)  # a second client adds no second handler

    err = capsys.readouterr().err
    assert clean_logger.level == level
    assert len([h for h in clean_logger.handlers if h is _logging._handler]) == 1
    assert "a message that quotes [redacted]" in err
    assert KEY not in err
    assert ("POST /credentials -> 201" in err) == (level == logging.DEBUG)


def test_no_variable_no_handler(
    monkeypatch: pytest.MonkeyPatch, clean_logger: logging.Logger
) -> None:
    monkeypatch.delenv("NGROK_LOG", raising=False)
    before = clean_logger.handlers[:]

    AsyncClient(KEY)

    assert clean_logger.handlers == before
    assert _logging._handler is None
