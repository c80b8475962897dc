"""What every resource service shares: get, list, pages, delete, and body building.

A concrete service is a declaration: its collection path, record class, list key, and the
checks for its create/update fields; its ``create``/``update`` methods only spell out typed
keyword parameters and hand them to :meth:`ResourceService._create` / ``_update``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any, ClassVar, Generic, TypeVar

from .. import _validate as check
from .._convert import structurer
from .._http import HTTPCore
from .._paging import Page, iter_pages
from .._types import NOT_GIVEN

R = TypeVar("R")

Checks = Mapping[str, check.Check]


def build_body(checks: Checks, params: Mapping[str, Any], *, nullable: bool) -> dict[str, Any]:
    """Validate ``params`` and drop the ones not given; ``None`` is kept only if ``nullable``."""
    body: dict[str, Any] = {}
    for name, value in params.items():
        if value is NOT_GIVEN:
            continue
        if value is None and nullable:
            body[name] = None
        else:
            body[name] = checks[name](name, value)
    return body


class ResourceService(Generic[R]):
    """Operations on one ngrok collection such as ``/credentials``."""

    path: ClassVar[str]
    record: ClassVar[type[Any]]
    list_key: ClassVar[str]
    create_checks: ClassVar[Checks] = {}
    update_checks: ClassVar[Checks] = {}

    __slots__ = ("_decode", "_http")

    def __init__(self, http: HTTPCore) -> None:
        self._http = http
        self._decode: Callable[[Any], R] = _decoder(self.record)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.path}>"

    def _item_path(self, id: str) -> str:
        return f"{self.path}/{check.path_segment('id', id)}"

    async def _create(self, params: Mapping[str, Any]) -> R:
        body = build_body(self.create_checks, params, nullable=False)
        return self._decode(await self._http.request("POST", self.path, body=body))

    async def _update(self, id: str, params: Mapping[str, Any]) -> R:
        path = self._item_path(id)
        body = build_body(self.update_checks, params, nullable=True)
        return self._decode(await self._http.request("PATCH", path, body=body))

    async def get(self, id: str) -> R:
        """Fetch one resource by id. Raises :class:`~ngrok_async.NotFoundError` if absent."""
        return self._decode(await self._http.request("GET", self._item_path(id)))

    async def delete(self, id: str) -> None:
        """Delete one resource by id. Raises :class:`~ngrok_async.NotFoundError` if absent."""
        await self._http.request("DELETE", self._item_path(id))

    async def list(
        self, *, limit: int | None = None, before_id: str | None = None
    ) -> AsyncIterator[R]:
        """Yield every resource, newest first, following ``next_page_uri`` page by page.

        ``limit`` (1 to 100) is the page size, not a total; ``before_id`` starts after that id.
        Only one page is held in memory at a time.
        """
        async for page in self.pages(limit=limit, before_id=before_id):
            for item in page.items:
                yield item

    async def pages(
        self, *, limit: int | None = None, before_id: str | None = None
    ) -> AsyncIterator[Page[R]]:
        """Yield each :class:`~ngrok_async.Page` (items, ``uri``, ``next_page_uri``) in turn."""
        params: dict[str, str] = {}
        if limit is not None:
            params["limit"] = check.page_limit("limit", limit)
        if before_id is not None:
            params["before_id"] = check.path_segment("before_id", before_id)
        async for page in iter_pages(self._http, self.path, params, self.list_key, self._decode):
            yield page


_DECODERS: dict[type[Any], Callable[[Any], Any]] = {}


def _decoder(record: type[Any]) -> Callable[[Any], Any]:
    decode = _DECODERS.get(record)
    if decode is None:
        decode = _DECODERS[record] = structurer(record)
    return decode
