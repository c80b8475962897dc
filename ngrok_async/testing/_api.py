"""The API the fake serves: the generated operation table (``_api_table.json``) as routes.

``tools/generate.py`` writes the table from ``spec/ngrok.yaml``; this module adds the facts the
spec lacks (id prefixes, references between resources) and matches request paths to
operations. Serving a new service is a change to the spec (or the generator's overrides) and,
for a new kind of id, one line in :data:`PREFIXES`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from importlib import resources
from typing import Any

import attrs

# Id prefixes by collection, from the examples in ngrok's API reference and official clients;
# those of ai_gateway_api_keys, app/sessions, app/users, backends/static, vault_secrets, vaults
# and service_users appear in none of them and are this fake's guesses. A collection missing
# here gets a prefix made from its path.
PREFIXES: dict[str, str] = {
    "abuse_reports": "abrp",
    "agent_ingresses": "agin",
    "ai_gateway_api_keys": "aigk",
    "api_keys": "ak",
    "app/sessions": "apps",
    "app/users": "apu",
    "backends/failover": "bkdfo",
    "backends/http_response": "bkdhr",
    "backends/static": "bkdst",
    "backends/tunnel_group": "bkdtg",
    "backends/weighted": "bkdwt",
    "bot_users": "bot",
    "certificate_authorities": "ca",
    "credentials": "cr",
    "edges/https": "edghts",
    "edges/https/{edge_id}/routes": "edghtsrt",
    "edges/tcp": "edgtcp",
    "edges/tls": "edgtls",
    "endpoints": "ep",
    "event_destinations": "ed",
    "event_subscriptions": "esb",
    "ip_policies": "ipp",
    "ip_policy_rules": "ipr",
    "ip_restrictions": "ipx",
    "reserved_addrs": "ra",
    "reserved_domains": "rd",
    "service_users": "bot",
    "ssh_certificate_authorities": "sshca",
    "ssh_credentials": "sshcr",
    "ssh_host_certificates": "shcrt",
    "ssh_user_certificates": "sucrt",
    "tls_certificates": "cert",
    "tunnel_sessions": "ts",
    "tunnels": "tn",
    "vault_secrets": "sec",
    "vaults": "vault",
}
# Body fields naming another resource, and the collections the API looks the id up in (an id
# that names none of them is a 404). ``*_ids`` fields are lists of such ids.
REFERENCES: dict[str, tuple[str, ...]] = {
    "ip_policy_id": ("ip_policies",),
    "ip_policy_ids": ("ip_policies",),
    "certificate_authority_ids": ("certificate_authorities",),
    "ssh_certificate_authority_id": ("ssh_certificate_authorities",),
    "certificate_id": ("tls_certificates",),
    "destination_ids": ("event_destinations",),
    "vault_id": ("vaults",),
    "endpoint_id": ("endpoints",),
    "backend_id": (
        "backends/failover",
        "backends/http_response",
        "backends/static",
        "backends/tunnel_group",
        "backends/weighted",
    ),
}
# Lists of one collection's resources under another's item: path → (collection, field whose
# ``id`` is the item's).
CHILD_LISTS: dict[str, tuple[str, str]] = {"/vaults/{id}/secrets": ("vault_secrets", "vault")}

_PARAM = re.compile(r"{(\w+)}")


@attrs.frozen(slots=True, kw_only=True)
class Operation:
    method: str
    path: str
    op_id: str
    action: str
    body: str  # request schema name, "" for none
    response: str  # response schema name, "" for none
    segments: tuple[str, ...]
    literals: int  # how many segments are not parameters (more is more specific)


@attrs.frozen(slots=True, kw_only=True)
class Match:
    op: Operation
    params: dict[str, str]


def _load() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("_api_table.json").read_text(encoding="utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


_TABLE = _load()
SCHEMAS: dict[str, dict[str, str]] = {
    name: schema["fields"] for name, schema in _TABLE["schemas"].items()
}
REQUIRED: dict[str, tuple[str, ...]] = {
    name: tuple(schema["required"]) for name, schema in _TABLE["schemas"].items()
}
OPERATIONS: tuple[Operation, ...] = tuple(
    Operation(
        method=method,
        path=path,
        op_id=op_id,
        action=action,
        body=body,
        response=response,
        segments=tuple(path.strip("/").split("/")),
        literals=sum(not s.startswith("{") for s in path.strip("/").split("/")),
    )
    for method, path, op_id, action, body, response in _TABLE["operations"]
)
FILTERED: frozenset[str] = frozenset(_TABLE["filtered"])
"""The list operations (by operationId) that filter; ngrok ignores ``filter`` on the others."""
# Every path of the API starts with a literal segment: index by it and the segment count.
_INDEX: dict[tuple[str, int], list[Operation]] = {}
for _op in sorted(OPERATIONS, key=lambda o: -o.literals):
    _INDEX.setdefault((_op.segments[0], len(_op.segments)), []).append(_op)


def match(path: str) -> list[Match]:
    """Every operation whose path template ``path`` fits, the most specific first."""
    if not path.startswith("/") or path == "/":
        return []
    segments = path[1:].split("/")
    if not all(segments):
        return []
    found: list[Match] = []
    best = -1
    for op in _INDEX.get((segments[0], len(segments)), ()):
        if op.literals < best:
            break
        params: dict[str, str] = {}
        for template, value in zip(op.segments, segments, strict=True):
            if template.startswith("{"):
                params[template[1:-1]] = value
            elif template != value:
                break
        else:
            best = op.literals
            found.append(Match(op=op, params=params))
    return found


def collection_of(op: Operation) -> str:
    """The collection template an operation works on, without the leading ``/``."""
    segments = list(op.segments)
    if op.action in ("get", "update", "delete"):
        segments = segments[:-1]
    elif op.action in ("module_replace", "module_get", "module_delete", "action", "clear"):
        segments = segments[:-2]
    return "/".join(segments)


def collection_of_path(path: str) -> str:
    return path.strip("/")


def fill(template: str, params: Mapping[str, str]) -> str:
    return _PARAM.sub(lambda m: params[m.group(1)], template)


def prefix_for(collection: str) -> str:
    if collection in PREFIXES:
        return PREFIXES[collection]
    words = re.findall(r"[a-z]+", _PARAM.sub("", collection))
    return "".join(word[:3] for word in words) or "res"


def collection_by_prefix(ident: str) -> list[str]:
    """The top-level collections whose ids start like ``ident``."""
    head = ident.partition("_")[0]
    return [name for name, prefix in PREFIXES.items() if prefix == head and "{" not in name]


def record_schema(collection: str) -> str:
    """The schema of one resource of ``collection`` (its get or create response)."""
    for op in OPERATIONS:
        if op.action in ("get", "create") and collection_of(op) == collection and op.response:
            return op.response
    for op in OPERATIONS:
        if op.action == "list" and collection_of(op) == collection:
            return item_schema(op.response)
    return ""


def list_key(list_schema: str) -> str:
    (key,) = (f for f, t in SCHEMAS[list_schema].items() if t.startswith("["))
    return key


def item_schema(list_schema: str) -> str:
    return SCHEMAS[list_schema][list_key(list_schema)].strip("[]")


def key_param(collection: str) -> str:
    """The path parameter naming one item of ``collection`` (``id``, or ``type`` for sources)."""
    for op in OPERATIONS:
        if op.action in ("get", "delete") and collection_of(op) == collection:
            return op.segments[-1][1:-1]
    return "id"


COLLECTIONS: tuple[str, ...] = tuple(
    sorted({collection_of(op) for op in OPERATIONS if op.action in ("create", "list", "get")})
)
