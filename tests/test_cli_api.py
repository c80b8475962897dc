"""Walk spec/ngrok.yaml: every operation is a command, with ``--help`` and a ``--fake`` call.

The ``--fake`` calls are data-driven: every service of the client is either exercised end to
end on the fake (create → get → list → update → other operations → delete, each exiting 0)
or listed in :data:`NOT_SERVED` with the reason. A listed service that the fake has started
serving fails the test, so the list only ever shrinks: empty it as the fake grows.
"""

from __future__ import annotations

import json
import pathlib
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from typing import Any

import anyio
import httpx
import pytest
from click.testing import CliRunner, Result

from ngrok_async import NOT_GIVEN, NotGiven
from ngrok_async.cli import CliConfig, _api, _introspect, cli
from ngrok_async.cli._api import api_services, operation_command
from ngrok_async.cli._introspect import Operation, operations
from ngrok_async.resources._generated import TAGS
from ngrok_async.ssh_keys import generate_key_pair
from ngrok_async.testing import FakeNgrok, self_signed_certificate

from .test_spec_coverage import load_spec

SPEC = load_spec()  # ngrok's spec and spec/extra.yaml, as the generator reads them
SERVICES = {service.path: service for service in api_services()}
OPERATIONS = [op for service in SERVICES.values() for op in service.operations]

NOT_SERVED: dict[str, str] = {}  # the fake serves every service; list one here with a reason


def spec_operations() -> list[tuple[str, str]]:
    """(client attribute path, method name) of every operation in the spec."""
    found = []
    for item in SPEC["paths"].values():
        for op in item.values():
            tag = op["tags"][0]
            suffix = op["operationId"][len(tag) :]
            name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", suffix).lower()
            found.append((TAGS[tag], name))
    return sorted(found)


def invoke(fake: FakeNgrok | None, *args: str) -> Result:
    return CliRunner().invoke(
        cli, list(args), obj=CliConfig(fake=fake), env={"COLUMNS": "120"}, catch_exceptions=False
    )


def test_every_spec_operation_is_a_command() -> None:
    commands = {(op.service, op.name) for op in OPERATIONS}

    missing = [op for op in spec_operations() if op not in commands]

    assert missing == []
    assert len(spec_operations()) == 246
    assert len(OPERATIONS) >= 246


def test_deprecated_commands_say_so_in_help_and_once_on_stderr() -> None:
    listing = invoke(None, "edges", "tcp", "--help")
    assert "list    Returns a list of all TCP Edges on this account (deprecated)" in listing.output
    assert "(deprecated)" not in invoke(None, "endpoints", "--help").output
    own = invoke(None, "bot-users", "create", "--help")
    assert "DEPRECATED" in own.output
    assert "Service Users" in own.output

    runner = CliRunner()
    config = CliConfig(fake=FakeNgrok())
    ran = runner.invoke(cli, ["bot-users", "list", "--fake"], obj=config, catch_exceptions=False)
    assert ran.exit_code == 0, ran.output
    warned = [line for line in ran.stderr.splitlines() if "deprecated" in line]
    assert warned == [
        "DeprecationWarning: The command 'list' is deprecated. ngrok deprecated it on "
        "2025-12-31: use Service Users (client.service_users) instead."
    ]
    fine = runner.invoke(
        cli, ["service-users", "list", "--fake"], obj=config, catch_exceptions=False
    )
    assert fine.exit_code == 0
    assert "deprecated" not in fine.stderr.lower()


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: " ".join(op.command))
def test_help_of_every_operation(op: Operation) -> None:
    result = invoke(None, *op.command, "--help")

    assert result.exit_code == 0, result.output
    assert f"ngrok.{op.service}.{op.name}(" in result.output
    for param in op.positionals():
        assert param.name.upper() in result.output
    for param in op.options():
        assert "--" + param.name.replace("_", "-") in result.output


def test_not_served_lists_only_services_of_the_client() -> None:
    assert set(NOT_SERVED) <= set(SERVICES)
    assert all(reason.strip() for reason in NOT_SERVED.values())


# -- --fake calls -----------------------------------------------------------------------------


