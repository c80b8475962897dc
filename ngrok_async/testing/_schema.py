"""Request bodies checked against the spec's schemas, and turned into the resource's fields.

``check`` is the one body rule of every service, spec-driven and hand-written alike. It raises
the API's 400s: a field of the wrong JSON type or a ``null`` inside a list (``ERR_NGROK_213``:
ngrok's typed decoder cannot hold either), a required field missing at any depth
(``ERR_NGROK_239``), ``description``/``metadata`` over their byte limits.
``project`` maps a checked body onto the response schema: same-named fields are copied
(nested objects recursively), and an ``<x>_id`` / ``<x>_ids`` field becomes the ``<x>`` /
``<x>s`` reference(s) the API returns (``{"id": ..., "uri": ...}``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from . import _codes as codes
from . import _fields as fields
from ._api import REQUIRED, SCHEMAS
from ._codes import bad_request

_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "time": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "number": (int, float),
    "object": (dict,),
}
_EXPECTED = {
    "string": "a string",
    "time": "an RFC 3339 time string",
    "boolean": "a boolean",
    "integer": "an integer",
    "number": "a number",
    "object": "an object",
}


@attrs.frozen(slots=True)
class RefValue:
    """A reference to another resource; rendered as ``{"id": ..., "uri": <base>/<path>}``."""

    id: str
    path: str


def check(body: dict[str, Any], schema: str, required: tuple[str, ...], where: str = "") -> None:
    """Raise the API's 400 if ``body`` does not fit ``schema`` (unknown fields are ignored)."""
    for name in required:
        if body.get(name) is None:
            raise bad_request(codes.MISSING_FIELD, f"{where}{name} is required")
    props = SCHEMAS.get(schema, {})
    for name, value in body.items():
        if value is not None and name in props:
            _check_value(f"{where}{name}", props[name], value)
    if not where:
        fields.description(body)
        fields.metadata(body)


def _check_value(name: str, kind: str, value: Any) -> None:
    if kind.startswith("["):
        if not isinstance(value, list):
            raise _wrong(name, "a list", value)
        for i, item in enumerate(value):
            if item is None:
                raise bad_request(
                    codes.UNPARSEABLE_BODY, f"field {name!r} must not hold null (item {i})"
                )
            _check_value(f"{name}[{i}]", kind[1:-1], item)
        return
    if kind in _JSON_TYPES:
        ok = isinstance(value, _JSON_TYPES[kind]) and not (
            kind in ("integer", "number") and isinstance(value, bool)
        )
        if not ok:
            raise _wrong(name, _EXPECTED[kind], value)
        return
    if not isinstance(value, dict):
        raise _wrong(name, "an object", value)
    check(value, kind, REQUIRED.get(kind, ()), where=f"{name}.")


def _wrong(name: str, expected: str, value: Any) -> Exception:
    got = type(value).__name__
    return bad_request(codes.UNPARSEABLE_BODY, f"field {name!r} must be {expected}, got {got}")


def project(
    body: dict[str, Any],
    request: str,
    response: str,
    resolve: Callable[[str, str], RefValue],
) -> dict[str, Any]:
    """The response fields ``body`` sets (absent and null fields are left out).

    ``resolve(field, id)`` checks that a referenced resource exists and returns its reference.
    """
    out: dict[str, Any] = {}
    request_props = SCHEMAS.get(request, {})
    for name, kind in SCHEMAS.get(response, {}).items():
        value = body.get(name)
        if value is not None:
            out[name] = _project_value(value, request_props.get(name, kind), kind, resolve)
        elif kind == "Ref" and isinstance(body.get(f"{name}_id"), str):
            out[name] = resolve(f"{name}_id", body[f"{name}_id"])
        elif kind == "[Ref]" and isinstance(body.get(_ids(name)), list):
            out[name] = [resolve(_ids(name), ident) for ident in body[_ids(name)]]
    return out


def _project_value(
    value: Any, request: str, response: str, resolve: Callable[[str, str], RefValue]
) -> Any:
    if isinstance(value, dict) and response in SCHEMAS:
        return project(value, request, response, resolve)
    if isinstance(value, list) and response.startswith("[") and response[1:-1] in SCHEMAS:
        return [
            _project_value(item, request[1:-1], response[1:-1], resolve)
            for item in value
            if item is not None
        ]
    return value


def _ids(plural: str) -> str:
    """``ip_policies`` → ``ip_policy_ids``; ``destinations`` → ``destination_ids``."""
    if plural.endswith("ies"):
        return plural[:-3] + "y_ids"
    return plural.removesuffix("s") + "_ids"


_EMPTY_AS_STRING = frozenset({"description", "metadata"})


def shown(name: str, value: Any) -> Any:
    """What a record prints for stored field ``name``: ``None`` means the field is left out.

    ngrok prints an empty ``description`` / ``metadata`` as ``""`` on every record kind (its
    published examples do); other unset fields are left out.
    """
    if value is None and name in _EMPTY_AS_STRING:
        return ""
    return value


def render(value: Any, base_url: str) -> Any:
    """A JSON-ready deep copy of stored ``value``, references rendered on ``base_url``."""
    if isinstance(value, RefValue):
        return {"id": value.id, "uri": f"{base_url}/{value.path}"}
    if isinstance(value, dict):
        return {k: render(v, base_url) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [render(v, base_url) for v in value]
    return value
