"""What the API does where the spec is silent: field types, input checks, missing operations."""

from __future__ import annotations

from typing import Any

# Rules applied to every schema (see typemap.record_field/param_type): a nested object (``$ref``)
# becomes a nested frozen record, ``None`` when absent or null; arrays become tuples, maps dicts,
# booleans/ints/floats default to False/0/0.0. On input, nested objects are plain mappings sent
# as given, ``*_id`` strings are checked like path segments, datetimes must be aware.
# Always present on a record that has them; every other field defaults (the API omits or nulls
# fields freely, and the converter treats null as absent).
REQUIRED_FIELDS = frozenset({"id", "uri"})
# RFC 3339 timestamps (the spec types them as plain strings): ``*_at`` and ``valid_*`` fields
# plus these; decoded to aware datetimes, and taken as aware datetimes on input.
DATETIME_FIELDS = frozenset({"last_active", "last_login", "not_before", "not_after"})
NOT_DATETIME_FIELDS = frozenset({"terminate_at"})  # "edge" or "upstream", not a time
# Durations the API takes as integer seconds: input accepts an int or a ``timedelta``.
SECONDS_FIELDS = frozenset(
    {
        "tripped_duration",
        "rolling_window",
        "inactivity_timeout",
        "maximum_duration",
        "auth_check_interval",
    }
)
# Maps whose values are not strings (the spec only says ``type: object``).
INT_MAP_FIELDS = frozenset({("WeightedBackend", "backends")})
# Secrets the API returns once, on create; kept out of repr() and None elsewhere.
SECRET_FIELDS = frozenset({"token"})
# Input checks by field name, beyond what the JSON type gives.
NAMED_CHECKS = {
    "description": "check.description",
    "metadata": "check.metadata",
    "public_key": "check.public_key",
}
# Local checks across parameters, run before the body is built (as the hand-written
# ``ssh_user_certificates.create`` does).
PRECHECKS = {
    ("SSHHostCertificates", "create"): "check.validity_window(valid_after, valid_until)",
}
# Every paged list accepts ``filter``, a CEL expression evaluated server-side
# (https://ngrok.com/docs/api/api-filtering); the spec copy does not declare it yet.
FILTER_PARAM = {
    "type": "string",
    "description": "a CEL expression selecting the resources to return, passed through",
}
# Operations the API and ngrok's official client (ngrok-api 0.19.0) have that this spec copy
# lacks, in the spec's own shape. They are generated like the rest; the coverage table marks
# them and tests/test_spec_coverage.py checks them on the wire separately.
EXTRA_PATHS: dict[str, dict[str, Any]] = {
    "/vaults/{id}/secrets": {
        "get": {
            "summary": "Get Secrets by Vault ID",
            "description": "List the secrets stored in one vault.",
            "tags": ["Vaults"],
            "operationId": "VaultsGetSecretsByVault",
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
                {"name": "before_id", "in": "query", "schema": {"type": "string"}},
                {"name": "limit", "in": "query", "schema": {"type": "string"}},
            ],
            "responses": {
                200: {
                    "description": "",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/SecretList"}}
                    },
                }
            },
        }
    }
}
