"""Field checks on a decoded JSON body, raising the API's 400 errors.

Each reader takes the body and a field name and returns ``None`` when the field is absent or
JSON ``null`` (so PATCH leaves it unchanged and create uses the default), or the checked value.
"""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, timezone
from typing import Any

from .. import ssh_keys
from . import _codes as codes
from ._codes import bad_request

DESCRIPTION_MAX_BYTES = 255
METADATA_MAX_BYTES = 4096
MAX_PRINCIPALS = 256

_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})"
)
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_GO_ZERO_TIME = datetime(1, 1, 1, tzinfo=timezone.utc)
_OWNER = re.compile(r"(usr|bot)_[0-9A-Za-z]{1,64}")


def _type_error(name: str, expected: str, value: Any) -> Exception:
    got = "null" if value is None else type(value).__name__
    return bad_request(codes.UNPARSEABLE_BODY, f"field {name!r} must be {expected}, got {got}")


def string(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _type_error(name, "a string", value)
    return value


def _bounded(body: dict[str, Any], name: str, limit: int, code: str) -> str | None:
    value = string(body, name)
    if value is not None and len(value.encode("utf-8")) > limit:
        size = len(value.encode("utf-8"))
        raise bad_request(code, f"{name} is limited to {limit} bytes; got {size}")
    return value


def description(body: dict[str, Any]) -> str | None:
    return _bounded(body, "description", DESCRIPTION_MAX_BYTES, codes.DESCRIPTION_TOO_LONG)


def metadata(body: dict[str, Any]) -> str | None:
    return _bounded(body, "metadata", METADATA_MAX_BYTES, codes.METADATA_TOO_LONG)


def string_list(body: dict[str, Any], name: str) -> list[str] | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _type_error(name, "a list of strings", value)
    return list(value)


def string_map(body: dict[str, Any], name: str) -> dict[str, str] | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise _type_error(name, "an object of string values", value)
    if any(not key for key in value):
        raise bad_request(codes.INVALID_FIELD, f"{name} names must not be empty")
    return dict(value)


def acl(body: dict[str, Any]) -> list[str] | None:
    rules = string_list(body, "acl")
    for rule in rules or ():
        if rule != "*" and not (rule.startswith("bind:") and len(rule) > len("bind:")):
            raise bad_request(
                codes.INVALID_ACL_RULE,
                f"Invalid ACL rule. An ACL rule must be '*' or start with 'bind:'. "
                f"You specified: {rule[:100]!r}.",
            )
    return rules


def principals(body: dict[str, Any]) -> list[str] | None:
    names = string_list(body, "principals")
    if names is not None and len(names) > MAX_PRINCIPALS:
        raise bad_request(codes.INVALID_FIELD, f"at most {MAX_PRINCIPALS} principals")
    return names


def owner_id(body: dict[str, Any]) -> str | None:
    """``None`` when absent or ``""`` (Go's zero value: ngrok reads it as unset)."""
    value = string(body, "owner_id") or None
    if value is not None and not _OWNER.fullmatch(value):
        raise bad_request(codes.INVALID_FIELD, f"owner_id {value[:80]!r} is not a user or bot id")
    return value


def public_key(body: dict[str, Any], missing_code: str) -> tuple[str, ssh_keys.SSHPublicKey]:
    """The required OpenSSH public key line (kept as sent, comment included) and its key."""
    line = string(body, "public_key")
    if line is None or not line.strip():
        raise bad_request(missing_code, "public_key is required")
    try:
        key = ssh_keys.load_public_key(line)
    except ssh_keys.InvalidPublicKeyError as exc:
        raise bad_request(codes.INVALID_PUBLIC_KEY, f"Invalid public key: {exc}") from None
    return line.strip(), key


def timestamp(body: dict[str, Any], name: str) -> int | None:
    """An RFC 3339 time (``Z`` or an offset, any fraction) as whole Unix seconds (floored).

    ``0001-01-01T00:00:00Z`` (Go's zero time) counts as absent.
    """
    text = string(body, name)
    if text is None:
        return None
    match = _RFC3339.fullmatch(text.strip())
    if match is None:
        raise bad_request(codes.INVALID_TIMESTAMP, f"{name} {text[:60]!r} is not RFC 3339")
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    zone = match.group(8)
    try:  # a leap second (:60) is read as :59
        moment = datetime(year, month, day, hour, minute, min(second, 59), tzinfo=timezone.utc)
    except ValueError:
        raise bad_request(
            codes.INVALID_TIMESTAMP, f"{name} {text[:60]!r} is out of range"
        ) from None
    seconds = (moment - _EPOCH) // timedelta(seconds=1)
    if moment == _GO_ZERO_TIME and zone in ("Z", "z", "+00:00"):
        return None  # Go's zero time, which ngrok's own clients send for "unset"
    if zone not in ("Z", "z"):
        if int(zone[1:3]) > 23 or int(zone[4:6]) > 59:
            raise bad_request(codes.INVALID_TIMESTAMP, f"{name} has an invalid UTC offset")
        sign = 1 if zone[0] == "+" else -1
        seconds -= sign * (int(zone[1:3]) * 3600 + int(zone[4:6]) * 60)
    if seconds < 0:
        raise bad_request(codes.INVALID_TIMESTAMP, f"{name} must not be before 1970")
    return seconds


def format_timestamp(seconds: float) -> str:
    """Whole-second RFC 3339 UTC with ``Z``, as the API prints times."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(seconds)))
