"""README's generated-services example ("Coverage: the whole ngrok API") runs on the fake."""

from __future__ import annotations

import ast
import pathlib
from datetime import timedelta
from typing import Any

from ngrok_async.testing import FakeNgrok

README = pathlib.Path(__file__).parent.parent.parent / "README.md"


def coverage_example() -> str:
    section = README.read_text(encoding="utf-8").split("## Coverage: the whole ngrok API", 1)[1]
    return section.split("```python", 1)[1].split("```", 1)[0]


async def run_on(fake: FakeNgrok, **client_options: Any) -> None:
    code = compile(coverage_example(), str(README), "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    async with fake.client(**client_options) as ngrok:
        result = eval(code, {"ngrok": ngrok, "timedelta": timedelta})
        if result is not None:
            await result


async def test_the_generated_services_example_runs_in_process() -> None:
    fake = FakeNgrok(seed=3)
    session = fake.add_resource("tunnel_sessions")
    await run_on(fake)
    (edge,) = fake.resources("edges/https")
    (route,) = edge["routes"]
    (backend,) = fake.resources("backends/tunnel_group")
    assert route["backend"]["backend"]["id"] == backend["id"]
    restarts = [r for r in fake.requests if r.path.endswith("/restart")]
    assert [r.path for r in restarts] == [f"/tunnel_sessions/{session['id']}/restart"]
