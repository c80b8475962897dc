"""What generated services add to :mod:`._base`: operations on any path, and a few more checks.

:class:`~._base.ResourceService` covers a flat collection (``/api_keys``, ``/api_keys/{id}``)
with get, list, pages and delete. Many ngrok services are not that: edge routes live under
``/edges/https/{edge_id}/routes``, edge modules are singletons replaced with ``PUT``, tunnel
sessions have ``restart`` and ``stop``. :class:`Operations` gives such services the same
decode-and-request helpers, and each generated method spells out its own path.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from datetime import timedelta
from typing import Any, ClassVar, Generic, TypeVar

from .. import _validate as check
from .._errors import InvalidParameterError
from .._http import HTTPCore
from .._paging import Page, iter_pages
from ._base import _decoder
from ._base import page_params as page_params  # re-exported for the generated modules

R = TypeVar("R")

segment = check.path_segment


class Operations(Generic[R]):
    """A service whose operations each name their own method and path."""

    record: ClassVar[type[Any]]

    __slots__ = ("_decode", "_http")

    def __init__(self, http: HTTPCore) -> None:
        self._http = http
        self._decode: Callable[[Any], R] = _decoder(self.record)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    async def _call(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> R:
        return self._decode(await self._http.request(method, path, body=body))

    async def _call_empty(
        self, method: str, path: str, body: Mapping[str, Any] | None = None
    ) -> None:
        await self._http.request(method, path, body=body)

    def _pages(self, path: str, key: str, params: Mapping[str, str]) -> AsyncIterator[Page[R]]:
        return iter_pages(self._http, path, params, key, self._decode)


def expand(template: str, **params: str) -> str:
    """Fill ``template`` (``"/edges/https/{edge_id}/routes/{id}"``) with checked path segments."""
    return template.format_map({name: segment(name, value) for name, value in params.items()})


def boolean(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise InvalidParameterError(name, f"must be a bool, got {type(value).__name__}")
    return value


def integer(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidParameterError(name, f"must be an int, got {type(value).__name__}")
    return value


def number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidParameterError(name, f"must be a number, got {type(value).__name__}")
    return float(value)


def seconds(name: str, value: Any) -> int:
    """A duration the API takes as whole seconds: an ``int`` or a ``timedelta``."""
    if isinstance(value, timedelta):
        total = value.total_seconds()
        if total != int(total):
            raise InvalidParameterError(name, f"must be whole seconds, got {value!r}")
        value = int(total)
    count = integer(name, value)
    if count < 0:
        raise InvalidParameterError(name, f"must not be negative, got {value!r}")
    return count


def int_map(name: str, value: Any) -> dict[str, int]:
    if not isinstance(value, Mapping):
        raise InvalidParameterError(name, f"must be a mapping of str to int, got {value!r}")
    for key, item in value.items():
        if not isinstance(key, str) or isinstance(item, bool) or not isinstance(item, int):
            raise InvalidParameterError(f"{name}[{key!r}]", "keys must be str and values int")
    return dict(value)


def json_object(name: str, value: Any) -> dict[str, Any]:
    """A nested object (e.g. an OAuth provider), passed through as JSON with str keys."""
    if not isinstance(value, Mapping) or not all(isinstance(key, str) for key in value):
        raise InvalidParameterError(
            name, f"must be a mapping with str keys, got {type(value).__name__}"
        )
    return dict(value)


def object_list(name: str, value: Any) -> list[dict[str, Any]]:
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, (list, tuple)):
        raise InvalidParameterError(name, f"must be a list of mappings, got {value!r}")
    return [json_object(f"{name}[{index}]", item) for index, item in enumerate(value)]


def decoder(record: type[R]) -> Callable[[Any], R]:
    """The cached decoder of ``record``, for operations returning another service's records."""
    return _decoder(record)
