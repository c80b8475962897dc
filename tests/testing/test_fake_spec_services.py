"""The services the fake serves from the spec: filters, body checks, references, modules, ASGI."""

from __future__ import annotations

import httpx
import pytest

from ngrok_async.testing import FakeNgrok, Faults

from .conftest import HEADERS, error_of


async def make(fake_http: httpx.AsyncClient, path: str, **body: object) -> dict[str, object]:
    response = await fake_http.post(path, json=body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_filter_selects_by_description_and_by_creation_time(
    fake_http: httpx.AsyncClient, fake: FakeNgrok
) -> None:
    clock = iter([1_700_000_000, 1_700_000_100, 1_700_000_200])
    fake._wall_clock = lambda: next(clock, 1_700_000_300)  # type: ignore[method-assign]
    ids = [
        (await make(fake_http, "/event_destinations", description=d))["id"] for d in ("a", "b", "a")
    ]

    async def listed(expression: str) -> list[object]:
        response = await fake_http.get("/event_destinations", params={"filter": expression})
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["event_destinations"]]

    assert await listed('obj.description == "a"') == [ids[2], ids[0]]
    assert await listed('obj.created_at > timestamp("2023-11-14T22:14:00Z")') == [ids[2], ids[1]]
    assert await listed('obj.description != "a" || obj.id == "' + ids[0] + '"') == [ids[1], ids[0]]
    assert await listed('obj.description in ["b"] && size(obj.description) == 1') == [ids[1]]
    assert await listed("!(obj.description == 'a') && obj.id.startsWith('ed_')") == [ids[1]]
    assert await listed("obj.no_such_field == null") == []  # an error in CEL: none selected
    assert await listed("!(obj.no_such_field == null)") == []
    assert await listed("obj.no_such_field == null || obj.description == 'b'") == [ids[1]]
    assert await listed("obj.target == null") == ids[::-1]  # declared, unset: null
    assert await listed("obj.created_at > timestamp(time.now).subtract('150s')") == [ids[2]]


async def test_a_filter_where_ngrok_does_not_filter_is_ignored(
    fake_http: httpx.AsyncClient,
) -> None:
    """As ngrok does on the lists whose spec has no ``filter``: everything comes back."""
    ids = [(await make(fake_http, "/edges/tcp", description=d))["id"] for d in ("a", "b")]
    response = await fake_http.get("/edges/tcp", params={"filter": 'obj.description == "a"'})
    assert response.status_code == 200, response.text
    assert [edge["id"] for edge in response.json()["tcp_edges"]] == ids[::-1]
    broken = await fake_http.get("/edges/tcp", params={"filter": "frobnicate(obj)"})
    assert broken.status_code == 200


async def test_filtered_pages_keep_the_filter_in_next_page_uri(
    fake_http: httpx.AsyncClient,
) -> None:
    for description in ("x", "y", "x", "x"):
        await make(fake_http, "/reserved_addrs", description=description)
    first = (
        await fake_http.get(
            "/reserved_addrs", params={"filter": 'obj.description == "x"', "limit": 2}
        )
    ).json()
    assert len(first["reserved_addrs"]) == 2
    assert "filter=obj.description%20%3D%3D%20%22x%22" in first["next_page_uri"]
    second = (await fake_http.get(first["next_page_uri"])).json()
    assert [a["description"] for a in second["reserved_addrs"]] == ["x"]
    assert second["next_page_uri"] is None


@pytest.mark.parametrize(
    "expression", ["obj.description ==", "frobnicate(obj)", "description == 'a'", "'a' && true"]
)
async def test_a_filter_outside_the_subset_is_a_400(
    fake_http: httpx.AsyncClient, expression: str
) -> None:
    await make(fake_http, "/ip_policies", description="a")
    response = await fake_http.get("/ip_policies", params={"filter": expression})
    assert response.status_code == 400
    assert error_of(response)["error_code"] == "ERR_NGROK_400"


