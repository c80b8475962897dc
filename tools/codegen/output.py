"""Write the generated package (formatted with ruff, within the line budget) or check it."""

from __future__ import annotations

import difflib
import pathlib
import shutil
import subprocess
import sys
import tempfile
from typing import Any

from .coverage import coverage_table
from .modules import render_modules
from .paths import OUT, README, ROOT

# Hard line budget per generated module; the package ``__init__`` is only an index of names
# (each listed for type checkers, for the lazy loader and in ``__all__``), so it is exempt.
MAX_LINES = 400
EXEMPT = ("__init__.py",)


def write(out: pathlib.Path, spec: dict[str, Any]) -> None:
    modules = render_modules(spec)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for name, text in sorted(modules.items()):
        (out / name).write_text(text, encoding="utf-8")
    ruff = [sys.executable, "-m", "ruff"]
    config = ["--config", str(ROOT / "pyproject.toml")]
    subprocess.run(
        [*ruff, "check", "-q", *config, "--fix-only", "--select", "I,F401,UP", str(out)], check=True
    )
    subprocess.run([*ruff, "format", "-q", *config, str(out)], check=True)
    for path in sorted(out.glob("*.py")):
        count = len(path.read_text(encoding="utf-8").splitlines())
        if count > MAX_LINES and path.name not in EXEMPT:
            raise SystemExit(f"{path.name} has {count} lines (budget {MAX_LINES}): split it")


def check(spec: dict[str, Any]) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        fresh = pathlib.Path(tmp) / "_generated"
        write(fresh, spec)
        stale = []
        names = {p.name for p in fresh.glob("*.py")} | {p.name for p in OUT.glob("*.py")}
        for name in sorted(names):
            new = (fresh / name).read_text(encoding="utf-8") if (fresh / name).exists() else ""
            old = (OUT / name).read_text(encoding="utf-8") if (OUT / name).exists() else ""
            if new != old:
                stale.append(name)
                sys.stdout.writelines(
                    difflib.unified_diff(
                        old.splitlines(True), new.splitlines(True), name, name, n=1
                    )
                )
    table = coverage_table(spec)
    if table not in README.read_text(encoding="utf-8"):
        stale.append("README.md coverage table")
    if stale:
        print(f"stale generated output: {', '.join(stale)}; run python tools/generate.py")
        return 1
    print("generated output is up to date")
    return 0
