"""Walk spec/ngrok.yaml: every service round-trips on FakeNgrok through the SDK's own services.

For each service (spec tag) the walk creates a resource (its parents and the resources its body
refers to first), gets it, lists it (two pages of one, and filtered), updates it, deletes it
and sees the 404; module services replace → get → delete; services the API fills itself
(tunnels, sessions, ...) are seeded with ``fake.add_resource`` and read back. Every other
operation of the service (actions such as ``tunnel_sessions.restart``) is called once. It runs
in process and, for every service too, over a real socket.
"""

from __future__ import annotations

import inspect
import re
from collections import defaultdict
from typing import Any

import pytest

from ngrok_async import AsyncClient, NotFoundError
from ngrok_async.testing import FakeNgrok
from ngrok_async.testing._api import PREFIXES, REFERENCES

from ..deprecations import ALLOW
from ..test_spec_coverage import OPERATIONS, POSITIONAL_BODY, body_fields, resolve, value_for

pytestmark = ALLOW  # the fake serves the deprecated services too, exercised on purpose

SERVICES: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
for _op in OPERATIONS:
    SERVICES[_op["tag"]][_op["name"]] = _op
CREATES = {op["path"]: op for op in OPERATIONS if op["name"] == "create"}
# Left out of synthetic bodies: options that only fit other choices (an RSA key size for an
# ed25519 CA), and fields whose synthetic value the API would refuse.
SKIP = {"key_size", "elliptic_curve"}
OVERRIDES = {"owner_id": "usr_2rwwl4SDEadVIHE5LIPmoVwx9q5", "acl": ["bind:app.example.com"]}
CRUD = ("create", "get", "list", "update", "delete", "replace")  # the rest are actions


def collection(path: str) -> str:
    return path.strip("/")


class Walk:
    def __init__(self, client: AsyncClient, fake: FakeNgrok) -> None:
        self.client = client
        self.fake = fake

    async def call(self, op: dict[str, Any], path_values: list[str], **extra: Any) -> Any:
        service = resolve(self.client, op["tag"])
        method = getattr(service, op["name"])
        params = inspect.signature(method).parameters
        args: list[Any] = list(path_values)
        kwargs: dict[str, Any] = {}
        owner, props = body_fields(op)
        for field, schema in props.items():
            if field in SKIP:
                continue
            if field in extra:
                value = extra[field]
            elif field in REFERENCES:
                value = await self.reference(field)
            elif field in OVERRIDES:
                value = OVERRIDES[field]
            else:
                value = await self.with_references(value_for(field, schema, owner or "")[0])
            if field in POSITIONAL_BODY and (
                params[field].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
            ):
                args.append(value)
            else:
                kwargs[field] = value
        return await method(*args, **kwargs)

    async def with_references(self, value: Any) -> Any:
        """``value`` with every nested reference field naming a resource that exists."""
        if isinstance(value, list):
            return [await self.with_references(item) for item in value]
        if not isinstance(value, dict):
            return value
        return {
            key: await self.reference(key)
            if key in REFERENCES
            else await self.with_references(item)
            for key, item in value.items()
        }

    async def reference(self, field: str) -> Any:
        _, made = await self.make("/" + REFERENCES[field][0])
        return [made.id] if field.endswith("_ids") else made.id

    async def parents(self, path: str) -> list[str]:
        """Create the parents a nested path names; their ids, in path order."""
        values: list[str] = []
        for match in re.finditer(r"/{\w+}", path):
            parent = path[: match.start()]
            if parent in CREATES:  # its own parents are the values so far
                values.append((await self.call(CREATES[parent], values)).id)
            else:  # a collection the API fills itself
                values.append(self.fake.add_resource(collection(parent))["id"])
        return values

    async def make(self, path: str, **extra: Any) -> tuple[list[str], Any]:
        op = CREATES[path]
        values = await self.parents(path)
        return values, await self.call(op, values, **extra)


def ops_fields(op: dict[str, Any]) -> dict[str, Any]:
    return body_fields(op)[1]


def key_of(ops: dict[str, dict[str, Any]]) -> str:
    item = next((op for op in ops.values() if op["name"] in ("get", "delete")), None)
    return item["path_params"][-1] if item else "id"


