"""The ``filter=`` expressions of list endpoints: the CEL subset ngrok's API filtering documents.

``obj.<field>[.<field>...]``, string / number / ``true`` / ``false`` / ``null`` literals, lists
``[a, b]``, ``==`` ``!=`` ``<`` ``<=`` ``>`` ``>=`` ``in``, ``&&`` ``||`` ``!``, parentheses,
``size(x)``, ``timestamp("<RFC 3339>")`` (compared with time fields such as ``created_at``),
and the string methods ``contains``, ``startsWith`` and ``endsWith``. A field the resource
lacks reads as ``null``. Anything else is a 400.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from . import _codes as codes
from ._codes import FakeAPIError

MAX_FILTER_LENGTH = 4096

_TOKEN = re.compile(
    r"""\s*(?:
    (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
    |(?P<number>-?\d+(?:\.\d+)?)
    |(?P<op>==|!=|<=|>=|&&|\|\||[<>!()\[\],.])
    |(?P<name>[A-Za-z_][A-Za-z0-9_]*)
    )""",
    re.VERBOSE,
)
_ESCAPE = re.compile(r"\\(.)")
_COMPARISONS = ("==", "!=", "<", "<=", ">", ">=", "in")
_CONSTANTS = {"true": True, "false": False, "null": None}

Predicate = Callable[[Mapping[str, Any]], bool]
_Node = Callable[[Mapping[str, Any]], Any]


def invalid(msg: str) -> FakeAPIError:
    return FakeAPIError(400, codes.INVALID_FILTER, f"Invalid filter: {msg}")


def parse_time(text: str) -> datetime:
    """An RFC 3339 time (``Z`` or an offset) as an aware datetime; ``ValueError`` otherwise."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone")
    return value


def compile_filter(text: str) -> Predicate:
    """Parse ``text`` once; the result tells whether one rendered resource matches."""
    if len(text) > MAX_FILTER_LENGTH:
        raise invalid(f"longer than {MAX_FILTER_LENGTH} characters")
    parser = _Parser(_tokens(text))
    node = parser.expression()
    if parser.peek() is not None:
        raise invalid(f"unexpected {parser.peek()!r}")

    def predicate(obj: Mapping[str, Any]) -> bool:
        return node(obj) is True

    return predicate


def _tokens(text: str) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise invalid(f"cannot read {text[pos : pos + 20].strip()!r}")
        pos = match.end()
        kind = match.lastgroup
        raw = match.group(kind or "")
        if kind == "string":
            out.append(("value", _ESCAPE.sub(r"\1", raw[1:-1])))
        elif kind == "number":
            out.append(("value", float(raw) if "." in raw else int(raw)))
        elif kind == "name" and raw in _CONSTANTS:
            out.append(("value", _CONSTANTS[raw]))
        elif kind == "name" and raw == "in":
            out.append(("op", "in"))
        else:
            out.append((kind or "", raw))
    return out


class _Parser:
    def __init__(self, tokens: list[tuple[str, Any]]) -> None:
        self._tokens = tokens
        self._pos = 0

    def peek(self) -> Any:
        return self._tokens[self._pos][1] if self._pos < len(self._tokens) else None

    def _take(self, expected: str | None = None) -> tuple[str, Any]:
        if self._pos >= len(self._tokens):
            raise invalid("unexpected end of expression")
        token = self._tokens[self._pos]
        if expected is not None and (token[0] != "op" or token[1] != expected):
            raise invalid(f"expected {expected!r}, got {token[1]!r}")
        self._pos += 1
        return token

    def _accept(self, op: str) -> bool:
        if self._pos < len(self._tokens) and self._tokens[self._pos] == ("op", op):
            self._pos += 1
            return True
        return False

    def expression(self) -> _Node:
        left = self._conjunction()
        while self._accept("||"):
            left = _or(left, self._conjunction())
        return left

    def _conjunction(self) -> _Node:
        left = self._negation()
        while self._accept("&&"):
            left = _and(left, self._negation())
        return left

    def _negation(self) -> _Node:
        if self._accept("!"):
            inner = self._negation()
            return lambda obj: not _truth(inner(obj))
        return self._comparison()

    def _comparison(self) -> _Node:
        left = self._postfix()
        token = self._tokens[self._pos] if self._pos < len(self._tokens) else None
        if token is not None and token[0] == "op" and token[1] in _COMPARISONS:
            self._pos += 1
            return _compare(token[1], left, self._postfix())
        return left

    def _postfix(self) -> _Node:
        node = self._primary()
        while self._accept("."):
            kind, name = self._take()
            if kind != "name":
                raise invalid(f"expected a field name after '.', got {name!r}")
            if self._accept("("):
                node = _method(name, node, self._arguments())
            else:
                node = _field(node, name)
        return node

    def _arguments(self) -> list[_Node]:
        args: list[_Node] = []
        if self._accept(")"):
            return args
        while True:
            args.append(self.expression())
            if self._accept(")"):
                return args
            self._take(",")

    def _primary(self) -> _Node:
        kind, value = self._take()
        if kind == "value":
            return lambda obj: value
        if (kind, value) == ("op", "("):
            inner = self.expression()
            self._take(")")
            return inner
        if (kind, value) == ("op", "["):
            items: list[_Node] = []
            if not self._accept("]"):
                while True:
                    items.append(self.expression())
                    if self._accept("]"):
                        break
                    self._take(",")
            return lambda obj: [item(obj) for item in items]
        if kind == "name" and value == "obj":
            return lambda obj: obj
        if kind == "name" and self._accept("("):
            return _function(value, self._arguments())
        raise invalid(f"unexpected {value!r} (fields are read as obj.<name>)")


