"""The ``filter=`` of list endpoints: ngrok's CEL subset, evaluated with CEL's semantics.

What ``obj`` holds (:func:`activation` builds the same thing as a dict): the record as GET
returns it, its time fields (``created_at``, ``valid_until``, ... typed ``time`` in the table)
as timestamps, and every field the record's schema declares but the record leaves out read as
its zero value (``""``, ``0``, ``false``, ``[]``, ``{}``; ``null`` for an object or a time), as
ngrok's typed records hold them. A field the schema does not declare is an error.

Semantics are CEL's (checked against two CEL implementations in the tests): an error (a field
that does not exist, an operation on operands it does not fit: ``null < 1``, ``size(null)``) makes
the record not selected, under ``!`` too, unless ``&&`` / ``||`` absorb it (``false && error`` is
``false``, ``true || error`` is ``true``, in either order); ``==`` across types is ``false``,
numbers compare across ``int`` and ``double``. ``timestamp(time.now)`` with ``.add()`` /
``.subtract()`` of a duration (``"7d"``, ``"1h30m"``, ``duration("90s")``) is ngrok's extension.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from ._api import SCHEMAS
from ._cel_syntax import Node, invalid, parse

Predicate = Callable[[Mapping[str, Any]], bool]
_Eval = Callable[[Mapping[str, Any]], Any]


class _Error:
    """CEL's error value: it flows through operators until ``&&`` / ``||`` absorb it."""

    def __repr__(self) -> str:
        return "<error>"


ERROR = _Error()
_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)")
_UNITS = {
    "ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0,
    "d": 86400.0,
}  # fmt: skip
_ZERO: dict[str, Any] = {
    "string": "", "integer": 0, "number": 0, "boolean": False, "object": {}, "time": None,
}  # fmt: skip
_BOOLISH = ("bool", "dyn")


def parse_time(text: str) -> datetime:
    """An RFC 3339 time (``Z`` or an offset) as an aware datetime; ``ValueError`` otherwise."""
    if "t" not in text.lower():
        raise ValueError(f"{text!r} has no time")
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError(f"{text!r} has no time zone")
    return value


def parse_duration(text: str) -> timedelta:
    """A Go-style duration (``"1h30m"``, ``"90s"``, ``"-2m"``) plus ``d`` for days."""
    sign, body = (-1, text[1:]) if text.startswith("-") else (1, text.removeprefix("+"))
    parts = _DURATION.findall(body)
    if not body or "".join(n + u for n, u in parts) != body:
        raise ValueError(f"{text!r} is not a duration")
    return timedelta(seconds=sign * sum(float(n) * _UNITS[u] for n, u in parts))


def compile_filter(text: str, schema: str = "", now: datetime | None = None) -> Predicate:
    """Parse ``text`` once; the result tells whether one rendered record of ``schema`` matches.

    ``now`` is what ``time.now`` reads (the current time when not given).
    """
    compiler = _Compiler(now or datetime.now(timezone.utc))
    evaluate, kind = compiler.compile(parse(text), schema)
    if kind not in _BOOLISH:
        raise invalid(f"the expression is a {kind}, not a condition")

    def predicate(obj: Mapping[str, Any]) -> bool:
        return evaluate(obj) is True

    return predicate


def activation(record: Mapping[str, Any], schema: str) -> dict[str, Any]:
    """``obj`` as the filter sees ``record`` (a dict, for evaluating with another CEL)."""
    out: dict[str, Any] = {}
    for name, kind in SCHEMAS.get(schema, {}).items():
        out[name] = _read(record, name, kind)
        if isinstance(out[name], dict) and kind in SCHEMAS:
            out[name] = activation(out[name], kind)
    out.update({k: v for k, v in record.items() if k not in out})
    return out


def _read(record: Mapping[str, Any], name: str, kind: str) -> Any:
    if name not in record:
        return [] if kind.startswith("[") else _ZERO.get(kind)
    value = record[name]
    if kind == "time" and isinstance(value, str):
        try:
            return parse_time(value)
        except ValueError:
            return ERROR
    return value


