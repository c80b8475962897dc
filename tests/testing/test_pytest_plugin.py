"""The pytest plugin installed with the package: fixtures ``ngrok_fake`` / ``ngrok_client``, the
``ngrok_fake`` marker and ``--ngrok-fake-seed``, in suites with no conftest, under
pytest-asyncio (auto and strict mode) and anyio (asyncio and trio), and out of the way of
suites that do not use it. Each suite runs in a subprocess, as a user's would."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

pytest_plugins = ["pytester"]

USES_FIXTURES = """
import pytest
from ngrok_async import AsyncClient
from ngrok_async.testing import FakeNgrok, Faults

{marker}
async def test_create_and_list(ngrok_client: AsyncClient, ngrok_fake: FakeNgrok) -> None:
    cred = await ngrok_client.credentials.create(description="ci")
    assert [c.id async for c in ngrok_client.credentials.list()] == [cred.id]
    assert ngrok_fake.resources("credentials")[0]["id"] == cred.id

{marker}
async def test_each_test_gets_a_fresh_fake(ngrok_client: AsyncClient, ngrok_fake) -> None:
    assert [c async for c in ngrok_client.credentials.list()] == []

{marker}
@pytest.mark.ngrok_fake(faults=Faults(p_unavailable=1.0), api_key="sk_marked")
async def test_the_marker_configures_the_fake(ngrok_client: AsyncClient, ngrok_fake) -> None:
    from ngrok_async import NgrokError
    assert ngrok_fake.api_key == "sk_marked"
    with pytest.raises(NgrokError):
        await ngrok_client.with_options(max_retries=0).api_keys.create()
    assert ngrok_fake.stats.faults["unavailable"] == 1

{marker}
async def test_async_with_the_client_is_fine_too(ngrok_client: AsyncClient) -> None:
    async with ngrok_client as ngrok:
        await ngrok.credentials.create()
"""

MODES = {
    "pytest-asyncio auto": ("-o", "asyncio_mode=auto", ""),
    "pytest-asyncio strict": ("-o", "asyncio_mode=strict", "@pytest.mark.asyncio"),
    "anyio on asyncio": ("-p", "no:asyncio", "@pytest.mark.anyio"),
    "anyio on trio": ("-p", "no:asyncio", "@pytest.mark.anyio"),
}


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """pytest in a subprocess, as a user runs it (pytest-asyncio's own deprecation quieted)."""
    extra = () if "no:asyncio" in args else ("-o", "asyncio_default_fixture_loop_scope=function")
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", *extra, *args)


@pytest.mark.parametrize("mode", list(MODES))
def test_the_fixtures_work_with_no_conftest(pytester: pytest.Pytester, mode: str) -> None:
    flag, value, marker = MODES[mode]
    source = USES_FIXTURES.format(marker=marker)
    if mode.startswith("anyio"):
        backend = mode.rsplit(" ", 1)[1]
        source += f"\n@pytest.fixture\ndef anyio_backend():\n    return {backend!r}\n"
    pytester.makepyfile(test_user_suite=source)
    result = run(pytester, flag, value, "-W", "error")
    result.assert_outcomes(passed=4)


def test_the_seed_option_and_the_marker_seed(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_seeds="""
import json, pytest

def test_from_option(ngrok_fake):
    print("ID", json.dumps(ngrok_fake.user_id))

@pytest.mark.ngrok_fake(seed=99)
def test_from_marker(ngrok_fake):
    print("ID", json.dumps(ngrok_fake.user_id))
"""
    )
    ids = []
    for _ in range(2):
        result = run(pytester, "-s", "--ngrok-fake-seed", "7")
        result.assert_outcomes(passed=2)
        ids.append(re.findall(r'ID "(\w+)"', result.stdout.str()))
    assert len(ids[0]) == 2
    assert ids[0] == ids[1]  # seeded: the same user id in every run
    assert ids[0][0] != ids[0][1]  # the marker's seed wins over the option


def test_a_bad_marker_fails_the_test_with_a_clear_message(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_bad="""
import pytest

@pytest.mark.ngrok_fake(api_key="")
def test_bad_key(ngrok_fake):
    pass

@pytest.mark.ngrok_fake(colour="blue")
def test_unknown_keyword(ngrok_fake):
    pass
"""
    )
    result = run(pytester)
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(["*@pytest.mark.ngrok_fake: api_key must be*", "*colour*"])


def test_a_suite_that_does_not_use_it_is_untouched(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_other="""
import sys

def test_nothing_of_the_fake_is_loaded():
    loaded = [m for m in sys.modules if m.startswith("ngrok_async.testing.")]
    assert loaded == ["ngrok_async.testing.pytest_plugin"], loaded

def test_own_fixture_named_like_ours(ngrok_fake):
    assert ngrok_fake == "mine"
""",
        conftest="""
import pytest

@pytest.fixture
def ngrok_fake():
    return "mine"
""",
    )
    result = run(pytester, "-W", "error", "--strict-markers")
    result.assert_outcomes(passed=2)
    off = run(pytester, "-p", "no:ngrok_async", "-k", "own")
    off.assert_outcomes(passed=1)


def test_the_plugin_is_registered_by_the_entry_point() -> None:
    from importlib.metadata import entry_points

    (plugin,) = [e for e in entry_points(group="pytest11") if e.name == "ngrok_async"]
    assert plugin.value == "ngrok_async.testing.pytest_plugin"


def test_importing_the_plugin_loads_nothing_of_the_fake() -> None:
    probe = (
        "import sys, ngrok_async.testing.pytest_plugin; "
        "print([m for m in sys.modules if m.startswith('ngrok_async.testing.')])"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.strip() == "['ngrok_async.testing.pytest_plugin']"
