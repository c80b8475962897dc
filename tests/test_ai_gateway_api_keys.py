"""``client.ai_gateway_api_keys``: on the wire as ngrok's Go client v8 sends it, and on the fake.

The Go client (``ai_gateway_api_keys/client.go``, ``datatypes.go``) is the source: POST and GET
on ``/ai_gateway_api_keys``, GET/PATCH/DELETE on ``/ai_gateway_api_keys/{id}``; the update body
leaves the id out (``json:"id,omitempty"`` after the path is built); list takes ``before_id``
and ``limit`` only (plain ``Paging``, no ``filter``).
"""

from __future__ import annotations

import inspect
import json

import pytest
import respx

from ngrok_async import AsyncClient, NotFoundError
from ngrok_async.testing import FakeNgrok
from ngrok_async.types import AIGatewayAPIKey

KEY = {
    "id": "aigk_1",
    "uri": "https://api.ngrok.com/ai_gateway_api_keys/aigk_1",
    "created_at": "2026-03-06T18:17:46Z",
    "updated_at": "2026-03-06T18:17:46Z",
    "description": "llm",
    "metadata": "",
    "created_by": {"id": "usr_1", "uri": "https://api.ngrok.com/users/usr_1"},
    "endpoint": {"id": "ep_1", "uri": "https://api.ngrok.com/endpoints/ep_1"},
    "token": "aigk_secret_token_value",
    "display_name": "aigk_…alue",
    "last_used": None,
}


async def test_create_update_list_get_delete_on_the_wire(
    client: AsyncClient, api: respx.MockRouter
) -> None:
    create = api.post("/ai_gateway_api_keys").respond(201, json=KEY)
    key = await client.ai_gateway_api_keys.create(
        description="llm", metadata='{"team": "ml"}', endpoint_id="ep_1"
    )
    sent = create.calls.last.request
    assert json.loads(sent.content) == {
        "description": "llm",
        "metadata": '{"team": "ml"}',
        "endpoint_id": "ep_1",
    }
    assert key.token == "aigk_secret_token_value"
    assert "aigk_secret_token_value" not in repr(key) + str(key)
    assert key.endpoint is not None
    assert key.endpoint.id == "ep_1"
    assert key.created_at is not None
    assert key.created_at.tzinfo is not None

    update = api.patch("/ai_gateway_api_keys/aigk_1").respond(200, json={**KEY, "token": None})
    updated = await client.ai_gateway_api_keys.update("aigk_1", description="llm2")
    assert json.loads(update.calls.last.request.content) == {"description": "llm2"}
    assert updated.token is None

    listing = api.get("/ai_gateway_api_keys").respond(
        200, json={"ai_gateway_api_keys": [KEY], "uri": "u", "next_page_uri": None}
    )
    keys = [k async for k in client.ai_gateway_api_keys.list(limit=10, before_id="aigk_9")]
    assert [k.id for k in keys] == ["aigk_1"]
    assert dict(listing.calls.last.request.url.params) == {"limit": "10", "before_id": "aigk_9"}
    assert "filter" not in inspect.signature(client.ai_gateway_api_keys.list).parameters

    api.get("/ai_gateway_api_keys/aigk_1").respond(200, json=KEY)
    assert isinstance(await client.ai_gateway_api_keys.get("aigk_1"), AIGatewayAPIKey)
    delete = api.delete("/ai_gateway_api_keys/aigk_1").respond(204)
    assert await client.ai_gateway_api_keys.delete("aigk_1") is None
    assert delete.calls.last.request.content == b""


async def test_the_fake_serves_them_with_a_token_only_on_create() -> None:
    fake = FakeNgrok()
    endpoint = fake.add_resource("endpoints", url="https://ai.example", type="cloud")
    async with fake.client() as client:
        key = await client.ai_gateway_api_keys.create(description="d", endpoint_id=endpoint["id"])
        assert key.id.startswith("aigk_")
        assert key.token
        assert key.endpoint is not None
        assert key.endpoint.id == endpoint["id"]
        again = await client.ai_gateway_api_keys.get(key.id)
        assert again.token is None
        assert [k.id async for k in client.ai_gateway_api_keys.list()] == [key.id]
        await client.ai_gateway_api_keys.delete(key.id)
        with pytest.raises(NotFoundError):
            await client.ai_gateway_api_keys.get(key.id)
        with pytest.raises(NotFoundError):  # the endpoint is checked
            await client.ai_gateway_api_keys.create(endpoint_id="ep_00000000000000000000000000")
