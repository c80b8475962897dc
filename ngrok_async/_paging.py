"""Paging: follow ``next_page_uri`` as an opaque URL until it is null, one page in memory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs

from ._errors import NgrokDecodeError

if TYPE_CHECKING:
    from ._http import HTTPCore

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
) -> AsyncIterator[Page[R]]:
    """Yield pages of ``path``; each next page is fetched only when the caller asks for it."""
    data = await http.request("GET", path, params=params or None)
    followed: str | None = None
    while True:
        page = _decode_page(data, key, decode)
        yield page
        if page.next_page_uri is None:
            return
        if page.next_page_uri == followed:
            raise NgrokDecodeError(
                resource=f"{key} page",
                field="next_page_uri",
                reason="points at the same page again",
            )
        followed = page.next_page_uri
        data = await http.follow(followed)


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
