"""Scenario 3: structuring a 100-record page through the converter vs ``json.loads``."""

from __future__ import annotations

from .. import bench_decode
from ..harness import Row, Target
from ._common import Result, Sizes


def decode(sizes: Sizes) -> Result:
    figures = bench_decode.measure(sizes.decode_rounds, sizes.decode_number)
    scenario = "3. decode a 100-record SSHUserCertificate page"
    base = figures["json.loads"]
    rows = [
        Row(scenario, name, "per record", value, "µs", value / base, "json.loads")
        for name, value in figures.items()
    ]
    ratio = figures["SDK decode"] / base
    targets = [Target(scenario, "SDK decode ≤ 3x json.loads", f"{ratio:.2f}x", ratio <= 3.0)]
    return rows, targets
