"""Reading a ``filter=`` expression: CEL's tokens and grammar, limited to ngrok's subset.

The parser builds a small tree (:class:`Node`) that ``_filter`` compiles. Everything CEL has
and ngrok's API filtering does not (indexing, arithmetic, the conditional operator, map
literals, macros, type conversions, regular expressions) is refused here with a message that
names it, as is anything that is not CEL at all.
"""

from __future__ import annotations

import re
from typing import Any

import attrs

from . import _codes as codes
from ._codes import FakeAPIError

MAX_FILTER_LENGTH = 4096
MAX_DEPTH = 64

_TOKEN = re.compile(
    r"""\s*(?:
    (?P<string>[rR]?(?:\"\"\"(?:.|\n)*?\"\"\"|'''(?:.|\n)*?'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'))
    |(?P<number>0[xX][0-9a-fA-F]+[uU]?|(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?[uU]?)
    |(?P<op>==|!=|<=|>=|&&|\|\||[<>!()\[\],.+\-*/%?:{}])
    |(?P<name>[A-Za-z_][A-Za-z0-9_]*)
    )""",
    re.VERBOSE,
)
_ESCAPES = {
    "a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
    "\\": "\\", "'": "'", '"': '"', "`": "`", "?": "?",
}  # fmt: skip
_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-3][0-7]{2}|.)")
_CONSTANTS: dict[str, Any] = {"true": True, "false": False, "null": None}
_RELATIONS = ("==", "!=", "<", "<=", ">", ">=", "in")
_UNSUPPORTED_OPS = {
    "+": "arithmetic",
    "-": "arithmetic",
    "*": "arithmetic",
    "/": "arithmetic",
    "%": "arithmetic",
    "?": "the conditional operator (?:)",
    ":": "the conditional operator (?:)",
    "{": "map literals",
}
_UNSUPPORTED_CALLS = {
    "matches": "regular expressions (matches)",
    "has": "has()",
    "all": "list comprehensions",
    "exists": "list comprehensions",
    "exists_one": "list comprehensions",
    "map": "list comprehensions",
    "filter": "list comprehensions",
}
_TYPE_CALLS = ("type", "int", "uint", "double", "string", "bool", "bytes", "dyn", "list", "map")
_RESERVED = frozenset(
    (
        *("as", "break", "const", "continue", "else", "for", "function", "if", "import"),
        *("let", "loop", "package", "namespace", "return", "var", "void", "while"),
    )
)


def invalid(msg: str) -> FakeAPIError:
    return FakeAPIError(400, codes.INVALID_FILTER, f"Invalid filter: {msg}")


@attrs.frozen(slots=True)
class Node:
    """One node of a parsed expression.

    ``op`` is ``literal`` (``value``), ``list`` (``args``), ``obj``, ``now``, ``field``
    (``value`` = name, ``args`` = (target,)), ``not``, ``and``, ``or``, a relation (``==`` ...
    ``in``), ``call`` (``value`` = function, ``args``) or ``method`` (``value`` = name,
    ``args`` = (target, *arguments)).
    """

    op: str
    value: Any = None
    args: tuple[Node, ...] = ()


def parse(text: str) -> Node:
    """The tree of ``text``; 400 for anything outside ngrok's CEL subset."""
    if len(text) > MAX_FILTER_LENGTH:
        raise invalid(f"longer than {MAX_FILTER_LENGTH} characters")
    parser = _Parser(_tokens(text))
    node = parser.expression(0)
    if parser.pos < len(parser.tokens):
        raise invalid(f"unexpected {parser.tokens[parser.pos][1]!r}")
    return node


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
        kind = match.lastgroup or ""
        raw = match.group(kind)
        if kind == "string":
            out.append(("value", _string(raw)))
        elif kind == "number":
            out.append(("value", _number(raw)))
        elif kind == "name" and raw in _CONSTANTS:
            out.append(("value", _CONSTANTS[raw]))
        elif kind == "name" and raw == "in":
            out.append(("op", "in"))
        elif kind == "name" and raw in _RESERVED:
            raise invalid(f"{raw!r} is a reserved word")
        else:
            out.append((kind, raw))
    return out


def _string(raw: str) -> str:
    is_raw = raw[0] in "rR"
    body = raw[1:] if is_raw else raw
    quote = 3 if body[:3] in ('"""', "'''") else 1
    inner = body[quote:-quote]
    return inner if is_raw else _ESCAPE.sub(_unescape, inner)


def _unescape(match: re.Match[str]) -> str:
    code = match.group(1)
    if code[0] in "xuU":
        return chr(int(code[1:], 16))
    if code[0].isdigit() and len(code) == 3:
        return chr(int(code, 8))
    if code in _ESCAPES:
        return _ESCAPES[code]
    raise invalid(f"unknown escape \\{code}")


def _number(raw: str) -> int | float:
    text = raw.rstrip("uU")
    if text[:2] in ("0x", "0X"):
        return int(text, 16)
    if any(c in text for c in ".eE"):
        if raw != text:
            raise invalid(f"{raw!r} is not a number")
        return float(text)
    return int(text)


