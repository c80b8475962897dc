"""URLs the SDK sends the API key to: the base URL's origin, query strings, followed links."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence
from urllib.parse import urlencode

import httpx

from ._errors import UnsafeURLError

MAX_URL_LENGTH = 8192
_CONTROL = re.compile(r"[\x00-\x20\x7f]")


class Origin:
    """The API origin (scheme, host, port) of a checked base URL."""

    __slots__ = ("base", "key", "root", "url")

    def __init__(self, url: httpx.URL) -> None:
        self.url: httpx.URL = url
        self.base: str = str(url).rstrip("/")
        self.key: tuple[str, str, int | None] = (url.scheme, url.host, url.port)
        self.root: str = f"{url.scheme}://{url.netloc.decode('ascii')}"

    def absolute(self, uri: str) -> str:
        """``uri`` spelled absolutely (a path gets this origin), so that relative and absolute
        spellings of one page compare equal."""
        return uri if "://" in uri else self.root + uri


def check_base_url(base_url: object) -> httpx.URL:
    """Parse ``base_url``: https, or http on a loopback address; no user info, which would
    replace the API key with Basic auth (the message never repeats the URL's password)."""
    if not isinstance(base_url, str) or _CONTROL.search(base_url):
        raise UnsafeURLError("base_url must be a URL string without spaces or control characters")
    try:
        url = httpx.URL(base_url)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise UnsafeURLError("base_url is not a valid URL") from None
    if url.userinfo:
        raise UnsafeURLError(
            "base_url must not contain user info (user:password@): the API key is the only "
            "credential the SDK sends"
        )
    if url.query or url.fragment:
        raise UnsafeURLError(f"base_url {str(url)!r} must not have a query or a fragment")
    if url.scheme == "https" and url.host:
        return url
    if url.scheme == "http" and _is_loopback(url.host):
        return url
    raise UnsafeURLError(
        f"base_url {str(url)!r} must be an https URL (plain http is allowed only for loopback)"
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def query_string(params: Mapping[str, str | Sequence[str]]) -> str:
    """``?a=1&b=2`` as httpx encodes it (a list repeats its key), or ``""``."""
    if not params:
        return ""
    items: list[tuple[str, str]] = []
    for key, value in params.items():
        if isinstance(value, str):
            items.append((key, value))
        else:
            items.extend((key, member) for member in value)
    return "?" + urlencode(items) if items else ""


def follow_target(origin: Origin, url: object) -> tuple[str, str]:
    """Check a ``next_page_uri``; return it absolute, with its path for messages."""
    if not isinstance(url, str) or not url or len(url) > MAX_URL_LENGTH:
        raise UnsafeURLError("refusing to follow a next_page_uri that is not a sane URL string")
    if _CONTROL.search(url):
        raise UnsafeURLError("refusing to follow a next_page_uri with spaces or control characters")
    try:
        target = origin.url.join(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise UnsafeURLError(f"refusing to follow {url[:200]!r}: not a valid URL") from None
    if target.userinfo:
        raise UnsafeURLError("refusing to follow a next_page_uri with user info in it")
    if (target.scheme, target.host, target.port) != origin.key:
        raise UnsafeURLError(
            f"refusing to follow {url[:200]!r}: it is not on the API origin {origin.base!r}"
        )
    return str(target), target.path
