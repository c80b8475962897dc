"""Local checks that turn caller input into wire values, or raise InvalidParameterError.

Every check runs before any request is sent. A check takes the parameter name (for the error)
and the value, and returns what goes into the JSON body or URL.
"""

from __future__ import annotations

import os
import pathlib
import re
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

import attrs

from . import _openssh
from ._convert import format_datetime, set_fields
from ._errors import InvalidParameterError
from ._types import NOT_GIVEN, AtSend

Check = Callable[[str, Any], Any]

DESCRIPTION_MAX_BYTES = 255
METADATA_MAX_BYTES = 4096
_KEY_FILE_MAX_BYTES = 64 * 1024

_UNSAFE_PATH_CHARS = re.compile(r"[/?#%\\\s\x00-\x1f\x7f]")
MAX_ID_LENGTH = 256
"""The longest path parameter sent; ngrok's ids are under 40 characters."""
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_HEADER_VALUE = re.compile(r"[\t\x20-\x7e]*")
RESERVED_HEADERS = frozenset({"authorization", "ngrok-version"})


def string(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidParameterError(name, f"must be a str, got {type(value).__name__}")
    return value


def max_bytes(limit: int) -> Check:
    def check(name: str, value: Any) -> str:
        size = len(string(name, value).encode("utf-8"))
        if size > limit:
            raise InvalidParameterError(name, f"must be at most {limit} UTF-8 bytes, got {size}")
        return value  # type: ignore[no-any-return]

    return check


description = max_bytes(DESCRIPTION_MAX_BYTES)
metadata = max_bytes(METADATA_MAX_BYTES)


def non_empty(name: str, value: Any) -> str:
    if not string(name, value):
        raise InvalidParameterError(name, "must not be empty")
    return value  # type: ignore[no-any-return]


def string_list(name: str, value: Any) -> list[str]:
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple, set, frozenset)):
        raise InvalidParameterError(name, f"must be a list of str, got {type(value).__name__}")
    items = list(value)
    for index, item in enumerate(items):
        if not isinstance(item, str):
            raise InvalidParameterError(
                f"{name}[{index}]", f"must be a str, got {type(item).__name__}"
            )
    return items