def parents(path: str) -> dict[str, str]:
    """For a service's path parameters other than its own ``id``: the service that owns them."""
    if path.startswith("edge_modules.https_edge_route_"):
        return {"edge_id": "edges.https", "id": "edges.https_routes"}
    for family in ("https", "tcp", "tls"):
        if path.startswith(f"edge_modules.{family}_edge_"):
            return {"id": f"edges.{family}"}
    return {
        "edges.https_routes": {"edge_id": "edges.https"},
        "event_sources": {"subscription_id": "event_subscriptions"},
    }.get(path, {})


class Samples:
    """Resources on one fake for the CLI calls: a CA, fresh keys, and parents on demand."""

    def __init__(self, fake: FakeNgrok) -> None:
        self.fake = fake
        self.ids: dict[str, str] = {}
        self.ca_id = self.ensure("ssh_certificate_authorities")

    def key(self) -> str:
        return generate_key_pair()[1]

    def ensure(self, path: str) -> str:
        """The id of a resource of ``path`` on the fake, created (with its parents) once."""
        if path not in self.ids:
            self.ids[path] = self.create(path)["id"]
        return self.ids[path]

    def create(self, path: str) -> Any:
        op = {op.name: op for op in SERVICES[path].operations}["create"]
        ids = [
            self.ensure(parents(path)[p.name]) for p in op.positionals() if p.name in parents(path)
        ]
        args = [*ids, *CREATE.get(path, lambda _: [])(self)]
        result = invoke(self.fake, *op.command, "--fake", "--json", *args)
        assert result.exit_code == 0, (path, "create", result.stdout, result.stderr)
        return json.loads(result.stdout)

    def ids_for(self, path: str, op: Operation, own: str | None) -> list[str]:
        """Path arguments for ``op``: parents' ids, then the resource's own ``id``."""
        found = []
        for param in op.positionals():
            if param.name in parents(path):
                found.append(self.ensure(parents(path)[param.name]))
            elif own is not None:
                found.append(own)
            else:
                raise AssertionError(f"{path}.{op.name}: add {param.name!r} to parents()")
        return found


# Create arguments (after the parents' ids) per service; others are created with none. When
# NOT_SERVED shrinks, a service whose create needs fields gets its entry here.
CREATE: dict[str, Callable[[Samples], list[str]]] = {
    "credentials": lambda s: ["--description", "cli", "--acl", "bind:x.example.com"],
    "ssh_credentials": lambda s: [s.key(), "--description", "cli"],
    "ssh_certificate_authorities": lambda s: ["--private-key-type", "ed25519"],
    "ssh_user_certificates": lambda s: [
        s.ca_id, s.key(), "--principals", "alice", "--principals", "bob", "--valid-for", "1h",
    ],
    "ssh_host_certificates": lambda s: [
        "--ssh-certificate-authority-id", s.ca_id, "--public-key", s.key(),
        "--principals", "host.example.com", "--valid-until", "+2h",
    ],
    "edges.https_routes": lambda s: ["--match-type", "path_prefix", "--match", "/"],
    "ip_policy_rules": lambda s: [
        "--ip-policy-id", s.ensure("ip_policies"), "--cidr", "10.0.0.0/8", "--action", "allow",
    ],
    "ip_restrictions": lambda s: ["--type", "api", "--ip-policy-ids", s.ensure("ip_policies")],
    "abuse_reports": lambda s: ["--urls", "https://phish.example.com/login"],
    "agent_ingresses": lambda s: ["--domain", "agents.example.com"],
    "certificate_authorities": lambda s: ["--ca-pem", PEM[0].decode()],
    "tls_certificates": lambda s: [
        "--certificate-pem", PEM[0].decode(), "--private-key-pem", PEM[1].decode(),
    ],
    "endpoints": lambda s: ["--url", "https://app.example.com", "--type", "cloud",
                            "--traffic-policy", "on_http_request: []"],
    "secrets": lambda s: ["--vault-id", s.ensure("vaults"), "--name", "token", "--value", "s3cr3t"],
    "vaults": lambda s: ["--name", "ci"],
    "event_sources": lambda s: ["--type", "ip_policy_created.v0"],
}  # fmt: skip
PEM = self_signed_certificate()


