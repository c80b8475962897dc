"""What generated services add to :mod:`._base`: operations on any path.

:class:`~._base.ResourceService` covers a flat collection (``/api_keys``, ``/api_keys/{id}``)
with get, list, pages and delete. Many ngrok services are not that: edge routes live under
``/edges/https/{edge_id}/routes``, edge modules are singletons replaced with ``PUT``, tunnel
sessions have ``restart`` and ``stop``. :class:`Operations` gives such services the same
decode-and-request helpers, and each generated method spells out its own path.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from typing import Any, ClassVar, Generic, TypeVar
from urllib.parse import urlencode

from .. import _validate as check
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
        record: R = await self._http.request(method, path, body=body, decode=self._decode)
        return record

    async def _call_empty(
        self, method: str, path: str, body: Mapping[str, Any] | None = None
    ) -> None:
        await self._http.request(method, path, body=body)

    def _pages(self, path: str, key: str, params: Mapping[str, str]) -> AsyncIterator[Page[R]]:
        return iter_pages(self._http, path, params, key, self._decode)


def expand(template: str, **params: str) -> str:
    """Fill ``template`` (``"/edges/https/{edge_id}/routes/{id}"``) with checked path segments."""
    return template.format_map({name: segment(name, value) for name, value in params.items()})


def with_query(path: str, params: Mapping[str, str], **lists: Sequence[str] | None) -> str:
    """``path`` with ``params`` and each of ``lists`` as a repeated key (``id=a&id=b``), which is
    OpenAPI's default style for an array query parameter and what the API reads."""
    pairs = list(params.items())
    for key, values in lists.items():
        if values is not None:
            pairs += [(key, value) for value in check.string_list(key, values)]
    return f"{path}?{urlencode(pairs)}" if pairs else path


def decoder(record: type[R]) -> Callable[[Any], R]:
    """The cached decoder of ``record``, for operations returning another service's records."""
    return _decoder(record)
