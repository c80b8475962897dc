"""Generate ``ngrok_async/resources/_generated/`` from ngrok's OpenAPI spec (``spec/ngrok.yaml``).

Run by hand after updating the spec; the output is committed::

    python tools/generate.py            # rewrite the generated modules
    python tools/generate.py --check    # exit 1 if the committed output is stale (CI)
    python tools/generate.py --table    # print the README coverage table

The spec says little beyond names and JSON types: no ``required``, no formats, no nullability.
The tables below (SERVICES, HAND_WRITTEN, and the overrides after them) say what the API really
does; everything else is derived from the spec. Output is deterministic and formatted with ruff.
"""

from __future__ import annotations

import argparse
import difflib
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
SPEC = ROOT / "spec" / "ngrok.yaml"
OUT = ROOT / "ngrok_async" / "resources" / "_generated"
README = ROOT / "README.md"

# --- Services: spec tag -> (attribute path on AsyncClient, generated module) -----------------
# Grouped like the API reference and ngrok's official Python client: flat services on the
# client, and the ``backends``, ``edges`` and ``edge_modules`` namespaces.
SERVICES: dict[str, tuple[str, str]] = {
    "AbuseReports": ("abuse_reports", "accounts"),
    "APIKeys": ("api_keys", "accounts"),
    "ApplicationSessions": ("application_sessions", "applications"),
    "ApplicationUsers": ("application_users", "applications"),
    "BotUsers": ("bot_users", "accounts"),
    "AgentIngresses": ("agent_ingresses", "addresses"),
    "ReservedAddrs": ("reserved_addrs", "addresses"),
    "ReservedDomains": ("reserved_domains", "domains"),
    "CertificateAuthorities": ("certificate_authorities", "certificates"),
    "TLSCertificates": ("tls_certificates", "certificates"),
    "SSHHostCertificates": ("ssh_host_certificates", "certificates"),
    "Endpoints": ("endpoints", "tunnels"),
    "TunnelSessions": ("tunnel_sessions", "tunnels"),
    "Tunnels": ("tunnels", "tunnels"),
    "EventDestinations": ("event_destinations", "events"),
    "EventSubscriptions": ("event_subscriptions", "events"),
    "EventSources": ("event_sources", "event_sources"),
    "IPPolicies": ("ip_policies", "ip_policies"),
    "IPPolicyRules": ("ip_policy_rules", "ip_policies"),
    "IPRestrictions": ("ip_restrictions", "ip_policies"),
    "Secrets": ("secrets", "vaults"),
    "Vaults": ("vaults", "vaults"),
    "FailoverBackends": ("backends.failover", "backends"),
    "HTTPResponseBackends": ("backends.http_response", "backends"),
    "StaticBackends": ("backends.static_address", "backends"),
    "TunnelGroupBackends": ("backends.tunnel_group", "backends_pools"),
    "WeightedBackends": ("backends.weighted", "backends_pools"),
    "EdgesHTTPS": ("edges.https", "edges_https"),
    "EdgesHTTPSRoutes": ("edges.https_routes", "edges_https"),
    "EdgesTCP": ("edges.tcp", "edges_tcp_tls"),
    "EdgesTLS": ("edges.tls", "edges_tcp_tls"),
    "HTTPSEdgeMutualTLSModule": ("edge_modules.https_edge_mutual_tls", "edge_modules_https"),
    "HTTPSEdgeTLSTerminationModule": (
        "edge_modules.https_edge_tls_termination",
        "edge_modules_https",
    ),
    "EdgeRouteBackendModule": ("edge_modules.https_edge_route_backend", "edge_route_modules"),
    "EdgeRouteIPRestrictionModule": (
        "edge_modules.https_edge_route_ip_restriction",
        "edge_route_modules",
    ),
    "EdgeRouteRequestHeadersModule": (
        "edge_modules.https_edge_route_request_headers",
        "edge_route_modules",
    ),
    "EdgeRouteResponseHeadersModule": (
        "edge_modules.https_edge_route_response_headers",
        "edge_route_modules",
    ),
    "EdgeRouteCompressionModule": (
        "edge_modules.https_edge_route_compression",
        "edge_route_modules",
    ),
    "EdgeRouteCircuitBreakerModule": (
        "edge_modules.https_edge_route_circuit_breaker",
        "edge_route_modules_policy",
    ),
    "EdgeRouteWebhookVerificationModule": (
        "edge_modules.https_edge_route_webhook_verification",
        "edge_route_modules_auth",
    ),
    "EdgeRouteOAuthModule": ("edge_modules.https_edge_route_oauth", "edge_route_modules_auth"),
    "EdgeRouteSAMLModule": ("edge_modules.https_edge_route_saml", "edge_route_modules_auth"),
    "EdgeRouteOIDCModule": ("edge_modules.https_edge_route_oidc", "edge_route_modules_auth"),
    "EdgeRouteWebsocketTCPConverterModule": (
        "edge_modules.https_edge_route_websocket_tcp_converter",
        "edge_route_modules_policy",
    ),
    "EdgeRouteUserAgentFilterModule": (
        "edge_modules.https_edge_route_user_agent_filter",
        "edge_route_modules_policy",
    ),
    "EdgeRouteTrafficPolicyModule": (
        "edge_modules.https_edge_route_traffic_policy",
        "edge_route_modules_policy",
    ),
    "TCPEdgeBackendModule": ("edge_modules.tcp_edge_backend", "edge_modules_tcp_tls"),
    "TCPEdgeIPRestrictionModule": ("edge_modules.tcp_edge_ip_restriction", "edge_modules_tcp_tls"),
    "TCPEdgeTrafficPolicyModule": ("edge_modules.tcp_edge_traffic_policy", "edge_modules_tcp_tls"),
    "TLSEdgeBackendModule": ("edge_modules.tls_edge_backend", "edge_modules_tcp_tls"),
    "TLSEdgeIPRestrictionModule": ("edge_modules.tls_edge_ip_restriction", "edge_modules_tcp_tls"),
    "TLSEdgeMutualTLSModule": ("edge_modules.tls_edge_mutual_tls", "edge_modules_tcp_tls"),
    "TLSEdgeTLSTerminationModule": (
        "edge_modules.tls_edge_tls_termination",
        "edge_modules_tcp_tls",
    ),
    "TLSEdgeTrafficPolicyModule": ("edge_modules.tls_edge_traffic_policy", "edge_modules_tcp_tls"),
}

