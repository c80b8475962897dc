"""The standalone fake API (``ngrok-async fake-server`` / ``python -m ngrok_async.testing``) as
other processes use it: ngrok's official Python client, plain HTTP, TLS with the printed CA,
faults from the command line, one log line per request, SIGINT/SIGTERM."""

from __future__ import annotations

import contextlib
import queue
import re
import signal
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import ngrok
import pytest

from ..testing.conftest import ED25519_KEY

pytestmark = pytest.mark.slow
HEADERS = {"Authorization": "Bearer sk_test", "Ngrok-Version": "2"}
STARTUP_SECONDS = 30
LOG_LINE = re.compile(
    r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ (GET|POST|PATCH|DELETE) \S+ (\d{3}|dropped) [\d.]+ms"
)


class Server:
    """A running server process; its stdout lines arrive on a queue (read by a thread, so a
    wait for a line is bounded)."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        self._lines: queue.Queue[str] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(line.strip())

    def line(self, timeout: float = 10) -> str:
        try:
            return self._lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no line on stdout within {timeout} s") from None

    def stop(self, sig: int = signal.SIGTERM) -> int:
        """Send ``sig`` and wait (bounded) for the exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=15)
            raise

    def stderr(self) -> list[str]:
        assert self.proc.stderr is not None
        return self.proc.stderr.read().splitlines()