class _Compiler:
    def __init__(self, now: datetime) -> None:
        self._now = now

    def compile(self, node: Node, schema: str) -> tuple[_Eval, str]:
        """The evaluator of ``node`` and its static kind: ``bool``, ``string``, ``int``,
        ``double``, ``null``, ``list``, ``time``, ``duration``, ``dyn`` or ``obj:<schema>``."""
        op = node.op
        if op == "literal":
            value = node.value
            return (lambda obj: value), _kind_of(value)
        if op == "obj":
            return (lambda obj: obj), f"obj:{schema}"
        if op == "now":
            now = self._now
            return (lambda obj: now), "time"
        if op == "list":
            items = [self.compile(arg, schema)[0] for arg in node.args]
            return _list(items), "list"
        if op == "field":
            target, kind = self.compile(node.args[0], schema)
            return _field(target, node.value, kind)
        if op in ("not", "and", "or"):
            parts = [self._condition(arg, schema) for arg in node.args]
            return _LOGIC[op](*parts), "bool"
        if op == "call":
            return self._call(node, schema)
        if op == "method":
            return self._method(node, schema)
        left, right = (self.compile(arg, schema)[0] for arg in node.args)
        return _RELATION[op](left, right), "bool"

    def _condition(self, node: Node, schema: str) -> _Eval:
        evaluate, kind = self.compile(node, schema)
        if kind not in _BOOLISH:
            raise invalid(f"a {kind} where a condition is expected")
        return evaluate

    def _call(self, node: Node, schema: str) -> tuple[_Eval, str]:
        (arg,) = node.args
        evaluate = self.compile(arg, schema)[0]
        if node.value == "size":
            return _apply(evaluate, _size), "int"
        timestamp = node.value == "timestamp"
        convert, result = (_timestamp, "time") if timestamp else (_duration, "duration")
        if arg.op == "literal" and convert(arg.value) is ERROR:
            raise invalid(f"{node.value}({arg.value!r}) is not valid")
        return _apply(evaluate, convert), result

    def _method(self, node: Node, schema: str) -> tuple[_Eval, str]:
        target, *args = (self.compile(arg, schema)[0] for arg in node.args)
        name = node.value
        if name == "size":
            return _apply(target, _size), "int"
        if name in ("add", "subtract"):
            literal = node.args[1]
            if literal.op == "literal" and _duration(literal.value) is ERROR:
                raise invalid(f".{name}({literal.value!r}): not a duration")
            return _shift(target, args[0], -1 if name == "subtract" else 1), "time"
        return _string_test(name, target, args[0]), "bool"


def _kind_of(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "bool", int: "int", float: "double", str: "string"}[type(value)]


def _list(items: list[_Eval]) -> _Eval:
    def make(obj: Mapping[str, Any]) -> Any:
        values = [item(obj) for item in items]
        return ERROR if any(v is ERROR for v in values) else values

    return make


def _field(target: _Eval, name: str, kind: str) -> tuple[_Eval, str]:
    declared = SCHEMAS.get(kind[4:], {}) if kind.startswith("obj:") else {}
    field_kind = declared.get(name)
    if field_kind is None:

        def select(obj: Mapping[str, Any]) -> Any:
            value = target(obj)
            if isinstance(value, Mapping) and name in value:
                return value[name]
            return ERROR

        return select, "dyn"

    def read(obj: Mapping[str, Any]) -> Any:
        value = target(obj)
        return _read(value, name, field_kind) if isinstance(value, Mapping) else ERROR

    return read, _static(field_kind)


def _static(kind: str) -> str:
    if kind.startswith("["):
        return "list"
    if kind in SCHEMAS:
        return f"obj:{kind}"
    return {"boolean": "bool", "string": "string", "integer": "int", "time": "time"}.get(
        kind, "dyn"
    )


