"""Every kind the fake serves: the hand-written seed kinds and one spec kind per other collection.

Also what crosses kinds: references between resources (``resolve``), children embedded in
their parent (an edge's ``routes``), and deleting a resource with its children.
"""

from __future__ import annotations

from typing import Any

from . import _api as api
from . import _spec_kind
from ._codes import not_found
from ._resources import KINDS, Kind, Record
from ._schema import RefValue
from ._spec_kind import SpecKind
from ._store import Store

AnyKind = Kind | SpecKind


class Kinds:
    """Kinds by collection template (``"credentials"``, ``"edges/https/{edge_id}/routes"``)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._kinds: dict[str, AnyKind] = {}
        for template in api.COLLECTIONS:
            if not any(api.collection_of_path(child) == template for child in api.CHILD_LISTS):
                self._kinds[template] = KINDS.get(template) or _spec_kind.build(template)
        # child collections embedded in a parent's field, by parent template
        self._children: dict[str, list[tuple[str, str, str]]] = {}
        for template in self._kinds:
            head, _, field = template.rpartition("/")
            parent, _, param = head.rpartition("/")
            if param.startswith("{") and parent in self._kinds:
                parent_kind = self._kinds[parent]
                if isinstance(parent_kind, SpecKind) and field in api.SCHEMAS.get(
                    parent_kind.record, {}
                ):
                    self._children.setdefault(parent, []).append((template, param[1:-1], field))

    @property
    def templates(self) -> list[str]:
        return list(self._kinds)

    def kind(self, template: str) -> AnyKind:
        return self._kinds[template]

    def template_of(self, collection: str) -> str | None:
        """The template a concrete collection (``"edges/https/edghts_1/routes"``) belongs to."""
        parts = collection.split("/")
        for template in self._kinds:
            segments = template.split("/")
            if len(segments) == len(parts) and all(
                s.startswith("{") or s == p for s, p in zip(segments, parts, strict=True)
            ):
                return template
        return None

    def render(
        self, kind: AnyKind, record: Record, base_url: str, once: dict[str, Any] | None = None
    ) -> Any:
        out = kind.render(record, base_url, once)
        for template, param, field in self._children.get(kind.name, ()):
            child = self._kinds[template]
            collection = api.fill(template, {param: record.id})
            out[field] = [
                self.render(child, item, base_url) for item in self._store.all(collection)
            ]
        return out

    def resolve(self, field: str, ident: str) -> RefValue:
        """The reference for body field ``field`` = ``ident``; 404 when the API checks it."""
        checked = api.REFERENCES.get(field)
        for collection in checked or api.collection_by_prefix(ident):
            if self._store.get(collection, ident) is not None:
                return RefValue(ident, f"{collection}/{ident}")
        if checked:
            label = self._kinds[checked[0]].label if checked[0] in self._kinds else field
            raise not_found(label, ident)
        guess = api.collection_by_prefix(ident)
        return RefValue(ident, f"{guess[0]}/{ident}" if guess else ident)

    def delete(self, kind: AnyKind, record: Record) -> None:
        self._store.delete(record.kind, record.id)
        nested = f"{record.kind}/{record.id}/"
        for collection in self._store.kinds():
            if collection.startswith(nested):
                self._store.drop(collection)
