"""``ssh-user-certificates issue --journal FILE|redis://…#NAME``: a rerun resumes (on Redis, from
another directory), nothing is issued twice."""

from __future__ import annotations

import pathlib
import secrets
import shutil
import time

from ngrok_async.testing import FakeNgrok

from .test_cli_commands import invoke, make_keys, new_ca


def test_a_rerun_with_the_same_journal_issues_nothing_twice(tmp_path: pathlib.Path) -> None:
    fake = FakeNgrok(api_key="cli-test", seed=6)
    publics = make_keys(tmp_path, "alice", "bob")
    ca = new_ca(fake)
    keys = [str(tmp_path / f"{name}.pub") for name in publics]
    journal = str(tmp_path / "issue.journal")
    args = ["ssh-user-certificates", "issue", "--fake", "--ca", ca.id, "--principal", "deploy"]

    first = invoke(fake, *args, "--journal", journal, keys[0])
    assert first.exit_code == 0, first.output
    written = (tmp_path / "alice-cert.pub").read_text()
    time.sleep(1.1)  # a new run would compute another expiry
    second = invoke(fake, *args, "--journal", journal, *keys)

    assert second.exit_code == 0, second.output
    assert "issued 2/2 certificates" in second.stdout
    assert len(fake.resources("ssh_user_certificates")) == 2
    assert (tmp_path / "alice-cert.pub").read_text() == written  # the same certificate
    until = {cert["valid_until"] for cert in fake.resources("ssh_user_certificates")}
    assert len(until) == 1  # the resumed run kept the first run's expiry


def test_a_journal_that_is_not_one_is_a_usage_error(tmp_path: pathlib.Path) -> None:
    fake = FakeNgrok(api_key="cli-test", seed=7)
    make_keys(tmp_path, "alice")
    ca = new_ca(fake)
    bogus = tmp_path / "bogus"
    bogus.write_bytes(b"\x00garbage" * 200)
    args = ["ssh-user-certificates", "issue", "--fake", "--ca", ca.id, "--principal", "x"]
    result = invoke(fake, *args, "--journal", str(bogus), str(tmp_path / "alice.pub"))
    assert result.exit_code == 2
    assert "not a usable journal" in result.output
    assert not fake.resources("ssh_user_certificates")


def test_a_redis_journal_resumes_in_another_directory(
    tmp_path: pathlib.Path, redis_url: str
) -> None:
    """A run on one machine, its resumption on another: the same keys in another folder, no
    file of the first run, the journal in Redis."""
    fake = FakeNgrok(api_key="cli-test", seed=8)
    first_dir, second_dir = tmp_path / "pod-a", tmp_path / "pod-b"
    first_dir.mkdir()
    second_dir.mkdir()
    publics = make_keys(first_dir, "alice", "bob")
    for name in publics:
        shutil.copy(first_dir / f"{name}.pub", second_dir / f"{name}.pub")
    ca = new_ca(fake)
    journal = f"{redis_url}#cli-{secrets.token_hex(4)}"
    args = ["ssh-user-certificates", "issue", "--fake", "--ca", ca.id, "--principal", "deploy"]

    first = invoke(fake, *args, "--journal", journal, str(first_dir / "alice.pub"))
    assert first.exit_code == 0, first.output
    time.sleep(1.1)  # a new run would compute another expiry
    second = invoke(fake, *args, "--journal", journal, "--keys-dir", str(second_dir))

    assert second.exit_code == 0, second.output
    assert "issued 2/2 certificates" in second.stdout
    assert len(fake.resources("ssh_user_certificates")) == 2
    assert (second_dir / "alice-cert.pub").read_text() == (first_dir / "alice-cert.pub").read_text()
    assert len({cert["valid_until"] for cert in fake.resources("ssh_user_certificates")}) == 1


def test_a_redis_journal_without_a_name_is_a_usage_error(tmp_path: pathlib.Path) -> None:
    fake = FakeNgrok(api_key="cli-test", seed=9)
    make_keys(tmp_path, "alice")
    ca = new_ca(fake)
    args = ["ssh-user-certificates", "issue", "--fake", "--ca", ca.id, "--principal", "x"]
    result = invoke(fake, *args, "--journal", "redis://127.0.0.1:9/0", str(tmp_path / "alice.pub"))
    assert result.exit_code == 2
    assert "needs a name" in result.output
    assert not fake.resources("ssh_user_certificates")
