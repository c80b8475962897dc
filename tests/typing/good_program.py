"""The correct program: nested TypedDicts, a record passed back, a nested timedelta.

Type-checked by tests/test_typing.py with mypy --strict and pyright, and run there on respx.
It uses edge routes, which ngrok deprecated, for their nested types: pyright's deprecation
report is off here (tests/typing/deprecated_program.py checks it).
"""
# pyright: reportDeprecated=false

from __future__ import annotations

from datetime import timedelta

from ngrok_async import AsyncClient
from ngrok_async.types import EndpointOAuthGoogleParam, EndpointOAuthParam, ReservedDomain


async def main(client: AsyncClient, edge_id: str, route_id: str) -> ReservedDomain:
    google: EndpointOAuthGoogleParam = {"client_id": "api://app", "email_domains": ["example.com"]}
    oauth: EndpointOAuthParam = {
        "enabled": True,
        "provider": {"google": google},
        "inactivity_timeout": timedelta(hours=1),
    }
    route = await client.edges.https_routes.create(
        edge_id, match_type="path_prefix", match="/", oauth=oauth
    )
    module = await client.edge_modules.https_edge_route_oauth.get(edge_id, route.id)
    if module.provider is not None:
        await client.edge_modules.https_edge_route_oauth.replace(
            edge_id, route_id, provider=module.provider, maximum_duration=timedelta(days=1)
        )
    await client.edges.https_routes.update(
        edge_id,
        route.id,
        circuit_breaker={"enabled": True, "error_threshold_percentage": 0.5},
        request_headers={"add": {"x-env": "ci"}, "remove": ["x-debug"]},
    )
    await client.service_users.create(name="ci", active=True)
    await client.edge_modules.https_edge_route_oidc.replace(
        edge_id, route_id, client_id="api://app/oidc", issuer="https://idp.example"
    )
    return await client.reserved_domains.create(
        domain="x.example",
        resolves_to=[{"value": "eu"}],
        certificate_management_policy={"authority": "letsencrypt", "private_key_type": "ecdsa"},
    )
