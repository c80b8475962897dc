"""Walk spec/ngrok.yaml: every operation is reachable from AsyncClient, right on the wire.

The spec is read as the generator reads it (``tools/codegen``: ngrok's spec plus
``spec/extra.yaml``, the operations the API has and the spec lacks). For each operation the
test finds the service by its tag (``TAGS``) and the method by its operationId, calls it with a
synthetic value for every path, query and body parameter, and checks the request respx saw:
method, path, query string and JSON body, and that it warns exactly when ngrok deprecated it.
A spec update that adds an operation or a parameter fails here until ``python
tools/generate.py`` is re-run.
"""

from __future__ import annotations

import inspect
import json
import pathlib
import re
import sys
from datetime import datetime, timezone
from typing import Any

import attrs
import httpx
import pytest
import respx

from ngrok_async import AsyncClient
from ngrok_async._convert import converter, structurer
from ngrok_async.resources import _generated
from ngrok_async.resources._generated import TAGS

from . import deprecations
from .conftest import fixture

sys.path.insert(0, str(pathlib.Path(__file__).parent.parent / "tools"))
from codegen.overrides import QUERY_PYTHON_NAMES, QUERY_WIRE_KEYS
from codegen.spec import EXTRA_MARK, load_spec

SPEC = load_spec()
SCHEMAS: dict[str, Any] = SPEC["components"]["schemas"]
WHEN = "2025-04-21T18:19:52Z"
PUBLIC_KEY = fixture("ssh_credential_create")["public_key"]
# Hand-written services take these body fields positionally.
POSITIONAL_BODY = ("ssh_certificate_authority_id", "public_key")
# Values that pass the hand-written services' local checks.
KNOWN_GOOD = {"private_key_type": "ed25519", "key_size": 4096, "elliptic_curve": "p384"}
# Values from the closed sets the API documents (tools/codegen/overrides.py LITERAL_FIELDS).
CHOICES = {
    "authority": "letsencrypt",
    "terminate_at": "edge",
    "min_version": "1.2",
    "match_type": "path_prefix",
    "action": "deny",
    "type": "endpoints",
}
NESTED_CHOICES = {"private_key_type": "ecdsa"}
INT_MAPS = {("WeightedBackend", "backends")}


def ref(schema: dict[str, Any]) -> str | None:
    target = schema.get("$ref")
    return target.rsplit("/", 1)[-1] if target else None


def operations() -> list[dict[str, Any]]:
    ops = []
    for path, item in SPEC["paths"].items():
        for method, op in item.items():
            tag = op["tags"][0]
            suffix = op["operationId"][len(tag) :]
            assert op["operationId"].lower().startswith(tag.lower()), op["operationId"]
            params = [p for p in op.get("parameters", []) if "name" in p]
            body_ref = ref(
                op.get("requestBody", {})
                .get("content", {})
                .get("application/json", {})
                .get("schema", {})
            )
            response = next(iter(op["responses"].values())) or {}
            ops.append(
                {
                    "id": op["operationId"],
                    "tag": tag,
                    "name": re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", suffix).lower(),
                    "method": method.upper(),
                    "path": path,
                    "path_params": re.findall(r"{(\w+)}", path),
                    "query": [
                        {**p, "name": QUERY_PYTHON_NAMES.get(p["name"], p["name"])}
                        for p in params
                        if p["in"] == "query"
                    ],
                    "extra": bool(op.get(EXTRA_MARK)),
                    "body": body_ref,
                    "response": ref(
                        response.get("content", {}).get("application/json", {}).get("schema", {})
                    ),
                }
            )
    return ops


OPERATIONS = operations()


def value_for(name: str, schema: dict[str, Any], owner: str = "") -> tuple[Any, Any]:
    """A synthetic Python argument for a field and the JSON it must become on the wire."""
    kind = schema.get("type")
    if name in KNOWN_GOOD and owner in (
        "",
        "SSHCertificateAuthorityCreate",
        "SSHUserCertificateCreate",
    ):
        return KNOWN_GOOD[name], KNOWN_GOOD[name]
    if name in NESTED_CHOICES and owner.endswith("CertPolicy"):
        return NESTED_CHOICES[name], NESTED_CHOICES[name]
    if name in CHOICES:
        return CHOICES[name], CHOICES[name]
    if ref(schema):
        return request_object(ref(schema) or "")
    if kind == "array":
        item = ref(schema.get("items", {}))
        if item:
            python, wire = request_object(item)
            return [python], [wire]
        return ["a", "b"], ["a", "b"]
    if kind == "object":
        if (owner.removesuffix("Create").removesuffix("Update"), name) in INT_MAPS:
            return {"bkd_1": 5}, {"bkd_1": 5}
        return {"k": "v"}, {"k": "v"}
    if kind == "boolean":
        return True, True
    if kind == "integer":
        return 7, 7
    if kind == "number":
        return 0.5, 0.5
    if name == "valid_after":
        return datetime(2025, 4, 21, 18, 19, 52, tzinfo=timezone.utc), WHEN
    if name == "valid_until":
        return datetime(2025, 4, 22, 18, 19, 52, tzinfo=timezone.utc), "2025-04-22T18:19:52Z"
    if name == "public_key":
        return PUBLIC_KEY, PUBLIC_KEY
    return f"{name}-1", f"{name}-1"


