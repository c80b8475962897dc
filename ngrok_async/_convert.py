"""The package's one cattrs converter: JSON-ready data in, frozen records out.

Built on first use (cattrs is not imported by ``import ngrok_async``). cattrs generates and caches
one structuring function per record class, so decoding a page is a loop over plain function calls
with no reflection per call.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from ._errors import NgrokDecodeError

if TYPE_CHECKING:
    import cattrs
    from attrs import AttrsInstance

    converter: cattrs.Converter

R = TypeVar("R")

loads: Callable[[bytes], Any]
"""Parse a JSON body: orjson when installed (``pip install ngrok-async[speedups]``), else json."""
dumps: Callable[[Any], bytes]
"""Serialise a request body to compact UTF-8 JSON (orjson when installed)."""
try:
    import orjson

    loads = orjson.loads
    dumps = orjson.dumps
except ImportError:  # pragma: no cover - exercised where orjson is absent
    loads = json.loads

    def dumps(value: Any) -> bytes:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


_FRACTION = re.compile(r"\.(\d+)")


def parse_datetime(value: object) -> datetime:
    """Parse an RFC 3339 timestamp into an aware datetime (UTC when the offset is missing)."""
    if not isinstance(value, str):
        raise TypeError(f"expected an RFC 3339 string, got {type(value).__name__}")
    try:
        parsed = datetime.fromisoformat(value)  # Python 3.11+ reads "Z" and most of RFC 3339
    except ValueError:
        parsed = datetime.fromisoformat(_normalise(value))
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=timezone.utc)


def _normalise(value: str) -> str:
    """Rewrite what older Pythons reject: a ``Z`` suffix and more than 6 fractional digits."""
    text = value.strip()
    if text[-1:] in ("Z", "z"):
        text = text[:-1] + "+00:00"
    return _FRACTION.sub(lambda m: "." + m[1][:6].ljust(6, "0"), text)


def format_datetime(value: datetime) -> str:
    """Format an aware datetime as RFC 3339 in UTC with a ``Z`` suffix."""
    utc = value.astimezone(timezone.utc)
    text = utc.isoformat(timespec="microseconds" if utc.microsecond else "seconds")
    return text.replace("+00:00", "Z")


def _structure_datetime(value: object, _: object) -> datetime:
    return parse_datetime(value)


def _structure_str(value: object, _: object) -> str:
    if type(value) is str:
        return value
    raise TypeError(f"expected a string, got {type(value).__name__}")


def _structure_str_tuple(value: object, _: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(type(v) is str for v in value):
        raise TypeError("expected a list of strings")
    return tuple(value)


def _structure_str_dict(value: object, _: object) -> dict[str, str]:
    if not isinstance(value, dict) or not all(type(v) is str for v in value.values()):
        raise TypeError("expected an object of strings")
    return dict(value)


def _structure_int(value: object, _: object) -> int:
    if type(value) is int:
        return value
    raise TypeError(f"expected an integer, got {type(value).__name__}")


def _structure_bool(value: object, _: object) -> bool:
    if type(value) is bool:
        return value
    raise TypeError(f"expected a boolean, got {type(value).__name__}")


def _structure_float(value: object, _: object) -> float:
    if type(value) in (int, float):
        return float(value)  # type: ignore[arg-type]
    raise TypeError(f"expected a number, got {type(value).__name__}")


@cache
def get_converter() -> cattrs.Converter:
    """The package's converter, built (and cattrs imported) on first use."""
    import cattrs

    conv = cattrs.Converter(detailed_validation=True, forbid_extra_keys=False)
    conv.register_structure_hook(datetime, _structure_datetime)
    conv.register_structure_hook(str, _structure_str)
    conv.register_structure_hook(int, _structure_int)
    conv.register_structure_hook(bool, _structure_bool)  # after int: bool subclasses int
    conv.register_structure_hook(float, _structure_float)
    conv.register_structure_hook_func(lambda t: t == tuple[str, ...], _structure_str_tuple)
    conv.register_structure_hook_func(lambda t: t == dict[str, str], _structure_str_dict)
    conv.register_unstructure_hook(datetime, format_datetime)
    conv.register_unstructure_hook(timedelta, timedelta.total_seconds)
    return conv


def __getattr__(name: str) -> Any:
    if name == "converter":  # the old module-level name, kept for callers
        return get_converter()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def structurer(cls: type[R]) -> Callable[[Any], R]:
    """Return a fast decoder for ``cls`` that raises :class:`NgrokDecodeError` on bad data.

    A JSON ``null`` counts as an absent field: optional fields get their default, required
    ones are reported missing.
    """
    hook = get_converter().get_structure_hook(cls)
    name = cls.__name__

    def decode(data: Any) -> R:
        if not isinstance(data, Mapping):
            raise NgrokDecodeError(
                resource=name, field="", reason=f"expected a JSON object, got {_kind(data)}"
            )
        try:
            if None in data.values():
                data = {k: v for k, v in data.items() if v is not None}
            return hook(data, cls)  # type: ignore[no-any-return]
        except Exception as exc:
            field, reason = _first_problem(exc)
            raise NgrokDecodeError(resource=name, field=field, reason=reason) from exc

    return decode


def _first_problem(exc: Exception) -> tuple[str, str]:
    import cattrs

    try:
        messages = cattrs.transform_error(exc)
    except Exception:  # pragma: no cover - transform_error is total for cattrs errors
        messages = []
    if not messages:
        return "", f"{type(exc).__name__}: {exc}"
    reason, _, path = messages[0].rpartition(" @ $")
    return path.lstrip("."), reason or messages[0]


def _kind(value: object) -> str:
    return "null" if value is None else type(value).__name__


def to_dict(record: object) -> dict[str, Any]:
    """A record as the API's wire JSON: RFC 3339 ``…Z`` datetimes, durations in seconds, lists,
    nested objects as dicts, secrets included; empty fields (``None``, ``""``, empty lists and
    maps) left out, as the API leaves them out (the decoder reads absent as that default).

    ``from_dict(type(record), to_dict(record)) == record`` for every record.
    """
    if not attrs.has(type(record)):
        raise TypeError(f"expected an ngrok_async record, got {type(record).__name__}")
    return _wire(record)  # type: ignore[no-any-return]


def to_json(record: object) -> str:
    """:func:`to_dict` as a JSON text."""
    return json.dumps(to_dict(record), ensure_ascii=False)


def from_dict(cls: type[R], data: Mapping[str, Any]) -> R:
    """Decode wire JSON (e.g. from :func:`to_dict`) into a record of ``cls``; bad data raises
    :class:`~ngrok_async.NgrokDecodeError` naming the field."""
    return structurer(cls)(data)


def set_fields(record: AttrsInstance) -> dict[str, Any]:
    """A record's fields by name, without the empty ones (``None``, ``""``, ``()``, ``{}``):
    what the API sent, as far as a record can tell."""
    fields = ((f.name, getattr(record, f.name)) for f in attrs.fields(type(record)))
    return {name: value for name, value in fields if value is not None and value not in _EMPTY}


_EMPTY: tuple[object, ...] = ("", (), {})


def _wire(value: Any) -> Any:
    if attrs.has(type(value)):
        return {name: _wire(item) for name, item in set_fields(value).items()}
    if isinstance(value, (list, tuple)):
        return [_wire(item) for item in value]
    if isinstance(value, dict):
        return {key: _wire(item) for key, item in value.items()}
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, timedelta):
        return int(value.total_seconds())
    return value