def string_map(name: str, value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise InvalidParameterError(
            name, f"must be a mapping of str to str, got {type(value).__name__}"
        )
    for key, item in value.items():
        if not isinstance(key, str) or not isinstance(item, str):
            raise InvalidParameterError(f"{name}[{key!r}]", "keys and values must be str")
    return dict(value)


def boolean(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise InvalidParameterError(name, f"must be a bool, got {type(value).__name__}")
    return value


def integer(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidParameterError(name, f"must be an int, got {type(value).__name__}")
    return value


def number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidParameterError(name, f"must be a number, got {type(value).__name__}")
    return float(value)


def seconds(name: str, value: Any) -> int:
    """A duration the API takes as whole seconds: an ``int`` or a ``timedelta``."""
    if isinstance(value, timedelta):
        total = value.total_seconds()
        if total != int(total):
            raise InvalidParameterError(name, f"must be whole seconds, got {value!r}")
        value = int(total)
    count = integer(name, value)
    if count < 0:
        raise InvalidParameterError(name, f"must not be negative, got {value!r}")
    return count


def int_map(name: str, value: Any) -> dict[str, int]:
    if not isinstance(value, Mapping):
        raise InvalidParameterError(name, f"must be a mapping of str to int, got {value!r}")
    for key, item in value.items():
        if not isinstance(key, str) or isinstance(item, bool) or not isinstance(item, int):
            raise InvalidParameterError(f"{name}[{key!r}]", "keys must be str and values int")
    return dict(value)


def list_of(item: Check) -> Check:
    """A list whose members each pass ``item`` (named ``name[index]`` in errors)."""

    def check(name: str, value: Any) -> list[Any]:
        if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, (list, tuple)):
            raise InvalidParameterError(name, f"must be a list, got {type(value).__name__}")
        return [item(f"{name}[{index}]", member) for index, member in enumerate(value)]

    return check


def nested(
    schema: str,
    fields: Mapping[str, Check],
    *,
    record: bool = False,
    required: tuple[str, ...] = (),
) -> Check:
    """A nested request object: a mapping of ``fields`` (or, if ``record``, the record of that
    name read from the API), each field checked under its dotted name (``oauth.provider.google``).
    """
    expected = f"a {schema}Param mapping" + (f" or a {schema} record" if record else "")

    def check(name: str, value: Any) -> dict[str, Any]:
        if record and type(value).__name__ == schema and attrs.has(type(value)):
            value = set_fields(value)  # what the API left out stays out
        elif not isinstance(value, Mapping):
            raise InvalidParameterError(name, f"must be {expected}, got {type(value).__name__}")
        out: dict[str, Any] = {}
        for key, item in value.items():
            field = fields.get(key) if isinstance(key, str) else None
            if field is None:
                raise InvalidParameterError(
                    f"{name}.{key}",
                    f"is not a field of {schema}; expected one of {', '.join(fields)}",
                )
            out[key] = field(f"{name}.{key}", item)
        for key in required:
            if key not in out:
                raise InvalidParameterError(f"{name}.{key}", f"is required in {schema}")
        return out

    return check


def aware_datetime(name: str, value: Any) -> str:
    if not isinstance(value, datetime):
        raise InvalidParameterError(name, f"must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidParameterError(
            name, "must be timezone-aware (e.g. datetime.now(timezone.utc)); naive is ambiguous"
        )
    return format_datetime(value)


def one_of(*choices: str) -> Check:
    def check(name: str, value: Any) -> str:
        if value not in choices:
            raise InvalidParameterError(name, f"must be one of {', '.join(choices)}; got {value!r}")
        return value  # type: ignore[no-any-return]

    return check


def int_choice(*choices: int) -> Check:
    def check(name: str, value: Any) -> int:
        if isinstance(value, bool) or value not in choices:
            raise InvalidParameterError(
                name, f"must be one of {', '.join(map(str, choices))}; got {value!r}"
            )
        return value  # type: ignore[no-any-return]

    return check


def path_segment(name: str, value: Any) -> str:
    """A resource id or other path parameter that can only ever name one resource."""
    text = string(name, value)
    if len(text) > MAX_ID_LENGTH:
        raise InvalidParameterError(
            name, f"is {len(text)} characters long; an identifier has at most {MAX_ID_LENGTH}"
        )
    if not text or text in (".", "..") or _UNSAFE_PATH_CHARS.search(text):
        raise InvalidParameterError(
            name, f"{text!r} is not a valid identifier (no '/', '?', '#', '%', spaces or dots only)"
        )
    return text


def page_limit(name: str, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 100:
        raise InvalidParameterError(name, f"must be an int from 1 to 100, got {value!r}")
    return str(value)


def public_key(name: str, value: Any) -> str:
    """An OpenSSH public key: a key line (str or bytes), a path to a ``.pub`` file, or a
    ``cryptography`` public key object. Returns the key line to send (comment kept).

    Key text is checked by structure (:mod:`._openssh`), without a cryptographic load; only a
    key object goes through :mod:`ngrok_async.ssh_keys`.
    """
    if isinstance(value, (str, bytes)):
        text = _key_text(name, value).strip()
        if "\n" in text or "\r" in text:
            raise InvalidParameterError(name, "must be a single OpenSSH public key line")
    elif isinstance(value, os.PathLike):
        text = _key_file_line(name, value)
    else:  # a key object (or anything else) goes to load_public_key, for its messages
        from . import ssh_keys

        try:
            return ssh_keys.public_key_to_openssh(value)
        except ssh_keys.InvalidPublicKeyError as exc:
            raise InvalidParameterError(
                name, f"is not a usable OpenSSH public key: {exc}"
            ) from None
    if not text:
        raise InvalidParameterError(name, "is not a usable OpenSSH public key: the value is empty")
    try:
        _openssh.check_key_line(text)
    except _openssh.InvalidPublicKeyError as exc:
        raise InvalidParameterError(name, f"is not a usable OpenSSH public key: {exc}") from None
    return text


def _key_text(name: str, value: str | bytes) -> str:
    try:
        return _openssh.as_text(value, ValueError)
    except ValueError:
        raise InvalidParameterError(name, "bytes must be UTF-8 OpenSSH key text") from None


def _key_file_line(name: str, path: os.PathLike[str]) -> str:
    """The one key line of a ``.pub`` file (blank and ``#`` lines skipped)."""
    where = os.fspath(path)
    try:
        with pathlib.Path(path).open("rb") as file:
            data = file.read(_KEY_FILE_MAX_BYTES + 1)
    except OSError as exc:
        raise InvalidParameterError(name, f"cannot read {where!r}: {exc.strerror or exc}") from None
    if len(data) > _KEY_FILE_MAX_BYTES:
        raise InvalidParameterError(name, f"{where!r} is too large for a public key file")
    stripped = (line.strip() for line in _key_text(name, data).splitlines())
    lines = [line for line in stripped if line and not line.startswith("#")]
    if len(lines) != 1:
        raise InvalidParameterError(
            name, f"{where!r} must hold exactly one public key line, found {len(lines)}"
        )
    return lines[0]


def validity_window(valid_after: Any, valid_until: Any) -> None:
    """Both checked as aware datetimes; when both are given, ``valid_until`` must be later."""
    if isinstance(valid_after, datetime):
        aware_datetime("valid_after", valid_after)
    if isinstance(valid_until, datetime):
        aware_datetime("valid_until", valid_until)
        if isinstance(valid_after, datetime) and valid_until <= valid_after:
            raise InvalidParameterError("valid_until", "must be later than valid_after")


def header_map(name: str, value: Any) -> dict[str, str]:
    """Extra HTTP headers: RFC 9110 token names, printable ASCII values, neither of the two
    headers the SDK owns (``Authorization``, ``Ngrok-Version``)."""
    if value is None:
        return {}
    headers = string_map(name, value)
    for key, item in headers.items():
        if not _HEADER_NAME.fullmatch(key):
            raise InvalidParameterError(name, f"{key[:60]!r} is not a valid header name")
        if key.lower() in RESERVED_HEADERS:
            raise InvalidParameterError(name, "Authorization and Ngrok-Version are set by the SDK")
        if not _HEADER_VALUE.fullmatch(item):
            raise InvalidParameterError(
                f"{name}[{key!r}]", "must be printable ASCII (no CR, LF, NUL or other controls)"
            )
    return headers


def query_map(name: str, value: Any) -> dict[str, str]:
    """Extra query parameters: a mapping of str to str."""
    if value is None:
        return {}
    query = string_map(name, value)
    if "" in query:
        raise InvalidParameterError(name, "keys must be non-empty")
    return query


class Extras:
    """A call's checked ``extra_headers`` and ``extra_query``."""

    __slots__ = ("headers", "query")

    def __init__(self, headers: dict[str, str], query: dict[str, str]) -> None:
        self.headers: dict[str, str] = headers
        self.query: dict[str, str] = query


def extras(extra_headers: Any, extra_query: Any) -> Extras | None:
    """The per-call ``extra_headers``/``extra_query`` of a method (``None`` when neither is
    given): header names and values checked as ``headers=`` is, query keys non-empty."""
    if extra_headers is None and extra_query is None:
        return None
    return Extras(header_map("extra_headers", extra_headers), query_map("extra_query", extra_query))


class ValidFor(AtSend):
    """``valid_until`` for a ``valid_for`` span: ``valid_after`` (or the moment the attempt
    goes on the wire, after any wait on the limiter) plus the span, as RFC 3339."""

    __slots__ = ("span", "start")

    def __init__(self, start: datetime | None, span: timedelta) -> None:
        self.start: datetime | None = start
        self.span: timedelta = span

    def value(self) -> str:
        start = self.start if self.start is not None else _now().replace(microsecond=0)
        return format_datetime(start + self.span)

    def __str__(self) -> str:  # stable across runs: what a bulk journal fingerprints
        return f"valid_for={self.span.total_seconds():g}s"


def split_valid_for(params: Mapping[str, Any]) -> tuple[dict[str, Any], ValidFor | None]:
    """``params`` without ``valid_for``, and the send-time ``valid_until`` it asks for;
    ``InvalidParameterError`` if ``valid_until`` is given too or the span is not positive."""
    rest = dict(params)
    valid_for = rest.pop("valid_for", NOT_GIVEN)
    if valid_for is NOT_GIVEN:
        return rest, None
    if rest.get("valid_until", NOT_GIVEN) is not NOT_GIVEN:
        raise InvalidParameterError("valid_for", "pass valid_for or valid_until, not both")
    if not isinstance(valid_for, timedelta) or valid_for <= timedelta(0):
        raise InvalidParameterError("valid_for", "must be a positive timedelta")
    start = rest.get("valid_after", NOT_GIVEN)
    if isinstance(start, datetime):
        aware_datetime("valid_after", start)
        return rest, ValidFor(start, valid_for)
    return rest, ValidFor(None, valid_for)


def _now() -> datetime:
    return datetime.now(timezone.utc)