# --- Services kept hand-written in resources/credentials.py and resources/ssh.py -------------
# They validate keys and datetimes locally (OpenSSH public keys parsed with cryptography, aware
# datetimes, validity windows), back bulk issuance (``create_many``) and the SSH helpers, and
# have hand-checked records (e.g. ``SSHUserCertificate.valid_after`` is required). Generating
# them would lose that; the generator skips them and the coverage test still checks their wire.
HAND_WRITTEN: dict[str, str] = {
    "Credentials": "credentials",
    "SSHCredentials": "ssh_credentials",
    "SSHCertificateAuthorities": "ssh_certificate_authorities",
    "SSHUserCertificates": "ssh_user_certificates",
}

# --- Overrides: what the spec leaves out -------------------------------------------------------
# Rules applied to every schema (see record_field/param_type): a nested object (``$ref``)
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
# Shared records (used by several families) live in ``_common`` unless listed here.
SHARED_SPLIT = (
    ("EndpointOAuth", "_common_auth"),
    ("EndpointOIDC", "_common_auth"),
    ("EndpointSAML", "_common_auth"),
)
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
# Hard line budget per generated module.
MAX_LINES = 400

METHOD_ORDER = ("create", "get", "list", "pages", "update", "replace", "delete")
PAGING = ("before_id", "limit")
HEADER = "# Generated by tools/generate.py from spec/ngrok.yaml (MIT, ngrok Inc.). Do not edit.\n"


# --- Model ---------------------------------------------------------------------------------


@dataclass
class Param:
    name: str
    schema: dict[str, Any]
    description: str = ""


@dataclass
class Operation:
    op_id: str
    tag: str
    method: str
    path: str
    name: str
    summary: str
    description: str
    path_params: list[str]
    query: list[Param]
    body: list[Param]
    body_schema: str | None
    response: str | None
    list_key: str | None = None
    extra: bool = False  # from EXTRA_PATHS, not the spec copy

    @property
    def query_extra(self) -> list[Param]:
        """Query parameters besides paging (e.g. ``filter``, ``ids``): passed through."""
        return [q for q in self.query if q.name not in PAGING]