async def test_bodies_are_checked_against_the_spec(fake_http: httpx.AsyncClient) -> None:
    missing = await fake_http.post(
        "/ip_policy_rules", json={"cidr": "10.0.0.0/8", "action": "allow"}
    )
    assert missing.status_code == 400
    assert "ip_policy_id is required" in error_of(missing)["msg"]
    wrong = await fake_http.post("/edges/https", json={"hostports": "app.example.com:443"})
    assert error_of(wrong)["error_code"] == "ERR_NGROK_213"
    nested = await fake_http.post("/edges/https", json={"mutual_tls": {"enabled": "yes"}})
    assert "mutual_tls.enabled" in error_of(nested)["msg"]
    long = await fake_http.post("/edges/tls", json={"description": "d" * 256})
    assert error_of(long)["error_code"] == "ERR_NGROK_504"
    listed = await fake_http.patch("/edges/tls/edgtls_x", json={"description": 5})
    assert listed.status_code == 404  # the item is looked up before the body


async def test_references_are_checked_and_rendered(
    fake_http: httpx.AsyncClient, fake: FakeNgrok
) -> None:
    orphan = await fake_http.post(
        "/ip_policy_rules", json={"cidr": "10.0.0.0/8", "action": "allow", "ip_policy_id": "ipp_1"}
    )
    assert orphan.status_code == 404
    policy = await make(fake_http, "/ip_policies", description="office")
    rule = await make(
        fake_http, "/ip_policy_rules", cidr="10.0.0.0/8", action="allow", ip_policy_id=policy["id"]
    )
    assert rule["ip_policy"] == {"id": policy["id"], "uri": policy["uri"]}
    assert "ip_policy_id" not in rule
    restriction = await make(
        fake_http, "/ip_restrictions", type="dashboard", ip_policy_ids=[policy["id"]]
    )
    assert restriction["ip_policies"] == [{"id": policy["id"], "uri": policy["uri"]}]


async def test_routes_live_under_their_edge(fake_http: httpx.AsyncClient) -> None:
    missing = await fake_http.post(
        "/edges/https/edghts_nope/routes", json={"match_type": "exact_path", "match": "/"}
    )
    assert missing.status_code == 404
    assert "edghts_nope" in error_of(missing)["msg"]
    edge = await make(fake_http, "/edges/https", hostports=["app.example.com:443"])
    route = await make(
        fake_http, f"/edges/https/{edge['id']}/routes", match_type="path_prefix", match="/"
    )
    assert str(route["id"]).startswith("edghtsrt_")
    assert route["uri"] == f"{edge['uri']}/routes/{route['id']}"
    backend = await make(fake_http, "/backends/tunnel_group", labels={"app": "web"})
    replaced = await fake_http.put(f"{route['uri']}/backend", json={"backend_id": backend["id"]})
    assert replaced.json()["backend"] == {"id": backend["id"], "uri": backend["uri"]}
    unknown = await fake_http.put(f"{route['uri']}/backend", json={"backend_id": "bkdwt_missing"})
    assert unknown.status_code == 404
    got = (await fake_http.get(str(edge["uri"]))).json()
    assert [r["id"] for r in got["routes"]] == [route["id"]]
    assert got["routes"][0]["backend"]["backend"]["id"] == backend["id"]
    assert (await fake_http.delete(str(edge["uri"]))).status_code == 204
    assert (await fake_http.get(str(route["uri"]))).status_code == 404


async def test_modules_are_fields_of_their_edge(fake_http: httpx.AsyncClient) -> None:
    edge = await make(fake_http, "/edges/tls", hostports=["tls.example.com:443"])
    assert (await fake_http.get(f"{edge['uri']}/mutual_tls")).status_code == 404
    put = await fake_http.put(f"{edge['uri']}/mutual_tls", json={"enabled": True, "unknown": 1})
    assert put.json() == {"enabled": True}
    assert (await fake_http.get(str(edge["uri"]))).json()["mutual_tls"] == {"enabled": True}
    assert (await fake_http.delete(f"{edge['uri']}/mutual_tls")).status_code == 204
    assert "mutual_tls" not in (await fake_http.get(str(edge["uri"]))).json()


