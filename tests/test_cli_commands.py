"""``ngrok-async`` API commands end to end on the fake: files written, exit codes, JSON output.

In-process tests hand the CLI a FakeNgrok through click's ``obj`` (``--fake`` then uses it,
so state survives between invocations); the subprocess tests serve the fake on a loopback
port and pass ``--base-url``, the way a user points the CLI at an API.
"""

from __future__ import annotations

import io
import json
import os
import pathlib
import re
import stat
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import anyio
import pytest
from click.testing import CliRunner, Result
from cryptography.hazmat.primitives import serialization

from ngrok_async import AsyncClient
from ngrok_async.bulk import read_marker
from ngrok_async.cli import CliConfig, _issue, cli
from ngrok_async.ssh_keys import generate_key_pair, verify_certificate
from ngrok_async.testing import FakeNgrok

T = TypeVar("T")


@pytest.fixture
def fake() -> FakeNgrok:
    return FakeNgrok(api_key="cli-test", seed=5)


def sdk(fake: FakeNgrok, work: Callable[[AsyncClient], Awaitable[T]]) -> T:
    """Run SDK calls on the fake (the CLI runs its own event loop, so tests are sync)."""

    async def main() -> T:
        async with fake.client(rate_limit=None) as ngrok:
            return await work(ngrok)

    return anyio.run(main)


def invoke(fake: FakeNgrok | None, *args: str, env: dict[str, str] | None = None) -> Result:
    config = CliConfig(fake=fake)
    return CliRunner().invoke(cli, list(args), obj=config, env=env, catch_exceptions=False)


def make_keys(directory: pathlib.Path, *names: str) -> dict[str, str]:
    """Key pairs as ``<name>`` (0o600) and ``<name>.pub``; returns name -> public key."""
    publics = {}
    for name in names:
        private, public = generate_key_pair()
        key = directory / name
        key.write_bytes(
            private.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.OpenSSH,
                serialization.NoEncryption(),
            )
        )
        key.chmod(0o600)
        (directory / f"{name}.pub").write_text(f"{public} {name}@example\n")
        publics[name] = public
    return publics


def new_ca(fake: FakeNgrok) -> Any:
    return sdk(fake, lambda n: n.ssh_certificate_authorities.create(private_key_type="ed25519"))


# -- issue ---------------------------------------------------------------------------------


def test_issue_writes_verified_certificates_next_to_each_key(
    fake: FakeNgrok, tmp_path: pathlib.Path
) -> None:
    publics = make_keys(tmp_path, "alice", "bob", "carol")
    ca = new_ca(fake)
    keys = [str(tmp_path / f"{name}.pub") for name in publics]

    result = invoke(fake, "ssh-user-certificates", "issue", "--fake", "--ca", ca.id,
                    "--principal", "deploy", "--valid-for", "8h", *keys)  # fmt: skip

    assert result.exit_code == 0, result.output
    assert "issued 3/3 certificates" in result.stdout
    for name, public in publics.items():
        cert_file = tmp_path / f"{name}-cert.pub"
        assert f"issued {tmp_path / name}.pub -> {cert_file}" in result.stdout
        assert stat.S_IMODE(cert_file.stat().st_mode) == 0o644
        info = verify_certificate(
            cert_file, ca_public_key=ca.public_key, public_key=public, principal="deploy"
        )
        assert 8 * 3600 - 5 <= (info.valid_before - info.valid_after).total_seconds() <= 8 * 3600
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600  # private key untouched
    stored = fake.resources("ssh_user_certificates")
    assert len(stored) == 3
    assert all(read_marker(cert["metadata"]) for cert in stored)  # --reconcile is the default