@dataclass
class Service:
    tag: str
    attr: str
    module: str
    cls: str
    ops: list[Operation] = field(default_factory=list)
    record: str | None = None
    flat_path: str | None = None  # set when ResourceService fits (flat get/list/delete)


def load_spec(path: pathlib.Path = SPEC) -> dict[str, Any]:
    return yaml.safe_load(path.read_text())  # type: ignore[no-any-return]


def ref_name(schema: dict[str, Any]) -> str | None:
    ref = schema.get("$ref")
    return ref.rsplit("/", 1)[-1] if ref else None


def snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def method_name(op_id: str, tag: str) -> str:
    """``ReservedDomainsDeleteCertificate`` (tag ``ReservedDomains``) -> ``delete_certificate``."""
    if not op_id.lower().startswith(tag.lower()):
        raise SystemExit(f"operationId {op_id} does not start with its tag {tag}")
    return snake(op_id[len(tag) :])


def operations(spec: dict[str, Any]) -> list[Operation]:
    schemas = spec["components"]["schemas"]
    ops: list[Operation] = []
    paths = [(path, item, False) for path, item in spec["paths"].items()]
    paths += [(path, item, True) for path, item in EXTRA_PATHS.items() if path not in spec["paths"]]
    for path, item, extra in paths:
        for method, op in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            tag = op["tags"][0]
            params = [p for p in op.get("parameters", []) if "name" in p]
            path_params = re.findall(r"{(\w+)}", path)
            query = [
                Param(p["name"], p.get("schema", {}), _text(p.get("description")))
                for p in params
                if p["in"] == "query"
            ]
            body_ref = ref_name(
                op.get("requestBody", {})
                .get("content", {})
                .get("application/json", {})
                .get("schema", {})
            )
            body: list[Param] = []
            if body_ref:
                props = schemas[body_ref]["properties"]
                body = [
                    Param(n, s, _text(s.get("description")))
                    for n, s in props.items()
                    if n not in path_params
                ]
                if method == "put" and [p.name for p in body] == ["module"]:
                    # A module replace sends the module itself as the body.
                    body_ref = ref_name(body[0].schema)
                    assert body_ref
                    body = [
                        Param(n, s, _text(s.get("description")))
                        for n, s in schemas[body_ref]["properties"].items()
                    ]
            resp = next(iter(op["responses"].values()))
            response = ref_name(
                (resp or {}).get("content", {}).get("application/json", {}).get("schema", {})
            )
            list_key = None
            if response and response.endswith("List") and method == "get":
                props = schemas[response]["properties"]
                (list_key,) = [n for n, s in props.items() if s.get("type") == "array"]
                response = ref_name(props[list_key]["items"])
                names = {q.name for q in query}
                if names & set(PAGING) and "filter" not in names:
                    query.append(Param("filter", FILTER_PARAM, FILTER_PARAM["description"]))
            ops.append(
                Operation(
                    op_id=op["operationId"],
                    tag=tag,
                    method=method.upper(),
                    path=path,
                    name=method_name(op["operationId"], tag),
                    summary=_text(op.get("summary")),
                    description=_text(op.get("description")),
                    path_params=path_params,
                    query=query,
                    body=body,
                    body_schema=body_ref,
                    response=response,
                    list_key=list_key,
                    extra=extra,
                )
            )
    return ops


def _text(value: Any) -> str:
    return " ".join(str(value or "").split())


def services(spec: dict[str, Any]) -> list[Service]:
    out: dict[str, Service] = {}
    for op in operations(spec):
        if op.tag in HAND_WRITTEN:
            continue
        if op.tag not in SERVICES:
            raise SystemExit(f"spec tag {op.tag!r} ({op.op_id}) is not in SERVICES: add it")
        attr, module = SERVICES[op.tag]
        svc = out.setdefault(op.tag, Service(op.tag, attr, module, op.tag + "Service"))
        svc.ops.append(op)
    for svc in out.values():
        records = {op.response for op in svc.ops if op.response and not op.extra}
        if len(records) != 1:
            raise SystemExit(f"{svc.tag}: expected one record type, got {records}")
        (svc.record,) = records
        svc.ops.sort(key=_op_order)
        by_name = {op.name: op for op in svc.ops}
        get, lst, delete = by_name.get("get"), by_name.get("list"), by_name.get("delete")
        if (
            get
            and lst
            and delete
            and not lst.path_params
            and get.path == delete.path == lst.path + "/{id}"
        ):
            svc.flat_path = lst.path
    return sorted(out.values(), key=lambda s: (s.module, s.attr))


