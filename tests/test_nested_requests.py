"""Nested request fields: TypedDicts or records in, checked by dotted path before any request."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
import respx

from ngrok_async import AsyncClient, InvalidParameterError, from_dict
from ngrok_async.types import EndpointCompression, EndpointOAuth, EndpointWebsocketTCPConverter

from .deprecations import ALLOW

pytestmark = ALLOW  # the nested types are tried on edge routes, which ngrok deprecated

EDGE, ROUTE = "edghts_1", "edghtsrt_1"


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"oauth": {"enabeld": True}}, "oauth.enabeld"),
        ({"oauth": {"provider": {"gogle": {}}}}, "oauth.provider.gogle"),
        ({"oauth": {"provider": {"google": {"client_id": 5}}}}, "oauth.provider.google.client_id"),
        ({"oauth": {"enabled": "yes"}}, "oauth.enabled"),
        ({"oauth": {"inactivity_timeout": timedelta(milliseconds=5)}}, "oauth.inactivity_timeout"),
        ({"oauth": "google"}, "oauth"),
        (
            {"circuit_breaker": {"error_threshold_percentage": "high"}},
            "circuit_breaker.error_threshold_percentage",
        ),
        ({"request_headers": {"add": {"x-a": 1}}}, "request_headers.add['x-a']"),
        (
            {"ip_restriction": {"ip_policy_ids": ["ipp_1", 2]}},
            "ip_restriction.ip_policy_ids[1]",
        ),
        ({"websocket_tcp_converter": EndpointCompression(enabled=True)}, "websocket_tcp_converter"),
        ({"match_type": "prefix"}, "match_type"),
    ],
)
async def test_bad_nested_input_is_refused_before_sending(
    client: AsyncClient, api: respx.MockRouter, kwargs: dict[str, Any], param: str
) -> None:
    route = api.route().respond(200, json={"id": ROUTE, "uri": "u"})
    with pytest.raises(InvalidParameterError) as caught:
        await client.edges.https_routes.create(EDGE, **kwargs)
    assert caught.value.param == param
    assert isinstance(caught.value, ValueError)
    assert not route.called


async def test_nested_typed_dicts_records_and_timedelta_on_the_wire(
    client: AsyncClient, api: respx.MockRouter
) -> None:
    route = api.post(f"/edges/https/{EDGE}/routes").respond(200, json={"id": ROUTE, "uri": "u"})
    await client.edges.https_routes.create(
        EDGE,
        match_type="path_prefix",
        match="/",
        oauth={
            "provider": {"google": {"client_id": "api://app", "email_domains": ["example.com"]}},
            "inactivity_timeout": timedelta(hours=1),
        },
        websocket_tcp_converter=EndpointWebsocketTCPConverter(enabled=True),
        circuit_breaker={"enabled": True, "error_threshold_percentage": 0.5, "num_buckets": 10},
    )
    assert json.loads(route.calls.last.request.content) == {
        "match_type": "path_prefix",
        "match": "/",
        "oauth": {
            "provider": {"google": {"client_id": "api://app", "email_domains": ["example.com"]}},
            "inactivity_timeout": 3600,
        },
        "websocket_tcp_converter": {"enabled": True},
        "circuit_breaker": {"enabled": True, "error_threshold_percentage": 0.5, "num_buckets": 10},
    }


async def test_a_module_read_from_the_api_can_be_passed_back(
    client: AsyncClient, api: respx.MockRouter
) -> None:
    module = from_dict(
        EndpointOAuth,
        {
            "enabled": False,
            "provider": {"github": {"client_id": "c", "teams": ["t"]}},
            "cookie_prefix": "",
        },
    )
    route = api.put(f"/edges/https/{EDGE}/routes/{ROUTE}/oauth").respond(200, json={})
    await client.edge_modules.https_edge_route_oauth.replace(
        EDGE, ROUTE, enabled=module.enabled, provider=module.provider
    )
    assert json.loads(route.calls.last.request.content) == {
        "enabled": False,
        "provider": {"github": {"client_id": "c", "teams": ["t"]}},
    }
    update = api.patch(f"/edges/https/{EDGE}/routes/{ROUTE}").respond(
        200, json={"id": ROUTE, "uri": "u"}
    )
    await client.edges.https_routes.update(EDGE, ROUTE, oauth=module)
    # The whole record goes back as read: its values, without what the API left out.
    assert json.loads(update.calls.last.request.content) == {
        "oauth": {
            "enabled": False,
            "provider": {"github": {"client_id": "c", "teams": ["t"]}},
            "options_passthrough": False,
            "inactivity_timeout": 0,
            "maximum_duration": 0,
            "auth_check_interval": 0,
        }
    }


async def test_a_required_nested_key_is_checked(client: AsyncClient, api: respx.MockRouter) -> None:
    route = api.post("/event_destinations").respond(200, json={"id": "ed_1", "uri": "u"})
    creds = {"aws_access_key_id": "AKIA"}
    with pytest.raises(InvalidParameterError) as caught:
        await client.event_destinations.create(
            target={"kinesis": {"auth": {"creds": creds}, "stream_arn": "arn:x"}}
        )
    assert caught.value.param == "target.kinesis.auth.creds.aws_secret_access_key"
    assert not route.called
