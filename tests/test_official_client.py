"""Our operations against ngrok's official client (ngrok-api, importable as ``ngrok``).

The official client (0.19) covers ngrok's spec; ``ai_gateway_api_keys`` (from ngrok's Go client,
``spec/extra.yaml``) is beyond it. Its methods are compared with ours as a set (a newer client
with a new operation fails here), and every operation of the spec is compared on the wire: the
same arguments to both clients, the requests captured (respx for ours, ``requests.request`` for
theirs) and compared.
"""

from __future__ import annotations

import inspect
import json
from datetime import timedelta
from functools import cached_property
from typing import Any

import httpx
import ngrok
import pytest
import requests
import respx
from ngrok import datatypes

from ngrok_async import AsyncClient

from . import deprecations
from . import test_spec_coverage as spec_coverage
from .test_spec_coverage import QUERY_WIRE_KEYS

NOW = "2025-04-21T18:19:52Z"


def official_operations() -> set[str]:
    """``service.method`` (``namespace.service.method``) for every method of the official client."""
    client = ngrok.Client("key")
    out: set[str] = set()
    for name, member in inspect.getmembers(type(client)):
        if name.startswith("_") or not isinstance(member, property):
            continue
        service = getattr(client, name)
        children = (
            [(f"{name}.{field}", getattr(service, field)) for field in service._fields]
            if isinstance(service, tuple)  # a namespace: a namedtuple of services
            else [(name, service)]
        )
        for path, child in children:
            for method, _ in inspect.getmembers(type(child), inspect.isfunction):
                if not method.startswith("_"):
                    out.add(f"{path}.{method}")
    return out


def our_operations() -> set[str]:
    """The same walk over AsyncClient; ``pages``/``*_pages`` and ``create_many`` are ours alone."""
    out: set[str] = set()

    def walk(obj: Any, prefix: str) -> None:
        for name in dir(type(obj)):
            member = getattr(type(obj), name)
            if name.startswith("_"):
                continue
            if isinstance(member, cached_property):
                walk(getattr(obj, name), f"{prefix}{name}.")
            elif inspect.isfunction(member) and prefix:
                out.add(prefix + name)

    walk(AsyncClient("key"), "")
    return {op for op in out if not op.endswith(("pages", ".create_many"))}


def test_every_official_operation_is_ours_and_no_more() -> None:
    official = official_operations()
    assert len(official) == 241
    assert official - our_operations() == set(), "the official client has operations we lack"
    beyond = {f"ai_gateway_api_keys.{m}" for m in ("create", "delete", "get", "list", "update")}
    assert our_operations() - official == beyond


