"""Records as table cells and JSON: default columns per record, ``--columns`` to choose."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import attrs
import click

from .._convert import format_datetime
from ._common import as_data, echo_json, echo_table

# Free text that may wrap onto several lines in a narrow terminal; other cells are cut.
WRAPPING = frozenset({"DESCRIPTION", "ACL", "PRINCIPALS", "VALUE", "METADATA"})
# Fields too long to be useful in a table row (``get`` and ``--json`` show them).
_LONG = frozenset({"uri", "metadata", "certificate", "token", "public_key", "pem", "secret"})
_HEADERS = {"ssh_certificate_authority_id": "CA", "public_key": "KEY", "created_at": "CREATED"}
_MAX_DEFAULT = 6


def _everyone(values: Sequence[str]) -> str:
    return ",".join(values) or "*"


def _key(line: str) -> str:
    from ..ssh_keys import InvalidPublicKeyError, fingerprint_sha256  # cryptography: when shown

    try:
        return f"{line.split()[0]} {fingerprint_sha256(line)}"
    except (InvalidPublicKeyError, IndexError):
        return line


# Columns chosen for the hand-written records; others get :func:`default_columns`.
PRESETS: dict[str, tuple[str, ...]] = {
    "Credential": ("id", "description", "acl", "created_at"),
    "SSHCredential": ("id", "description", "public_key", "created_at"),
    "SSHCertificateAuthority": ("id", "key_type", "description", "created_at"),
    "SSHUserCertificate": (
        "id",
        "principals",
        "valid_until",
        "description",
        "ssh_certificate_authority_id",
        "created_at",
    ),
}
_FORMATS: dict[tuple[str, str], Callable[[Any], str]] = {
    ("Credential", "acl"): _everyone,
    ("SSHCredential", "acl"): _everyone,
    ("SSHCredential", "public_key"): _key,
    ("SSHUserCertificate", "principals"): _everyone,
}


def cell(value: Any) -> str:
    """One value as table text: times in RFC 3339, lists comma-joined, objects as JSON."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return ",".join(value)
    if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
        return ",".join(f"{k}={v}" if v else k for k, v in value.items())
    if isinstance(value, (str, int, float)):
        return str(value)
    return json.dumps(as_data(value), ensure_ascii=False, separators=(",", ":"))


def header(field: str) -> str:
    return _HEADERS.get(field, field.replace("_", " ").upper())


def fields_of(record_type: type) -> list[str]:
    return [field.name for field in attrs.fields(record_type)] if attrs.has(record_type) else []


def default_columns(record_type: type) -> tuple[str, ...]:
    """A preset, or ``id`` then the first few short fields of the record."""
    preset = PRESETS.get(record_type.__name__)
    if preset is not None:
        return preset
    chosen = [
        field.name
        for field in attrs.fields(record_type)
        if field.name not in _LONG and _is_scalar(field.type)
    ]
    if "id" in chosen:  # first: the one column a table never cuts
        chosen.insert(0, chosen.pop(chosen.index("id")))
    return tuple(chosen[:_MAX_DEFAULT])


_SCALAR = re.compile(r"(str|int|bool|float|datetime(\.datetime)?|tuple\[str, \.\.\.\])( \| None)?")


def _is_scalar(hint: Any) -> bool:
    """Whether a field's type makes a short cell: text, numbers, times, lists of text."""
    text = hint if isinstance(hint, str) else getattr(hint, "__name__", str(hint))
    return _SCALAR.fullmatch(str(text).replace("typing.", "")) is not None


def choose_columns(record_type: type, wanted: str | None) -> tuple[str, ...]:
    """``--columns a,b`` checked against the record's fields (a usage error names them)."""
    if not wanted:
        return default_columns(record_type)
    names = tuple(name.strip() for name in wanted.split(",") if name.strip())
    known = fields_of(record_type)
    unknown = [name for name in names if name not in known]
    if unknown or not names:
        raise click.UsageError(
            f"--columns: unknown {', '.join(unknown) or '(none given)'}; "
            f"{record_type.__name__} has {', '.join(known)}"
        )
    return names


def echo_records(records: Sequence[Any], columns: Sequence[str], *, as_json: bool) -> None:
    if as_json:
        echo_json([as_data(record) for record in records])
        return
    rows = []
    for record in records:
        kind = type(record).__name__
        rows.append(
            [_FORMATS.get((kind, name), cell)(getattr(record, name, None)) for name in columns]
        )
    echo_table([header(name) for name in columns], rows, wrap=WRAPPING)


def echo_record(record: Any, *, as_json: bool) -> None:
    """One record: JSON, or a FIELD/VALUE table of every field."""
    data = as_data(record)
    if as_json:
        echo_json(data)
        return
    if not isinstance(data, dict):
        click.echo(cell(record))
        return
    rows = [[name, cell(getattr(record, name, value))] for name, value in data.items()]
    echo_table(["FIELD", "VALUE"], rows, wrap={"VALUE"})
