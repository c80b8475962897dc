"""``import ngrok_async`` and the command line stay cheap: the client, generated services,
httpx, cattrs, cryptography and the fake load on use."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

PROBE = """
import json, sys
import ngrok_async
before = sorted(m for m in sys.modules if m.startswith("ngrok_async.resources._generated"))
heavy = sorted(m for m in ("cattrs", "cryptography", "ngrok_async.ssh_keys") if m in sys.modules)
client = ngrok_async.AsyncClient("k")
client.api_keys, client.edge_modules.https_edge_route_oauth
after = sorted(m for m in sys.modules if m.startswith("ngrok_async.resources._generated"))
print(json.dumps([before, heavy, after]))
"""


def test_generated_modules_load_on_first_attribute_access() -> None:
    run = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, check=True
    )
    before, heavy, after = json.loads(run.stdout)
    assert before == []  # the package root is lazy: nothing but the version is imported
    assert heavy == []
    prefix = "ngrok_async.resources._generated."
    assert {f"{prefix}accounts", f"{prefix}edge_route_modules_auth"} <= set(after)
    assert f"{prefix}tunnels" not in after


CLI_PROBE = """
import contextlib, io, json, sys
from ngrok_async.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    status = main({argv!r})
loaded = sorted(m for m in sys.modules if m.startswith(("ngrok_async", "httpx", "cryptography")))
print(json.dumps([status, loaded]))
"""


def cli_modules(*argv: str) -> set[str]:
    run = subprocess.run(
        [sys.executable, "-c", CLI_PROBE.format(argv=list(argv))],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    status, loaded = json.loads(run.stdout)
    assert status == 0
    return set(loaded)


def test_help_and_listings_import_no_service_client_or_fake() -> None:
    for argv in (["--help"], ["edges", "--help"], ["edges", "tcp", "--help"], ["--version"]):
        loaded = cli_modules(*argv)
        assert not any(m.startswith(("httpx", "cryptography")) for m in loaded), argv
        assert not any(".resources." in m or ".testing" in m for m in loaded), argv
        assert "ngrok_async._client" not in loaded


def test_a_command_imports_its_own_service_and_the_fake_only_with_fake() -> None:
    fake = cli_modules("credentials", "list", "--fake")
    assert {"ngrok_async.resources.credentials", "ngrok_async.testing"} <= fake
    generated = {m for m in fake if m.startswith("ngrok_async.resources._generated.")}
    assert generated == {"ngrok_async.resources._generated._services"}  # the client's mixin
    assert "ngrok_async.types" not in fake
    real = cli_modules("api-keys", "create", "--help")
    assert "ngrok_async.resources._generated.accounts" in real
    assert not any(m.startswith("ngrok_async.testing") for m in real)
    assert "ngrok_async.resources._generated.edges_tcp" not in real


def test_lazy_names_resolve_and_list() -> None:
    from ngrok_async.resources import _generated

    assert _generated.APIKey.__module__.endswith(".accounts")
    assert "EndpointOAuthParam" in dir(_generated)
    with pytest.raises(AttributeError, match="NoSuchName"):
        _generated.NoSuchName  # noqa: B018
