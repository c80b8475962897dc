"""``filter=`` against real CEL: the fake selects what a CEL evaluator selects, and refuses what is
outside ngrok's subset with a 400.

Two evaluators are the oracles, both on :func:`activation` (``obj`` as the filter sees a record):
``common-expression-language`` (Rust-backed, CEL's current semantics: heterogeneous equality)
on every generated expression, and ``cel-python`` on the well-typed ones (it predates
heterogeneous equality: ``1 == 1.0`` is an error there, ``true == 1`` is true).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from typing import Any

import cel
import celpy
import httpx
import pytest
from celpy import celtypes

from ngrok_async.testing import FakeNgrok
from ngrok_async.testing._api import record_schema
from ngrok_async.testing._filter import activation, compile_filter

from .conftest import HEADERS, error_of

KIND = "credentials"
SCHEMA = record_schema(KIND)
STRINGS = ['"ci"', '"build"', '""', '"bind:a.example.com"', "'usr_'", '"x\\"y"']
FIELDS = {
    "string": ["obj.description", "obj.metadata", "obj.owner_id", "obj.id"],
    "list": ["obj.acl"],
    "time": ["obj.created_at"],
}
TIMES = ['timestamp("2023-11-14T22:14:00Z")', 'timestamp("2023-11-14T23:14:00+01:00")']
MISSING = ["obj.nope", "obj.description.nope"]


def records() -> list[dict[str, Any]]:
    clock = iter(range(1_700_000_000, 1_700_000_000 + 100 * 60, 60))
    fake = FakeNgrok(seed=3, wall_clock=lambda: next(clock))
    for i, description in enumerate(["ci", "build", "", "ci", 'x"y', "build"]):
        acl = [["bind:a.example.com"], [], ["bind:a.example.com", "bind:b"]][i % 3]
        fake.add_resource(KIND, description=description, metadata=["", "m"][i % 2], acl=acl)
    return fake.resources(KIND)


def typed_comparison(rng: random.Random) -> str:
    kind = rng.choice(["string", "string", "list", "time", "size", "method", "missing"])
    if kind == "string":
        return f"{rng.choice(FIELDS['string'])} {rng.choice(['==', '!=', '<', '>='])} " + (
            rng.choice(STRINGS)
        )
    if kind == "list":
        if rng.random() < 0.5:
            return f"{rng.choice(STRINGS)} in obj.acl"
        return f"obj.description in [{rng.choice(STRINGS)}, {rng.choice(STRINGS)}]"
    if kind == "time":
        return f"obj.created_at {rng.choice(['<', '<=', '>', '>=', '=='])} {rng.choice(TIMES)}"
    if kind == "size":
        field = rng.choice([*FIELDS["string"], "obj.acl"])
        return f"size({field}) {rng.choice(['==', '!=', '<', '>'])} {rng.randrange(4)}"
    if kind == "method":
        method = rng.choice(["contains", "startsWith", "endsWith"])
        return f"{rng.choice(FIELDS['string'])}.{method}({rng.choice(STRINGS)})"
    return f"{rng.choice(MISSING)} {rng.choice(['==', '!='])} {rng.choice([*STRINGS, 'null'])}"


def mixed_comparison(rng: random.Random) -> str:
    """Comparisons across types too (CEL's heterogeneous equality; ordering errors)."""
    if rng.random() < 0.5:
        return typed_comparison(rng)
    left = rng.choice([*FIELDS["string"], "obj.acl", "obj.created_at", "size(obj.acl)", "1"])
    right = rng.choice(["1", "1.0", "-2", "true", "null", '"ci"', "[]", '["ci", 1]', TIMES[0]])
    return f"{left} {rng.choice(['==', '!=', '<', '>', 'in'])} {right}"


def expression(rng: random.Random, leaf: Callable[[random.Random], str], depth: int = 0) -> str:
    roll = rng.random()
    if depth >= 3 or roll < 0.35:
        return leaf(rng)
    if roll < 0.5:
        return f"!({expression(rng, leaf, depth + 1)})"
    op = rng.choice(["&&", "||"])
    return f"({expression(rng, leaf, depth + 1)}) {op} ({expression(rng, leaf, depth + 1)})"


def selected_by_fake(text: str, rows: list[dict[str, Any]]) -> list[bool]:
    predicate = compile_filter(text, SCHEMA)
    return [predicate(row) for row in rows]


def rust_cel(text: str, views: list[dict[str, Any]]) -> list[bool]:
    out = []
    for view in views:
        try:
            out.append(cel.evaluate(text, {"obj": view}) is True)
        except Exception:  # an evaluation error: CEL selects nothing
            out.append(False)
    return out


def python_cel(text: str, views: list[dict[str, Any]]) -> list[bool]:
    env = celpy.Environment()
    program = env.program(env.compile(text))
    out = []
    for view in views:
        activation_ = celpy.json_to_cel({k: v for k, v in view.items() if k != "created_at"})
        activation_[celtypes.StringType("created_at")] = celtypes.TimestampType(view["created_at"])
        try:
            result = program.evaluate({"obj": activation_})
        except celpy.CELEvalError:
            out.append(False)
            continue
        out.append(isinstance(result, celtypes.BoolType) and bool(result))
    return out


def test_the_fake_agrees_with_rust_cel_on_generated_expressions() -> None:
    rows = records()
    views = [activation(row, SCHEMA) for row in rows]
    rng = random.Random(20)
    texts = [expression(rng, mixed_comparison) for _ in range(400)]
    disagreements = [
        text for text in texts if selected_by_fake(text, rows) != rust_cel(text, views)
    ]
    assert disagreements == []
    selections = {tuple(selected_by_fake(text, rows)) for text in texts}
    assert len(selections) > 20  # the expressions tell the records apart


def test_the_fake_agrees_with_cel_python_on_well_typed_expressions() -> None:
    logging.getLogger("celpy").setLevel(logging.CRITICAL)
    rows = records()
    views = [activation(row, SCHEMA) for row in rows]
    rng = random.Random(21)
    texts = [expression(rng, typed_comparison) for _ in range(350)]
    disagreements = [
        text for text in texts if selected_by_fake(text, rows) != python_cel(text, views)
    ]
    assert disagreements == []


@pytest.mark.parametrize(
    ("text", "selected"),
    [
        ('!(obj.nope == "a")', 0),  # an error under negation still selects nothing
        ('obj.nope == "a" || obj.description == "ci"', 2),  # || absorbs the error
        ('obj.description == "ci" || obj.nope == "a"', 2),
        ('obj.nope == "a" && false', 0),
        ("obj.description == 1", 0),  # == across types is false ...
        ("obj.description != 1", 6),  # ... and != true
        ("obj.description < 1", 0),  # ordering across types is an error
        ("!(obj.description < 1)", 0),
        ("size(obj.acl) == 1.0", 2),  # numbers compare across int and double
        ('obj.created_at == "2023-11-14T22:13:20Z"', 0),  # a timestamp is not a string
        ('obj.created_at == timestamp("2023-11-14T22:13:20Z")', 1),
        ("obj.created_at < timestamp(time.now).subtract('1d')", 6),
        ("obj.created_at > timestamp(time.now).add(duration('1h'))", 0),
        ('obj.description == "x\\"y"', 1),
        ("-1 < size(obj.acl)", 6),
    ],
)
def test_cel_semantics(text: str, selected: int) -> None:
    assert sum(selected_by_fake(text, records())) == selected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("obj.acl[0] == 'bind:b'", "indexing"),
        ("size(obj.acl) + 1 == 2", "arithmetic"),
        ("obj.description == 'a' ? true : false", "conditional"),
        ("type(obj.description) == string", "type checks"),
        ("int(obj.metadata) == 1", "type checks"),
        ("obj.description.matches('^c')", "regular expressions"),
        ("matches(obj.description, '^c')", "regular expressions"),
        ("has(obj.description)", "has()"),
        ("obj.acl.exists(a, a == 'b')", "list comprehensions"),
        ("{'a': 1} == obj", "map literals"),
        ("obj.description", "not a condition"),
        ("'a' && true", "condition"),
        ("!obj.description", "condition"),
        ("description == 'a'", "unknown name"),
        ("obj.description ==", "end of expression"),
        ("frobnicate(obj)", "unknown function"),
        ("timestamp('yesterday') < obj.created_at", "not valid"),
        ("obj.created_at < timestamp(time.now).add('a week')", "not a duration"),
        ("obj.description == 'a' obj", "unexpected"),
        ("(" * 100 + "true" + ")" * 100, "nested deeper"),
    ],
)
async def test_a_filter_outside_the_subset_is_a_400_that_names_why(
    fake_http: httpx.AsyncClient, text: str, reason: str
) -> None:
    await fake_http.post("/credentials", json={"description": "a"})
    response = await fake_http.get("/credentials", params={"filter": text}, headers=HEADERS)
    assert response.status_code == 400
    error = error_of(response)
    assert error["error_code"] == "ERR_NGROK_400"
    assert reason in error["msg"]
