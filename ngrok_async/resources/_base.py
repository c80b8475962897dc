"""The one service base, and what flat collections add to it.

:class:`Service` is what every service (hand-written or generated) stands on: the client's
request path, its record's decoder, and three helpers — call (decoded), call-empty, pages.
:class:`ResourceService` adds a flat collection (``/api_keys``, ``/api_keys/{id}``): get,
list, pages, delete, and create/update from a checks table; :class:`FilteredResourceService`
adds ``filter=`` to list and pages, for the collections ngrok filters. A concrete service is a
declaration: its collection path, record class, list key, and the checks for its fields; its
``create``/``update`` methods only spell out typed keyword parameters. Services under other
paths (``/edges/https/{edge_id}/routes``) subclass :class:`Service` and name each path.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Mapping
from typing import Any, ClassVar, Final, Generic, TypeVar, cast

from .. import _validate as check
from .._convert import structurer
from .._http import HTTPCore
from .._paging import Page, iter_pages
from .._telemetry import Templated
from .._types import NOT_GIVEN
from .._validate import Extras

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


_OPERATIONS: Final = {"GET": "get", "POST": "create", "PATCH": "update", "PUT": "replace"}
"""The operation a method name defaults to by HTTP method (``DELETE`` is ``delete``)."""


class Service(Generic[R]):
    """A service of the API: requests through the client's one request path, records decoded
    into its ``_record`` class."""

    _record: ClassVar[type[Any]]
    _name: ClassVar[str] = ""
    """The service's place on the client (``edges.https_routes``): its operations' spans are
    named ``<name>.<operation>``. A flat collection's defaults to its path
    (``/backends/failover`` → ``backends.failover``)."""

    __slots__ = ("_decode", "_http")

    def __init__(self, http: HTTPCore) -> None:
        self._http = http
        self._decode: Callable[[Any], R] = _decoder(self._record)

    def __repr__(self) -> str:
        path = getattr(self, "_path", None)
        return f"<{type(self).__name__} {path}>" if path else f"<{type(self).__name__}>"

    def _operation(self, method: str, op: str | None) -> str:
        """``<service>.<operation>``; ``op`` defaults from the HTTP method (see ``_OPERATIONS``)."""
        return f"{self._name}.{op or _OPERATIONS.get(method) or method.lower()}"

    async def _call(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | None = None,
        extras: Extras | None = None,
        op: str | None = None,
    ) -> R:
        """Send and decode one record; ``op``: the method's name where it is not the default
        for ``method`` (``tunnel_sessions.restart``)."""
        record: R = await self._http.request(
            method,
            path,
            body=body,
            decode=self._decode,
            extras=extras,
            operation=self._operation(method, op),
        )
        return record

    async def _call_empty(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | None = None,
        extras: Extras | None = None,
        op: str | None = None,
    ) -> None:
        await self._http.request(
            method, path, body=body, extras=extras, operation=self._operation(method, op)
        )

    async def _pages(
        self,
        path: str,
        key: str,
        params: Mapping[str, str],
        extras: Extras | None = None,
        op: str = "list",
    ) -> AsyncIterator[Page[R]]:
        """Each page of the listing at ``path``, its items under ``key`` in the body."""
        operation = f"{self._name}.{op}"
        pages = _generator(
            iter_pages(self._http, path, params, key, self._decode, extras, operation)
        )
        async with contextlib.aclosing(pages):
            async for page in pages:
                yield page


class ResourceService(Service[R]):
    """Operations on one ngrok collection such as ``/credentials``."""

    _name: ClassVar[str]  # set from ``_path`` by ``__init_subclass__`` unless a class sets it
    _path: ClassVar[str]
    _list_key: ClassVar[str]
    _create_checks: ClassVar[Checks] = {}
    _update_checks: ClassVar[Checks] = {}

    __slots__ = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "_name" not in cls.__dict__ and "_path" in cls.__dict__:
            cls._name = cls._path.strip("/").replace("/", ".")

    def _item_path(self, id: str) -> str:
        return Templated(f"{self._path}/{check.path_segment('id', id)}", f"{self._path}/{{id}}")

    def _create_body(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """Validate create parameters into a request body (``InvalidParameterError`` if bad);
        a ``valid_for`` span becomes a ``valid_until`` computed at send time."""
        params, valid_for = check.split_valid_for(params)
        body = build_body(self._create_checks, params, nullable=False)
        if valid_for is not None:
            body["valid_until"] = valid_for
        return body

    async def _post(self, body: dict[str, Any], extras: Extras | None = None) -> R:
        return await self._call("POST", self._path, body, extras)

    async def _create(self, params: Mapping[str, Any], extras: Extras | None = None) -> R:
        return await self._call("POST", self._path, self._create_body(params), extras)

    async def _update(self, id: str, params: Mapping[str, Any], extras: Extras | None = None) -> R:
        body = build_body(self._update_checks, params, nullable=True)
        return await self._call("PATCH", self._item_path(id), body, extras)

    async def get(
        self,
        id: str,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> R:
        """Fetch one resource by id. Raises :class:`~ngrok_async.NotFoundError` if absent."""
        extras = check.extras(extra_headers, extra_query)
        return await self._call("GET", self._item_path(id), None, extras)

    async def delete(
        self,
        id: str,
        *,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> None:
        """Delete one resource by id. Raises :class:`~ngrok_async.NotFoundError` if absent."""
        extras = check.extras(extra_headers, extra_query)
        await self._call_empty("DELETE", self._item_path(id), None, extras)

    async def list(
        self,
        *,
        limit: int | None = None,
        before_id: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> AsyncIterator[R]:
        """Yield every resource, newest first, following ``next_page_uri`` page by page.

        ``limit`` (1 to 100) is the page size, not a total; ``before_id`` starts after that id.
        Only one page is held in memory at a time.
        """
        extras = check.extras(extra_headers, extra_query)
        async with contextlib.aclosing(self._items(page_params(limit, before_id), extras)) as items:
            async for item in items:
                yield item

    async def pages(
        self,
        *,
        limit: int | None = None,
        before_id: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> AsyncIterator[Page[R]]:
        """Yield each :class:`~ngrok_async.Page` (items, ``uri``, ``next_page_uri``) in turn."""
        extras = check.extras(extra_headers, extra_query)
        async for page in self._list_pages(page_params(limit, before_id), extras):
            yield page

    async def _items(
        self, params: Mapping[str, str], extras: Extras | None
    ) -> AsyncGenerator[R, None]:
        """Every item of the listing, page by page (closing it closes the pages)."""
        pages = _generator(self._list_pages(params, extras))
        async with contextlib.aclosing(pages):  # closing this generator closes the inner ones
            async for page in pages:
                for item in page.items:
                    yield item

    def _list_pages(
        self, params: Mapping[str, str], extras: Extras | None
    ) -> AsyncIterator[Page[R]]:
        return self._pages(self._path, self._list_key, params, extras)


class FilteredResourceService(ResourceService[R]):
    """A collection whose listing ngrok filters server-side: ``list``/``pages`` take ``filter``.

    Only the collections whose list operation the spec gives ``filter`` use this base; ngrok
    ignores the parameter elsewhere and returns everything.
    """

    __slots__ = ()

    async def list(
        self,
        *,
        limit: int | None = None,
        before_id: str | None = None,
        filter: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> AsyncIterator[R]:
        """Yield every resource ``filter`` selects, newest first, page by page.

        ``limit`` (1 to 100) is the page size, not a total; ``before_id`` starts after that id;
        ``filter`` is a CEL expression evaluated by ngrok (``obj.metadata == "ci"``, see
        https://ngrok.com/docs/api/api-filtering). Only one page is held in memory at a time.
        """
        extras = check.extras(extra_headers, extra_query)
        params = page_params(limit, before_id, filter=filter)
        async with contextlib.aclosing(self._items(params, extras)) as items:
            async for item in items:
                yield item

    async def pages(
        self,
        *,
        limit: int | None = None,
        before_id: str | None = None,
        filter: str | None = None,
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, str] | None = None,
    ) -> AsyncIterator[Page[R]]:
        """Yield each :class:`~ngrok_async.Page` of :meth:`list` in turn."""
        extras = check.extras(extra_headers, extra_query)
        async for page in self._list_pages(page_params(limit, before_id, filter=filter), extras):
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
