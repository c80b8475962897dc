"""The value checks generated services use (_validate.py) and their helpers (resources/_ops.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from ngrok_async import InvalidParameterError
from ngrok_async import _validate as check
from ngrok_async.resources import _ops as ops

PAIR = check.nested("Pair", {"a": check.integer, "b": check.list_of(check.boolean)})


@pytest.mark.parametrize(
    ("check_", "value", "wire"),
    [
        (check.boolean, False, False),
        (check.integer, 200, 200),
        (check.number, 1, 1.0),
        (check.seconds, 30, 30),
        (check.seconds, timedelta(minutes=5), 300),
        (check.int_map, {"bkd_1": 3}, {"bkd_1": 3}),
        (PAIR, {"a": 1, "b": (True, False)}, {"a": 1, "b": [True, False]}),
        (check.list_of(PAIR), ({"a": 2},), [{"a": 2}]),
    ],
)
def test_accepts(check_: Any, value: Any, wire: Any) -> None:
    assert check_("p", value) == wire


@pytest.mark.parametrize(
    ("check_", "value", "param"),
    [
        (check.boolean, 1, "p"),
        (check.integer, True, "p"),
        (check.integer, 1.5, "p"),
        (check.number, "1", "p"),
        (check.seconds, -1, "p"),
        (check.seconds, timedelta(milliseconds=1500), "p"),
        (check.int_map, {"bkd_1": "3"}, "p['bkd_1']"),
        (check.int_map, ["bkd_1"], "p"),
        (PAIR, [("a", 1)], "p"),
        (PAIR, {"c": 1}, "p.c"),
        (PAIR, {1: 1}, "p.1"),
        (PAIR, {"b": [True, "yes"]}, "p.b[1]"),
        (check.list_of(PAIR), {"a": 1}, "p"),
        (check.list_of(PAIR), [{"a": "x"}], "p[0].a"),
    ],
)
def test_rejects_naming_the_dotted_path(check_: Any, value: Any, param: str) -> None:
    with pytest.raises(InvalidParameterError) as caught:
        check_("p", value)
    assert caught.value.param == param


def test_expand_checks_every_segment() -> None:
    template = "/edges/https/{edge_id}/routes/{id}"
    assert ops.expand(template, edge_id="edghts_1", id="edghtsrt_2") == (
        "/edges/https/edghts_1/routes/edghtsrt_2"
    )
    with pytest.raises(InvalidParameterError) as caught:
        ops.expand(template, edge_id="../api_keys", id="x")
    assert caught.value.param == "edge_id"


def test_page_params_pass_filter_through() -> None:
    assert ops.page_params(10, "ak_1", filter='obj.id == "x"', other=None) == {
        "limit": "10",
        "before_id": "ak_1",
        "filter": 'obj.id == "x"',
    }
    with pytest.raises(InvalidParameterError):
        ops.page_params(0, None)
    with pytest.raises(InvalidParameterError):
        ops.page_params(None, None, filter=3)


def test_with_query_repeats_array_keys() -> None:
    assert ops.with_query("/endpoints", {"limit": "5"}, id=["ep_1", "ep_2"], url=None) == (
        "/endpoints?limit=5&id=ep_1&id=ep_2"
    )
    assert ops.with_query("/endpoints", {}, id=None) == "/endpoints"
    with pytest.raises(InvalidParameterError):
        ops.with_query("/endpoints", {}, id="ep_1")
