"""Decoding: every seed example, omitted and unknown fields, datetimes, and decode errors."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import attrs
import pytest

from ngrok_async import (
    Credential,
    NgrokDecodeError,
    SSHCertificateAuthority,
    SSHCredential,
    SSHUserCertificate,
)
from ngrok_async._convert import format_datetime, parse_datetime, structurer
from ngrok_async._paging import _decode_page

from .conftest import fixture

RECORD_FIXTURES = [
    ("credential_create", Credential),
    ("credential_get", Credential),
    ("ssh_credential_create", SSHCredential),
    ("ssh_credential_get", SSHCredential),
    ("ssh_credential_update", SSHCredential),
    ("ssh_certificate_authority_create", SSHCertificateAuthority),
    ("ssh_user_certificate_create", SSHUserCertificate),
    ("ssh_user_certificate_get", SSHUserCertificate),
    ("ssh_user_certificate_update", SSHUserCertificate),
]


def _wire(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, tuple):
        return list(value)
    return value


@pytest.mark.parametrize(("name", "cls"), RECORD_FIXTURES)
def test_seed_examples_decode_field_for_field(name: str, cls: type) -> None:
    data = fixture(name)

    record = structurer(cls)(data)

    for field in attrs.fields(cls):
        if field.name in data and data[field.name] is not None:
            assert _wire(getattr(record, field.name)) == data[field.name], field.name
    assert record.created_at.tzinfo is not None


@pytest.mark.parametrize(
    ("name", "key", "cls"),
    [
        ("ssh_user_certificate_list", "ssh_user_certificates", SSHUserCertificate),
        ("ssh_credential_list", "ssh_credentials", SSHCredential),
    ],
)
def test_seed_list_examples_decode(name: str, key: str, cls: type) -> None:
    data = fixture(name)

    page = _decode_page(data, key, structurer(cls))

    assert [item.id for item in page.items] == [item["id"] for item in data[key]]
    assert all(isinstance(item, cls) for item in page.items)
    assert page.uri == data["uri"]
    assert page.next_page_uri is None


def test_user_certificate_fields_are_typed() -> None:
    cert = structurer(SSHUserCertificate)(fixture("ssh_user_certificate_create"))

    assert cert.valid_after == datetime(2025, 1, 21, 18, 19, 52, tzinfo=timezone.utc)
    assert cert.valid_until - cert.valid_after == timedelta(days=90)
    assert cert.principals == ("ec2-user", "root")
    assert cert.extensions == {"permit-pty": "", "permit-user-rc": ""}
    assert cert.critical_options == {}
    assert cert.metadata == ""  # absent in the seed's create response


def test_omitted_optional_fields_get_defaults() -> None:
    cred = structurer(Credential)({"id": "cr_1", "created_at": "2024-01-01T00:00:00Z"})

    assert (cred.uri, cred.description, cred.metadata, cred.token) == ("", "", "", None)
    assert cred.acl == ()
    assert cred.owner_id == ""


def test_unknown_fields_are_ignored() -> None:
    data = {**fixture("ssh_credential_get"), "brand_new_field": {"nested": [1, 2]}, "x": None}

    cred = structurer(SSHCredential)(data)

    assert cred.id == data["id"]
    assert not hasattr(cred, "brand_new_field")


def test_records_are_frozen_and_slotted() -> None:
    cred = structurer(Credential)(fixture("credential_create"))

    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        cred.description = "changed"  # type: ignore[misc]
    assert not hasattr(cred, "__dict__")


def test_token_is_kept_out_of_repr() -> None:
    data = fixture("credential_create")

    cred = structurer(Credential)(data)

    assert cred.token == data["token"]
    assert data["token"] not in repr(cred)
    assert data["token"] not in str(cred)


def test_null_token_decodes_to_none() -> None:
    assert structurer(Credential)(fixture("credential_get")).token is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-01-21T18:19:52Z", datetime(2025, 1, 21, 18, 19, 52, tzinfo=timezone.utc)),
        (
            "2025-01-21T18:19:52.123456789Z",
            datetime(2025, 1, 21, 18, 19, 52, 123456, tzinfo=timezone.utc),
        ),
        ("2025-01-21T18:19:52.5Z", datetime(2025, 1, 21, 18, 19, 52, 500000, tzinfo=timezone.utc)),
        (
            "2025-01-21T20:19:52+02:00",
            datetime(2025, 1, 21, 20, 19, 52, tzinfo=timezone(timedelta(hours=2))),
        ),
        ("2025-01-21T18:19:52", datetime(2025, 1, 21, 18, 19, 52, tzinfo=timezone.utc)),
    ],
)
def test_parse_datetime_is_aware(text: str, expected: datetime) -> None:
    parsed = parse_datetime(text)

    assert parsed == expected
    assert parsed.utcoffset() is not None


def test_format_datetime_is_utc_with_z() -> None:
    local = datetime(2025, 4, 21, 20, 19, 52, tzinfo=timezone(timedelta(hours=2)))

    assert format_datetime(local) == "2025-04-21T18:19:52Z"


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"created_at": "yesterday"}, "created_at"),
        ({"created_at": 12}, "created_at"),
        ({"description": 5}, "description"),
        ({"acl": "bind:*"}, "acl"),
        ({"acl": [1, 2]}, "acl"),
        ({"id": None}, "id"),
    ],
)
def test_bad_field_raises_decode_error_naming_it(patch: dict[str, Any], field: str) -> None:
    data = {**fixture("credential_get"), **patch}

    with pytest.raises(NgrokDecodeError) as info:
        structurer(Credential)(data)

    assert info.value.resource == "Credential"
    assert info.value.field == field
    assert f"Credential.{field}" in str(info.value)


def test_missing_required_field_is_a_decode_error() -> None:
    with pytest.raises(NgrokDecodeError) as info:
        structurer(SSHUserCertificate)({"id": "sucrt_1", "created_at": "2025-01-01T00:00:00Z"})

    assert info.value.resource == "SSHUserCertificate"
    assert info.value.field in ("valid_after", "valid_until")


@pytest.mark.parametrize("data", [None, [], "text", 3])
def test_non_object_body_is_a_decode_error(data: Any) -> None:
    with pytest.raises(NgrokDecodeError, match="expected a JSON object"):
        structurer(Credential)(data)


@pytest.mark.parametrize(
    "page",
    [
        [],
        {"credentials": {"id": "x"}},
        {"credentials": [], "next_page_uri": 5},
        {"credentials": [{"id": "cr_1"}]},
    ],
)
def test_malformed_pages_raise_decode_errors(page: Any) -> None:
    with pytest.raises(NgrokDecodeError):
        _decode_page(page, "credentials", structurer(Credential))
