"""What every scenario shares: the server subprocess, TLS files, alternating rounds, medians."""

from __future__ import annotations

import contextlib
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

ROOT = pathlib.Path(__file__).resolve().parent.parent


@dataclass
class Row:
    """One line of the results table."""

    scenario: str
    contender: str
    metric: str
    value: float
    unit: str
    ratio: float | None = None  # value / the scenario's reference contender
    reference: str = ""
    note: str = ""
    samples: list[float] = field(default_factory=list)


@dataclass
class Target:
    """A target from issue 6 and whether this run met it."""

    scenario: str
    text: str
    figure: str
    met: bool


class Server:
    """``benchmarks.server`` in a child process (its CPU is not the client's event loop's)."""

    def __init__(
        self,
        *,
        backend: str = "lean",
        latency: float = 0.0,
        rate_limit: tuple[int, float] | None = None,
        records: int = 0,
        tls: tuple[pathlib.Path, pathlib.Path] | None = None,
    ) -> None:
        argv = [sys.executable, "-m", "benchmarks.server", "--backend", backend]
        argv += ["--latency", repr(latency), "--records", str(records)]
        if rate_limit is not None:
            argv += ["--rate-limit", str(rate_limit[0]), repr(rate_limit[1])]
        if tls is not None:
            argv += ["--tls-cert", str(tls[0]), "--tls-key", str(tls[1])]
        self.argv = argv
        self.tls = tls
        self.url = ""
        self._proc: subprocess.Popen[str] | None = None

    def __enter__(self) -> Server:
        self._proc = subprocess.Popen(
            self.argv,
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline().strip()
        if not line.startswith("http"):
            self.__exit__(None, None, None)
            raise RuntimeError(f"benchmark server did not start: {line!r}")
        self.url = line
        return self

    def __exit__(self, *_: object) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        assert proc.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()

    def _control(self, method: str, path: str) -> Any:
        import ssl

        context = None
        if self.tls is not None:
            context = ssl.create_default_context(cafile=str(self.tls[0]))
        request = urllib.request.Request(self.url + path, method=method)
        with urllib.request.urlopen(request, context=context, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def reset(self) -> None:
        """Zero the server's counters and rate window, forget created resources."""
        self._control("POST", "/_bench/reset")

    def stats(self) -> dict[str, Any]:
        """``{"requests": n, "status": {"201": n, ...}}`` since the last reset."""
        result: dict[str, Any] = self._control("GET", "/_bench/stats")
        return result


@contextlib.contextmanager
def tls_files() -> Iterator[tuple[pathlib.Path, pathlib.Path]]:
    """A self-signed certificate for 127.0.0.1 and its key, made now, deleted afterwards."""
    from ngrok_async.testing import self_signed_certificate

    cert, key = self_signed_certificate(common_name="ngrok-async-bench")
    with tempfile.TemporaryDirectory(prefix="ngrok-bench-tls-") as folder:
        cert_path = pathlib.Path(folder) / "cert.pem"
        key_path = pathlib.Path(folder) / "key.pem"
        cert_path.write_bytes(cert)
        key_path.write_bytes(key)
        yield cert_path, key_path


@contextlib.contextmanager
def trusted(cert: pathlib.Path) -> Iterator[None]:
    """Make httpx (SSL_CERT_FILE) and requests (REQUESTS_CA_BUNDLE) trust ``cert``."""
    names = ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")
    saved = {name: os.environ.get(name) for name in names}
    os.environ.update(dict.fromkeys(names, str(cert)))
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@dataclass
class Measure:
    """One run of one contender: wall seconds, process CPU seconds, and anything extra."""

    wall: float
    cpu: float
    extra: dict[str, float] = field(default_factory=dict)


def measure(run: Callable[[], dict[str, float] | None]) -> Measure:
    """Time ``run()``: wall clock and this process's CPU time (all threads)."""
    cpu0, wall0 = time.process_time(), time.perf_counter()
    extra = run() or {}
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    return Measure(wall=wall, cpu=cpu, extra=extra)


def alternate(
    contenders: Sequence[str],
    run: Callable[[str], Measure],
    rounds: int,
    *,
    before_each: Callable[[], None] | None = None,
) -> dict[str, list[Measure]]:
    """Run every contender once per round, in a rotated order each round; all samples."""
    samples: dict[str, list[Measure]] = {name: [] for name in contenders}
    for index in range(rounds):
        shift = index % len(contenders)
        for name in [*contenders[shift:], *contenders[:shift]]:
            if before_each is not None:
                before_each()
            samples[name].append(run(name))
    return samples


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")
