"""README's "Testing your code" example runs as written."""

from __future__ import annotations

import pathlib
from typing import Any

README = pathlib.Path(__file__).parent.parent / "README.md"


def _section_code(heading: str) -> str:
    section = README.read_text().split(f"## {heading}", 1)[1].split("\n## ", 1)[0]
    return section.split("```python", 1)[1].split("```", 1)[0]


async def test_testing_your_code_example_passes() -> None:
    namespace: dict[str, Any] = {}
    exec(compile(_section_code("Testing your code"), str(README), "exec"), namespace)

    tests = [f for name, f in namespace.items() if name.startswith("test_")]
    for test in tests:
        await test()

    assert len(tests) == 2
