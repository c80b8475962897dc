"""The fake and the respx fixtures (ngrok's own examples) agree on the wire shape of every
operation: the same keys, with the same JSON types."""

from __future__ import annotations

from typing import Any

import attrs
import httpx
import pytest

from ngrok_async import Credential, SSHCertificateAuthority, SSHCredential, SSHUserCertificate
from ngrok_async.testing import FakeNgrok

from ..conftest import fixture
from ..deprecations import ALLOW

pytestmark = ALLOW  # the fake serves the deprecated services too, exercised on purpose

HEADERS = {"Authorization": "Bearer k", "Ngrok-Version": "2"}
RECORDS = {
    "credential": Credential,
    "ssh_credential": SSHCredential,
    "ssh_certificate_authority": SSHCertificateAuthority,
    "ssh_user_certificate": SSHUserCertificate,
}


EMPTY_AS_ABSENT = ("description", "metadata")


def shape(data: dict[str, Any]) -> dict[str, str]:
    """Key → JSON type, leaving out nulls (ngrok's 'absent'). ngrok's examples print an empty
    description / metadata as ``""`` on some pages and leave it out on others: both count as
    absent."""
    return {
        k: type(v).__name__
        for k, v in data.items()
        if v is not None and not (k in EMPTY_AS_ABSENT and v == "")
    }


def assert_same_shape(from_fake: dict[str, Any], name: str) -> None:
    expected = fixture(name)
    assert shape(from_fake) == shape(expected), name
    record = RECORDS[name.rsplit("_", 1)[0]]
    assert set(from_fake) <= {f.name for f in attrs.fields(record)}


async def _exchange(http: httpx.AsyncClient, method: str, path: str, **kw: Any) -> Any:
    response = await http.request(method, path, headers=HEADERS, **kw)
    assert response.status_code < 300, response.text
    return response.json() if response.content else None


async def test_every_operation_matches_the_fixtures() -> None:
    fake = FakeNgrok(api_key="k", seed=1)
    seed_cert = fixture("ssh_user_certificate_create")
    seed_cred = fixture("ssh_credential_create")
    async with httpx.AsyncClient(transport=fake, base_url=fake.base_url) as http:
        cred = await _exchange(
            http,
            "POST",
            "/credentials",
            json={"description": "ci runner", "acl": ["bind:*.example.com"]},
        )
        assert_same_shape(cred, "credential_create")
        await _exchange(
            http, "PATCH", f"/credentials/{cred['id']}", json={"metadata": '{"team": "infra"}'}
        )
        assert_same_shape(
            await _exchange(http, "GET", f"/credentials/{cred['id']}"), "credential_get"
        )

        ssh = await _exchange(
            http,
            "POST",
            "/ssh_credentials",
            json={
                "description": seed_cred["description"],
                "acl": seed_cred["acl"],
                "public_key": seed_cred["public_key"],
            },
        )
        assert_same_shape(ssh, "ssh_credential_create")
        updated = await _exchange(
            http,
            "PATCH",
            f"/ssh_credentials/{ssh['id']}",
            json={"description": "my dev machine", "metadata": "{}"},
        )
        assert_same_shape(updated, "ssh_credential_update")
        assert_same_shape(
            await _exchange(http, "GET", f"/ssh_credentials/{ssh['id']}"), "ssh_credential_get"
        )

        ca = await _exchange(
            http,
            "POST",
            "/ssh_certificate_authorities",
            json={"description": "staging user CA", "private_key_type": "ed25519"},
        )
        assert_same_shape(ca, "ssh_certificate_authority_create")

        cert = await _exchange(
            http,
            "POST",
            "/ssh_user_certificates",
            json={
                "ssh_certificate_authority_id": ca["id"],
                "public_key": seed_cert["public_key"],
                "principals": seed_cert["principals"],
                "description": seed_cert["description"],
                "valid_until": "2035-04-21T18:19:52Z",
            },
        )
        assert_same_shape(cert, "ssh_user_certificate_create")
        updated = await _exchange(
            http,
            "PATCH",
            f"/ssh_user_certificates/{cert['id']}",
            json={"metadata": '{"user_email": "alan@example.com"}'},
        )
        assert_same_shape(updated, "ssh_user_certificate_update")
        assert_same_shape(
            await _exchange(http, "GET", f"/ssh_user_certificates/{cert['id']}"),
            "ssh_user_certificate_get",
        )

        for plural, name in [
            ("ssh_user_certificates", "ssh_user_certificate_list"),
            ("ssh_credentials", "ssh_credential_list"),
        ]:
            page = await _exchange(http, "GET", f"/{plural}")
            expected = fixture(name)
            assert set(page) == set(expected)
            assert page["next_page_uri"] is None
            assert shape(page[plural][0]).keys() >= shape(expected[plural][0]).keys()

        for plural, item in [
            ("credentials", cred),
            ("ssh_credentials", ssh),
            ("ssh_user_certificates", cert),
            ("ssh_certificate_authorities", ca),
        ]:
            assert await _exchange(http, "DELETE", f"/{plural}/{item['id']}") is None


@pytest.mark.parametrize("path", ["/credentials/cr_missing", "/nowhere"])
async def test_error_shape_matches_the_documented_contract(path: str) -> None:
    fake = FakeNgrok(api_key="k")
    async with httpx.AsyncClient(transport=fake, base_url=fake.base_url) as http:
        response = await http.get(path, headers=HEADERS)

    body = response.json()
    assert response.status_code == 404
    assert set(body) == {"error_code", "status_code", "msg", "details"}
    assert body["status_code"] == 404
    assert body["error_code"].startswith("ERR_NGROK_")
    assert body["details"]["operation_id"].startswith("op_")


SPEC_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "time": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "number": (int, float),
    "object": (dict,),
}


def fits(value: Any, kind: str, where: str) -> None:
    """``value`` has the spec type ``kind`` (``string``, ``[Ref]``, a schema name, ...)."""
    from ngrok_async.testing._api import SCHEMAS

    if kind.startswith("["):
        assert isinstance(value, list), where
        for i, item in enumerate(value):
            fits(item, kind[1:-1], f"{where}[{i}]")
    elif kind in SPEC_TYPES:
        assert isinstance(value, SPEC_TYPES[kind]), f"{where}: {value!r} is not {kind}"
    else:
        assert isinstance(value, dict), where
        assert set(value) <= set(SCHEMAS[kind]), f"{where}: {set(value) - set(SCHEMAS[kind])}"
        for name, item in value.items():
            fits(item, SCHEMAS[kind][name], f"{where}.{name}")


async def test_every_service_renders_its_spec_schema() -> None:
    """Every resource of every service, as the fake prints it after a full walk, fits the
    spec's response schema: only known keys, each of the spec's JSON type, nested included."""
    from ngrok_async.testing._api import record_schema

    from ..testing.test_fake_every_service import SERVICES, Walk, round_trip

    fake = FakeNgrok(api_key="k", seed=2)
    checked = 0
    async with fake.client(max_retries=0, rate_limit=None) as client:
        walk = Walk(client, fake)
        for tag in sorted(SERVICES):
            fake.reset()
            await round_trip(walk, tag)
            kinds = fake._router.kinds
            for collection in fake.store.kinds():
                template = kinds.template_of(collection)
                assert template is not None
                schema = record_schema(template)
                for resource in fake.resources(collection):
                    fits(resource, schema, f"{tag}:{collection}")
                    checked += 1
    assert checked > 58
