"""Paging follows next_page_uri as an opaque URL, lazily, and only on the API origin."""

from __future__ import annotations

import httpx
import pytest
import respx

from ngrok_async import AsyncClient, NgrokDecodeError, Page, UnsafeURLError

BASE = "https://api.ngrok.com"


def cred(n: int) -> dict[str, str]:
    return {"id": f"cr_{n:03d}", "created_at": "2024-01-01T00:00:00Z", "description": f"#{n}"}


def page(ids: range, next_uri: str | None) -> dict[str, object]:
    return {
        "credentials": [cred(n) for n in ids],
        "uri": f"{BASE}/credentials",
        "next_page_uri": next_uri,
    }


@pytest.fixture
def three_pages(api: respx.MockRouter) -> respx.Route:
    """Cursors are opaque tokens unrelated to the ids, so rebuilding them would fail."""
    responses = {
        "": page(range(9, 6, -1), f"{BASE}/credentials?cursor=opaque-A&limit=3"),
        "opaque-A": page(range(6, 3, -1), f"{BASE}/credentials?cursor=opaque-B&limit=3"),
        "opaque-B": page(range(3, 0, -1), f"{BASE}/credentials?cursor=opaque-C&limit=3"),
        "opaque-C": page(range(0), None),
    }

    def respond(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=responses[request.url.params.get("cursor", "")])

    return api.get("/credentials").mock(side_effect=respond)


async def test_list_follows_every_page_until_null(
    client: AsyncClient, three_pages: respx.Route
) -> None:
    ids = [c.id async for c in client.credentials.list(limit=3)]

    assert ids == [f"cr_{n:03d}" for n in range(9, 0, -1)]
    urls = [str(call.request.url) for call in three_pages.calls]
    assert urls == [
        f"{BASE}/credentials?limit=3",
        f"{BASE}/credentials?cursor=opaque-A&limit=3",
        f"{BASE}/credentials?cursor=opaque-B&limit=3",
        f"{BASE}/credentials?cursor=opaque-C&limit=3",
    ]
    assert all(c.request.headers["ngrok-version"] == "2" for c in three_pages.calls)


async def test_pages_expose_uris(client: AsyncClient, three_pages: respx.Route) -> None:
    pages = [p async for p in client.credentials.pages(limit=3)]

    assert [len(p.items) for p in pages] == [3, 3, 3, 0]
    assert all(isinstance(p, Page) for p in pages)
    assert pages[0].uri == f"{BASE}/credentials"
    assert pages[0].next_page_uri == f"{BASE}/credentials?cursor=opaque-A&limit=3"
    assert pages[-1].next_page_uri is None


async def test_next_page_is_fetched_only_when_needed(
    client: AsyncClient, three_pages: respx.Route
) -> None:
    listing = client.credentials.list(limit=3)
    first = await anext(listing)
    for _ in range(2):
        await anext(listing)

    assert first.id == "cr_009"
    assert three_pages.call_count == 1
    await anext(listing)
    assert three_pages.call_count == 2
    await listing.aclose()


async def test_breaking_early_sends_nothing_more(
    client: AsyncClient, three_pages: respx.Route
) -> None:
    async for item in client.credentials.list(limit=3):
        if item.id == "cr_008":
            break

    assert three_pages.call_count == 1


@pytest.mark.parametrize(
    "foreign",
    [
        "http://api.ngrok.com/credentials?cursor=x",
        "https://evil.example.com/credentials?cursor=x",
        "https://api.ngrok.com:8443/credentials?cursor=x",
        "https://api.ngrok.com.evil.example.com/credentials",
    ],
)
async def test_foreign_next_page_uri_is_refused(
    client: AsyncClient, api: respx.MockRouter, foreign: str
) -> None:
    route = api.get("/credentials").respond(json=page(range(2, 0, -1), foreign))

    seen: list[str] = []

    async def consume() -> None:
        async for item in client.credentials.list():
            seen.append(item.id)

    with pytest.raises(UnsafeURLError, match="refusing to follow"):
        await consume()

    assert seen == ["cr_002", "cr_001"]
    assert route.call_count == 1


async def test_relative_next_page_uri_resolves_on_the_origin(
    client: AsyncClient, api: respx.MockRouter
) -> None:
    responses = iter([page(range(2, 1, -1), "/credentials?before_id=cr_002"), page(range(0), None)])
    route = api.get("/credentials").mock(
        side_effect=lambda _: httpx.Response(200, json=next(responses))
    )

    ids = [c.id async for c in client.credentials.list()]

    assert ids == ["cr_002"]
    assert str(route.calls.last.request.url) == f"{BASE}/credentials?before_id=cr_002"


async def test_a_next_page_uri_that_repeats_is_an_error(
    client: AsyncClient, api: respx.MockRouter
) -> None:
    loop = f"{BASE}/credentials?cursor=same"
    route = api.get("/credentials").respond(json=page(range(1, 0, -1), loop))

    with pytest.raises(NgrokDecodeError, match="already read"):
        _ = [c async for c in client.credentials.list()]

    assert route.call_count == 2
