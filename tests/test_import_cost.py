"""``import ngrok_async`` stays cheap: generated services, cattrs and cryptography load on use."""

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
    assert before == [
        "ngrok_async.resources._generated",
        "ngrok_async.resources._generated._services",
    ]
    assert heavy == []
    prefix = "ngrok_async.resources._generated."
    assert {f"{prefix}accounts", f"{prefix}edge_route_modules_auth"} <= set(after)
    assert f"{prefix}tunnels" not in after


def test_lazy_names_resolve_and_list() -> None:
    from ngrok_async.resources import _generated

    assert _generated.APIKey.__module__.endswith(".accounts")
    assert "EndpointOAuthParam" in dir(_generated)
    with pytest.raises(AttributeError, match="NoSuchName"):
        _generated.NoSuchName  # noqa: B018
