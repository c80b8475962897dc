"""The API as the command line sees it, read from ``AsyncClient`` itself at run time.

Every service attribute of the client (namespaces included) and every public async method of
a service becomes an :class:`Operation`; parameter kinds come from the methods' type hints, so
an operation the generator adds later appears on the command line with no edit here.
"""

from __future__ import annotations

import builtins
import collections.abc
import functools
import inspect
import re
import types
import typing
from datetime import datetime, timedelta
from typing import Any

import attrs

from .._types import NotGiven

# What an option's value is parsed as (see ``_values.parse``).
STR, INT, FLOAT, BOOL, DATETIME, DURATION, STRINGS, MAP, JSON, KEY = (
    "str",
    "int",
    "float",
    "bool",
    "datetime",
    "duration",
    "strings",
    "map",
    "json",
    "key",
)
PAGING = frozenset({"limit", "before_id"})
SKIPPED_METHODS = frozenset({"pages", "create_many"})


@attrs.frozen
class Param:
    """One parameter of an operation: ``kind`` says how its text is parsed."""

    name: str
    kind: str
    positional: bool
    required: bool
    nullable: bool = False
    help: str = ""  # from the method docstring's ``Args:`` section
    choices: tuple[str, ...] = ()  # a ``Literal`` of strings: the values the API accepts


@attrs.frozen
class Operation:
    """One API operation: ``service`` is the client attribute path (``"edges.https"``)."""

    service: str
    name: str
    params: tuple[Param, ...]
    doc: str
    listing: bool  # an async generator: ``list`` and its kin
    returns_none: bool
    record: type | None = None  # the record it returns (or yields)
    deprecated: str = ""  # the PEP 702 ``@deprecated`` message, when ngrok deprecated it

    @property
    def command(self) -> tuple[str, ...]:
        """The words naming it on the command line: ``("edges", "https", "create")``."""
        return (*(part.replace("_", "-") for part in self.service.split(".")), self.command_name)

    @property
    def command_name(self) -> str:
        return self.name.replace("_", "-")

    def positionals(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if p.positional)

    def options(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if not p.positional and p.name not in PAGING)


@attrs.frozen
class Service:
    path: str
    doc: str
    operations: tuple[Operation, ...]


def _is_service(value: object) -> bool:
    return any(_public_async_methods(type(value)))


def _public_async_methods(cls: type) -> typing.Iterator[tuple[str, Any]]:
    for name, member in inspect.getmembers(cls):
        if name.startswith("_") or name in SKIPPED_METHODS or name.endswith("_pages"):
            continue
        target = inspect.unwrap(member)  # through ``@deprecated``'s wrapper
        if inspect.iscoroutinefunction(target) or inspect.isasyncgenfunction(target):
            yield name, member


def _attribute_names(cls: type) -> list[str]:
    names = []
    for name in dir(cls):
        if name.startswith("_"):
            continue
        member = inspect.getattr_static(cls, name)
        if isinstance(member, (functools.cached_property, property)):
            names.append(name)
    return names


def services(client: object) -> list[Service]:
    """Every service reachable from ``client`` (an ``AsyncClient``), sorted by path."""
    found: list[Service] = []

    def walk(owner: object, prefix: str) -> None:
        for name in _attribute_names(type(owner)):
            value = getattr(owner, name)
            if isinstance(value, (str, int, float, bool, type(None))):
                continue
            path = prefix + name
            if _is_service(value):
                doc = inspect.getdoc(type(value)) or ""
                found.append(Service(path, doc, operations(path, type(value))))
            elif not isinstance(value, (type, types.ModuleType)) and prefix == "":
                walk(value, path + ".")  # a namespace: client.edges.https

    walk(client, "")
    return sorted(found, key=lambda service: service.path)


PER_CALL_OPTIONS = frozenset({"extra_headers", "extra_query"})


def operations(path: str, cls: type) -> tuple[Operation, ...]:
    ops = []
    for name, function in _public_async_methods(cls):
        hints = _hints(function)
        doc, arg_help = split_args(inspect.getdoc(function) or "")
        params = []
        signature = inspect.signature(function)
        for parameter in list(signature.parameters.values())[1:]:  # skip self
            if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
                continue
            if parameter.name in PER_CALL_OPTIONS:  # HTTP options, not the API's parameters
                continue
            hint = hints.get(parameter.name, str)
            kind, nullable = kind_of(hint)
            choices = literal_choices(hint)
            params.append(
                Param(
                    parameter.name,
                    kind,
                    positional=parameter.kind is parameter.POSITIONAL_OR_KEYWORD,
                    required=parameter.default is parameter.empty,
                    nullable=nullable,
                    help=arg_help.get(parameter.name, ""),
                    choices=choices,
                )
            )
        returns = hints.get("return")
        listing = inspect.isasyncgenfunction(inspect.unwrap(function))
        record = typing.get_args(returns)[0] if listing and typing.get_args(returns) else returns
        if isinstance(record, typing.TypeVar):  # a method of the generic base class
            record = getattr(cls, "_record", None)
        ops.append(
            Operation(
                service=path,
                name=name,
                params=tuple(params),
                doc=doc,
                listing=listing,
                returns_none=returns is None or returns is type(None),
                record=record if isinstance(record, type) and attrs.has(record) else None,
                deprecated=getattr(function, "__deprecated__", ""),
            )
        )

    def rank(op: Operation) -> tuple[int, str]:
        return (_ORDER.index(op.name) if op.name in _ORDER else len(_ORDER), op.name)

    return tuple(sorted(ops, key=rank))