def _op_order(op: Operation) -> tuple[int, str]:
    return (METHOD_ORDER.index(op.name) if op.name in METHOD_ORDER else 99, op.name)


# --- Types ---------------------------------------------------------------------------------


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


# --- Records -------------------------------------------------------------------------------


def record_closure(schemas: dict[str, Any], roots: set[str]) -> dict[str, set[str]]:
    """Every record reachable from ``roots``, with the records each one refers to."""
    deps: dict[str, set[str]] = {}
    todo = sorted(roots)
    while todo:
        name = todo.pop()
        if name in deps:
            continue
        refs: set[str] = set()
        for prop in schemas[name].get("properties", {}).values():
            ref = ref_name(prop) or ref_name(prop.get("items", {}))
            if ref:
                refs.add(ref)
        deps[name] = refs
        todo.extend(sorted(refs))
    return deps


def record_homes(spec: dict[str, Any], svcs: list[Service]) -> dict[str, str]:
    """Which module defines each record: its family's, or a shared one if several use it."""
    schemas = spec["components"]["schemas"]
    users: dict[str, set[str]] = defaultdict(set)
    for svc in svcs:
        assert svc.record
        roots = {svc.record} | {op.response for op in svc.ops if op.response}
        for name in record_closure(schemas, roots):
            users[name].add(svc.module)
    homes = {}
    for name, mods in users.items():
        if len(mods) == 1:
            homes[name] = next(iter(mods))
        else:
            homes[name] = next(
                (mod for prefix, mod in SHARED_SPLIT if name.startswith(prefix)), "_common"
            )
    return homes


def render_record(name: str, schema: dict[str, Any], users: list[str]) -> str:
    props = schema.get("properties", {})
    used = ", ".join(f"``client.{u}``" for u in users) if users else "nested in other records"
    lines = [
        "@attrs.frozen(slots=True, kw_only=True)",
        f"class {name}:",
        "    " + doc(f"``{name}`` as the API returns it: {used}.", 4),
        "",
    ]
    for prop, pschema in props.items():
        annotation, default = record_field(name, prop, pschema)
        comment = _text(pschema.get("description"))
        if comment:
            lines.append(f"    #: {_clip(comment, 90)}")
        lines.append(f"    {prop}: {annotation}" + (f" = {default}" if default else ""))
    return "\n".join(lines) + "\n"


def _clip(text: str, width: int) -> str:
    first = re.split(r"(?<=\.)\s", text, maxsplit=1)[0]
    return first if len(first) <= width else first[: width - 1].rstrip() + "…"


# --- Services ------------------------------------------------------------------------------


def render_service(svc: Service) -> str:
    record = svc.record
    assert record
    base = f"ResourceService[{record}]" if svc.flat_path else f"ops.Operations[{record}]"
    names = ", ".join(op.name for op in svc.ops)
    out = [
        f"class {svc.cls}({base}):",
        "    " + doc(f"{_title(svc.tag)}: ``client.{svc.attr}`` ({names}).", 4),
        "",
    ]
    if svc.flat_path:
        list_op = next(op for op in svc.ops if op.name == "list")
        out += [
            f'    path = "{svc.flat_path}"',
            f"    record = {record}",
            f'    list_key = "{list_op.list_key}"',
        ]
    else:
        out.append(f"    record = {record}")
    for op in svc.ops:
        if op.body:
            checks = ", ".join(
                f'"{p.name}": {param_type(op.body_schema, p.name, p.schema)[1]}' for p in op.body
            )
            out.append(f"    {op.name}_checks: ClassVar[Checks] = {{{checks}}}")
    out += ["", "    __slots__ = ()", ""]
    for op in svc.ops:
        out.append(_indent(render_method(svc, op)))
    return "\n".join(out) + "\n"


