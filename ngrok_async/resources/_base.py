"""What every resource service shares: get, list, pages, delete, and body building.

A concrete service is a declaration: its collection path, record class, list key, and the
checks for its create/update fields; its ``create``/``update`` methods only spell out typed
keyword parameters and hand them to :meth:`ResourceService._create` / ``_update``.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Mapping
from typing import Any, ClassVar, Generic, TypeVar, cast

import attrs

from .. import _validate as check
from .._convert import structurer
from .._errors import InvalidParameterError
from .._http import HTTPCore
from .._paging import Page, iter_pages
from .._types import NOT_GIVEN
from ..bulk import BulkOps

R = TypeVar("R")
Q = TypeVar("Q")

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


def page_params(limit: int | None, before_id: str | None, **extra: Any) -> dict[str, str]:
    """Query parameters of a list call; ``extra`` ones that are ``None`` are left out.

    Array parameters repeat their key instead; see :func:`._ops.with_query`.
    """
    params: dict[str, str] = {}
    if limit is not None:
        params["limit"] = check.page_limit("limit", limit)
    if before_id is not None:
        params["before_id"] = check.path_segment("before_id", before_id)
    for name, value in extra.items():
        if value is not None:
            params[name] = check.string(name, value)
    return params


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

    def _create_body(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """Validate create parameters into a request body (``InvalidParameterError`` if bad)."""
        return build_body(self.create_checks, params, nullable=False)

    async def _post(self, body: dict[str, Any]) -> R:
        record: R = await self._http.request("POST", self.path, body=body, decode=self._decode)
        return record

    async def _create(self, params: Mapping[str, Any]) -> R:
        return await self._post(self._create_body(params))

    def _same(self, body: Mapping[str, Any], record: R) -> bool:
        """Whether a listed ``record`` that carries a bulk marker matches the create ``body``."""
        return True

    def _bulk_ops(self, request_type: type[Q]) -> BulkOps[Q, R]:
        """What :class:`~ngrok_async.bulk.BulkRun` needs to create ``request_type`` items."""

        def body(request: Q) -> dict[str, Any]:
            if not isinstance(request, request_type):
                raise InvalidParameterError(
                    "request", f"must be a {request_type.__name__}, got {type(request).__name__}"
                )
            return self._create_body(attrs.asdict(request, recurse=False))  # type: ignore[arg-type]

        def newest_first(filter: str | None) -> AsyncIterator[R]:
            return self.list(limit=100, filter=filter)

        return BulkOps(
            body=body,
            create=self._post,
            newest_first=newest_first,
            decode=self._decode,
            job=self.path,
            same=self._same,
        )

    async def _update(self, id: str, params: Mapping[str, Any]) -> R:
        path = self._item_path(id)
        body = build_body(self.update_checks, params, nullable=True)
        record: R = await self._http.request("PATCH", path, body=body, decode=self._decode)
        return record

    async def get(self, id: str) -> R:
        """Fetch one resource by id. Raises :class:`~ngrok_async.NotFoundError` if absent."""
        record: R = await self._http.request("GET", self._item_path(id), decode=self._decode)
        return record

    async def delete(self, id: str) -> None:
        """Delete one resource by id. Raises :class:`~ngrok_async.NotFoundError` if absent."""
        await self._http.request("DELETE", self._item_path(id))

    async def list(
        self, *, limit: int | None = None, before_id: str | None = None, filter: str | None = None
    ) -> AsyncIterator[R]:
        """Yield every resource, newest first, following ``next_page_uri`` page by page.

        ``limit`` (1 to 100) is the page size, not a total; ``before_id`` starts after that id;
        ``filter`` (a CEL expression, see ngrok's API filtering docs) is passed through.
        Only one page is held in memory at a time.
        """
        pages = _generator(self.pages(limit=limit, before_id=before_id, filter=filter))
        async with contextlib.aclosing(pages):  # closing this generator closes the inner ones
            async for page in pages:
                for item in page.items:
                    yield item

    async def pages(
        self, *, limit: int | None = None, before_id: str | None = None, filter: str | None = None
    ) -> AsyncIterator[Page[R]]:
        """Yield each :class:`~ngrok_async.Page` (items, ``uri``, ``next_page_uri``) in turn."""
        params = page_params(limit, before_id, filter=filter)
        pages = _generator(iter_pages(self._http, self.path, params, self.list_key, self._decode))
        async with contextlib.aclosing(pages):
            async for page in pages:
                yield page


def _generator(pages: AsyncIterator[Q]) -> AsyncGenerator[Q, None]:
    """The async generator behind an ``AsyncIterator``-typed generator function."""
    return cast("AsyncGenerator[Q, None]", pages)


_DECODERS: dict[type[Any], Callable[[Any], Any]] = {}


def _decoder(record: type[Any]) -> Callable[[Any], Any]:
    decode = _DECODERS.get(record)
    if decode is None:
        decode = _DECODERS[record] = structurer(record)
    return decode
