"""Fixtures for the fake: ``fake``, a seeded FakeNgrok, and ``fake_http``, a raw httpx client
speaking to it (the root conftest's ``api`` is a respx router: a different thing)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from ngrok_async.testing import FakeNgrok

API_KEY = "sk_fake_test_key"
HEADERS = {"Authorization": f"Bearer {API_KEY}", "Ngrok-Version": "2"}
ED25519_KEY = (
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINXZK3bBtcwnxRnG+OoZYtyNjt8vRENtwFIbvhZaMuvX me@laptop"
)
ECDSA_KEY = (
    "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBK58lFzmWlDimDtBz78w"
    "VT4oauA8PjY0CiXTCEIsBNC6UwOJvZ0jdSaYNhDaa7dRV84DfBb/gKzqlXC7cVMZjl0= alan@work-laptop"
)


@pytest.fixture
def fake() -> FakeNgrok:
    return FakeNgrok(API_KEY, seed=1234)


@pytest.fixture
async def fake_http(fake: FakeNgrok) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=fake, base_url=fake.base_url, headers=HEADERS) as c:
        yield c


def error_of(response: httpx.Response) -> dict[str, Any]:
    """Assert the response is a well-formed ngrok error and return its JSON."""
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error_code", "status_code", "msg", "details"}
    assert body["status_code"] == response.status_code
    assert body["error_code"].startswith("ERR_NGROK_")
    assert body["msg"]
    assert set(body["details"]) == {"operation_id"}
    assert body["details"]["operation_id"].startswith("op_")
    return body  # type: ignore[no-any-return]