def test_issue_reports_failures_and_exits_1(fake: FakeNgrok, tmp_path: pathlib.Path) -> None:
    make_keys(tmp_path, "alice", "bob")
    (tmp_path / "broken.pub").write_text("ssh-ed25519 not-base64!\n")
    (tmp_path / "old-cert.pub").write_text("ignored: certificates are not keys\n")
    ca = new_ca(fake)

    result = invoke(fake, "ssh-user-certificates", "issue", "--fake", "--ca", ca.id,
                    "--principal", "deploy", "--keys-dir", str(tmp_path))  # fmt: skip

    assert result.exit_code == 1
    assert f"FAILED {tmp_path / 'broken.pub'}: not created: invalid public_key" in result.stderr
    assert "issued 2/3 certificates" in result.stderr
    assert "1 failed: 1 not created, 0 unknown, 0 issued but not written" in result.stderr
    assert sorted(p.name for p in tmp_path.glob("*-cert.pub")) == [
        "alice-cert.pub",
        "bob-cert.pub",
        "old-cert.pub",
    ]
    assert len(fake.resources("ssh_user_certificates")) == 2


def test_issue_json_lists_every_key(fake: FakeNgrok, tmp_path: pathlib.Path) -> None:
    make_keys(tmp_path, "alice", "bob")
    out = tmp_path / "certs"
    out.mkdir()
    ca = new_ca(fake)

    result = invoke(fake, "ssh-user-certificates", "issue", "--fake", "--ca", ca.id, "--json",
                    "--principal", "a", "--out-dir", str(out),
                    "--keys-dir", str(tmp_path))  # fmt: skip

    assert result.exit_code == 0
    items = json.loads(result.stdout)
    assert sorted(item["key"] for item in items) == [
        str(tmp_path / "alice.pub"),
        str(tmp_path / "bob.pub"),
    ]
    assert {item["outcome"] for item in items} == {"created"}
    assert sorted(item["certificate_file"] for item in items) == [
        str(out / "alice-cert.pub"),
        str(out / "bob-cert.pub"),
    ]
    assert {item["id"] for item in items} == {
        c["id"] for c in fake.resources("ssh_user_certificates")
    }
    assert "issued 2/2" in result.stderr
    assert not list(tmp_path.glob("*-cert.pub"))


def test_issue_counts_a_certificate_it_could_not_write(
    fake: FakeNgrok, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_keys(tmp_path, "alice")
    ca = new_ca(fake)

    def disk_full(*_: Any, **__: Any) -> pathlib.Path:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(_issue, "write_certificate", disk_full)
    result = invoke(fake, "ssh-user-certificates", "issue", "--fake", "--ca", ca.id,
                    "--principal", "a", str(tmp_path / "alice.pub"))  # fmt: skip

    assert result.exit_code == 1
    (cert,) = fake.resources("ssh_user_certificates")
    assert f"{cert['id']} was issued but could not be written" in result.stderr
    assert "0 unknown, 1 issued but not written" in result.stderr


def test_issue_with_an_unknown_ca_fails_before_issuing(
    fake: FakeNgrok, tmp_path: pathlib.Path
) -> None:
    make_keys(tmp_path, "alice")

    result = invoke(fake, "ssh-user-certificates", "issue", "--fake", "--ca", "sshca_nope",
                    "--principal", "a", str(tmp_path / "alice.pub"))  # fmt: skip

    assert result.exit_code == 1
    assert result.stderr.startswith("error: 404")
    assert fake.resources("ssh_user_certificates") == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--ca", "sshca_1", "KEYS"], "Missing option '--principal'"),
        (["--ca", "sshca_1", "--principal", "a"], "give KEY.pub files or a --keys-dir"),
        (
            ["--ca", "sshca_1", "--principal", "a", "--valid-for", "8 hours", "KEYS"],
            "not a duration",
        ),
        (["--principal", "a", "KEYS", "--no-fake"], "No such option"),
    ],
)
def test_issue_usage_errors_exit_2(
    args: list[str], message: str, fake: FakeNgrok, tmp_path: pathlib.Path
) -> None:
    make_keys(tmp_path, "alice")
    argv = [str(tmp_path / "alice.pub") if a == "KEYS" else a for a in args]

    result = invoke(fake, "ssh-user-certificates", "issue", "--fake", *argv)

    assert result.exit_code == 2
    assert message in result.stderr


