"""Where the fake keeps resources: per kind, in id (= creation) order, for paging by id."""

from __future__ import annotations

import bisect

from ._resources import KINDS, Record


class Store:
    """Resources by kind. Ids sort by creation, so a list kept sorted pages with ``bisect``."""

    def __init__(self) -> None:
        self._order: dict[str, list[str]] = {name: [] for name in KINDS}
        self._items: dict[str, dict[str, Record]] = {name: {} for name in KINDS}

    def add(self, record: Record) -> None:
        order = self._order[record.kind]
        if order and record.id < order[-1]:
            bisect.insort(order, record.id)
        else:
            order.append(record.id)
        self._items[record.kind][record.id] = record

    def get(self, kind: str, ident: str) -> Record | None:
        return self._items[kind].get(ident)

    def delete(self, kind: str, ident: str) -> bool:
        if self._items[kind].pop(ident, None) is None:
            return False
        order = self._order[kind]
        del order[bisect.bisect_left(order, ident)]
        return True

    def page(self, kind: str, before_id: str | None, limit: int) -> tuple[list[Record], bool]:
        """Up to ``limit`` records older than ``before_id`` (exclusive), newest first, and
        whether any older record remains after them."""
        order = self._order[kind]
        end = len(order) if before_id is None else bisect.bisect_left(order, before_id)
        start = max(0, end - limit)
        items = self._items[kind]
        return [items[ident] for ident in reversed(order[start:end])], start > 0

    def all(self, kind: str) -> list[Record]:
        """Every record of ``kind``, oldest first."""
        items = self._items[kind]
        return [items[ident] for ident in self._order[kind]]

    def count(self, kind: str) -> int:
        return len(self._order[kind])

    def clear(self) -> None:
        for name in KINDS:
            self._order[name].clear()
            self._items[name].clear()