_ORDER = ("list", "get", "create", "update", "replace", "delete")


_SECTION = re.compile(r"^(Args|Arguments|Parameters):\s*$", re.MULTILINE)
_ARG = re.compile(r"^    (\w+)(?: \([^)]*\))?:\s*(.*)$")


def split_args(doc: str) -> tuple[str, dict[str, str]]:
    """A Google-style docstring without its ``Args:`` section, and that section by name."""
    match = _SECTION.search(doc)
    if match is None:
        return doc, {}
    body, rest = doc[match.end() :], ""
    end = re.search(r"^\S", body, re.MULTILINE)  # the next section or paragraph
    if end is not None:
        body, rest = body[: end.start()], body[end.start() :]
    helps: dict[str, str] = {}
    current = None
    for line in body.splitlines():
        arg = _ARG.match(line)
        if arg:
            current = arg[1]
            helps[current] = arg[2].strip()
        elif current and line.strip():
            helps[current] += " " + line.strip()
    return (doc[: match.start()] + rest).strip(), helps


class _TypeCheckingNames(dict[str, Any]):
    """The names service modules import only for type checking (generated records and
    request types, ``ssh_keys.KeyInput``), each imported on first lookup: reading one service
    does not import every generated module. Names of the function's module and builtins are
    left to ``eval``'s own lookup."""

    def __init__(self, module_globals: dict[str, Any]) -> None:
        super().__init__()
        self._globals = module_globals

    def __missing__(self, key: str) -> Any:
        if key in self._globals or hasattr(builtins, key):
            raise KeyError(key)
        from ..resources import _generated

        if key in _generated.__all__:
            value = getattr(_generated, key)
        else:
            from .. import ssh_keys

            if not hasattr(ssh_keys, key):
                raise KeyError(key)
            value = getattr(ssh_keys, key)
        self[key] = value
        return value


def _hints(function: Any) -> dict[str, Any]:
    """Type hints, with the names modules import only for type checking filled in; an
    annotation that still cannot be evaluated is kept as its text (see :func:`kind_of`)."""
    scope = getattr(inspect.unwrap(function), "__globals__", {})
    namespace = _TypeCheckingNames(scope)
    try:
        return typing.get_type_hints(function, localns=namespace)
    except Exception:
        pass
    hints: dict[str, Any] = {}
    for name, annotation in getattr(function, "__annotations__", {}).items():
        try:
            hints[name] = eval(annotation, scope, namespace)  # our own annotations' source
        except Exception:
            hints[name] = annotation
    return hints


def _kind_of_text(text: str) -> tuple[str, bool]:
    """A best guess from an annotation's source text."""
    nullable = "None" in text
    inner = re.sub(r"^NotGivenOr\[(.*)\]$", r"\1", text.strip())
    if "timedelta" in inner:
        return DURATION, nullable
    for pattern, kind in (
        (r"bool", BOOL),
        (r"int", INT),
        (r"float", FLOAT),
        (r"datetime", DATETIME),
        (r"(Sequence|list|tuple)\[str(, \.\.\.)?\]", STRINGS),
        (r"(Mapping|dict)\[str, str\]", MAP),
        (r"str", STR),
    ):
        if re.fullmatch(rf"{pattern}( \| None)?", inner):
            return kind, nullable
    return JSON, nullable


def literal_choices(hint: Any) -> tuple[str, ...]:
    """The strings of a ``Literal[...]`` inside ``hint`` (``NotGivenOr``/``None`` removed)."""
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        found = [literal_choices(arg) for arg in typing.get_args(hint)]
        return next((choices for choices in found if choices), ())
    if typing.get_origin(hint) is typing.Literal:
        values = typing.get_args(hint)
        if all(isinstance(value, str) for value in values):
            return tuple(values)
    return ()


def kind_of(hint: Any) -> tuple[str, bool]:
    """How a parameter's text is parsed, and whether it accepts ``None`` (JSON null)."""
    if isinstance(hint, str):
        return _kind_of_text(hint)
    args = typing.get_args(hint)
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        members = [a for a in args if a is not NotGiven and a is not type(None)]
        nullable = type(None) in args
        if set(members) == {int, timedelta} or members == [timedelta]:
            return DURATION, nullable
        if len(members) == 1:
            return kind_of(members[0])[0], nullable
        if str in members and bytes in members:
            return KEY, nullable
        return JSON, nullable
    if hint is str:
        return STR, False
    if typing.get_origin(hint) is typing.Literal:
        values = typing.get_args(hint)
        if all(isinstance(value, str) for value in values):
            return STR, False
        if all(isinstance(value, int) and not isinstance(value, bool) for value in values):
            return INT, False
    if hint is bool:
        return BOOL, False
    if hint is int:
        return INT, False
    if hint is float:
        return FLOAT, False
    if hint is datetime:
        return DATETIME, False
    if hint is timedelta:
        return DURATION, False
    if origin in (collections.abc.Sequence, list, tuple) and args and args[0] is str:
        return STRINGS, False
    if origin in (collections.abc.Mapping, dict) and args == (str, str):
        return MAP, False
    return JSON, False
