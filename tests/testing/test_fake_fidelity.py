"""The fake refuses what ngrok refuses: one body rule for every service, records as ngrok prints
them. Each case here was a departure found by driving the fake from outside (schemathesis,
ngrok's official client)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from ngrok_async import InvalidParameterError
from ngrok_async.testing import FakeNgrok
from ngrok_async.testing._api import SCHEMAS, record_schema

from .conftest import ED25519_KEY, error_of

SEED_UPDATES = [
    "credentials",
    "ssh_credentials",
    "ssh_certificate_authorities",
    "ssh_user_certificates",
    "ssh_host_certificates",
    "api_keys",
]


async def make(fake_http: httpx.AsyncClient, path: str, **body: Any) -> dict[str, Any]:
    response = await fake_http.post(path, json=body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def seed_one(fake_http: httpx.AsyncClient, kind: str) -> dict[str, Any]:
    """One resource of a hand-written (seed) service."""
    if kind in ("credentials", "api_keys", "ssh_certificate_authorities"):
        return await make(fake_http, f"/{kind}")
    if kind == "ssh_credentials":
        return await make(fake_http, "/ssh_credentials", public_key=ED25519_KEY)
    ca = await make(fake_http, "/ssh_certificate_authorities")
    return await make(
        fake_http, f"/{kind}", ssh_certificate_authority_id=ca["id"], public_key=ED25519_KEY
    )


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/ip_restrictions", {"type": "dashboard", "ip_policy_ids": [None]}),
        ("/event_subscriptions", {"destination_ids": [None]}),
        ("/edges/https", {"mutual_tls": {"certificate_authority_ids": [None]}}),
        ("/edges/https", {"hostports": [None]}),
        ("/edges/tcp", {"hostports": ["1.tcp.ngrok.io:1", None]}),
    ],
)
async def test_null_inside_a_list_is_a_400_on_create(
    fake_http: httpx.AsyncClient, fake: FakeNgrok, path: str, body: dict[str, Any]
) -> None:
    response = await fake_http.post(path, json=body)
    assert response.status_code == 400, response.text
    error = error_of(response)
    assert error["error_code"] == "ERR_NGROK_213"
    assert "null" in error["msg"]
    assert fake.resources(path.strip("/")) == []


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/ip_restrictions", {"ip_policy_ids": [None]}),
        ("/event_subscriptions", {"destination_ids": [None]}),
        ("/edges/https", {"mutual_tls": {"certificate_authority_ids": [None]}}),
        ("/edges/https", {"hostports": [None]}),
    ],
)
async def test_null_inside_a_list_is_a_400_on_update_and_nothing_changes(
    fake_http: httpx.AsyncClient, path: str, body: dict[str, Any]
) -> None:
    create = {"type": "dashboard"} if path == "/ip_restrictions" else {}
    if path == "/ip_restrictions":
        policy = await make(fake_http, "/ip_policies")
        create["ip_policy_ids"] = [policy["id"]]
    made = await make(fake_http, path, **create)
    response = await fake_http.patch(f"{path}/{made['id']}", json=body)
    assert response.status_code == 400, response.text
    assert error_of(response)["error_code"] == "ERR_NGROK_213"
    assert (await fake_http.get(f"{path}/{made['id']}")).json() == made


async def test_null_in_an_id_list_never_raises_inside_the_caller(fake: FakeNgrok) -> None:
    """In process (the fake as an httpx transport) the answer is the 400, not a TypeError."""
    async with httpx.AsyncClient(transport=fake, base_url=fake.base_url) as http:
        response = await http.post(
            "/ip_restrictions",
            json={"type": "dashboard", "ip_policy_ids": [None]},
            headers={"Authorization": f"Bearer {fake.api_key}", "Ngrok-Version": "2"},
        )
    assert error_of(response)["error_code"] == "ERR_NGROK_213"
    async with fake.client(max_retries=0) as ngrok:  # the SDK refuses it before any request
        with pytest.raises(InvalidParameterError):
            await ngrok.ip_restrictions.create(type="dashboard", ip_policy_ids=[None])  # type: ignore[list-item]
    assert len(fake.requests) == 1


async def test_null_inside_a_seed_service_list_is_a_400(fake_http: httpx.AsyncClient) -> None:
    response = await fake_http.post("/credentials", json={"acl": ["bind:a.example.com", None]})
    assert error_of(response)["error_code"] == "ERR_NGROK_213"


async def test_nested_required_fields_are_checked(
    fake_http: httpx.AsyncClient, fake: FakeNgrok
) -> None:
    response = await fake_http.post(
        "/event_destinations", json={"target": {"azure_logs_ingestion": {"tenant_id": "t"}}}
    )
    assert response.status_code == 400
    error = error_of(response)
    assert error["error_code"] == "ERR_NGROK_239"
    assert "target.azure_logs_ingestion.client_id is required" in error["msg"]
    assert fake.resources("event_destinations") == []
    complete = {
        "tenant_id": "t",
        "client_id": "c",
        "client_secret": "s",
        "logs_ingestion_uri": "https://logs.example.com",
        "data_collection_rule_id": "dcr",
        "data_collection_stream_name": "stream",
    }
    made = await make(fake_http, "/event_destinations", target={"azure_logs_ingestion": complete})
    assert made["target"]["azure_logs_ingestion"]["tenant_id"] == "t"


async def test_required_fields_inside_list_items_are_checked(
    fake_http: httpx.AsyncClient,
) -> None:
    edge = await make(fake_http, "/edges/https")
    route = await fake_http.post(f"/edges/https/{edge['id']}/routes", json={})
    assert route.status_code == 400
    assert error_of(route)["error_code"] == "ERR_NGROK_239"


@pytest.mark.parametrize("kind", SEED_UPDATES)
async def test_hand_written_services_refuse_a_wrongly_typed_patch_as_spec_ones_do(
    fake_http: httpx.AsyncClient, kind: str
) -> None:
    made = await seed_one(fake_http, kind)
    response = await fake_http.patch(f"/{kind}/{made['id']}", json={"id": {}})
    assert response.status_code == 400
    assert error_of(response)["error_code"] == "ERR_NGROK_213"
    spec_driven = await make(fake_http, "/ip_policies")
    same = await fake_http.patch(f"/ip_policies/{spec_driven['id']}", json={"id": {}})
    assert error_of(same)["error_code"] == error_of(response)["error_code"]
    assert (await fake_http.get(f"/{kind}/{made['id']}")).status_code == 200


async def test_an_empty_principal_is_accepted(fake_http: httpx.AsyncClient) -> None:
    """Neither the spec nor ngrok's docs state a rule against it (see the testing guide)."""
    ca = await make(fake_http, "/ssh_certificate_authorities")
    cert = await make(
        fake_http,
        "/ssh_user_certificates",
        ssh_certificate_authority_id=ca["id"],
        public_key=ED25519_KEY,
        principals=[""],
    )
    assert cert["principals"] == [""]