async def round_trip(walk: Walk, tag: str) -> list[str]:
    """Exercise every operation of ``tag``; the names of the operations it ran."""
    ops = SERVICES[tag]
    service = resolve(walk.client, tag)
    done: list[str] = []
    if "replace" in ops:  # a module of an edge or a route
        op = ops["replace"]
        values = await walk.parents(op["path"].rsplit("/", 1)[0])
        replaced = await walk.call(op, values)
        assert await service.get(*values) == replaced
        await service.delete(*values)
        with pytest.raises(NotFoundError):
            await service.get(*values)
        return ["replace", "get", "delete"]
    key = key_of(ops)
    seeded = "create" not in ops
    if seeded:
        path = ops["get"]["path"].rsplit("/", 1)[0]
        values = await walk.parents(path)
        kind = collection(
            path.format(**dict(zip(re.findall(r"{(\w+)}", path), values, strict=True)))
        )
        first = walk.fake.add_resource(kind)["id"]
        second = walk.fake.add_resource(kind)["id"]
    else:
        path = ops["create"]["path"]
        values, made = await walk.make(path, description="first", **{key: "first"})
        first = getattr(made, key)
        done.append("create")
        if key == "id":
            prefix = PREFIXES.get(collection(re.sub(r"{\w+}", "{edge_id}", path)))
            assert prefix is None or first.startswith(prefix + "_"), first
        second = None
    if "get" in ops:
        got = await service.get(*values, first)
        assert getattr(got, key) == first
        if hasattr(got, "description") and not seeded:
            assert got.description == "first"
        done.append("get")
    if "list" in ops:
        if second is None:
            second = getattr(await walk.call(ops["create"], values, **{key: "second"}), key)
        listed = [getattr(item, key) async for item in service.list(*values)]
        assert listed == [second, first]
        if "limit" in {q["name"] for q in ops["list"]["query"]}:
            pages = [page async for page in service.pages(*values, limit=1)]
            assert [[getattr(i, key) for i in page.items] for page in pages] == [[second], [first]]
            if "filter" in {q["name"] for q in ops["list"]["query"]}:
                selected = service.list(*values, filter=f'obj.id == "{first}"')
                assert [item.id async for item in selected] == [first]
        done.append("list")
    if "update" in ops and ops["update"]["method"] == "PATCH":
        fields = [f for f in ("description", "name") if f in ops_fields(ops["update"])]
        changes = {fields[0]: "changed"} if fields else {}
        updated = await service.update(*values, first, **changes)
        assert getattr(updated, key) == first
        for field, value in changes.items():
            assert getattr(updated, field) == value
            assert getattr(await service.get(*values, first), field) == value
        done.append("update")
    for name, op in ops.items():
        if (name not in CRUD and name != "get_secrets_by_vault") or (
            name == "update" and op["method"] == "POST"
        ):
            assert await walk.call(op, [*values, first]) is None
            done.append(name)
    if "delete" in ops:
        await service.delete(*values, first)
        with pytest.raises(NotFoundError):
            await service.get(*values, first)
        done.append("delete")
    return done


@pytest.mark.parametrize("tag", sorted(SERVICES))
async def test_every_service_round_trips_in_process(tag: str) -> None:
    fake = FakeNgrok("walk", seed=7)
    async with fake.client(max_retries=0, rate_limit=None) as client:
        done = await round_trip(Walk(client, fake), tag)
    assert set(done) >= set(SERVICES[tag]) - {"get_secrets_by_vault"}
    assert fake.stats.responses[500] == 0


async def test_every_service_round_trips_over_a_socket() -> None:
    fake = FakeNgrok("walk", seed=8)
    async with (
        fake.serve() as url,
        AsyncClient("walk", base_url=url, max_retries=0, rate_limit=None) as client,
    ):
        walk = Walk(client, fake)
        ran = {}
        for tag in sorted(SERVICES):
            fake.reset()
            ran[tag] = await round_trip(walk, tag)
    assert sum(len(names) for names in ran.values()) >= len(OPERATIONS) - 1
    assert fake.stats.responses[500] == 0


async def test_secrets_by_vault_lists_only_that_vaults_secrets() -> None:
    fake = FakeNgrok("walk")
    async with fake.client() as client:
        vault, other = await client.vaults.create(name="a"), await client.vaults.create(name="b")
        mine = await client.secrets.create(vault_id=vault.id, name="db", value="s3cret")
        await client.secrets.create(vault_id=other.id, name="api", value="x")
        listed = [s.id async for s in client.vaults.get_secrets_by_vault(vault.id)]
        assert listed == [mine.id]
        assert mine.vault is not None
        assert mine.vault.id == vault.id
        assert not hasattr(mine, "value") or mine.value in (None, "")
