"""``_table.fit``: tables within the terminal's width, no sliver columns, ids never cut."""

from __future__ import annotations

import itertools

import pytest

from ngrok_async.cli._table import ELLIPSIS, MIN_WIDTH, fit

HEADERS = ["ID", "PRINCIPALS", "VALID UNTIL", "DESCRIPTION", "CA", "CREATED"]
ROW = [
    "sucrt_3MtAAgvamIOXk4YnFYl6eLr7gsu",
    "alice,bob,carol,deploy,release-manager,on-call",
    "2026-12-02T21:09:08Z",
    "certificate for the deploy robot of the staging fleet, renewed every eight hours",
    "sshca_3MtAAgvamIOXk4YnFYl6eLr7gsa",
    "2026-12-01T21:09:08Z",
]
WRAP = {"PRINCIPALS", "DESCRIPTION"}


@pytest.mark.parametrize("width", [40, 60, 80, 100, 120, 160, 300])
def test_fits_the_width_without_slivers(width: int) -> None:
    lines, hidden = fit(HEADERS, [ROW, ROW], width=width, wrap=WRAP)

    assert max(len(line) for line in lines) <= width
    assert lines[1].split()[0] == ROW[0]  # the id is whole
    shown = HEADERS[: len(HEADERS) - hidden]
    assert lines[0].split("  ")[0] == "ID"
    for header in shown:
        assert header in lines[0]
    # every column is at least as wide as its header or MIN_WIDTH: no one-character columns
    starts = [lines[0].index(header) for header in shown]
    widths = [b - a - 2 for a, b in itertools.pairwise(starts)]
    assert all(w >= min(MIN_WIDTH, len(h)) for w, h in zip(widths, shown, strict=False))
    for timestamp in (ROW[2], ROW[5]):
        if ("VALID UNTIL" if timestamp == ROW[2] else "CREATED") in shown:
            assert timestamp in lines[1]


@pytest.mark.parametrize(("width", "left_out"), [(120, 1), (140, 0)])
def test_free_text_wraps_and_the_rest_is_cut(width: int, left_out: int) -> None:
    lines, hidden = fit(HEADERS, [ROW], width=width, wrap=WRAP)

    assert hidden == left_out
    assert len(lines) > 2  # wrapped onto more lines, read horizontally
    assert "alice,bob" in lines[1]
    assert "certificate for the" in lines[1]
    assert ELLIPSIS in lines[1]  # the CA id gave way


def test_a_table_that_fits_is_left_alone() -> None:
    lines, hidden = fit(["ID", "NAME"], [["a_1", "x"], ["a_22", "yy"]], width=80)

    assert (lines, hidden) == (["ID    NAME", "a_1   x", "a_22  yy"], 0)


def test_columns_that_cannot_fit_are_left_out_from_the_right() -> None:
    lines, hidden = fit(HEADERS, [ROW], width=60, wrap=WRAP)

    assert hidden >= 2
    assert lines[0].split()[:2] == ["ID", "PRINCIPALS"]


def test_default_columns_put_the_id_first_and_skip_nested_objects() -> None:
    from ngrok_async.cli._output import default_columns
    from ngrok_async.types import HTTPSEdgeRoute, ReservedDomain

    route = default_columns(HTTPSEdgeRoute)
    domain = default_columns(ReservedDomain)

    assert route[0] == "id"
    assert domain[0] == "id"
    assert "certificate_management_policy" not in domain  # a nested record
    assert "uri" not in domain