class _Parser:
    def __init__(self, tokens: list[tuple[str, Any]]) -> None:
        self.tokens = tokens
        self.pos = 0

    def _peek(self) -> tuple[str, Any] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def _take(self) -> tuple[str, Any]:
        if self.pos >= len(self.tokens):
            raise invalid("unexpected end of expression")
        token = self.tokens[self.pos]
        self.pos += 1
        if token[0] == "op" and token[1] in _UNSUPPORTED_OPS:
            raise invalid(f"{_UNSUPPORTED_OPS[token[1]]} is not supported")
        return token

    def _accept(self, op: str) -> bool:
        if self._peek() == ("op", op):
            self.pos += 1
            return True
        return False

    def _expect(self, op: str) -> None:
        token = self._take()
        if token != ("op", op):
            raise invalid(f"expected {op!r}, got {token[1]!r}")

    def expression(self, depth: int) -> Node:
        if depth > MAX_DEPTH:
            raise invalid(f"nested deeper than {MAX_DEPTH}")
        node = self._or(depth)
        token = self._peek()
        if token is not None and token[0] == "op" and token[1] in _UNSUPPORTED_OPS:
            raise invalid(f"{_UNSUPPORTED_OPS[token[1]]} is not supported")
        return node

    def _or(self, depth: int) -> Node:
        node = self._and(depth)
        while self._accept("||"):
            node = Node("or", args=(node, self._and(depth)))
        return node

    def _and(self, depth: int) -> Node:
        node = self._relation(depth)
        while self._accept("&&"):
            node = Node("and", args=(node, self._relation(depth)))
        return node

    def _relation(self, depth: int) -> Node:
        node = self._unary(depth)
        while (token := self._peek()) is not None and token[0] == "op" and token[1] in _RELATIONS:
            self.pos += 1
            node = Node(token[1], args=(node, self._unary(depth)))
        return node

    def _unary(self, depth: int) -> Node:
        if self._accept("!"):
            return Node("not", args=(self._unary(depth + 1),))
        token = self._peek()
        following = self.tokens[self.pos + 1] if self.pos + 1 < len(self.tokens) else None
        if (
            token == ("op", "-")
            and following is not None
            and following[0] == "value"
            and type(following[1]) in (int, float)
        ):
            self.pos += 2  # a negative number literal (no other arithmetic)
            return self._member(Node("literal", -following[1]), depth)
        return self._member(self._primary(depth), depth)

    def _member(self, node: Node, depth: int) -> Node:
        while True:
            if self._accept("."):
                kind, name = self._take()
                if kind != "name":
                    raise invalid(f"expected a field name after '.', got {name!r}")
                if self._accept("("):
                    if name in _UNSUPPORTED_CALLS:  # before its arguments: macros bind names
                        raise invalid(f"{_UNSUPPORTED_CALLS[name]} is not supported")
                    node = _method(name, node, self._arguments(depth))
                else:
                    node = Node("field", name, (node,))
            elif self._peek() == ("op", "["):
                raise invalid("indexing ([...]) is not supported")
            else:
                return node

    def _arguments(self, depth: int) -> tuple[Node, ...]:
        args: list[Node] = []
        if self._accept(")"):
            return ()
        while True:
            args.append(self.expression(depth + 1))
            if self._accept(")"):
                return tuple(args)
            self._expect(",")

    def _primary(self, depth: int) -> Node:
        kind, value = self._take()
        if kind == "value":
            return Node("literal", value)
        if (kind, value) == ("op", "("):
            inner = self.expression(depth + 1)
            self._expect(")")
            return inner
        if (kind, value) == ("op", "["):
            items: list[Node] = []
            if not self._accept("]"):
                while True:
                    items.append(self.expression(depth + 1))
                    if self._accept("]"):
                        break
                    self._expect(",")
            return Node("list", args=tuple(items))
        if kind == "name":
            if self._accept("("):
                if value in _UNSUPPORTED_CALLS:
                    raise invalid(f"{_UNSUPPORTED_CALLS[value]} is not supported")
                return _call(value, self._arguments(depth))
            if value == "obj":
                return Node("obj")
            if value == "time" and self._accept("."):
                field = self._take()
                if field == ("name", "now"):
                    return Node("now")
                raise invalid(f"unknown name time.{field[1]}")
            raise invalid(f"unknown name {value!r} (fields are read as obj.<name>)")
        raise invalid(f"unexpected {value!r}")


def _call(name: str, args: tuple[Node, ...]) -> Node:
    if name in _TYPE_CALLS:
        raise invalid(f"type checks and conversions ({name}()) are not supported")
    if name in ("size", "timestamp", "duration") and len(args) == 1:
        return Node("call", name, args)
    raise invalid(f"unknown function {name}() with {len(args)} arguments")


_METHODS = {"contains": 1, "startsWith": 1, "endsWith": 1, "size": 0, "add": 1, "subtract": 1}


def _method(name: str, target: Node, args: tuple[Node, ...]) -> Node:
    if _METHODS.get(name) != len(args):
        raise invalid(f"unknown method .{name}() with {len(args)} arguments")
    return Node("method", name, (target, *args))