def doc(text: str, indent: int = 0) -> str:
    """A docstring literal for ``text``, wrapped to fit ruff's line length at ``indent``."""
    width = 96 - indent
    one = f'"""{text}"""'
    if len(one) <= width + 4:
        return one
    pad = " " * indent
    body = textwrap.fill(text, width - 4, subsequent_indent=pad)
    return f'"""{body}\n{pad}"""'


def _title(tag: str) -> str:
    words = re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", tag)
    return words.replace("O Auth", "OAuth")


def _indent(text: str) -> str:
    return textwrap.indent(text, "    ")


def render_method(svc: Service, op: Operation) -> str:
    flat = svc.flat_path is not None
    inherited = flat and (
        op.name in ("get", "delete") or (op.name == "list" and not op.query_extra)
    )
    if inherited:  # ResourceService's own get/delete (and list/pages without extra query)
        return ""
    record = svc.record
    positional = [f"{p}: str" for p in op.path_params]
    doc = _docstring(op)
    if op.name == "list" or op.list_key:
        return render_list(svc, op, positional, doc)
    nullable = op.method == "PATCH"
    kwargs = []
    for p in op.body:
        annotation = param_type(op.body_schema, p.name, p.schema)[0]
        if nullable:
            annotation = f"{annotation} | None"
        kwargs.append(f"{p.name}: NotGivenOr[{annotation}] = NOT_GIVEN")
    sig = ["self", *positional]
    if kwargs:
        sig += ["*", *kwargs]
    returns = record if op.response else "None"
    head = f"async def {op.name}({', '.join(sig)}) -> {returns}:\n"
    params = "{" + ", ".join(f'"{p.name}": {p.name}' for p in op.body) + "}"
    body_expr = "None"
    if op.body_schema and not op.body:
        body_expr = "{}"
    elif op.body_schema:
        body_expr = f"build_body(self.{op.name}_checks, {params}, nullable={nullable})"
    if flat and op.name == "create" and op.path == svc.flat_path:
        call = f"return await self._create({params})"
    elif flat and op.name == "update" and op.path == f"{svc.flat_path}/{{id}}":
        call = f"return await self._update(id, {params})"
    elif flat:
        path = _path_expr(op)
        body_arg = "" if body_expr == "None" else f", body={body_expr}"
        send = f'await self._http.request("{op.method}", {path}{body_arg})'
        call = f"return self._decode({send})" if op.response else send
    else:
        path = _path_expr(op)
        fn = "_call" if op.response else "_call_empty"
        args = f'"{op.method}", {path}' + (f", {body_expr}" if op.body_schema else "")
        call = f"{'return ' if op.response else ''}await self.{fn}({args})"
    pre = PRECHECKS.get((svc.tag, op.name))
    return head + _indent(doc + (pre + "\n" if pre else "") + call) + "\n\n"


def render_list(svc: Service, op: Operation, positional: list[str], doc: str) -> str:
    """``list``/``pages``, or ``<name>``/``<name>_pages`` for other paged operations."""
    record = op.response
    name, pages_name = ("list", "pages") if op.name == "list" else (op.name, f"{op.name}_pages")
    decode = "self._decode" if record == svc.record else f"ops.decoder({record})"
    extra = op.query_extra
    kw = []
    if "limit" in [q.name for q in op.query]:
        kw += ["limit: int | None = None", "before_id: str | None = None"]
    for q in extra:
        kind = "Sequence[str]" if q.schema.get("type") == "array" else "str"
        kw.append(f"{q.name}: {kind} | None = None")
    sig = ["self", *positional] + (["*", *kw] if kw else [])
    names = [q.name for q in op.query]
    if "filter" in names:
        doc = _filter_doc(op)
    fwd = ", ".join(
        [*(p.split(":")[0] for p in positional), *(f"{n}={n}" for n in _kw_order(names))]
    )
    params = (
        "ops.page_params("
        + ", ".join(
            [
                "limit" if "limit" in names else "None",
                "before_id" if "before_id" in names else "None",
            ]
            + [f"{q.name}={q.name}" for q in extra]
        )
        + ")"
    )
    path = _path_expr(op)
    if svc.flat_path or decode != "self._decode":
        pages_call = f'iter_pages(self._http, {path}, {params}, "{op.list_key}", {decode})'
    else:
        pages_call = f'self._pages({path}, "{op.list_key}", {params})'
    return (
        f"async def {name}({', '.join(sig)}) -> AsyncIterator[{record}]:\n"
        + _indent(
            doc
            + f"async for page in self.{pages_name}({fwd}):\n"
            + "    for item in page.items:\n        yield item\n"
        )
        + "\n"
        + f"async def {pages_name}({', '.join(sig)}) -> AsyncIterator[Page[{record}]]:\n"
        + _indent(
            f'"""Yield each :class:`~ngrok_async.Page` of :meth:`{name}` in turn."""\n'
            + f"async for page in {pages_call}:\n    yield page\n"
        )
        + "\n"
    )


