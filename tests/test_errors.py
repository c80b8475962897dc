"""Error responses map to typed exceptions carrying ngrok's fields; bodies of any shape."""

from __future__ import annotations

import httpx
import pytest
import respx

from ngrok_async import (
    AsyncClient,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NgrokAPIError,
    NgrokConnectionError,
    NgrokDecodeError,
    NgrokError,
    NgrokTimeoutError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
)
from ngrok_async._errors import api_error


def ngrok_error(status: int, code: str, msg: str = "boom") -> dict[str, object]:
    return {
        "error_code": code,
        "status_code": status,
        "msg": msg,
        "details": {"operation_id": "op_2rwwl4SDEadVIHE5LIPmoVwx9q5"},
    }


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (429, RateLimitError),
        (500, ServerError),
        (502, ServerError),
        (503, ServerError),
        (504, ServerError),
        (418, NgrokAPIError),
        (422, NgrokAPIError),
    ],
)
async def test_status_maps_to_class_with_fields(
    client: AsyncClient, api: respx.MockRouter, status: int, cls: type[NgrokAPIError]
) -> None:
    api.get("/credentials/cr_1").respond(status, json=ngrok_error(status, "ERR_NGROK_404", "nope"))

    with pytest.raises(cls) as info:
        await client.with_options(max_retries=0).credentials.get("cr_1")

    err = info.value
    assert type(err) is cls
    assert isinstance(err, NgrokError)
    assert err.status_code == status
    assert err.error_code == "ERR_NGROK_404"
    assert err.msg == "nope"
    assert err.operation_id == "op_2rwwl4SDEadVIHE5LIPmoVwx9q5"
    assert err.details == {"operation_id": "op_2rwwl4SDEadVIHE5LIPmoVwx9q5"}
    assert (err.method, err.path) == ("GET", "/credentials/cr_1")
    assert str(err) == (
        f"{status} ERR_NGROK_404 on GET /credentials/cr_1: nope "
        "(operation_id=op_2rwwl4SDEadVIHE5LIPmoVwx9q5)"
    )
    assert "\n" not in str(err)


@pytest.mark.parametrize(
    "content",
    [b"<html>Bad Gateway</html>", b"", b"[1, 2]", b'{"error_code": 5, "msg": null}', b"\xff\xfe"],
)
def test_malformed_error_bodies_keep_class_and_raw_text(content: bytes) -> None:
    err = api_error(404, content, method="DELETE", path="/credentials/cr_1")

    assert type(err) is NotFoundError
    assert err.error_code == ""
    assert err.operation_id == ""
    assert err.body == content.decode("utf-8", "replace")
    assert str(err).startswith("404 on DELETE /credentials/cr_1: ")


def test_html_error_body_is_in_the_message() -> None:
    err = api_error(502, b"<html>Bad Gateway</html>", method="GET", path="/x")

    assert isinstance(err, ServerError)
    assert "Bad Gateway" in str(err)


def test_error_with_non_dict_details_is_tolerated() -> None:
    body = b'{"error_code": "ERR_NGROK_1", "msg": "m", "details": ["x"]}'

    err = api_error(400, body, method="POST", path="/credentials")

    assert err.details == {}
    assert err.operation_id == ""
    assert err.error_code == "ERR_NGROK_1"


async def test_connect_error_is_wrapped(client: AsyncClient, api: respx.MockRouter) -> None:
    api.get("/credentials/cr_1").mock(side_effect=httpx.ConnectError("refused"))

    with pytest.raises(NgrokConnectionError) as info:
        await client.with_options(max_retries=0).credentials.get("cr_1")

    assert not isinstance(info.value, NgrokTimeoutError)
    assert isinstance(info.value.__cause__, httpx.ConnectError)
    assert "GET /credentials/cr_1" in str(info.value)


async def test_timeout_is_wrapped(client: AsyncClient, api: respx.MockRouter) -> None:
    api.get("/credentials/cr_1").mock(side_effect=httpx.ReadTimeout("slow"))

    with pytest.raises(NgrokTimeoutError) as info:
        await client.with_options(max_retries=0).credentials.get("cr_1")

    assert isinstance(info.value, NgrokConnectionError)
    assert isinstance(info.value.__cause__, httpx.ReadTimeout)


async def test_non_json_success_body_is_a_decode_error(
    client: AsyncClient, api: respx.MockRouter
) -> None:
    api.get("/credentials/cr_1").respond(200, content=b"<html>ok</html>")

    with pytest.raises(NgrokDecodeError, match="not JSON"):
        await client.credentials.get("cr_1")
