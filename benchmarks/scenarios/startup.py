"""Scenario 7: what starting costs: ``import ngrok_async`` vs ``import httpx`` in fresh
processes, and making 1,000 clients (a backend with one key per tenant)."""

from __future__ import annotations

import subprocess
import sys

from ..harness import Row, Target, median
from ._common import Result, Sizes

_IMPORT = "import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
_CLIENTS = """
import time, tracemalloc
from ngrok_async import AsyncClient
AsyncClient("k")  # the shared TLS context and first imports, as any process has them
tracemalloc.start()
t = time.perf_counter()
clients = [AsyncClient(f"key{i}") for i in range(1000)]
elapsed = time.perf_counter() - t
print(elapsed, tracemalloc.get_traced_memory()[0])
"""


def _run(code: str) -> list[float]:
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    return [float(x) for x in out.split()]


def startup(sizes: Sizes) -> Result:
    rounds = max(1, sizes.rounds) * 3
    imports: dict[str, list[float]] = {"httpx": [], "ngrok_async": []}
    for _ in range(rounds):  # alternated, each in a fresh interpreter
        for module in imports:
            imports[module].append(_run(_IMPORT.format(module=module))[0])
    scenario = "7. import in a fresh process"
    base = median(imports["httpx"])
    rows = [
        Row(scenario, module, "import", median(values) * 1e3, "ms", median(values) / base, "httpx")
        for module, values in imports.items()
    ]
    ratio = median(imports["ngrok_async"]) / base
    targets = [
        Target(scenario, "import ngrok_async ≤ 1.5x import httpx", f"{ratio:.2f}x", ratio <= 1.5)
    ]
    runs = [_run(_CLIENTS) for _ in range(max(1, sizes.rounds))]
    seconds = median([r[0] for r in runs])
    mib = median([r[1] for r in runs]) / 2**20
    scenario = "7. 1,000 AsyncClients"
    rows.append(Row(scenario, "ngrok_async", "made in", seconds, "s", note=f"{mib:.1f} MiB held"))
    targets.append(Target(scenario, "1,000 clients in ≤ 2 s", f"{seconds:.2f} s", seconds <= 2.0))
    targets.append(Target(scenario, "1,000 clients hold ≤ 100 MiB", f"{mib:.1f} MiB", mib <= 100))
    return rows, targets