def test_issue_on_a_fresh_fake_uses_its_sample_ca(tmp_path: pathlib.Path) -> None:
    make_keys(tmp_path, "alice")

    result = invoke(None, "ssh-user-certificates", "issue", "--fake", "--principal", "alice",
                    str(tmp_path / "alice.pub"))  # fmt: skip

    assert result.exit_code == 0
    assert "nothing it holds outlives this command" in result.stderr
    assert (tmp_path / "alice-cert.pub").read_text().startswith("ssh-ed25519-cert-v01@openssh.com")


def test_issue_shows_a_rich_progress_bar_on_a_terminal(
    fake: FakeNgrok, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rich.console import Console

    screen = io.StringIO()
    monkeypatch.setattr(_issue, "rich_console", lambda: Console(file=screen, force_terminal=True))
    make_keys(tmp_path, "alice", "bob")
    ca = new_ca(fake)

    result = invoke(fake, "ssh-user-certificates", "issue", "--fake", "--ca", ca.id,
                    "--principal", "a", "--keys-dir", str(tmp_path))  # fmt: skip

    assert result.exit_code == 0
    assert "issuing" in screen.getvalue()
    assert "100%" in screen.getvalue()
    assert "issued alice.pub" not in result.stdout  # no per-key lines under the bar
    assert "issued 2/2 certificates" in result.stdout


# -- list / get / delete -------------------------------------------------------------------


async def _populate(ngrok: AsyncClient) -> dict[str, list[str]]:
    ca = await ngrok.ssh_certificate_authorities.create(description="team CA")
    cert = await ngrok.ssh_user_certificates.create(
        ca.id, generate_key_pair()[1], principals=["al"]
    )
    cred = await ngrok.credentials.create(description="agent", acl=["bind:a.example.com"])
    ssh = await ngrok.ssh_credentials.create(generate_key_pair()[1], description="gateway")
    return {
        "ssh-certificate-authorities": [ca.id],
        "ssh-user-certificates": [cert.id],
        "credentials": [cred.id],
        "ssh-credentials": [ssh.id],
    }


KINDS = ["credentials", "ssh-credentials", "ssh-certificate-authorities", "ssh-user-certificates"]


@pytest.mark.parametrize("kind", KINDS)
def test_list_get_delete(kind: str, fake: FakeNgrok) -> None:
    (ident,) = sdk(fake, _populate)[kind]

    listed = invoke(fake, kind, "list", "--fake", "--json")
    table = invoke(fake, kind, "list", "--fake")
    got = invoke(fake, kind, "get", "--fake", "--json", ident)
    shown = invoke(fake, kind, "get", "--fake", ident)
    deleted = invoke(fake, kind, "delete", "--fake", ident)
    again = invoke(fake, kind, "delete", "--fake", "--json", ident)

    assert [r["id"] for r in json.loads(listed.stdout)] == [ident]
    assert table.exit_code == 0
    assert table.stdout.splitlines()[0].startswith("ID ")
    assert table.stdout.splitlines()[1].startswith(ident)
    assert json.loads(got.stdout)["id"] == ident
    assert re.search(rf"^id +{ident}$", shown.stdout, re.MULTILINE)
    assert (deleted.exit_code, deleted.stdout) == (0, f"deleted {ident}\n")
    assert fake.resources(kind.replace("-", "_")) == []
    assert again.exit_code == 1
    assert json.loads(again.stdout)["failed"][ident].startswith("404")


def test_list_limit_and_get_missing(fake: FakeNgrok) -> None:
    sdk(fake, lambda n: n.credentials.create(description="one"))
    sdk(fake, lambda n: n.credentials.create(description="two"))

    limited = invoke(fake, "credentials", "list", "--fake", "--json", "--limit", "1")
    missing = invoke(fake, "credentials", "get", "--fake", "cr_missing")

    assert [c["description"] for c in json.loads(limited.stdout)] == ["two"]
    assert missing.exit_code == 1
    assert "error: 404" in missing.stderr


@pytest.mark.parametrize("columns", [60, 80, 120, 200])
def test_tables_fit_the_terminal(fake: FakeNgrok, columns: int) -> None:
    sdk(fake, _populate)
    sdk(fake, lambda n: n.credentials.create(description="a rather long description " * 3))

    result = invoke(fake, "credentials", "list", "--fake", env={"COLUMNS": str(columns)})

    lines = result.stdout.splitlines()
    assert result.exit_code == 0
    assert max(len(line) for line in lines) <= columns
    assert lines[0].startswith("ID ")
    assert all(re.match(r"cr_\w+  ", line) or line.startswith(" ") for line in lines[1:])
    assert "bind:a.example.com" in result.stdout or "did not fit" in result.stderr


def test_a_fresh_fake_is_seeded_with_samples() -> None:
    result = invoke(None, "ssh-user-certificates", "list", "--fake", "--json")

    certs = json.loads(result.stdout)
    assert sorted(c["principals"][0] for c in certs) == ["alice", "bob"]
    assert "nothing it holds outlives this command" in result.stderr


# -- the API key -------------------------------------------------------------------------


def test_without_a_key_the_command_says_how_to_give_one() -> None:
    result = invoke(None, "credentials", "list", env={"NGROK_API_KEY": ""})

    assert result.exit_code == 2
    assert "set NGROK_API_KEY, pass --api-key-file FILE, or try --fake" in result.stderr


def test_the_key_is_never_a_command_line_argument() -> None:
    result = invoke(None, "credentials", "list", "--api-key", "sk_secret")

    assert result.exit_code == 2
    assert re.search(r"No such option:? '?--api-key\b", result.stderr)


def test_an_empty_key_file_is_refused(tmp_path: pathlib.Path) -> None:
    (tmp_path / "key").write_text("\n")

    result = invoke(None, "credentials", "list", "--api-key-file", str(tmp_path / "key"))

    assert result.exit_code == 1
    assert "is empty" in result.stderr


# -- subprocess against a served fake ------------------------------------------------------


@pytest.mark.slow
async def test_subprocess_issue_and_list_against_a_served_api(tmp_path: pathlib.Path) -> None:
    fake = FakeNgrok(api_key="sk_served", seed=8)
    await anyio.to_thread.run_sync(make_keys, tmp_path, "alice", "bob")
    key_file = tmp_path / "api-key"
    await anyio.to_thread.run_sync(key_file.write_text, "sk_served\n")
    env = {**os.environ, "NGROK_API_KEY": "sk_served"}
    async with fake.serve() as url:
        async with fake.client(rate_limit=None) as ngrok:  # the same store, in-process
            ca = await ngrok.ssh_certificate_authorities.create(private_key_type="ed25519")
        issue = await anyio.run_process(
            [sys.executable, "-m", "ngrok_async", "ssh-user-certificates", "issue",
             "--base-url", url, "--ca", ca.id, "--principal", "alice", "--keys-dir", str(tmp_path)],
            env=env, check=False,
        )  # fmt: skip
        listed = await anyio.run_process(
            [sys.executable, "-m", "ngrok_async", "ssh-user-certificates", "list", "--json",
             "--base-url", url, "--api-key-file", str(key_file)],
            env={k: v for k, v in env.items() if k != "NGROK_API_KEY"}, check=False,
        )  # fmt: skip

    assert issue.returncode == 0, issue.stderr
    assert b"issued 2/2 certificates" in issue.stdout
    certs = json.loads(listed.stdout)
    assert len(certs) == 2
    for name in ("alice", "bob"):
        assert any(c["public_key"].endswith(f"{name}@example") for c in certs)
        assert (await anyio.Path(tmp_path / f"{name}-cert.pub").stat()).st_mode & 0o777 == 0o644
    assert b"sk_served" not in issue.stdout + issue.stderr + listed.stderr