def _not(inner: _Eval) -> _Eval:
    def negate(obj: Mapping[str, Any]) -> Any:
        value = inner(obj)
        return (not value) if isinstance(value, bool) else ERROR

    return negate


def _and(left: _Eval, right: _Eval) -> _Eval:
    def both(obj: Mapping[str, Any]) -> Any:
        a = left(obj)
        if a is False:
            return False
        b = right(obj)
        if b is False:
            return False
        return True if a is True and b is True else ERROR

    return both


def _or(left: _Eval, right: _Eval) -> _Eval:
    def either(obj: Mapping[str, Any]) -> Any:
        a = left(obj)
        if a is True:
            return True
        b = right(obj)
        if b is True:
            return True
        return False if a is False and b is False else ERROR

    return either


_LOGIC: dict[str, Callable[..., _Eval]] = {"not": _not, "and": _and, "or": _or}


def _equal(a: Any, b: Any) -> bool:
    """CEL's heterogeneous equality: different types are unequal, numbers compare by value."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if type(a) is not type(b):
        return False
    return bool(a == b)


def _orderable(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return True
    return type(a) is type(b) and isinstance(a, (str, datetime, timedelta))


def _relation(test: Callable[[Any, Any], Any]) -> Callable[[_Eval, _Eval], _Eval]:
    def make(left: _Eval, right: _Eval) -> _Eval:
        def relate(obj: Mapping[str, Any]) -> Any:
            a, b = left(obj), right(obj)
            if a is ERROR or b is ERROR:
                return ERROR
            return test(a, b)

        return relate

    return make


def _order(compare: Callable[[Any, Any], bool]) -> Callable[[Any, Any], Any]:
    return lambda a, b: compare(a, b) if _orderable(a, b) else ERROR


def _member(a: Any, b: Any) -> Any:
    if isinstance(b, list):
        return any(_equal(a, item) for item in b)
    if isinstance(b, Mapping):
        return any(_equal(a, key) for key in b)
    return ERROR


_RELATION: dict[str, Callable[[_Eval, _Eval], _Eval]] = {
    "==": _relation(_equal),
    "!=": _relation(lambda a, b: not _equal(a, b)),
    "<": _relation(_order(lambda a, b: a < b)),
    "<=": _relation(_order(lambda a, b: a <= b)),
    ">": _relation(_order(lambda a, b: a > b)),
    ">=": _relation(_order(lambda a, b: a >= b)),
    "in": _relation(_member),
}


def _apply(inner: _Eval, function: Callable[[Any], Any]) -> _Eval:
    def call(obj: Mapping[str, Any]) -> Any:
        value = inner(obj)
        return ERROR if value is ERROR else function(value)

    return call


def _size(value: Any) -> Any:
    return len(value) if isinstance(value, (str, list, Mapping)) else ERROR


def _timestamp(value: Any) -> Any:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        return ERROR
    try:
        return parse_time(value)
    except ValueError:
        return ERROR


def _duration(value: Any) -> Any:
    if isinstance(value, timedelta):
        return value
    if not isinstance(value, str):
        return ERROR
    try:
        return parse_duration(value)
    except ValueError:
        return ERROR


def _shift(target: _Eval, amount: _Eval, sign: int) -> _Eval:
    def shift(obj: Mapping[str, Any]) -> Any:
        moment, delta = target(obj), _duration(amount(obj))
        if not isinstance(moment, datetime) or delta is ERROR:
            return ERROR
        try:
            return moment + sign * delta
        except OverflowError:
            return ERROR

    return shift


def _string_test(name: str, target: _Eval, arg: _Eval) -> _Eval:
    test: Callable[[str, str], bool] = {
        "contains": str.__contains__,
        "startsWith": str.startswith,
        "endsWith": str.endswith,
    }[name]

    def call(obj: Mapping[str, Any]) -> Any:
        value, needle = target(obj), arg(obj)
        if isinstance(value, str) and isinstance(needle, str):
            return test(value, needle)
        return ERROR

    return call
