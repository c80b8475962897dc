"""KSUID-like resource ids that sort lexicographically by creation order.

An id is ``<prefix>_`` followed by 27 base62 characters (alphabet in ASCII order) encoding a
160-bit number: 32 bits of seconds since the KSUID epoch, then a 64-bit counter that never
resets, then 64 random bits. Seconds never go backwards (a clock step back reuses the last
second), so string order is creation order, and ``before_id`` works even for deleted ids.
"""

from __future__ import annotations

import random
import re

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
BODY_LENGTH = 27
KSUID_EPOCH = 1_400_000_000

_BODY = re.compile(rf"[0-9A-Za-z]{{{BODY_LENGTH}}}")


def base62(value: int, width: int) -> str:
    """``value`` in base62, left-padded with ``0`` to ``width`` characters."""
    digits = []
    while value:
        value, rem = divmod(value, 62)
        digits.append(BASE62[rem])
    return "".join(reversed(digits)).rjust(width, "0")


def is_id(value: str, prefix: str) -> bool:
    """Whether ``value`` looks like an id of the kind with ``prefix``."""
    head, sep, body = value.partition("_")
    return sep == "_" and head == prefix and _BODY.fullmatch(body) is not None


class IdGenerator:
    """Makes ids; ``rng`` supplies the random tail."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._last_second = 0
        self._counter = 0

    def new(self, prefix: str, now: float) -> str:
        """A new id for a resource created at ``now`` (Unix seconds)."""
        second = max(int(now) - KSUID_EPOCH, self._last_second, 0)
        self._last_second = second
        self._counter += 1
        value = (second << 128) | (self._counter << 64) | self._rng.getrandbits(64)
        return f"{prefix}_{base62(value, BODY_LENGTH)}"

    def token(self, length: int) -> str:
        """An opaque random base62 string (credential tokens, operation ids)."""
        return "".join(self._rng.choice(BASE62) for _ in range(length))