def _served() -> list[str]:
    return sorted(path for path in SERVICES if path not in NOT_SERVED)


@pytest.mark.parametrize("path", _served())
def test_every_operation_of_a_served_service_runs_on_the_fake(path: str) -> None:
    """create → get → list → update → the others → delete, each exiting 0. A service the API
    gives no create (tunnels, sessions: agents make them) is called with an id that does not
    exist and must reach the fake's handler (a 404 for that id, not "no route"). A singleton
    module (edge modules) is replaced before it is read."""
    fake = FakeNgrok(api_key="cli", seed=3)
    samples = Samples(fake)
    ops = {op.name: op for op in SERVICES[path].operations}
    ran: list[str] = []
    own: str | None = None
    if "create" in ops:
        created = samples.create(path)
        ran.append("create")
        key = next((p.name for p in ops["get"].positionals() if p.name not in parents(path)), "id")
        own = created.get(key, created.get("id"))  # event sources are named by their type
    elif any(p.name not in parents(path) for op in ops.values() for p in op.positionals()):
        own = "x_missing"

    def run(name: str, *args: str) -> Any:
        ids = samples.ids_for(path, ops[name], own)
        result = invoke(fake, *ops[name].command, "--fake", "--json", *ids, *args)
        ran.append(name)
        if own == "x_missing" and name not in {"list"}:
            assert result.exit_code == 1, (name, result.stdout, result.stderr)
            assert "404" in result.output  # delete --json reports it on stdout
            assert "no route" not in result.output
            return None
        assert result.exit_code == 0, (name, result.stdout, result.stderr)
        return json.loads(result.stdout)

    order = ["replace", "get", "list", "update"]
    for name in sorted(
        set(ops) - {"create", "delete"},
        key=lambda n: (n not in order, order.index(n) if n in order else 0, n),
    ):
        extra: list[str] = []
        if name == "list":
            extra = ["--all"]
        elif name == "update" and "description" in _options(ops[name]):
            extra = ["--description", "changed"]
        data = run(name, *extra)
        if name == "get" and data is not None and own not in (None, "x_missing"):
            assert own in data.values()
        if name == "list" and own not in (None, "x_missing"):
            assert any(own in record.values() for record in data)
    if "delete" in ops:
        deleted = run("delete")
        assert deleted is None or deleted.get("failed", {}) == {}
    assert sorted(ran) == sorted(ops)


def test_every_service_is_exercised_or_listed_as_not_served() -> None:
    """A listed service must really be unserved (else: remove it from NOT_SERVED, and it is
    exercised above); together the two cover every service of the client."""
    served_now = []
    for path in sorted(NOT_SERVED):
        op = SERVICES[path].operations[0]
        ids = ["x_1" for _ in op.positionals()]
        result = invoke(FakeNgrok(api_key="cli"), *op.command, "--fake", *ids)
        if "no route for" not in result.stderr:
            served_now.append(path)

    assert served_now == [], "the fake serves these now: remove them from NOT_SERVED"
    assert set(NOT_SERVED) | set(_served()) == set(SERVICES)


def _options(op: Operation) -> set[str]:
    return {param.name for param in op.options()}


# -- usage errors, key files, tables ----------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["credentials", "list", "--fake", "--base-url", "https://api.ngrok.com"],
        ["credentials", "list", "--fake", "--all", "--limit", "3"],
        ["credentials", "list", "--fake", "--columns", "nope"],
        ["credentials", "create", "--fake", "--json-body", "[1]"],
        ["credentials", "create", "--fake", "--json-body", '{"nope": 1}'],
        ["credentials", "create", "--fake", "--field-json", "acl"],
        [
            "ssh-user-certificates",
            "create",
            "--fake",
            "sshca_1",
            "k",
            "--valid-until",
            "2030-01-01",
        ],
        ["ssh-user-certificates", "create", "--fake", "sshca_1", "k", "--valid-for", "soon"],
        ["credentials", "create", "--fake", "--description", "x" * 300],
        ["edges", "https-routes", "create", "--fake", "ed_1", "--match-type", "prefix"],
        ["ip-restrictions", "create", "--fake", "--type", "everything"],
    ],
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = invoke(FakeNgrok(api_key="cli"), *args)

    assert result.exit_code == 2, result.output