def test_every_record_kind_prints_empty_description_and_metadata_as_empty_strings() -> None:
    fake = FakeNgrok(seed=7)
    kinds = fake._router.kinds
    checked = 0
    for template in kinds.templates:
        collection = template.replace("{edge_id}", "edghts_x").replace("{id}", "x")
        rendered = fake.add_resource(collection)
        props = SCHEMAS.get(record_schema(template), {})
        for name in ("description", "metadata"):
            if name in props:
                assert rendered[name] == "", (template, name)
                checked += 1
            else:
                assert name not in rendered, (template, name)
        unset = set(rendered) - {"id", "uri", "created_at", "description", "metadata"}
        assert unset <= {"type"} | {f for f in rendered if isinstance(rendered[f], list)}, (
            template,
            unset,
        )
    assert checked > 40  # every described kind: the seed ones and the spec-driven ones


async def test_a_child_list_checks_before_id_as_other_lists_do(
    fake_http: httpx.AsyncClient,
) -> None:
    vault = await make(fake_http, "/vaults", name="v")
    listed = await fake_http.get(f"/vaults/{vault['id']}/secrets", params={"before_id": "\x84"})
    assert listed.status_code == 400
    assert error_of(listed)["error_code"] == "ERR_NGROK_223"
    wrong_kind = await fake_http.get(
        f"/vaults/{vault['id']}/secrets", params={"before_id": vault["id"]}
    )
    assert error_of(wrong_kind)["error_code"] == "ERR_NGROK_223"
    empty = await fake_http.get(f"/vaults/{vault['id']}/secrets", params={"before_id": ""})
    assert empty.json()["secrets"] == []
