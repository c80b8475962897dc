"""Command-line text into SDK values: durations, datetimes, JSON, ``KEY=VALUE`` maps, keys."""

from __future__ import annotations

import json
import pathlib
import re
import sys
from datetime import datetime, timedelta, timezone
from typing import Any

import click

from .._convert import parse_datetime
from . import _introspect as kinds

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_PART = re.compile(r"(\d+)([smhdw])")


def parse_duration(text: str) -> timedelta:
    """``8h``, ``30m``, ``1h30m``, ``7d``, ``2w``, ``90s`` or plain seconds (``90``)."""
    text = text.strip().lower()
    if text.isdigit():
        seconds = int(text)
    else:
        parts = _PART.findall(text)
        if not parts or "".join(n + u for n, u in parts) != text:
            raise ValueError(f"{text!r} is not a duration such as 8h, 30m, 1h30m, 7d or 90")
        seconds = sum(int(n) * _UNITS[u] for n, u in parts)
    if seconds <= 0:
        raise ValueError("must be longer than zero")
    return timedelta(seconds=seconds)


def parse_when(text: str) -> datetime:
    """RFC 3339 with an offset (``2025-04-21T18:19:52Z``) or ``+DURATION`` from now."""
    text = text.strip()
    if text.startswith("+"):
        return datetime.now(timezone.utc).replace(microsecond=0) + parse_duration(text[1:])
    if not re.search(r"(Z|z|[+-]\d\d:?\d\d)$", text):
        raise ValueError(f"{text!r} needs a UTC offset, e.g. 2025-04-21T18:19:52Z, or +8h")
    return parse_datetime(text)


def read_json(text: str) -> Any:
    """JSON text, ``@FILE`` for a file's content, or ``-`` for standard input."""
    if text == "-":
        text = sys.stdin.read()
    elif text.startswith("@"):
        try:
            text = pathlib.Path(text[1:]).read_text(encoding="utf-8")
        except OSError as exc:
            raise ValueError(f"cannot read {text[1:]}: {exc.strerror}") from None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ValueError(f"is not JSON: {exc}") from None


def parse(kind: str, text: str) -> Any:
    """One option value as the SDK method takes it; ``ValueError`` says why not."""
    if kind == kinds.INT:
        return int(text)
    if kind == kinds.FLOAT:
        return float(text)
    if kind == kinds.DATETIME:
        return parse_when(text)
    if kind == kinds.DURATION:
        return parse_duration(text)
    if kind == kinds.JSON:
        return read_json(text)
    if kind == kinds.KEY:
        path = pathlib.Path(text)
        return path if not text.startswith("ssh-") and path.is_file() else text
    return text


def parse_map(items: tuple[str, ...]) -> dict[str, str]:
    """Repeated ``KEY=VALUE`` (``KEY`` alone for an empty value)."""
    pairs = (item.partition("=") for item in items)
    return {key: value for key, _, value in pairs}


class Text(click.ParamType):  # type: ignore[type-arg]  # generic in newer click
    """A click type that parses with :func:`parse`, naming the kind in help and errors."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.name = {
            kinds.DATETIME: "when",
            kinds.DURATION: "duration",
            kinds.JSON: "json",
            kinds.KEY: "key",
            kinds.STR: "text",
        }.get(kind, kind)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return parse(self.kind, value)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)
