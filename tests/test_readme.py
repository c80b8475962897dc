"""Every Python block of README.md runs as written against a served fake (see markdown_blocks)."""

from __future__ import annotations

import pathlib

import pytest

from .markdown_blocks import Block, blocks, run

README = pathlib.Path(__file__).parent.parent / "README.md"
BLOCKS = blocks(README)


def _section_code(heading: str) -> str:
    """The first Python block under ``## heading`` (for tests that drive one block themselves)."""
    section = README.read_text().split(f"## {heading}", 1)[1].split("\n## ", 1)[0]
    return section.split("```python", 1)[1].split("```", 1)[0]


@pytest.mark.parametrize("block", BLOCKS, ids=lambda block: block.id)
def test_readme_block_runs_as_written(block: Block, tmp_path: pathlib.Path) -> None:
    if block.skip_reason:
        pytest.skip(block.skip_reason)
    assert block.skip_reason is None, f"{block.id}: '<!-- not run -->' needs a reason"

    run(block, tmp_path)


def test_the_readme_has_blocks_and_most_run() -> None:
    ran = [block for block in BLOCKS if block.skip_reason is None]

    assert len(BLOCKS) >= 8
    assert len(ran) >= len(BLOCKS) - 2
