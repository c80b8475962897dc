"""Records out: to_dict/to_json give the wire JSON and round-trip; repr never shows a secret."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import attrs
import pytest

import ngrok_async.types as types
from ngrok_async import (
    Credential,
    SSHCertificateAuthority,
    SSHCredential,
    SSHUserCertificate,
    from_dict,
    to_dict,
    to_json,
)

from .conftest import fixture
from .test_spec_coverage import GENERATED_RECORDS, example

# The fields the issue and the API docs call secret (tools/codegen/overrides.py SECRET_FIELDS).
SECRETS = {"token", "client_secret", "aws_secret_access_key", "api_key", "private_key_pem"}
SECRET_IN = {"EndpointWebhookValidation": {"secret"}, "Secret": {"value"}}
HAND_WRITTEN: dict[str, type[Any]] = {
    "credential_create": Credential,
    "ssh_credential_create": SSHCredential,
    "ssh_certificate_authority_create": SSHCertificateAuthority,
    "ssh_user_certificate_create": SSHUserCertificate,
}


def every_record() -> list[tuple[type[Any], dict[str, Any]]]:
    out = [(getattr(types, name), example(name)) for name in GENERATED_RECORDS]
    return out + [(cls, fixture(name)) for name, cls in HAND_WRITTEN.items()]


RECORDS = every_record()


@pytest.mark.parametrize(("cls", "data"), RECORDS, ids=[c.__name__ for c, _ in RECORDS])
def test_to_dict_is_the_wire_json_and_round_trips(cls: type[Any], data: dict[str, Any]) -> None:
    record = from_dict(cls, data)
    wire = to_dict(record)
    assert from_dict(cls, wire) == record
    assert json.loads(to_json(record)) == wire
    known = {f.name for f in attrs.fields(cls)}
    assert wire == {k: v for k, v in data.items() if k in known and v not in (None, "", [], {})}


@pytest.mark.parametrize(("cls", "data"), RECORDS, ids=[c.__name__ for c, _ in RECORDS])
def test_no_secret_in_repr_or_str(cls: type[Any], data: dict[str, Any]) -> None:
    secret_names = SECRETS | SECRET_IN.get(cls.__name__, set())
    filled = {**data}
    planted = []
    for field in attrs.fields(cls):
        if field.name in secret_names:
            filled[field.name] = value = f"SECRET-{cls.__name__}-{field.name}"
            planted.append(value)
    record = from_dict(cls, filled)
    for value in planted:
        assert value not in repr(record)
        assert value not in str(record)
        assert value in to_json(record)  # kept in the data, only out of repr


def test_every_secret_the_issue_names_is_hidden() -> None:
    hidden = {(cls.__name__, f.name) for cls, _ in RECORDS for f in attrs.fields(cls) if not f.repr}
    for expected in [
        ("APIKey", "token"),
        ("Credential", "token"),
        ("EndpointOAuthGoogle", "client_secret"),
        ("EndpointOIDC", "client_secret"),
        ("EndpointWebhookValidation", "secret"),
        ("AWSCredentials", "aws_secret_access_key"),
        ("EventTargetDatadog", "api_key"),
    ]:
        assert expected in hidden


def test_datetimes_go_out_as_rfc3339_z() -> None:
    when = datetime(2025, 4, 21, 18, 19, 52, 123000, tzinfo=timezone.utc)
    record = types.APIKey(id="ak_1", uri="u", created_at=when)
    assert to_dict(record)["created_at"] == "2025-04-21T18:19:52.123000Z"


def test_to_dict_refuses_what_is_not_a_record() -> None:
    with pytest.raises(TypeError):
        to_dict(42)
