"""Property tests: any JSON body and status decode to a record or an NgrokError, nothing else."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ngrok_async import (
    Credential,
    NgrokAPIError,
    NgrokDecodeError,
    SSHCertificateAuthority,
    SSHCredential,
    SSHUserCertificate,
)
from ngrok_async._convert import structurer
from ngrok_async._errors import api_error
from ngrok_async._paging import _decode_page

RECORDS = [Credential, SSHCredential, SSHCertificateAuthority, SSHUserCertificate]
FIELDS = [
    "id",
    "uri",
    "created_at",
    "description",
    "metadata",
    "token",
    "acl",
    "owner_id",
    "public_key",
    "key_type",
    "ssh_certificate_authority_id",
    "principals",
    "critical_options",
    "extensions",
    "valid_after",
    "valid_until",
    "certificate",
]

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
json_values = st.recursive(
    scalars | st.sampled_from(["2025-01-21T18:19:52Z", "2025-13-01T00:00:00Z", ""]),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
record_like = st.dictionaries(
    st.sampled_from(FIELDS) | st.text(max_size=8), json_values, max_size=12
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(cls=st.sampled_from(RECORDS), data=record_like | json_values)
def test_decoding_any_json_gives_a_record_or_decode_error(cls: type, data: Any) -> None:
    outcome: Any
    try:
        outcome = structurer(cls)(data)
    except NgrokDecodeError as err:
        outcome = err
    if isinstance(outcome, NgrokDecodeError):
        assert outcome.resource == cls.__name__
        assert str(outcome).startswith("could not decode")
    else:
        assert isinstance(outcome, cls)
        assert outcome.created_at.tzinfo is not None


@settings(max_examples=200)
@given(
    data=st.dictionaries(
        st.sampled_from(["credentials", "uri", "next_page_uri", "x"]),
        json_values | st.lists(record_like, max_size=3),
        max_size=4,
    )
    | json_values
)
def test_decoding_any_page_gives_a_page_or_decode_error(data: Any) -> None:
    try:
        page = _decode_page(data, "credentials", structurer(Credential))
    except NgrokDecodeError:
        return
    assert all(isinstance(item, Credential) for item in page.items)
    assert page.next_page_uri is None or isinstance(page.next_page_uri, str)


@settings(max_examples=300)
@given(
    status=st.integers(min_value=400, max_value=599),
    body=st.binary(max_size=200)
    | json_values.map(lambda v: json.dumps(v).encode())
    | st.fixed_dictionaries(
        {"error_code": json_values, "msg": json_values, "details": json_values}
    ).map(lambda v: json.dumps(v).encode()),
)
def test_any_error_response_maps_to_an_api_error(status: int, body: bytes) -> None:
    err = api_error(status, body, method="GET", path="/credentials/cr_1")

    assert isinstance(err, NgrokAPIError)
    assert err.status_code == status
    assert isinstance(err.error_code, str)
    assert isinstance(err.msg, str)
    assert isinstance(err.operation_id, str)
    assert "\n" not in str(err)


def test_multiline_error_code_still_gives_one_line() -> None:
    body = json.dumps({"error_code": "ERR\n_1", "msg": "m"}).encode()

    assert str(api_error(400, body, method="GET", path="/x")) == "400 ERR _1 on GET /x: m"


def test_multiline_message_still_gives_one_line() -> None:
    body = json.dumps({"error_code": "ERR_NGROK_1", "msg": "first\nsecond\r\n third"}).encode()

    err = api_error(400, body, method="GET", path="/x")

    assert str(err) == "400 ERR_NGROK_1 on GET /x: first second third"
    assert err.msg == "first\nsecond\r\n third"