def test_json_body_field_json_and_options_merge() -> None:
    fake = FakeNgrok(api_key="cli")
    body = json.dumps({"description": "from body", "acl": ["bind:a.example.com"]})

    result = invoke(fake, "credentials", "create", "--fake", "--json", "--json-body", body,
                    "--field-json", 'metadata="{}"', "--description", "from option")  # fmt: skip

    created = json.loads(result.stdout)
    assert (created["description"], created["acl"], created["metadata"]) == (
        "from option",
        ["bind:a.example.com"],
        "{}",
    )


def test_limit_all_and_columns() -> None:
    fake = FakeNgrok(api_key="cli")
    for n in range(7):
        invoke(fake, "api-keys", "create", "--fake", "--description", f"key {n}")

    three = invoke(fake, "api-keys", "list", "--fake", "--json", "--limit", "3")
    every = invoke(fake, "api-keys", "list", "--fake", "--json", "--all")
    table = invoke(fake, "api-keys", "list", "--fake", "--columns", "description,id")

    assert [k["description"] for k in json.loads(three.stdout)] == ["key 6", "key 5", "key 4"]
    assert len(json.loads(every.stdout)) == 7
    assert table.stdout.splitlines()[0].split() == ["DESCRIPTION", "ID"]
    assert table.stdout.splitlines()[1].split()[:3] == [
        "key",
        "6",
        json.loads(three.stdout)[0]["id"],
    ]


