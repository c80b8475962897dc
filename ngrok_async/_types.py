"""Small shared types: the NOT_GIVEN sentinel and RateLimit."""

from __future__ import annotations

import enum
from datetime import timedelta
from typing import Final, Literal, TypeAlias, TypeVar

import attrs

from ._errors import InvalidParameterError

T = TypeVar("T")


class NotGiven(enum.Enum):
    """Marks a parameter the caller did not pass; such parameters are left out of the request.

    It differs from ``None``: on ``update`` calls ``None`` is sent as an explicit JSON ``null``.
    """

    NOT_GIVEN = enum.auto()

    def __repr__(self) -> str:
        return "NOT_GIVEN"

    def __bool__(self) -> Literal[False]:
        return False


NOT_GIVEN: Final = NotGiven.NOT_GIVEN

NotGivenOr: TypeAlias = T | NotGiven


@attrs.frozen(slots=True)
class RateLimit:
    """At most ``requests`` requests in any rolling window of ``per_seconds`` seconds.

    ngrok allows 120 requests per rolling minute per account; the default client limiter uses
    exactly that. Lower it if other processes share the account.
    """

    requests: int = attrs.field(default=120)
    per_seconds: float = attrs.field(default=60.0)

    @requests.validator
    def _check_requests(self, _: attrs.Attribute[int], value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidParameterError(
                "RateLimit.requests", f"must be a positive int, got {value!r}"
            )

    @per_seconds.validator
    def _check_per_seconds(self, _: attrs.Attribute[float], value: float) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1e12:
            raise InvalidParameterError(
                "RateLimit.per_seconds", f"must be a positive, finite number, got {value!r}"
            )


DEFAULT_RATE_LIMIT: Final = RateLimit()


DEFAULT_CLOCK_SKEW: Final = timedelta(minutes=5)
"""How far before a failed attempt bulk reconciliation lists back (client/server clock skew)."""


class AtSend:
    """A request body value computed when its attempt is about to go on the wire (after any
    wait on the limiter), e.g. a certificate's ``valid_until`` from ``valid_for``."""

    __slots__ = ()

    def value(self) -> object:
        raise NotImplementedError
