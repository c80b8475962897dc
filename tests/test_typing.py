"""Typed end to end: the issue's mistakes fail mypy --strict on exactly their lines; the correct
program passes mypy --strict and pyright, and sends what it says."""

from __future__ import annotations

import json
import pathlib
import re
import subprocess
import sys

import respx

from ngrok_async import AsyncClient

from . import deprecations
from .typing.good_program import main

HERE = pathlib.Path(__file__).parent / "typing"
GOOD, BAD = HERE / "good_program.py", HERE / "bad_program.py"


def test_mypy_flags_exactly_the_mistakes(tmp_path: pathlib.Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "cache"),
         "--no-error-summary", "--hide-error-context", str(GOOD), str(BAD)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    flagged: dict[str, set[int]] = {GOOD.name: set(), BAD.name: set()}
    for line in run.stdout.splitlines():
        found = re.match(r"(.+?):(\d+): error:", line)
        if found:
            flagged[pathlib.Path(found[1]).name].add(int(found[2]))
    marked = {
        number
        for number, text in enumerate(BAD.read_text().splitlines(), 1)
        if text.endswith("# error")
    }
    assert flagged[GOOD.name] == set(), run.stdout
    assert flagged[BAD.name] == marked, run.stdout


def test_pyright_accepts_the_correct_program(tmp_path: pathlib.Path) -> None:
    config = tmp_path / "pyrightconfig.json"
    config.write_text(json.dumps({"typeCheckingMode": "strict", "pythonVersion": "3.10"}))
    exe = pathlib.Path(sys.executable).parent / "basedpyright"
    run = subprocess.run(
        [str(exe), "--project", str(config), "--pythonpath", sys.executable, str(GOOD)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout
    assert "0 errors" in run.stdout


@deprecations.ALLOW
async def test_the_correct_program_sends_typed_json(
    client: AsyncClient, api: respx.MockRouter
) -> None:
    route = {"id": "edghtsrt_1", "uri": "u"}
    oauth = {"provider": {"google": {"client_id": "api://app"}}}
    api.post("/edges/https/edghts_1/routes").respond(200, json=route)
    api.patch("/edges/https/edghts_1/routes/edghtsrt_1").respond(200, json=route)
    api.get("/edges/https/edghts_1/routes/edghtsrt_1/oauth").respond(200, json=oauth)
    put = api.put("/edges/https/edghts_1/routes/edghtsrt_1/oauth").respond(200, json=oauth)
    api.post("/service_users").respond(200, json={"id": "u_1", "uri": "u"})
    api.put("/edges/https/edghts_1/routes/edghtsrt_1/oidc").respond(200, json={})
    domains = api.post("/reserved_domains").respond(200, json={"id": "rd_1", "uri": "u"})
    await main(client, "edghts_1", "edghtsrt_1")
    assert json.loads(put.calls.last.request.content) == {**oauth, "maximum_duration": 86400}
    assert json.loads(domains.calls.last.request.content) == {
        "domain": "x.example",
        "resolves_to": [{"value": "eu"}],
        "certificate_management_policy": {"authority": "letsencrypt", "private_key_type": "ecdsa"},
    }
