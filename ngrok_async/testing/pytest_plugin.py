"""The pytest plugin installed with the package (``pytest11`` entry point ``ngrok_async``).

Fixtures:

``ngrok_fake``
    A fresh :class:`~ngrok_async.testing.FakeNgrok` for each test.
``ngrok_client``
    An :class:`~ngrok_async.AsyncClient` on ``ngrok_fake``, closed after the test.

Both are plain (synchronous) fixtures, like pytest-httpx's ``httpx_mock``: they work in tests
run by pytest-asyncio (``auto`` or ``strict`` mode) and by anyio's plugin (asyncio or trio),
with no conftest. Configure the fake per test with the marker::

    @pytest.mark.ngrok_fake(seed=7, faults=Faults(p_unavailable=0.5), api_key="sk_test")

(any :class:`FakeNgrok` keyword), or for the whole run with ``--ngrok-fake-seed N``.
``-p no:ngrok_async`` turns the plugin off. Importing it loads nothing of the fake: that
happens when a test asks for a fixture.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .. import AsyncClient
    from ._fake import FakeNgrok

MARKER = "ngrok_fake"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ngrok_async", "ngrok_async's fake ngrok API")
    group.addoption(
        "--ngrok-fake-seed",
        default=None,
        metavar="SEED",
        help="Seed of every ngrok_fake fixture (ids, tokens, fault dice) unless its marker "
        "gives one.",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**options): FakeNgrok keywords (seed=, faults=, api_key=, base_url=, ...) "
        "for the ngrok_fake / ngrok_client fixtures of this test.",
    )


@pytest.fixture
def ngrok_fake(request: pytest.FixtureRequest) -> FakeNgrok:
    """A fresh in-memory ngrok API (``FakeNgrok``), configured by ``@pytest.mark.ngrok_fake``."""
    from ._fake import FakeNgrok

    options: dict[str, Any] = {}
    seed = request.config.getoption("--ngrok-fake-seed")
    if seed is not None:
        options["seed"] = int(seed) if seed.lstrip("-").isdigit() else seed
    for marker in reversed(list(request.node.iter_markers(MARKER))):  # the closest wins
        if marker.args:
            pytest.fail(f"@pytest.mark.{MARKER} takes keywords only", pytrace=False)
        options.update(marker.kwargs)
    try:
        return FakeNgrok(**options)
    except (TypeError, ValueError) as exc:
        pytest.fail(f"@pytest.mark.{MARKER}: {exc}", pytrace=False)


@pytest.fixture
def ngrok_client(ngrok_fake: FakeNgrok) -> Iterator[AsyncClient]:
    """An ``AsyncClient`` on ``ngrok_fake``; closed after the test (``async with`` it too if
    you like: closing twice is fine)."""
    client = ngrok_fake.client()
    yield client
    _close(client)


def _close(client: AsyncClient) -> None:
    """Close ``client`` outside any event loop: over the in-memory fake, closing never waits
    on I/O, so the coroutine finishes in one step; otherwise it runs on a fresh loop in a
    thread, leaving the test's loop alone."""
    closing = client.aclose()
    try:
        closing.send(None)
    except StopIteration:
        return
    closing.close()
    import anyio

    thread = threading.Thread(target=anyio.run, args=(client.aclose,), daemon=True)
    thread.start()
    thread.join(timeout=10)
