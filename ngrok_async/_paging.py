"""Paging: follow ``next_page_uri`` as an opaque URL until it is null, one page in memory.

A listing remembers every page URI it has read (a few bytes per hundred records); a
``next_page_uri`` that points back at one of them raises :class:`PagingLoopError` before the
page is fetched again, so no record is yielded twice and no listing loops forever.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs

from ._errors import NgrokDecodeError, PagingLoopError
from ._urls import query_string

if TYPE_CHECKING:
    from ._http import HTTPCore
    from ._validate import Extras

R = TypeVar("R")


@attrs.frozen(slots=True)
class Page(Generic[R]):
    """One page of a list: its records (newest first) and the API's paging URIs."""

    items: tuple[R, ...]
    uri: str
    next_page_uri: str | None


async def iter_pages(
    http: HTTPCore,
    path: str,
    params: Mapping[str, str],
    key: str,
    decode: Callable[[Any], R],
    extras: Extras | None = None,
    operation: str = "",
) -> AsyncIterator[Page[R]]:
    """Yield pages of ``path``; each next page is fetched only when the caller asks for it.

    ``extras``: headers sent with every page, query parameters with the first (the next pages'
    URLs are the API's own, followed as they are). ``operation`` (``credentials.list``) names
    each page's span.
    """
    data = await http.request(
        "GET", path, params=params or None, extras=extras, operation=operation, page=1
    )
    number = 1
    origin = http.origin
    first = {**params, **extras.query} if extras is not None else params
    seen = {origin.base + path + query_string(first)}
    headers = extras.headers if extras is not None else None
    while True:
        page = _decode_page(data, key, decode)
        if page.uri:
            seen.add(origin.absolute(page.uri))
        following = page.next_page_uri
        yield page
        if following is None:
            return
        target = origin.absolute(following)
        if target in seen:
            raise PagingLoopError(
                resource=f"{key} page",
                field="next_page_uri",
                reason=f"points back at a page this listing already read ({following[:200]!r})",
            )
        seen.add(target)
        number += 1
        data = await http.follow(
            following, extra_headers=headers, operation=operation, page=number, template=path
        )


def _decode_page(data: Any, key: str, decode: Callable[[Any], R]) -> Page[R]:
    if not isinstance(data, dict):
        raise NgrokDecodeError(resource=f"{key} page", field="", reason="expected a JSON object")
    items = data.get(key)
    if items is None:
        items = []
    if not isinstance(items, list):
        raise NgrokDecodeError(resource=f"{key} page", field=key, reason="expected a list")
    uri = data.get("uri")
    next_uri = data.get("next_page_uri")
    if not isinstance(uri, (str, type(None))) or not isinstance(next_uri, (str, type(None))):
        raise NgrokDecodeError(
            resource=f"{key} page", field="next_page_uri", reason="expected a string or null"
        )
    return Page(items=tuple(map(decode, items)), uri=uri or "", next_page_uri=next_uri or None)