def _filter_doc(op: Operation) -> str:
    text = op.description or op.summary
    if text and not text.endswith("."):
        text += "."
    note = "``filter`` (a CEL expression, see ngrok's API filtering docs) is passed through."
    parts = [textwrap.fill(text, 88), note, f"``{op.method} {op.path}``"]
    return '"""' + "\n\n".join(parts) + '\n"""\n'


def _kw_order(names: list[str]) -> list[str]:
    return [n for n in ("limit", "before_id") if n in names] + [n for n in names if n not in PAGING]


def _path_expr(op: Operation) -> str:
    if not op.path_params:
        return f'"{op.path}"'
    args = ", ".join(f"{p}={p}" for p in op.path_params)
    return f'ops.expand("{op.path}", {args})'


# What a bare summary ("Get", "Replace") means, for operations the spec does not describe.
FALLBACK_DOCS = {
    "get": "Get the {thing}.",
    "replace": "Replace the {thing}: fields not passed are left out of the request.",
    "delete": "Remove the {thing}.",
}


def _docstring(op: Operation) -> str:
    text = op.description or FALLBACK_DOCS.get(op.name, op.summary).format(
        thing=_title(op.tag).replace(" Module", " module")
    )
    if text and not text.endswith("."):
        text += "."
    call = f"``{op.method} {op.path}``"
    wrapped = textwrap.fill(f"{text} {call}".strip(), 86)  # fits at 8 spaces with quotes
    if "\n" not in wrapped:
        return f'"""{wrapped}"""\n'
    return f'"""{textwrap.fill(text, 88)}\n\n{call}\n"""\n'


# --- Modules -------------------------------------------------------------------------------

IMPORTS = """\
from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, ClassVar

import attrs

from ... import _validate as check
from ..._paging import Page, iter_pages
from ..._types import NOT_GIVEN, NotGivenOr
from .. import _ops as ops
from .._base import Checks, ResourceService, build_body
"""


def render_modules(spec: dict[str, Any]) -> dict[str, str]:
    schemas = spec["components"]["schemas"]
    svcs = services(spec)
    homes = record_homes(spec, svcs)
    users: dict[str, list[str]] = defaultdict(list)
    for svc in svcs:
        assert svc.record
        users[svc.record].append(svc.attr)
    by_module: dict[str, list[str]] = defaultdict(list)
    for name in sorted(homes):
        by_module[homes[name]].append(name)
    modules: dict[str, str] = {}
    family_modules = sorted({s.module for s in svcs})
    shared = sorted({home for home in homes.values() if home.startswith("_common")})
    for module in [*shared, *family_modules]:
        records = _topo(by_module.get(module, []), schemas)
        parts = [_module_doc(module, svcs), IMPORTS]
        needed = {dep for name in records for dep in record_closure(schemas, {name})[name]}
        needed |= {s.record for s in svcs if s.module == module and s.record}
        foreign: dict[str, list[str]] = defaultdict(list)
        for name in sorted(needed):
            if homes[name] != module:
                foreign[homes[name]].append(name)
        for home in sorted(foreign):
            parts.append(f"from .{home} import {', '.join(foreign[home])}\n")
        all_names = [*records, *(s.cls for s in svcs if s.module == module)]
        parts.append(f"__all__ = {sorted(all_names)!r}\n")
        for name in records:
            parts.append(render_record(name, schemas[name], users.get(name, [])))
        for svc in svcs:
            if svc.module == module:
                parts.append(render_service(svc))
        modules[f"{module}.py"] = "\n\n".join(parts)
    modules.update(render_services(svcs))
    modules["__init__.py"] = render_init(modules, svcs, by_module)
    return modules


