"""The mistakes of issue 12: each line marked ``# error`` must fail mypy --strict, no other line.

Only type-checked (tests/test_typing.py), never run.
"""

from __future__ import annotations

from ngrok_async import AsyncClient
from ngrok_async.types import AWSCredentialsParam


async def main(client: AsyncClient, edge_id: str, route_id: str) -> None:
    routes = client.edges.https_routes
    await routes.create(edge_id, oauth={"enabeld": True})  # error
    await routes.create(edge_id, oauth={"provider": {"gogle": {}}})  # error
    await routes.create(edge_id, oauth={"enabled": "yes"})  # error
    await routes.create(edge_id, circuit_breaker={"error_threshold_percentage": "high"})  # error
    await routes.create(edge_id, oauth={"provider": {"google": {"client_id": 5}}})  # error
    await routes.create(edge_id, match_type="prefix")  # error
    await routes.create(edge_id, oauth={"inactivity_timeout": "1h"})  # error
    await client.reserved_domains.create(resolves_to=[{"valeu": "eu"}])  # error
    module = await client.edge_modules.https_edge_route_oauth.get(edge_id, route_id)
    await routes.update(edge_id, route_id, compression=module)  # error
    await routes.update(edge_id, route_id, oauth=module)
    creds: AWSCredentialsParam = {"aws_access_key_id": "AKIA"}  # error
    await client.event_destinations.create(target={"kinesis": {"auth": {"creds": creds}}})