def _truth(value: Any) -> bool:
    if not isinstance(value, bool):
        raise invalid(f"{value!r} is not a boolean")
    return value


def _or(left: _Node, right: _Node) -> _Node:
    return lambda obj: _truth(left(obj)) or _truth(right(obj))


def _and(left: _Node, right: _Node) -> _Node:
    return lambda obj: _truth(left(obj)) and _truth(right(obj))


def _field(node: _Node, name: str) -> _Node:
    def read(obj: Mapping[str, Any]) -> Any:
        value = node(obj)
        return value.get(name) if isinstance(value, Mapping) else None

    return read


def _comparable(left: Any, right: Any) -> tuple[Any, Any]:
    """Time fields are strings on the wire: compare them as times with a ``timestamp()``."""
    try:
        if isinstance(left, datetime) and isinstance(right, str):
            return left, parse_time(right)
        if isinstance(right, datetime) and isinstance(left, str):
            return parse_time(left), right
    except ValueError:
        return None, None
    return left, right


def _compare(op: str, left: _Node, right: _Node) -> _Node:
    def compare(obj: Mapping[str, Any]) -> bool:
        a, b = _comparable(left(obj), right(obj))
        if op == "==":
            return bool(a == b)
        if op == "!=":
            return bool(a != b)
        if op == "in":
            if isinstance(b, (list, str, Mapping)):
                return a in b
            return False
        if a is None or b is None or isinstance(a, bool) != isinstance(b, bool):
            return False
        try:
            if op == "<":
                return bool(a < b)
            if op == "<=":
                return bool(a <= b)
            if op == ">":
                return bool(a > b)
            return bool(a >= b)
        except TypeError:
            return False

    return compare


def _function(name: str, args: list[_Node]) -> _Node:
    if name == "size" and len(args) == 1:
        (arg,) = args

        def size(obj: Mapping[str, Any]) -> int:
            value = arg(obj)
            return len(value) if isinstance(value, (str, list, Mapping)) else 0

        return size
    if name == "timestamp" and len(args) == 1:
        (arg,) = args

        def timestamp(obj: Mapping[str, Any]) -> datetime:
            text = arg(obj)
            try:
                return parse_time(text if isinstance(text, str) else "")
            except ValueError:
                raise invalid(f"timestamp({text!r}) is not RFC 3339") from None

        return timestamp
    raise invalid(f"unknown function {name}() with {len(args)} arguments")


def _method(name: str, target: _Node, args: list[_Node]) -> _Node:
    tests: dict[str, Callable[[str, str], bool]] = {
        "contains": lambda s, x: x in s,
        "startsWith": str.startswith,
        "endsWith": str.endswith,
    }
    if name not in tests or len(args) != 1:
        raise invalid(f"unknown method .{name}() with {len(args)} arguments")
    test, (arg,) = tests[name], args

    def call(obj: Mapping[str, Any]) -> bool:
        value, needle = target(obj), arg(obj)
        return isinstance(value, str) and isinstance(needle, str) and test(value, needle)

    return call
