"""Where the fake keeps resources: per kind, in id (= creation) order, for paging by id."""

from __future__ import annotations

import bisect
from collections import defaultdict

from ._resources import Record


class Store:
    """Resources by kind: the collection's path without the leading ``/`` (``"credentials"``,
    ``"edges/https"``, ``"edges/https/<edge id>/routes"``). Ids sort by creation, so a list kept
    sorted pages with ``bisect``."""

    def __init__(self) -> None:
        self._order: defaultdict[str, list[str]] = defaultdict(list)
        self._items: defaultdict[str, dict[str, Record]] = defaultdict(dict)

    def add(self, record: Record) -> None:
        order = self._order[record.kind]
        if order and record.id < order[-1]:
            bisect.insort(order, record.id)
        else:
            order.append(record.id)
        self._items[record.kind][record.id] = record

    def get(self, kind: str, ident: str) -> Record | None:
        items = self._items.get(kind)
        return None if items is None else items.get(ident)

    def delete(self, kind: str, ident: str) -> bool:
        if self._items.get(kind, {}).pop(ident, None) is None:
            return False
        order = self._order[kind]
        del order[bisect.bisect_left(order, ident)]
        return True

    def page(self, kind: str, before_id: str | None, limit: int) -> tuple[list[Record], bool]:
        """Up to ``limit`` records older than ``before_id`` (exclusive), newest first, and
        whether any older record remains after them."""
        order = self._order.get(kind, [])
        end = len(order) if before_id is None else bisect.bisect_left(order, before_id)
        start = max(0, end - limit)
        items = self._items.get(kind, {})
        return [items[ident] for ident in reversed(order[start:end])], start > 0

    def all(self, kind: str) -> list[Record]:
        """Every record of ``kind``, oldest first."""
        items = self._items.get(kind, {})
        return [items[ident] for ident in self._order.get(kind, ())]

    def count(self, kind: str) -> int:
        return len(self._order.get(kind, ()))

    def kinds(self) -> list[str]:
        """The kinds that hold at least one record."""
        return [kind for kind, order in self._order.items() if order]

    def drop(self, kind: str) -> None:
        """Forget every record of ``kind`` (the children of a deleted resource)."""
        self._order.pop(kind, None)
        self._items.pop(kind, None)

    def clear(self) -> None:
        self._order.clear()
        self._items.clear()