def _topo(names: list[str], schemas: dict[str, Any]) -> list[str]:
    """Records in dependency order (referenced before referencing), names otherwise sorted."""
    order: list[str] = []
    pending = set(names)

    def visit(name: str) -> None:
        if name not in pending:
            return
        pending.discard(name)
        for dep in sorted(record_closure(schemas, {name})[name]):
            visit(dep)
        order.append(name)

    for name in sorted(names):
        visit(name)
    return order


def _module_doc(module: str, svcs: list[Service]) -> str:
    attrs_ = [f"``client.{s.attr}``" for s in svcs if s.module == module]
    what = ", ".join(attrs_) if attrs_ else "records shared by several service families"
    return HEADER + doc(f"Generated records and services: {what}.") + "\n"


def render_services(svcs: list[Service]) -> dict[str, str]:
    """``_namespaces.py`` (``client.backends`` …) and ``_services.py`` (the client mixin)."""
    namespaces: dict[str, list[Service]] = defaultdict(list)
    top: list[Service] = []
    for svc in svcs:
        if "." in svc.attr:
            namespaces[svc.attr.split(".")[0]].append(svc)
        else:
            top.append(svc)
    ns_lines = [
        HEADER + '"""Namespaces grouping services by family, as in the API reference."""',
        "from __future__ import annotations",
        "from functools import cached_property",
        "from ..._http import HTTPCore",
    ]
    ns_lines += _imports(s for group in namespaces.values() for s in group)
    for ns in sorted(namespaces):
        members = ", ".join(s.attr.split(".")[1] for s in sorted(namespaces[ns], key=_attr))
        ns_lines += [
            f"class {_ns_class(ns)}:",
            "    " + doc(f"``client.{ns}``: {members}.", 4),
            '    __slots__ = ("__dict__", "_http")',
            "    def __init__(self, http: HTTPCore) -> None:",
            "        self._http = http",
            "    def __repr__(self) -> str:",
            f'        return "<{_ns_class(ns)}>"',
        ]
        for svc in sorted(namespaces[ns], key=_attr):
            ns_lines += _prop(svc.attr.split(".")[1], svc.cls, _title(svc.tag))
    lines = [
        HEADER
        + '"""The generated services as attributes of ``AsyncClient``, namespaces included."""',
        "from __future__ import annotations",
        "from functools import cached_property",
        "from typing import Final",
        "from ..._http import HTTPCore",
        f"from ._namespaces import {', '.join(_ns_class(ns) for ns in sorted(namespaces))}",
    ]
    lines += _imports(top)
    tags = {svc.tag: svc.attr for svc in svcs} | HAND_WRITTEN
    lines.append(
        "TAGS: Final[dict[str, str]] = {"
        + ", ".join(f'"{t}": "{a}"' for t, a in sorted(tags.items()))
        + "}\n"
        '"""Every spec tag and the ``AsyncClient`` attribute that serves it."""'
    )
    lines += [
        "class GeneratedServices:",
        '    """``AsyncClient`` mixin: a cached attribute per generated service or namespace."""',
        "    _http: HTTPCore",
    ]
    for svc in sorted(top, key=_attr):
        lines += _prop(svc.attr, svc.cls, _title(svc.tag))
    for ns in sorted(namespaces):
        lines += _prop(ns, _ns_class(ns), f"The ``{ns}`` namespace")
    return {"_namespaces.py": "\n".join(ns_lines) + "\n", "_services.py": "\n".join(lines) + "\n"}


def _attr(svc: Service) -> str:
    return svc.attr


def _ns_class(ns: str) -> str:
    return "".join(part.title() for part in ns.split("_")) + "Namespace"


def _imports(svcs: Any) -> list[str]:
    by_module: dict[str, list[str]] = defaultdict(list)
    for svc in svcs:
        by_module[svc.module].append(svc.cls)
    return [f"from .{m} import {', '.join(sorted(c))}" for m, c in sorted(by_module.items())]


def _prop(attr: str, cls: str, doc: str) -> list[str]:
    return [
        "    @cached_property",
        f"    def {attr}(self) -> {cls}:",
        f'        """{doc}."""',
        f"        return {cls}(self._http)",
    ]


