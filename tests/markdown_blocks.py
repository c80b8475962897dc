"""Run the Python blocks of a Markdown file as written, against a FakeNgrok served on loopback.

Each fenced ``python`` block is a whole program: it runs in a fresh namespace as ``__main__``
with ``NGROK_API_KEY`` and ``NGROK_BASE_URL`` pointing at a fake served over HTTP on
127.0.0.1, in a scratch directory whose ``~/.ssh/id_ed25519.pub`` exists. A block that defines
``test_…`` functions is a pytest module: it runs under plain ``pytest`` (no project config) in
a subprocess. A block is skipped only when the line right above its fence is
``<!-- not run: REASON -->`` with a reason; a marker without one fails.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pathlib
import re
import subprocess
import sys
from collections.abc import Iterator

import anyio.from_thread
import attrs

from ngrok_async import _logging
from ngrok_async.ssh_keys import generate_key_pair
from ngrok_async.testing import FakeNgrok

_FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.DOTALL | re.MULTILINE)
_NOT_RUN = re.compile(r"<!--\s*not run:?(.*?)-->\s*$")
API_KEY = "sk_markdown_blocks"


@attrs.frozen
class Block:
    path: pathlib.Path
    line: int
    code: str
    skip_reason: str | None  # None: run it; "": marked without a reason (an error)

    @property
    def id(self) -> str:
        return f"{self.path.name}:{self.line}"

    @property
    def is_pytest_module(self) -> bool:
        return re.search(r"^(async )?def test_", self.code, re.MULTILINE) is not None


def blocks(path: pathlib.Path) -> list[Block]:
    text = path.read_text(encoding="utf-8")
    found = []
    for match in _FENCE.finditer(text):
        before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        marker = _NOT_RUN.search(before)
        reason = marker[1].strip() if marker else None
        found.append(Block(path, text.count("\n", 0, match.start()) + 1, match[1], reason))
    return found


def runnable(found: list[Block]) -> list[Block]:
    """The blocks to run: every one not marked ``<!-- not run: REASON -->``."""
    return [block for block in found if block.skip_reason is None]


def unexplained(found: list[Block]) -> list[str]:
    """Ids of blocks marked not to run without saying why."""
    return [block.id for block in found if block.skip_reason == ""]


def section_code(path: pathlib.Path, heading: str) -> str:
    """The first Python block under ``## heading`` (for tests that drive one block themselves)."""
    section = path.read_text(encoding="utf-8").split(f"## {heading}", 1)[1].split("\n## ", 1)[0]
    return section.split("```python", 1)[1].split("```", 1)[0]


@contextlib.contextmanager
def served_fake() -> Iterator[tuple[FakeNgrok, str]]:
    """A fresh FakeNgrok served on 127.0.0.1 from a background event loop."""
    fake = FakeNgrok(api_key=API_KEY, record_requests=False)
    with (
        anyio.from_thread.start_blocking_portal() as portal,
        portal.wrap_async_context_manager(fake.serve()) as url,
    ):
        yield fake, url


@contextlib.contextmanager
def environment(directory: pathlib.Path, url: str) -> Iterator[dict[str, str]]:
    """``cwd``, ``HOME`` (with an SSH key) and the ngrok variables set for one block."""
    ssh = directory / ".ssh"
    ssh.mkdir(exist_ok=True)
    (ssh / "id_ed25519.pub").write_text(generate_key_pair()[1] + " alice@laptop\n")
    saved_environ = dict(os.environ)
    logger = logging.getLogger("ngrok_async")
    saved_logger = (logger.level, logger.handlers[:], _logging._handler)
    cwd = os.getcwd()
    os.environ.update(HOME=str(directory), NGROK_API_KEY=API_KEY, NGROK_BASE_URL=url)
    os.environ.pop("NGROK_LOG", None)
    os.chdir(directory)
    try:
        yield {**os.environ}
    finally:  # a block may set variables or NGROK_LOG: leave no trace for other tests
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(saved_environ)
        logger.setLevel(saved_logger[0])
        logger.handlers[:] = saved_logger[1]
        _logging._handler = saved_logger[2]


def run(block: Block, directory: pathlib.Path) -> None:
    """Run ``block`` as written; raises whatever it raises (or AssertionError for pytest)."""
    with served_fake() as (_, url), environment(directory, url) as env:
        if block.is_pytest_module:
            module = directory / "test_block.py"
            module.write_text(block.code, encoding="utf-8")
            result = subprocess.run(
                [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", module.name],
                cwd=directory,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            assert result.returncode == 0, result.stdout + result.stderr
            assert " passed" in result.stdout
            return
        code = compile(block.code, f"{block.path}:{block.line}", "exec")
        exec(code, {"__name__": "__main__"})