def request_object(name: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A nested request object of schema ``name`` with every field set, and its wire JSON."""
    python: dict[str, Any] = {}
    wire: dict[str, Any] = {}
    for prop, schema in SCHEMAS[name].get("properties", {}).items():
        python[prop], wire[prop] = value_for(prop, schema, name)
    return python, wire


def example(name: str, depth: int = 0) -> dict[str, Any]:
    """A synthetic JSON object for schema ``name``, every field set."""
    out: dict[str, Any] = {}
    for prop, schema in SCHEMAS[name].get("properties", {}).items():
        kind = schema.get("type")
        nested = ref(schema) or ref(schema.get("items", {}))
        if nested:
            item = example(nested, depth + 1) if depth < 4 else {}
            out[prop] = [item] if kind == "array" else item
        elif kind == "string" and (
            (prop.endswith("_at") and prop != "terminate_at")
            or prop.startswith("valid_")
            or prop in ("last_active", "last_login", "not_before", "not_after")
        ):
            out[prop] = WHEN
        else:
            out[prop] = value_for(prop, schema, name)[1]
    return out


def body_fields(op: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    if not op["body"]:
        return None, {}
    name = op["body"]
    props = {k: v for k, v in SCHEMAS[name]["properties"].items() if k not in op["path_params"]}
    if op["method"] == "PUT" and list(props) == ["module"]:
        name = ref(props["module"])
        assert name
        props = SCHEMAS[name]["properties"]
    return name, props


def resolve(client: AsyncClient, tag: str) -> Any:
    assert tag in TAGS, f"spec tag {tag} has no AsyncClient service: run tools/generate.py"
    target: Any = client
    for part in TAGS[tag].split("."):
        target = getattr(target, part)
    return target


def test_counts() -> None:
    """The numbers the README table and the issue quote."""
    assert len(OPERATIONS) == 246  # 241 in ngrok's spec, 5 of ai_gateway_api_keys from extra.yaml
    assert sum(op["extra"] for op in OPERATIONS) == 5
    assert len({op["tag"] for op in OPERATIONS}) == len(TAGS) == 60
    assert len({op["id"] for op in OPERATIONS}) == len(OPERATIONS)


@pytest.mark.parametrize("op", OPERATIONS, ids=[op["id"] for op in OPERATIONS])
async def test_operation_on_the_wire(
    op: dict[str, Any], client: AsyncClient, api: respx.MockRouter
) -> None:
    service = resolve(client, op["tag"])
    is_list = op["response"] is not None and op["response"].endswith("List")
    method_name = op["name"]
    if is_list:
        method_name = "pages" if op["name"] == "list" else f"{op['name']}_pages"
    assert hasattr(service, method_name), f"{op['id']}: {TAGS[op['tag']]}.{op['name']} missing"
    method = getattr(service, method_name)
    signature = inspect.signature(method)

    args: list[Any] = [f"{p}_1" for p in op["path_params"]]
    expected_path = op["path"].format(**{p: f"{p}_1" for p in op["path_params"]})
    kwargs: dict[str, Any] = {}
    expected_body: dict[str, Any] = {}
    owner, props = body_fields(op)
    for field, schema in props.items():
        python, wire = value_for(field, schema, owner or "")
        assert field in signature.parameters, f"{op['id']}: no parameter {field!r}"
        if field in POSITIONAL_BODY and (
            signature.parameters[field].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
        ):
            args.append(python)
        else:
            kwargs[field] = python
        expected_body[field] = wire
    expected_query: dict[str, str] = {}
    repeated: list[tuple[str, str]] = []
    for param in op["query"]:
        name = param["name"]
        assert name in signature.parameters, f"{op['id']}: no query parameter {name!r}"
        if name == "limit":
            kwargs[name], expected_query[name] = 5, "5"
        elif param.get("schema", {}).get("type") == "array":  # form style: the key repeated
            kwargs[name] = ["a", "b"]
            repeated += [
                (QUERY_WIRE_KEYS.get(name, name), "a"),
                (QUERY_WIRE_KEYS.get(name, name), "b"),
            ]
        else:
            kwargs[name], expected_query[name] = f"{name}_1", f"{name}_1"

    seen: list[httpx.Request] = []
    record = op["response"]
    if is_list:
        key, schema = next(
            (k, v) for k, v in SCHEMAS[record]["properties"].items() if v.get("type") == "array"
        )
        record = ref(schema["items"])
        assert record
        payload: Any = {key: [example(record)], "uri": "u", "next_page_uri": None}
    else:
        payload = example(record) if record else None

    def respond(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if payload is None:
            return httpx.Response(204)
        return httpx.Response(201 if op["method"] == "POST" else 200, json=payload)

    api.route().mock(side_effect=respond)
    with deprecations.expect(op["tag"]):  # warns exactly for what ngrok deprecated
        if is_list:
            pages = [page async for page in method(*args, **kwargs)]
            result: Any = pages[0].items[0]
        else:
            result = await method(*args, **kwargs)

    (request,) = seen
    assert request.method == op["method"]
    assert request.url.path == expected_path
    assert sorted(request.url.params.multi_items()) == sorted([*expected_query.items(), *repeated])
    if expected_body:  # a body schema without fields sends no body, as the official client does
        assert json.loads(request.content) == expected_body
    else:
        assert request.content == b""
    if record:
        assert type(result).__name__ == record
    else:
        assert result is None


GENERATED_RECORDS = sorted(
    (name for name in _generated.__all__ if attrs.has(getattr(_generated, name))),
)


@pytest.mark.parametrize("name", GENERATED_RECORDS)
def test_record_decodes_a_full_example(name: str) -> None:
    """Every field of every generated record decodes, and re-encodes to the same JSON."""
    cls = getattr(_generated, name)
    data = example(name)
    record = structurer(cls)(data)
    assert json.loads(json.dumps(converter.unstructure(record))) == data
    assert {f.name for f in attrs.fields(cls)} == set(SCHEMAS[name].get("properties", {}))


@pytest.mark.parametrize("name", GENERATED_RECORDS)
def test_record_decodes_a_sparse_example(name: str) -> None:
    """Only ``id`` and ``uri`` are required; null counts as absent."""
    cls = getattr(_generated, name)
    required = {f.name for f in attrs.fields(cls) if f.default is attrs.NOTHING}
    assert required <= {"id", "uri"}
    data: dict[str, Any] = {field: f"{field}-1" for field in required}
    data.update({f.name: None for f in attrs.fields(cls) if f.name not in required})
    record = structurer(cls)(data)
    for field in required:
        assert getattr(record, field) == f"{field}-1"


def filtered_in_spec() -> set[str]:
    """``service.method`` of every operation the spec gives ``filter``."""
    return {
        f"{TAGS[op['tag']]}.{op['name']}"
        for op in OPERATIONS
        if any(q["name"] == "filter" for q in op["query"])
    }


def test_filter_is_offered_exactly_where_the_spec_has_it(client: AsyncClient) -> None:
    """``filter=`` on a list ngrok does not filter would return everything: never offer it."""
    offered: set[str] = set()
    for op in OPERATIONS:
        service = resolve(client, op["tag"])
        for name in (op["name"], "pages" if op["name"] == "list" else f"{op['name']}_pages"):
            method = getattr(service, name, None)
            if method is not None and "filter" in inspect.signature(method).parameters:
                offered.add(f"{TAGS[op['tag']]}.{op['name']}")
    assert len(filtered_in_spec()) == 19
    assert offered == filtered_in_spec()


async def test_get_secrets_by_vault_on_the_wire(client: AsyncClient, api: respx.MockRouter) -> None:
    """GET /vaults/{id}/secrets pages like any list; the spec gives it no ``filter``."""
    route = api.get("/vaults/vault_1/secrets").respond(
        200,
        json={
            "secrets": [example("Secret")],
            "uri": "https://api.ngrok.com/vaults/vault_1/secrets",
            "next_page_uri": None,
        },
    )
    secrets = [s async for s in client.vaults.get_secrets_by_vault("vault_1", limit=10)]
    assert [type(s).__name__ for s in secrets] == ["Secret"]
    assert dict(route.calls.last.request.url.params) == {"limit": "10"}
    pages = client.vaults.get_secrets_by_vault_pages("vault_1", before_id="sec_1")
    assert [len(page.items) async for page in pages] == [1]
    assert route.calls.last.request.url.params["before_id"] == "sec_1"


def test_no_methods_beyond_the_spec(client: AsyncClient) -> None:
    """Generated services expose exactly the spec's operations (plus ``pages`` beside ``list``)."""
    by_tag: dict[str, set[str]] = {"Vaults": {"get_secrets_by_vault_pages"}}
    for op in OPERATIONS:
        by_tag.setdefault(op["tag"], set()).add(op["name"])
    for tag, names in by_tag.items():
        service = resolve(client, tag)
        if "_generated" not in type(service).__module__:
            continue
        public = {
            n
            for n in dir(service)
            if not n.startswith("_") and inspect.ismethod(getattr(service, n))
        }
        expected = names | ({"pages"} if "list" in names else set())
        assert public == expected, tag
