"""The request path retries per the retry rule, and never repeats a create that may have worked."""

from __future__ import annotations

import time

import anyio
import httpx
import pytest
import respx

from ngrok_async import (
    AmbiguousCreateError,
    AsyncClient,
    NgrokAPIError,
    NgrokConnectionError,
    NotFoundError,
    RateLimit,
    RateLimitError,
    ServerError,
)

from .conftest import fixture

RATE_LIMITED = {
    "error_code": "ERR_NGROK_226",
    "status_code": 429,
    "msg": "slow down",
    "details": {"operation_id": "op_1"},
}


def responses(*items: httpx.Response | Exception) -> list[httpx.Response | Exception]:
    return list(items)


@pytest.mark.parametrize("status", [429, 502, 503, 504])
async def test_get_retries_transient_statuses(
    client: AsyncClient, api: respx.MockRouter, sleeps: list[float], status: int
) -> None:
    route = api.get("/credentials/cr_1").mock(
        side_effect=[httpx.Response(status), httpx.Response(200, json=fixture("credential_get"))]
    )

    cred = await client.credentials.get("cr_1")

    assert cred.id == fixture("credential_get")["id"]
    assert route.call_count == 2
    assert len(sleeps) == 1


@pytest.mark.parametrize(
    "error",
    [
        httpx.ConnectError("refused"),
        httpx.ConnectTimeout("t"),
        httpx.PoolTimeout("p"),
        httpx.ReadTimeout("r"),
        httpx.ReadError("reset"),
        httpx.RemoteProtocolError("disconnected"),
    ],
)
async def test_get_retries_transport_errors(
    client: AsyncClient, api: respx.MockRouter, sleeps: list[float], error: Exception
) -> None:
    route = api.get("/credentials/cr_1").mock(
        side_effect=[error, httpx.Response(200, json=fixture("credential_get"))]
    )

    await client.credentials.get("cr_1")

    assert route.call_count == 2


async def test_retries_stop_at_max_retries(
    client: AsyncClient, api: respx.MockRouter, sleeps: list[float]
) -> None:
    route = api.get("/credentials/cr_1").respond(503)

    with pytest.raises(ServerError):
        await client.credentials.get("cr_1")

    assert route.call_count == client.max_retries + 1 == 3
    assert len(sleeps) == 2


async def test_max_retries_zero_disables(client: AsyncClient, api: respx.MockRouter) -> None:
    route = api.get("/credentials/cr_1").respond(429, json=RATE_LIMITED)

    with pytest.raises(RateLimitError) as info:
        await client.with_options(max_retries=0).credentials.get("cr_1")

    assert info.value.error_code == "ERR_NGROK_226"
    assert route.call_count == 1


async def test_500_is_not_retried_for_get(client: AsyncClient, api: respx.MockRouter) -> None:
    route = api.get("/credentials/cr_1").respond(500)

    with pytest.raises(ServerError):
        await client.credentials.get("cr_1")

    assert route.call_count == 1


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409])
async def test_client_errors_are_not_retried(
    client: AsyncClient, api: respx.MockRouter, status: int
) -> None:
    route = api.get("/credentials/cr_1").respond(status)

    with pytest.raises(NgrokAPIError) as info:
        await client.credentials.get("cr_1")

    assert info.value.status_code == status
    assert route.call_count == 1


@pytest.mark.parametrize(
    "first",
    [
        httpx.Response(429, json=RATE_LIMITED),
        httpx.Response(503),
        httpx.ConnectError("refused"),
        httpx.ConnectTimeout("t"),
        httpx.PoolTimeout("p"),
    ],
)
async def test_create_retries_only_when_no_work_was_done(
    client: AsyncClient, api: respx.MockRouter, sleeps: list[float], first: object
) -> None:
    route = api.post("/credentials").mock(
        side_effect=[first, httpx.Response(201, json=fixture("credential_create"))]
    )

    cred = await client.credentials.create(description="ci runner")

    assert cred.token == fixture("credential_create")["token"]
    assert route.call_count == 2
    assert route.calls[0].request.content == route.calls[1].request.content


@pytest.mark.parametrize(
    "failure",
    [
        httpx.Response(500),
        httpx.Response(502),
        httpx.Response(504),
        httpx.ReadTimeout("slow"),
        httpx.ReadError("reset"),
        httpx.RemoteProtocolError("server disconnected"),
        httpx.WriteError("broken pipe"),
    ],
)
async def test_ambiguous_create_is_never_retried(
    client: AsyncClient, api: respx.MockRouter, sleeps: list[float], failure: object
) -> None:
    route = api.post("/ssh_user_certificates").mock(side_effect=[failure])

    with pytest.raises(AmbiguousCreateError) as info:
        await client.ssh_user_certificates.create(
            "sshca_1", fixture("ssh_user_certificate_create")["public_key"]
        )

    assert route.call_count == 1
    assert sleeps == []
    assert "may or may not exist" in str(info.value)
    assert (info.value.method, info.value.path) == ("POST", "/ssh_user_certificates")
    assert isinstance(info.value.__cause__, (ServerError, NgrokConnectionError))


async def test_ambiguous_even_with_retries_disabled(
    client: AsyncClient, api: respx.MockRouter
) -> None:
    api.post("/credentials").respond(502)

    with pytest.raises(AmbiguousCreateError):
        await client.with_options(max_retries=0).credentials.create()