async def test_event_sources_are_keyed_by_type(fake_http: httpx.AsyncClient) -> None:
    sub = await make(fake_http, "/event_subscriptions", description="audit")
    sources = f"/event_subscriptions/{sub['id']}/sources"
    created = await make(fake_http, sources, type="ip_policy_created.v0")
    assert created["type"] == "ip_policy_created.v0"
    again = await fake_http.post(sources, json={"type": "ip_policy_created.v0"})
    assert again.status_code == 409
    got = await fake_http.get(f"{sources}/ip_policy_created.v0")
    assert got.json()["type"] == "ip_policy_created.v0"
    listed = (await fake_http.get(str(sub["uri"]))).json()["sources"]
    assert [s["type"] for s in listed] == ["ip_policy_created.v0"]


async def test_patch_changes_present_fields_only(fake_http: httpx.AsyncClient) -> None:
    domain = await make(fake_http, "/reserved_domains", domain="app.example.com", description="d")
    patched = await fake_http.patch(str(domain["uri"]), json={"metadata": "m", "description": None})
    assert patched.json()["description"] == "d"
    assert patched.json()["metadata"] == "m"
    assert patched.json()["domain"] == "app.example.com"


async def test_faults_counters_and_recording_apply_to_every_service(fake: FakeNgrok) -> None:
    async with httpx.AsyncClient(
        transport=fake, base_url=fake.base_url, headers=HEADERS
    ) as fake_http:
        await make(fake_http, "/bot_users", name="ci")
        assert fake.stats.created["bot_users"] == 1
        assert fake.requests[-1].path == "/bot_users"
        assert fake.requests[-1].json == {"name": "ci"}
        fake.faults = Faults(p_unavailable=1.0)
        response = await fake_http.get("/agent_ingresses")
        assert error_of(response)["error_code"] == "ERR_NGROK_503"
        assert fake.stats.faults["unavailable"] == 1
        fake.faults = Faults(p_drop_after=1.0)
        with pytest.raises(httpx.RemoteProtocolError):
            await fake_http.post("/vaults", json={"name": "v"})
        assert fake.stats.created["vaults"] == 1  # the work was done before the drop


async def test_the_fake_is_an_asgi_app(fake: FakeNgrok) -> None:
    transport = httpx.ASGITransport(app=fake)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", headers=HEADERS
    ) as fake_http:
        made = await make(
            fake_http,
            "/endpoints",
            url="https://app.example.com",
            type="cloud",
            traffic_policy="{}",
        )
        assert made["uri"] == f"http://testserver/endpoints/{made['id']}"
        assert str(made["id"]).startswith("ep_")
        assert (await fake_http.get("/endpoints")).json()["endpoints"][0]["id"] == made["id"]


async def test_add_resource_seeds_what_the_api_creates_itself(
    fake_http: httpx.AsyncClient, fake: FakeNgrok
) -> None:
    seeded = fake.add_resource("tunnel_sessions", region="eu", os="linux")
    assert str(seeded["id"]).startswith("ts_")
    got = (await fake_http.get(f"/tunnel_sessions/{seeded['id']}")).json()
    assert got["region"] == "eu"
    assert (
        await fake_http.post(f"/tunnel_sessions/{seeded['id']}/restart", json={})
    ).status_code == 204
    assert (await fake_http.post("/tunnel_sessions/ts_missing/stop", json={})).status_code == 404
    assert fake.resources("tunnel_sessions") == [got]
    with pytest.raises(ValueError, match="unknown kind"):
        fake.add_resource("nothing_here")


async def test_paging_checks_before_id_on_every_service(fake_http: httpx.AsyncClient) -> None:
    bad = await fake_http.get("/backends/weighted", params={"before_id": "cr_123"})
    assert error_of(bad)["error_code"] == "ERR_NGROK_223"
    limit = await fake_http.get("/backends/weighted", params={"limit": "101"})
    assert error_of(limit)["error_code"] == "ERR_NGROK_233"
