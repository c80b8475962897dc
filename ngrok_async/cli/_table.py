"""Plain-text tables that fit the terminal: wrap long free text, cut the rest with an ellipsis.

Columns keep their natural width while the table fits. Otherwise the widest columns give up
width first, down to a floor: a column named in ``wrap`` folds onto more lines (down to its
longest word, at most :data:`MIN_WRAP`), any other is cut with ``…`` (at :data:`MIN_WIDTH`);
ids and timestamps are never cut. If even the floors do not fit, the rightmost columns are left out
and a note says so (``--columns`` picks others). No column is ever squeezed to a sliver.
"""

from __future__ import annotations

import re
import shutil
import textwrap
from collections.abc import Collection, Sequence

GAP = "  "
MIN_WIDTH = 12
MIN_WRAP = 16
ELLIPSIS = "…"


def terminal_width() -> int:
    """``$COLUMNS`` or the terminal's width, 80 when neither is known."""
    return shutil.get_terminal_size((80, 24)).columns


def fit(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    width: int,
    wrap: Collection[str] = (),
) -> tuple[list[str], int]:
    """The table's lines within ``width`` characters, and how many columns were left out.

    The first column (the id) and timestamp columns keep their full width; the others give
    width up, widest first, down to a floor. Columns are dropped from the right (put the
    important ones first) when even the floors do not fit.
    """
    rows = [[" ".join(cell.split()) for cell in row] for row in rows]
    natural = [max(len(cell) for cell in column) for column in zip(headers, *rows, strict=True)]
    floors = [
        _floor(rows, i, n, h, h in wrap)
        for i, (n, h) in enumerate(zip(natural, headers, strict=True))
    ]
    shown = len(headers)
    while shown > 1 and sum(floors[:shown]) + len(GAP) * (shown - 1) > width:
        shown -= 1
    widths = natural[:shown]
    budget = width - len(GAP) * (shown - 1)
    while sum(widths) > budget:
        slack = [widths[i] - floors[i] for i in range(shown)]
        widest = max(range(shown), key=lambda i: (slack[i] > 0, widths[i], headers[i] in wrap))
        if slack[widest] <= 0:
            break
        widths[widest] -= 1
    lines: list[str] = []
    for row_index, row in enumerate([list(headers), *rows]):
        cells = []
        for i in range(shown):
            text, limit = row[i], widths[i]
            if len(text) <= limit:
                cells.append([text])
            elif headers[i] in wrap and row_index > 0:
                cells.append(textwrap.wrap(text, limit, break_on_hyphens=False) or [""])
            else:
                cells.append([text[: limit - 1] + ELLIPSIS])
        for depth in range(max(len(c) for c in cells)):
            parts = [
                (c[depth] if depth < len(c) else "").ljust(widths[i]) for i, c in enumerate(cells)
            ]
            lines.append(GAP.join(parts).rstrip())
    return lines, len(headers) - shown


def _floor(
    rows: Sequence[Sequence[str]], index: int, natural: int, header: str, wraps: bool
) -> int:
    """The narrowest a column may get: ids and timestamps not at all; wrapping text down to
    its longest word (at most :data:`MIN_WRAP`); other text to :data:`MIN_WIDTH`."""
    if index == 0 or _timestamps(rows, index):
        return natural
    if wraps:
        word = max((len(w) for row in rows for w in row[index].split()), default=0)
        return max(len(header), min(word, MIN_WRAP))
    return min(natural, max(MIN_WIDTH, len(header)))


_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")


def _timestamps(rows: Sequence[Sequence[str]], index: int) -> bool:
    cells = [row[index] for row in rows if row[index]]
    return bool(cells) and all(_TIMESTAMP.fullmatch(cell) for cell in cells)
