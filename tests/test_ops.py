"""The checks and helpers generated services use (resources/_ops.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from ngrok_async import InvalidParameterError
from ngrok_async.resources import _ops as ops


@pytest.mark.parametrize(
    ("check", "value", "wire"),
    [
        (ops.boolean, False, False),
        (ops.integer, 200, 200),
        (ops.number, 1, 1.0),
        (ops.seconds, 30, 30),
        (ops.seconds, timedelta(minutes=5), 300),
        (ops.int_map, {"bkd_1": 3}, {"bkd_1": 3}),
        (ops.json_object, {"github": {"client_id": "x"}}, {"github": {"client_id": "x"}}),
        (ops.object_list, ({"type": "a"},), [{"type": "a"}]),
    ],
)
def test_accepts(check: Any, value: Any, wire: Any) -> None:
    assert check("p", value) == wire


@pytest.mark.parametrize(
    ("check", "value"),
    [
        (ops.boolean, 1),
        (ops.integer, True),
        (ops.integer, 1.5),
        (ops.number, "1"),
        (ops.seconds, -1),
        (ops.seconds, timedelta(milliseconds=1500)),
        (ops.int_map, {"bkd_1": "3"}),
        (ops.int_map, ["bkd_1"]),
        (ops.json_object, [("k", "v")]),
        (ops.json_object, {1: "v"}),
        (ops.object_list, {"type": "a"}),
        (ops.object_list, ["a"]),
    ],
)
def test_rejects(check: Any, value: Any) -> None:
    with pytest.raises(InvalidParameterError) as caught:
        check("p", value)
    assert caught.value.param.startswith("p")


def test_expand_checks_every_segment() -> None:
    template = "/edges/https/{edge_id}/routes/{id}"
    assert ops.expand(template, edge_id="edghts_1", id="edghtsrt_2") == (
        "/edges/https/edghts_1/routes/edghtsrt_2"
    )
    with pytest.raises(InvalidParameterError) as caught:
        ops.expand(template, edge_id="../api_keys", id="x")
    assert caught.value.param == "edge_id"


def test_page_params_pass_filter_and_lists_through() -> None:
    assert ops.page_params(10, "ak_1", filter='obj.id == "x"', ids=["a", "b"], urls=None) == {
        "limit": "10",
        "before_id": "ak_1",
        "filter": 'obj.id == "x"',
        "ids": "a,b",
    }
    with pytest.raises(InvalidParameterError):
        ops.page_params(0, None)
    with pytest.raises(InvalidParameterError):
        ops.page_params(None, None, filter=3)
