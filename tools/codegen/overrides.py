"""What the API does where the spec is silent: field types, input checks, Python names.

Operations and fields the spec lacks are not here but in ``spec/extra.yaml``, in the spec's shape.
"""

from __future__ import annotations

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
# Array query parameters (``GET /endpoints?id=a&id=b``, OpenAPI's default ``form`` style and
# what ngrok's official clients send): the Python name of each wire key, plural as it takes a
# sequence, and back.
QUERY_PYTHON_NAMES = {"id": "ids", "url": "urls"}
QUERY_WIRE_KEYS = {python: wire for wire, python in QUERY_PYTHON_NAMES.items()}
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
# What ngrok deprecated (2025-12-31; its docs and API reference, not the spec, say so): spec tag
# -> what replaces it. Each method of these services is marked ``@deprecated`` (PEP 702) and
# warns when called; the CLI and the reference say so. Nothing is removed.
_EDGES = "Cloud Endpoints with Traffic Policy (client.endpoints)"
DEPRECATED: dict[str, str] = {
    **dict.fromkeys(
        (
            "EdgesHTTPS",
            "EdgesHTTPSRoutes",
            "EdgesTCP",
            "EdgesTLS",
            "FailoverBackends",
            "HTTPResponseBackends",
            "StaticBackends",
            "TunnelGroupBackends",
            "WeightedBackends",
        ),
        _EDGES,
    ),
    "BotUsers": "Service Users (client.service_users)",
    "Tunnels": "Endpoints (client.endpoints), which list every online agent endpoint",
}
DEPRECATED_MODULE_PREFIXES = ("HTTPSEdge", "EdgeRoute", "TCPEdge", "TLSEdge")
"""Every edge and route module (``EdgeRouteOAuthModule`` …) is deprecated with the edges."""
DEPRECATED_SINCE = "2025-12-31"


def replacement(tag: str) -> str | None:
    """What replaces the deprecated service ``tag``, or ``None`` when it is not deprecated."""
    if tag.startswith(DEPRECATED_MODULE_PREFIXES) and tag.endswith("Module"):
        return _EDGES
    return DEPRECATED.get(tag)
