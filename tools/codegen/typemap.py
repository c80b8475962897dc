"""Spec schemas to Python: record field annotations and defaults, input types and checks."""

from __future__ import annotations

from collections.abc import Set
from typing import Any

from .naming import snake
from .overrides import (
    DATETIME_FIELDS,
    INT_MAP_FIELDS,
    LITERAL_FIELDS,
    NAMED_CHECKS,
    NOT_DATETIME_FIELDS,
    NOT_RESOURCE_IDS,
    REQUIRED_FIELDS,
    SECONDS_FIELDS,
    SECRET_FIELDS,
)
from .spec import ref_name

REQUEST_SUFFIXES = ("Create", "Update", "Mutate", "Replace")


def is_datetime(name: str) -> bool:
    if name in NOT_DATETIME_FIELDS:
        return False
    return name.endswith("_at") or name.startswith("valid_") or name in DATETIME_FIELDS


def is_secret(record: str, name: str) -> bool:
    return name in SECRET_FIELDS or (record, name) in SECRET_FIELDS


def base_name(schema: str | None) -> str:
    """``HTTPSEdgeRouteCreate`` -> ``HTTPSEdgeRoute``: the record a request schema writes."""
    name = schema or ""
    for suffix in REQUEST_SUFFIXES:
        name = name.removesuffix(suffix)
    return name


def record_field(record: str, name: str, schema: dict[str, Any]) -> tuple[str, str]:
    """The annotation and default (``""`` when required) of one record field."""
    ref = ref_name(schema)
    kind = schema.get("type")
    if ref:
        return f"{ref} | None", "None"
    if kind == "array":
        item = ref_name(schema["items"]) or "str"
        return f"tuple[{item}, ...]", "()"
    if kind == "object":
        value = "int" if (record, name) in INT_MAP_FIELDS else "str"
        return f"dict[str, {value}]", "attrs.field(factory=dict)"
    if kind == "boolean":
        return "bool", "False"
    if kind == "integer":
        return "int", "0"
    if kind == "number":
        return "float", "0.0"
    if is_datetime(name):
        return "datetime | None", "None"
    if is_secret(record, name):
        return "str | None", "attrs.field(default=None, repr=False)"
    if name in REQUIRED_FIELDS:
        return "str", ""
    return "str", '""'


def nested_type(ref: str, records: Set[str]) -> str:
    """What a nested request field takes: its TypedDict, or the record read from the API."""
    return f"{ref}Param | {ref}" if ref in records else f"{ref}Param"


def param_type(
    record: str | None, name: str, schema: dict[str, Any], records: Set[str]
) -> tuple[str, str]:
    """The annotation and check of one input parameter (or nested request field)."""
    ref = ref_name(schema)
    kind = schema.get("type")
    if ref:
        return nested_type(ref, records), f"nested.{snake(ref)}"
    if kind == "array":
        item = ref_name(schema.get("items", {}))
        if item:
            return f"Sequence[{nested_type(item, records)}]", f"check.list_of(nested.{snake(item)})"
        return "Sequence[str]", "check.string_list"
    if kind == "object":
        if (base_name(record), name) in INT_MAP_FIELDS:
            return "Mapping[str, int]", "check.int_map"
        return "Mapping[str, str]", "check.string_map"
    if kind == "boolean":
        return "bool", "check.boolean"
    if kind == "integer":
        if name in SECONDS_FIELDS:
            return "int | timedelta", "check.seconds"
        return "int", "check.integer"
    if kind == "number":
        return "float", "check.number"
    if is_datetime(name):
        return "datetime", "check.aware_datetime"
    choices = LITERAL_FIELDS.get((base_name(record), name))
    if choices:
        values = ", ".join(f'"{c}"' for c in choices)
        return f"Literal[{values}]", f"check.one_of({values})"
    if name in NAMED_CHECKS:
        return "str", NAMED_CHECKS[name]
    if name.endswith("_id") and name not in NOT_RESOURCE_IDS:
        return "str", "check.path_segment"  # another resource's id, as in the hand-written ones
    return "str", "check.string"
