"""Run every benchmark scenario of issue 6 and print the table of medians and ratios.

    python -m benchmarks                 # the full run (~7 minutes on 2 cores)
    python -m benchmarks --quick         # smaller sizes, fewer rounds (~2 minutes)
    python -m benchmarks --only 1,3      # some scenarios
    python -m benchmarks --update-readme # also write the table into benchmarks/README.md

The API server runs in a child process (``benchmarks/server.py``). Contenders that are not
installed (``pip install -e '.[bench]' or '.[dev]'``) are left out and named at the end.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import os
import pathlib
import platform
import re
import sys
import time
import traceback
from collections.abc import Sequence

from . import contenders as K
from .harness import Row, Target
from .scenarios import FULL, QUICK, SCENARIOS, SMOKE, Sizes

README = pathlib.Path(__file__).with_name("README.md")
START, END = "<!-- results:start -->", "<!-- results:end -->"


def _fmt(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value:.3f} s"
    if unit == "records/s":
        return f"{value:,.0f} rec/s"
    if unit == "KiB":
        return f"{value:,.0f} KiB"
    return f"{value:,.1f} {unit}" if value < 100 else f"{value:,.0f} {unit}"


def render(rows: Sequence[Row], targets: Sequence[Target], header: str) -> str:
    lines = [header, ""]
    scenario = None
    lines += ["| scenario | contender | median | ratio | note |", "|---|---|---:|---:|---|"]
    for row in rows:
        label = row.scenario if row.scenario != scenario else ""
        scenario = row.scenario
        ratio = f"{row.ratio:.2f}x {row.reference}" if row.ratio is not None else ""
        value = f"{row.metric} {_fmt(row.value, row.unit)}"
        lines.append(f"| {label} | {row.contender} | {value} | {ratio} | {row.note} |")
    lines += ["", "| scenario | target | figure | met |", "|---|---|---|---|"]
    for target in targets:
        met = "yes" if target.met else "**no**"
        lines.append(f"| {target.scenario} | {target.text} | {target.figure} | {met} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer rounds")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes (the CI smoke test)")
    parser.add_argument("--only", default="", help="comma-separated scenario numbers (1-7)")
    parser.add_argument("--rounds", type=int, help="rounds per scenario (overrides the preset)")
    parser.add_argument(
        "--backend",
        choices=("lean", "fake"),
        default="lean",
        help="the server: lean (default) or ngrok_async.testing.FakeNgrok",
    )
    parser.add_argument("--json", type=pathlib.Path, help="also write every sample here")
    parser.add_argument("--update-readme", action="store_true")
    args = parser.parse_args(argv)

    sizes: Sizes = SMOKE if args.smoke else QUICK if args.quick else FULL
    sizes = dataclasses.replace(sizes, backend=args.backend)
    if args.rounds:
        sizes = dataclasses.replace(sizes, rounds=args.rounds, bulk_rounds=args.rounds)
    chosen = [s.strip() for s in args.only.split(",") if s.strip()] or list(SCENARIOS)
    unknown = [s for s in chosen if s not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario(s): {', '.join(unknown)}")

    rows: list[Row] = []
    targets: list[Target] = []
    failed: list[str] = []
    started = time.perf_counter()
    for key in chosen:
        t0 = time.perf_counter()
        print(f"scenario {key} …", file=sys.stderr, flush=True)
        try:
            new_rows, new_targets = SCENARIOS[key](sizes)
        except Exception as exc:  # report it and go on with the other scenarios
            traceback.print_exc()
            failed.append(key)
            targets.append(Target(f"{key}. (failed)", "the scenario runs", repr(exc)[:200], False))
            continue
        rows += new_rows
        targets += new_targets
        print(f"scenario {key} done in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    elapsed = time.perf_counter() - started

    preset = "smoke" if args.smoke else "quick" if args.quick else "full"
    command = "python -m benchmarks" + "".join(
        f" {a}" for a in (argv if argv is not None else sys.argv[1:])
    )
    header = (
        f"{datetime.date.today().isoformat()} · {os.cpu_count()} cores · "
        f"Python {platform.python_version()} · {preset} sizes, {sizes.rounds} rounds "
        f"({sizes.bulk_rounds} in scenario 1), "
        f"{args.backend} server · `{command}` · {elapsed:.0f} s"
    )
    optional = ("httpx+aiohttp", "aiohttp", "ngrok-api")
    missing = [name for name in optional if not K.available([name])]
    if missing:
        header += f"\n\nNot installed, left out: {', '.join(missing)} (`pip install -e '.[dev]'`)."
    table = render(rows, targets, header)
    print(table)
    if args.json:
        payload = {
            "header": header,
            "rows": [dataclasses.asdict(r) for r in rows],
            "targets": [dataclasses.asdict(t) for t in targets],
        }
        args.json.write_text(json.dumps(payload, indent=1))
    if args.update_readme:
        text = README.read_text()
        block = f"{START}\n{table}\n{END}"
        text = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S)
        README.write_text(text)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
