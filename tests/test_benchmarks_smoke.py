"""The benchmark suite (benchmarks/, issue 6) runs end to end on tiny sizes, so it never rots.

Nothing here judges speed: the figures of a tiny run on a shared CI machine mean nothing. It
checks that every scenario and every contender ran and produced finite figures, and that the
lean benchmark server and FakeNgrok agree on the wire shapes the benchmarks use.
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import httpx
import pytest

from benchmarks import contenders, run
from benchmarks.harness import Server
from benchmarks.server import CA_ID, LIST_KEY, PUBLIC_KEY

CONTENDERS = {"ngrok_async", "ngrok_async[aiohttp]", "httpx", "httpx+aiohttp", "aiohttp"}


def test_every_scenario_and_contender_runs_on_tiny_sizes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.perf_counter()
    results = tmp_path / "results.json"

    assert run.main(["--smoke", "--json", str(results)]) == 0

    assert time.perf_counter() - started < 45
    data = json.loads(results.read_text())
    rows = data["rows"]
    by_scenario: dict[str, set[str]] = {}
    for row in rows:
        by_scenario.setdefault(row["scenario"].split(".")[0], set()).add(row["contender"])
        assert math.isfinite(row["value"])
        assert row["value"] >= 0
    assert sorted(by_scenario) == ["1", "2", "3", "4", "5", "6", "7", "8"]
    assert {"ngrok-async --help", "credentials list --fake"} <= by_scenario["8"]
    assert {"httpx", "ngrok_async"} <= by_scenario["7"]
    assert CONTENDERS | {"ngrok-api"} <= by_scenario["1"]
    assert {"ngrok_async", "httpx", "aiohttp", "ngrok-api"} <= by_scenario["2"]
    assert {"json.loads", "SDK decode"} <= by_scenario["3"]
    assert {"ngrok_async", "httpx", "ngrok-api"} <= by_scenario["4"]
    assert len(by_scenario["5"]) == 4  # three ways to burst, and the ideal
    assert by_scenario["6"] >= CONTENDERS
    burst = [r for r in rows if r["scenario"].startswith("5.") and "RateLimit" in r["contender"]]
    assert burst[0]["note"].startswith("30/30 ok")
    assert "Not installed" not in data["header"]  # the dev extra has every contender
    targets = {t["text"] for t in data["targets"]}
    assert any("raw httpx.AsyncClient" in t for t in targets)
    assert any("10%" in t for t in targets)
    out = capsys.readouterr().out
    assert "| scenario | target | figure | met |" in out


def test_the_lean_server_and_the_fake_agree_on_the_wire() -> None:
    headers = contenders.HEADERS
    body = contenders.create_body(1)
    shapes = []
    for backend in ("lean", "fake"):
        with Server(backend=backend, records=3) as server:
            ca = httpx.post(f"{server.url}/ssh_certificate_authorities", json={}, headers=headers)
            assert ca.status_code == 201
            assert body["ssh_certificate_authority_id"] == CA_ID  # made by both servers at start
            created = httpx.post(f"{server.url}/{LIST_KEY}", json=body, headers=headers)
            assert created.status_code == 201, created.text
            cert = created.json()
            assert cert["public_key"] == PUBLIC_KEY
            assert cert["principals"] == ["alice"]
            got = httpx.get(cert["uri"], headers=headers)
            page = httpx.get(f"{server.url}/{LIST_KEY}?limit=2", headers=headers).json()
            assert page["next_page_uri"].startswith(f"{server.url}/{LIST_KEY}?")
            deleted = httpx.delete(cert["uri"], headers=headers)
            unauthorized = httpx.get(f"{server.url}/{LIST_KEY}")
            shapes.append(
                (
                    sorted(cert),
                    got.status_code,
                    sorted(page),
                    sorted(page[LIST_KEY][0]),
                    deleted.status_code,
                    unauthorized.status_code,
                    sorted(unauthorized.json()),
                )
            )
            assert server.stats()["requests"] >= 5
    assert shapes[0] == shapes[1]
