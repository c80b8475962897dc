"""benchmarks/filter_cost.py runs on tiny sizes and the three evaluators select the same records."""

from __future__ import annotations

import math

from benchmarks import filter_cost


def test_filter_cost_runs_and_every_way_selects_the_same_records() -> None:
    rows = filter_cost.listing(9)
    for text in filter_cost.EXPRESSIONS:
        counts = {name: way() for name, way in filter_cost.ways(text, rows).items()}
        assert len(set(counts.values())) == 1, (text, counts)
    figures = filter_cost.measure(rounds=1, records=5)
    assert len(figures) == len(filter_cost.EXPRESSIONS)
    for row in figures:
        assert len(row["us_per_record"]) == 3
        assert all(math.isfinite(v) and v > 0 for v in row["us_per_record"].values())
