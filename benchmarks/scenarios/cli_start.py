"""Scenario 8: how fast the command line starts (issue 21): ``ngrok-async --help`` and
``ngrok-async credentials list --fake`` against ``python -c "import click, httpx"``, each the
wall time of a fresh process, alternated round by round."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from ..harness import Row, Target, median
from ._common import Result, Sizes

COMMANDS = {
    "import click, httpx": [sys.executable, "-c", "import click, httpx"],
    "ngrok-async --help": [sys.executable, "-m", "ngrok_async", "--help"],
    "credentials list --fake": [
        sys.executable,
        "-m",
        "ngrok_async",
        "credentials",
        "list",
        "--fake",
    ],
}
BASE = "import click, httpx"
GOALS = {"ngrok-async --help": 1.5, "credentials list --fake": 2.5}


# As installed packages run: with bytecode caches (the warm-up round writes them).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _wall(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, capture_output=True, check=True, timeout=120, env=ENV)
    return time.perf_counter() - started


def cli_start(sizes: Sizes) -> Result:
    rounds = max(1, sizes.rounds) * 5
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for argv in COMMANDS.values():  # warm the page cache and bytecode once
        _wall(argv)
    for round_ in range(rounds):
        names = list(COMMANDS)
        names = names[round_ % len(names) :] + names[: round_ % len(names)]
        for name in names:
            times[name].append(_wall(COMMANDS[name]))
    scenario = "8. CLI start (fresh process)"
    base = median(times[BASE])
    rows = [
        Row(scenario, name, "wall", median(values) * 1e3, "ms", median(values) / base, "import")
        for name, values in times.items()
    ]
    targets = []
    for name, goal in GOALS.items():
        ratio = median(times[name]) / base
        targets.append(Target(scenario, f"{name} ≤ {goal}x {BASE}", f"{ratio:.2f}x", ratio <= goal))
    return rows, targets
