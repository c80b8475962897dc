"""Calls of operations ngrok deprecated (marked ``# deprecated``) beside ones it did not.

tests/test_deprecations.py type-checks this with ``mypy --enable-error-code deprecated`` and
basedpyright: exactly the marked lines must be flagged. Never run.
"""

from __future__ import annotations

from ngrok_async import AsyncClient


async def main(client: AsyncClient) -> None:
    await client.edges.https.create(description="old")  # deprecated
    await client.endpoints.create(url="https://app.example", type="cloud", bindings=["public"])
    async for edge in client.edges.tcp.list():  # deprecated
        print(edge.id)
    await client.edges.https_routes.get("edghts_1", "edghtsrt_1")  # deprecated
    await client.edge_modules.https_edge_route_oauth.delete("edghts_1", "edghtsrt_1")  # deprecated
    await client.backends.weighted.delete("bkdwt_1")  # deprecated
    await client.bot_users.create(name="ci")  # deprecated
    await client.service_users.create(name="ci")
    async for tunnel in client.tunnels.list():  # deprecated
        print(tunnel.id)
    async for session in client.tunnel_sessions.list():
        print(session.id)
    async for credential in client.credentials.list(filter='obj.description == "ci"'):
        print(credential.id)
    await client.ai_gateway_api_keys.create(description="llm")