def render_init(
    modules: dict[str, str], svcs: list[Service], by_module: dict[str, list[str]]
) -> str:
    lines = [HEADER + '"""Every generated record and service, re-exported."""']
    names: list[str] = []
    for module in sorted(m.removesuffix(".py") for m in modules):
        if module in ("__init__", "_namespaces", "_services"):
            continue
        exported = sorted(
            [*by_module.get(module, []), *(s.cls for s in svcs if s.module == module)]
        )
        names += exported
        lines.append(f"from .{module} import {', '.join(exported)}")
    lines.append("from ._services import TAGS, GeneratedServices")
    lines.append(f"__all__ = {sorted([*names, 'GeneratedServices', 'TAGS'])!r}")
    return "\n".join(lines) + "\n"


# --- Coverage table ------------------------------------------------------------------------


def coverage_table(spec: dict[str, Any]) -> str:
    by_tag: dict[str, list[Operation]] = defaultdict(list)
    for op in operations(spec):
        by_tag[op.tag].append(op)
    attrs_ = {tag: attr for tag, (attr, _) in SERVICES.items()} | HAND_WRITTEN
    rows = []
    for tag, ops in by_tag.items():
        names = []
        for op in sorted(ops, key=_op_order):
            name = op.name + ("\\*" if op.extra else "")
            names.append(name)
            if op.list_key:
                names.append("pages" if op.name == "list" else f"{op.name}_pages")
        note = " (hand-written)" if tag in HAND_WRITTEN else ""
        rows.append((attrs_[tag], f"| `client.{attrs_[tag]}`{note} | {', '.join(names)} |"))
    in_spec = sum(1 for ops in by_tag.values() for op in ops if not op.extra)
    extra = sum(1 for ops in by_tag.values() for op in ops if op.extra)
    head = [
        f"{len(by_tag)} services, {in_spec} operations from `spec/ngrok.yaml` and {extra} it lacks "
        "(marked \\*, present in the API",
        "and ngrok's official client), generated by `tools/generate.py` "
        "(`python tools/generate.py --table`",
        "prints this table).",
        "",
        "| service | operations |",
        "|---|---|",
    ]
    return "\n".join(head + [row for _, row in sorted(rows)]) + "\n"


# --- Driver --------------------------------------------------------------------------------


def write(out: pathlib.Path, spec: dict[str, Any]) -> None:
    modules = render_modules(spec)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for name, text in sorted(modules.items()):
        (out / name).write_text(text)
    ruff = [sys.executable, "-m", "ruff"]
    config = ["--config", str(ROOT / "pyproject.toml")]
    subprocess.run(
        [*ruff, "check", "-q", *config, "--fix-only", "--select", "I,F401,UP", str(out)], check=True
    )
    subprocess.run([*ruff, "format", "-q", *config, str(out)], check=True)
    for path in sorted(out.glob("*.py")):
        count = len(path.read_text().splitlines())
        if count > MAX_LINES:
            raise SystemExit(f"{path.name} has {count} lines (budget {MAX_LINES}): split it")


def check(spec: dict[str, Any]) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        fresh = pathlib.Path(tmp) / "_generated"
        write(fresh, spec)
        stale = []
        names = {p.name for p in fresh.glob("*.py")} | {p.name for p in OUT.glob("*.py")}
        for name in sorted(names):
            new = (fresh / name).read_text() if (fresh / name).exists() else ""
            old = (OUT / name).read_text() if (OUT / name).exists() else ""
            if new != old:
                stale.append(name)
                sys.stdout.writelines(
                    difflib.unified_diff(
                        old.splitlines(True), new.splitlines(True), name, name, n=1
                    )
                )
    table = coverage_table(spec)
    if table not in README.read_text():
        stale.append("README.md coverage table")
    if stale:
        print(f"stale generated output: {', '.join(stale)}; run python tools/generate.py")
        return 1
    print("generated output is up to date")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if committed output is stale")
    parser.add_argument("--table", action="store_true", help="print the README coverage table")
    args = parser.parse_args()
    spec = load_spec()
    if args.table:
        print(coverage_table(spec), end="")
        return 0
    if args.check:
        return check(spec)
    write(OUT, spec)
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
