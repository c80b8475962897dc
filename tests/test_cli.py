"""``main()``: the demo on the embedded fake, help, exit statuses and usage errors."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ngrok_async.cli import main


def test_demo_in_process(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["demo", "--count", "7", "--concurrency", "3"])

    out = capsys.readouterr().out
    assert status == 0
    assert "issued 7 SSH user certificates" in out
    assert "verified 7/7 certificates locally" in out
    assert "listed 7 certificates back over 1 pages" in out
    assert out.rstrip().endswith("OK")


def test_demo_as_a_module_subprocess() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ngrok_async", "demo", "-n", "3"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "embedded fake ngrok API on http://127.0.0.1:" in result.stdout
    assert "verified 3/3" in result.stdout


def test_live_demo_needs_an_api_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NGROK_API_KEY", raising=False)

    with pytest.raises(SystemExit, match="NGROK_API_KEY"):
        main(["demo", "--live"])


@pytest.mark.parametrize("argv", [["demo", "--count", "0"], ["nope"], []])
def test_bad_arguments_exit_with_usage(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)

    assert info.value.code == 2


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    top = capsys.readouterr().out
    assert main(["ssh-user-certificates", "--help"]) == 0
    group = capsys.readouterr().out

    for command in (
        "demo",
        "credentials",
        "ssh-credentials",
        "ssh-certificate-authorities",
        "ssh-user-certificates",
    ):
        assert f"  {command} " in top
    for sub in ("issue", "list", "get", "delete"):
        assert f"  {sub} " in group


def test_no_api_key_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NGROK_API_KEY", raising=False)

    with pytest.raises(SystemExit) as info:
        main(["credentials", "list"])

    assert info.value.code == 2


def test_a_failing_command_returns_its_status(
    monkeypatch: pytest.MonkeyPatch, sleeps: list[float]
) -> None:
    monkeypatch.setenv("NGROK_API_KEY", "sk_x")

    assert main(["credentials", "get", "cr_1", "--base-url", "http://127.0.0.1:9"]) == 1
