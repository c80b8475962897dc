"""Lists: newest first, limit, exclusive before_id (also for deleted ids), next_page_uri."""

from __future__ import annotations

import httpx
import pytest

from ngrok_async.testing import FakeNgrok

from .conftest import error_of


async def make_credentials(fake_http: httpx.AsyncClient, count: int) -> list[str]:
    return [
        (await fake_http.post("/credentials", json={"description": f"c{i}"})).json()["id"]
        for i in range(count)
    ]


async def test_ids_sort_by_creation_order(fake_http: httpx.AsyncClient) -> None:
    ids = await make_credentials(fake_http, 30)
    assert ids == sorted(ids)
    assert len(set(ids)) == 30


async def test_ids_sort_even_when_the_wall_clock_steps_back() -> None:
    times = iter([2_000_000_000.0, 1_900_000_000.0, 2_000_000_001.0])
    fake = FakeNgrok("k", wall_clock=lambda: next(times))
    headers = {"Authorization": "Bearer k", "Ngrok-Version": "2"}
    async with httpx.AsyncClient(
        transport=fake, base_url=fake.base_url, headers=headers
    ) as fake_http:
        ids = [(await fake_http.post("/credentials")).json()["id"] for _ in range(3)]
    assert ids == sorted(ids)


async def test_paging_over_several_pages(fake_http: httpx.AsyncClient) -> None:
    ids = await make_credentials(fake_http, 7)
    newest_first = ids[::-1]

    pages: list[list[str]] = []
    url: str | None = "/credentials?limit=3"
    while url is not None:
        response = await fake_http.get(url)
        assert response.status_code == 200
        body = response.json()
        assert body["uri"] == "https://api.ngrok.com/credentials"
        pages.append([item["id"] for item in body["credentials"]])
        url = body["next_page_uri"]
        if url is not None:
            assert url == (f"https://api.ngrok.com/credentials?before_id={pages[-1][-1]}&limit=3")
    assert pages == [newest_first[0:3], newest_first[3:6], newest_first[6:7]]


async def test_last_full_page_has_null_next(fake_http: httpx.AsyncClient) -> None:
    ids = await make_credentials(fake_http, 4)
    first = (await fake_http.get("/credentials", params={"limit": 2})).json()
    second = (await fake_http.get(first["next_page_uri"])).json()
    assert [c["id"] for c in second["credentials"]] == [ids[1], ids[0]]
    assert second["next_page_uri"] is None


async def test_default_limit_is_100(fake_http: httpx.AsyncClient) -> None:
    ids = await make_credentials(fake_http, 101)
    body = (await fake_http.get("/credentials")).json()
    assert len(body["credentials"]) == 100
    assert body["next_page_uri"] == (
        f"https://api.ngrok.com/credentials?before_id={ids[1]}&limit=100"
    )
    rest = (await fake_http.get(body["next_page_uri"])).json()
    assert [c["id"] for c in rest["credentials"]] == [ids[0]]
    assert rest["next_page_uri"] is None


async def test_before_id_is_exclusive_and_works_for_deleted_ids(
    fake_http: httpx.AsyncClient,
) -> None:
    ids = await make_credentials(fake_http, 5)
    page = (await fake_http.get("/credentials", params={"before_id": ids[3]})).json()
    assert [c["id"] for c in page["credentials"]] == [ids[2], ids[1], ids[0]]
    assert (await fake_http.delete(f"/credentials/{ids[2]}")).status_code == 204
    page = (await fake_http.get("/credentials", params={"before_id": ids[2], "limit": 1})).json()
    assert [c["id"] for c in page["credentials"]] == [ids[1]]
    assert page["next_page_uri"] is not None
    oldest = (await fake_http.get("/credentials", params={"before_id": ids[0]})).json()
    assert oldest == {
        "credentials": [],
        "uri": "https://api.ngrok.com/credentials",
        "next_page_uri": None,
    }


async def test_empty_list(fake_http: httpx.AsyncClient) -> None:
    for kind in ("credentials", "ssh_credentials", "ssh_certificate_authorities",
                 "ssh_user_certificates"):  # fmt: skip
        body = (await fake_http.get(f"/{kind}")).json()
        assert body == {kind: [], "uri": f"https://api.ngrok.com/{kind}", "next_page_uri": None}


@pytest.mark.parametrize(
    ("limit", "code"),
    [("101", "ERR_NGROK_233"), ("0", "ERR_NGROK_233"), ("-1", "ERR_NGROK_233"),
     ("ten", "ERR_NGROK_244"), ("1.5", "ERR_NGROK_244"), (" 5", "ERR_NGROK_244")],
)  # fmt: skip
async def test_invalid_limit_is_400(fake_http: httpx.AsyncClient, limit: str, code: str) -> None:
    response = await fake_http.get("/credentials", params={"limit": limit})
    assert response.status_code == 400
    assert error_of(response)["error_code"] == code


@pytest.mark.parametrize("limit", ["1", "100"])
async def test_limit_bounds_are_accepted(fake_http: httpx.AsyncClient, limit: str) -> None:
    assert (await fake_http.get("/credentials", params={"limit": limit})).status_code == 200


@pytest.mark.parametrize("before_id", ["nope", "sshcr_2TMGIwCp3Yt0fv5eirB7M8D0h7o", "cr_short"])
async def test_malformed_before_id_is_400(fake_http: httpx.AsyncClient, before_id: str) -> None:
    response = await fake_http.get("/credentials", params={"before_id": before_id})
    assert response.status_code == 400
    assert error_of(response)["error_code"] == "ERR_NGROK_223"


async def test_uris_follow_the_configured_base_url() -> None:
    fake = FakeNgrok("k", base_url="https://ngrok.example.test/api/")
    headers = {"Authorization": "Bearer k", "Ngrok-Version": "2"}
    async with httpx.AsyncClient(transport=fake, headers=headers) as fake_http:
        created = await fake_http.post("https://ngrok.example.test/api/credentials")
        assert created.json()["uri"].startswith("https://ngrok.example.test/api/credentials/cr_")
        await fake_http.post("https://ngrok.example.test/api/credentials")
        page = (await fake_http.get("https://ngrok.example.test/api/credentials?limit=1")).json()
    assert page["uri"] == "https://ngrok.example.test/api/credentials"
    assert page["next_page_uri"].startswith("https://ngrok.example.test/api/credentials?before_id=")