@contextlib.contextmanager
def running(*args: str, module: str = "ngrok_async.testing") -> Iterator[tuple[str, Server]]:
    """Start the server, yield its URL (line 1 of stdout) and the process; stop it after."""
    proc = subprocess.Popen(
        [sys.executable, "-m", module, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    server = Server(proc)
    try:
        url = server.line(STARTUP_SECONDS)
        assert url.startswith(("http://", "https://")), url
        yield url, server
    finally:
        if proc.poll() is None:
            server.stop()
        proc.stdout.close()  # type: ignore[union-attr]
        proc.stderr.close()  # type: ignore[union-attr]


def test_the_official_client_runs_crud_on_the_seed_services() -> None:
    with running("--seed", "1", "--api-key", "sk_test", "--quiet") as (url, _):
        client = ngrok.Client("sk_test", base_url=url)
        cred = client.credentials.create(description="ci", acl=["bind:ci.example.com"])
        assert cred.token
        assert client.credentials.get(cred.id).description == "ci"
        assert client.credentials.update(cred.id, metadata="m").metadata == "m"
        assert [c.id for c in client.credentials.list()] == [cred.id]
        client.credentials.delete(cred.id)
        with pytest.raises(ngrok.Error) as missing:
            client.credentials.get(cred.id)
        assert missing.value.http_status_code == 404

        ssh = client.ssh_credentials.create(public_key=ED25519_KEY, acl=["bind:x.example.com"])
        assert client.ssh_credentials.update(ssh.id, description="laptop").description == "laptop"
        client.ssh_credentials.delete(ssh.id)

        key = client.api_keys.create(description="robot")
        assert key.token
        assert [k.id for k in client.api_keys.list()] == [key.id]
        client.api_keys.delete(key.id)

        ca = client.ssh_certificate_authorities.create(description="ops")
        assert ca.public_key.startswith("ssh-ed25519 ")
        # The official client cannot send its own datetime defaults (json.dumps fails on them):
        # times go as RFC 3339 strings, Go's zero time for "unset", as ngrok's Go client sends.
        unset = "0001-01-01T00:00:00Z"
        cert = client.ssh_user_certificates.create(
            ssh_certificate_authority_id=ca.id,
            public_key=ED25519_KEY,
            principals=["root"],
            valid_after=unset,  # type: ignore[arg-type]
            valid_until="2099-01-01T00:00:00Z",  # type: ignore[arg-type]
        )
        assert cert.valid_until == "2099-01-01T00:00:00Z"
        assert cert.certificate.startswith("ssh-ed25519-cert-v01@openssh.com ")
        assert cert.principals == ["root"]
        host = client.ssh_host_certificates.create(
            ssh_certificate_authority_id=ca.id,
            public_key=ED25519_KEY,
            principals=["h.example"],
            valid_after=unset,  # type: ignore[arg-type]
            valid_until=unset,  # type: ignore[arg-type]
        )
        assert client.ssh_host_certificates.get(host.id).principals == ["h.example"]
        assert client.ssh_user_certificates.update(cert.id, description="d").description == "d"
        client.ssh_user_certificates.delete(cert.id)
        client.ssh_host_certificates.delete(host.id)
        client.ssh_certificate_authorities.delete(ca.id)
        with pytest.raises(ngrok.Error) as refused:
            client.ssh_credentials.create(public_key="not a key")
        assert refused.value.error_code == "ERR_NGROK_612"


def test_the_cli_command_logs_a_line_per_request_and_stops_on_sigterm() -> None:
    with running("fake-server", "--api-key", "sk_test", "--seed", "2", module="ngrok_async") as (
        url,
        proc,
    ):
        with httpx.Client(base_url=url, headers=HEADERS, timeout=10) as http:
            created = http.post("/credentials", json={"description": "from curl"})
            assert created.status_code == 201
            assert created.json()["uri"] == f"{url}/credentials/{created.json()['id']}"
            assert (
                http.get("/credentials", params={"filter": 'obj.description == "x"'}).json()[
                    "credentials"
                ]
                == []
            )
            assert http.get("/nope").status_code == 404
        assert proc.stop(signal.SIGTERM) == 0
        lines = proc.stderr()
    requests = [line for line in lines if LOG_LINE.fullmatch(line)]
    assert [line.split()[1:4] for line in requests] == [
        ["POST", "/credentials", "201"],
        ["GET", "/credentials?filter=obj.description+%3D%3D+%22x%22", "200"],
        ["GET", "/nope", "404"],
    ]
    assert not any("sk_test" in line for line in lines)


def test_tls_prints_the_ca_file_to_trust_and_removes_it_after() -> None:
    with running("--tls", "--api-key", "sk_test", "--quiet") as (url, proc):
        assert url.startswith("https://127.0.0.1:")
        ca_file = Path(proc.line())
        assert ca_file.is_file()
        context = ssl.create_default_context(cafile=str(ca_file))
        with httpx.Client(base_url=url, headers=HEADERS, verify=context, timeout=10) as http:
            assert http.get("/api_keys").json()["keys"] == []
        with pytest.raises(httpx.ConnectError), httpx.Client(verify=True, timeout=10) as strict:
            strict.get(f"{url}/api_keys")  # the throwaway CA is not trusted by default
        assert proc.stop(signal.SIGINT) == 0
    assert not ca_file.exists()


def test_tls_writes_the_ca_where_asked_and_keeps_it(tmp_path: Path) -> None:
    target = tmp_path / "fake-ca.pem"
    with running("--tls", "--ca-file", str(target), "--quiet") as (_, proc):
        assert Path(proc.line()) == target.resolve()
        assert target.read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
    assert target.exists()


def test_fault_options_reach_the_fake() -> None:
    with running("--p-unavailable", "1", "--api-key", "sk_test", "--quiet") as (url, _):
        with httpx.Client(base_url=url, headers=HEADERS, timeout=10) as http:
            response = http.get("/credentials")
        assert response.status_code == 503
        assert response.json()["error_code"] == "ERR_NGROK_503"
    with running("--rate-limit", "2/60", "--api-key", "sk_test", "--quiet") as (url, _):
        with httpx.Client(base_url=url, headers=HEADERS, timeout=10) as http:
            statuses = [http.get("/credentials").status_code for _ in range(3)]
        assert statuses == [200, 200, 429]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rate-limit", "often"], "is not N or N/SECONDS"),
        (["--p-drop-after", "2"], "2"),
        (["--ca-file", "x.pem"], "--ca-file goes with --tls"),
        (["--api-key", " "], "--api-key"),
    ],
)
def test_bad_options_are_usage_errors(args: list[str], message: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ngrok_async.testing", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert message in done.stderr
    assert done.stdout == ""


def test_a_taken_port_is_a_clear_error() -> None:
    with running("--quiet") as (url, _):
        port = url.rsplit(":", 1)[1]
        started = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "ngrok_async.testing", "--port", port],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1
    assert f"cannot serve on 127.0.0.1:{port}" in done.stderr
    assert time.monotonic() - started < 60