def test_all_follows_every_page_with_a_progress_line(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeNgrok(api_key="cli")

    async def populate() -> None:
        async with fake.client(rate_limit=None) as ngrok:
            for n in range(230):
                await ngrok.api_keys.create(description=f"key {n}")

    anyio.run(populate)
    monkeypatch.setattr(_api, "progress_enabled", lambda: True)
    monkeypatch.setattr(_api, "PROGRESS_EVERY", 100)

    every = invoke(fake, "api-keys", "list", "--fake", "--json", "--all")
    default = invoke(fake, "api-keys", "list", "--fake", "--json")

    assert len(json.loads(every.stdout)) == 230
    assert "listed 100…" in every.stderr
    assert "listed 200…" in every.stderr
    assert len(json.loads(default.stdout)) == _api.DEFAULT_LIMIT
    assert sum(r.path == "/api_keys" and r.method == "GET" for r in fake.requests) >= 4


def test_a_key_file_others_can_read_warns_and_strict_refuses(
    tmp_path: pathlib.Path, sleeps: list[float]
) -> None:
    key = tmp_path / "key"
    key.write_text("sk_x\n")
    key.chmod(0o644)
    args = ["credentials", "get", "cr_1", "--base-url", "http://127.0.0.1:9"]

    loose = invoke(None, *args, "--api-key-file", str(key))
    strict = invoke(None, *args, "--api-key-file", str(key), "--strict-perms")
    key.chmod(0o600)
    private = invoke(None, *args, "--api-key-file", str(key), "--strict-perms")

    assert "warning:" in loose.stderr
    assert "chmod 600" in loose.stderr
    assert loose.exit_code == 1  # it went on, and the connection was refused
    assert strict.exit_code == 2
    assert "refusing the API key file" in strict.stderr
    assert private.exit_code == 1
    assert "warning" not in private.stderr
    assert "sk_x" not in loose.output + strict.output + private.output


def test_base_url_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, sleeps: list[float]
) -> None:
    monkeypatch.setenv("NGROK_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("NGROK_API_KEY", "sk_x")

    result = CliRunner().invoke(cli, ["credentials", "get", "cr_1"])

    assert result.exit_code == 1
    assert "NgrokConnectionError" in result.stderr or "failed" in result.stderr


def test_operations_without_a_record_say_done() -> None:
    fake = FakeNgrok(api_key="cli")
    cred = json.loads(invoke(fake, "credentials", "create", "--fake", "--json").stdout)

    text = invoke(fake, "credentials", "delete", "--fake", cred["id"])

    assert text.stdout == f"deleted {cred['id']}\n"


# -- introspection ----------------------------------------------------------------------------


class _Later:
    """A service the generator might write tomorrow."""

    async def frobnicate(
        self,
        id: str,
        *,
        labels: Mapping[str, str] | NotGiven = NOT_GIVEN,
        hosts: Sequence[str] | NotGiven = NOT_GIVEN,
        idle_timeout: int | timedelta | NotGiven = NOT_GIVEN,
        policy: Mapping[str, Any] | NotGiven | None = NOT_GIVEN,
        enabled: bool | NotGiven = NOT_GIVEN,
    ) -> None:
        """Frobnicate a thing.

        Args:
            id: the thing.
            labels: labels to set,
                as many as you like.
            policy: a nested policy.
        """


def test_a_new_operation_becomes_a_command_with_typed_options() -> None:
    (op,) = operations("later_things", _Later)
    command = operation_command(op)
    kinds = {p.name: p.kind for p in op.params}
    text = CliRunner().invoke(command, ["--help"]).output

    assert op.command == ("later-things", "frobnicate")
    assert kinds == {"id": "str", "labels": "map", "hosts": "strings", "idle_timeout": "duration",
                     "policy": "json", "enabled": "bool"}  # fmt: skip
    assert [p.name for p in op.positionals()] == ["id"]
    assert "labels to set, as many as you like." in text
    assert "Args:" not in text
    assert "--enabled / --no-enabled" in text


def test_every_annotation_of_every_operation_is_understood() -> None:
    """No parameter is read as text because its type hint could not be evaluated."""
    unresolved = []
    for service in api_services():
        for op in service.operations:
            method = getattr(_owner(service.path), op.name)
            hints = _introspect._hints(method)
            unresolved += [
                f"{service.path}.{op.name}({n})" for n, h in hints.items() if isinstance(h, str)
            ]

    assert unresolved == []


def test_text_annotations_are_guessed_sensibly() -> None:
    guesses = {
        text: _introspect.kind_of(text)[0]
        for text in ("NotGivenOr[int | timedelta]", "NotGivenOr[bool]", "Sequence[str] | None",
                     "NotGivenOr[Mapping[str, str]]", "NotGivenOr[FooParam | Foo]", "str")
    }  # fmt: skip

    assert list(guesses.values()) == ["duration", "bool", "strings", "map", "json", "str"]


def _owner(path: str) -> Any:
    from ngrok_async import AsyncClient

    owner: Any = AsyncClient("x", transport=httpx.MockTransport(lambda _: httpx.Response(500)))
    for part in path.split("."):
        owner = getattr(owner, part)
    return owner


def test_the_command_index_lists_what_the_client_has() -> None:
    """``cli/_commands.py`` (generated) lists every service and operation introspection finds,
    in the same order, so listings and completion need no import."""
    from ngrok_async.cli._commands import OPERATIONS
    from ngrok_async.cli._commands import SERVICES as INDEXED

    assert set(INDEXED) == set(SERVICES)
    for path, service in SERVICES.items():
        indexed = [(name, deprecated) for name, _, deprecated in OPERATIONS[path]]
        assert indexed == [(op.command_name, bool(op.deprecated)) for op in service.operations]
        module, _, cls = INDEXED[path][0].partition(":")
        assert module.startswith("ngrok_async.resources.")
        assert cls.endswith("Service")


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("ngrok-async edges t", ["tcp", "tls"]),
        ("ngrok-async edges tcp l", ["list"]),
        ("ngrok-async ssh-user-certificates i", ["issue"]),
        ("ngrok-async ai-gat", ["ai-gateway-api-keys"]),
    ],
)
def test_completion_walks_the_lazy_tree(words: str, expected: list[str]) -> None:
    env = {
        "_NGROK_ASYNC_COMPLETE": "bash_complete",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split()) - 1),
    }
    result = CliRunner().invoke(cli, [], prog_name="ngrok-async", env=env)
    assert [line.split(",", 1)[1] for line in result.output.split()] == expected
