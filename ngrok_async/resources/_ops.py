"""Path and query helpers for generated operations on any path.

Many ngrok services are not a flat collection: edge routes live under
``/edges/https/{edge_id}/routes``, edge modules are singletons replaced with ``PUT``, tunnel
sessions have ``restart`` and ``stop``. Such services subclass :class:`~._base.Service` and
each generated method spells out its own path with :func:`expand` (and :func:`with_query`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar
from urllib.parse import urlencode

from .. import _validate as check
from .._telemetry import Templated
from ._base import _decoder
from ._base import page_params as page_params  # re-exported for the generated modules

R = TypeVar("R")


def expand(template: str, **params: str) -> str:
    """Fill ``template`` (``"/edges/https/{edge_id}/routes/{id}"``) with checked path segments;
    the result remembers its template (a span's ``url.template``)."""
    path = template.format_map(
        {name: check.path_segment(name, value) for name, value in params.items()}
    )
    return Templated(path, template)


def with_query(path: str, params: Mapping[str, str], **lists: Sequence[str] | None) -> str:
    """``path`` with ``params`` and each of ``lists`` as a repeated key (``id=a&id=b``), which is
    OpenAPI's default style for an array query parameter and what the API reads."""
    pairs = list(params.items())
    for key, values in lists.items():
        if values is not None:
            pairs += [(key, value) for value in check.string_list(key, values)]
    if not pairs:
        return path
    return Templated(f"{path}?{urlencode(pairs)}", getattr(path, "template", path))


def decoder(record: type[R]) -> Callable[[Any], R]:
    """The cached decoder of ``record``, for operations returning another service's records."""
    return _decoder(record)
