"""Per-client and per-call options, checked before any request: headers, query, ids, timeouts."""

from __future__ import annotations

import httpx
import pytest
import respx

from ngrok_async import AsyncClient, InvalidParameterError, RateLimit, UnsafeURLError

KEY = "sk_options"
CRED = {"id": "cr_1", "uri": "", "created_at": "2025-01-01T00:00:00Z"}


@pytest.mark.parametrize(
    "headers",
    [
        {"X-A": "1\r\nX-Injected: 1"},
        {"X-A": "a\nb"},
        {"X-A": "nul\x00"},
        {"X A": "1"},
        {"X-A\r\n": "1"},
        {"X-A": 5},
        {"X-A": "é"},
        {"Authorization": "Bearer other"},
        {"ngrok-version": "3"},
        "X-A: 1",
    ],
)
async def test_bad_headers_are_refused_before_any_request(headers: object) -> None:
    with respx.mock(assert_all_called=False) as router:
        route = router.route().respond(200, json=CRED)
        with pytest.raises(InvalidParameterError):
            AsyncClient(KEY, headers=headers)  # type: ignore[arg-type]
        async with AsyncClient(KEY) as ngrok:
            with pytest.raises(InvalidParameterError):
                ngrok.with_options(headers=headers)  # type: ignore[arg-type]
        assert not route.called


async def test_extra_headers_and_query_reach_the_wire() -> None:
    with respx.mock(base_url="https://api.ngrok.com") as router:
        route = router.get("/credentials/cr_1").respond(200, json=CRED)
        async with AsyncClient(KEY, headers={"X-Team": "infra"}) as ngrok:
            view = ngrok.with_options(headers={"X-Trace": "t1"}, query={"debug": "1"})
            await view.credentials.get("cr_1")
        sent = route.calls.last.request
        assert sent.headers["x-team"] == "infra"
        assert sent.headers["x-trace"] == "t1"
        assert sent.headers["authorization"] == f"Bearer {KEY}"
        assert sent.url.params["debug"] == "1"


async def test_a_user_agent_header_replaces_ours_without_duplicating() -> None:
    with respx.mock(base_url="https://api.ngrok.com") as router:
        route = router.get("/credentials/cr_1").respond(200, json=CRED)
        async with AsyncClient(KEY, headers={"user-agent": "mine/1"}) as ngrok:
            await ngrok.credentials.get("cr_1")
        assert route.calls.last.request.headers.get_list("user-agent") == ["mine/1"]


@pytest.mark.parametrize("ident", ["x" * 100_000, "a/b", "", "..", "a\r\nb"])
async def test_bad_ids_are_refused_before_any_request(ident: str) -> None:
    with respx.mock(assert_all_called=False) as router:
        route = router.route().respond(200, json=CRED)
        async with AsyncClient(KEY) as ngrok:
            with pytest.raises(InvalidParameterError) as caught:
                await ngrok.credentials.get(ident)
        assert len(str(caught.value)) < 300
        assert not route.called


@pytest.mark.parametrize(
    "timeout",
    [
        0,
        -1,
        float("inf"),
        float("nan"),
        True,
        "5",
        httpx.Timeout(None),
        httpx.Timeout(5, read=None),
    ],
)
def test_bad_timeouts_are_refused(timeout: object) -> None:
    with pytest.raises(InvalidParameterError):
        AsyncClient(KEY, timeout=timeout)  # type: ignore[arg-type]


def test_a_number_is_the_deadline_and_every_phase() -> None:
    ngrok = AsyncClient(KEY, timeout=7)
    assert ngrok.deadline == 7.0
    assert ngrok.timeout == httpx.Timeout(7.0)
    assert ngrok.with_options(timeout=3).deadline == 3.0
    assert ngrok.with_options(max_retries=0).deadline == 7.0


@pytest.mark.parametrize("base_url", ["https://alice:hunter2@api.ngrok.com", "https://:hunter2@h"])
def test_user_info_in_base_url_is_refused_and_not_echoed(base_url: str) -> None:
    with pytest.raises(UnsafeURLError) as caught:
        AsyncClient(KEY, base_url=base_url)
    assert "hunter2" not in str(caught.value)


@pytest.mark.parametrize(
    "base_url", ["https://api.ngrok.com\r\n", "https://a b", 5, "https://h/?q=1"]
)
def test_odd_base_urls_are_refused(base_url: object) -> None:
    with pytest.raises(UnsafeURLError):
        AsyncClient(KEY, base_url=base_url)  # type: ignore[arg-type]


@pytest.mark.parametrize("key", ["sk\r\nX: 1", "sk\x00", "ключ"])
def test_keys_that_cannot_be_a_header_are_refused(key: str) -> None:
    with pytest.raises(InvalidParameterError) as caught:
        AsyncClient(key)
    assert key not in str(caught.value)


@pytest.mark.parametrize(("requests", "per"), [(0, 60), (10, 0), (10, float("inf"))])
def test_a_bad_rate_limit_is_an_invalid_parameter(requests: int, per: float) -> None:
    with pytest.raises(InvalidParameterError):
        RateLimit(requests, per)


@pytest.mark.parametrize("size", [0, 1023, True, 2.5])
def test_a_bad_body_cap_is_refused(size: object) -> None:
    with pytest.raises(InvalidParameterError):
        AsyncClient(KEY, max_response_bytes=size)  # type: ignore[arg-type]
