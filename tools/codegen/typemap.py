"""Spec schemas to Python: record field annotations and defaults, input types and checks."""

from __future__ import annotations

from typing import Any

from .overrides import (
    DATETIME_FIELDS,
    INT_MAP_FIELDS,
    NAMED_CHECKS,
    NOT_DATETIME_FIELDS,
    REQUIRED_FIELDS,
    SECONDS_FIELDS,
    SECRET_FIELDS,
)
from .spec import ref_name


def is_datetime(name: str) -> bool:
    if name in NOT_DATETIME_FIELDS:
        return False
    return name.endswith("_at") or name.startswith("valid_") or name in DATETIME_FIELDS


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
    if name in SECRET_FIELDS:
        return "str | None", "attrs.field(default=None, repr=False)"
    if name in REQUIRED_FIELDS:
        return "str", ""
    return "str", '""'


def param_type(record: str | None, name: str, schema: dict[str, Any]) -> tuple[str, str]:
    """The annotation and check of one input parameter."""
    ref = ref_name(schema)
    kind = schema.get("type")
    if ref:
        return "Mapping[str, Any]", "ops.json_object"
    if kind == "array":
        if ref_name(schema.get("items", {})):
            return "Sequence[Mapping[str, Any]]", "ops.object_list"
        return "Sequence[str]", "check.string_list"
    if kind == "object":
        base = (record or "").removesuffix("Create").removesuffix("Update")
        if (base, name) in INT_MAP_FIELDS:
            return "Mapping[str, int]", "ops.int_map"
        return "Mapping[str, str]", "check.string_map"
    if kind == "boolean":
        return "bool", "ops.boolean"
    if kind == "integer":
        if name in SECONDS_FIELDS:
            return "int | timedelta", "ops.seconds"
        return "int", "ops.integer"
    if kind == "number":
        return "float", "ops.number"
    if is_datetime(name):
        return "datetime", "check.aware_datetime"
    if name in NAMED_CHECKS:
        return "str", NAMED_CHECKS[name]
    if name.endswith("_id"):
        return "str", "check.path_segment"  # another resource's id, as in the hand-written ones
    return "str", "check.string"
