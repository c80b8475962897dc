"""Filter cost: µs per listed record of the fake's own ``filter=`` evaluator against real CEL.

Run alone: ``python -m benchmarks.filter_cost [--rounds N] [--records N]``. For each expression,
one listing of ``--records`` credentials is filtered by: the fake's evaluator (compiled once
per request, then one call per record), the Rust-backed ``common-expression-language``
(compiled once, evaluated per record on :func:`activation` dicts) and ``cel-python`` (the
same). Ways run alternately in one process; prints the median µs per record and each CEL's
ratio to the fake's evaluator. The CEL packages are in the dev extra.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import time
from collections.abc import Callable
from typing import Any

from ngrok_async.testing import FakeNgrok
from ngrok_async.testing._api import record_schema
from ngrok_async.testing._filter import activation, compile_filter

KIND = "credentials"
EXPRESSIONS = [
    'obj.description == "ci"',
    'obj.description.startsWith("c") && size(obj.acl) > 0',
    'obj.created_at > timestamp("2023-11-14T22:30:00Z") || obj.metadata == ""',
    '!(obj.owner_id in ["usr_a", "usr_b"]) && (obj.description != "" || obj.nope == 1)',
]


def listing(n: int) -> list[dict[str, Any]]:
    clock = iter(range(1_700_000_000, 1_700_000_000 + 60 * (n + 1), 60))
    fake = FakeNgrok(seed=5, wall_clock=lambda: next(clock))
    for i in range(n):
        fake.add_resource(KIND, description=["ci", "build", ""][i % 3], acl=["bind:a"] * (i % 2))
    return fake.resources(KIND)


def ways(text: str, rows: list[dict[str, Any]]) -> dict[str, Callable[[], int]]:
    import cel
    import celpy
    from celpy import celtypes

    schema = record_schema(KIND)

    def own() -> int:  # what one filtered list request does: compile, then test each record
        predicate = compile_filter(text, schema)
        return sum(predicate(row) for row in rows)

    rust_program = cel.compile(text)

    def rust() -> int:
        selected = 0
        for row in rows:
            with contextlib.suppress(KeyError, TypeError, ValueError, RuntimeError):  # an error
                selected += rust_program.execute(cel.Context({"obj": activation(row, schema)}))
        return selected

    env = celpy.Environment()
    python_program = env.program(env.compile(text))

    def python() -> int:
        selected = 0
        for row in rows:
            view = activation(row, schema)
            created = view.pop("created_at")
            obj = celpy.json_to_cel(view)
            obj[celtypes.StringType("created_at")] = celtypes.TimestampType(created)
            try:
                result = python_program.evaluate({"obj": obj})
                selected += isinstance(result, celtypes.BoolType) and bool(result)
            except celpy.CELEvalError:
                pass
        return selected

    return {"fake's evaluator": own, "common-expression-language": rust, "cel-python": python}


def measure(rounds: int = 5, records: int = 100) -> list[dict[str, Any]]:
    """Median µs per record of each way, per expression, run alternately."""
    rows = listing(records)
    out = []
    for text in EXPRESSIONS:
        contenders = ways(text, rows)
        samples: dict[str, list[float]] = {name: [] for name in contenders}
        for _ in range(rounds):
            for name, way in contenders.items():
                started = time.perf_counter()
                way()
                samples[name].append((time.perf_counter() - started) / len(rows) * 1e6)
        medians = {name: statistics.median(values) for name, values in samples.items()}
        out.append({"expression": text, "us_per_record": medians})
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--records", type=int, default=100)
    args = parser.parse_args(argv)
    for row in measure(args.rounds, args.records):
        figures = row["us_per_record"]
        own = figures["fake's evaluator"]
        print(row["expression"])
        for name, value in figures.items():
            ratio = "" if name == "fake's evaluator" else f"  ({value / own:.1f}x)"
            print(f"    {name:28} {value:8.1f} µs/record{ratio}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
