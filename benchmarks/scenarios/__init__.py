"""The scenarios of issues 6, 11 and 21. Each returns table rows and the targets it judged.

Every scenario starts its own server process, warms each contender up once (imports, TLS
context, first connection), then runs the contenders alternately (rotated order each round)
and keeps the median of the rounds.
"""

from __future__ import annotations

from collections.abc import Callable

from ._common import FULL, QUICK, SMOKE, Result, Sizes
from .bulk import bulk_create
from .burst import burst
from .cli_start import cli_start
from .cpu import cpu_per_request
from .decode import decode
from .paging import paging
from .sequential import sequential_tls
from .startup import startup

__all__ = ["FULL", "QUICK", "SCENARIOS", "SMOKE", "Result", "Sizes"]

SCENARIOS: dict[str, Callable[[Sizes], Result]] = {
    "1": bulk_create,
    "2": sequential_tls,
    "3": decode,
    "4": paging,
    "5": burst,
    "6": cpu_per_request,
    "7": startup,
    "8": cli_start,
}
