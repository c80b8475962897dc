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
# Secrets: kept out of repr() (and str()) of every record, ``None`` when the API leaves them out.
# A bare name is secret in every record; ``(record, name)`` only in that record.
SECRET_FIELDS = frozenset(
    {
        "token",  # credentials, API keys: returned once, on create
        "client_secret",  # OAuth providers, OIDC, Azure Logs Ingestion
        "aws_secret_access_key",
        "api_key",  # Datadog event target
        "private_key",
        "private_key_pem",
        ("EndpointWebhookValidation", "secret"),
        ("Secret", "value"),
    }
)
# Closed sets the API documents in prose; typed as ``Literal`` and checked on input.
LITERAL_FIELDS: dict[tuple[str, str], tuple[str, ...]] = {
    ("AgentIngressCertPolicy", "authority"): ("letsencrypt",),
    ("AgentIngressCertPolicy", "private_key_type"): ("rsa", "ecdsa"),
    ("ReservedDomainCertPolicy", "authority"): ("letsencrypt",),
    ("ReservedDomainCertPolicy", "private_key_type"): ("rsa", "ecdsa"),
    ("EndpointTLSTermination", "terminate_at"): ("edge", "upstream"),
    ("EndpointTLSTermination", "min_version"): ("1.0", "1.1", "1.2", "1.3"),
    ("EndpointTLSTerminationAtEdge", "min_version"): ("1.0", "1.1", "1.2", "1.3"),
    ("HTTPSEdgeRoute", "match_type"): ("exact_path", "path_prefix"),
    ("IPPolicyRule", "action"): ("allow", "deny"),
    ("IPRestriction", "type"): ("dashboard", "api", "agent", "endpoints"),
}
# Nested request fields the API rejects a request without (``Required[...]`` in the TypedDict).
REQUIRED_NESTED = frozenset(
    {
        ("AWSCredentials", "aws_access_key_id"),
        ("AWSCredentials", "aws_secret_access_key"),
        ("AWSRole", "role_arn"),
        ("ReservedDomainResolvesToEntry", "value"),
    }
)
# ``*_id`` strings that are not ngrok resource ids (checked as plain strings, not path segments):
# an OAuth/OIDC client id is whatever the identity provider issued, often a URL; AWS and Azure
# ids are the cloud's own.
NOT_RESOURCE_IDS = frozenset(
    {"client_id", "aws_access_key_id", "tenant_id", "data_collection_rule_id"}
)
# Array query parameters: the wire key (repeated, ``id=a&id=b``, OpenAPI's default ``form``
# style and what ngrok's official client sends) by parameter name.
QUERY_WIRE_KEYS = {"ids": "id", "urls": "url"}
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
# Parameters the SDK adds to an operation beyond the API's fields: name -> (annotation,
# description). ``ResourceService._create_body`` resolves them (``valid_for`` at send time).
SDK_PARAMS: dict[tuple[str, str], dict[str, tuple[str, str]]] = {
    ("SSHHostCertificates", "create"): {
        "valid_for": (
            "timedelta",
            "instead of valid_until (not both): the certificate ends this long after "
            "valid_after, or after the moment the request goes on the wire (after any wait "
            "on the rate limiter).",
        )
    },
}
# Every paged list accepts ``filter``, a CEL expression evaluated server-side
# (https://ngrok.com/docs/api/api-filtering); the spec copy does not declare it yet.
FILTER_PARAM = {
    "type": "string",
    "description": "a CEL expression selecting the resources to return (see ngrok's API "
    "filtering docs), passed through",
}
# Fields the API and ngrok's official client (ngrok-api 0.19) have that this spec copy lacks.
EXTRA_PROPERTIES: dict[str, dict[str, dict[str, Any]]] = {
    **{
        name: {
            "resolves_to": {
                "description": "DNS resolver targets configured for the reserved domain, or "
                'empty for "global" resolution.',
                "type": "array",
                "items": {"$ref": "#/components/schemas/ReservedDomainResolvesToEntry"},
            }
        }
        for name in ("ReservedDomain", "ReservedDomainCreate", "ReservedDomainUpdate")
    },
    **{
        name: {"vault_name": {"description": "name of the referenced vault", "type": "string"}}
        for name in ("Secret", "SecretCreate")
    },
}
EXTRA_SCHEMAS: dict[str, dict[str, Any]] = {
    "ReservedDomainResolvesToEntry": {
        "type": "object",
        "properties": {
            "value": {
                "description": 'accepts an ngrok point-of-presence shortcode, or "global"',
                "type": "string",
            }
        },
    }
}
# Services the spec copy lacks that are another service's exact shape under a new name:
# new tag -> (tag to copy, (old word, new word) pairs applied to paths, names and text).
CLONED_SERVICES: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "ServiceUsers": ("BotUsers", (("bot_users", "service_users"), ("BotUser", "ServiceUser"),
                                  ("Bot User", "Service User"), ("bot", "service"))),
}  # fmt: skip
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