async def test_create_that_runs_out_of_retries_on_503_is_a_plain_server_error(
    client: AsyncClient, api: respx.MockRouter
) -> None:
    route = api.post("/credentials").respond(503)

    with pytest.raises(ServerError) as info:
        await client.credentials.create()

    assert not isinstance(info.value, AmbiguousCreateError)
    assert route.call_count == 3


async def test_retry_after_seconds_is_honoured(
    client: AsyncClient, api: respx.MockRouter, sleeps: list[float]
) -> None:
    api.get("/credentials/cr_1").mock(
        side_effect=[
            httpx.Response(503, headers={"Retry-After": "7"}),
            httpx.Response(200, json=fixture("credential_get")),
        ]
    )

    await client.credentials.get("cr_1")

    assert sleeps == [7.0]


async def test_retry_after_is_capped(
    client: AsyncClient, api: respx.MockRouter, sleeps: list[float]
) -> None:
    api.get("/credentials/cr_1").mock(
        side_effect=[
            httpx.Response(429, headers={"Retry-After": "86400"}),
            httpx.Response(200, json=fixture("credential_get")),
        ]
    )

    await client.credentials.get("cr_1")

    assert sleeps == [60.0]


async def test_429_without_header_still_backs_off(
    client: AsyncClient, api: respx.MockRouter, sleeps: list[float]
) -> None:
    api.get("/credentials/cr_1").mock(
        side_effect=[
            httpx.Response(429, json=RATE_LIMITED),
            httpx.Response(200, json=fixture("credential_get")),
        ]
    )

    await client.credentials.get("cr_1")

    assert len(sleeps) == 1
    assert sleeps[0] >= 0.5


async def test_delete_retried_after_ambiguous_failure_accepts_404(
    client: AsyncClient, api: respx.MockRouter
) -> None:
    route = api.delete("/credentials/cr_1").mock(
        side_effect=[httpx.ReadTimeout("slow"), httpx.Response(404)]
    )

    assert await client.credentials.delete("cr_1") is None
    assert route.call_count == 2


async def test_delete_404_after_a_no_work_failure_is_still_not_found(
    client: AsyncClient, api: respx.MockRouter
) -> None:
    api.delete("/credentials/cr_1").mock(
        side_effect=[httpx.ConnectError("refused"), httpx.Response(404)]
    )

    with pytest.raises(NotFoundError):
        await client.credentials.delete("cr_1")


async def test_429_pauses_the_whole_client(
    client: AsyncClient, api: respx.MockRouter, pauses: list[float]
) -> None:
    api.get("/credentials/cr_1").mock(
        side_effect=[
            httpx.Response(429, json=RATE_LIMITED),
            httpx.Response(429, headers={"Retry-After": "3"}),
            httpx.Response(200, json=fixture("credential_get")),
        ]
    )

    await client.credentials.get("cr_1")

    assert len(pauses) == 2
    assert pauses[0] >= 0.5
    assert pauses[1] == 3.0


async def test_concurrency_cap_429_pauses_briefly_while_window_429_waits_for_the_window(
    api: respx.MockRouter, pauses: list[float], sleeps: list[float]
) -> None:
    cap = {**RATE_LIMITED, "error_code": "ERR_NGROK_225"}
    api.get("/credentials/cr_1").respond(200, json=fixture("credential_get"))
    api.get("/credentials/cr_2").mock(
        side_effect=[
            httpx.Response(429, json=cap),
            httpx.Response(429, json=RATE_LIMITED),
            httpx.Response(200, json=fixture("credential_get")),
        ]
    )

    async with AsyncClient("k", rate_limit=RateLimit(5, 60.0)) as ngrok:
        await ngrok.credentials.get("cr_1")  # one permit in the window, expiring in ~60 s
        await ngrok.credentials.get("cr_2")

    assert pauses[0] == 0.5
    assert 59.0 < pauses[1] <= 60.0


async def test_429_holds_back_other_callers_in_real_time(api: respx.MockRouter) -> None:
    first_answered = anyio.Event()
    started: dict[str, float] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        who = request.url.path.rsplit("/", 1)[-1]
        started.setdefault(who, time.perf_counter())
        if who == "cr_a" and not first_answered.is_set():
            first_answered.set()
            return httpx.Response(429, headers={"Retry-After": "0.3"}, json=RATE_LIMITED)
        return httpx.Response(200, json=fixture("credential_get"))

    api.route(method="GET", path__startswith="/credentials/").mock(side_effect=handler)
    async with AsyncClient("k", rate_limit=None) as ngrok, anyio.create_task_group() as tg:
        tg.start_soon(ngrok.credentials.get, "cr_a")
        await first_answered.wait()
        paused_at = time.perf_counter()
        await ngrok.with_options(max_retries=0).credentials.get("cr_b")

    assert started["cr_b"] - paused_at >= 0.25


async def test_retry_log_lines(
    client: AsyncClient, api: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    api.get("/credentials/cr_1").mock(
        side_effect=[httpx.Response(503), httpx.Response(200, json=fixture("credential_get"))]
    )
    caplog.set_level("DEBUG", logger="ngrok_async")

    await client.credentials.get("cr_1")

    messages = [r.getMessage() for r in caplog.records if r.name == "ngrok_async"]
    assert messages[0].startswith("GET /credentials/cr_1 -> 503; retry 1 in ")
    assert messages[-1].startswith("GET /credentials/cr_1 -> 200 in ")
    assert "retries=1" in messages[-1]