class Captured:
    """What the official client sent through ``requests.request``."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.payload: Any = {}

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        self.calls.append({"method": method.upper(), "url": url, **kwargs})
        response = requests.Response()
        response.status_code = 200
        response._content = json.dumps({} if self.payload is None else self.payload).encode()
        return response


@pytest.fixture
def official(monkeypatch: pytest.MonkeyPatch) -> tuple[ngrok.Client, Captured]:
    captured = Captured()
    monkeypatch.setattr(requests, "request", captured.request)
    return ngrok.Client("key"), captured


def official_wire(call: dict[str, Any]) -> tuple[str, str, list[tuple[str, str]], Any]:
    request = requests.Request(call["method"], call["url"], params=call.get("params")).prepare()
    url = httpx.URL(request.url or "")
    return call["method"], url.path, sorted(url.params.multi_items()), unset(call.get("json"))


def our_wire(request: httpx.Request) -> tuple[str, str, list[tuple[str, str]], Any]:
    body = json.loads(request.content) if request.content else None
    return request.method, request.url.path, sorted(request.url.params.multi_items()), unset(body)


def unset(body: Any) -> Any:
    """The body without the empty strings and lists the official client sends for every argument
    not given (the API reads an empty field as an absent one)."""
    if not isinstance(body, dict):
        return body
    return {k: v for k, v in body.items() if v not in ("", [])}


def record(kind: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": f"{kind}_1",
        "uri": f"https://api.ngrok.com/{kind}/1",
        "created_at": NOW,
        **fields,
    }


async def compare(
    official: tuple[ngrok.Client, Captured],
    api: respx.MockRouter,
    payload: Any,
    theirs: Any,
    ours: Any,
) -> None:
    client, captured = official
    captured.payload = payload
    theirs(client)
    route = api.route().respond(200, json=payload)
    result = ours()
    if inspect.isasyncgen(result):
        _ = [item async for item in result]
    else:
        await result
    assert our_wire(route.calls.last.request) == official_wire(captured.calls[-1])


async def test_service_users_on_the_wire(
    official: tuple[ngrok.Client, Captured], client: AsyncClient, api: respx.MockRouter
) -> None:
    user = record("service_users", name="ci", active=True)
    await compare(
        official,
        api,
        user,
        lambda c: c.service_users.create(name="ci", active=True),
        lambda: client.service_users.create(name="ci", active=True),
    )
    await compare(
        official,
        api,
        user,
        lambda c: c.service_users.update("service_users_1", name="ci2", active=False),
        lambda: client.service_users.update("service_users_1", name="ci2", active=False),
    )
    await compare(
        official,
        api,
        {"service_users": [user], "uri": "u", "next_page_uri": None},
        lambda c: list(c.service_users.list(limit="5")),
        lambda: client.service_users.list(limit=5),
    )
    api.route().respond(200, json=user)
    created = await client.service_users.get("service_users_1")
    assert (created.name, created.active) == ("ci", True)


async def test_resolves_to_and_vault_name_on_the_wire(
    official: tuple[ngrok.Client, Captured], client: AsyncClient, api: respx.MockRouter
) -> None:
    domain = record("reserved_domains", domain="x.example", resolves_to=[{"value": "eu"}])
    entry = datatypes.ReservedDomainResolvesToEntry(None, {"value": "eu"})
    await compare(
        official,
        api,
        domain,
        lambda c: c.reserved_domains.create(domain="x.example", resolves_to=[entry]),
        lambda: client.reserved_domains.create(
            domain="x.example",
            region="",
            description="",
            metadata="",
            resolves_to=[{"value": "eu"}],
        ),
    )
    api.route().respond(200, json=domain)
    read = await client.reserved_domains.get("rd_1")
    assert [e.value for e in read.resolves_to] == ["eu"]
    await compare(
        official,
        api,
        domain,
        lambda c: c.reserved_domains.update("rd_1", resolves_to=[entry]),
        lambda: client.reserved_domains.update("rd_1", resolves_to=read.resolves_to),
    )
    secret = record("vault_secrets", name="db", vault_name="prod")
    await compare(
        official,
        api,
        secret,
        lambda c: c.secrets.create(name="db", value="s3cret", vault_name="prod"),
        lambda: client.secrets.create(name="db", value="s3cret", vault_name="prod"),
    )
    api.route().respond(200, json=secret)
    assert (await client.secrets.get("sec_1")).vault_name == "prod"


async def test_secrets_by_vault_on_the_wire(
    official: tuple[ngrok.Client, Captured], client: AsyncClient, api: respx.MockRouter
) -> None:
    page = {"secrets": [record("vault_secrets")], "uri": "u", "next_page_uri": None}
    await compare(
        official,
        api,
        page,
        lambda c: c.vaults.get_secrets_by_vault("vault_1", limit="3"),
        lambda: client.vaults.get_secrets_by_vault("vault_1", limit=3),
    )


async def test_endpoint_list_repeats_array_keys(
    official: tuple[ngrok.Client, Captured], client: AsyncClient, api: respx.MockRouter
) -> None:
    page = {"endpoints": [record("endpoints")], "uri": "u", "next_page_uri": None}
    await compare(
        official,
        api,
        page,
        lambda c: list(c.endpoints.list(limit="10", id=["ep_1", "ep_2"], url=["https://a.b"])),
        lambda: client.endpoints.list(limit=10, ids=["ep_1", "ep_2"], urls=["https://a.b"]),
    )


@deprecations.ALLOW
async def test_oidc_client_id_is_an_opaque_string(
    official: tuple[ngrok.Client, Captured], client: AsyncClient, api: respx.MockRouter
) -> None:
    fields = {"enabled": True, "issuer": "https://idp.example", "client_id": "api://app/oidc"}
    await compare(
        official,
        api,
        fields,
        lambda c: c.edge_modules.https_edge_route_oidc.replace(
            "edghts_1", "edghtsrt_1", module=datatypes.EndpointOIDC(None, dict(fields))
        ),
        lambda: client.edge_modules.https_edge_route_oidc.replace(
            "edghts_1", "edghtsrt_1", **fields
        ),
    )


@deprecations.ALLOW
async def test_nested_oauth_provider_on_the_wire(
    client: AsyncClient, api: respx.MockRouter
) -> None:
    """The official client cannot serialise nested objects; ours sends the wire JSON."""
    google = {"client_id": "cid", "client_secret": "cs", "email_domains": ["example.com"]}
    module = {"enabled": True, "provider": {"google": google}, "inactivity_timeout": 3600}
    route = api.put("/edges/https/edghts_1/routes/edghtsrt_1/oauth").respond(200, json=module)
    read = await client.edge_modules.https_edge_route_oauth.replace(
        "edghts_1",
        "edghtsrt_1",
        enabled=True,
        provider={
            "google": {"client_id": "cid", "client_secret": "cs", "email_domains": ["example.com"]}
        },
        inactivity_timeout=timedelta(hours=1),
    )
    assert json.loads(route.calls.last.request.content) == module
    assert read.provider is not None
    await client.edge_modules.https_edge_route_oauth.replace(
        "edghts_1", "edghtsrt_1", provider=read.provider
    )
    resent = json.loads(route.calls.last.request.content)
    # The record read back is sent as it was read; what the API left out stays out.
    assert resent == {"provider": {"google": google}}


class Props:
    """What the official client serialises a nested object from (its ``extract_props``)."""

    def __init__(self, props: Any) -> None:
        self._props = props


def official_value(wire: Any, schema: dict[str, Any]) -> Any:
    if schema.get("$ref"):
        return Props(wire)
    if schema.get("type") == "array" and schema.get("items", {}).get("$ref"):
        return [Props(item) for item in wire]
    return wire


IN_SPEC = [op for op in spec_coverage.OPERATIONS if not op["extra"]]


@pytest.mark.parametrize("op", IN_SPEC, ids=[o["id"] for o in IN_SPEC])
async def test_every_operation_matches_the_official_client_on_the_wire(
    op: dict[str, Any],
    official: tuple[ngrok.Client, Captured],
    client: AsyncClient,
    api: respx.MockRouter,
) -> None:
    """The same arguments to both clients: the same method, path, query and body."""
    theirs_client, captured = official
    service = spec_coverage.resolve(client, op["tag"])
    theirs: Any = theirs_client
    for part in spec_coverage.TAGS[op["tag"]].split("."):
        theirs = getattr(theirs, part)
    their_method = getattr(theirs, op["name"])
    their_params = inspect.signature(their_method).parameters
    path_args = {p: f"{p}_1" for p in op["path_params"]}
    ours_kwargs: dict[str, Any] = dict(path_args)
    their_kwargs: dict[str, Any] = dict(path_args)
    owner, props = spec_coverage.body_fields(op)
    module: dict[str, Any] = {}
    for field, schema in props.items():
        python, wire = spec_coverage.value_for(field, schema, owner or "")
        ours_kwargs[field] = python
        module[field] = wire
        if field in their_params:
            their_kwargs[field] = official_value(wire, schema)
    if "module" in their_params:
        their_kwargs["module"] = Props(module)
    for param in op["query"]:
        name = param["name"]
        if name == "limit":
            ours_kwargs[name], their_kwargs[name] = 5, "5"
        elif param.get("schema", {}).get("type") == "array":
            key = QUERY_WIRE_KEYS.get(name, name)
            ours_kwargs[name], their_kwargs[key] = ["a", "b"], ["a", "b"]
        else:
            ours_kwargs[name] = their_kwargs[name] = f"{name}_1"
    is_list = op["response"] is not None and op["response"].endswith("List")
    if is_list:
        key, schema = next(
            (k, v)
            for k, v in spec_coverage.SCHEMAS[op["response"]]["properties"].items()
            if v.get("type") == "array"
        )
        item = spec_coverage.ref(schema["items"]) or ""
        payload: Any = {key: [spec_coverage.example(item)], "uri": "u", "next_page_uri": None}
    else:
        payload = spec_coverage.example(op["response"]) if op["response"] else None
    captured.payload = payload
    their_method(**their_kwargs)
    route = (
        api.route().respond(200, json=payload) if payload is not None else api.route().respond(204)
    )
    method = getattr(service, op["name"])
    if is_list:
        method = getattr(service, "pages" if op["name"] == "list" else f"{op['name']}_pages")
    with deprecations.expect(op["tag"]):
        if is_list:
            _ = [page async for page in method(**ours_kwargs)]
        else:
            await method(**ours_kwargs)
    assert our_wire(route.calls.last.request) == official_wire(captured.calls[-1])
