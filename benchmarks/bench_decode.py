"""Decode cost: a 100-item SSHUserCertificate page through the converter vs json.loads alone.

Run: python benchmarks/bench_decode.py [--rounds N]
Prints µs per record for json.loads alone and for the SDK's whole decode (its parser, orjson
when installed, plus the converter), measured alternately in one run, and their ratio.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import statistics
import timeit

from ngrok_async import SSHUserCertificate
from ngrok_async._convert import loads, structurer
from ngrok_async._paging import _decode_page

FIXTURE = (
    pathlib.Path(__file__).parent.parent / "tests" / "fixtures" / "ssh_user_certificate_get.json"
)


def page_bytes(n: int = 100) -> bytes:
    item = json.loads(FIXTURE.read_text())
    items = [{**item, "id": f"sucrt_{i:027d}"} for i in range(n)]
    body = {
        "ssh_user_certificates": items,
        "uri": "https://api.ngrok.com/ssh_user_certificates",
        "next_page_uri": None,
    }
    return json.dumps(body).encode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--number", type=int, default=200)
    args = parser.parse_args()
    raw = page_bytes()
    decode = structurer(SSHUserCertificate)
    loads_only: list[float] = []
    full: list[float] = []
    for _ in range(args.rounds):
        loads_only.append(timeit.timeit(lambda: json.loads(raw), number=args.number))
        full.append(
            timeit.timeit(
                lambda: _decode_page(loads(raw), "ssh_user_certificates", decode),
                number=args.number,
            )
        )
    per_record = 1e6 / (args.number * 100)
    a = statistics.median(loads_only) * per_record
    b = statistics.median(full) * per_record
    print(f"json.loads only         : {a:6.2f} µs/record")
    print(f"SDK parse ({loads.__module__}) + structure : {b:6.2f} µs/record")
    print(f"ratio (full / loads)    : {b / a:6.2f}x")


if __name__ == "__main__":
    main()
