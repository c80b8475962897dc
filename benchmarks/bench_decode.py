"""Decode cost: a 100-item SSHUserCertificate page through the converter vs json.loads alone.

Run alone: ``python -m benchmarks.bench_decode [--rounds N]`` (scenario 3 of
``python -m benchmarks``). Prints µs per record for json.loads alone, orjson.loads alone (when
installed), the SDK's structuring of already-parsed JSON, and the SDK's whole decode (its parser,
orjson when installed, plus the converter), measured alternately in one run, and the ratio of
the whole decode to json.loads.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import statistics
import timeit
from collections.abc import Callable
from typing import Any

from ngrok_async import SSHUserCertificate
from ngrok_async._convert import loads, structurer
from ngrok_async._paging import _decode_page

FIXTURE = (
    pathlib.Path(__file__).parent.parent / "tests" / "fixtures" / "ssh_user_certificate_get.json"
)
RECORDS = 100


def page_bytes(n: int = RECORDS) -> bytes:
    item = json.loads(FIXTURE.read_text())
    items = [{**item, "id": f"sucrt_{i:027d}"} for i in range(n)]
    body = {
        "ssh_user_certificates": items,
        "uri": "https://api.ngrok.com/ssh_user_certificates",
        "next_page_uri": None,
    }
    return json.dumps(body).encode()


def measure(rounds: int = 7, number: int = 200) -> dict[str, float]:
    """Median µs per record of each way to decode one 100-record page, run alternately."""
    raw = page_bytes()
    decode = structurer(SSHUserCertificate)
    parsed = loads(raw)
    ways: dict[str, Callable[[], Any]] = {
        "json.loads": lambda: json.loads(raw),
        "structure only": lambda: _decode_page(parsed, "ssh_user_certificates", decode),
        "SDK decode": lambda: _decode_page(loads(raw), "ssh_user_certificates", decode),
    }
    try:
        import orjson

        ways["orjson.loads"] = lambda: orjson.loads(raw)
    except ImportError:  # pragma: no cover - orjson is in the dev extra
        pass
    samples: dict[str, list[float]] = {name: [] for name in ways}
    for _ in range(rounds):
        for name, way in ways.items():
            samples[name].append(timeit.timeit(way, number=number))
    per_record = 1e6 / (number * RECORDS)
    return {name: statistics.median(times) * per_record for name, times in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--number", type=int, default=200)
    args = parser.parse_args()
    figures = measure(args.rounds, args.number)
    for name, value in figures.items():
        print(f"{name:15s}: {value:6.2f} µs/record")
    print(f"parser used by the SDK: {loads.__module__}")
    print(f"ratio (SDK decode / json.loads): {figures['SDK decode'] / figures['json.loads']:.2f}x")


if __name__ == "__main__":
    main()
